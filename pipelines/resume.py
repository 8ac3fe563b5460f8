"""Resumable local builds: per-input-shard results staged under `OUTDIR/_staging/units/`.

A local build runs in two kinds of pass. Per-shard passes read input shards and run every stage
that looks at one document at a time (extract ... toxicity); each shard's annotated documents
are written as one *unit* (`<key>.parquet`, then `<key>.json`, the completion marker, both by
rename). The global pass then reads all units and runs the stages that need the whole corpus
(dedup), the decide step and the release writer.

A unit's key is the sha256 of the shard's URI and content sha256, the per-document part of the
config, the code version (package version, git commit, stage versions) and the model files'
sha256: a rerun with the same output directory reuses exactly the units that are still valid
and recomputes the others. Dedup is global, so the global pass always runs again; it reads the
units, not the inputs. Units hold documents losslessly (floats as float64), so a resumed build
writes the same bytes as an uninterrupted one.

Pending shards are split into passes of about `run.resume_batch_bytes` input bytes; a crash
loses at most the pass in progress.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines.release import STAGING, join, write_atomically
from schemas.config import CurateConfig
from schemas.document import Doc, PiiSpan, ShardStats, Status
from schemas.ledger import data_schema, to_row
from schemas.manifest import CodeInfo, ModelInfo
from transforms.read import ShardSpec

UNITS = "units"
# Sections of the config that the decide step and the global stages read, not the per-shard
# passes: changing them never invalidates a unit.
_GLOBAL_SECTIONS = ("mode", "dedup", "output", "run")


def units_dir(outdir: str) -> str:
    return join(outdir, STAGING, UNITS)


def _widen(kind: pa.DataType) -> pa.DataType:
    """float32 -> float64 and int32 -> int64, recursively: units must hold Python values
    exactly (the decide step compares them with thresholds)."""
    if pa.types.is_float32(kind):
        return pa.float64()
    if pa.types.is_int32(kind):
        return pa.int64()
    if pa.types.is_list(kind):
        return pa.list_(_widen(kind.value_type))
    if pa.types.is_struct(kind):
        return pa.struct([pa.field(f.name, _widen(f.type), f.nullable) for f in kind])
    return kind


def unit_schema(stage_names: Iterable[str]) -> pa.Schema:
    base = data_schema(stage_names)
    return pa.schema([pa.field(f.name, _widen(f.type), f.nullable) for f in base])


def doc_from_row(row: dict[str, Any]) -> Doc:
    """The inverse of `to_row` on a unit row."""
    values = dict(row)
    values["status"] = Status(values["status"])
    if "pii_spans" in values:
        values["pii_spans"] = [PiiSpan(**span) for span in values["pii_spans"] or ()]
    if "toxicity_labels" in values:
        values["toxicity_labels"] = {
            item["label"]: item["score"] for item in values["toxicity_labels"] or ()
        }
    for name in ("flags", "identity_groups", "opt_out_signals"):
        if name in values and values[name] is None:
            values[name] = []
    return Doc(**values)


def unit_key(
    spec: ShardSpec,
    sha256: str,
    config: CurateConfig,
    code: CodeInfo,
    stage_versions: dict[str, str],
    models: list[ModelInfo],
) -> str:
    per_document = {k: v for k, v in config.resolved().items() if k not in _GLOBAL_SECTIONS}
    # The input list is not part of the key: a shard's documents do not depend on its peers.
    per_document["input"] = {k: v for k, v in per_document["input"].items() if k != "paths"}
    identity = {
        "uri": spec.uri,
        "sha256": sha256,
        "config": per_document,
        "code": {"version": code.version, "commit": code.git_commit, "stages": stage_versions},
        "models": sorted(m.sha256 for m in models),
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def finished_units(outdir: str, keys: Iterable[str]) -> set[str]:
    """The keys whose completion marker exists (the marker is renamed into place last)."""
    return {k for k in keys if FileSystems.exists(join(units_dir(outdir), f"{k}.json"))}


def plan_passes(specs: list[ShardSpec], batch_bytes: int) -> list[list[ShardSpec]]:
    """Consecutive shards in passes of at least `batch_bytes` input bytes (the last smaller)."""
    passes: list[list[ShardSpec]] = []
    current: list[ShardSpec] = []
    size = 0
    for spec in specs:
        current.append(spec)
        size += spec.size
        if size >= batch_bytes:
            passes.append(current)
            current, size = [], 0
    if current:
        passes.append(current)
    return passes


class WriteUnits(beam.DoFn):
    """Docs of one pass -> one staged unit per input shard [unit key].

    The per-shard stages neither shuffle nor flatten, so the runner fuses the read and every
    stage into one step, and each shard's documents pass through the bundle that read it. The
    reader puts the shard's statistics on its last document; a unit is written as soon as that
    many documents have arrived (stages that batch may hand documents on out of order). No
    document crosses a shuffle, so memory holds the shards in flight, not the pass. A bundle
    that ends with a shard incomplete fails the pass rather than write a partial unit.
    Shards without documents are written by `WriteEmptyUnits`.
    """

    def __init__(
        self, outdir: str, keys: dict[str, str], stage_names: list[str], row_group_rows: int
    ) -> None:
        self.writer = _UnitWriter(outdir, keys, stage_names, row_group_rows)

    def start_bundle(self) -> None:
        self._docs: dict[str, list[Doc]] = defaultdict(list)
        self._stats: dict[str, ShardStats] = {}

    def process(self, doc: Doc) -> Iterator[str]:
        uri = doc.source_uri
        self._docs[uri].append(doc)
        if doc.shard_stats is not None:
            self._stats[uri] = doc.shard_stats
            doc.shard_stats = None
        stats = self._stats.get(uri)
        if stats is not None and len(self._docs[uri]) == stats.documents:
            yield self.writer.write(self._docs.pop(uri), self._stats.pop(uri))

    def finish_bundle(self) -> None:
        incomplete = sorted(self._docs)
        if incomplete:
            raise RuntimeError(
                f"{len(incomplete)} input shard(s) ended a bundle with documents missing, "
                f"first {incomplete[0]}: the per-shard stages must not shuffle documents"
            )


class WriteEmptyUnits(beam.DoFn):
    """ShardStats of one pass -> the unit of each shard that yielded no document [unit key]."""

    def __init__(
        self, outdir: str, keys: dict[str, str], stage_names: list[str], row_group_rows: int
    ) -> None:
        self.writer = _UnitWriter(outdir, keys, stage_names, row_group_rows)

    def process(self, stats: ShardStats) -> Iterator[str]:
        if stats.documents == 0:
            yield self.writer.write([], stats)


class _UnitWriter:
    def __init__(
        self, outdir: str, keys: dict[str, str], stage_names: list[str], row_group_rows: int
    ) -> None:
        self.directory = units_dir(outdir)
        self.keys = keys
        self.schema = unit_schema(stage_names)
        self.row_group_rows = row_group_rows

    def write(self, docs: list[Doc], stats: ShardStats) -> str:
        key = self.keys[stats.uri]
        docs.sort(key=lambda doc: doc.id)
        table = pa.Table.from_pylist([to_row(d, self.schema) for d in docs], schema=self.schema)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, row_group_size=self.row_group_rows, compression="zstd")
        write_atomically(join(self.directory, f"{key}.parquet"), sink.getvalue().to_pybytes())
        # The marker last: a unit without one is recomputed.
        write_atomically(
            join(self.directory, f"{key}.json"), json.dumps(asdict(stats), sort_keys=True).encode()
        )
        return key


def read_unit(path: str) -> Iterator[Doc]:
    """The documents of one staged unit, streamed by row group."""
    with FileSystems.open(path) as stream:
        parquet = pq.ParquetFile(stream)
        for group in range(parquet.num_row_groups):
            for row in parquet.read_row_group(group).to_pylist():
                yield doc_from_row(row)


def unit_paths(outdir: str, keys: list[str]) -> list[str]:
    return [join(units_dir(outdir), f"{key}.parquet") for key in keys]


def unit_stats(outdir: str, specs: list[ShardSpec], keys: list[str]) -> list[dict[str, Any]]:
    """Each shard's ShardStats from its unit marker, numbered as in this run's plan."""
    stats = []
    for spec, key in zip(specs, keys, strict=True):
        with FileSystems.open(join(units_dir(outdir), f"{key}.json")) as stream:
            found = ShardStats(**json.loads(stream.read()))
        found.index = spec.index
        stats.append(asdict(found))
    return stats


def prune_units(outdir: str, keep: set[str]) -> None:
    """Remove units this run does not use and temporary files that a crash left behind."""
    directory = units_dir(outdir)
    if not FileSystems.exists(directory):
        return
    stale = [
        m.path
        for m in FileSystems.match([join(directory, "*")])[0].metadata_list
        if posixpath.basename(m.path).split(".", 1)[0] not in keep or ".tmp-" in m.path
    ]
    if stale:
        FileSystems.delete(stale)
