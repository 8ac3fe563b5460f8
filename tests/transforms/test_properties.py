"""Property tests: arbitrary bytes and strings give documents or error rows, never an exception.

Readers get arbitrary bytes and damaged copies of valid shards in every format; every
per-document stage (taken from the stage registry, so a stage is covered once registered) and
the pure parts of the batched stages (toxicity, dedup) get arbitrary text, including the
characters and shapes that break naive code. Examples are fixed (the `curate` hypothesis
profile in conftest) and each must finish within the profile's deadline.
"""

from __future__ import annotations

import gzip
import itertools
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.build import resolve_model_paths
from pipelines.registry import STAGES
from pipelines.sample_corpus import gzip_member
from schemas.config import CurateConfig, InputSettings
from schemas.document import Doc, Status
from schemas.ledger import ledger_schema, to_row
from tests.corrupt_shards import _entries, _json_line
from transforms import dedup, minhash, toxicity
from transforms.base import AnnotateDocs
from transforms.read import READERS, ShardSpec, detect_format

CONFIG = resolve_model_paths(CurateConfig())
SETTINGS = InputSettings(max_record_bytes=4096)

# Pieces that break naive text code: PII shapes, markup, control and bidi characters, scripts
# without spaces, combining marks, surrogate-free astral characters, runs of one symbol.
TRICKY = (
    "@", "@@@@@@@@", "a@b.c", "john.doe@example.org", "+44 20 7946 0958", "4111 1111 1111 1111",
    "192.0.2.1", "http://x.example/a?b=c&d", "CC BY-SA 4.0", "SPDX-License-Identifier: MIT",
    "((((((", "))))))", "[[{{<<", "...", "#", "\n", "\n\n\n", "\t", "\r", "\x00", "\u202e",
    "\ufeff", "é", "\u0301", "中文字符", "日本語の文", "עברית", "🙂", "lorem ipsum", "{", "}",
    "•", "- ", "0123456789", "-", ".", " ", "<script>", "&amp;", "ﬁ", "İ", "ß",
)  # fmt: skip
WORDS = (
    "the", "ferry", "leaves", "every", "forty", "minutes", "and", "first", "crossing", "is",
    "quiet", "herons", "on", "mud", "flats", "volunteers", "planted", "plum", "trees", "school",
)  # fmt: skip
texts = st.one_of(
    st.text(max_size=2000),
    st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=12)), max_size=200).map("".join),
    st.lists(st.sampled_from(WORDS + TRICKY), max_size=400).map(" ".join),
)


# --- readers --------------------------------------------------------------------------------


def read(path: Path) -> list[Doc]:
    fmt = detect_format(path.name)
    assert fmt is not None
    spec = ShardSpec(index=0, uri=str(path), name=path.name, format=fmt, size=path.stat().st_size)
    skipped: Counter[str] = Counter()
    return list(READERS[fmt](spec, SETTINGS, lambda r: skipped.update([r])))


def check_documents(path: Path, docs: list[Doc]) -> None:
    """What every reader output must be: documents or located errors, writable as rows."""
    assert len({d.id for d in docs}) == len(docs)
    schema = ledger_schema([])
    for doc in docs:
        assert doc.status in (Status.KEPT, Status.ERROR)
        if doc.status is Status.ERROR:
            assert doc.stage == "read"
            assert doc.reason and doc.reason.startswith(f"{path.name} {doc.source_record}: ")
    # Every value can be written: the ledger row of each document is valid Arrow data.
    pa.Table.from_pylist([to_row(d, schema) for d in docs], schema=schema)
    for doc in docs:
        (doc.text or "").encode("utf-8")


NAMES = (
    "x.warc.gz", "x.warc", "x.warc.wet.gz", "x.arc.gz", "x.arc", "x.jsonl", "x.jsonl.gz",
    "x.jsonl.zst", "x.parquet",
)  # fmt: skip


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


# Cheap examples (a few ms each): more of them than the profile's default.
@settings(max_examples=200)
@given(data=st.binary(max_size=2048), name=st.sampled_from(NAMES))
def test_readers_take_arbitrary_bytes(scratch: Path, data: bytes, name: str) -> None:
    path = scratch / name
    path.write_bytes(data)
    check_documents(path, read(path))


def _valid_shards() -> dict[str, bytes]:
    import pyarrow.parquet as pq
    import zstandard

    entries = _entries("valid.warc.gz", 3)
    lines = b"".join(_json_line(n) for n in range(1, 4))
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": ["one", "two"], "id": ["a", "b"]}), sink)
    arc_block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>hello</p>"
    arc = gzip_member(b"filedesc://x.arc 0.0.0.0 20260101000000 text/plain 3\nabc\n") + b"".join(
        gzip_member(
            b"http://a.example/%d 192.0.2.1 20260101000000 text/html %d\n%s\n"
            % (n, len(arc_block), arc_block)
        )
        for n in range(3)
    )
    return {
        "x.warc.gz": b"".join(gzip_member(d) for _, d in entries),
        "x.warc": b"".join(d for _, d in entries),
        "x.arc.gz": arc,
        "x.jsonl": lines,
        "x.jsonl.gz": gzip.compress(lines, mtime=0),
        "x.jsonl.zst": zstandard.ZstdCompressor().compress(lines),
        "x.parquet": sink.getvalue().to_pybytes(),
    }


