"""`curate takedown OUTDIR --ids|--urls|--domains FILE --output NEWDIR`: a release without them.

A takedown request (a file of document ids, URLs or domains, one per line; blank lines and
`#` comments ignored) is matched against the parent release's ledger. Only the shards that
hold a matched document are rewritten: their rows of matched documents are removed from
`data/` and `rejected/` (and from any other output folder whose files have an `id` column);
in `ledger/` every matched document gets the flag `takedown:takedown`, and the kept ones become
`rejected` at stage `takedown` with reason `takedown` (documents the build had already rejected
keep their stage and reason, so the funnel of the earlier stages stays the parent's).
Rewritten shards go through the release writer (`release.parquet_bytes`) with the parent's
output settings; every other file is copied, so it is byte-identical to the parent's. No stage
runs again.

A URL matches the `url` column exactly; a domain matches a document whose host is the domain
or one of its subdomains (`example.org` matches `www.example.org`). Duplicates of a removed
document that the build had already rejected as duplicates stay rejected.

The new manifest is the parent's with the outputs, the stage funnel (a `takedown` stage at the
end), the ledger summaries and the totals recomputed, a fresh `run`, and a `takedown` section
naming the parent (path and manifest sha256) and the request (file sha256 and counts).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipelines.explain import load_release, shard_count
from pipelines.inspect import _safe
from pipelines.layout import shard_name, shard_of
from schemas.config import ConfigError, CurateConfig, OutputSettings
from schemas.manifest import (
    Manifest,
    OutputInfo,
    ParentBuild,
    RunInfo,
    TakedownInfo,
    TakedownRequest,
    Totals,
)

if TYPE_CHECKING:
    from pipelines.registry import Stage

STAGE = "takedown"
VERSION = "1"


class DropReason(StrEnum):
    TAKEDOWN = "takedown"


KINDS = ("ids", "urls", "domains")


class _Step(NamedTuple):
    """The name and version `manifest.stage_funnel` needs of each stage."""

    name: str
    version: str


def read_request(path: str, kind: str) -> tuple[list[str], str]:
    """The distinct entries of a request file (order kept) and the file's sha256."""
    try:
        payload = Path(path).read_bytes()
    except OSError:
        raise ConfigError(f"Takedown request file {path} cannot be read.") from None
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"Takedown request file {path} is not UTF-8 text.") from None
    entries = [line.strip() for line in text.splitlines()]
    entries = [e for e in entries if e and not e.startswith("#")]
    if kind == "domains":
        entries = [e.lower().rstrip(".") for e in entries]
    if not entries:
        raise ConfigError(f"Takedown request file {path} lists no {kind}.")
    return list(dict.fromkeys(entries)), hashlib.sha256(payload).hexdigest()


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return (urlsplit(url).hostname or "").rstrip(".") or None
    except ValueError:
        return None


def match_documents(outdir: str, kind: str, entries: list[str]) -> tuple[set[str], int]:
    """Ids of the ledger's documents the request names, and how many entries matched any."""
    ledger = ds.dataset(Path(outdir, "ledger"), format="parquet")
    wanted = set(entries)
    if kind == "ids":
        table = ledger.to_table(columns=["id"], filter=ds.field("id").isin(entries))
        matched = set(table.column("id").to_pylist())
        return matched, len(matched)
    table = ledger.to_table(columns=["id", "url"], filter=ds.field("url").is_valid())
    ids: set[str] = set()
    hit: set[str] = set()
    for doc_id, url in zip(table.column("id").to_pylist(), table.column("url").to_pylist(),
                           strict=True):  # fmt: skip
        if kind == "urls":
            if url in wanted:
                ids.add(doc_id)
                hit.add(url)
            continue
        host = _host(url)
        while host:  # the host itself, then each parent domain
            if host in wanted:
                ids.add(doc_id)
                hit.add(host)
                break
            host = host.partition(".")[2]
    return ids, len(hit)


