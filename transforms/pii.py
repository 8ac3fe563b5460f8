"""PII redaction: find personal data and secrets with presidio, then take them out of the text.

Reads: `text`. Writes: `pii_spans` (type, start, end in the text *before* redaction, sorted,
never the value) and `text` (the redacted text). Drop reason: `pii_density`, for documents in
which entity types with the `drop` policy are denser than `max_density` per 1,000 characters.

Detection is presidio's `AnalyzerEngine` with the `no_op` NLP engine (no spaCy model, nothing
downloaded) and an explicit registry of pattern recognizers: e-mail, phone (python-phonenumbers,
configurable regions), credit card (Luhn), IBAN (checksum), IPv4/IPv6, US SSN, Bitcoin wallet
addresses, and this module's recognizers for secrets: AWS access key ids, API tokens (GitHub,
GitLab, Slack, Google, Stripe, OpenAI, npm), PEM private-key blocks and credentials in URLs.
An installed spaCy pipeline named in the settings adds NER entities (PERSON, LOCATION, ...).

Presidio over a whole document runs at about 1 MB/s or less. The stage instead runs a candidate
gate: a few single-purpose regex passes find the characters every match must contain (an '@',
a run of digits, '::', a token prefix, ...); each recognizer family then sees only the maximal
runs of the characters its matches can be made of ("segments") that hold such a trigger, plus
enough context on both sides. Because no match can cross a segment boundary, and lookarounds and
context words reach less than the padding, the findings are exactly those of the same
recognizers over the whole document; `tests/transforms/test_pii.py` checks this span for span,
and docs/pii.md gives the argument in full. The one exception bounds the time of pathological
text: with more than `MAX_PHONE_SEGMENTS` candidates for the phone matcher in one document,
every candidate number is reported as a phone number instead.

Overlapping findings are resolved deterministically (highest score, then longest, then
earliest, then type name); the kept type's span is widened to the whole overlapping group, so
no character of any finding stays in the text.

Version history: 1 - presidio pattern recognizers behind a candidate gate; placeholder,
pseudonym and drop policies; optional spaCy NER.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import apache_beam as beam
import regex

from schemas.document import Doc, PiiSpan
from schemas.pii import (
    API_TOKEN,
    AWS_ACCESS_KEY,
    CREDIT_CARD,
    CRYPTO,
    EMAIL_ADDRESS,
    IBAN_CODE,
    IP_ADDRESS,
    PHONE_NUMBER,
    PRIVATE_KEY,
    URL_CREDENTIALS,
    US_SSN,
    PiiSettings,
    RedactionPolicy,
)
from transforms.base import AnnotateDocs, StageError

STAGE = "pii"
VERSION = "1"


class DropReason(StrEnum):
    PII_DENSITY = "pii_density"


# Context words are looked for on the same line, this many characters before and after a
# match. A fixed character reach (not presidio's "five words") is what lets the gate prove that
# a window holds all the context a whole-document run would have seen.
CONTEXT_BEFORE = 48
CONTEXT_AFTER = 32
# presidio's LemmaContextAwareEnhancer defaults: add 0.35, and at least 0.4 with context.
CONTEXT_FACTOR = 0.35
CONTEXT_MIN_SCORE = 0.4
# Characters of text given to a recognizer on each side of a candidate segment: more than the
# context reach and the widest lookaround of any pattern (one character for \b).
WINDOW_PAD = 64
# Failed phone candidates tried per segment before the phone matcher gives up on it
# (python-phonenumbers allows 65,535 per call, which lets a line of digits take seconds).
PHONE_MAX_TRIES = 64
# Beyond this many candidate segments for the phone matcher in one document, every candidate
# number is reported as a phone number instead (see `PiiAnalyzer.analyze`).
MAX_PHONE_SEGMENTS = 500
PSEUDONYM_HEX = 16
MIN_KEY_LENGTH = 16

PHONE_CONTEXT = (
    "phone", "tel", "mobile", "cell", "call", "fax", "contact", "whatsapp", "sms", "dial",
    "reach", "ring", "answer", "office", "landline", "hotline", "helpline",
)  # fmt: skip
SSN_CONTEXT = ("ssn", "social security", "soc sec")
# Words that name another identifier. A number in one of the SSN's weak forms (bare 9 digits,
# 5-4, 3-6) next to one of them is that identifier (a driver's licence or account number, a
# ZIP+4 code), not an SSN; an SSN context word or the 3-2-4 form still makes it an SSN.
OTHER_ID_CONTEXT = (
    "licen", "driver", "passport", "account", "acct", "routing", "order", "invoice",
    "tracking", "zip", "postal", "isbn", "serial", "member", "customer", "ticket", "policy",
    "reference",
)  # fmt: skip
# presidio's own context words for IP addresses; whole words only ("ip" starts "iphone").
IP_CONTEXT = ("ip", "ipv4", "ipv6")
# The four non-ASCII letters that `re` matches against ASCII letters when ignoring case.
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


# --- patterns -------------------------------------------------------------------------------------

# Case-sensitive patterns (presidio's default flags add IGNORECASE).
_EXACT = regex.DOTALL | regex.MULTILINE
_IGNORECASE = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE

API_TOKEN_PATTERNS = (
    ("github", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})\b"),
    ("gitlab", r"\bglpat-[A-Za-z0-9_\-]{20,50}(?![A-Za-z0-9_\-])"),
    ("slack", r"\bxox[abprs]-(?:[0-9A-Za-z]{2,40}-){1,3}[0-9A-Za-z]{8,64}\b"),
    ("google", r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])"),
    ("stripe", r"\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,247}\b"),
    ("openai", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,200}"
               r"T3BlbkFJ[A-Za-z0-9_\-]{16,200}(?![A-Za-z0-9_\-])"),
    ("npm", r"\bnpm_[A-Za-z0-9]{36}\b"),
)  # fmt: skip
AWS_ACCESS_KEY_PATTERN = r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"
# A PEM private-key block; the body may not contain "-----", so an unterminated block ends the
# search at the next header instead of scanning the rest of the document. A header followed by
# base64 lines but no END line (a truncated paste) is caught by the second pattern.
PRIVATE_KEY_PATTERNS = (
    ("pem block", r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
                  r"(?:[A-Za-z0-9+/=\s:,.\\]|-(?!----))*?"
                  r"-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"),
    ("pem header", r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
                   r"(?:\s{0,4}[A-Za-z0-9+/=]{16,})*"),
)  # fmt: skip
# user:password@host after a URL scheme. The span starts after "://" and takes in the host, so
# an e-mail-looking "password@host" inside it is covered by the credentials finding.
URL_CREDENTIALS_PATTERN = (
    r"(?<=\b[A-Za-z][A-Za-z0-9+.\-]{0,30}://)"
    r"[^\s:/?#@\[\]\"'<>]{0,128}:[^\s/?#@\[\]\"'<>]{1,256}@[^\s/?#@\"'<>]{1,253}"
)
# A phone number written as digit groups, for numbers python-phonenumbers does not accept
# (unassigned area codes, regions not configured, unusual grouping). It counts only with a
# phone context word next to it: without one its results are dropped.
LOOSE_PHONE_PATTERN = (
    r"(?<![\w+\-.(])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,8}(?:[ .\-]\d{1,8}){0,5}"
    r"(?:[ ]?(?:x|ext\.?)[ ]?\d{1,6})?(?!\w)(?![.\-]\d)"
)
LOOSE_PHONE_SCORE = 0.05
# A "::" with a space before it and a space and a letter after it.
SEPARATOR_COLONS = re.compile(r"\s::[ \t]+[^\W\d_]")
# presidio's score for an SSN written 3-2-4 with separators; its other forms score lower.
SSN_SEPARATED_SCORE = 0.5
# Dates, years and ranges of years are the most common long digit clusters of web text
# ("11/02/2006 - 6", "2012-02-19 2002", "2015-2018"). A cluster made only of such tokens,
# small numbers, decimals and version numbers is not a phone number.
_YEAR = r"(?:1[89]|20)[0-9]{2}"
_CALENDAR = re.compile(
    rf"[0-9]{{4}}[-./][0-9]{{1,2}}[-./][0-9]{{1,2}}|[0-9]{{1,2}}[-./][0-9]{{1,2}}[-./][0-9]{{2,4}}"
    rf"|{_YEAR}(?:[-/]{_YEAR}|[-/][0-9]{{2}})?"
)
_FILLER = re.compile(r"[0-9]{1,2}|[0-9]{1,4}\.[0-9]{1,2}|[0-9]{1,2}(?:\.[0-9]{1,2}){2,3}|\W+")
# Digits of presidio's SSN patterns (3-2-4 with separators, 5-4, 3-6, 9 in a row) and of its
# card pattern (4, 3-4, 3-4, 3-5 with optional single separators), without the boundaries:
# every match of those recognizers contains one of these.
SSN_SHAPE = r"[0-9]{3}[- .][0-9]{2}[- .][0-9]{4}|[0-9]{5}-[0-9]{4}|[0-9]{3}-[0-9]{6}|[0-9]{9}"
CARD_SHAPE = r"\d{4}[- ]?\d{3,4}[- ]?\d{3,4}[- ]?\d{3,5}"
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?)[ ]?\d{1,6}$", re.IGNORECASE)


# --- findings, overlap resolution, redaction ------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One recognizer result: entity type, offsets in the analysed text, confidence."""

    start: int
    end: int
    type: str
    score: float


