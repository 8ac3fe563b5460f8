import logging
import os
import random
import time
from pathlib import Path

import apache_beam as beam
import pytest
import regex
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from pydantic import ValidationError

from schemas.document import Doc, PiiSpan, Status
from schemas.pii import PATTERN_ENTITIES, PiiSettings, RedactionPolicy
from transforms import pii
from transforms.base import StageError
from transforms.pii import (
    STAGE,
    Finding,
    PiiAnalyzer,
    RedactPII,
    check,
    detect,
    pii_density,
    pseudonym,
    pseudonym_key,
    redact,
    resolve_overlaps,
)

SETTINGS = PiiSettings()
KEY_ENV = "CURATE_PII_TEST_KEY"


@pytest.fixture(scope="module")
def analyzer() -> PiiAnalyzer:
    return PiiAnalyzer(SETTINGS)


def make_doc(text: str, doc_id: str = "d") -> Doc:
    return Doc(id=doc_id, source_uri="u", source_record="r", source_format="jsonl", text=text)


# --- a generated corpus for the identity of the gated and the whole-document runs ------------

WORDS = (
    "the of and to in is that for it as with was on be by this are or from at his her they have "
    "not which one you had were but all can their an has would there been if more when will she "
    "city water house market school report council plan music game team season local"
).split()
CONTEXT = (
    "phone", "Tel:", "call", "fax", "mobile", "office", "SSN", "social security", "contact",
    "hotel", "during", "ringing", "telephone", "Telefon", "card", "iban", "ip", "IPv6",
)  # fmt: skip
# Planted values and near misses of every recognizer, glued to their neighbours in many ways.
VALUES = (
    # e-mail
    "jane.doe@example.com", "a@b.co", "x@y", "first.last+tag@sub.mail.co.uk", "@@", "a@b",
    "name@localhost", "üñî@exämple.de", "mail@@example.com", "foo@bar..com",
    # phone
    "(415) 555-0132", "+1 415 555 0132", "415-555-0132", "415.555.0132", "+44 20 7946 0958",
    "020 7946 0958", "+49 30 901820", "030 901820", "+33 1 42 68 53 00", "01 42 68 53 00",
    "09-7625400", "+55 11 98456 5666", "090-1234-5678", "555-0132", "785 8949", "73 448 266",
    "(88) 684-334", "001-748-088-2851x818", "1-800-555-0199 ext. 12", "+1 (212) 555 0100",
    "212 555 2019", "2019 2020", "(2015-2018)", "2012-02-19 2002", "11/02/2006 - 6",
    "12.05.2020", "1 234 567", "12345678", "0123456789", "+91 98450 12345", "98450 12345",
    "+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "４１５－５５５－０１３２", "tel:+14155550132", "555 0132/99",
    # card
    "4012 8888 8888 1881", "4012-8888-8888-1881", "4012888888881881", "4012 8888 8888 1882",
    "371449635398431", "122000000000003", "5500-0000-0000-0004", "1999 2000 2011 2023",
    # SSN
    "078-05-1120", "078-05-1121", "666-12-3456", "078 05 1121", "078.05.1121", "078051121",
    "12345-6789", "123-456789", "078-05 1121",
    # IBAN
    "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32",
    "gb82west12345698765432", "DE89 3704 0044 0532 0130 01", "COVID19", "XX00 0000 0000",
    # IP
    "10.0.0.1", "192.168.1.254", "256.1.1.1", "1.2.3", "10.0.0.1/24", "::1", "::",
    "fe80::1ff:fe23:4567:890a", "2001:db8:85a3::8a2e:370:7334", "::ffff:192.0.2.128", "12:34:56",
    "10:30", "dead:beef:cafe:babe:dead:beef:cafe:babe", "fe80::1%eth0",
    # wallet
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "1BoatSLRHtKNngkdXEeobR76b53LETtpyX",
    # secrets
    "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPL", "ghp_" + "a1B2" * 9, "ghp_short",
    "github_pat_" + "A1b2_" * 8, "glpat-" + "xY3_" * 5,
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "AIza" + "Sy" + "A1b2C3d4E5" * 3 + "xyz",
    "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "sk-proj-" + "A" * 20 + "T3BlbkFJ" + "B" * 20,
    "npm_" + "a1" * 18, "https://bob:s3cret@db.example.com/x", "ftp://:token@host",
    "ssh://git@github.com", "postgres://admin:p%40ss@10.0.0.5:5432/db",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\nabcdEFGH1234abcdEFGH\n"
    "-----END RSA PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----",
)  # fmt: skip
GLUE = (" ", " ", " ", "", "\n", ", ", ": ", "(", ")", "/", "-", ".", "x", "+", "#", "\t", "\u00a0",
        "é", "_", "'")  # fmt: skip


