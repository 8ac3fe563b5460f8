"""The ledger and data Parquet schemas: typed columns projected from `Doc`.

The ledger has one row per input document (kept, rejected and errored) and no text; the data
files hold kept documents with every ledger column plus `text`. Columns are grouped by the stage
that fills them, so a build's schema lists exactly the stages it ran.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from schemas.document import Doc

PII_SPAN = pa.struct([("type", pa.string()), ("start", pa.int32()), ("end", pa.int32())])
# A map<string, float> stored as its Parquet representation, a list of key/value structs:
# Hugging Face `datasets` cannot load Arrow map columns, and the release must load there.
LABEL_SCORE = pa.struct([("label", pa.string()), ("score", pa.float32())])

BASE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("id", pa.string(), nullable=False),
    pa.field("source_uri", pa.string(), nullable=False),
    pa.field("source_record", pa.string(), nullable=False),
    pa.field("source_format", pa.string(), nullable=False),
    pa.field("source_id", pa.string()),
    pa.field("url", pa.string()),
    pa.field("crawl", pa.string()),
    pa.field("fetch_date", pa.string()),
    pa.field("payload_digest", pa.string()),
    pa.field("http_status", pa.int32()),
    pa.field("content_type", pa.string()),
    pa.field("status", pa.string(), nullable=False),
    pa.field("stage", pa.string()),
    pa.field("reason", pa.string()),
    pa.field("flags", pa.list_(pa.string())),
)

# Column groups by stage name, in pipeline order.
STAGE_FIELDS: dict[str, tuple[pa.Field, ...]] = {
    "extract": (),
    "language": (
        pa.field("language", pa.string()),
        pa.field("language_score", pa.float32()),
    ),
    "quality": (
        pa.field("char_count", pa.int32()),
        pa.field("word_count", pa.int32()),
        pa.field("line_count", pa.int32()),
        pa.field("mean_word_length", pa.float32()),
        pa.field("alpha_word_ratio", pa.float32()),
        pa.field("symbol_word_ratio", pa.float32()),
        pa.field("stop_word_count", pa.int32()),
        pa.field("bullet_line_ratio", pa.float32()),
        pa.field("ellipsis_line_ratio", pa.float32()),
        pa.field("dup_line_ratio", pa.float32()),
        pa.field("dup_para_ratio", pa.float32()),
        pa.field("dup_line_char_ratio", pa.float32()),
        pa.field("dup_para_char_ratio", pa.float32()),
        *(pa.field(f"top_{n}gram_char_ratio", pa.float32()) for n in (2, 3, 4)),
        *(pa.field(f"dup_{n}gram_char_ratio", pa.float32()) for n in range(5, 11)),
        pa.field("c4_lines_removed", pa.int32()),
        pa.field("c4_chars_removed", pa.int32()),
        pa.field("c4_sentence_count", pa.int32()),
        pa.field("c4_lorem_ipsum", pa.bool_()),
        pa.field("c4_curly_bracket", pa.bool_()),
        pa.field("c4_text_cleaned", pa.bool_()),
        pa.field("fineweb_line_punct_ratio", pa.float32()),
        pa.field("fineweb_short_line_ratio", pa.float32()),
        pa.field("fineweb_char_dup_ratio", pa.float32()),
        pa.field("fineweb_list_ratio", pa.float32()),
        pa.field("quality_skipped_reason", pa.string()),
    ),
    "word_list": (pa.field("word_list_hits", pa.int32()),),
    "quality_model": (pa.field("quality_model_score", pa.float32()),),
    "pii": (pa.field("pii_spans", pa.list_(PII_SPAN)),),
    "toxicity": (
        pa.field("toxicity_score", pa.float32()),
        pa.field("toxicity_labels", pa.list_(LABEL_SCORE)),
    ),
    "identity": (pa.field("identity_groups", pa.list_(pa.string())),),
    "license": (
        pa.field("domain", pa.string()),
        pa.field("registered_domain", pa.string()),
        pa.field("license", pa.string()),
        pa.field("license_evidence", pa.string()),
        pa.field("license_confidence", pa.float32()),
        pa.field("opt_out", pa.bool_()),
        pa.field("opt_out_signals", pa.list_(pa.string())),
    ),
    "dedup": (
        pa.field("exact_hash", pa.string()),
        pa.field("dup_cluster", pa.string()),
        pa.field("dup_cluster_size", pa.int32()),
        pa.field("dup_of", pa.string()),
        pa.field("dup_exact", pa.bool_()),
    ),
}

TEXT_FIELD = pa.field("text", pa.string(), nullable=False)


def ledger_schema(stages: Iterable[str]) -> pa.Schema:
    fields = list(BASE_FIELDS)
    for stage in stages:
        fields.extend(STAGE_FIELDS[stage])
    return pa.schema(fields)


def data_schema(stages: Iterable[str]) -> pa.Schema:
    return ledger_schema(stages).append(TEXT_FIELD)


def _cell(doc: Doc, name: str) -> Any:
    value = getattr(doc, name)
    if name == "pii_spans":
        return [{"type": s.type, "start": s.start, "end": s.end} for s in value]
    if name == "toxicity_labels":
        return [{"label": label, "score": score} for label, score in sorted(value.items())]
    if name == "status":
        return str(value)
    return value


def to_row(doc: Doc, schema: pa.Schema) -> dict[str, Any]:
    """One output row for `doc` with exactly the columns of `schema`."""
    return {name: _cell(doc, name) for name in schema.names}
