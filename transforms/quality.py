"""Heuristic quality signals and rules: Gopher quality, Gopher repetition, C4 and FineWeb.

Reads: `text`, `language`. Writes (every document, whatever its language):
- Gopher quality: `char_count`, `word_count`, `line_count`, `mean_word_length`,
  `alpha_word_ratio`, `symbol_word_ratio`, `stop_word_count`, `bullet_line_ratio`,
  `ellipsis_line_ratio`;
- Gopher repetition: `dup_line_ratio`, `dup_para_ratio`, `dup_line_char_ratio`,
  `dup_para_char_ratio`, `top_{2,3,4}gram_char_ratio`, `dup_{5..10}gram_char_ratio`;
- C4: `c4_lines_removed`, `c4_chars_removed` (what C4 line cleaning removes), `c4_sentence_count`
  (sentences in the lines it keeps), `c4_lorem_ipsum`, `c4_curly_bracket`, `c4_text_cleaned`;
- FineWeb: `fineweb_line_punct_ratio`, `fineweb_short_line_ratio`, `fineweb_char_dup_ratio`,
  `fineweb_list_ratio`;
- `quality_skipped_reason`: set when the document's language has no settings file, in which
  case no rule is applied (and `stop_word_count` is None).

Drop reasons: see `DropReason`; thresholds come from the `quality` config section, overridden
per language by `<languages_dir>/<lang>.yaml`. Definitions and sources: docs/quality.md.

Words are whitespace-separated tokens, as in Gopher, except that each Han, Hiragana or
Katakana character counts as one word (those scripts do not separate words by spaces) and CJK
punctuation separates tokens like a space. CJK characters are left out of the mean word
length, which is undefined (None, rule not applied) when most tokens are CJK characters. Tokens
are lowercased (for stop words and n-grams).

C4 line cleaning is a text modification. By default (`clean_lines: false`) the text is left
as extracted and the C4 columns say what cleaning would remove; with `clean_lines: true` this
stage rewrites `text` to the kept lines (`c4_text_cleaned`), and as it runs before PII redaction,
PII offsets then refer to the cleaned text.

Version history: 1 - Gopher quality signals. 2 - all Gopher quality rules (symbol ratio is the
larger of the '#' and ellipsis ratios, as published), Gopher repetition, C4, FineWeb; language
files; optional C4 line cleaning.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import compress, filterfalse, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from schemas.config import ConfigError
from schemas.document import Doc
from schemas.quality import DUP_NGRAMS, TOP_NGRAMS, QualitySettings, QualityThresholds
from transforms.base import AnnotateDocs

STAGE = "quality"
VERSION = "2"

PROJECT = Path(__file__).resolve().parent.parent

# Kana and Han characters; CJK punctuation and full-width punctuation.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCTUATION = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
# A token is one CJK character or a run of other characters up to a space or CJK punctuation
# (which, written without spaces around it, plays the part of a space).
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}{_CJK_PUNCTUATION}]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_CJK_PUNCTUATION_CHAR = re.compile(rf"[{_CJK_PUNCTUATION}]")
_HAS_ALPHA = re.compile(r"[^\W\d_]")
_strip_punctuation = operator.methodcaller("strip", "\"'()[].,;:!?\u00ab\u00bb\u201c\u201d\u2019")
# Written with a literal prefix, which the regex engine finds by a fast string search (with
# "\n{2,}" it tries a match at every character, ten times slower on a 2 KB page).
_PARAGRAPH_BREAK = re.compile(r"\n\n+")
# Gopher's bullet points; datatrove checks U+2022 only, these are the common variants.
_BULLETS = ("\u2022", "\u2023", "\u25cf", "\u25e6", "\u2043", "\u2219", "-", "*")
_ELLIPSES = ("...", "\u2026")
_starts_with_bullet = operator.methodcaller("startswith", _BULLETS)
_ends_with_ellipsis = operator.methodcaller("endswith", _ELLIPSES)
# C4 (TFDS c4_utils): Wikipedia-style citation marks are removed from lines before the
# punctuation check; lines naming javascript and policy/cookie lines are removed.
_CITATION = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")
_POLICY = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
# Sentences in a kept line (which ends a sentence): one more than the sentence ends inside
# it, a terminal mark before a space (". ", '." ', and the same for "!" and "?") or a
# full-width CJK mark. An approximation of TFDS's nltk punkt tokenizer (abbreviations such as
# "Dr. " count as ends).
_TERMINAL_MARKS = ".!?"
_starts_after_sentence_end = operator.methodcaller("startswith", (" ", '" '))
_CJK_SENTENCE_ENDS = ("\u3002", "\uff01", "\uff1f")


def sentence_count(joined: str, lines: list[str]) -> int:
    """Sentences in kept `lines` (joined by newlines): each ends one, plus those ending inside."""
    count = len(lines)
    # Each piece after a split on a mark is what follows one occurrence of it. This is
    # str.count(". ") and friends in one pass per mark: str.count's search for a needle ending
    # in a space is slow on prose, where every few characters is a space.
    for mark in _TERMINAL_MARKS:
        if mark in joined:
            count += sum(map(_starts_after_sentence_end, joined.split(mark)[1:]))
    if not joined.isascii():
        count += sum(map(joined.count, _CJK_SENTENCE_ENDS))
        count -= sum(map(operator.methodcaller("endswith", _CJK_SENTENCE_ENDS), lines))
    return count


SKIPPED_NO_LANGUAGE = "no_language"
SKIPPED_NO_SETTINGS = "no_language_settings"


class DropReason(StrEnum):
    # Gopher quality
    TOO_FEW_WORDS = "too_few_words"
    TOO_MANY_WORDS = "too_many_words"
    MEAN_WORD_LENGTH = "mean_word_length"
    SYMBOL_RATIO = "symbol_ratio"
    BULLET_LINES = "bullet_lines"
    ELLIPSIS_LINES = "ellipsis_lines"
    ALPHA_WORD_RATIO = "alpha_word_ratio"
    FEW_STOP_WORDS = "few_stop_words"
    # Gopher repetition
    DUP_LINES = "dup_lines"
    DUP_PARAGRAPHS = "dup_paragraphs"
    DUP_LINE_CHARS = "dup_line_chars"
    DUP_PARAGRAPH_CHARS = "dup_paragraph_chars"
    TOP_2GRAM = "top_2gram"
    TOP_3GRAM = "top_3gram"
    TOP_4GRAM = "top_4gram"
    DUP_5GRAM = "dup_5gram"
    DUP_6GRAM = "dup_6gram"
    DUP_7GRAM = "dup_7gram"
    DUP_8GRAM = "dup_8gram"
    DUP_9GRAM = "dup_9gram"
    DUP_10GRAM = "dup_10gram"
    # C4
    C4_TOO_FEW_SENTENCES = "c4_too_few_sentences"
    C4_LOREM_IPSUM = "c4_lorem_ipsum"
    C4_CURLY_BRACKET = "c4_curly_bracket"
    # FineWeb
    FINEWEB_LINE_PUNCTUATION = "fineweb_line_punct_ratio"
    FINEWEB_SHORT_LINES = "fineweb_short_line_ratio"
    FINEWEB_CHAR_DUPLICATES = "fineweb_char_dup_ratio"
    FINEWEB_LIST_RATIO = "fineweb_list_ratio"


# --- language settings --------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageTable:
    """Thresholds per language, from the language files over the `quality` section's values."""

    thresholds: Mapping[str, QualityThresholds]
    path: str
    sha256: str
    # Each language's stop words as a set, built once rather than per document.
    stop_words: Mapping[str, frozenset[str] | None] = field(default_factory=dict)


