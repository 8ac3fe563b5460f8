"""Write the release: deterministic, atomic Parquet shards for data/, ledger/ and rejected/.

Beam's own `WriteToParquet` assigns rows to shards in bundle order, so its files differ from
run to run. Here every document goes to the shard `id mod num_shards` (ids are hashes, so
shards are balanced), each shard's rows are sorted by id and written with fixed settings: the
same inputs and config give byte-identical files whatever the worker count.

Workers write into `OUTDIR/_staging/`; each file appears under its staging name only through a
rename once complete. After the pipeline succeeds, `publish` removes the old manifest, moves
the files to their final names (removing stale shards of an earlier build) and renames the new
manifest into place last: a crashed run never leaves a partial file under a final name, and a
`manifest.json` always describes the files beside it. `_staging/units/` (see
`pipelines.resume`) survives a crash so that a rerun resumes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import posixpath
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines.layout import shard_name, shard_of
from schemas.config import ConfigError, OutputSettings
from schemas.document import Doc, ShardStats, Status
from schemas.ledger import data_schema, ledger_schema, to_row
from transforms.base import StageClock

STAGING = "_staging"
# dedup/: the kept documents' exact hashes and MinHash band keys (pipelines.dedup_index).
FOLDERS = ("data", "ledger", "rejected", "dedup")
INPUT_STATS = "inputs.json"
SUMMARIES = "summaries"
# Scratch folders of a local build's global pass (pipelines/global_pass.py).
SCRATCH = ("dedup_keys", "runs")


class OutputError(ConfigError):
    """Writing the release failed for a reason of the output location (full, read-only, ...).

    Reported like a config error, in one sentence, but with exit status 1: the build failed.
    """

    exit_status = 1


# errno values that mean the output location, not the data, is at fault.
_OUTPUT_ERRNOS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a path component is not a directory",
    errno.EFBIG: "file too large",
}


def failure_reason(exc: BaseException) -> str:
    """A short reason for an I/O failure, without paths or tracebacks."""
    return output_failure(exc) or type(exc).__name__


def output_failure(exc: BaseException) -> str | None:
    """The output-location reason behind `exc`, if that is what it is.

    Errors raised in Beam worker processes reach the launcher as text, so the message is
    searched as well as the exception chain.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _OUTPUT_ERRNOS:
            return _OUTPUT_ERRNOS[seen.errno]
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    for code, reason in _OUTPUT_ERRNOS.items():
        if f"[Errno {code}]" in text:
            return reason
    return None


def join(*parts: str) -> str:
    return FileSystems.join(*parts) if "://" in parts[0] else posixpath.join(*parts)


def write_atomically(path: str, payload: bytes) -> None:
    temporary = f"{path}.tmp-{uuid.uuid4().hex}"
    with FileSystems.create(temporary) as stream:
        stream.write(payload)
    FileSystems.rename([temporary], [path])


def parquet_bytes(rows: list[dict[str, Any]], schema: pa.Schema, output: OutputSettings) -> bytes:
    table = pa.Table.from_pylist(rows, schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        row_group_size=output.row_group_rows,
        compression="zstd",
        compression_level=output.zstd_level,
    )
    return sink.getvalue().to_pybytes()


class WriteRelease(beam.PTransform):
    """Route each document's rows to their shards and write every shard once."""

    def __init__(
        self, outdir: str, stage_names: list[str], num_shards: int, output: OutputSettings
    ) -> None:
        super().__init__()
        self.staging = join(outdir, STAGING)
        self.num_shards = num_shards
        self.output = output
        self.schemas = {
            "ledger": ledger_schema(stage_names),
            "data": data_schema(stage_names),
            "rejected": data_schema(stage_names),
        }

    def route(self, doc: Doc) -> Iterator[tuple[tuple[str, int], dict[str, Any]]]:
        shard = shard_of(doc.id, self.num_shards)
        yield ("ledger", shard), to_row(doc, self.schemas["ledger"])
        if doc.status is Status.KEPT:
            yield ("data", shard), to_row(doc, self.schemas["data"])
        elif doc.status is Status.REJECTED and self.output.write_rejected:
            yield ("rejected", shard), to_row(doc, self.schemas["rejected"])

    def write_shard(self, keyed: tuple[tuple[str, int], Iterable[dict[str, Any]]]) -> str:
        (folder, shard), rows = keyed
        clock = StageClock("write")
        with clock.measure():
            ordered = sorted(rows, key=lambda row: row["id"])
            path = join(self.staging, folder, shard_name(shard, self.num_shards))
            write_atomically(path, parquet_bytes(ordered, self.schemas[folder], self.output))
        clock.flush()
        return path

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return (
            docs
            # Doc -> ((folder, shard), row): one ledger row per document, data rows if kept
            | "route_to_shards" >> beam.FlatMap(self.route)
            # ((folder, shard), [row, ...]): all rows of one output file together
            | "group_shard_rows" >> beam.GroupByKey()
            # staged file path
            | "write_parquet_shards" >> beam.Map(self.write_shard)
        )


