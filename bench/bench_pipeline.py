"""End-to-end throughput and memory of a build, and of the streaming stages alone.

    python -m bench.bench_pipeline [--sizes 10000 50000] [--workers 1 2]

For each corpus size (the embedded sample generator, scaled) and worker count, runs
`curate run` in a fresh process and reports documents/s and MB/s end to end, each stage's
documents/s (its summed processing time from the manifest), and peak memory (the largest
resident set of the build's processes). A second measurement streams the same corpus through
the reader and the per-document stages without Beam: its peak memory must not grow with the
corpus size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / "build" / "bench"

_MEASURE = r"""
import json, resource, subprocess, sys, time
started = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.monotonic() - started
peak_kib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(json.dumps({"rc": done.returncode, "wall": wall, "peak_mib": peak_kib / 1024,
                  "stderr": done.stderr[-2000:]}))
"""

_STREAM = r"""
import json, resource, sys, time
from collections import Counter
from pathlib import Path
from pipelines.offline import apply_offline_defaults
apply_offline_defaults()
from pipelines.build import plan_inputs, resolve_model_paths
from schemas.config import load_config
from transforms import extract, language, quality
from transforms.read import READERS

config = resolve_model_paths(load_config(None, ["input.paths=[" + sys.argv[1] + "]"]))
specs = plan_inputs(config)
model = language.load_model(config.language)
quality_table = quality.language_table(config.quality)
seconds = Counter()
docs = 0
started = time.monotonic()
for spec in specs:
    reader = iter(READERS[spec.format](spec, config.input, lambda reason: None))
    while True:
        t = time.perf_counter()
        doc = next(reader, None)
        seconds["read"] += time.perf_counter() - t
        if doc is None:
            break
        docs += 1
        if doc.is_error:
            continue
        t = time.perf_counter()
        if doc.source_format in ("warc", "arc"):
            doc.text = extract.extract_text(doc, config.extract)
        doc.payload = None
        seconds["extract"] += time.perf_counter() - t
        t = time.perf_counter()
        doc.language, doc.language_score = language.identify(
            model, doc.text, config.language.max_chars
        )
        seconds["language"] += time.perf_counter() - t
        t = time.perf_counter()
        quality.score(doc, config.quality, quality_table)
        seconds["quality"] += time.perf_counter() - t
wall = time.monotonic() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"docs": docs, "wall": wall, "peak_mib": peak, "seconds": seconds}))
"""


def corpus(size: int) -> tuple[Path, int]:
    directory = WORK / f"corpus-{size}"
    stamp = directory / ".complete"
    if not stamp.exists():
        from pipelines.sample_corpus import write_sample

        write_sample(directory, documents=size)
        stamp.write_text("ok\n")
    total = sum(p.stat().st_size for p in directory.iterdir() if not p.name.startswith("."))
    return directory, total


def measure_build(directory: Path, workers: int) -> dict:
    outdir = WORK / f"out-{directory.name}-w{workers}"
    command = [
        str(Path(sys.executable).parent / "curate"),
        "run",
        "--input",
        str(directory),
        "--output",
        str(outdir),
        "--set",
        "run.progress=false",
    ]
    if workers > 1:
        command += [
            "--direct_num_workers",
            str(workers),
            "--direct_running_mode",
            "multi_processing",
        ]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"build failed:\n{result['stderr']}")
    result["manifest"] = json.loads((outdir / "manifest.json").read_text())
    return result


def measure_streaming(directory: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _STREAM, str(directory)],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
        env=dict(os.environ, PYTHONPATH=str(PROJECT)),
    )
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    print("\n## End to end (curate run, FnApiRunner)\n")
    print(
        "| documents | input MB | workers | wall s | docs/s | MB/s | peak MiB | kept | "
        "stage docs/s (summed worker time) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        directory, total_bytes = corpus(size)
        for workers in args.workers:
            result = measure_build(directory, workers)
            totals = result["manifest"]["totals"]
            docs = totals["input"]
            stage_rates = ", ".join(
                f"{name} {docs / max(sec, 1e-9):,.0f}"
                for name, sec in result["manifest"]["run"]["stage_seconds"].items()
            )
            print(
                f"| {docs:,} | {total_bytes / 1e6:.1f} | {workers} | {result['wall']:.1f} | "
                f"{docs / result['wall']:,.0f} | {total_bytes / 1e6 / result['wall']:.2f} | "
                f"{result['peak_mib']:,.0f} | {totals['kept']:,} | {stage_rates} |"
            )
    print("\n## Streaming stages alone (reader -> extract -> language -> quality, one process)\n")
    print("| documents | wall s | docs/s | peak MiB | per-stage docs/s |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        directory, _ = corpus(size)
        result = measure_streaming(directory)
        rates = ", ".join(
            f"{name} {result['docs'] / max(sec, 1e-9):,.0f}"
            for name, sec in result["seconds"].items()
        )
        print(
            f"| {result['docs']:,} | {result['wall']:.1f} | {result['docs'] / result['wall']:,.0f} "
            f"| {result['peak_mib']:,.0f} | {rates} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
