"""Throughput and memory of the dedup stage on generated ~2 KB documents.

    python -m bench.bench_dedup [--docs 100000 ...] [--signature-docs 20000]
                                [--peer-python /tmp/bench-peer/bin/python] [--peer-docs 2000]
                                [--workers N] [--json PATH]

Three measurements, each on one core unless `--workers` says otherwise. Rates of 1 and 3 are per
CPU second of the measuring process (`time.process_time`), so they are per-core figures even on
a machine shared with other work; 2 reports wall time and CPU time.

1. signature step (text -> MinHash signature, 112 permutations, word 5-grams): ours
   (`poly64` and `sha1` shingle hashes, and the whole per-document key step: exact hash,
   signature, band keys) against datasketch 2.0 (`update` loop, `update_batch`, `bulk`, each
   fed our shingles; the text-to-shingles time is included for every row);
2. the whole dedup stage on FnApiRunner for each `--docs` size: wall time, and peak resident
   memory of the process (and of its workers, if any), in a fresh process per size, with the
   time to generate the documents alone measured the same way. `--form ids` (the default) runs
   it as a local build's global pass does (`pipelines/global_pass.py`): keys computed where the
   documents are, clustering over ids (`dedup.ClusterKeys`), verdicts joined to their shard by
   id and grouped by shard; no document crosses a shuffle (`--form ids-unsketched`: the same
   without the band-key sketch, `dedup.BandKeySketch`). `--form documents` runs the
   one-graph `ClusterNearDuplicates` used on remote runners, which joins the verdicts to the
   documents through a shuffle;
3. datatrove's `MinhashDedupSignature` on the same documents, in the interpreter given by
   `--peer-python` (a separate virtual environment: datatrove is never installed beside this
   project), on the first `--peer-docs` documents: its shingling and signature (`get_shingles`
   + `get_signature`), its signature alone, and its whole `run()` (which also writes and sorts
   the bucket files). Skipped with a note if unavailable.

Documents are generated deterministically from their index (`generated_text`): Zipf-distributed
pseudo-words with punctuation, 10% exact copies (case or whitespace changed) and 10% near copies
(3% of words replaced) of earlier documents, so clusters, chains and exact groups all occur.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from schemas.dedup import DedupSettings
from schemas.document import Doc
from transforms import dedup, minhash

_REPO = Path(__file__).resolve().parent.parent
_VOCABULARY = 30_000
_WORDS_PER_DOC = 330  # about 2 KB of text
_SHARD = 1000


@cache
def _vocabulary() -> list[str]:
    rng = np.random.default_rng(20240101)
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "sa",
        "ti",
        "vo",
        "an",
        "el",
        "is",
        "or",
        "un",
        "ber",
        "con",
        "der",
        "gra",
        "pha",
        "str",
        "wen",
        "th",
        "ch",
        "qu",
        "ly",
    ]
    words = []
    for _ in range(_VOCABULARY):
        count = int(rng.integers(1, 4))
        words.append("".join(syllables[int(i)] for i in rng.integers(0, len(syllables), count)))
    # Punctuated and capitalised variants, as running text has them.
    return (
        words
        + [w + "," for w in words[:3000]]
        + [w + "." for w in words[:3000]]
        + [w.capitalize() for w in words[:3000]]
    )


@cache
def _cumulative_probabilities() -> np.ndarray:
    weights = 1.0 / np.arange(1, len(_vocabulary()) + 1) ** 1.05
    return np.cumsum(weights / weights.sum())


def _base_text(rng: np.random.Generator) -> list[str]:
    vocabulary = _vocabulary()
    cumulative = _cumulative_probabilities()
    picks = np.minimum(np.searchsorted(cumulative, rng.random(_WORDS_PER_DOC)), len(vocabulary) - 1)
    return [vocabulary[i] for i in picks.tolist()]


def generated_text(index: int, seed: int = 0) -> str:
    """Document `index` of the generated corpus: a function of the index alone."""
    rng = np.random.default_rng([seed, index])
    kind = rng.random()
    if index > 0 and kind < 0.2:
        source = generated_text(int(rng.integers(0, index)), seed)
        if kind < 0.1:  # exact copy after normalisation
            return source.upper() if kind < 0.05 else "  " + source.replace(" ", "\n", 3)
        words = source.split(" ")
        for position in rng.integers(0, len(words), max(1, len(words) * 3 // 100)):
            words[int(position)] = _vocabulary()[int(rng.integers(0, _VOCABULARY))]
        return " ".join(words)
    return " ".join(_base_text(rng))


def generated_docs(shard: int, total: int, seed: int = 0) -> Iterator[Doc]:
    for index in range(shard * _SHARD, min((shard + 1) * _SHARD, total)):
        yield Doc(
            id=f"{index:010d}",
            source_uri="generated",
            source_record=str(index),
            source_format="text",
            text=generated_text(index, seed),
        )


# --- 1. signature step ------------------------------------------------------------------------


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def signature_throughput(texts: list[str], datasketch_docs: int) -> list[dict[str, Any]]:
    settings = DedupSettings()
    hasher = minhash.MinHasher(settings.num_perm, settings.seed)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    rows = []

    def ours(hash_name: str) -> float:
        started = time.process_time()
        for start in range(0, len(texts), 256):
            batch = texts[start : start + 256]
            sources = [minhash.separated(minhash.fold_text(t)) for t in batch]
            hashes32, _, counts = minhash.shingle_values(sources, 5, "word", hash_name)
            hasher.signatures(hashes32, counts)
        return time.process_time() - started

    minhash.token_string("warm up the translation table")
    for name, hash_name in (("ours, poly64", "poly64"), ("ours, sha1 (datasketch's hash)", "sha1")):
        seconds = ours(hash_name)
        rows.append(
            {
                "implementation": name,
                "docs": len(texts),
                "docs_per_s": _rate(len(texts), seconds),
                "mb_per_s": megabytes / seconds,
            }
        )

    docs = [
        Doc(id=str(i), source_uri="", source_record="", source_format="", text=t)
        for i, t in enumerate(texts)
    ]
    started = time.process_time()
    for start in range(0, len(docs), 256):
        dedup.dedup_keys(docs[start : start + 256], settings, hasher)
    seconds = time.process_time() - started
    rows.append(
        {
            "implementation": "ours, whole key step (exact hash + signature + bands)",
            "docs": len(texts),
            "docs_per_s": _rate(len(texts), seconds),
            "mb_per_s": megabytes / seconds,
        }
    )

    from datasketch import MinHash

    sample = texts[:datasketch_docs]
    sample_mb = sum(len(t.encode()) for t in sample) / 1e6

    def update_loop(text: str) -> None:
        sketch = MinHash(num_perm=112)
        for shingle in minhash.shingles(text):
            sketch.update(shingle)

    def update_batch(text: str) -> None:
        MinHash(num_perm=112).update_batch(minhash.shingles(text))

    for name, run in (
        ("datasketch update loop", update_loop),
        ("datasketch update_batch", update_batch),
    ):
        subset = sample[: max(1, datasketch_docs // 10)] if run is update_loop else sample
        started = time.process_time()
        for text in subset:
            run(text)
        seconds = time.process_time() - started
        subset_mb = sum(len(t.encode()) for t in subset) / 1e6
        rows.append(
            {
                "implementation": name,
                "docs": len(subset),
                "docs_per_s": _rate(len(subset), seconds),
                "mb_per_s": subset_mb / seconds,
            }
        )
    started = time.process_time()
    for start in range(0, len(sample), 256):
        MinHash.bulk([minhash.shingles(t) for t in sample[start : start + 256]], num_perm=112)
    seconds = time.process_time() - started
    rows.append(
        {
            "implementation": "datasketch bulk",
            "docs": len(sample),
            "docs_per_s": _rate(len(sample), seconds),
            "mb_per_s": sample_mb / seconds,
        }
    )
    return rows


# --- 2. the whole transform -------------------------------------------------------------------


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _count_docs(count: int) -> str:
    return f"docs={count}"


class _ShardKeys:
    """Generated shard -> DedupKey tuples [main], (id, shard) ["where"], summary items: the
    `compute_keys` step of a local build's global pass, on generated documents."""

    def __init__(self, total: int, settings: DedupSettings) -> None:
        self._total = total
        self._settings = settings

    def __call__(self, shard: int) -> Iterator[Any]:
        import apache_beam as beam

        hasher = minhash.MinHasher(self._settings.num_perm, self._settings.seed)
        docs = list(generated_docs(shard, self._total))
        for start in range(0, len(docs), 256):
            keys = dedup.keys_or_errors(docs[start : start + 256], self._settings, hasher)
            for key in keys:
                yield tuple(key)
                yield beam.pvalue.TaggedOutput("where", (key.id, shard))
            yield beam.pvalue.TaggedOutput("summary", ("documents", len(keys)))


