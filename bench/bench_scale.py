"""Scaling benchmark: whole builds of generated corpora with one and two local workers.

For each corpus size the generator (`pipelines.sample_corpus.write_sample`, the same as
`curate sample --documents N`) writes the corpus once; then `curate run` builds it with one
worker (in-process) and with two worker processes. Reported per run: wall time, documents/s and
the peak resident memory (VmHWM) of the launcher and of the largest worker process, sampled from
/proc every half second (Linux only).

    python -m bench.bench_scale [--sizes 10000 100000 1000000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from pipelines.reaper import descendants
from pipelines.registry import project_dir
from pipelines.sample_corpus import write_sample

WORK = project_dir() / "build" / "bench-scale"

# Assumptions of the Dataflow cost extrapolation (list prices, us-central1, batch; check current
# prices before relying on them). Throughput comes from the measurement.
VCPU_HOUR_USD = 0.056
MEMORY_GB_HOUR_USD = 0.003557
SHUFFLE_GB_USD = 0.011
MEMORY_GB_PER_VCPU = 4.0  # n2-standard-4: 4 vCPU, 16 GB
PAGES_PER_TB = 30e6  # HTML responses per TB of compressed WARC (Common Crawl: ~3e9 pages/100 TB)
TEXT_KB_PER_PAGE = 4.0  # extracted text per page
REAL_PAGE_SLOWDOWN = 2.0  # real pages (HTML extraction, longer texts) vs 2 KB synthetic documents
SHUFFLES_OF_TEXT = 2  # dedup's join back to the documents, the release writer's grouping


def _hwm_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _is_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return b"sdk_worker_main" in stream.read()
    except OSError:
        return False


def corpus(size: int) -> Path:
    directory = WORK / f"corpus-{size}"
    stamp = directory / ".complete"
    if not stamp.exists():
        started = time.monotonic()
        write_sample(directory, documents=size, workers=2)
        stamp.write_text("")
        print(f"generated {size:,} documents in {time.monotonic() - started:.0f} s", flush=True)
    return directory


def build(size: int, workers: int) -> dict[str, float | int]:
    outdir = WORK / f"out-{size}-{workers}"
    command = [sys.executable, "-m", "pipelines.cli", "run", "--input", str(corpus(size))]
    command += ["--output", str(outdir), "--set", "run.progress=false"]
    if workers > 1:
        command += [f"--direct_num_workers={workers}", "--direct_running_mode=multi_processing"]
    started = time.monotonic()
    launcher = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    workers_seen: set[int] = set()
    while launcher.poll() is None:
        for pid in [launcher.pid, *descendants(launcher.pid)]:
            hwm = _hwm_kib(pid)
            if hwm is not None:
                peaks[pid] = max(peaks.get(pid, 0), hwm)
            if pid not in workers_seen and _is_worker(pid):
                workers_seen.add(pid)
        time.sleep(0.5)
    wall = time.monotonic() - started
    if launcher.returncode != 0:
        raise SystemExit(f"build of {size} documents failed: {launcher.stderr.read()[-2000:]!r}")
    manifest = json.loads((outdir / "manifest.json").read_text())
    documents = manifest["totals"]["input"]
    others = [kib for pid, kib in peaks.items() if pid in workers_seen]
    cpu = manifest["run"].get("cpu_seconds") or wall
    return {
        "cpu_seconds": round(cpu, 1),
        "docs_per_cpu_second": round(documents / cpu, 1),
        "documents": documents,
        "workers": workers,
        "wall_seconds": round(wall, 1),
        "docs_per_second": round(documents / wall, 1),
        "launcher_peak_mib": round(peaks.get(launcher.pid, 0) / 1024),
        "worker_peak_mib": round(max(others) / 1024) if others else 0,
        "input_mib": round(sum(i["bytes"] for i in manifest["inputs"]) / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    print("| documents | workers | input MiB | wall s | docs/s | launcher peak MiB | "
          "largest worker peak MiB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|", flush=True)
    for size in args.sizes:
        for workers in args.workers:
            row = build(size, workers)
            results.append(row)
            print(
                f"| {row['documents']:,} | {workers} | {row['input_mib']} | "
                f"{row['wall_seconds']} | {row['docs_per_second']} | {row['launcher_peak_mib']} | "
                f"{row['worker_peak_mib'] or '(in-process)'} |",
                flush=True,
            )
    (WORK / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    rate = max(r["docs_per_cpu_second"] for r in results if r["workers"] == 1)
    print()
    print(cost_per_tb(rate))


def cost_per_tb(docs_per_cpu_second: float) -> str:
    """Dataflow cost of one TB of compressed WARC on CPU workers, from the measured rate."""
    rate = docs_per_cpu_second / REAL_PAGE_SLOWDOWN
    vcpu_hours = PAGES_PER_TB / rate / 3600
    compute = vcpu_hours * (VCPU_HOUR_USD + MEMORY_GB_PER_VCPU * MEMORY_GB_HOUR_USD)
    shuffle_gb = PAGES_PER_TB * TEXT_KB_PER_PAGE * SHUFFLES_OF_TEXT / 1e6
    shuffle = shuffle_gb * SHUFFLE_GB_USD
    return (
        f"measured {docs_per_cpu_second:,.0f} documents per CPU-second (one worker); assumed "
        f"{rate:,.0f} real pages per vCPU-second -> {vcpu_hours:,.0f} vCPU-hours per TB: "
        f"compute ${compute:,.2f} + shuffle {shuffle_gb:,.0f} GB ${shuffle:,.2f} = "
        f"${compute + shuffle:,.2f} per TB (CPU classifier)"
    )


if __name__ == "__main__":
    main()
