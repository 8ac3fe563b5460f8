import random
from pathlib import Path

import pytest

from schemas.config import ConfigError, CurateConfig
from schemas.document import Doc
from schemas.quality import RULE_GROUPS, QualitySettings, QualityThresholds
from transforms import quality
from transforms.quality import (
    SKIPPED_NO_SETTINGS,
    c4_clean,
    check,
    check_with,
    language_table,
    ngram_repetition,
    quality_signals,
    score,
    tokens_of,
)

SETTINGS = CurateConfig().quality
EN = language_table(SETTINGS).thresholds["en"]
PROSE = "\n".join(
    [
        "A Walk Along the River",
        "The river runs past the old mill and the children walk along it every morning.",
        "In spring the water rises, and the miller opens the gates to let it through.",
        "Herons wait on the far bank with their necks folded, watching the shallows for fish.",
        "By summer the meadow beside the path is full of clover, and bees work it all day long.",
        "Most evenings a few neighbours stop at the bridge to talk about the weather and prices.",
        "When autumn comes, the leaves collect in the mill race until somebody rakes them out.",
    ]
)


def scored(text: str, language: str = "en", settings: QualitySettings = SETTINGS) -> Doc:
    doc = Doc(id="x", source_uri="u", source_record="r", source_format="jsonl", text=text)
    doc.language = language
    score(doc, settings, language_table(settings))
    return doc


def reasons(text: str, thresholds: QualityThresholds = EN) -> list[str]:
    doc = scored(text)
    return check_with(doc, thresholds, RULE_GROUPS)


def test_signals_of_plain_prose() -> None:
    signals = quality_signals("One two three.\nFour #five ...", EN, frozenset(EN.stop_words))
    assert {k: signals[k] for k in list(signals)[:7]} == {
        "char_count": 29,
        "word_count": 6,
        "line_count": 2,
        "mean_word_length": 4.0,
        "alpha_word_ratio": 0.8333,
        # Gopher: '#' and ellipses are measured separately; the larger ratio is kept.
        "symbol_word_ratio": 0.1667,
        "stop_word_count": 0,
    }
    assert signals["ellipsis_line_ratio"] == 0.5
    # FineWeb (as datatrove) counts a line ending in "..." as ending in punctuation.
    assert signals["fineweb_line_punct_ratio"] == 1.0


def test_cjk_characters_count_as_words_but_not_in_mean_length() -> None:
    signals = quality_signals("東京 abcd efgh ijkl", EN, None)
    assert signals["word_count"] == 5
    assert signals["mean_word_length"] == 4.0
    # Mostly CJK: word length is meaningless, so the rule does not apply.
    japanese = quality_signals("東京は晴れ。気温は21度です。", EN, None)
    assert japanese["word_count"] == 12
    assert japanese["mean_word_length"] is None
    assert japanese["alpha_word_ratio"] == 0.9167
    assert japanese["stop_word_count"] is None


def test_good_prose_passes_every_rule() -> None:
    assert reasons(PROSE) == []
    assert check(scored(PROSE), SETTINGS) == []


STOPLESS = "\n".join(
    f"Fresh green apples, ripe pears, plums, figs: box {i} costs little." for i in range(8)
)
BULLETS = "\n".join(f"\u2022 Item number {i} on the list of things to pack." for i in range(60))
ELLIPSES = "\n".join(
    f"The story goes on and on and the reader waits for line {i} ..." for i in range(10)
)