def _verdicts_by_shard(pipeline: Any, shards: Any, total: int, sketch: bool) -> tuple[Any, Any]:
    """The dedup stage as a local build runs it: (verdict count per shard, summary)."""
    import apache_beam as beam

    from pipelines.global_pass import _route_verdicts

    settings = DedupSettings()
    keyed = shards | "compute_keys" >> beam.FlatMap(_ShardKeys(total, settings)).with_outputs(
        "where", "summary", main="keys"
    )
    expected = total if sketch else None
    clusters = keyed.keys | "cluster" >> dedup.ClusterKeys(settings, expected_keys=expected)
    per_shard = (
        {"where": keyed.where, "dup": clusters["results"], "verify": clusters["verify"]}
        | "join_verdicts" >> beam.CoGroupByKey()
        | "route_verdicts" >> beam.FlatMap(_route_verdicts)
        | "group_verdicts_by_shard" >> beam.GroupByKey()
        | "verdicts_per_shard" >> beam.MapTuple(lambda shard, verdicts: len(list(verdicts)))
    )
    summary = (
        (keyed.summary, clusters["summary"])
        | "summary_items" >> beam.Flatten()
        | "summary" >> dedup.Summarise(settings)
    )
    return per_shard, summary


def run_transform(total: int, workers: int, generate_only: bool, form: str) -> dict[str, Any]:
    """Runs in a fresh process (see `main`): generate `total` documents, cluster them."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    options = PipelineOptions(
        direct_num_workers=workers,
        direct_running_mode="multi_processing" if workers > 1 else "in_memory",
    )
    shards = (total + _SHARD - 1) // _SHARD
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        with beam.Pipeline(runner=FnApiRunner(), options=options) as pipeline:
            listed = (
                pipeline
                | "shards" >> beam.Create(list(range(shards)))
                | "reshuffle" >> beam.Reshuffle()
            )
            summary = None
            if form != "documents" and not generate_only:
                # Keys are computed where the documents are generated; only ids move on.
                counts, summary = _verdicts_by_shard(pipeline, listed, total, form == "ids")
                count = counts | "count" >> beam.CombineGlobally(sum)
            else:
                docs = listed | "generate" >> beam.FlatMap(generated_docs, total)
                if not generate_only:
                    transform = dedup.ClusterNearDuplicates(DedupSettings())
                    docs = docs | "dedup" >> transform
                    summary = transform.summary
                count = docs | "count" >> beam.combiners.Count.Globally()
            if summary is not None:
                _ = (
                    summary
                    | "summary_json" >> beam.Map(json.dumps)
                    | "write_summary" >> beam.io.WriteToText(f"{work}/summary")
                )
            _ = (
                count
                | "format" >> beam.Map(_count_docs)
                | "write_count" >> beam.io.WriteToText(f"{work}/count")
            )
        wall = time.monotonic() - started
        files = {p.name.split("-")[0]: p.read_text() for p in Path(work).iterdir()}
    summary = json.loads(files["summary"]) if "summary" in files else None
    return {
        "docs": total,
        "workers": workers,
        "form": form,
        "generate_only": generate_only,
        "wall_s": wall,
        "peak_mib": _peak_mib(),
        "cpu_s": _cpu_seconds(),
        "count": files["count"].strip(),
        "summary": summary,
    }


def _in_fresh_process(args: list[str]) -> dict[str, Any]:
    # The project on the path of the child (and of its Beam workers), after any given path.
    paths = (os.environ.get("PYTHONPATH", ""), str(_REPO))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_dedup", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- 3. datatrove -----------------------------------------------------------------------------

_PEER = r"""
import json, sys, tempfile, time
from datatrove.data import Document
from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
texts = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
megabytes = sum(len(t.encode()) for t in texts) / 1e6
step = MinhashDedupSignature(output_folder=tempfile.mkdtemp(), config=MinhashConfig())
step.get_signature(step.get_shingles("warm up the tokenizer and parameters"))
shingling = signing = 0.0
for text in texts:
    started = time.process_time()
    shingles = step.get_shingles(text)
    shingling += time.process_time() - started
    if shingles.size:
        started = time.process_time()
        step.get_signature(shingles)
        signing += time.process_time() - started
