"""The dedup stage on the shared evaluation sets, through the real Beam transform.

    python -m bench.eval_dedup [--eval-dir DIR] [--profile NAME ...] [--json PATH]

Sets (under `<eval>/dedup`, read in place, never copied):

- `data-juicer`: 14 short documents (en, fr, zh) in 4 labelled duplicate clusters and 4
  singletons. A cluster counts as recovered when its documents, and only they, share one
  `dup_cluster`.
- `textreuse`: 11 books and law codes with 31 labelled pairs (4 reuse, 27 unrelated). A reuse
  pair whose exact Jaccard (this profile's shingles) is at or above the profile's threshold
  must end in one cluster; an unrelated pair must not.
- agreement with datasketch: datasketch 2.0 `MinHash` (with this project's shingles and shingle
  hash) indexed in `MinHashLSH` with the same num_perm and threshold (or bands/rows, where the
  profile fixes them): its candidate pairs against the pairs that share one of our band keys,
  and the connected components of its candidate pairs (plus exact groups) against the clusters
  the Beam transform returns.

Profiles: `fineweb` (the defaults: word 5-grams, 112 permutations, 14 bands x 8 rows,
threshold 0.75); `datajuicer` (data-juicer's MinHash deduplicator defaults: word 5-grams, 256
permutations, threshold 0.7, bands and rows derived); `short-text` (character 5-grams, threshold
0.5, bands and rows derived) - chosen after looking at the data-juicer clusters, so its
data-juicer figure is not an independent measurement.

`--sweep` adds how much that choice matters: the exact Jaccard (character 5-grams, the measure
the data-juicer labels quote) at which each labelled cluster connects and the highest Jaccard
between documents of different clusters, then the data-juicer result of the `short-text`
profile at every threshold from 0.30 to 0.80.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from schemas.dedup import DedupSettings, ShingleUnit
from schemas.document import Doc
from transforms import dedup, minhash
from transforms.dedup import ClusterNearDuplicates

_REPO = Path(__file__).resolve().parent.parent

PROFILES: dict[str, DedupSettings] = {
    "fineweb": DedupSettings(),
    "datajuicer": DedupSettings(num_perm=256, bands=None, rows=None, threshold=0.7),
    "short-text": DedupSettings(shingle=ShingleUnit.CHAR, bands=None, rows=None, threshold=0.5),
}


def default_eval_dir() -> Path:
    return Path(os.environ.get("CURATE_EVAL_DIR", _REPO.parent / "shared" / "eval"))


def _doc(doc_id: str, text: str) -> Doc:
    return Doc(id=doc_id, source_uri="eval", source_record=doc_id, source_format="text", text=text)


def load_datajuicer(root: Path) -> tuple[list[Doc], list[dict[str, str]]]:
    path = root / "data-juicer_demo-dataset-deduplication.jsonl"
    with path.open(encoding="utf-8") as lines:
        docs = [_doc(f"dj{i:02d}", json.loads(line)["text"]) for i, line in enumerate(lines)]
    with (root / "data-juicer_demo_clusters.csv").open(encoding="utf-8") as table:
        truth = list(csv.DictReader(table))
    return docs, truth


def load_textreuse(root: Path) -> tuple[list[Doc], list[dict[str, str]]]:
    docs = []
    for corpus in ("textreuse_ats", "textreuse_legal"):
        for path in sorted((root / corpus).iterdir()):
            docs.append(_doc(path.name, path.read_text(encoding="utf-8-sig")))
    with (root / "textreuse_pairs.csv").open(encoding="utf-8") as table:
        pairs = list(csv.DictReader(table))
    return docs, pairs


# --- running the transform --------------------------------------------------------------------


def _outcome(doc: Doc) -> str:
    return json.dumps([doc.id, doc.dup_cluster, doc.dup_cluster_size, doc.dup_of, doc.dup_exact])


def run_transform(
    docs: list[Doc], settings: DedupSettings
) -> tuple[dict[str, tuple[Any, ...]], dict[str, Any]]:
    """Runs ClusterNearDuplicates on FnApiRunner: {id: (cluster, size, dup_of, exact)}, summary."""
    with tempfile.TemporaryDirectory() as work:
        with beam.Pipeline(runner=FnApiRunner()) as pipeline:
            transform = ClusterNearDuplicates(settings)
            out = pipeline | "documents" >> beam.Create(docs) | "dedup" >> transform
            _ = (
                out
                | "outcomes" >> beam.Map(_outcome)
                | "write_outcomes" >> beam.io.WriteToText(f"{work}/outcomes")
            )
            _ = (
                transform.summary
                | "summary_json" >> beam.Map(json.dumps, sort_keys=True)
                | "write_summary" >> beam.io.WriteToText(f"{work}/summary")
            )
        outcomes: dict[str, tuple[Any, ...]] = {}
        summary: dict[str, Any] = {}
        for path in sorted(Path(work).iterdir()):
            for line in path.read_text(encoding="utf-8").splitlines():
                if path.name.startswith("outcomes"):
                    row = json.loads(line)
                    outcomes[row[0]] = tuple(row[1:])
                else:
                    summary = json.loads(line)
    return outcomes, summary


# --- reference: datasketch ---------------------------------------------------------------------


def datasketch_candidates(docs: list[Doc], settings: DedupSettings) -> set[tuple[str, str]]:
    """Candidate pairs of datasketch's MinHashLSH over datasketch MinHash signatures."""
    from datasketch import MinHash, MinHashLSH

    if settings.bands is not None and settings.rows is not None:
        lsh = MinHashLSH(num_perm=settings.num_perm, params=(settings.bands, settings.rows))
    else:
        lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
    hashfunc = minhash.sha1_hash32 if settings.shingle_hash == "sha1" else minhash.shingle_hash32
    candidates: set[tuple[str, str]] = set()
    for doc in docs:
        shingles = minhash.shingles(doc.text, settings.ngram, settings.shingle)
        if not shingles:  # no tokens: we never put such documents in LSH buckets either
            continue
        sketch = MinHash(num_perm=settings.num_perm, seed=settings.seed, hashfunc=hashfunc)
        sketch.update_batch(shingles)
        lsh.insert(doc.id, sketch)
        for other in lsh.query(sketch):
            if other != doc.id:
                low, high = sorted((doc.id, other))
                candidates.add((low, high))
    return candidates