def resolve_path(path: str) -> Path:
    """A relative path: the working directory first, then the project directory."""
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return PROJECT / candidate


def _base_thresholds(settings: QualitySettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in QualityThresholds.model_fields}


@functools.lru_cache(maxsize=8)
def _load_table(directory: str, base_json: str) -> LanguageTable:
    folder = resolve_path(directory)
    if not folder.is_dir():
        raise ConfigError(f"quality.languages_dir: {directory} is not a directory.")
    base = json.loads(base_json)
    digest = hashlib.sha256()
    table: dict[str, QualityThresholds] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = path.read_bytes()
        digest.update(f"{path.name}\n{len(data)}\n".encode())
        digest.update(data)
        try:
            loaded = yaml.safe_load(data) or {}
        except yaml.YAMLError:
            raise ConfigError(f"Language settings {path} are not valid YAML.") from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"Language settings {path} must hold a mapping of thresholds.")
        try:
            table[path.stem] = QualityThresholds.model_validate({**base, **loaded})
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(part) for part in error["loc"]) or "(top level)"
            if error["type"] == "extra_forbidden":
                raise ConfigError(f"Language settings {path}: unknown key '{key}'.") from None
            raise ConfigError(f"Language settings {path}: key '{key}': {error['msg']}.") from None
    stop_words = {
        language: frozenset(found.stop_words) if found.stop_words else None
        for language, found in table.items()
    }
    return LanguageTable(
        thresholds=table, path=str(folder), sha256=digest.hexdigest(), stop_words=stop_words
    )