@pytest.mark.parametrize(
    ("text", "reason", "thresholds"),
    [
        # Gopher quality
        ("Too short to be a page. It ends here.", "too_few_words", EN),
        (PROSE, "too_many_words", EN.model_copy(update={"max_words": 10})),
        (PROSE + "\n" + "a b c d e f g h i j. " * 30, "mean_word_length", EN),
        (PROSE + "\n" + "Supercalifragilisticexpialidocious. " * 80, "mean_word_length", EN),
        (PROSE + "\nTags: " + " ".join(f"#tag{i}" for i in range(20)) + ".", "symbol_ratio", EN),
        (BULLETS, "bullet_lines", EN),
        (ELLIPSES, "ellipsis_lines", EN),
        (PROSE + "\nFigures: " + " ".join(str(i) for i in range(40)) + ".", "alpha_word_ratio", EN),
        (STOPLESS, "few_stop_words", EN),
        # Gopher repetition
        (PROSE + ("\nBuy the best boots in town today." * 6), "dup_lines", EN),
        (PROSE + ("\n\nBuy the best boots in town today." * 6), "dup_paragraphs", EN),
        (
            PROSE + ("\nBuy the best boots in town today, and buy them now." * 6),
            "dup_line_chars",
            EN,
        ),
        (
            PROSE + ("\n\nBuy the best boots in town, and buy them now." * 6),
            "dup_paragraph_chars",
            EN,
        ),
        (PROSE + "\n" + "boots boots " * 60 + ".", "top_2gram", EN),
        (PROSE + "\n" + "red boots on sale " * 40 + ".", "top_3gram", EN),
        (PROSE + "\n" + "red boots for sale now " * 40 + ".", "top_4gram", EN),
        (
            PROSE + "\n" + " ".join(f"{w}" for w in "one two three four five".split() * 20),
            "dup_5gram",
            EN,
        ),
        (PROSE + "\n" + " ".join("a1 b2 c3 d4 e5 f6 g7 h8 i9 j10".split() * 8), "dup_10gram", EN),
        # C4
        ("\n".join(line.rstrip(".") for line in PROSE.split("\n")), "c4_too_few_sentences", EN),
        (
            PROSE + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.",
            "c4_lorem_ipsum",
            EN,
        ),
        (PROSE + "\nThe template says { name } in the middle.", "c4_curly_bracket", EN),
        # FineWeb
        (
            "\n".join(line.rstrip(".,") + " and more" for line in PROSE.split("\n")),
            "fineweb_line_punct_ratio",
            EN,
        ),
        (
            PROSE + "\n" + "\n".join(f"Short line {i}." for i in range(20)),
            "fineweb_short_line_ratio",
            EN,
        ),
        (
            PROSE
            + "\nShare this story with a friend today.\nShare this story with a friend today.",
            "fineweb_char_dup_ratio",
            EN,
        ),
        (PROSE.replace(" ", "\n", 40), "fineweb_list_ratio", EN),
    ],
)
def test_each_rule_fails_its_example(text: str, reason: str, thresholds: QualityThresholds) -> None:
    assert reason in reasons(text, thresholds)
    # ... and the prose the example is built on passes that rule.
    assert reason not in reasons(PROSE, EN)


def test_repetition_counts_only_later_occurrences_once() -> None:
    tokens = "a b c d e x a b c d e".split()
    measured = ngram_repetition(tokens)
    # The second "a b c d e" is the only duplicate 5-gram: 5 characters of 11.
    assert measured["dup_5"] == 5
    assert measured["dup_6"] == 0
    # The most frequent 2-gram ("a b", twice; ties go to the longest) covers 2 x 2 characters.
    assert measured["top_2"] == 4
    assert ngram_repetition(["x"]) == dict.fromkeys(measured, 0)


@pytest.mark.parametrize("size", [0, 1, 2, 7, 40, 300, 700])
def test_both_repetition_versions_agree(size: int) -> None:
    rng = random.Random(size)
    for vocabulary in ("a b c".split(), "a bb c dd e f gg h".split(), [*"若葉台の運河沿い"]):
        for _ in range(30):
            tokens = [rng.choice(vocabulary) for _ in range(size)]
            # Repeated runs, as templated pages have, so long n-grams repeat too.
            if tokens:
                start = rng.randrange(len(tokens))
                tokens += tokens[start : start + rng.randint(1, 15)] * rng.randint(1, 3)
            expected = quality._ngram_repetition_few(tokens)
            assert quality._ngram_repetition_vectorised(tokens) == expected, tokens