def generated_docs(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 40)):
            draw = rng.random()
            if draw < 0.3:
                parts.append(rng.choice(VALUES))
            elif draw < 0.4:
                parts.append(rng.choice(CONTEXT))
            elif draw < 0.5:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 12))))
            else:
                parts.append(rng.choice(WORDS))
            parts.append(rng.choice(GLUE))
        docs.append("".join(parts))
    return docs


def test_gated_findings_equal_presidio_over_whole_documents(analyzer: PiiAnalyzer) -> None:
    docs = generated_docs(300, seed=2024)
    differing = [d for d in docs if analyzer.analyze(d) != analyzer.analyze_whole(d)]
    assert differing == []
    # The corpus exercises every recognizer: each entity type is found somewhere.
    found = {f.type for d in docs for f in analyzer.analyze_whole(d)}
    assert found == set(PATTERN_ENTITIES)


def test_gated_findings_equal_with_other_settings() -> None:
    settings = PiiSettings(phone_min_digits=6, phone_regions=("US", "CN", "JP"), min_score=0.1)
    other = PiiAnalyzer(settings)
    docs = generated_docs(80, seed=7)
    assert [d for d in docs if other.analyze(d) != other.analyze_whole(d)] == []


def test_detects_every_planted_entity(analyzer: PiiAnalyzer) -> None:
    text = (
        "Write to jane.doe@example.com or call (415) 555-0132. Card 4111 1111 1111 1111, "
        "IBAN GB82 WEST 1234 5698 7654 32, from 203.0.113.7 and 2001:db8::1.\n"
        "SSN: 078-05-1121. Wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT, key AKIAIOSFODNN7EXAMPLE, "
        "see https://admin:hunter2@db.example.org/x. Office 089 72 63 41.\n"
        "Not PII: 2019-2020, 12/05/2020, 1,234,567, version 1.2.3, call me maybe."
    )
    spans = detect(analyzer, text)
    assert [(s.type, text[s.start : s.end]) for s in spans] == [
        ("EMAIL_ADDRESS", "jane.doe@example.com"),
        ("PHONE_NUMBER", "(415) 555-0132"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("IP_ADDRESS", "203.0.113.7"),
        ("IP_ADDRESS", "2001:db8::1"),
        ("US_SSN", "078-05-1121"),
        ("CRYPTO", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
        ("AWS_ACCESS_KEY", "AKIAIOSFODNN7EXAMPLE"),
        ("URL_CREDENTIALS", "admin:hunter2@db.example.org"),
        ("PHONE_NUMBER", "089 72 63 41"),
    ]


# --- the recognizers' own patterns: one positive and one negative each ----------------------

TOKEN = {
    "github": ("ghp_" + "a1B2" * 9, "ghp_" + "a1B2" * 5),
    "gitlab": ("glpat-" + "xY3_" * 5, "glpat-short"),
    "slack": ("xoxb-123456789012-1234567890123-AbCdEfGhIjKl", "xoxo-123456789012-AbCdEfGhIjKl"),
    "google": ("AIza" + "Sy" + "A1b2C3d4E5" * 3 + "xyz", "AIza" + "Sy" + "A1b2C3d4E5" * 2),
    "stripe": ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "pk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    "openai": ("sk-proj-" + "A" * 20 + "T3BlbkFJ" + "B" * 20, "sk-" + "A" * 48),
    "npm": ("npm_" + "a1" * 18, "npm_" + "a1" * 10),
}


@pytest.mark.parametrize("name", sorted(TOKEN))
def test_api_token_patterns(name: str) -> None:
    pattern = regex.compile(dict(pii.API_TOKEN_PATTERNS)[name])
    positive, negative = TOKEN[name]
    assert pattern.search(f"token: {positive}.").group() == positive
    assert pattern.search(f"token: {negative}.") is None


@pytest.mark.parametrize(
    ("pattern", "positive", "negative"),
    [
        (pii.AWS_ACCESS_KEY_PATTERN, "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLEX"),
        (
            pii.PRIVATE_KEY_PATTERNS[0][1],
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBY\n-----END EC PRIVATE KEY-----",
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZ\n-----END PUBLIC KEY-----",
        ),
        (
            pii.PRIVATE_KEY_PATTERNS[1][1],
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B",
            "-----BEGIN CERTIFICATE-----\nMIIEvQIBADANBgkqhkiG9w0B",
        ),
        (pii.URL_CREDENTIALS_PATTERN, "bob:s3cret@db.example.com", "git@github.com"),
        (pii.SSN_SHAPE, "078 05 1121", "078 05 112"),
        (pii.CARD_SHAPE, "4012-8888-8888-1881", "4012-8888-88"),
    ],
)
def test_patterns(pattern: str, positive: str, negative: str) -> None:
    compiled = regex.compile(pattern, regex.DOTALL)
    assert compiled.search(f"x://{positive} y").group() == positive
    assert compiled.search(f"x://{negative} y") is None


def test_loose_phone_pattern() -> None:
    pattern = regex.compile(pii.LOOSE_PHONE_PATTERN, regex.IGNORECASE)
    assert pattern.search("call 73 448 266 now").group() == "73 448 266"
    assert pattern.search("call (35) 609-270x12 now").group() == "(35) 609-270x12"
    assert pattern.search("code A73-448") is None


def test_digit_clusters_and_dates() -> None:
    cluster = pii._cluster_pattern(7)
    assert [m.group() for m in cluster.finditer("a (415) 555-0132 b 12 34 5 c")] == [
        "415) 555-0132"
    ]
    assert cluster.search("12 34 56") is None
    assert pii.not_a_number("11/02/2006 - 6")
    assert pii.not_a_number("2012-02-19 2002")
    assert not pii.not_a_number("212 555 2019x")
    assert not pii.not_a_number("12 34 56 78")


@pytest.mark.parametrize(
    ("name", "text", "hit"),
    [
        ("digits", "v 10.0.0.1 x", "10.0.0.1"),
        ("digits", "wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "1BoatSLRHtKNngkdXEeobR76b5"),
        ("digits", "DE89 3704", "89"),
        ("colon", "fe80::1", "::"),
        ("colon", "ab:cd:ef", ":cd:"),
        ("underscore", "ghp_abc", "_"),
        ("hyphen", "xoxb-1", "-"),
        ("hyphen", "-----BEGIN KEY", "-----BEGIN"),
        ("capital", "AKIAX", "AKIA"),
    ],
)
def test_gate_passes_find_their_triggers(name: str, text: str, hit: str) -> None:
    passes, _ = pii._passes(7)
    assert getattr(passes, name).search(text).group() == hit


@pytest.mark.parametrize(
    ("name", "text"),
    [("digits", "in 2019, 3.5 stars, 10:30"), ("colon", "Note: 10:30"), ("capital", "A KIA")],
)
def test_gate_passes_skip_ordinary_text(name: str, text: str) -> None:
    passes, _ = pii._passes(7)
    assert getattr(passes, name).search(text) is None


def test_context_words_start_words() -> None:
    pattern = pii._context_pattern(pii.PHONE_CONTEXT)
    assert pii.context_near("Tel: 555 0132", 5, 13, pattern)
    assert not pii.context_near("hotel 555 0132", 6, 14, pattern)
    assert not pii.context_near("phone\n555 0132", 6, 14, pattern)


def test_ordinary_text_has_no_windows(analyzer: PiiAnalyzer) -> None:
    text = "In 2019 the shop sold 1,234 items at $12.99 on 12/05/2020 from 10:30 am. " * 20
    assert analyzer.gate.windows(text) == {}
    assert analyzer.analyze(text) == []


# --- overlaps, redaction, density ---------------------------------------------------------


def test_overlaps_resolve_by_score_then_length_then_start_then_type() -> None:
    findings = [
        Finding(0, 10, "PHONE_NUMBER", 0.4),
        Finding(2, 12, "US_SSN", 0.85),
        Finding(20, 25, "B", 0.5),
        Finding(20, 25, "A", 0.5),
        Finding(30, 34, "X", 0.6),
        Finding(30, 38, "Y", 0.6),
        Finding(40, 44, "Z", 0.6),
        Finding(44, 48, "W", 0.6),
    ]
    assert resolve_overlaps(findings) == [
        PiiSpan("US_SSN", 0, 12),
        PiiSpan("A", 20, 25),
        PiiSpan("Y", 30, 38),
        PiiSpan("Z", 40, 44),
        PiiSpan("W", 44, 48),
    ]


def test_a_number_that_is_both_ssn_and_phone_is_an_ssn_without_phone_context() -> None:
    same_span = [Finding(0, 9, "PHONE_NUMBER", 0.4), Finding(0, 9, "US_SSN", 0.05)]
    assert resolve_overlaps(same_span) == [PiiSpan("US_SSN", 0, 9)]
    with_context = [Finding(0, 9, "PHONE_NUMBER", 0.75), Finding(0, 9, "US_SSN", 0.05)]
    assert resolve_overlaps(with_context) == [PiiSpan("PHONE_NUMBER", 0, 9)]
    wider_phone = [Finding(0, 12, "PHONE_NUMBER", 0.4), Finding(3, 12, "US_SSN", 0.05)]
    assert resolve_overlaps(wider_phone) == [PiiSpan("PHONE_NUMBER", 0, 12)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("078051121", ["US_SSN"]),
        ("078-051121 07805-1121", ["US_SSN", "US_SSN"]),
        ("my SSN: 078051121", ["US_SSN"]),
        ("My driver's license number is 425700624", []),
        ("ZIP 10001-1234", []),
        ("account 078-05-1123", ["US_SSN"]),
        ("call me on 078051121", ["PHONE_NUMBER"]),
    ],
)
def test_weak_ssn_forms(analyzer: PiiAnalyzer, text: str, expected: list[str]) -> None:
    assert [span.type for span in detect(analyzer, text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Unspecified ::", [(12, 14)]),
        ("src=:: dst=::1", [(4, 6), (11, 14)]),
        ("::/0", [(0, 4)]),
        ("listen on ip :: today", [(13, 15)]),
        ("Home :: Blog :: Post", []),
        ("f :: Int -> Int", []),
        ("std::cout", []),
    ],
)
def test_unspecified_address_and_separators(
    analyzer: PiiAnalyzer, text: str, expected: list[tuple[int, int]]
) -> None:
    assert [(s.start, s.end) for s in detect(analyzer, text)] == expected


def test_phone_leniency_reaches_the_matcher() -> None:
    text = "My US number is (415) 555-0132, and my international one is415-555-0132"
    found = {
        leniency: detect(PiiAnalyzer(PiiSettings(phone_leniency=leniency)), text)
        for leniency in (0, 1)
    }
    assert found[1] == [PiiSpan("PHONE_NUMBER", 16, 30)]
    assert found[0] == [PiiSpan("PHONE_NUMBER", 16, 30), PiiSpan("PHONE_NUMBER", 59, 71)]


def test_overlap_group_takes_the_earliest_of_equal_findings() -> None:
    findings = [Finding(5, 9, "T", 1.0), Finding(0, 4, "T", 1.0), Finding(3, 7, "S", 1.0)]
    assert resolve_overlaps(findings) == [PiiSpan("T", 0, 9)]


def test_placeholder_redaction() -> None:
    text = "mail a@b.co now"
    assert redact(text, [PiiSpan("EMAIL_ADDRESS", 5, 11)], SETTINGS, None) == (
        "mail <EMAIL_ADDRESS> now"
    )


def test_pseudonyms_are_keyed_and_consistent() -> None:
    settings = PiiSettings(policies={"EMAIL_ADDRESS": RedactionPolicy.PSEUDONYM})
    text = "a@b.co and a@b.co and c@d.co"
    spans = [PiiSpan("EMAIL_ADDRESS", 0, 6), PiiSpan("EMAIL_ADDRESS", 11, 17)]
    spans.append(PiiSpan("EMAIL_ADDRESS", 22, 28))
    out = redact(text, spans, settings, b"k" * 16)
    first = pseudonym("EMAIL_ADDRESS", "a@b.co", b"k" * 16)
    assert out == f"{first} and {first} and {pseudonym('EMAIL_ADDRESS', 'c@d.co', b'k' * 16)}"
    assert first == "<EMAIL_ADDRESS:8dcdbc4b6b0534ea>"
    assert pseudonym("EMAIL_ADDRESS", "a@b.co", b"j" * 16) != first
    assert len(first) == pii.replacement_length("EMAIL_ADDRESS", settings)


def test_pseudonym_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = PiiSettings(
        policies={"PHONE_NUMBER": RedactionPolicy.PSEUDONYM}, pseudonym_key_env=KEY_ENV
    )
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(StageError, match=f"environment variable {KEY_ENV}, which is not set"):
        pseudonym_key(settings)
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(StageError, match="shorter than 16 characters") as error:
        pseudonym_key(settings)
    assert "short" not in str(error.value).replace("shorter", "")
    monkeypatch.setenv(KEY_ENV, "0123456789abcdef")
    assert pseudonym_key(settings) == b"0123456789abcdef"
    assert pseudonym_key(SETTINGS) is None


def test_drop_policy_rejects_dense_documents(analyzer: PiiAnalyzer) -> None:
    settings = PiiSettings(policies={"EMAIL_ADDRESS": RedactionPolicy.DROP}, max_density=2.0)
    sparse = make_doc("Write to jane.doe@example.com about the plan. " + "More words here. " * 60)
    dense = make_doc("a1@example.com b2@example.com c3@example.com, the team list. " * 3)
    for doc in (sparse, dense):
        doc.pii_spans = detect(analyzer, doc.text)
        doc.text = redact(doc.text, doc.pii_spans, settings, None)
    assert pii.original_length(sparse, settings) == 1066
    assert pii_density(sparse, settings) == pytest.approx(1000 / 1066)
    assert check(sparse, settings) == []
    assert pii_density(dense, settings) == pytest.approx(9000 / 183)
    assert check(dense, settings) == ["pii_density"]
    assert "example.com" not in dense.text
    assert check(dense, SETTINGS) == []


# --- bad input ----------------------------------------------------------------------------

PATHOLOGICAL = {
    "megabyte line of digits": lambda rng: "".join(rng.choice("0123456789") for _ in range(10**6)),
    "repeated @": lambda rng: "@" * 100_000,
    "nested punctuation": lambda rng: "([{<" * 100_000 + "555-0132" + ">}])" * 100_000,
    "megabyte of hex": lambda rng: "".join(rng.choice("0123456789abcdef") for _ in range(10**6)),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_finishes_in_bounded_time(analyzer: PiiAnalyzer, name: str) -> None:
    text = PATHOLOGICAL[name](random.Random(0))
    started = time.process_time()
    detect(analyzer, text)
    assert time.process_time() - started < 2.0


def test_many_phone_candidates_are_all_reported_as_phones(analyzer: PiiAnalyzer) -> None:
    # More segments for the phone matcher than it is given in one document: every number
    # that would have gone to it is a phone number.
    text = " bb ".join(f"555-{i:04d}" for i in range(pii.MAX_PHONE_SEGMENTS + 100))
    phones = [f for f in analyzer.analyze(text) if f.type == "PHONE_NUMBER"]
    assert len(phones) == pii.MAX_PHONE_SEGMENTS + 100
    assert {text[f.start : f.end] for f in phones} == {f"555-{i:04d}" for i in range(600)}


# --- settings, NER ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"entities": ("EMAIL", "PHONE_NUMBER")},
        {"entities": ()},
        {"phone_regions": ("XX",)},
        {"policies": {"PERSON": "drop"}},
        {"min_score": 0.0},
        {"pseudonym_key_env": "not a name"},
        {"unknown": 1},
    ],
)
def test_settings_reject_bad_values(fields: dict) -> None:
    with pytest.raises(ValidationError):
        PiiSettings(**fields)


def test_ner_entities_from_an_installed_pipeline(tmp_path: Path) -> None:
    import spacy

    # A rule-based pipeline saved to disk stands in for a trained NER model: same loading path,
    # nothing to download.
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Ada Lovelace"}])  # type: ignore[attr-defined]
    nlp.to_disk(tmp_path / "pipeline")
    ner = PiiAnalyzer(PiiSettings(ner_model=str(tmp_path / "pipeline")))
    text = "Ada Lovelace wrote to jane.doe@example.com from 10.0.0.1."
    assert ner.analyze(text) == ner.analyze_whole(text)
    assert detect(ner, text) == [
        PiiSpan("PERSON", 0, 12),
        PiiSpan("EMAIL_ADDRESS", 22, 42),
        PiiSpan("IP_ADDRESS", 48, 56),
    ]


def test_missing_ner_pipeline_is_named() -> None:
    settings = PiiSettings(ner_model="en_no_such_pipeline")
    with pytest.raises(StageError, match=r"pii\.ner_model: the spaCy pipeline 'en_no_such"):
        PiiAnalyzer(settings)


# --- the Beam step ------------------------------------------------------------------------


def test_redact_pii_in_a_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "a-test-key-of-24-chars!!")
    settings = PiiSettings(
        policies={"PHONE_NUMBER": RedactionPolicy.PSEUDONYM}, pseudonym_key_env=KEY_ENV
    )
    broken = make_doc("call (415) 555-0132", "e")
    broken.fail("read", "bad record")
    docs = [
        make_doc("Mail jane.doe@example.com or call (415) 555-0132.", "a"),
        make_doc("Nothing to see here.", "b"),
        broken,
    ]
    phone = pseudonym("PHONE_NUMBER", "(415) 555-0132", b"a-test-key-of-24-chars!!")
    pipeline = TestPipeline(runner=FnApiRunner())
    out = (
        pipeline
        | beam.Create(docs)
        | beam.ParDo(RedactPII(settings))
        | beam.Map(lambda d: (d.id, d.status.value, d.text, tuple(d.pii_spans)))
    )
    assert_that(
        out,
        equal_to(
            [
                (
                    "a",
                    "kept",
                    f"Mail <EMAIL_ADDRESS> or call {phone}.",
                    (PiiSpan("EMAIL_ADDRESS", 5, 25), PiiSpan("PHONE_NUMBER", 34, 48)),
                ),
                ("b", "kept", "Nothing to see here.", ()),
                ("e", "error", "call (415) 555-0132", ()),
            ]
        ),
    )
    result = pipeline.run()
    result.wait_until_finish()
    counters = result.metrics().query(MetricsFilter().with_namespace(STAGE))["counters"]
    assert {c.key.metric.name: c.committed for c in counters} == {
        "entities_EMAIL_ADDRESS": 1,
        "entities_PHONE_NUMBER": 1,
    }