class WriteInputStats(beam.PTransform):
    """Gather every shard's `ShardStats` into one staged JSON file for the manifest."""

    def __init__(self, outdir: str) -> None:
        super().__init__()
        self.path = join(outdir, STAGING, INPUT_STATS)

    def write(self, stats: list[ShardStats]) -> str:
        ordered = [asdict(s) for s in sorted(stats, key=lambda s: s.index)]
        write_atomically(self.path, json.dumps(ordered, sort_keys=True).encode())
        return self.path

    def expand(self, stats: beam.PCollection) -> beam.PCollection:
        return (
            stats
            | "collect_shard_stats" >> beam.combiners.ToList()
            | "write_input_stats" >> beam.Map(self.write)
        )


class WriteStageSummary(beam.PTransform):
    """Stage one stage's whole-corpus summary (a single JSON-ready dict) for the manifest."""

    def __init__(self, outdir: str, stage: str) -> None:
        super().__init__()
        self.path = join(outdir, STAGING, SUMMARIES, f"{stage}.json")

    def write(self, summary: dict[str, Any]) -> str:
        write_atomically(self.path, json.dumps(summary, sort_keys=True).encode())
        return self.path

    def expand(self, summary: beam.PCollection) -> beam.PCollection:
        return summary | "write_summary" >> beam.Map(self.write)


def prepare_staging(outdir: str) -> None:
    """An empty staging area, except the per-shard units a crashed run left to resume from."""
    staging = join(outdir, STAGING)
    folders = [join(staging, folder) for folder in (*FOLDERS, SUMMARIES)]
    scratch = [join(staging, folder) for folder in SCRATCH]
    if FileSystems.exists(staging):
        # Folders by name (a glob lists only files on some filesystems), then loose files.
        leftovers = [path for path in folders + scratch if FileSystems.exists(path)] + [
            m.path
            for m in FileSystems.match([join(staging, "*")])[0].metadata_list
            if posixpath.basename(m.path.rstrip("/")) != "units" and m.path not in folders + scratch
        ]
        if leftovers:
            FileSystems.delete(leftovers)
    for folder in folders:
        FileSystems.mkdirs(folder)


def sha256_file(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with FileSystems.open(path) as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def fill_empty_shards(
    outdir: str, stage_names: list[str], num_shards: int, output: OutputSettings
) -> None:
    """Write a zero-row file for every data/ledger shard that received no rows.

    Every release then has exactly `num_shards` files per folder, which keeps its layout a
    function of the config alone and makes an empty result loadable.
    """
    schemas = {"data": data_schema(stage_names), "ledger": ledger_schema(stage_names)}
    folders = ["data", "ledger"] + (["rejected"] if output.write_rejected else [])
    for folder in folders:
        schema = schemas.get(folder, schemas["data"])
        for shard in range(num_shards):
            path = join(outdir, STAGING, folder, shard_name(shard, num_shards))
            if not FileSystems.exists(path):
                write_atomically(path, parquet_bytes([], schema, output))


def staged_files(outdir: str) -> list[str]:
    """Relative paths (folder/name) of the staged Parquet files, sorted."""
    found = []
    for folder in FOLDERS:
        pattern = join(outdir, STAGING, folder, "*.parquet")
        for match in FileSystems.match([pattern])[0].metadata_list:
            found.append(f"{folder}/{posixpath.basename(match.path)}")
    return sorted(found)


def publish(outdir: str, relative_paths: list[str], manifest_json: bytes) -> None:
    """Move staged files to their final names, drop stale shards, then write the manifest.

    The old manifest goes first: from then until the new one is renamed into place the folder
    holds no manifest, so no manifest ever lists files that are not the ones beside it.
    """
    manifest = join(outdir, "manifest.json")
    staged_manifest = join(outdir, STAGING, "manifest.json")
    write_atomically(staged_manifest, manifest_json)
    if FileSystems.exists(manifest):
        FileSystems.delete([manifest])
    # Temporary files that a crash left beside final names (a page `curate report` rewrote).
    orphans = [
        m.path
        for m in FileSystems.match([join(outdir, "*.tmp-*")])[0].metadata_list
        if ".tmp-" in posixpath.basename(m.path)
    ]
    if orphans:
        FileSystems.delete(orphans)
    for folder in FOLDERS:
        final_folder = join(outdir, folder)
        keep = {p.split("/", 1)[1] for p in relative_paths if p.startswith(folder + "/")}
        if not FileSystems.exists(final_folder):
            if not keep:
                continue
            FileSystems.mkdirs(final_folder)
        stale = [
            m.path
            for m in FileSystems.match([join(final_folder, "*.parquet")])[0].metadata_list
            if posixpath.basename(m.path) not in keep
        ]
        if stale:
            FileSystems.delete(stale)
    sources = [join(outdir, STAGING, p) for p in relative_paths]
    targets = [join(outdir, p) for p in relative_paths]
    # Renames replace existing files: a reader sees the old file or the new one, never a part.
    FileSystems.rename(sources, targets)
    FileSystems.rename([staged_manifest], [manifest])
    FileSystems.delete([join(outdir, STAGING)])
