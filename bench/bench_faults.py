"""A build over the real crawl shards mixed with every kind of damaged shard: error counts.

    python -m bench.bench_faults [--eval DIR] [--copies N] [--huge-mb MB]

Copies the real shards of `../shared/eval/crawl` (skipped with a message when absent),
`--copies` sets of generated damaged shards (`tests.corrupt_shards`) and one WARC record and one
JSONL line of `--huge-mb` megabytes into one input folder,
runs one build with the default config in annotate mode (every intact document kept, so the
count of intact documents is exact), and prints per kind of damage: files, the `error` rows
expected and found, the intact documents expected and found; per real shard: documents read
alone and in the mixed build (they must match) and errors (must be 0). Exits 1 if any figure
differs from what is expected.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / "build" / "bench" / "faults"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=PROJECT.parent / "shared" / "eval")
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--huge-mb", type=int, default=100)
    args = parser.parse_args(argv)

    from pipelines.offline import apply_offline_defaults

    apply_offline_defaults()
    import pyarrow.dataset as ds

    from pipelines.build import run_build
    from schemas.config import load_config
    from tests.corrupt_shards import write_corrupt_shards, write_huge_shards
    from transforms.read import READERS, ShardSpec, detect_format

    crawl = args.eval / "crawl"
    if not crawl.is_dir():
        print(f"bench_faults: skipped, no real shards at {crawl}")
        return 0
    shutil.rmtree(WORK, ignore_errors=True)
    inputs = WORK / "in"
    inputs.mkdir(parents=True)
    config = load_config(None, ["mode=annotate"])

    # The real shards, and what each gives when read alone.
    real: dict[str, int] = {}
    for path in sorted(crawl.iterdir()):
        fmt = detect_format(path.name)
        if fmt is None:
            continue
        shutil.copy(path, inputs / path.name)
        spec = ShardSpec(0, str(path), path.name, fmt, path.stat().st_size)
        real[path.name] = sum(1 for _ in READERS[fmt](spec, config.input, lambda r: None))

    # Damaged shards, `copies` times under distinct names.
    kind_of: dict[str, str] = {}
    expected_errors: Counter[str] = Counter()
    expected_good: Counter[str] = Counter()
    files: Counter[str] = Counter()
    for copy in range(args.copies):
        folder = WORK / f"damaged-{copy}"
        for name, case in write_corrupt_shards(folder).items():
            target = f"c{copy}-{name}"
            shutil.move(folder / name, inputs / target)
            kind_of[target] = case.damage
            files[case.damage] += 1
            expected_errors[case.damage] += len(case.errors)
            expected_good[case.damage] += len(case.good)
    if args.huge_mb:
        for name, case in write_huge_shards(inputs, args.huge_mb * 1024 * 1024).items():
            kind_of[name] = case.damage
            files[case.damage] += 1
            expected_errors[case.damage] += len(case.errors)
            expected_good[case.damage] += len(case.good)

    outdir = WORK / "out"
    config = load_config(
        None, ["mode=annotate", f"input.paths=[{str(inputs)!r}]", f"output.path={outdir}"]
    )
    started = time.monotonic()
    result = run_build(config, [], progress=False)
    wall = time.monotonic() - started

    rows = ds.dataset(outdir / "ledger", format="parquet").to_table(
        columns=["source_uri", "status"]
    )
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows.to_pylist():
        found[Path(row["source_uri"]).name][row["status"]] += 1

    failed = False
    print(f"{'kind of damage':<30} {'files':>5} {'errors':>15} {'intact docs':>15}")
    print(f"{'':<30} {'':>5} {'expected found':>15} {'expected found':>15}")
    for kind in sorted(files):
        names = [n for n, k in kind_of.items() if k == kind]
        errors = sum(found[n]["error"] for n in names)
        good = sum(found[n]["kept"] + found[n]["rejected"] for n in names)
        # A whole-file gzip stream damaged in the middle: one error, whatever followed is lost.
        want = expected_errors[kind]
        ok = errors == want and good == expected_good[kind]
        failed |= not ok
        print(
            f"{kind:<30} {files[kind]:>5} {want:>8} {errors:>6} {expected_good[kind]:>8} "
            f"{good:>6}{'' if ok else '  MISMATCH'}"
        )
    print()
    print(f"{'real shard':<45} {'read alone':>10} {'in build':>8} {'errors':>6}")
    for name, alone in real.items():
        in_build = sum(found[name].values())
        ok = in_build == alone and found[name]["error"] == 0
        failed |= not ok
        print(
            f"{name:<45} {alone:>10} {in_build:>8} {found[name]['error']:>6}"
            f"{'' if ok else '  MISMATCH'}"
        )
    totals = result.manifest["totals"]
    print()
    print(
        f"{len(real)} real + {sum(files.values())} damaged shards: {totals['input']} documents = "
        f"{totals['kept']} kept + {totals['rejected']} rejected + {totals['error']} errors "
        f"({'balanced' if totals['balanced'] else 'NOT BALANCED'}); build {wall:.1f} s wall"
    )
    failed |= not totals["balanced"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