def _rank(finding: Finding) -> tuple[float, int, int, str]:
    return (-finding.score, -(finding.end - finding.start), finding.start, finding.type)


def resolve_overlaps(findings: Iterable[Finding]) -> list[PiiSpan]:
    """Non-overlapping spans, sorted: one per group of (transitively) overlapping findings.

    The group's type is that of its best finding (highest score, then longest, then earliest,
    then type name); its span covers the whole group, so redacting it leaves no part of any
    finding behind.
    """
    spans: list[PiiSpan] = []
    group: list[Finding] = []
    group_end = -1
    for finding in sorted(findings):
        if group and finding.start >= group_end:
            spans.append(_merge(group))
            group = []
        group.append(finding)
        group_end = max(group_end, finding.end) if len(group) > 1 else finding.end
    if group:
        spans.append(_merge(group))
    return spans


def _merge(group: list[Finding]) -> PiiSpan:
    best = min(group, key=_rank)
    if best.type == PHONE_NUMBER and best.score < CONTEXT_FACTOR + CONTEXT_MIN_SCORE:
        # A number that is both a valid SSN and a valid phone number, with no phone context
        # word near it, is an SSN: redacted either way, but typed as the likelier identifier.
        for finding in group:
            if finding.type == US_SSN and (finding.start, finding.end) == (best.start, best.end):
                best = finding
                break
    return PiiSpan(best.type, min(f.start for f in group), max(f.end for f in group))


def pseudonym(entity_type: str, value: str, key: bytes) -> str:
    digest = hmac.new(key, f"{entity_type}\x1f{value}".encode(), hashlib.sha256).hexdigest()
    return f"<{entity_type}:{digest[:PSEUDONYM_HEX]}>"


def replacement_length(entity_type: str, settings: PiiSettings) -> int:
    """Length of what replaces a value of this type (fixed per type and policy)."""
    if settings.policy(entity_type) is RedactionPolicy.PSEUDONYM:
        return len(entity_type) + PSEUDONYM_HEX + 3
    return len(entity_type) + 2


def redact(text: str, spans: Sequence[PiiSpan], settings: PiiSettings, key: bytes | None) -> str:
    """The text with every span replaced according to its type's policy.

    `spans` must be sorted and non-overlapping (as `resolve_overlaps` returns them). Values of
    drop-policy types are replaced by placeholders: whether the document is dropped is decided
    later, and a kept document must not carry them.
    """
    parts: list[str] = []
    position = 0
    for span in spans:
        parts.append(text[position : span.start])
        if settings.policy(span.type) is RedactionPolicy.PSEUDONYM:
            if key is None:
                raise StageError("pii: the pseudonym policy needs a key, and none was loaded")
            parts.append(pseudonym(span.type, text[span.start : span.end], key))
        else:
            parts.append(f"<{span.type}>")
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def original_length(doc: Doc, settings: PiiSettings) -> int:
    """Length of the document's text before redaction, recomputed from the redacted text."""
    removed = sum(span.end - span.start for span in doc.pii_spans)
    added = sum(replacement_length(span.type, settings) for span in doc.pii_spans)
    return len(doc.text) - added + removed


def pii_density(doc: Doc, settings: PiiSettings) -> float:
    """Entities of drop-policy types per 1,000 characters of the text before redaction."""
    count = sum(1 for s in doc.pii_spans if settings.policy(s.type) is RedactionPolicy.DROP)
    if count == 0:
        return 0.0
    return 1000.0 * count / max(original_length(doc, settings), 1)


def check(doc: Doc, settings: PiiSettings) -> list[str]:
    if pii_density(doc, settings) > settings.max_density:
        return [DropReason.PII_DENSITY.value]
    return []


def pseudonym_key(settings: PiiSettings) -> bytes | None:
    """The pseudonym key from the environment, or None when no type uses that policy.

    Raises `StageError` naming the variable (never its value) when the key is needed and
    missing or too short.
    """
    if not settings.uses(RedactionPolicy.PSEUDONYM):
        return None
    value = os.environ.get(settings.pseudonym_key_env, "")
    if len(value) < MIN_KEY_LENGTH:
        state = "is not set" if not value else f"is shorter than {MIN_KEY_LENGTH} characters"
        raise StageError(
            f"pii: the pseudonym policy needs a secret key in the environment variable "
            f"{settings.pseudonym_key_env}, which {state}."
        )
    return value.encode()


# --- context --------------------------------------------------------------------------------------


def _context_pattern(words: Sequence[str], whole: bool = False) -> re.Pattern[str]:
    # A context word must start a word: "tel" is context in "telephone", not in "hotel".
    end = r"\b" if whole else ""
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"\b(?:{alternatives}){end}", re.IGNORECASE)