def _writer_type(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_list(kind):
        return pa.list_(_writer_type(kind.value_type))
    if pa.types.is_struct(kind):
        return pa.struct([f.with_type(_writer_type(f.type)) for f in kind])
    return kind


def writer_schema(path: Path) -> pa.Schema:
    """The Arrow schema the release writer used for a file.

    Parquet stores lists with child name `element`; schemas built with `pa.list_` name it
    `item`, and the name is part of the Arrow schema stored in the file, so it is restored
    here for the rewritten file's bytes to match the writer's.
    """
    schema = pq.read_schema(path).remove_metadata()
    return pa.schema([f.with_type(_writer_type(f.type)) for f in schema])


def _rewrite(path: Path, removed: set[str], folder: str, output: OutputSettings) -> bytes:
    schema = writer_schema(path)
    rows = pq.read_table(path).to_pylist()
    if folder == "ledger":
        for row in rows:
            if row["id"] not in removed:
                continue
            # Every matched document carries the flag; a kept one is now rejected here, while
            # one the build had already rejected (or failed) keeps its verdict, so the funnel
            # of the stages before is the parent's.
            row["flags"] = [*(row.get("flags") or []), f"{STAGE}:{DropReason.TAKEDOWN}"]
            if row["status"] == "kept":
                row["status"], row["stage"], row["reason"] = "rejected", STAGE, DropReason.TAKEDOWN
    else:
        rows = [row for row in rows if row["id"] not in removed]
    from pipelines.release import parquet_bytes

    return parquet_bytes(rows, schema, output)


def takedown(outdir: str, kind: str, request_file: str, newdir: str) -> dict[str, Any]:
    """Write the release without the requested documents into `newdir`; return its manifest."""
    # Beam is imported when a takedown runs: the CLI imports every command's module.
    from pipelines import manifest as manifest_builder
    from pipelines import release
    from pipelines.registry import enabled_stages

    if kind not in KINDS:
        raise ConfigError(f"Unknown takedown kind {kind}.")
    parent = load_release(outdir)
    if Path(newdir).resolve() == Path(outdir).resolve():
        raise ConfigError("The takedown --output must differ from the release it reads.")
    started, clock = datetime.now(UTC), time.monotonic()
    entries, request_sha = read_request(request_file, kind)
    removed, matched_entries = match_documents(outdir, kind, entries)
    num_shards = shard_count(parent)
    touched = {shard_name(shard_of(i, num_shards), num_shards) for i in removed}
    config = CurateConfig.model_validate(parent["config"])
    output = config.output

    staging = Path(newdir, release.STAGING)
    if staging.exists():
        shutil.rmtree(staging)
    relative = [o["path"] for o in parent["outputs"]]
    rewritten = []
    before: Counter[str] = Counter()
    for path in relative:
        folder, name = path.split("/", 1)
        source, target = Path(outdir, path), staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        has_id = "id" in pq.read_schema(source).names
        if name in touched and has_id:
            if folder != "ledger":
                ids = pq.read_table(source, columns=["id"]).column("id").to_pylist()
                before[folder] += sum(1 for i in ids if i in removed)
            target.write_bytes(_rewrite(source, removed, folder, output))
            rewritten.append(path)
        else:
            shutil.copyfile(source, target)

    rows = manifest_builder.summary_columns(str(staging / "ledger"))
    stages = enabled_stages(config)
    steps = [_Step(s["name"], s["version"]) for s in parent["stages"][1:]]
    steps = [s for s in steps if s.name != STAGE] + [_Step(STAGE, VERSION)]
    outputs = []
    for path in relative:
        digest, size = release.sha256_file(str(staging / path))
        count = pq.ParquetFile(staging / path).metadata.num_rows
        outputs.append(OutputInfo(path=path, rows=count, bytes=size, sha256=digest))
    status = Counter(rows["status"])
    kept_rows = sum(o.rows for o in outputs if o.path.startswith("data/"))
    documents = len(rows["status"])
    new_config = config.model_copy(update={"output": output.model_copy(update={"path": newdir})})
    manifest_path = Path(outdir, "manifest.json")
    manifest = Manifest(
        run=RunInfo(
            id=uuid.uuid4().hex,
            started=started.isoformat(timespec="seconds"),
            finished=datetime.now(UTC).isoformat(timespec="seconds"),
            runner="curate takedown",
            options={},
            wall_seconds=round(time.monotonic() - clock, 3),
            stage_seconds={},
        ),
        code=manifest_builder.code_info(),
        environment=manifest_builder.environment_info(),
        config=new_config.resolved(),
        config_sha256=new_config.sha256(),
        models=parent["models"],
        inputs=parent["inputs"],
        stages=manifest_builder.stage_funnel(rows, cast("list[Stage]", steps)),
        outputs=outputs,
        totals=Totals(
            input=documents,
            kept=status["kept"],
            rejected=status["rejected"],
            error=status["error"],
            records_skipped=parent["totals"]["records_skipped"],
            balanced=documents == parent["totals"]["input"]
            and documents == status["kept"] + status["rejected"] + status["error"]
            and kept_rows == status["kept"],
        ),
        summaries={
            **parent["summaries"],
            **manifest_builder.summaries(rows, config, stages),
        },
        # An incremental parent's own link stays: this release extends the same release.
        parent=parent.get("parent"),
        takedown=TakedownInfo(
            parent=ParentBuild(
                path=outdir,
                manifest_sha256=hashlib.sha256(manifest_path.read_bytes()).hexdigest(),
                run_id=parent["run"]["id"],
                config_sha256=parent["config_sha256"],
            ),
            request=TakedownRequest(
                kind=kind,
                file=Path(request_file).name,
                file_sha256=request_sha,
                entries=len(entries),
                matched_entries=matched_entries,
                documents=len(removed),
                removed_kept=before["data"],
                removed_rejected_text=before["rejected"],
            ),
            rewritten=rewritten,
        ),
    )
    release.publish(newdir, relative, manifest_builder.manifest_bytes(manifest))
    result = manifest.model_dump(mode="json")
    _write_artifacts(newdir, result)
    return result


def _write_artifacts(newdir: str, manifest: dict[str, Any]) -> None:
    # The report, Croissant file and dataset card are rebuilt for the new release.
    from pipelines.artifacts import write_artifacts

    write_artifacts(Path(newdir), manifest)


def summary_line(manifest: dict[str, Any], newdir: str) -> str:
    request = manifest["takedown"]["request"]
    return (
        f"curate: takedown of {request['entries']} {request['kind']} matched "
        f"{request['documents']} documents ({request['matched_entries']} entries matched); "
        f"{request['removed_kept']} removed from data/, "
        f"{len(manifest['takedown']['rewritten'])} files rewritten, release written to {newdir}/"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir")
    request = parser.add_mutually_exclusive_group(required=True)
    for kind in KINDS:
        request.add_argument(f"--{kind}", metavar="FILE", help=f"{kind}, one per line")
    parser.add_argument("--output", required=True, metavar="NEWDIR", help="the new release")


def command(args: argparse.Namespace) -> int:
    kind = next(k for k in KINDS if getattr(args, k))
    manifest = takedown(args.outdir, kind, getattr(args, kind), args.output)
    print(_safe(summary_line(manifest, args.output)))
    return 0 if manifest["totals"]["balanced"] else 1