def our_candidates(docs: list[Doc], settings: DedupSettings) -> set[tuple[str, str]]:
    """Pairs of documents sharing at least one of our band keys."""
    copies = [
        Doc(id=d.id, source_uri="", source_record="", source_format="", text=d.text) for d in docs
    ]
    keys = dedup.dedup_keys(copies, settings, minhash.MinHasher(settings.num_perm, settings.seed))
    buckets: dict[tuple[int, bytes], list[str]] = {}
    for key in keys:
        for index, band in enumerate(key.bands):
            buckets.setdefault((index, band), []).append(key.id)
    return {
        (a, b) if a < b else (b, a)
        for ids in buckets.values()
        for a, b in itertools.combinations(ids, 2)
    }


def components(nodes: Iterable[str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Node -> smallest node of its component (union-find)."""
    parent = {node: node for node in nodes}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {node: root(node) for node in parent}


def agreement(
    docs: list[Doc], settings: DedupSettings, outcomes: dict[str, tuple[Any, ...]]
) -> dict[str, Any]:
    theirs = datasketch_candidates(docs, settings)
    ours = our_candidates(docs, settings)
    exact: dict[str, list[str]] = {}
    for doc in docs:
        exact.setdefault(dedup.exact_hash(doc.text), []).append(doc.id)
    exact_pairs = [(ids[0], other) for ids in exact.values() for other in ids[1:]]
    reference = components([d.id for d in docs], [*theirs, *exact_pairs])
    cluster_diff = sorted(doc.id for doc in docs if reference[doc.id] != outcomes[doc.id][0])
    return {
        "datasketch_pairs": len(theirs),
        "our_pairs": len(ours),
        "only_datasketch": sorted(theirs - ours),
        "only_ours": sorted(ours - theirs),
        "clusters_differ_for": cluster_diff,
    }


# --- scoring ----------------------------------------------------------------------------------


def score_datajuicer(
    truth: list[dict[str, str]], outcomes: dict[str, tuple[Any, ...]]
) -> list[dict[str, Any]]:
    members: dict[str, list[str]] = {}
    relation: dict[str, str] = {}
    for row in truth:
        members.setdefault(row["cluster_id"], []).append(f"dj{int(row['line_index']):02d}")
        relation.setdefault(row["cluster_id"], row["relation"])
    rows = []
    for name, ids in sorted(members.items()):
        found = sorted({outcomes[i][0] for i in ids})
        ours = sorted(i for i, o in outcomes.items() if o[0] in found)
        rows.append(
            {
                "cluster": name,
                "lines": [int(i[2:]) for i in sorted(ids)],
                "relation": relation[name],
                "our_groups": [
                    sorted(int(i[2:]) for i, o in outcomes.items() if o[0] == c) for c in found
                ],
                "recovered": len(found) == 1 and ours == sorted(ids),
            }
        )
    return rows


def score_textreuse(
    docs: list[Doc],
    pairs: list[dict[str, str]],
    settings: DedupSettings,
    outcomes: dict[str, tuple[Any, ...]],
    candidates: set[tuple[str, str]],
) -> list[dict[str, Any]]:
    values = {
        doc.id: minhash.shingle_values(
            [minhash.shingle_source(doc.text, settings.shingle)], settings.ngram, settings.shingle
        )[1]
        for doc in docs
    }
    rows = []
    for pair in pairs:
        a, b = pair["doc_a"], pair["doc_b"]
        similarity = minhash.jaccard(values[a], values[b])
        merged = outcomes[a][0] == outcomes[b][0]
        if pair["label"] == "unrelated":
            verdict = "MERGED" if merged else "ok"
        elif similarity >= settings.threshold:
            verdict = "ok" if merged else "MISSED"
        else:
            verdict = "below threshold"
        rows.append(
            {
                "pair": f"{a} / {b}",
                "label": pair["label"],
                "jaccard_word5_file": float(pair["jaccard_word5"]),
                "jaccard": round(similarity, 4),
                "candidate": tuple(sorted((a, b))) in candidates,
                "same_cluster": merged,
                "verdict": verdict,
            }
        )
    return rows


def evaluate(root: Path, profile: str) -> dict[str, Any]:
    settings = PROFILES[profile]
    bands, rows = dedup.lsh_params(settings)
    report: dict[str, Any] = {
        "profile": profile,
        "bands": bands,
        "rows": rows,
        "threshold": settings.threshold,
        "shingle": settings.shingle.value,
        "ngram": settings.ngram,
        "num_perm": settings.num_perm,
    }
    dj_docs, truth = load_datajuicer(root)
    dj_out, dj_summary = run_transform(dj_docs, settings)
    report["datajuicer"] = score_datajuicer(truth, dj_out)
    report["datajuicer_agreement"] = agreement(dj_docs, settings, dj_out)
    tr_docs, pairs = load_textreuse(root)
    tr_out, tr_summary = run_transform(tr_docs, settings)
    report["textreuse"] = score_textreuse(
        tr_docs, pairs, settings, tr_out, our_candidates(tr_docs, settings)
    )
    labelled = {tuple(sorted((p["doc_a"], p["doc_b"]))) for p in pairs}
    report["textreuse_unlabelled_merges"] = sorted(
        (a, b)
        for a, b in itertools.combinations(sorted(tr_out), 2)
        if tr_out[a][0] == tr_out[b][0] and (a, b) not in labelled
    )
    report["textreuse_agreement"] = agreement(tr_docs, settings, tr_out)
    report["converged"] = (
        dj_summary["connected_components"]["converged"]
        and tr_summary["connected_components"]["converged"]
    )
    return report


# --- how much the short-text threshold matters ---------------------------------------------------

SWEEP_THRESHOLDS = [round(0.30 + 0.05 * step, 2) for step in range(11)]


def separation(docs: list[Doc], truth: list[dict[str, str]], unit: ShingleUnit) -> dict[str, Any]:
    """Exact Jaccard margins of the labelled clusters under one shingle unit.

    `connects_at[c]`: the highest threshold at which cluster c is still connected by pairs at or
    above it (the weakest link of its maximum spanning tree); `highest_across`: the highest
    Jaccard between two documents of different clusters (singletons included). Any threshold
    between the two separates the clusters exactly, before MinHash's sampling error.
    """
    values = {
        doc.id: minhash.shingle_values([minhash.shingle_source(doc.text, unit)], 5, unit)[1]
        for doc in docs
    }
    cluster_of = {f"dj{int(row['line_index']):02d}": row["cluster_id"] for row in truth}
    pairs = sorted(
        (
            (minhash.jaccard(values[a], values[b]), a, b)
            for a, b in itertools.combinations(values, 2)
        ),
        reverse=True,
    )
    connects_at: dict[str, float] = {}
    parent = {doc_id: doc_id for doc_id in values}

    def root(node: str) -> str:
        while parent[node] != node:
            node = parent[node]
        return node

    sizes = {c: sum(1 for v in cluster_of.values() if v == c) for c in set(cluster_of.values())}
    for similarity, a, b in pairs:
        if cluster_of[a] != cluster_of[b] or root(a) == root(b):
            continue
        parent[root(a)] = root(b)
        members = [d for d, c in cluster_of.items() if c == cluster_of[a]]
        if len({root(d) for d in members}) == 1:
            connects_at[cluster_of[a]] = round(similarity, 4)
    across = max(s for s, a, b in pairs if cluster_of[a] != cluster_of[b])
    return {
        "connects_at": {c: connects_at[c] for c in sorted(connects_at) if sizes[c] > 1},
        "highest_across": round(across, 4),
    }


def sweep(root: Path) -> dict[str, Any]:
    docs, truth = load_datajuicer(root)
    recovered = {}
    for threshold in SWEEP_THRESHOLDS:
        settings = DedupSettings(
            shingle=ShingleUnit.CHAR, bands=None, rows=None, threshold=threshold
        )
        outcomes, _ = run_transform(docs, settings)
        rows = score_datajuicer(truth, outcomes)
        recovered[threshold] = {
            "lsh": "x".join(map(str, dedup.lsh_params(settings))),
            "recovered": sum(row["recovered"] for row in rows),
            "missed": [row["cluster"] for row in rows if not row["recovered"]],
        }
    return {
        "char": separation(docs, truth, ShingleUnit.CHAR),
        "word": separation(docs, truth, ShingleUnit.WORD),
        "thresholds": recovered,
    }


def print_sweep(result: dict[str, Any], clusters: int) -> None:
    print("\n## data-juicer: exact Jaccard margins and the short-text threshold\n")
    print("| shingles | each cluster connects at (exact Jaccard) | highest across clusters |")
    print("|---|---|---|")
    for unit in ("word", "char"):
        margins = result[unit]
        links = ", ".join(f"{c} {v}" for c, v in margins["connects_at"].items())
        print(f"| {unit} 5-grams | {links} | {margins['highest_across']} |")
    print("\n| threshold (char 5-grams) | bands x rows | clusters recovered | missed |")
    print("|---|---|---|---|")
    for threshold, row in result["thresholds"].items():
        missed = ", ".join(row["missed"]) or "-"
        print(f"| {threshold:.2f} | {row['lsh']} | {row['recovered']}/{clusters} | {missed} |")


def print_report(report: dict[str, Any]) -> None:
    print(
        f"\n## profile `{report['profile']}`: {report['shingle']} {report['ngram']}-grams, "
        f"{report['num_perm']} permutations, {report['bands']} bands x {report['rows']} rows, "
        f"threshold {report['threshold']}\n"
    )
    recovered = sum(row["recovered"] for row in report["datajuicer"])
    print(f"data-juicer clusters recovered exactly: {recovered}/{len(report['datajuicer'])}\n")
    print("| cluster | lines | our grouping | recovered | relation |")
    print("|---|---|---|---|---|")
    for row in report["datajuicer"]:
        print(
            f"| {row['cluster']} | {row['lines']} | {row['our_groups']} | "
            f"{'yes' if row['recovered'] else 'NO'} | {row['relation']} |"
        )
    rows = report["textreuse"]
    failures = [row for row in rows if row["verdict"] in ("MISSED", "MERGED")]
    print(
        f"\ntextreuse: {len(rows) - len(failures)}/{len(rows)} pairs as required "
        f"({sum(r['label'] == 'unrelated' and not r['same_cluster'] for r in rows)}/"
        f"{sum(r['label'] == 'unrelated' for r in rows)} unrelated kept apart); "
        f"unlabelled merges: {report['textreuse_unlabelled_merges'] or 'none'}\n"
    )
    print(
        "| pair | label | Jaccard (file, word 5) | Jaccard (ours) | candidate | same cluster "
        "| verdict |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        if row["label"] == "reuse" or row["candidate"] or row["verdict"] != "ok":
            print(
                f"| {row['pair']} | {row['label']} | {row['jaccard_word5_file']} | "
                f"{row['jaccard']} | {row['candidate']} | {row['same_cluster']} | "
                f"{row['verdict']} |"
            )
    quiet = sum(
        1 for r in rows if not (r["label"] == "reuse" or r["candidate"] or r["verdict"] != "ok")
    )
    print(f"| ({quiet} more unrelated pairs: not candidates, kept apart) | | | | | | ok |")
    for name in ("datajuicer_agreement", "textreuse_agreement"):
        agree = report[name]
        same = not (agree["only_datasketch"] or agree["only_ours"])
        print(
            f"\n{name.replace('_', ' ')}: candidate pairs datasketch {agree['datasketch_pairs']}"
            f", ours {agree['our_pairs']}: {'equal' if same else 'DIFFERENT'}; "
            f"clusters vs datasketch components: "
            f"{'equal' if not agree['clusters_differ_for'] else agree['clusters_differ_for']}"
        )
        for pair in agree["only_datasketch"]:
            print(f"  only datasketch: {pair}")
        for pair in agree["only_ours"]:
            print(f"  only ours: {pair}")
    print(f"\nconnected components converged: {report['converged']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=default_eval_dir())
    parser.add_argument("--profile", action="append", choices=sorted(PROFILES))
    parser.add_argument("--json", type=Path, help="also write the full report here")
    parser.add_argument(
        "--sweep", action="store_true", help="also sweep the short-text profile's threshold"
    )
    args = parser.parse_args(argv)
    root = args.eval_dir / "dedup"
    if not root.is_dir():
        print(f"no evaluation data at {root}", file=sys.stderr)
        return 1
    reports = [evaluate(root, profile) for profile in args.profile or list(PROFILES)]
    for report in reports:
        print_report(report)
    output: dict[str, Any] = {"profiles": reports}
    if args.sweep:
        output["sweep"] = sweep(root)
        print_sweep(output["sweep"], len(reports[0]["datajuicer"]))
    if args.json:
        args.json.write_text(json.dumps(output, indent=2, default=list) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