VALID = _valid_shards()
# A damage: (kind, position as a fraction of the file, length, byte).
damages = st.lists(
    st.tuples(
        st.sampled_from(("flip", "delete", "insert", "truncate", "zero")),
        st.floats(0, 1),
        st.integers(1, 64),
        st.integers(0, 255),
    ),
    min_size=1,
    max_size=4,
)


def damaged(data: bytes, edits: list[tuple[str, float, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, where, length, byte in edits:
        at = int(where * len(out))
        if kind == "flip":
            out[at : at + length] = bytes(b ^ (byte or 1) for b in out[at : at + length])
        elif kind == "delete":
            del out[at : at + length]
        elif kind == "insert":
            out[at:at] = bytes([byte]) * length
        elif kind == "truncate":
            del out[at:]
        else:
            out[at : at + length] = b"\x00" * len(out[at : at + length])
    return bytes(out)


# Cheap examples (a few ms each): more of them than the profile's default.
@settings(max_examples=200)
@given(name=st.sampled_from(sorted(VALID)), edits=damages)
def test_readers_take_damaged_copies_of_valid_shards(
    scratch: Path, name: str, edits: list[tuple[str, float, int, int]]
) -> None:
    path = scratch / f"damaged-{name}"
    path.write_bytes(damaged(VALID[name], edits))
    check_documents(path, read(path))


def test_valid_shards_read_without_errors(scratch: Path) -> None:
    for name, data in VALID.items():
        path = scratch / f"valid-{name}"
        path.write_bytes(data)
        docs = read(path)
        assert docs and all(d.status is Status.KEPT for d in docs), name


# --- per-document stages --------------------------------------------------------------------


@pytest.fixture(scope="module")
def stages(lid_model: Path) -> list[tuple[str, AnnotateDocs, Callable[[Doc, Any], list[str]]]]:
    found = []
    for stage in STAGES:
        if not stage.enabled(CONFIG):
            continue
        fn = getattr(stage.annotate(CONFIG), "fn", None)
        if isinstance(fn, AnnotateDocs):
            fn.setup()
            found.append((stage.name, fn, stage.check))
    names = {name for name, _, _ in found}
    assert {"extract", "license", "language", "quality", "pii", "identity"} <= names, names
    return found


def run_stages(stages: list[Any], doc: Doc) -> Doc:
    original = doc.text
    for name, fn, check in stages:
        before = doc.text
        fn.annotate(doc)
        reasons = check(doc, CONFIG)
        assert all(isinstance(r, str) and r for r in reasons), (name, reasons)
        if name == "pii":
            for span in doc.pii_spans:
                assert 0 <= span.start < span.end <= len(before), span
            spans = sorted((s.start, s.end) for s in doc.pii_spans)
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans
        if name == "extract" and doc.source_format == "jsonl":
            assert doc.text == original
    doc.text.encode("utf-8")
    for name in doc.__slots__:
        value = getattr(doc, name)
        if isinstance(value, float):
            assert math.isfinite(value), name
    schema = ledger_schema([s[0] for s in stages])
    pa.Table.from_pylist([to_row(doc, schema)], schema=schema)
    return doc


def _doc(**fields: Any) -> Doc:
    return Doc(id="0" * 32, source_uri="x", source_record="line:1", **fields)


# Cheap examples (a few ms each): more of them than the profile's default.
@settings(max_examples=200)
@given(text=texts)
def test_every_document_stage_takes_any_text(stages: list[Any], text: str) -> None:
    run_stages(stages, _doc(source_format="jsonl", text=text))


markup = st.one_of(
    st.binary(max_size=2048),
    st.lists(
        st.one_of(
            st.sampled_from(("<p>", "</p>", "<div>", "<br>", "<!--", "-->", "<meta charset=x>",
                             '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">',
                             "<script>", "</script>", "&#xD800;", "&#0;", "&nbsp;", "<", ">")),
            texts,
        ),
        max_size=40,
    ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)  # fmt: skip


# Cheap examples (a few ms each): more of them than the profile's default.
@settings(max_examples=200)
@given(
    payload=markup,
    content_type=st.sampled_from(("text/html", "text/plain", "application/xhtml+xml", None)),
    charset=st.sampled_from(("utf-8", "iso-8859-1", "shift_jis", "x-bogus", "", "utf-16")),
    status=st.sampled_from((200, 404, None)),
)
def test_every_document_stage_takes_any_markup(
    stages: list[Any], payload: bytes, content_type: str | None, charset: str, status: int | None
) -> None:
    headers = ()
    if content_type:
        headers = (("content-type", f"{content_type}; charset={charset}"),)
    doc = _doc(
        source_format="warc",
        payload=payload,
        content_type=content_type,
        http_headers=headers,
        http_status=status,
        url="https://example.org/a",
    )
    run_stages(stages, doc)


# --- batched stages: their pure parts -------------------------------------------------------


@pytest.fixture(scope="module")
def toxicity_scorer() -> Any:
    return toxicity.make_model_handler(CONFIG.toxicity).load_model()


@given(batch=st.lists(texts, min_size=1, max_size=4))
def test_toxicity_scores_any_text(toxicity_scorer: Any, batch: list[str]) -> None:
    settings = CONFIG.toxicity
    for text in batch:
        chunks = toxicity.split_chunks(text, settings.chunk_chars, settings.max_chunks)
        assert 1 <= len(chunks) <= settings.max_chunks
        assert all(len(c) <= settings.chunk_chars for c in chunks)
        if len(chunks) < settings.max_chunks:
            assert "".join(chunks) == text
        tokens = toxicity.rule_tokens(text)
        assert all(isinstance(t, str) for t in tokens)
    predictions = toxicity.score_texts(batch, toxicity_scorer, settings)
    assert len(predictions) == len(batch)
    for prediction in predictions:
        assert isinstance(prediction, dict)
        assert all(0.0 <= v <= 1.0 for v in prediction.values())


@given(batch=st.lists(texts, min_size=1, max_size=6))
def test_dedup_keys_of_any_text(batch: list[str]) -> None:
    settings = CONFIG.dedup
    docs = [_doc(source_format="jsonl", text=text) for text in batch]
    for i, doc in enumerate(docs):
        doc.id = f"{i:032x}"
    keys = dedup.dedup_keys(docs, settings, minhash.MinHasher(settings.num_perm, settings.seed))
    assert [k.id for k in keys] == [d.id for d in docs]
    for text, doc in zip(batch, docs, strict=True):
        normalized = minhash.normalize_text(text)
        assert minhash.normalize_text(normalized) == normalized
        if normalized.strip():
            assert doc.exact_hash == dedup.exact_hash(text)
    # Equal normalised texts share their exact key.
    by_text: dict[str, set[str]] = {}
    for text, key in zip(batch, keys, strict=True):
        if minhash.normalize_text(text).strip():
            by_text.setdefault(minhash.normalize_text(text), set()).add(key[1])
    assert all(len(group) == 1 for group in by_text.values())


# --- pathological inputs --------------------------------------------------------------------
# Shapes that make regex engines backtrack or split into millions of tokens.
PATHOLOGICAL = {
    "digits": "0123456789",
    "spaced_digits": "12 34 ",
    "at_signs": "@",
    "a_at": "a@",
    "email_like": "a.b@c.",
    "phone_like": "+1 (555) ",
    "nested_punctuation": "([{<",
    "dots": ".",
    "newlines": "\n",
    "one_long_word": "x",
    "mixed": "a1@.-_ ",
}


def _pathological(name: str, size: int) -> str:
    unit = PATHOLOGICAL[name]
    text = unit * (size // len(unit))
    if name == "nested_punctuation":
        text = text[: size // 2] + ">}])" * (size // 8)
    return text


def _run_timed(stages: list[Any], text: str) -> dict[str, float]:
    import time

    doc = _doc(source_format="jsonl", text=text)
    seconds = {}
    for name, fn, check in stages:
        started = time.perf_counter()
        fn.annotate(doc)
        check(doc, CONFIG)
        seconds[name] = time.perf_counter() - started
    return seconds


def test_pathological_text_of_100_kb_is_quick(stages: list[Any]) -> None:
    for name in ("digits", "at_signs", "nested_punctuation", "spaced_digits"):
        seconds = _run_timed(stages, _pathological(name, 100_000))
        # About 1 s on a loaded 2-core machine; a regex that backtracks takes minutes.
        assert sum(seconds.values()) < 15, (name, seconds)


@pytest.mark.slow
def test_pathological_megabyte_lines_finish_in_bounded_time(
    stages: list[Any], toxicity_scorer: Any
) -> None:
    import time

    for name in PATHOLOGICAL:
        small = sum(_run_timed(stages, _pathological(name, 100_000)).values())
        large_text = _pathological(name, 1_000_000)
        large = _run_timed(stages, large_text)
        # Ten times the text may take ten times as long (and noise), not a hundred.
        assert sum(large.values()) < 60, (name, large)
        assert sum(large.values()) < 30 * small + 2, (name, small, large)
        started = time.perf_counter()
        (prediction,) = toxicity.score_texts([large_text], toxicity_scorer, CONFIG.toxicity)
        dedup.dedup_keys(
            [_doc(source_format="jsonl", text=large_text)],
            CONFIG.dedup,
            minhash.MinHasher(CONFIG.dedup.num_perm, CONFIG.dedup.seed),
        )
        assert time.perf_counter() - started < 60, name
        assert isinstance(prediction, dict)
