"""Length and word-shape quality signals (Gopher quality rules).

Reads: `text`. Writes: `char_count`, `word_count`, `line_count`, `mean_word_length`,
`alpha_word_ratio`, `symbol_word_ratio`.
Drop reasons: `too_few_words`, `too_many_words`, `mean_word_length` (outside the configured
range), `symbol_ratio` ('#' and ellipses per word), `alpha_word_ratio` (too few words with an
alphabetic character). Thresholds default to Rae et al. 2021 ("Scaling Language Models:
Methods, Analysis & Insights from Training Gopher", appendix A.1.1).

Words are whitespace-separated tokens, as in Gopher, except that each Han, Hiragana or
Katakana character counts as one word (those scripts do not separate words by spaces) and CJK
punctuation separates tokens like a space. CJK characters are left out of the mean word
length, which is undefined (None, rule not applied) when most tokens are CJK characters.

Version history: 1 - Gopher quality signals.
"""

from __future__ import annotations

import re
from enum import StrEnum

from schemas.config import QualitySettings
from schemas.document import Doc
from transforms.base import AnnotateDocs

STAGE = "quality"
VERSION = "1"

# Kana and Han characters; CJK punctuation and full-width punctuation.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCTUATION = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
# A token is one CJK character or a run of other characters up to a space or CJK punctuation
# (which, written without spaces around it, plays the part of a space).
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}{_CJK_PUNCTUATION}]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_CJK_PUNCTUATION_CHAR = re.compile(rf"[{_CJK_PUNCTUATION}]")
_HAS_ALPHA = re.compile(r"[^\W\d_]")


class DropReason(StrEnum):
    TOO_FEW_WORDS = "too_few_words"
    TOO_MANY_WORDS = "too_many_words"
    MEAN_WORD_LENGTH = "mean_word_length"
    SYMBOL_RATIO = "symbol_ratio"
    ALPHA_WORD_RATIO = "alpha_word_ratio"


def quality_signals(text: str) -> dict[str, float | int | None]:
    # Every CJK token is a single CJK character, so they can be counted over the whole text;
    # text without them (most of a crawl) is split on whitespace in C.
    cjk = len(_CJK_CHAR.findall(text))
    tokens = _TOKEN.findall(text) if cjk or _CJK_PUNCTUATION_CHAR.search(text) else text.split()
    words = len(tokens)
    spaced = words - cjk
    # Word length says nothing about text written mostly in CJK scripts.
    mean_length = (sum(map(len, tokens)) - cjk) / spaced if spaced * 2 > words else None
    # str.isalpha() settles most words in C; only the rest need the regex.
    alpha = sum(1 for t in tokens if t.isalpha() or _HAS_ALPHA.search(t))
    symbols = text.count("#") + text.count("...") + text.count("\u2026")
    return {
        "char_count": len(text),
        "word_count": words,
        "line_count": text.count("\n") + 1 if text else 0,
        "mean_word_length": None if mean_length is None else round(mean_length, 4),
        "alpha_word_ratio": round(alpha / words, 4) if words else 0.0,
        "symbol_word_ratio": round(symbols / words, 4) if words else 0.0,
    }


def check(doc: Doc, settings: QualitySettings) -> list[str]:
    reasons = []
    words = doc.word_count or 0
    if words < settings.min_words:
        reasons.append(DropReason.TOO_FEW_WORDS.value)
    if words > settings.max_words:
        reasons.append(DropReason.TOO_MANY_WORDS.value)
    mean = doc.mean_word_length
    if (
        mean is not None
        and not settings.min_mean_word_length <= mean <= settings.max_mean_word_length
    ):
        reasons.append(DropReason.MEAN_WORD_LENGTH.value)
    if (doc.symbol_word_ratio or 0.0) > settings.max_symbol_word_ratio:
        reasons.append(DropReason.SYMBOL_RATIO.value)
    if words and (doc.alpha_word_ratio or 0.0) < settings.min_alpha_word_ratio:
        reasons.append(DropReason.ALPHA_WORD_RATIO.value)
    return reasons


class ScoreQuality(AnnotateDocs):
    stage = STAGE

    def __init__(self, settings: QualitySettings) -> None:
        self.settings = settings

    def annotate(self, doc: Doc) -> None:
        for name, value in quality_signals(doc.text).items():
            setattr(doc, name, value)