def test_a_failing_document_becomes_an_error_without_its_text() -> None:
    fn = RedactPII(SETTINGS)
    fn.setup()
    fn.start_bundle()
    doc = make_doc(None)  # type: ignore[arg-type]
    [out] = list(fn.process(doc))
    assert (out.status, out.stage, out.reason) == (Status.ERROR, "pii", "unexpected TypeError")


def test_setup_fails_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    settings = PiiSettings(default_policy=RedactionPolicy.PSEUDONYM, pseudonym_key_env=KEY_ENV)
    with pytest.raises(StageError, match=KEY_ENV):
        RedactPII(settings).setup()


def test_key_is_not_pickled_with_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    monkeypatch.setenv(KEY_ENV, "the-secret-pii-key-123")
    settings = PiiSettings(default_policy=RedactionPolicy.PSEUDONYM, pseudonym_key_env=KEY_ENV)
    fn = RedactPII(settings)
    assert b"the-secret-pii-key-123" not in pickle.dumps(fn)
    assert os.environ[KEY_ENV] == "the-secret-pii-key-123"


def test_presidio_log_records_do_not_quote_text(
    analyzer: PiiAnalyzer, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("presidio-analyzer")
    with caplog.at_level(logging.ERROR, logger="presidio-analyzer"):
        logger.error("Failed to validate text %s", "DE89 3704 0044 0532 0130 00")
    assert caplog.messages == ["Failed to validate text %s (values withheld)"]