def language_table(settings: QualitySettings) -> LanguageTable:
    """The per-language thresholds (read once per process; a bad file is a `ConfigError`)."""
    base = json.dumps(_base_thresholds(settings), sort_keys=True)
    return _load_table(settings.languages_dir, base)


def thresholds_for(language: str | None, table: LanguageTable) -> QualityThresholds | str:
    """The thresholds for `language`, or the reason no rule applies to it."""
    if language is None:
        return SKIPPED_NO_LANGUAGE
    found = table.thresholds.get(language)
    return SKIPPED_NO_SETTINGS if found is None else found


# --- signals --------------------------------------------------------------------------------


def tokens_of(text: str) -> tuple[list[str], int]:
    """Lowercased words (whitespace tokens, each CJK character on its own) and the CJK count."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered.split(), 0
    # Every CJK token is a single CJK character, so they can be counted over the whole text;
    # text without them (most of a crawl) is split on whitespace in C.
    cjk = len(_CJK_CHAR.findall(lowered))
    if cjk or _CJK_PUNCTUATION_CHAR.search(lowered):
        return _TOKEN.findall(lowered), cjk
    return lowered.split(), 0


def _duplicates(items: list[str]) -> tuple[int, int]:
    """(elements equal to an earlier element, their characters), as in Gopher/datatrove."""
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count += 1
            chars += len(item)
        else:
            seen.add(item)
    return count, chars


_NGRAM_COLUMNS = {
    f"{kind}_{n}": f"{kind}_{n}gram_char_ratio"
    for kind, sizes in (("top", TOP_NGRAMS), ("dup", DUP_NGRAMS))
    for n in sizes
}


_NO_REPETITION = dict.fromkeys(
    [*(f"top_{n}" for n in TOP_NGRAMS), *(f"dup_{n}" for n in DUP_NGRAMS)], 0
)


def _chars(gram: tuple[str, ...]) -> int:
    return sum(map(len, gram))


# Measured on the generated sample: Python 260 us vs numpy 970 us at ~360 tokens (English),
# about equal at ~460 (Japanese), numpy 2-4x faster from ~1,000 tokens.
VECTORISED_FROM_TOKENS = 512


def ngram_repetition(tokens: list[str]) -> dict[str, int]:
    """Gopher's n-gram repetition measures, in word characters.

    `top_{n}`: characters of the most frequent n-gram times its count, for n in TOP_NGRAMS
    (0 when no n-gram occurs twice; ties go to the n-gram with more characters, so the value
    does not depend on order). `dup_{n}`: characters of the words covered by n-grams that occur
    more than once, in their occurrences after the first, each word counted once (overlapping
    duplicates do not count twice), for n in DUP_NGRAMS.

    Both versions below compute the same values (`tests/transforms/test_quality.py` checks
    them against each other): per-position Python work is cheapest for a few hundred tokens,
    numpy's per-call overhead pays off beyond, where many positions repeat (CJK text, one
    token per character, repeats character n-grams at every size; long pages).
    """
    if len(tokens) >= VECTORISED_FROM_TOKENS:
        return _ngram_repetition_vectorised(tokens)
    return _ngram_repetition_few(tokens)


def _ngram_repetition_few(tokens: list[str]) -> dict[str, int]:
    """`ngram_repetition` one position at a time.

    An (n+1)-gram at position i can only repeat where the n-grams at i and i+1 both repeat, so
    each size only looks at the positions the previous size left: on ordinary text few
    positions survive the first few sizes, which keeps this cheap.
    """
    out = dict(_NO_REPETITION)
    total = len(tokens)
    # 2-grams are counted over the whole text in C; longer ones only where they can repeat.
    starts: Sequence[int] = range(total - 1)
    grams: list[tuple[str, ...]] = list(pairwise(tokens))
    repeated: list[int] = []
    for n in range(2, DUP_NGRAMS[-1] + 1):
        if n > 2:
            present = set(repeated)
            starts = [i for i in repeated if i + 1 in present and i + n <= total]
            grams = [tuple(tokens[i : i + n]) for i in starts]
        counts = Counter(grams)
        if len(counts) == len(grams):
            break  # nothing repeats at this size, so nothing longer does
        # The n-grams seen more than once are usually a few among hundreds: the most frequent
        # one is looked for among them only.
        repeating = {gram: seen for gram, seen in counts.items() if seen > 1}
        repeated = list(compress(starts, map(repeating.__contains__, grams)))
        if n in TOP_NGRAMS:
            best = max(repeating.values())
            longest = max(_chars(gram) for gram, seen in repeating.items() if seen == best)
            out[f"top_{n}"] = best * longest
        if n >= DUP_NGRAMS[0]:
            # The first occurrence of an n-gram is not a duplicate; later ones are.
            marks = bytearray(total)
            first: set[tuple[str, ...]] = set()
            for i, gram in zip(starts, grams, strict=True):
                if gram in first:
                    marks[i : i + n] = b"\x01" * n
                elif gram in repeating:
                    first.add(gram)
            out[f"dup_{n}"] = sum(compress(map(len, tokens), marks))
    return out


def _ngram_repetition_vectorised(tokens: list[str]) -> dict[str, int]:
    """`ngram_repetition` with numpy, one array operation per n-gram size.

    Tokens become dense ids; an n-gram's id is the dense rank of (its (n-1)-gram's id, its last
    token's id), so each size is one `np.unique` over the positions where it can still repeat
    (the same pruning as `_ngram_repetition_few`). Exact: no hashing, no collisions.
    """
    out = dict(_NO_REPETITION)
    total = len(tokens)
    vocabulary: dict[str, int] = {}
    ids = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in tokens), np.int64, total)
    lengths = np.fromiter(map(len, tokens), np.int64, total)
    prefix = np.zeros(total + 1, np.int64)
    np.cumsum(lengths, out=prefix[1:])
    starts = np.arange(total - 1)
    gram_at = ids  # the id of the (n-1)-gram at each position (meaningful at `starts` only)
    for n in range(2, DUP_NGRAMS[-1] + 1):
        if n > 2:
            repeats = np.zeros(total + 1, bool)
            repeats[starts] = True
            starts = starts[repeats[starts + 1] & (starts + n <= total)]
        if len(starts) < 2:
            break
        codes = gram_at[starts] * len(vocabulary) + ids[starts + n - 1]
        _, first, gram, seen = np.unique(
            codes, return_index=True, return_inverse=True, return_counts=True
        )
        if len(seen) == len(starts):
            break  # nothing repeats at this size, so nothing longer does
        many = seen[gram] > 1
        if n in TOP_NGRAMS:
            best = seen.max()
            heads = starts[first[seen == best]]
            out[f"top_{n}"] = int(best * (prefix[heads + n] - prefix[heads]).max())
        if n >= DUP_NGRAMS[0]:
            # Later occurrences cover their n words; a word covered twice counts once.
            later = starts[many & (first[gram] != np.arange(len(starts)))]
            cover = np.bincount(later, minlength=total + 1)
            cover -= np.bincount(later + n, minlength=total + 1)
            out[f"dup_{n}"] = int(lengths[np.cumsum(cover[:total]) > 0].sum())
        gram_at = np.empty(total, np.int64)
        gram_at[starts] = gram
        starts = starts[many]
    return out


@dataclass(frozen=True)
class C4Lines:
    """The result of C4 line cleaning on one text."""

    kept: list[str]
    lines_removed: int
    chars_removed: int
    sentences: int
    lorem_ipsum: bool
    curly_bracket: bool


def c4_clean(text: str, thresholds: QualityThresholds, lines: list[str] | None = None) -> C4Lines:
    """C4's line pass (TFDS c4_utils.clean_page), recording instead of stopping on a page rule.

    Lines without terminal punctuation (or ending in an ellipsis), with fewer than
    `c4_min_words_per_line` words, with a word longer than `c4_max_word_length`, naming
    javascript, or holding a policy/cookie phrase are removed; "lorem ipsum" or a curly bracket
    in a line that passed the punctuation and length checks fails the whole page.
    """
    ending = tuple(thresholds.terminal_punctuation)
    kept: list[str] = []
    lorem = curly = False
    if lines is None:
        lines = text.split("\n")
    max_word = thresholds.c4_max_word_length
    min_words = thresholds.c4_min_words_per_line
    # The phrase checks are case-insensitive; most pages hold none of the phrases at all, and
    # then no line needs lowercasing.
    lowered_text = text.lower()
    phrases = any(p in lowered_text for p in ("lorem ipsum", "javascript", "cookie", "polic"))
    phrases = phrases or "terms of use" in lowered_text
    for raw in lines:
        line = raw.strip()
        # The checks run in C4's order; the cheap ones decide most lines.
        if len(line) > max_word and any(len(word) > max_word for word in line.split()):
            continue
        if "[" in line:
            line = _CITATION.sub("", line)
        if not line.endswith(ending) or line.endswith(_ELLIPSES):
            continue
        # Splitting stops once the minimum is reached: only "fewer than" matters.
        if min_words > 0 and len(line.split(None, min_words - 1)) < min_words:
            continue
        lowered = line.lower() if phrases else ""
        if "lorem ipsum" in lowered:
            lorem = True
        if "javascript" in lowered:
            continue
        if "{" in line:
            curly = True
        # Every policy phrase names cookies, a policy or the terms of use: most lines are
        # cleared by the first test.
        if ("cookie" in lowered or "polic" in lowered or "terms of use" in lowered) and any(
            phrase in lowered for phrase in _POLICY
        ):
            continue
        kept.append(line)
    joined = "\n".join(kept)
    return C4Lines(
        kept=kept,
        lines_removed=len(lines) - len(kept),
        chars_removed=len(text) - len(joined),
        sentences=sentence_count(joined, kept),
        lorem_ipsum=lorem,
        curly_bracket=curly,
    )


def quality_signals(
    text: str, thresholds: QualityThresholds, stop_words: frozenset[str] | None
) -> dict[str, Any]:
    """Every heuristic signal of `text` (`stop_word_count` is None without stop words)."""
    tokens, cjk = tokens_of(text)
    words = len(tokens)
    # One join in C counts the word characters faster than summing the lengths.
    word_chars = len("".join(tokens))
    spaced = words - cjk
    # Word length says nothing about text written mostly in CJK scripts.
    mean_length = (word_chars - cjk) / spaced if spaced * 2 > words else None
    # str.isalpha() settles most words in C, then again without surrounding punctuation;
    # only the rest ("don't", "2024", "e-mail") need the regex.
    rest = list(filterfalse(str.isalpha, tokens))
    rest = list(filterfalse(str.isalpha, map(_strip_punctuation, rest)))
    alpha = words - len(rest) + sum(1 for t in rest if _HAS_ALPHA.search(t))
    hashes = text.count("#")
    ellipses = text.count("...") + text.count("\u2026")
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    non_empty = [line for line in stripped if line]
    n_lines = len(lines)
    # Line ratios are over non-empty lines: the extractor separates paragraphs by a blank
    # line, where the published rules were measured on text with one line per paragraph.
    n_text_lines = len(non_empty)
    paragraphs = _PARAGRAPH_BREAK.split(text.strip())
    dup_lines, dup_line_chars = _duplicates(non_empty)
    dup_paras, dup_para_chars = _duplicates(paragraphs)
    chars = len(text)
    ending = tuple(thresholds.terminal_punctuation)
    short = thresholds.fineweb_short_line_chars
    c4 = c4_clean(text, thresholds, lines)

    def ratio(part: float, whole: float) -> float:
        return round(part / whole, 4) if whole else 0.0

    signals: dict[str, Any] = {
        "char_count": chars,
        "word_count": words,
        "line_count": n_lines if text else 0,
        "mean_word_length": None if mean_length is None else round(mean_length, 4),
        "alpha_word_ratio": ratio(alpha, words),
        "symbol_word_ratio": ratio(max(hashes, ellipses), words),
        "stop_word_count": (
            None if stop_words is None else sum(map(stop_words.__contains__, tokens))
        ),
        "bullet_line_ratio": ratio(sum(map(_starts_with_bullet, non_empty)), n_text_lines),
        "ellipsis_line_ratio": ratio(sum(map(_ends_with_ellipsis, non_empty)), n_text_lines),
        "dup_line_ratio": ratio(dup_lines, len(non_empty)),
        "dup_para_ratio": ratio(dup_paras, len(paragraphs)),
        "dup_line_char_ratio": ratio(dup_line_chars, chars),
        "dup_para_char_ratio": ratio(dup_para_chars, chars),
    }
    for key, value in ngram_repetition(tokens).items():
        signals[_NGRAM_COLUMNS[key]] = ratio(value, word_chars)
    signals.update(
        c4_lines_removed=c4.lines_removed,
        c4_chars_removed=c4.chars_removed,
        c4_sentence_count=c4.sentences,
        c4_lorem_ipsum=c4.lorem_ipsum,
        c4_curly_bracket=c4.curly_bracket,
        c4_text_cleaned=False,
        fineweb_line_punct_ratio=ratio(
            sum(map(operator.methodcaller("endswith", ending), non_empty)), n_text_lines
        ),
        fineweb_short_line_ratio=ratio(sum(map(short.__ge__, map(len, non_empty))), n_text_lines),
        fineweb_char_dup_ratio=ratio(
            _duplicates(list(compress(lines, stripped)))[1],
            chars - text.count("\n"),
        ),
        # datatrove counts newlines in text with one line per paragraph: here, the breaks
        # between non-empty lines.
        fineweb_list_ratio=ratio(max(n_text_lines - 1, 0), words),
    )
    return signals


# --- rules --------------------------------------------------------------------------------


def _gopher_quality(doc: Doc, t: QualityThresholds) -> list[DropReason]:
    reasons = []
    words = doc.word_count or 0
    if words < t.min_words:
        reasons.append(DropReason.TOO_FEW_WORDS)
    if words > t.max_words:
        reasons.append(DropReason.TOO_MANY_WORDS)
    mean = doc.mean_word_length
    if mean is not None and not t.min_mean_word_length <= mean <= t.max_mean_word_length:
        reasons.append(DropReason.MEAN_WORD_LENGTH)
    if (doc.symbol_word_ratio or 0.0) > t.max_symbol_word_ratio:
        reasons.append(DropReason.SYMBOL_RATIO)
    if (doc.bullet_line_ratio or 0.0) > t.max_bullet_line_ratio:
        reasons.append(DropReason.BULLET_LINES)
    if (doc.ellipsis_line_ratio or 0.0) > t.max_ellipsis_line_ratio:
        reasons.append(DropReason.ELLIPSIS_LINES)
    if words and (doc.alpha_word_ratio or 0.0) < t.min_alpha_word_ratio:
        reasons.append(DropReason.ALPHA_WORD_RATIO)
    if t.stop_words and (doc.stop_word_count or 0) < t.min_stop_words:
        reasons.append(DropReason.FEW_STOP_WORDS)
    return reasons


# (signal, threshold, reason) of every Gopher repetition rule: each fails above its threshold.
_REPETITION_RULES: tuple[tuple[str, str, DropReason], ...] = (
    ("dup_line_ratio", "max_dup_line_ratio", DropReason.DUP_LINES),
    ("dup_para_ratio", "max_dup_para_ratio", DropReason.DUP_PARAGRAPHS),
    ("dup_line_char_ratio", "max_dup_line_char_ratio", DropReason.DUP_LINE_CHARS),
    ("dup_para_char_ratio", "max_dup_para_char_ratio", DropReason.DUP_PARAGRAPH_CHARS),
    *(
        (column, f"max_{column}", DropReason(column.removesuffix("_char_ratio")))
        for column in _NGRAM_COLUMNS.values()
    ),
)


def _gopher_repetition(doc: Doc, t: QualityThresholds) -> list[DropReason]:
    return [
        reason
        for signal, limit, reason in _REPETITION_RULES
        if (getattr(doc, signal) or 0.0) > getattr(t, limit)
    ]


def _c4(doc: Doc, t: QualityThresholds) -> list[DropReason]:
    reasons = []
    if (doc.c4_sentence_count or 0) < t.c4_min_sentences:
        reasons.append(DropReason.C4_TOO_FEW_SENTENCES)
    if doc.c4_lorem_ipsum:
        reasons.append(DropReason.C4_LOREM_IPSUM)
    if doc.c4_curly_bracket:
        reasons.append(DropReason.C4_CURLY_BRACKET)
    return reasons


def _fineweb(doc: Doc, t: QualityThresholds) -> list[DropReason]:
    reasons = []
    if (doc.fineweb_line_punct_ratio or 0.0) <= t.fineweb_min_line_punct_ratio:
        reasons.append(DropReason.FINEWEB_LINE_PUNCTUATION)
    if (doc.fineweb_short_line_ratio or 0.0) >= t.fineweb_max_short_line_ratio:
        reasons.append(DropReason.FINEWEB_SHORT_LINES)
    if (doc.fineweb_char_dup_ratio or 0.0) >= t.fineweb_max_char_dup_ratio:
        reasons.append(DropReason.FINEWEB_CHAR_DUPLICATES)
    if (doc.fineweb_list_ratio or 0.0) > t.fineweb_max_list_ratio:
        reasons.append(DropReason.FINEWEB_LIST_RATIO)
    return reasons


RULES: dict[str, Callable[[Doc, QualityThresholds], list[DropReason]]] = {
    "gopher_quality": _gopher_quality,
    "gopher_repetition": _gopher_repetition,
    "c4": _c4,
    "fineweb": _fineweb,
}


def check_with(doc: Doc, thresholds: QualityThresholds, rules: tuple[str, ...]) -> list[str]:
    """The reasons `doc` fails the given rule groups under `thresholds`."""
    return [reason.value for group in rules for reason in RULES[group](doc, thresholds)]


# The decide step calls `check` once per document with the same settings object: the table is
# kept per object (the settings are held too, so their id cannot be reused). Workers that run the
# decide step read the language files themselves, as they read the language-ID model file.
_TABLES: dict[int, tuple[QualitySettings, LanguageTable]] = {}


def _table_of(settings: QualitySettings) -> LanguageTable:
    held = _TABLES.get(id(settings))
    if held is None or held[0] is not settings:
        held = _TABLES[id(settings)] = (settings, language_table(settings))
    return held[1]


def check(doc: Doc, settings: QualitySettings) -> list[str]:
    if doc.quality_skipped_reason is not None or doc.word_count is None:
        return []
    found = thresholds_for(doc.language, _table_of(settings))
    if isinstance(found, str):
        return []
    return check_with(doc, found, settings.rules)


# --- Beam ---------------------------------------------------------------------------------


def score(doc: Doc, settings: QualitySettings, table: LanguageTable) -> None:
    """Write every signal into `doc` (and clean its lines when configured)."""
    found = thresholds_for(doc.language, table)
    if isinstance(found, str):
        thresholds: QualityThresholds = settings
        stop_words = None
        doc.quality_skipped_reason = found
    else:
        thresholds = found
        stop_words = table.stop_words[doc.language or ""]
    for name, value in quality_signals(doc.text, thresholds, stop_words).items():
        setattr(doc, name, value)
    if settings.clean_lines and doc.c4_lines_removed:
        doc.text = "\n".join(c4_clean(doc.text, thresholds).kept)
        doc.c4_text_cleaned = True


class ScoreQuality(AnnotateDocs):
    stage = STAGE

    def __init__(self, settings: QualitySettings) -> None:
        self.settings = settings
        # Read when the pipeline is built, so a bad language file fails before the run and
        # the thresholds travel with the transform.
        self.table = language_table(settings)

    def annotate(self, doc: Doc) -> None:
        score(doc, self.settings, self.table)


def settings_file_info(settings: QualitySettings) -> dict[str, str]:
    """The language-settings folder as a manifest model entry."""
    table = language_table(settings)
    return {
        "name": "quality-languages",
        "backend": "yaml",
        "file": table.path,
        "sha256": table.sha256,
    }