def context_near(text: str, start: int, end: int, pattern: re.Pattern[str]) -> bool:
    """Whether a context word occurs on the same line just before or after `text[start:end]`.

    The word must lie within the `CONTEXT_BEFORE` characters before the match or the
    `CONTEXT_AFTER` characters after it; word boundaries are those of the whole text.
    """
    low = max(0, start - CONTEXT_BEFORE)
    low = max(low, text.rfind("\n", low, start) + 1)
    high = min(len(text), end + CONTEXT_AFTER)
    newline = text.find("\n", end, high)
    if newline >= 0:
        high = newline
    return (
        pattern.search(text, low, start) is not None or pattern.search(text, end, high) is not None
    )


def context_around(text: str, start: int, end: int, words: Sequence[str], reach: int) -> bool:
    """Whether one of `words` starts a word, in any case, on the line of the digit cluster
    `text[start:end]`, within `reach` before or after it.

    With `reach` at least 8 beyond `CONTEXT_BEFORE` and 16 beyond `CONTEXT_AFTER`, this holds
    whenever `context_near` holds for a match that starts at most 8 characters before the
    cluster's start and ends at most 16 after its end, or that lies inside the cluster: no
    word fits inside a digit cluster, so a match deep inside a long one has no context.
    """
    low = max(0, start - reach)
    low = max(low, text.rfind("\n", low, start) + 1)
    high = min(len(text), end + reach)
    newline = text.find("\n", end, high)
    if newline >= 0:
        high = newline
    return _word_in(text, low, start, words) or _word_in(text, end, high, words)


def _word_in(text: str, low: int, high: int, words: Sequence[str]) -> bool:
    # Folding keeps positions: the four letters become one ASCII letter each, and no other
    # character lowers to more than one.
    span = text[low:high].translate(_ASCII_FOLD).lower()
    for word in words:
        found = span.find(word)
        while found >= 0:
            # A word start, as `\b` sees it in the whole text (`re` counts a character as a
            # word character when str.isalnum() holds, and '_').
            before = text[low + found - 1] if low + found > 0 else " "
            if not (before.isalnum() or before == "_"):
                return True
            found = span.find(word, found + 1)
    return False


# --- character classes ----------------------------------------------------------------------------
# The gate's segment classes must contain every character a match can hold, under the Unicode
# tables of the regex engine the recognizer uses: `regex` for presidio's patterns, `re` for
# python-phonenumbers. They are computed once per process from both engines.


@functools.cache
def _all_characters() -> str:
    return "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))


def _matching(pattern: str, engine: Any = re, flags: int = 0) -> set[str]:
    return set(engine.findall(pattern, _all_characters(), flags))


def _class_body(characters: Iterable[str]) -> str:
    points = sorted({ord(c) for c in characters})
    parts = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        first, last = _escape(points[i]), _escape(points[j])
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(parts)


def _escape(point: int) -> str:
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


@functools.cache
def _char_classes() -> SimpleNamespace:
    from phonenumbers import phonenumbermatcher, phonenumberutil

    # A digit for python-phonenumbers (`re`) or presidio (`regex`): `regex`'s \d, whose Unicode
    # tables are newer, plus whatever only `re` counts as a digit (nothing, today). Spelled
    # with \d because the `regex` module tests large explicit classes slowly.
    only_re = _matching(r"\d", re) - _matching(r"\d", regex)
    digits = _matching(r"\d", re) | _matching(r"\d", regex)
    # Characters between the digits of one phone number: python-phonenumbers' punctuation and
    # leading characters (it matches case-insensitively, so 'x' brings 'X'), which include the
    # separators of card numbers and SSNs.
    punctuation = "[" + phonenumberutil._VALID_PUNCTUATION + "]"
    gaps = _matching(punctuation, re, re.I) | _matching(phonenumbermatcher._LEAD_CLASS, re, re.I)
    # Everything a phone candidate can contain: digits, punctuation and the extension part
    # (";ext=", "ext.", "x", "#", "anexo", ...): every character of that pattern's source, with
    # its case variants, plus the tab it writes as an escape.
    extension = set(phonenumberutil._EXTN_PATTERNS_FOR_MATCHING) | {"\t"}
    extension_class = "[" + re.escape("".join(sorted(extension))) + "]"
    phone = (gaps | _matching(extension_class, re, re.I) | only_re) - digits
    return SimpleNamespace(
        digit=f"[\\d{_class_body(only_re)}]",
        gaps=_class_body(gaps - digits),
        # Without the brackets, to be combined with more characters.
        phone=f"\\d{_class_body(phone)}",
    )


# --- digit clusters -------------------------------------------------------------------------------


def not_a_number(value: str) -> bool:
    """Whether a digit cluster is only dates and years, with small numbers between them."""
    dated = False
    for token in value.split():
        if _CALENDAR.fullmatch(token):
            dated = True
        elif not _FILLER.fullmatch(token):
            return False
    return dated


@functools.cache
def _cluster_pattern(min_digits: int) -> regex.Pattern[str]:
    # At least `min_digits` digits with at most four phone punctuation characters between
    # consecutive ones: how the digits of one phone number, card number or SSN are written.
    classes = _char_classes()
    digit = classes.digit
    return regex.compile(_cluster_source(digit, classes.gaps, min_digits))


def _cluster_source(digit: str, gaps: str, min_digits: int) -> str:
    # The lookahead checks for `min_digits` digits; the rest takes whole runs of digits at a
    # time, which keeps a megabyte of digits to a millisecond.
    return (
        f"{digit}(?=(?:[{gaps}]{{0,4}}{digit}){{{min_digits - 1}}})"
        f"{digit}*(?:[{gaps}]{{1,4}}{digit}+)*"
    )


@functools.cache
def _phone_segment() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    phone = f"[{_char_classes().phone}]"
    return regex.compile(f"{phone}*"), regex.compile(f"(?r){phone}*")


def has_digit_cluster(value: str, min_digits: int) -> bool:
    return _cluster_pattern(min_digits).search(value) is not None


PHONE_LEAD = "+\uff0b(\uff08[\uff3b"


@functools.cache
def _digit_patterns() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    # Everything but digits (to count digits by deleting the rest); a trailing run of digits.
    digit = _char_classes().digit
    return regex.compile(f"[^{digit[1:-1]}]+"), regex.compile(f"{digit}+$")


# Clusters that are written as another entity are not tried as phone numbers: an IPv4 address,
# an SSN in its 3-2-4 form, a card number that passes the Luhn check. The other recognizers
# report them, with higher scores. (Only the cluster itself is looked at: what decides whether
# a segment is analysed must not depend on text outside it, which a window may not hold.)
_QUAD = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_SSN_FORM = re.compile(r"[0-9]{3}([- .])[0-9]{2}\1[0-9]{4}")
_CARD_FORM = re.compile(r"[0-9]{4}(?:[- ]?[0-9]{3,5}){2,4}")