def test_c4_line_cleaning_follows_c4_utils() -> None:
    text = "\n".join(
        [
            "Welcome",  # no terminal punctuation
            "Too short.",  # fewer than three words
            "Please enable JavaScript to view this page properly.",
            "Read our privacy policy before you sign up today.",
            "The mill was built in 1820 [1] and rebuilt after the flood.",
            "It still grinds flour. Visitors can watch on Sundays!",
            "A story that trails off...",
        ]
    )
    cleaned = c4_clean(text, EN)
    assert cleaned.kept == [
        "The mill was built in 1820  and rebuilt after the flood.",
        "It still grinds flour. Visitors can watch on Sundays!",
    ]
    assert cleaned.lines_removed == 5
    assert cleaned.sentences == 3
    assert cleaned.chars_removed == len(text) - len("\n".join(cleaned.kept))
    assert not cleaned.lorem_ipsum and not cleaned.curly_bracket


def test_line_cleaning_is_off_by_default_and_recorded_when_on() -> None:
    text = PROSE + "\nPlease enable javascript to see the map of the river."
    doc = scored(text)
    assert doc.text == text
    assert (doc.c4_lines_removed, doc.c4_text_cleaned) == (2, False)  # title + javascript
    cleaning = SETTINGS.model_copy(update={"clean_lines": True})
    doc = scored(text, settings=cleaning)
    assert doc.c4_text_cleaned is True
    assert doc.text == "\n".join(PROSE.split("\n")[1:])
    assert doc.c4_chars_removed == len(text) - len(doc.text)


def test_languages_without_settings_pass_with_a_reason() -> None:
    junk = "Too short."
    doc = scored(junk, language="sw")
    assert doc.quality_skipped_reason == SKIPPED_NO_SETTINGS
    assert doc.word_count == 2 and doc.stop_word_count is None
    assert check(doc, SETTINGS) == []
    assert check(scored(junk), SETTINGS) != []


def test_language_files_override_thresholds() -> None:
    table = language_table(SETTINGS)
    assert set(table.thresholds) >= {"en", "de", "fr", "es", "it", "nl", "pt", "pl", "ru", "ja"}
    japanese = table.thresholds["ja"]
    assert "。" in japanese.terminal_punctuation
    assert japanese.max_dup_5gram_char_ratio == 1.0
    # The base values come from the quality section, so --set still reaches every language.
    lowered = SETTINGS.model_copy(update={"min_words": 7})
    assert language_table(lowered).thresholds["de"].min_words == 7


def test_japanese_sentences_are_counted() -> None:
    line = "東京は晴れです。気温は二十一度でした。明日も晴れるでしょう。"
    ja = language_table(SETTINGS).thresholds["ja"]
    assert c4_clean(line, ja).sentences == 3
    assert c4_clean(line, EN).kept == []


def test_bad_language_file_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("stop_words: [the]\nmin_wrds: 3\n")
    settings = QualitySettings(languages_dir=str(tmp_path))
    with pytest.raises(ConfigError, match=r"en.yaml: unknown key 'min_wrds'"):
        language_table(settings)
    with pytest.raises(ConfigError, match="is not a directory"):
        language_table(QualitySettings(languages_dir=str(tmp_path / "missing")))


def test_tokens_are_lowercased() -> None:
    assert tokens_of("The Mill") == (["the", "mill"], 0)


def test_pii_offsets_refer_to_the_cleaned_text_when_lines_are_cleaned() -> None:
    from schemas.pii import PiiSettings
    from transforms.pii import RedactPII

    contact = "For questions about the mill, write to miller@example.org any day of the week."
    text = "Menu\nHome\n" + PROSE + "\n" + contact
    doc = scored(text, settings=SETTINGS.model_copy(update={"clean_lines": True}))
    cleaned = doc.text
    assert doc.c4_text_cleaned and not cleaned.startswith("Menu")
    redact = RedactPII(PiiSettings())
    redact.setup()
    redact.start_bundle()
    [out] = list(redact.process(doc))
    [span] = [s for s in out.pii_spans if s.type == "EMAIL_ADDRESS"]
    # The offsets index the text the PII stage received: the cleaned text, not the extracted one.
    assert cleaned[span.start : span.end] == "miller@example.org"
    assert text[span.start : span.end] != "miller@example.org"
