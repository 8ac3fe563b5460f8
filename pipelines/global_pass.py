"""The global pass of a local build: dedup over ids, then every unit finished where it lies.

Beam's local runner holds every shuffle in the launcher's memory, so the global pass never
shuffles documents; only ids, hashes and verdicts move:

    units -> dedup keys (exact hash, band keys, rank; the unit's (id, hash, bands) staged beside
             it for the dedup index) -> clusters (`transforms.dedup.ClusterKeys`)
          -> verdicts joined to their unit by id, grouped by unit
          -> per unit: read its documents again, apply the verdicts, decide, and stage its rows
             of each output shard as a sorted run (`_staging/runs/`)
          -> per output shard: its runs concatenated, sorted by id, written once.

The text is read from the staged units twice (for signatures, then for the release) instead of
crossing two shuffles, so memory grows with the number of documents by the size of their ids
and band keys only, and no worker holds more than one unit or one output shard. The remote
runners' one-graph build (`build.build_pipeline`) shuffles documents instead: their shuffles
spill to disk. Both write the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam import pvalue
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from pipelines import release, resume
from pipelines.decide import decide
from pipelines.layout import shard_name, shard_of
from pipelines.registry import Stage, enabled_stages
from schemas.config import CurateConfig
from schemas.dedup import INDEX_SCHEMA
from schemas.document import Doc, Status
from schemas.ledger import data_schema, ledger_schema, to_row
from transforms import dedup, minhash
from transforms.base import StageClock

# Scratch folders under _staging/, removed once the pass has written the release.
KEYS, RUNS = release.SCRATCH

# Verdict of one document, as it crosses the shuffles: (id, DupResult tuple or None, sampled
# pairs, error message or None).
Verdict = tuple[str, Any, list[tuple[str, str]], str | None]


def _scratch(outdir: str, folder: str) -> str:
    return release.join(outdir, release.STAGING, folder)


def remove_scratch(outdir: str) -> None:
    found = [
        path for path in (_scratch(outdir, f) for f in release.SCRATCH) if FileSystems.exists(path)
    ]
    if found:
        FileSystems.delete(found)


def table_bytes(table: pa.Table, output: Any) -> bytes:
    """A release file's bytes: the settings of `release.parquet_bytes`, from a table."""
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        row_group_size=output.row_group_rows,
        compression="zstd",
        compression_level=output.zstd_level,
    )
    return bytes(sink.getvalue().to_pybytes())


def release_schemas(config: CurateConfig) -> dict[str, pa.Schema]:
    """The schema of each folder of the release."""
    stages = [stage.name for stage in enabled_stages(config)]
    return {
        "ledger": ledger_schema(stages),
        "data": data_schema(stages),
        "rejected": data_schema(stages),
        "dedup": INDEX_SCHEMA,
    }


class _UnitKeys(beam.DoFn):
    """(unit index, path) -> DedupKey tuples [main], (id, unit) ["where"], (unit, error verdict)
    ["errors"], summary items ["summary"]; stages the unit's (id, exact hash, bands)."""

    def __init__(self, config: CurateConfig, outdir: str) -> None:
        self._settings = config.dedup
        self._folder = _scratch(outdir, KEYS)
        self._docs = Metrics.counter(dedup.STAGE, "documents")

    def setup(self) -> None:
        settings = self._settings
        self._hasher = (
            minhash.MinHasher(settings.num_perm, settings.seed) if settings.near else None
        )

    def process(self, unit: tuple[int, str]) -> Iterator[Any]:
        index, path = unit
        clock = StageClock(dedup.STAGE)
        rows: list[dict[str, Any]] = []
        batch: list[Doc] = []
        stream = resume.read_unit(path)
        while True:
            batch = [doc for doc in _take(stream, 256) if not doc.is_error]
            if not batch:
                break
            with clock.measure():
                keys = dedup.keys_or_errors(batch, self._settings, self._hasher)
            for doc in batch:
                if doc.is_error:
                    yield pvalue.TaggedOutput("errors", (index, (doc.id, None, [], doc.reason)))
            for key in map(dedup.DedupKey._make, keys):
                yield tuple(key)
                yield pvalue.TaggedOutput("where", (key.id, index))
                if not key.exact_hash.startswith("empty:"):
                    rows.append({"id": key.id, "exact_hash": key.exact_hash, "bands": key.bands})
            if keys:
                self._docs.inc(len(keys))
                yield pvalue.TaggedOutput("summary", ("documents", len(keys)))
        clock.flush()
        table = pa.Table.from_pylist(rows, schema=INDEX_SCHEMA)
        payload = pa.BufferOutputStream()
        pq.write_table(table, payload, compression="zstd", compression_level=1)
        release.write_atomically(
            release.join(self._folder, f"{index:06d}.parquet"), payload.getvalue().to_pybytes()
        )