def luhn(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def other_entity(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if _QUAD.fullmatch(value) or _SSN_FORM.fullmatch(value):
        return True
    if _CARD_FORM.fullmatch(value):
        digits = value.replace("-", "").replace(" ", "")
        return 13 <= len(digits) <= 19 and luhn(digits)
    return False


def _after_plus(text: str, start: int) -> bool:
    # An international number, whatever its digits look like.
    return start > 0 and text[start - 1] in "+\uff0b"


def count_digits(value: str) -> int:
    return len(_digit_patterns()[0].sub("", value))


def phone_shaped(text: str, start: int, end: int, digits: int | None = None) -> bool:
    """Whether the digit cluster `text[start:end]` (of `digits` digits) is written the way phone
    numbers are.

    Ten digits or more, a leading '+', bracket or 0, or a last group of at least four digits
    ("555-0132"): numbers like "2000 563" or "194.73 77" are left to context.
    """
    value = text[start:end]
    digits = count_digits(value) if digits is None else digits
    if digits >= 10 or value[0] == "0" or (start > 0 and text[start - 1] in PHONE_LEAD):
        return True
    last = _digit_patterns()[1].search(value)
    return last is not None and len(last.group()) >= 4


@dataclass(frozen=True)
class NumberRules:
    """Which digit clusters the numeric recognizers can report anything in.

    `phone_min` is 0 when phones are not detected; `long_min` is the fewest digits of the
    other numeric entities (9 for SSNs, 13 for card numbers; 0 when neither is detected).
    """

    phone_min: int
    long_min: int
    # What every SSN or card number match contains, for the entities detected.
    long_shapes: regex.Pattern[str] | None

    @classmethod
    def of(cls, settings: PiiSettings) -> NumberRules:
        wanted = set(settings.entities)
        long_min = 9 if US_SSN in wanted else 13 if CREDIT_CARD in wanted else 0
        shapes = [SSN_SHAPE] * (US_SSN in wanted) + [CARD_SHAPE] * (CREDIT_CARD in wanted)
        return cls(
            phone_min=settings.phone_min_digits if PHONE_NUMBER in wanted else 0,
            long_min=long_min,
            long_shapes=regex.compile("|".join(shapes)) if shapes else None,
        )

    @property
    def min_digits(self) -> int:
        return min(n for n in (self.phone_min, self.long_min, 13) if n)

    def dated(self, text: str, start: int, end: int) -> bool:
        """Whether the cluster `text[start:end]` is dates and years, not after a plus sign."""
        return not _after_plus(text, start) and not_a_number(text[start:end])

    def tests(
        self, text: str, start: int, end: int, context: bool = True
    ) -> tuple[bool, bool, bool]:
        """For the digit cluster `text[start:end]`: whether python-phonenumbers is asked about
        it, whether the card or SSN patterns can match in it, and whether the contextual phone
        pattern can (in the order of `NUMERIC_FAMILIES`). With `context` false, the last is
        false without looking (when the text holds no context word at all)."""
        long = self.long_shapes is not None and self.long_shapes.search(text, start, end)
        digits = count_digits(text[start:end]) if self.phone_min else 0
        if digits < self.phone_min or digits == 0 or self.dated(text, start, end):
            return False, bool(long), False
        phone = phone_shaped(text, start, end, digits) and (
            _after_plus(text, start) or not other_entity(text, start, end)
        )
        nearby = context and context_around(text, start, end, PHONE_CONTEXT, WINDOW_PAD - 8)
        return phone, bool(long), nearby

    def segment_test(
        self, name: str, tests: Callable[[int, int], tuple[bool, bool, bool]] | None = None
    ) -> Callable[[str, int, int], bool]:
        """The segment trigger of a numeric family: one of its clusters passes its test.

        `tests` gives the cluster tests of one text (memoised by the gate); by default they
        are computed here.
        """
        which = NUMERIC_FAMILIES.index(name)

        def trigger(text: str, start: int, end: int) -> bool:
            clusters = _cluster_pattern(self.min_digits).finditer(text, start, end)
            if tests is not None:
                return any(tests(*c.span())[which] for c in clusters)
            return any(
                self.tests(text, c.start(), c.end(), context=which == 2)[which] for c in clusters
            )

        return trigger


# --- recognizers ----------------------------------------------------------------------------------


class _WithholdValues(logging.Filter):
    """Strip the arguments from presidio's log records: some quote the text being validated
    ("Failed to validate text %s"), and no document text may reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = f"{record.msg} (values withheld)"
            record.args = None
        return True


def _import_presidio() -> SimpleNamespace:
    logging.getLogger("presidio-analyzer").addFilter(_WithholdValues())
    # tldextract reads this when presidio imports it: the bundled public-suffix snapshot, never
    # a download. The e-mail recognizer below also uses its own offline extractor.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    import presidio_analyzer as pa
    from presidio_analyzer import predefined_recognizers as pr
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    return SimpleNamespace(pa=pa, pr=pr, ContextAwareEnhancer=ContextAwareEnhancer,
                           NlpEngineProvider=NlpEngineProvider)  # fmt: skip


@functools.cache
def _recognizer_classes() -> SimpleNamespace:
    """presidio recognizer classes with this stage's context rule and validations.

    Built on first use, because importing presidio takes seconds (it imports spaCy and
    transformers), which the pipeline must not pay when the stage is off. The class names
    differ from presidio's own: its registry loader finds recognizer classes by name among
    all subclasses, and would otherwise pick these.
    """
    p = _import_presidio()
    pa, pr = p.pa, p.pr
    import tldextract
    from phonenumbers import PhoneNumberMatcher

    # presidio has no type information; its classes are bases of type Any here.
    phone_base: Any = pr.PhoneRecognizer
    pattern_base: Any = pa.PatternRecognizer
    ssn_base: Any = pr.UsSsnRecognizer
    email_base: Any = pr.EmailRecognizer
    ip_base: Any = pr.IpRecognizer
    enhancer_base: Any = p.ContextAwareEnhancer

    def enhanced(result: Any) -> bool:
        return bool(
            result.recognition_metadata.get(pa.RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY)
        )

    class ContextMixin:
        """Raise the score of a result that has a context word near it (see `context_near`),
        then keep the results that `keep` accepts."""

        context_pattern: re.Pattern[str]

        def keep(self, text: str, result: Any) -> bool:
            return True

        def enhance_using_context(
            self,
            text: str,
            raw_recognizer_results: list[Any],
            other_raw_recognizer_results: list[Any],
            nlp_artifacts: Any,
            context: list[str] | None = None,
        ) -> list[Any]:
            for result in raw_recognizer_results:
                if result.score < 1.0 and context_near(
                    text, result.start, result.end, self.context_pattern
                ):
                    result.score = min(1.0, max(result.score + CONTEXT_FACTOR, CONTEXT_MIN_SCORE))
                    result.recognition_metadata[
                        pa.RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY
                    ] = True
            return [r for r in raw_recognizer_results if self.keep(text, r)]

    class SegmentPhoneRecognizer(ContextMixin, phone_base):
        """presidio's phone recognizer, run per segment of phone characters.

        The matcher runs on each maximal run of characters a phone number can contain that
        holds a digit cluster of at least `min_digits` digits that is written like a phone
        number (the first of `NumberRules.tests`), with one character of context on each side (the
        matcher looks at the characters next to a candidate), and with its own budget of
        failed candidates. Numbers with fewer digits in one cluster are not reported.
        """

        def __init__(self, regions: Sequence[str], rules: NumberRules, leniency: int) -> None:
            super().__init__(
                context=list(PHONE_CONTEXT), supported_regions=tuple(regions), leniency=leniency
            )
            self.rules = rules
            self.min_digits = rules.phone_min
            self.context_pattern = _context_pattern(PHONE_CONTEXT)

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            results = []
            forward, back = _phone_segment()
            for start, end in _segments_with(text, forward, back, self.rules):
                low, high = max(0, start - 1), min(len(text), end + 1)
                chunk = text[low:high]
                for region in self.supported_regions:
                    matcher = PhoneNumberMatcher(
                        chunk, region, leniency=self.leniency, max_tries=PHONE_MAX_TRIES
                    )
                    for match in matcher:
                        if not has_digit_cluster(match.raw_string, self.min_digits):
                            continue
                        results.append(
                            pa.RecognizerResult(
                                entity_type=PHONE_NUMBER,
                                start=low + match.start,
                                end=low + match.end,
                                score=self.SCORE,
                                analysis_explanation=self._get_analysis_explanation(region),
                                recognition_metadata={
                                    pa.RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                    pa.RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                                },
                            )
                        )
            return pa.EntityRecognizer.remove_duplicates(results)

    class LoosePhoneRecognizer(ContextMixin, pattern_base):
        def __init__(self, rules: NumberRules) -> None:
            super().__init__(
                supported_entity=PHONE_NUMBER,
                name="LoosePhoneRecognizer",
                patterns=[pa.Pattern("digit groups", LOOSE_PHONE_PATTERN, LOOSE_PHONE_SCORE)],
                context=list(PHONE_CONTEXT),
                global_regex_flags=_IGNORECASE,
            )
            self.rules = rules
            self.min_digits = rules.phone_min
            self.context_pattern = _context_pattern(PHONE_CONTEXT)

        def enhance_using_context(self, text: str, raw_recognizer_results: list[Any],
                                  *args: Any, **kwargs: Any) -> list[Any]:  # fmt: skip
            # Without a context word this pattern says nothing, and in a cluster of dates it
            # would be wrong: such results are dropped here rather than left to the threshold.
            boosted = super().enhance_using_context(text, raw_recognizer_results, *args, **kwargs)
            return [r for r in boosted if r.score > LOOSE_PHONE_SCORE and not self._dated(text, r)]

        def _dated(self, text: str, result: Any) -> bool:
            # The digit cluster the number is in (its digits are one cluster: the pattern only
            # separates them by short punctuation), judged whole, as the gate judges it.
            forward, back = _phone_segment()
            start = back.match(text, 0, result.start).start()
            end = forward.match(text, result.start).end()
            for cluster in _cluster_pattern(self.min_digits).finditer(text, start, end):
                if cluster.end() > result.start and cluster.start() < result.end:
                    return self.rules.dated(text, *cluster.span())
            return False

        def invalidate_result(self, pattern_text: str) -> bool:
            body = _EXTENSION.sub("", pattern_text)
            digits = count_digits(body)
            return not self.min_digits <= digits <= 15 or not has_digit_cluster(
                body, self.min_digits
            )

    class ContextSsnRecognizer(ContextMixin, ssn_base):
        other_id_pattern = _context_pattern(OTHER_ID_CONTEXT)

        def __init__(self) -> None:
            super().__init__(context=list(SSN_CONTEXT))
            self.context_pattern = _context_pattern(SSN_CONTEXT)

        def keep(self, text: str, result: Any) -> bool:
            # A weak form (see OTHER_ID_CONTEXT) next to a word naming another identifier is
            # that identifier.
            return (
                result.score >= SSN_SEPARATED_SCORE
                or enhanced(result)
                or not context_near(text, result.start, result.end, self.other_id_pattern)
            )

    class ContextIpRecognizer(ContextMixin, ip_base):
        def __init__(self) -> None:
            super().__init__(context=list(IP_CONTEXT))
            self.context_pattern = _context_pattern(IP_CONTEXT, whole=True)

        def keep(self, text: str, result: Any) -> bool:
            # A bare "::" between spaces with a word after it separates ("Home :: Blog",
            # Haskell's "f :: Int"); the unspecified address ends a clause or takes a prefix
            # ("::/0", "src=::"). An "ip" context word keeps it an address.
            return (
                text[result.start : result.end] != "::"
                or enhanced(result)
                or SEPARATOR_COLONS.match(text, max(0, result.start - 1)) is None
            )

    class OfflineEmailRecognizer(email_base):
        """presidio's e-mail recognizer with an extractor that only uses the bundled list."""

        _extract = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())

        def validate_result(self, pattern_text: str) -> bool:
            return self._extract(pattern_text).fqdn != ""

    class PassThroughEnhancer(enhancer_base):
        """No engine-level context step: the no_op engine gives it no words to work on, and
        this stage's context rule lives in the recognizers."""

        def __init__(self) -> None:
            super().__init__(
                context_similarity_factor=CONTEXT_FACTOR,
                min_score_with_context_similarity=CONTEXT_MIN_SCORE,
                context_prefix_count=0,
                context_suffix_count=0,
            )

        def enhance_using_context(
            self,
            text: str,
            raw_results: list[Any],
            nlp_artifacts: Any,
            recognizers: list[Any],
            context: list[str] | None = None,
        ) -> list[Any]:
            return raw_results

    return SimpleNamespace(
        presidio=p,
        PhoneRecognizer=SegmentPhoneRecognizer,
        LoosePhoneRecognizer=LoosePhoneRecognizer,
        UsSsnRecognizer=ContextSsnRecognizer,
        IpRecognizer=ContextIpRecognizer,
        EmailRecognizer=OfflineEmailRecognizer,
        PassThroughEnhancer=PassThroughEnhancer,
    )


def build_recognizers(settings: PiiSettings) -> dict[str, list[Any]]:
    """The stage's pattern recognizers, grouped by gate family (see `FAMILIES`)."""
    kinds = _recognizer_classes()
    pa, pr = kinds.presidio.pa, kinds.presidio.pr
    wanted = set(settings.entities)
    families: dict[str, list[Any]] = {name: [] for name in FAMILIES}
    if EMAIL_ADDRESS in wanted:
        families["mail"].append(kinds.EmailRecognizer())
    if URL_CREDENTIALS in wanted:
        families["mail"].append(
            pa.PatternRecognizer(
                supported_entity=URL_CREDENTIALS,
                name="UrlCredentialsRecognizer",
                patterns=[pa.Pattern("user:password@host", URL_CREDENTIALS_PATTERN, 1.0)],
                global_regex_flags=_EXACT,
            )
        )
    if PHONE_NUMBER in wanted:
        families["phone"].append(
            kinds.PhoneRecognizer(
                settings.phone_regions, NumberRules.of(settings), settings.phone_leniency
            )
        )
        families["phone_context"].append(kinds.LoosePhoneRecognizer(NumberRules.of(settings)))
    if CREDIT_CARD in wanted:
        families["number"].append(pr.CreditCardRecognizer())
    if US_SSN in wanted:
        families["number"].append(kinds.UsSsnRecognizer())
    if IP_ADDRESS in wanted:
        families["ip"].append(kinds.IpRecognizer())
    if IBAN_CODE in wanted:
        # Case-insensitive, as in presidio's default registry: IBANs are often written in
        # lower case.
        families["iban"].append(pr.IbanRecognizer(regex_flags=_IGNORECASE))
    if CRYPTO in wanted:
        families["crypto"].append(pr.CryptoRecognizer())
    if AWS_ACCESS_KEY in wanted:
        families["secret"].append(
            pa.PatternRecognizer(
                supported_entity=AWS_ACCESS_KEY,
                name="AwsAccessKeyRecognizer",
                patterns=[pa.Pattern("access key id", AWS_ACCESS_KEY_PATTERN, 1.0)],
                global_regex_flags=_EXACT,
            )
        )
    if API_TOKEN in wanted:
        families["secret"].append(
            pa.PatternRecognizer(
                supported_entity=API_TOKEN,
                name="ApiTokenRecognizer",
                patterns=[pa.Pattern(name, pattern, 1.0) for name, pattern in API_TOKEN_PATTERNS],
                global_regex_flags=_EXACT,
            )
        )
    if PRIVATE_KEY in wanted:
        families["pem"].append(
            pa.PatternRecognizer(
                supported_entity=PRIVATE_KEY,
                name="PrivateKeyRecognizer",
                patterns=[pa.Pattern(name, pattern, 1.0) for name, pattern in PRIVATE_KEY_PATTERNS],
                global_regex_flags=_EXACT,
            )
        )
    return families


# --- the candidate gate ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """Recognizers that share one segment class and one trigger.

    `segment` matches a maximal run of characters that can occur in a match of any of the
    family's recognizers (None: the whole text is one segment), `segment_back` the same run
    backwards; `trigger(text, start, end)` tells whether the segment `text[start:end]` holds
    something every match (every finding, for the numeric families) contains.
    """

    name: str
    segment: regex.Pattern[str] | None
    segment_back: regex.Pattern[str] | None
    trigger: Callable[[str, int, int], bool]


FAMILIES = (
    "mail", "phone", "number", "phone_context", "ip", "iban", "crypto", "secret", "pem",
)  # fmt: skip
NUMERIC_FAMILIES = ("phone", "number", "phone_context")


def _segments_with(
    text: str, segment: regex.Pattern[str], back: regex.Pattern[str], rules: NumberRules
) -> Iterator[tuple[int, int]]:
    """Maximal runs of `segment`'s characters that pass the phone test of `rules`, in order.

    `back` is `segment` compiled in reverse; digits and phone punctuation are `segment`
    characters, so a digit cluster never straddles two runs.
    """
    phone_segment = rules.segment_test("phone")
    covered = 0
    for hit in _cluster_pattern(rules.phone_min).finditer(text):
        if hit.start() < covered:
            continue
        start = back.match(text, 0, hit.start()).start()
        covered = segment.match(text, hit.start()).end()
        if phone_segment(text, start, covered):
            yield start, covered


def _families(settings: PiiSettings) -> dict[str, Family]:
    classes = _char_classes()
    rules = NumberRules.of(settings)
    # The classes contain every character a match of the family's patterns can hold (\w and \d
    # as the `regex` module defines them, which is what presidio compiles with).
    Trigger = str | Callable[[str, int, int], bool]
    definitions: dict[str, tuple[str | None, Trigger]] = {
        "mail": (r"\S", "@"),
        "phone": (f"[{classes.phone}]", rules.segment_test("phone")),
        "number": (f"[{classes.phone}]", rules.segment_test("number")),
        "phone_context": (f"[{classes.phone}]", rules.segment_test("phone_context")),
        "ip": (
            r"[\w:.%/]",
            r"(?i)::|[0-9A-F]:[0-9A-F]{1,4}:|[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
        ),
        "iban": (r"[\w \-]", r"(?i)[A-Z]{2}[0-9]{2}"),
        "crypto": (r"\w", r"(?i)[13][a-zA-HJ-NP-Z0-9]{25}"),
        "secret": (
            r"[\w\-]",
            r"AKIA|ASIA|AIza|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|[rs]k_(?:live|test)_|sk-|"
            r"npm_",
        ),
        "pem": (None, "-----BEGIN"),
    }
    families = {}
    for name, (segment, trigger) in definitions.items():
        families[name] = Family(
            name=name,
            segment=None if segment is None else regex.compile(f"{segment}*"),
            segment_back=None if segment is None else regex.compile(f"(?r){segment}*"),
            trigger=_search(trigger) if isinstance(trigger, str) else trigger,
        )
    return families


def _search(pattern: str) -> Callable[[str, int, int], bool]:
    compiled = regex.compile(pattern)
    return lambda text, start, end: compiled.search(text, start, end) is not None


@functools.cache
def _passes(numeric_min: int) -> tuple[SimpleNamespace, SimpleNamespace]:
    """The gate's regex passes, for ASCII text and for any text.

    Every trigger of every family starts inside a hit of one of the passes that feed it: a
    pass is the alternation of those triggers, each written to start at a rare character (a
    digit, ':', '_', '-', 'A') so that the regex engine can skip the rest of the text quickly.
    One alternation over all families would be simpler, but Python's regex engines then try
    every alternative at every position and run at 1-5 MB/s instead of 40.
    """
    classes = _char_classes()
    built = []
    for ascii_only in (True, False):
        digit = "[0-9]" if ascii_only else classes.digit
        letter = "[A-Za-z]" if ascii_only else "(?i:[A-Z])"
        crypto = "[A-Za-z0-9]" if ascii_only else "(?i:[a-zA-HJ-NP-Z0-9])"
        numeric = (
            "[0-9](?:"
            r"(?P<quad>(?<=[0-9])[0-9]{0,2}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9])"  # dotted quad
            f"|(?P<crypto>(?<=[13]){crypto}{{25}})"  # bitcoin address
            f"|(?P<iban>(?<={letter}{{2}}[0-9])[0-9]))"  # IBAN country code and check digits
        )
        # What a digit hit can stand for: each family's trigger, searched for from (a few
        # characters before) the hit's start to its longest extent past the hit's end.
        # (family, trigger, characters before the hit, after it, one of these must occur)
        local = (
            ("ip", regex.compile(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]"), 0, 15, (".",)),
            ("crypto", regex.compile(f"[13]{crypto}{{25}}"), 0, 26, ("1", "3")),
            ("iban", regex.compile(f"{letter}{{2}}[0-9]{{2}}"), 2, 4, ()),
        )
        built.append(
            SimpleNamespace(
                digits=regex.compile(numeric),
                # Every maximal digit cluster of `numeric_min` digits: scanning from the left,
                # each match starts at the first digit of one and takes all of it.
                cluster=regex.compile(_cluster_source(digit, classes.gaps, numeric_min)),
                local=local,
                colon=regex.compile(r"(?i):(?::|(?<=[0-9A-F]:)[0-9A-F]{1,4}:)"),
                underscore=regex.compile(
                    r"(?<=gh[pousr]|npm)_|(?<=github)_pat_|(?<=[rs]k)_(?:live|test)_"
                ),
                hyphen=regex.compile(r"(?<=xox[abprs]|glpat|sk)-|-----BEGIN"),
                capital=regex.compile(r"A(?:KIA|SIA|Iza)"),
            )
        )
    return built[0], built[1]


class Gate:
    """Finds, per recognizer family, the windows of a text the family's recognizers must see."""

    def __init__(self, settings: PiiSettings, active: Iterable[str]) -> None:
        self.families = {n: f for n, f in _families(settings).items() if n in set(active)}
        self.rules = NumberRules.of(settings)
        self.ascii_passes, self.unicode_passes = _passes(self.rules.min_digits)

    def hits(
        self, text: str, tests: Callable[[int, int], tuple[bool, bool, bool]]
    ) -> dict[str, list[tuple[int, int]]]:
        """Per family, spans that hold or start a trigger of the family (unsorted).

        `tests` gives the cluster tests (see `NumberRules.tests`) of this text.
        """
        passes = self.ascii_passes if text.isascii() else self.unicode_passes
        found: dict[str, list[tuple[int, int]]] = {name: [] for name in self.families}
        length = len(text)
        if "mail" in found and "@" in text:
            found["mail"].extend(_find_all(text, "@"))
        # One digit pass serves three families. A hit of one alternative can swallow the start
        # of another family's trigger, so each hit is searched for every family's trigger.
        local = [(name, *rest) for name, *rest in passes.local if name in found]
        # Per family, where the segment of its last occurrence ends: the rest of that segment
        # is examined anyway, so the search for more starts after it.
        covered = dict.fromkeys(found, 0)
        numeric = [found.get(name) for name in NUMERIC_FAMILIES]
        if any(spans is not None for spans in numeric):
            for cluster in passes.cluster.finditer(text):
                span = cluster.span()
                for spans, passed in zip(numeric, tests(*span), strict=True):
                    if passed and spans is not None:
                        spans.append(span)
        if local:
            # A family whose trigger needs a character the text lacks is done before it starts.
            for name, _, _, _, needles in local:
                if needles and not any(needle in text for needle in needles):
                    covered[name] = length
            position = 0
            while True:
                # Where every family of this pass is covered, no hit can add anything.
                position = max(position, min(covered[entry[0]] for entry in local))
                hit = passes.digits.search(text, position) if position < length else None
                if hit is None:
                    break
                start, end = hit.span()
                position = end
                kind = hit.lastgroup
                if kind == "iban":
                    # Two digits after two letters: the IBAN trigger itself. A dotted quad
                    # starting in them would have matched at the first digit; only a bitcoin
                    # address can start at the second.
                    if "iban" in found and covered["iban"] < end:
                        found["iban"].append((start - 2, end))
                        segment = self.families["iban"].segment
                        assert segment is not None
                        covered["iban"] = segment.match(text, start).end()
                    start += 1
                for name, trigger, before, after, needles in local:
                    if covered[name] >= end or (kind == "iban" and name != "crypto"):
                        continue
                    low = max(0, start - before, covered[name])
                    high = min(length, end + after)
                    if low >= end or (
                        needles and all(text.find(n, low, high) < 0 for n in needles)
                    ):
                        continue
                    occurrence = trigger.search(text, low, high)
                    if occurrence is not None and occurrence.start() < end:
                        found[name].append(occurrence.span())
                        segment = self.families[name].segment
                        assert segment is not None
                        covered[name] = segment.match(text, occurrence.start()).end()
        if "ip" in found and ":" in text:
            found["ip"].extend(m.span() for m in passes.colon.finditer(text))
        if "secret" in found:
            if "_" in text:
                found["secret"].extend(m.span() for m in passes.underscore.finditer(text))
            if "A" in text:
                found["secret"].extend(m.span() for m in passes.capital.finditer(text))
        if ("secret" in found or "pem" in found) and "-" in text:
            for m in passes.hyphen.finditer(text):
                name = "pem" if m.group() == "-----BEGIN" else "secret"
                if name in found:
                    found[name].append(m.span())
        return found

    def candidates(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Per family, its candidate segments, in order; under "phone clusters", the digit
        clusters that make a segment a candidate for the phone matcher."""
        # The cluster tests of this text, each computed once. A long text with no context word
        # anywhere needs no context test per cluster (in a short one the text-wide look costs
        # more than it saves).
        context = len(text) < 20_000 or _word_in(text, 0, len(text), PHONE_CONTEXT)
        memo: dict[tuple[int, int], tuple[bool, bool, bool]] = {}

        def tests(start: int, end: int) -> tuple[bool, bool, bool]:
            result = memo.get((start, end))
            if result is None:
                result = memo[start, end] = self.rules.tests(text, start, end, context)
            return result

        triggers = {name: self.rules.segment_test(name, tests) for name in NUMERIC_FAMILIES}
        result = {}
        found = self.hits(text, tests)
        if found.get("phone"):
            result["phone clusters"] = sorted(set(found["phone"]))
        for name, hits in found.items():
            if hits:
                family = self.families[name]
                trigger = triggers.get(name, family.trigger)
                # Past `MAX_PHONE_SEGMENTS` the phone matcher is not used: no need to count on.
                limit = MAX_PHONE_SEGMENTS + 1 if name == "phone" else None
                segments = _candidate_segments(text, family, sorted(hits), trigger, limit)
                if segments:
                    result[name] = segments
        return result

    def windows(
        self, text: str, candidates: dict[str, list[tuple[int, int]]] | None = None
    ) -> dict[str, list[tuple[int, int]]]:
        """Per family, sorted disjoint windows covering every candidate segment with padding."""
        candidates = self.candidates(text) if candidates is None else candidates
        return {
            name: _pad_and_merge(text, self.families[name], segments)
            for name, segments in candidates.items()
            if name in self.families
        }


def _find_all(text: str, needle: str) -> Iterator[tuple[int, int]]:
    position = text.find(needle)
    while position >= 0:
        yield position, position + len(needle)
        position = text.find(needle, position + len(needle))


def _candidate_segments(
    text: str,
    family: Family,
    hits: Sequence[tuple[int, int]],
    trigger: Callable[[str, int, int], bool],
    limit: int | None = None,
) -> list[tuple[int, int]]:
    """The family's segments that intersect a hit and pass `trigger` (the family's); no more
    than `limit` of them."""
    if family.segment is None or family.segment_back is None:
        return [(0, len(text))] if trigger(text, 0, len(text)) else []
    segments = []
    covered = 0
    for hit_start, hit_end in hits:
        position = max(hit_start, covered)
        while position < hit_end:
            end = family.segment.match(text, position).end()
            if end == position:  # not a character of this family's matches
                position += 1
                continue
            start = family.segment_back.match(text, 0, position).start()
            if trigger(text, start, end):
                segments.append((start, end))
                if limit is not None and len(segments) >= limit:
                    return segments
            covered = position = end
    return segments


def _pad_and_merge(
    text: str, family: Family, segments: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Windows around the segments: `WINDOW_PAD` characters on each side, widened to whole
    segments of the family, merged where they touch.

    A window never cuts a segment of its family: some recognizer rules hold for a segment
    but not for a piece of it (a card number is no phone number; its last ten digits may be).
    Nor does it start inside a word, where a context word cut short would look whole. Widening
    stops at the previous window, so the work stays linear in the text.
    """
    windows: list[tuple[int, int]] = []
    whole = family.segment is None or family.segment_back is None
    for start, end in segments:
        low, high = max(0, start - WINDOW_PAD), min(len(text), end + WINDOW_PAD)
        floor = windows[-1][1] if windows else 0
        if not whole and low > floor:
            low = _start_of_window(text, family, low, floor)
        if not whole:
            high = family.segment.match(text, high).end()  # type: ignore[union-attr]
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], high))
        else:
            windows.append((low, high))
    return windows


