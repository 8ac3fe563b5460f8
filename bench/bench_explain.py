"""Latency of `curate explain` on a synthesised release of one million documents.

    python -m bench.bench_explain [--docs 1000000] [--shards 8] [--lookups 25] [--dir DIR]
                                  [--json PATH]

The release is synthesised, not built by the pipeline (a real build of a million documents
takes hours on this machine): its `ledger/` files have the project's real ledger schema (every
stage of the default config), are written by the project's shard writer
(`release.shard_of`, `release.parquet_bytes`, rows sorted by id, `output.row_group_rows`
rows per row group, zstd) and every column is filled with plausible values, so the Parquet
layout explain reads is the one a real build writes. Its `manifest.json` holds only what
explain reads (stages and outputs). Ids are md5 hex digests like real ids; one document in 50
is a near duplicate whose `dup_of` names another, so explain also looks up a representative.

Measured, in this process after one warm-up call: `explain(OUTDIR, id)` and
`explain(OUTDIR, url)` for `--lookups` random documents (the whole command: manifest, lookups,
rendering); then, once by id and once by URL, in a fresh interpreter (wall time, interpreter
start and imports included): the `curate explain` command line, and the explain module alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipelines.explain import explain
from pipelines.registry import enabled_stages
from pipelines.release import parquet_bytes, shard_name, shard_of
from schemas.config import CurateConfig
from schemas.ledger import ledger_schema

LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "ja", "ru")
DUPLICATE_EVERY = 50


def doc_id(index: int) -> str:
    return hashlib.md5(f"synthetic-{index}".encode()).hexdigest()


def doc_url(index: int) -> str:
    return f"https://site-{index % 5000}.example.org/articles/{index}"


def _filler(field: pa.Field, index: int) -> Any:
    kind = field.type
    if pa.types.is_floating(kind):
        return (index * 7919 % 1000) / 1000
    if pa.types.is_integer(kind):
        return index * 31 % 5000
    if pa.types.is_boolean(kind):
        return index % 97 == 0
    if pa.types.is_string(kind):
        return f"{field.name}-{index % 1000}"
    if pa.types.is_list(kind):
        value = kind.value_type
        if pa.types.is_struct(value) and "label" in value.names:
            return [{"label": "toxicity", "score": (index % 100) / 1000}]
        if pa.types.is_struct(value):
            return [{"type": "EMAIL_ADDRESS", "start": 10, "end": 30}] if index % 40 == 0 else []
        if pa.types.is_binary(value):
            return []
        return []
    return None


def synthetic_row(index: int, schema: pa.Schema) -> dict[str, Any]:
    row = {field.name: _filler(field, index) for field in schema}
    identifier = doc_id(index)
    duplicate = index % DUPLICATE_EVERY == 1
    row.update(
        id=identifier,
        source_uri=f"gs://crawl/segment-{index // 20000:05d}.warc.gz",
        source_record=f"<urn:uuid:{hashlib.md5(str(index).encode()).hexdigest()}>",
        source_format="warc",
        source_id=None,
        url=doc_url(index),
        status="rejected" if duplicate or index % 7 == 0 else "kept",
        stage=None,
        reason=None,
        flags=[],
        language=LANGUAGES[index % len(LANGUAGES)],
    )
    if duplicate:
        row.update(stage="dedup", reason="near_duplicate", flags=["dedup:near_duplicate"])
    elif index % 7 == 0:
        row.update(stage="quality", reason="too_few_words", flags=["quality:too_few_words"])
    if "dup_of" in row:
        row.update(
            dup_cluster=doc_id(index - 1) if duplicate else identifier,
            dup_cluster_size=2 if duplicate or index % DUPLICATE_EVERY == 0 else 1,
            dup_of=doc_id(index - 1) if duplicate else None,
            dup_exact=False if duplicate else None,
        )
    return row


def synthesise(outdir: Path, docs: int, shards: int) -> float:
    """Write the synthetic release; returns the seconds it took."""
    started = time.perf_counter()
    config = CurateConfig()
    stages = [s.name for s in enabled_stages(config)]
    schema = ledger_schema(stages)
    by_shard: list[list[int]] = [[] for _ in range(shards)]
    for index in range(docs):
        by_shard[shard_of(doc_id(index), shards)].append(index)
    (outdir / "ledger").mkdir(parents=True, exist_ok=True)
    outputs = []
    for shard, indexes in enumerate(by_shard):
        rows = sorted((synthetic_row(i, schema) for i in indexes), key=lambda r: r["id"])
        payload = parquet_bytes(rows, schema, config.output)
        name = f"ledger/{shard_name(shard, shards)}"
        (outdir / name).write_bytes(payload)
        outputs.append({"path": name, "rows": len(rows), "bytes": len(payload)})
        del rows
    manifest = {
        "synthesised": f"bench.bench_explain: {docs} rows, not a pipeline run",
        "stages": [{"name": "read"}] + [{"name": name} for name in stages],
        "outputs": outputs,
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return time.perf_counter() - started


def _reusable(outdir: Path, docs: int, shards: int) -> bool:
    try:
        manifest = json.loads((outdir / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return manifest.get("synthesised", "").startswith(f"bench.bench_explain: {docs} rows") and (
        len(manifest.get("outputs", ())) == shards
    )


def _time(call: Any) -> float:
    started = time.perf_counter()
    text, status = call()
    assert status == 0, text
    return time.perf_counter() - started


def _fresh_seconds(outdir: Path, key: str, cli: bool) -> float:
    """Wall time of one explain in a new interpreter: the `curate` command line, or the
    explain module alone (the command line also imports every other command's module)."""
    code = "import sys; from pipelines.explain import explain; explain(sys.argv[1], sys.argv[2])"
    command = ["-m", "pipelines.cli", "explain"] if cli else ["-c", code]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *command, str(outdir), key],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--lookups", type=int, default=25)
    parser.add_argument(
        "--dir",
        help="keep the synthetic release here (default: temporary); one already there with "
        "the same --docs and --shards is reused",
    )
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="curate-bench-explain-") as scratch:
        outdir = Path(args.dir or scratch)
        if _reusable(outdir, args.docs, args.shards):
            print(f"reusing the synthetic release in {outdir}")
        else:
            seconds = synthesise(outdir, args.docs, args.shards)
            print(
                f"synthesised {args.docs:,} ledger rows in {args.shards} shards in {seconds:.0f} s"
            )
        size = sum(p.stat().st_size for p in (outdir / "ledger").glob("*.parquet"))
        print(f"ledger: {size / 2**20:,.0f} MiB")
        picks = random.Random(0).sample(range(args.docs), args.lookups)
        str_out = str(outdir)
        _time(lambda: explain(str_out, doc_id(picks[0])))  # warm-up: imports, page cache
        by_id = [_time(lambda i=i: explain(str_out, doc_id(i))) for i in picks]
        by_url = [_time(lambda i=i: explain(str_out, doc_url(i))) for i in picks]
        cli_id = _fresh_seconds(outdir, doc_id(picks[0]), cli=True)
        cli_url = _fresh_seconds(outdir, doc_url(picks[0]), cli=True)
        module_id = _fresh_seconds(outdir, doc_id(picks[0]), cli=False)
        module_url = _fresh_seconds(outdir, doc_url(picks[0]), cli=False)

    figures = {
        "docs": args.docs,
        "shards": args.shards,
        "ledger_mib": round(size / 2**20, 1),
        "lookups": args.lookups,
        "by_id_median_s": round(statistics.median(by_id), 4),
        "by_id_max_s": round(max(by_id), 4),
        "by_url_median_s": round(statistics.median(by_url), 4),
        "by_url_max_s": round(max(by_url), 4),
        "cli_by_id_s": round(cli_id, 3),
        "cli_by_url_s": round(cli_url, 3),
        "module_by_id_s": round(module_id, 3),
        "module_by_url_s": round(module_url, 3),
    }
    print(f"{'lookup':<24}{'median s':>10}{'max s':>10}")
    print(f"{'explain by id':<24}{figures['by_id_median_s']:>10}{figures['by_id_max_s']:>10}")
    print(f"{'explain by url':<24}{figures['by_url_median_s']:>10}{figures['by_url_max_s']:>10}")
    print(f"{'curate explain ID':<24}{figures['cli_by_id_s']:>10}  (fresh interpreter)")
    print(f"{'curate explain URL':<24}{figures['cli_by_url_s']:>10}  (fresh interpreter)")
    print(f"{'explain module, ID':<24}{figures['module_by_id_s']:>10}  (fresh interpreter)")
    print(f"{'explain module, URL':<24}{figures['module_by_url_s']:>10}  (fresh interpreter)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