def _take(stream: Iterator[Doc], count: int) -> list[Doc]:
    batch = []
    for doc in stream:
        batch.append(doc)
        if len(batch) == count:
            break
    return batch


def _route_verdicts(element: tuple[str, dict[str, Iterable[Any]]]) -> Iterator[Any]:
    """(id, {where: [unit], dup: [DupResult], verify: [edge]}) -> (unit, Verdict)."""
    doc_id, joined = element
    # Ids are unique by construction; should two documents share one, they share a node and so
    # a verdict: the smallest keeps the output independent of arrival order.
    results = sorted(joined["dup"], key=repr)
    pairs = sorted(set(joined["verify"]))
    for unit in sorted(set(joined["where"])):
        yield unit, (doc_id, results[0] if results else None, pairs, None)


class _FinishUnit(beam.DoFn):
    """(unit, verdicts) -> ((folder, shard), staged run path) [main]; shingle payloads of
    sampled pairs' ends ["shingles"]."""

    def __init__(self, config: CurateConfig, paths: list[str], outdir: str, num_shards: int):
        self._config = config
        self._paths = paths
        self._stages = [stage.name for stage in enabled_stages(config)]
        self._dedup = dedup.STAGE in self._stages
        self._outdir = outdir
        self._num_shards = num_shards
        self._schemas = release_schemas(config)

    def _staged_keys(self, index: int) -> dict[str, dict[str, Any]]:
        path = release.join(_scratch(self._outdir, KEYS), f"{index:06d}.parquet")
        with FileSystems.open(path) as stream:
            return {row["id"]: row for row in pq.read_table(stream).to_pylist()}

    def process(self, element: tuple[int, Iterable[Verdict | None]]) -> Iterator[Any]:
        index, verdicts = element
        found = {v[0]: v for v in verdicts if v is not None}
        keys = self._staged_keys(index) if self._dedup else {}
        decide_clock, write_clock = StageClock("decide"), StageClock("write")
        rows: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        write_rejected = self._config.output.write_rejected
        for doc in resume.read_unit(self._paths[index]):
            verdict = found.get(doc.id)
            staged = keys.get(doc.id)
            if verdict is not None:
                _, result, pairs, error = verdict
                if error is not None:
                    doc.fail(dedup.STAGE, error)
                else:
                    doc.exact_hash = staged["exact_hash"] if staged else None
                    if result is not None:
                        dedup.apply_result(doc, result)
                    if pairs:
                        payload = dedup.shingle_payload(doc.text, self._config.dedup)
                        for pair in pairs:
                            yield pvalue.TaggedOutput("shingles", (pair, payload))
            with decide_clock.measure():
                decide(doc, self._config, self._stages)
            shard = shard_of(doc.id, self._num_shards)
            rows["ledger", shard].append(to_row(doc, self._schemas["ledger"]))
            if doc.status is Status.KEPT:
                rows["data", shard].append(to_row(doc, self._schemas["data"]))
                if staged is not None:
                    rows["dedup", shard].append(staged)
            elif doc.status is Status.REJECTED and write_rejected:
                rows["rejected", shard].append(to_row(doc, self._schemas["rejected"]))
        with write_clock.measure():
            for (folder, shard), shard_rows in sorted(rows.items()):
                table = pa.Table.from_pylist(shard_rows, schema=self._schemas[folder])
                payload = pa.BufferOutputStream()
                pq.write_table(table, payload, compression="zstd", compression_level=1)
                path = release.join(
                    _scratch(self._outdir, RUNS), f"{folder}-{shard:05d}-{index:06d}.parquet"
                )
                release.write_atomically(path, payload.getvalue().to_pybytes())
                yield (folder, shard), path
        decide_clock.flush()
        write_clock.flush()


