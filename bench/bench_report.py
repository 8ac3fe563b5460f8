"""Time to write the release artifacts (report.html, croissant.json, README.md) at scale.

    python -m bench.bench_report [--docs 1000000] [--shards 8] [--repeats 3] [--json PATH]

The artifacts read the manifest's summaries plus five ledger columns (`status`,
`language_score`, `word_count`, `alpha_word_ratio`, `registered_domain`), so their cost grows
with the ledger. The release measured here is the embedded sample, built by the pipeline (its
manifest, data files and summaries are real), whose ledger is replaced by the synthetic ledger
of `bench.bench_explain` (the project's real ledger schema and shard writer, `--docs` rows): a
pipeline build of a million documents takes hours on this machine.

Measured, after one warm-up call: `write_artifacts` (all three files) and the report alone
(`curate report` without interpreter start), median of `--repeats` runs, and the peak RSS of
this process.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.bench_explain import synthesise
from pipelines.artifacts import ARTIFACTS, write_artifacts, write_report
from pipelines.build import run_build
from pipelines.cli import ensure_sample
from schemas.config import load_config


def _median_seconds(call: Callable[[], object], repeats: int) -> float:
    call()  # warm-up: imports, page cache
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="curate-bench-report-") as scratch:
        built = Path(scratch, "built")
        config = load_config(
            Path(__file__).resolve().parent.parent / "configs" / "default.yaml",
            [f"input.paths=[{ensure_sample()}]", f"output.path={built}"],
        )
        manifest = run_build(config, [], progress=False).manifest
        release = Path(scratch, "release")
        synthesise(release, args.docs, args.shards)
        shutil.copytree(built / "data", release / "data")
        synthetic = json.loads((release / "manifest.json").read_text())
        manifest["outputs"] = [
            *[o for o in manifest["outputs"] if o["path"].startswith("data/")],
            *[{**o, "sha256": "0" * 64} for o in synthetic["outputs"]],
        ]
        manifest["totals"]["input"] = args.docs
        (release / "manifest.json").write_text(json.dumps(manifest, indent=2))
        ledger_mib = sum(p.stat().st_size for p in (release / "ledger").glob("*")) / 2**20
        everything = _median_seconds(lambda: write_artifacts(release, manifest), args.repeats)
        report = _median_seconds(lambda: write_report(release, manifest), args.repeats)
        sizes = {name: (release / name).stat().st_size for name in ARTIFACTS}

    figures = {
        "docs": args.docs,
        "shards": args.shards,
        "ledger_mib": round(ledger_mib, 1),
        "write_artifacts_median_s": round(everything, 3),
        "report_only_median_s": round(report, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "bytes": sizes,
    }
    print(f"ledger: {args.docs:,} rows in {args.shards} shards ({ledger_mib:,.0f} MiB)")
    print(f"write_artifacts (report, Croissant, card): {everything:.3f} s (median)")
    print(f"report alone:                              {report:.3f} s (median)")
    print(f"peak RSS of the process (build included):  {figures['peak_rss_mib']} MiB")
    print("sizes: " + ", ".join(f"{name} {size:,} B" for name, size in sizes.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