with tempfile.TemporaryDirectory() as folder:
    step = MinhashDedupSignature(output_folder=folder, config=MinhashConfig())
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(texts)]
    started = time.process_time()
    step.run(iter(docs))
    whole = time.process_time() - started
from importlib.metadata import version
print(json.dumps({"version": version("datatrove"), "docs": len(texts), "mb": megabytes,
                  "shingles_s": shingling, "signature_s": signing, "run_s": whole}))
"""


def datatrove_throughput(peer_python: str, texts: list[str]) -> dict[str, Any] | str:
    if not Path(peer_python).exists():
        return f"peer interpreter {peer_python} not found: datatrove skipped"
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as f:
        for text in texts:
            f.write(json.dumps(text) + "\n")
        corpus = f.name
    try:
        done = subprocess.run(
            [peer_python, "-c", _PEER, corpus], capture_output=True, text=True, check=False
        )
    finally:
        os.unlink(corpus)
    if done.returncode != 0:
        return f"datatrove skipped: {done.stderr.strip().splitlines()[-1]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- report -----------------------------------------------------------------------------------


def report_signatures(args: argparse.Namespace) -> tuple[list[dict[str, Any]], Any]:
    texts = [generated_text(i) for i in range(args.signature_docs)]
    mean_kb = sum(len(t.encode()) for t in texts) / len(texts) / 1000
    print(
        f"## Signature step: {len(texts)} generated documents, mean {mean_kb:.2f} KB, "
        "112 permutations, word 5-grams, one core\n"
    )
    signature_rows = signature_throughput(texts, args.datasketch_docs)
    peer = datatrove_throughput(args.peer_python, texts[: args.peer_docs])
    if isinstance(peer, dict):
        signature_rows += [
            {
                "implementation": f"datatrove {peer['version']} get_shingles + get_signature",
                "docs": peer["docs"],
                "docs_per_s": peer["docs"] / (peer["shingles_s"] + peer["signature_s"]),
                "mb_per_s": peer["mb"] / (peer["shingles_s"] + peer["signature_s"]),
            },
            {
                "implementation": f"datatrove {peer['version']} get_signature alone (its "
                "permutations, on its shingles)",
                "docs": peer["docs"],
                "docs_per_s": peer["docs"] / peer["signature_s"],
                "mb_per_s": peer["mb"] / peer["signature_s"],
            },
            {
                "implementation": f"datatrove {peer['version']} MinhashDedupSignature.run "
                "(+ bucket files, sorting)",
                "docs": peer["docs"],
                "docs_per_s": peer["docs"] / peer["run_s"],
                "mb_per_s": peer["mb"] / peer["run_s"],
            },
        ]
    print("| implementation | docs | docs/s | MB/s |")
    print("|---|---|---|---|")
    for row in signature_rows:
        print(
            f"| {row['implementation']} | {row['docs']} | {row['docs_per_s']:,.0f} | "
            f"{row['mb_per_s']:.1f} |"
        )
    if isinstance(peer, dict):
        ratio = signature_rows[0]["docs_per_s"] / signature_rows[-3]["docs_per_s"]
        print(f"\nours / datatrove (shingles + signature, per core): {ratio:.1f}x")
    else:
        print(f"\n{peer}")
    return signature_rows, peer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--docs",
        type=int,
        nargs="*",
        default=[100_000],
        help="corpus sizes for the whole transform (e.g. 100000 1000000)",
    )
    parser.add_argument("--signature-docs", type=int, default=20_000)
    parser.add_argument("--datasketch-docs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--form",
        choices=["ids", "ids-unsketched", "documents"],
        default="ids",
        help="the dedup stage as local builds run it (ids) or as the one-graph build (documents)",
    )
    parser.add_argument("--peer-python", default="/tmp/bench-peer/bin/python")
    parser.add_argument("--peer-docs", type=int, default=2000)
    parser.add_argument("--transform", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    if args.transform is not None:  # the child process of measurement 2
        result = run_transform(args.transform, args.workers, args.generate_only, args.form)
        print(json.dumps(result))
        return 0

    signature_rows: list[dict[str, Any]] = []
    peer: Any = None
    if args.signature_docs:
        signature_rows, peer = report_signatures(args)
    transform_rows = []
    if args.docs:
        title = (
            "ClusterNearDuplicates"
            if args.form == "documents"
            else f"local global pass ({args.form})"
        )
        print(f"\n## dedup stage, {title}, on FnApiRunner, {args.workers} worker(s)\n")
        print(
            "| docs | wall s: generate only | wall s: generate + dedup | dedup wall s "
            "| dedup docs/s | CPU s: generate + dedup | peak RSS MiB: generate only "
            "| peak RSS MiB: generate + dedup | clusters | exact dups | near dups | converged |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for total in args.docs:
        common = ["--transform", str(total), "--workers", str(args.workers), "--form", args.form]
        baseline = _in_fresh_process([*common, "--generate-only"])
        full = _in_fresh_process(common)
        summary = full["summary"]
        share = full["wall_s"] - baseline["wall_s"]
        transform_rows.append({"baseline": baseline, "full": full})
        print(
            f"| {total:,} | {baseline['wall_s']:.1f} | {full['wall_s']:.1f} | {share:.1f} | "
            f"{total / share:,.0f} | {full['cpu_s']:.1f} | {baseline['peak_mib']:,.0f} | "
            f"{full['peak_mib']:,.0f} | {summary['clusters']:,} | "
            f"{summary['exact_duplicates']:,} | {summary['near_duplicates']:,} | "
            f"{summary['connected_components']['converged']} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"signature": signature_rows, "transform": transform_rows, "peer": peer}, indent=2
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