class _MergeRuns:
    """((folder, shard), run paths) -> the staged release file: runs concatenated, sorted by id."""

    def __init__(self, config: CurateConfig, outdir: str, num_shards: int) -> None:
        self._schemas = release_schemas(config)
        self._output = config.output
        self._staging = release.join(outdir, release.STAGING)
        self._num_shards = num_shards

    def __call__(self, element: tuple[tuple[str, int], Iterable[str]]) -> str:
        (folder, shard), paths = element
        clock = StageClock("write")
        with clock.measure():
            ordered = sorted(paths)
            tables = []
            for path in ordered:
                with FileSystems.open(path) as stream:
                    tables.append(pq.read_table(stream, schema=self._schemas[folder]))
            # Ids are unique and sort the same as bytes (UTF-8) and as Python strings.
            table = pa.concat_tables(tables).sort_by("id").combine_chunks()
            path = release.join(self._staging, folder, shard_name(shard, self._num_shards))
            release.write_atomically(path, table_bytes(table, self._output))
            FileSystems.delete(ordered)
        clock.flush()
        return path


def build(
    pipeline: beam.Pipeline,
    config: CurateConfig,
    unit_paths: list[str],
    num_shards: int,
    outdir: str,
    prior_index: list[str],
    documents: int,
) -> None:
    """The global pass's graph: units -> (dedup) -> decide -> staged release files.

    `documents`: how many the units hold, which sizes dedup's band-key sketch.
    """
    whole_corpus = [stage for stage in enabled_stages(config) if stage.whole_corpus]
    _check_whole_corpus(whole_corpus)
    units = (
        pipeline
        # (index, staged unit path): one element per input shard
        | "list_units" >> beam.Create(list(enumerate(unit_paths)))
        | "reshuffle_units" >> beam.Reshuffle()
    )
    finish = _FinishUnit(config, unit_paths, outdir, num_shards)
    if whole_corpus:
        settings = config.dedup
        dedup.lsh_params(settings)  # a bad setting fails here, before any work
        keyed = units | "compute_keys" >> beam.ParDo(_UnitKeys(config, outdir)).with_outputs(
            "where", "errors", "summary", main="keys"
        )
        expected = documents + sum(dedup.index_rows(path) for path in prior_index)
        clusters = keyed.keys | "cluster" >> dedup.ClusterKeys(settings, prior_index, expected)
        verdicts = (
            {"where": keyed.where, "dup": clusters["results"], "verify": clusters["verify"]}
            # (id, {where, dup, verify}): ids, verdicts and sampled edges only, never text
            | "join_verdicts" >> beam.CoGroupByKey()
            | "route_verdicts" >> beam.FlatMap(_route_verdicts)
        )
        # Every unit gets a group, even one whose documents all errored earlier.
        present = units | "every_unit" >> beam.Map(lambda unit: (unit[0], None))
        by_unit = (
            (verdicts, keyed.errors, present)
            | "all_verdicts" >> beam.Flatten()
            | "group_verdicts_by_unit" >> beam.GroupByKey()
        )
    else:
        by_unit = units | "no_verdicts" >> beam.Map(lambda unit: (unit[0], []))
    finished = by_unit | "finish_units" >> beam.ParDo(finish).with_outputs("shingles", main="runs")
    _ = (
        finished.runs
        | "group_runs" >> beam.GroupByKey()
        | "write_release" >> beam.Map(_MergeRuns(config, outdir, num_shards))
    )
    if whole_corpus:
        verified = finished.shingles | "verify" >> dedup.VerifyPairs(settings.threshold)
        summary = (
            (keyed.summary, clusters["summary"], verified)
            | "summary_items" >> beam.Flatten()
            | "summary" >> dedup.Summarise(settings)
        )
        _ = summary | f"record_{dedup.STAGE}_summary" >> release.WriteStageSummary(
            outdir, dedup.STAGE
        )


def _check_whole_corpus(stages: list[Stage]) -> None:
    # The pass above is written for dedup, the one whole-corpus stage; a new one needs its own
    # slim records here rather than a shuffle of documents.
    unknown = [stage.name for stage in stages if stage.name != dedup.STAGE]
    if unknown:
        raise NotImplementedError(f"the local global pass does not know the stages {unknown}")
