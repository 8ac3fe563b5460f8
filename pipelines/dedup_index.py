"""The release's dedup index (`OUTDIR/dedup/`): exact hash and MinHash band keys per kept document.

An incremental build (`curate run --parent OUTDIR`) deduplicates its new documents against these
rows instead of re-reading the parent's text (see `transforms.dedup`). Shards follow the data
files (`id mod num_shards`, sorted by id, fixed Parquet settings), so the files are
deterministic like the rest of the release.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from pipelines.release import STAGING, join, parquet_bytes, shard_name, shard_of, write_atomically
from schemas.config import OutputSettings
from schemas.dedup import INDEX_SCHEMA
from schemas.document import Doc, Status

FOLDER = "dedup"


class WriteDedupIndex(beam.PTransform):
    """{"index": (id, (exact hash, bands)), "docs": decided Doc} -> staged dedup/ shards."""

    def __init__(self, outdir: str, num_shards: int, output: OutputSettings) -> None:
        super().__init__()
        self.folder = join(outdir, STAGING, FOLDER)
        self.num_shards = num_shards
        self.output = output

    @staticmethod
    def kept_id(doc: Doc) -> Iterator[tuple[str, bool]]:
        if doc.status is Status.KEPT:
            yield doc.id, True

    def route(self, element: tuple[str, dict[str, Iterable[Any]]]) -> Iterator[Any]:
        doc_id, joined = element
        records = list(joined["index"])
        if records and any(joined["kept"]):
            exact, bands = records[0]
            row = {"id": doc_id, "exact_hash": exact, "bands": list(bands)}
            yield shard_of(doc_id, self.num_shards), row

    def write(self, keyed: tuple[int, Iterable[dict[str, Any]]]) -> str:
        shard, rows = keyed
        ordered = sorted(rows, key=lambda row: row["id"])
        path = join(self.folder, shard_name(shard, self.num_shards))
        write_atomically(path, parquet_bytes(ordered, INDEX_SCHEMA, self.output))
        return path

    def expand(self, pcolls: dict[str, beam.PCollection]) -> beam.PCollection:
        kept = pcolls["docs"] | "kept_ids" >> beam.FlatMap(self.kept_id)
        return (
            {"index": pcolls["index"], "kept": kept}
            # (id, {index: [(hash, bands)], kept: [True]}): ids and hashes only, never text
            | "join_kept_ids" >> beam.CoGroupByKey()
            # (shard, row) for kept documents
            | "route_index_rows" >> beam.FlatMap(self.route)
            | "group_index_rows" >> beam.GroupByKey()
            | "write_index_shards" >> beam.Map(self.write)
        )


def fill_empty_index_shards(outdir: str, num_shards: int, output: OutputSettings) -> None:
    """A zero-row file for every index shard without rows, as for data/ and ledger/."""
    for shard in range(num_shards):
        path = join(outdir, STAGING, FOLDER, shard_name(shard, num_shards))
        if not FileSystems.exists(path):
            write_atomically(path, parquet_bytes([], INDEX_SCHEMA, output))


def index_files(release_dir: str) -> list[str]:
    """The dedup index files of a published release, sorted."""
    pattern = join(release_dir, FOLDER, "*.parquet")
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)
