"""Settings of the quality stages: heuristic rules, the word-list filter, the fastText classifier.

`QualityThresholds` holds every heuristic threshold; its defaults are the published values
(Gopher: Rae et al. 2021, appendix A; C4: Raffel et al. 2020 and TFDS `c4_utils`; FineWeb:
Penedo et al. 2024 and datatrove's filters; sources per rule in docs/quality.md). The top-level
`quality` section holds them as the base every language starts from; a per-language YAML file
(`<languages_dir>/<lang>.yaml`) adds its stop words and may override any threshold. Languages
without a file are not filtered: their documents pass with `quality_skipped_reason` set.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The rule groups of the quality stage, in the order their verdicts are recorded.
RuleGroup = Literal["gopher_quality", "gopher_repetition", "c4", "fineweb"]
RULE_GROUPS: tuple[RuleGroup, ...] = ("gopher_quality", "gopher_repetition", "c4", "fineweb")

# n of the Gopher repetition n-gram rules (columns `top_{n}gram_char_ratio`,
# `dup_{n}gram_char_ratio`).
TOP_NGRAMS = (2, 3, 4)
DUP_NGRAMS = (5, 6, 7, 8, 9, 10)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _ratio(default: float, description: str) -> Any:
    return Field(default=default, ge=0.0, le=1.0, description=description)


class QualityThresholds(_Section):
    """Every heuristic threshold; a language file may override any of them."""

    # --- Gopher quality (Rae et al. 2021, A.1.1) ---
    min_words: int = Field(default=50, ge=0, description="Minimum words per document.")
    max_words: int = Field(default=100_000, ge=1, description="Maximum words per document.")
    min_mean_word_length: float = Field(default=3.0, ge=0, description="Minimum mean word length.")
    max_mean_word_length: float = Field(default=10.0, ge=0, description="Maximum mean word length.")
    max_symbol_word_ratio: float = Field(
        default=0.1,
        ge=0,
        description="Maximum ratio to words of '#' symbols, and separately of ellipses "
        "('...' or U+2026); the larger of the two is recorded.",
    )
    max_bullet_line_ratio: float = _ratio(
        0.9, "Maximum share of lines that start with a bullet point."
    )
    max_ellipsis_line_ratio: float = _ratio(
        0.3, "Maximum share of lines that end with an ellipsis."
    )
    min_alpha_word_ratio: float = _ratio(
        0.8, "Minimum share of words that contain at least one alphabetic character."
    )
    min_stop_words: int = Field(
        default=2, ge=0, description="Minimum occurrences of the language's stop words."
    )
    stop_words: tuple[str, ...] = Field(
        default=(),
        description="The language's stop words (lowercase); set in the language files. Empty "
        "turns the stop-word rule off.",
    )
    # --- Gopher repetition (Rae et al. 2021, A.1.1, table A1) ---
    max_dup_line_ratio: float = _ratio(
        0.3, "Maximum share of non-empty lines that repeat an earlier line."
    )
    max_dup_para_ratio: float = _ratio(
        0.3, "Maximum share of paragraphs that repeat an earlier one."
    )
    max_dup_line_char_ratio: float = _ratio(
        0.2, "Maximum share of characters in lines that repeat an earlier line."
    )
    max_dup_para_char_ratio: float = _ratio(
        0.2, "Maximum share of characters in paragraphs that repeat an earlier one."
    )
    max_top_2gram_char_ratio: float = _ratio(
        0.2, "Maximum share of word characters in the most frequent word 2-gram."
    )
    max_top_3gram_char_ratio: float = _ratio(
        0.18, "Maximum share of word characters in the most frequent word 3-gram."
    )
    max_top_4gram_char_ratio: float = _ratio(
        0.16, "Maximum share of word characters in the most frequent word 4-gram."
    )
    max_dup_5gram_char_ratio: float = _ratio(
        0.15, "Maximum share of word characters inside word 5-grams that occur more than once."
    )
    max_dup_6gram_char_ratio: float = _ratio(0.14, "As above, for 6-grams.")
    max_dup_7gram_char_ratio: float = _ratio(0.13, "As above, for 7-grams.")
    max_dup_8gram_char_ratio: float = _ratio(0.12, "As above, for 8-grams.")
    max_dup_9gram_char_ratio: float = _ratio(0.11, "As above, for 9-grams.")
    max_dup_10gram_char_ratio: float = _ratio(0.10, "As above, for 10-grams.")
    # --- C4 (Raffel et al. 2020, section 2.2; TFDS c4_utils) ---
    terminal_punctuation: tuple[str, ...] = Field(
        default=(".", "?", "!", '"', "'"),
        min_length=1,
        description="Line endings that count as terminal punctuation (C4 line rule and "
        "FineWeb's line-punctuation ratio).",
    )
    c4_min_words_per_line: int = Field(
        default=3, ge=0, description="C4: lines with fewer words are removed."
    )
    c4_max_word_length: int = Field(
        default=1000, ge=1, description="C4: lines with a longer word are removed."
    )
    c4_min_sentences: int = Field(
        default=5, ge=0, description="C4: documents with fewer sentences in their kept lines fail."
    )
    # --- FineWeb (Penedo et al. 2024; datatrove FineWebQualityFilter) ---
    fineweb_min_line_punct_ratio: float = _ratio(
        0.12,
        "FineWeb: documents whose share of lines ending in terminal punctuation is at or below "
        "this fail.",
    )
    fineweb_max_short_line_ratio: float = _ratio(
        0.67, "FineWeb: documents whose share of short lines is at or above this fail."
    )
    fineweb_short_line_chars: int = Field(
        default=30, ge=1, description="FineWeb: a line of at most this many characters is short."
    )
    fineweb_max_char_dup_ratio: float = _ratio(
        0.01,
        "FineWeb: documents whose share of characters in repeated non-empty lines is at or "
        "above this fail.",
    )
    fineweb_max_list_ratio: float = Field(
        default=0.3, ge=0, description="FineWeb: maximum ratio of newlines to words."
    )

    @model_validator(mode="after")
    def _check_ranges(self) -> QualityThresholds:
        if self.min_words > self.max_words:
            raise ValueError("min_words must not exceed max_words")
        if self.min_mean_word_length > self.max_mean_word_length:
            raise ValueError("min_mean_word_length must not exceed max_mean_word_length")
        return self


class WordListSettings(_Section):
    enabled: bool = Field(
        default=False,
        description="Run the C4-style word-list filter (stage `word_list`): a document with any "
        "listed word is removed. Off by default, as it removes text about some identity groups "
        "more often (see the bias audit).",
    )
    files: dict[str, str] = Field(
        default={"en": "configs/word_lists/en.txt"},
        description="Word-list file per language (one word or phrase a line, '#' comments); "
        "documents in other languages are not checked.",
    )


class QualityClassifierSettings(_Section):
    model: str | None = Field(
        default=None,
        description="fastText quality model (from `curate train-quality`); empty turns the "
        "classifier stage (`quality_model`) off.",
    )
    model_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="Expected sha256 of the model file; a mismatch stops the build. Empty: not "
        "checked (the sha256 is still recorded in the manifest).",
    )
    label: str = Field(
        default="hq", min_length=1, description="The model's label whose probability is recorded."
    )
    min_score: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Documents whose probability of `label` is below this are removed "
        "(0 only records scores).",
    )
    max_chars: int = Field(
        default=10_000, ge=100, description="Characters of each document given to the model."
    )
    batch_size: int = Field(default=256, ge=1, description="Documents per model call.")


class QualitySettings(QualityThresholds):
    """The `quality` section: base thresholds, rule groups, language files, line cleaning."""

    rules: tuple[RuleGroup, ...] = Field(
        default=RULE_GROUPS,
        description="Rule groups applied: gopher_quality, gopher_repetition, c4, fineweb. All "
        "signals are recorded whatever this says.",
    )
    languages_dir: str = Field(
        default="configs/quality",
        description="Folder of per-language settings `<lang>.yaml` (stop words, threshold "
        "overrides). Documents in languages without a file are not filtered and get "
        "`quality_skipped_reason`.",
    )
    clean_lines: bool = Field(
        default=False,
        description="Apply C4 line cleaning to the text (remove the lines C4 removes). Off: the "
        "text is unchanged and the C4 columns say what cleaning would remove. On: later stages, "
        "PII offsets included, see the cleaned text.",
    )
    word_list: WordListSettings = WordListSettings()
    classifier: QualityClassifierSettings = QualityClassifierSettings()
