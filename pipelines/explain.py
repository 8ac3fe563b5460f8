"""`curate explain OUTDIR ID_OR_URL`: one document's whole path through a build.

Prints where the document came from (input file and record locator), each stage's scores and
verdict in pipeline order, its duplicate cluster and representative, and where it ended up.

It reads as little as it can, so that it answers in well under a second on a release of a
million documents (`make bench`, `bench/bench_explain.py`): an id names its ledger shard
(`layout.shard_of`, the rule the writer used), and within the shard, whose rows are sorted by
id, the row groups' min/max statistics name the one row group to read. A URL is looked up in
the `url` column only (row groups whose statistics exclude it are skipped), then the `id`
column of the row groups that matched, then each match's row as for an id. Every value printed
passes through `inspect._safe`, so a URL or locator cannot send terminal control sequences.
Nothing prints document text.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.inspect import _safe
from pipelines.layout import shard_name, shard_of
from schemas.config import ConfigError
from schemas.ledger import STAGE_FIELDS

ID_PATTERN = re.compile(r"[0-9a-f]{32}")
MAX_MATCHES = 20
# Columns shown in the header rather than under a stage.
_PROVENANCE = (
    "source_uri", "source_record", "source_format", "source_id", "url", "crawl",
    "fetch_date", "payload_digest", "http_status", "content_type",
)  # fmt: skip


def load_release(outdir: str | Path) -> dict[str, Any]:
    path = Path(outdir, "manifest.json")
    if not path.is_file():
        raise ConfigError(f"{outdir} is not a Curate release (no manifest.json).")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ConfigError(f"{path} is not a readable manifest.") from None
    return manifest


def shard_count(manifest: dict[str, Any], folder: str = "ledger") -> int:
    """The number of shards per folder, from the output file names the manifest lists."""
    names = [o["path"] for o in manifest["outputs"] if o["path"].startswith(folder + "/")]
    if not names:
        raise ConfigError(f"The manifest lists no {folder}/ files.")
    match = re.search(r"-of-(\d+)\.parquet$", names[0])
    if match is None:
        raise ConfigError(f"Unexpected output file name {names[0]}.")
    return int(match.group(1))


def _stat_range(row_group: Any, column: int) -> tuple[Any, Any] | None:
    stats = row_group.column(column).statistics
    if stats is None or not stats.has_min_max:
        return None
    return stats.min, stats.max


def lookup_id(outdir: str | Path, manifest: dict[str, Any], doc_id: str) -> dict[str, Any] | None:
    """The ledger row of `doc_id`, reading one row group of one shard."""
    num_shards = shard_count(manifest)
    path = Path(outdir, "ledger", shard_name(shard_of(doc_id, num_shards), num_shards))
    parquet = pq.ParquetFile(path)
    column = parquet.schema_arrow.get_field_index("id")
    for index in range(parquet.metadata.num_row_groups):
        bounds = _stat_range(parquet.metadata.row_group(index), column)
        if bounds is not None and not bounds[0] <= doc_id <= bounds[1]:
            continue
        table = parquet.read_row_group(index)
        found = table.filter(pc.equal(table.column("id"), doc_id))
        if found.num_rows:
            row: dict[str, Any] = found.slice(0, 1).to_pylist()[0]
            return row
    return None


def _url_ids(path: Path, url: str) -> list[str]:
    """Ids of the rows of one ledger shard whose url is `url`: the url column of the row groups
    whose statistics allow it, then the id column of only the row groups that matched."""
    parquet = pq.ParquetFile(path)
    column = parquet.schema_arrow.get_field_index("url")
    groups = []
    for index in range(parquet.metadata.num_row_groups):
        bounds = _stat_range(parquet.metadata.row_group(index), column)
        if bounds is None or bounds[0] <= url <= bounds[1]:
            groups.append(index)
    if not groups:
        return []
    urls = parquet.read_row_groups(groups, columns=["url"]).column("url")
    hits = pc.indices_nonzero(pc.equal(urls, url)).to_pylist()
    found: list[str] = []
    start = 0
    for index in groups:
        rows = parquet.metadata.row_group(index).num_rows
        local = [hit - start for hit in hits if start <= hit < start + rows]
        if local:
            ids = parquet.read_row_group(index, columns=["id"]).column("id")
            found += ids.take(local).to_pylist()
        start += rows
    return found


def lookup_url(outdir: str | Path, manifest: dict[str, Any], url: str) -> list[dict[str, Any]]:
    """Ledger rows whose `url` equals `url` (a URL can be crawled more than once).

    URLs are not sorted within a shard, so every shard's url column is read (only that column,
    skipping row groups whose statistics exclude the URL); each matching row is then read from
    its one row group, as for a lookup by id.
    """
    ids: list[str] = []
    for name in sorted(o["path"] for o in manifest["outputs"] if o["path"].startswith("ledger/")):
        ids += _url_ids(Path(outdir, name), url)
    rows = [lookup_id(outdir, manifest, doc_id) for doc_id in sorted(ids)[:MAX_MATCHES]]
    return [row for row in rows if row is not None]


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "label" in value[0]:
            return ", ".join(f"{v['label']} {v['score']:.3g}" for v in value) or "-"
        if value and isinstance(value[0], dict) and "type" in value[0]:
            counts: dict[str, int] = {}
            for span in value:
                counts[span["type"]] = counts.get(span["type"], 0) + 1
            found = ", ".join(f"{k} x{v}" for k, v in sorted(counts.items()))
            return f"{len(value)} spans ({found}; offsets only)"
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def stage_verdict(row: dict[str, Any], stage: str) -> str:
    flags = [f.split(":", 1)[1] for f in row.get("flags") or () if f.split(":", 1)[0] == stage]
    if row["status"] == "error" and row["stage"] == stage:
        return f"ERROR: {row['reason']}"
    if row["status"] == "rejected" and row["stage"] == stage:
        others = [f for f in flags if f != row["reason"]]
        return f"REJECTED: {row['reason']}" + (
            f" (also failed: {', '.join(others)})" if others else ""
        )
    if flags:
        return f"failed: {', '.join(flags)} (not the deciding rule)"
    return "pass"


def explain_row(
    row: dict[str, Any], manifest: dict[str, Any], representative: dict[str, Any] | None
) -> list[str]:
    """The printable lines for one ledger row; `representative` is the row of its `dup_of`."""
    num_shards = shard_count(manifest)
    shard = shard_name(shard_of(row["id"], num_shards), num_shards)
    lines = [f"document {row['id']}"]
    lines += [f"  {name:<15} {_fmt(row.get(name))}" for name in _PROVENANCE if name in row]
    lines += ["", "stages (pipeline order)"]
    for stage in manifest["stages"]:
        name = stage["name"]
        lines.append(f"  {name:<10} {stage_verdict(row, name)}")
        for field in STAGE_FIELDS.get(name, ()):
            if field.name in row:
                lines.append(f"      {field.name:<20} {_fmt(row[field.name])}")
    if "dup_cluster" in row:
        lines += ["", "duplicates"]
        lines.append(f"  cluster {_fmt(row['dup_cluster'])} of {_fmt(row['dup_cluster_size'])}")
        if row.get("dup_of"):
            what = "not found in the ledger"
            if representative is not None:
                what = f"{representative['status']}, url {_fmt(representative.get('url'))}"
            lines.append(f"  duplicate of {row['dup_of']} (representative: {what})")
        elif (row.get("dup_cluster_size") or 1) > 1:
            lines.append("  representative of its cluster")
        else:
            lines.append("  unique: no duplicates found")
    lines += ["", f"final: {row['status']}"]
    if row["status"] == "kept":
        lines[-1] += f", in data/{shard}"
    elif row["status"] in ("rejected", "error"):
        lines[-1] += f" at stage {row['stage']}: {_fmt(row['reason'])}"
    lines[-1] += f"; ledger row in ledger/{shard}"
    if manifest.get("takedown"):
        parent = manifest["takedown"]["parent"]
        lines.append(f"release derived by takedown from {_fmt(parent['path'])}")
    return [_safe(line) for line in lines]


def explain(outdir: str, key: str, as_json: bool = False) -> tuple[str, int]:
    """The rendered explanation and the exit status (1 when nothing matched)."""
    manifest = load_release(outdir)
    rows = (
        [r for r in [lookup_id(outdir, manifest, key)] if r is not None]
        if ID_PATTERN.fullmatch(key)
        else lookup_url(outdir, manifest, key)
    )
    if not rows:
        message = f"curate: no document with id or url {_safe(key)} in {_safe(outdir)}"
        if manifest.get("parent"):
            # An incremental build holds only the documents of the shards it added.
            message += f"; it extends {_safe(manifest['parent']['path'])}, which may hold it"
        return message, 1
    if as_json:
        return json.dumps(rows if len(rows) > 1 else rows[0], indent=2, default=str), 0
    blocks = []
    for row in rows:
        representative = lookup_id(outdir, manifest, row["dup_of"]) if row.get("dup_of") else None
        blocks.append("\n".join(explain_row(row, manifest, representative)))
    return "\n\n".join(blocks), 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir")
    parser.add_argument("id_or_url", help="a document id (32 hex digits) or its exact URL")
    parser.add_argument("--json", action="store_true", help="print the ledger row(s) as JSON")


def command(args: argparse.Namespace) -> int:
    text, status = explain(args.outdir, args.id_or_url, as_json=args.json)
    print(text, file=sys.stdout if status == 0 else sys.stderr)
    return status
