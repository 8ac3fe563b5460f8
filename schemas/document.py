"""The document that flows through the pipeline, one per usable input record.

Every stage reads and writes typed attributes of `Doc`; there is no free-form metadata bag.
Columns of the ledger (see `schemas.ledger`) are a projection of these attributes, so adding
a stage means adding its typed fields here and its column group there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    KEPT = "kept"
    REJECTED = "rejected"
    ERROR = "error"


@dataclass(slots=True, frozen=True)
class PiiSpan:
    """One detected PII entity: its type and offsets in the extracted text before redaction.

    With `quality.clean_lines` the quality stage, which runs before PII redaction, rewrites the
    text to the lines C4 keeps; the offsets then refer to that cleaned text.
    """

    type: str
    start: int
    end: int


@dataclass(slots=True)
class ShardStats:
    """What reading one shard found; feeds the manifest's `inputs` section."""

    index: int
    uri: str
    format: str
    bytes: int = 0
    sha256: str = ""
    records: int = 0
    documents: int = 0
    errors: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Doc:
    # --- identity and provenance (set by the reader) ---
    id: str
    source_uri: str
    source_record: str
    source_format: str
    # Content fields stay out of repr(): Beam logs elements at debug level, and an exception
    # message may quote one; neither may carry document text, URLs or raw ids.
    source_id: str | None = field(default=None, repr=False)
    url: str | None = field(default=None, repr=False)
    crawl: str | None = None
    fetch_date: str | None = None
    payload_digest: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    # Raw payload and response headers, kept only until the stages that need markup (licence and
    # opt-out tagging) have run; never written to any output.
    payload: bytes | None = field(default=None, repr=False)
    http_headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    text: str = field(default="", repr=False)

    # --- outcome (set by the reader for errors, by the decide step otherwise) ---
    status: Status = Status.KEPT
    stage: str | None = None
    reason: str | None = None
    # Every rule the document failed, as "stage:reason", in stage order. In annotate mode the
    # document is kept and this is the only record of its verdicts.
    flags: list[str] = field(default_factory=list)

    # --- language identification ---
    language: str | None = None
    language_score: float | None = None

    # --- quality signals ---
    char_count: int | None = None
    word_count: int | None = None
    line_count: int | None = None
    mean_word_length: float | None = None
    alpha_word_ratio: float | None = None
    symbol_word_ratio: float | None = None
    stop_word_count: int | None = None
    bullet_line_ratio: float | None = None
    ellipsis_line_ratio: float | None = None
    dup_line_ratio: float | None = None
    dup_para_ratio: float | None = None
    dup_line_char_ratio: float | None = None
    dup_para_char_ratio: float | None = None
    top_2gram_char_ratio: float | None = None
    top_3gram_char_ratio: float | None = None
    top_4gram_char_ratio: float | None = None
    dup_5gram_char_ratio: float | None = None
    dup_6gram_char_ratio: float | None = None
    dup_7gram_char_ratio: float | None = None
    dup_8gram_char_ratio: float | None = None
    dup_9gram_char_ratio: float | None = None
    dup_10gram_char_ratio: float | None = None
    c4_lines_removed: int | None = None
    c4_chars_removed: int | None = None
    c4_sentence_count: int | None = None
    c4_lorem_ipsum: bool | None = None
    c4_curly_bracket: bool | None = None
    # Whether C4 line cleaning rewrote `text` (quality.clean_lines); later stages, PII offsets
    # included, then see the cleaned text.
    c4_text_cleaned: bool | None = None
    fineweb_line_punct_ratio: float | None = None
    fineweb_short_line_ratio: float | None = None
    fineweb_char_dup_ratio: float | None = None
    fineweb_list_ratio: float | None = None
    # Why no quality rule was applied (the language has no settings file), else None.
    quality_skipped_reason: str | None = None

    # --- word-list filter and quality classifier ---
    word_list_hits: int | None = None
    quality_model_score: float | None = None

    # --- PII ---
    pii_spans: list[PiiSpan] = field(default_factory=list)

    # --- toxicity and identity mentions ---
    toxicity_score: float | None = None
    toxicity_labels: dict[str, float] = field(default_factory=dict)
    identity_groups: list[str] = field(default_factory=list)

    # --- licence, opt-out, domains ---
    domain: str | None = None
    registered_domain: str | None = None
    license: str | None = None
    license_evidence: str | None = None
    license_confidence: float | None = None
    opt_out: bool | None = None
    opt_out_signals: list[str] = field(default_factory=list)

    # --- duplicates ---
    exact_hash: str | None = None
    dup_cluster: str | None = None
    dup_cluster_size: int | None = None
    dup_of: str | None = None
    # Whether the normalised text equals the representative's (None unless `dup_of` is set).
    dup_exact: bool | None = None

    # --- bookkeeping, never written ---
    # Set by the reader on a shard's last document only: a local build writes the shard's unit
    # once that many documents have passed the per-shard stages, with no shuffle to join
    # documents to their shard's statistics (pipelines/resume.py).
    shard_stats: ShardStats | None = field(default=None, repr=False)

    @property
    def is_error(self) -> bool:
        return self.status is Status.ERROR

    def fail(self, stage: str, message: str) -> None:
        """Mark the document as errored; later stages pass it through untouched."""
        self.status = Status.ERROR
        self.stage = stage
        self.reason = message
        self.payload = None


def document_id(shard_name: str, record_locator: str) -> str:
    """A stable id from source identity, not content.

    `shard_name` is the input file's base name (crawl shard names are unique, and base names keep
    ids stable when a corpus moves between machines or buckets); `record_locator` is the
    WARC-Record-ID, ARC offset, JSONL line or Parquet row. Ids stay valid across re-runs, which
    is what takedown lists and ledger joins need.
    """
    digest = hashlib.blake2b(f"{shard_name}\n{record_locator}".encode(), digest_size=16)
    return digest.hexdigest()