def _start_of_window(text: str, family: Family, low: int, floor: int) -> int:
    """`low` moved back, not below `floor`, to a point that starts a family segment and a word."""
    assert family.segment_back is not None
    word_back = _word_back()
    while True:
        moved = family.segment_back.match(text, floor, low).start()
        moved = word_back.match(text, floor, moved).start()
        if moved == low:
            return low
        low = moved


@functools.cache
def _word_back() -> regex.Pattern[str]:
    # A word character for `regex` (Unicode \w) or for `re` (str.isalnum() or '_'), in reverse.
    only_re = _matching(r"\w", re) - _matching(r"\w", regex)
    return regex.compile(f"(?r)[\\w{_class_body(only_re)}]*")


# --- the analyzer ---------------------------------------------------------------------------------


class PiiAnalyzer:
    """presidio's analyzer with this stage's recognizers, plus the gated way to run them.

    `analyze_whole` is presidio's `AnalyzerEngine.analyze` over the whole text; `analyze` runs
    the same recognizers on the gate's windows only, and returns the same findings.
    """

    def __init__(self, settings: PiiSettings) -> None:
        kinds = _recognizer_classes()
        p = kinds.presidio
        self.settings = settings
        self.families = build_recognizers(settings)
        self.gate = Gate(settings, [name for name, recs in self.families.items() if recs])
        self.ner = None
        if settings.ner_model:
            nlp_engine, self.ner = _ner_engine(settings, p)
        else:
            nlp_engine = p.NlpEngineProvider(
                nlp_configuration={
                    "nlp_engine_name": "no_op",
                    "models": [{"lang_code": "en", "model_name": "none"}],
                }
            ).create_engine()
        registry = p.pa.RecognizerRegistry(supported_languages=["en"])
        for recognizers in self.families.values():
            for recognizer in recognizers:
                registry.add_recognizer(recognizer)
        if self.ner is not None:
            registry.add_recognizer(self.ner)
        self.engine = p.pa.AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine,
            supported_languages=["en"],
            context_aware_enhancer=kinds.PassThroughEnhancer(),
        )
        self.entities = list(settings.detected_types())
        self._empty_artifacts = nlp_engine.process_text("", "en") if self.ner is None else None
        self._remove_duplicates = p.pa.EntityRecognizer.remove_duplicates
        self._result = p.pa.RecognizerResult
        # Pay the one-time costs here, in setup, not in the first documents: the word class of
        # the windows and the public-suffix list of the e-mail check.
        _word_back()
        for recognizer in self.families["mail"][:1]:
            recognizer.validate_result("mail@example.com")

    def analyze_whole(self, text: str) -> list[Finding]:
        results = self.engine.analyze(
            text, language="en", entities=self.entities, score_threshold=self.settings.min_score
        )
        return sorted(Finding(r.start, r.end, r.entity_type, r.score) for r in results)

    def analyze(self, text: str) -> list[Finding]:
        results = []
        candidates = self.gate.candidates(text)
        phone_segments = candidates.get("phone", [])
        if len(phone_segments) > MAX_PHONE_SEGMENTS:
            # Hex dumps and long number tables: too many segments for the phone matcher in
            # bounded time. Every number it would have been asked about counts as a phone.
            del candidates["phone"]
            results.extend(self._phone_clusters(candidates["phone clusters"]))
        for name, windows in self.gate.windows(text, candidates).items():
            for low, high in windows:
                window = text[low:high]
                for recognizer in self.families[name]:
                    found = recognizer.analyze(window, self.entities, self._empty_artifacts)
                    found = recognizer.enhance_using_context(
                        window, found, [], self._empty_artifacts, None
                    )
                    for result in found:
                        result.start += low
                        result.end += low
                    results.extend(found)
        if self.ner is not None:
            artifacts = self.engine.nlp_engine.process_text(text, "en")
            results.extend(self.ner.analyze(text, self.entities, artifacts))
        kept = [r for r in results if r.score >= self.settings.min_score]
        return sorted(
            Finding(r.start, r.end, r.entity_type, r.score) for r in self._remove_duplicates(kept)
        )

    def _phone_clusters(self, clusters: Iterable[tuple[int, int]]) -> list[Any]:
        score = self.families["phone"][0].SCORE
        return [
            self._result(entity_type=PHONE_NUMBER, start=start, end=end, score=score)
            for start, end in clusters
        ]


