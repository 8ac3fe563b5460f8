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
    return {
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


if __name__ == "__main__":
    main()
