import hashlib
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.document import Doc
from schemas.toxicity import IdentitySettings
from transforms.base import StageError
from transforms.identity import (
    DEFAULT_LEXICON,
    WORD_RE,
    TagIdentityGroups,
    TermMatcher,
    check,
    identity_groups,
    lexicon_file,
    load_lexicon,
    parse_lexicon,
    words,
)


@pytest.fixture(scope="module")
def matcher() -> TermMatcher:
    return TermMatcher(load_lexicon().groups)


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        # Whole words only: these contain a term's letters but not the term.
        ("Christmas dinner with the family", []),
        ("a new jewellery shop", []),
        ("Gayle visited Islamabad and Germany", []),
        ("the transatlantic cable, a hardware store", []),
        # Words mostly used in other senses only count inside a phrase.
        ("a black car next to a white wall", []),
        ("JavaScript is disabled in this browser", []),
        ("the blind spot of the mirror", []),
        # Mentions.
        ("a Christian charity", ["religion:christian"]),
        ("Jewish holidays", ["religion:jewish"]),
        ("The Muslim's view", ["religion:muslim"]),
        ("MUSLIMS and jews", ["religion:jewish", "religion:muslim"]),
        ("black people and white people", ["race_ethnicity:black", "race_ethnicity:white"]),
        ("services for disabled people", ["disability:disabled"]),
        ("hard of hearing", ["disability:deaf"]),
        ("non-binary and trans women", ["gender:nonbinary", "gender:transgender"]),
        ("Die Flüchtlinge kamen an", ["nationality:immigrant"]),
        ("las mujeres", ["gender:women"]),
        # The longest term wins: no "african" or "american" nationality here.
        ("African-American women", ["gender:women", "race_ethnicity:black"]),
        ("African and American writers", ["nationality:african", "nationality:american"]),
    ],
)
def test_mentions(matcher: TermMatcher, text: str, groups: list[str]) -> None:
    assert identity_groups(words(text), matcher) == groups


def test_word_pattern() -> None:
    assert WORD_RE.findall("don't stop-gap, naïve Straße 42") == [
        "don", "t", "stop", "gap", "naïve", "Straße", "42",
    ]  # fmt: skip
    assert WORD_RE.findall(" -- ... ?! ") == []


def test_category_granularity(matcher: TermMatcher) -> None:
    tokens = words("Muslim women and Jewish men")
    assert identity_groups(tokens, matcher, "category") == ["gender", "religion"]


def test_languages_filter() -> None:
    english = TermMatcher(load_lexicon(languages=("en",)).groups)
    assert identity_groups(words("Die Flüchtlinge kamen an"), english) == []
    assert identity_groups(words("refugees arrived"), english) == ["nationality:immigrant"]


def test_lexicon_is_consistent() -> None:
    lexicon = load_lexicon()
    assert lexicon.sha256 == hashlib.sha256(DEFAULT_LEXICON.read_bytes()).hexdigest()
    categories = {group.split(":")[0] for group in lexicon.groups}
    assert categories == {
        "gender",
        "sexual_orientation",
        "religion",
        "race_ethnicity",
        "nationality",
        "disability",
    }
    # Slurs are for the toxicity rules only: none of them is also a neutral identity term.
    neutral = {term for terms in lexicon.groups.values() for term in terms}
    slurs = {term for terms in lexicon.slurs.values() for term in terms}
    assert neutral.isdisjoint(slurs)
    assert all(term for terms in lexicon.groups.values() for term in terms)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "needs a 'groups' mapping"),
        ({"groups": {"religion": ["muslim"]}}, "groups.religion must map group names"),
        ({"groups": {"religion": {"muslim": ["muslim"]}}}, "groups.religion.muslim must map"),
        ({"groups": {"religion": {"muslim": {"en": "muslim"}}}}, "must be a list of non-empty"),
        ({"groups": {}, "slurs": ["x"]}, "'slurs' must map groups"),
    ],
)
def test_lexicon_errors(data: object, message: str) -> None:
    with pytest.raises(StageError, match=message):
        parse_lexicon(data)


def test_unreadable_lexicon(tmp_path: Path) -> None:
    with pytest.raises(StageError, match="cannot be read"):
        load_lexicon(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("groups: [unclosed\n")
    with pytest.raises(StageError, match="is not valid YAML"):
        load_lexicon(broken)


def test_lexicon_file_entry() -> None:
    entry = lexicon_file(IdentitySettings())
    assert entry == {
        "name": "identity-terms",
        "backend": "lexicon",
        "file": str(DEFAULT_LEXICON),
        "sha256": hashlib.sha256(DEFAULT_LEXICON.read_bytes()).hexdigest(),
    }


def test_check_never_drops() -> None:
    doc = Doc(id="x", source_uri="u", source_record="r", source_format="jsonl")
    doc.identity_groups = ["religion:muslim"]
    assert check(doc, IdentitySettings()) == []


def test_stage_in_a_beam_pipeline(tmp_path: Path) -> None:
    custom = tmp_path / "terms.yaml"
    custom.write_text("groups:\n  religion:\n    muslim:\n      en: [muslim, muslims]\n")
    texts = {"a": "Muslims and Christians", "b": "Christmas", "c": "nothing here"}
    docs = [
        Doc(id=key, source_uri="u", source_record=key, source_format="jsonl", text=text)
        for key, text in texts.items()
    ]
    failed = Doc(id="e", source_uri="u", source_record="e", source_format="jsonl", text="Muslims")
    failed.fail("read", "unreadable record")
    docs.append(failed)
    with TestPipeline(runner=FnApiRunner()) as pipeline:
        tagged = (
            pipeline
            | beam.Create(docs)
            | "default" >> beam.ParDo(TagIdentityGroups(IdentitySettings()))
            | beam.Map(lambda d: (d.id, d.status.value, d.identity_groups))
        )
        assert_that(
            tagged,
            equal_to(
                [
                    ("a", "kept", ["religion:christian", "religion:muslim"]),
                    ("b", "kept", []),
                    ("c", "kept", []),
                    ("e", "error", []),
                ]
            ),
            label="default_lexicon",
        )
        coarse = (
            pipeline
            | "docs_again" >> beam.Create(docs[:1])
            | "custom"
            >> beam.ParDo(
                TagIdentityGroups(
                    IdentitySettings(lexicon_path=str(custom), granularity="category")
                )
            )
            | "groups" >> beam.Map(lambda d: d.identity_groups)
        )
        assert_that(coarse, equal_to([["religion"]]), label="custom_lexicon")