def _ner_engine(settings: PiiSettings, p: SimpleNamespace) -> tuple[Any, Any]:
    import spacy

    name = settings.ner_model or ""
    # presidio would try to download a missing pipeline; a build never downloads on its own.
    if not (spacy.util.is_package(name) or Path(name).exists()):
        raise StageError(
            f"pii.ner_model: the spaCy pipeline '{name}' is not installed (install its package, "
            "give a path to it, or leave pii.ner_model empty)."
        )
    engine = p.NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": name}],
        }
    ).create_engine()
    recognizer = p.pr.SpacyRecognizer(supported_entities=list(settings.ner_entities))
    return engine, recognizer


def detect(analyzer: PiiAnalyzer, text: str) -> list[PiiSpan]:
    """Resolved PII spans of a text, in order."""
    return resolve_overlaps(analyzer.analyze(text))


def type_counts(spans: Iterable[PiiSpan]) -> dict[str, int]:
    return dict(sorted(Counter(span.type for span in spans).items()))


# --- the Beam step --------------------------------------------------------------------------------


class RedactPII(AnnotateDocs):
    """Detect PII in each document, record the spans and replace the text by its redaction."""

    stage = STAGE

    def __init__(self, settings: PiiSettings) -> None:
        self.settings = settings
        self._analyzer: PiiAnalyzer | None = None
        self._key: bytes | None = None
        self._counters: dict[str, Any] = {}

    def setup(self) -> None:
        # The key is read here, on the worker, so that it is never pickled with the pipeline.
        self._key = pseudonym_key(self.settings)
        self._analyzer = PiiAnalyzer(self.settings)
        self._counters = {
            t: beam.metrics.Metrics.counter(STAGE, f"entities_{t}")
            for t in self.settings.detected_types()
        }

    def annotate(self, doc: Doc) -> None:
        assert self._analyzer is not None, "setup() builds the analyzer"
        spans = detect(self._analyzer, doc.text)
        redacted = redact(doc.text, spans, self.settings, self._key)
        doc.pii_spans = spans
        doc.text = redacted
        for entity_type, count in type_counts(spans).items():
            self._counters[entity_type].inc(count)
