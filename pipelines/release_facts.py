"""What the release artifacts (report, Croissant, dataset card) show, gathered once per release.

Everything comes from the published manifest, except what the manifest does not summarise:
per-document score histograms (language score, words, alphabetic-word share), the most frequent
registered domains of kept documents, and the data Parquet schema. Those are read from the
published `ledger/` and `data/` files, a few columns at a time, so a large release is streamed
rather than loaded. Every value is a pure function of the release files: the artifacts are
deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipelines.release import join

TOP_DOMAINS = 20
UNIT_BINS: list[float] = [round(i / 10, 1) for i in range(11)]
# Words per document, on a roughly logarithmic scale around the Gopher bounds (50 .. 100,000).
WORD_BINS: list[float] = [0, 10, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000]


@dataclass(frozen=True)
class Histogram:
    """Counts per bin; `edges` has one more entry than the counts (the last bin is open)."""

    name: str
    title: str
    edges: list[float]
    all: list[int]
    kept: list[int]
    thresholds: dict[str, float] = field(default_factory=dict)
    open_ended: bool = False


@dataclass(frozen=True)
class ReleaseFacts:
    manifest: dict[str, Any]
    histograms: list[Histogram]
    top_domains: list[tuple[str, int]]
    data_schema: pa.Schema | None


def _unit_bins(values: np.ndarray) -> np.ndarray:
    # Same binning as the manifest's toxicity histogram: [i/10, (i+1)/10), 1.0 in the last bin.
    index = np.floor(values.astype(np.float64) * 10).astype(np.int64)
    return np.bincount(np.clip(index, 0, 9), minlength=10)


def _word_bins(values: np.ndarray) -> np.ndarray:
    index = np.searchsorted(np.asarray(WORD_BINS[1:]), values, side="right")
    return np.bincount(index, minlength=len(WORD_BINS))[: len(WORD_BINS)]


_LEDGER_HISTOGRAMS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray], list[float], bool]] = {
    # column: (title, binning, edges, open-ended last bin)
    "language_score": ("Language-ID score (top language)", _unit_bins, UNIT_BINS, False),
    "word_count": ("Words per document", _word_bins, WORD_BINS, True),
    "alpha_word_ratio": ("Share of words with a letter", _unit_bins, UNIT_BINS, False),
}


def _ledger_scan(
    outdir: str, manifest: dict[str, Any]
) -> tuple[list[Histogram], list[tuple[str, int]]]:
    ledger_files = [
        join(outdir, o["path"]) for o in manifest["outputs"] if o["path"].startswith("ledger/")
    ]
    if not ledger_files:
        return [], []
    dataset = ds.dataset(ledger_files, format="parquet")
    names = set(dataset.schema.names)
    columns = [c for c in _LEDGER_HISTOGRAMS if c in names]
    wanted = ["status", *columns] + (["registered_domain"] if "registered_domain" in names else [])
    totals: dict[str, dict[str, np.ndarray]] = {}
    domains: Counter[str] = Counter()
    for batch in dataset.to_batches(columns=wanted):
        kept = np.asarray(batch.column("status").to_numpy(zero_copy_only=False) == "kept")
        for column in columns:
            array = batch.column(column)
            valid = np.asarray(array.is_valid().to_numpy(zero_copy_only=False))
            values = array.fill_null(0).to_numpy(zero_copy_only=False)
            binning = _LEDGER_HISTOGRAMS[column][1]
            counts = totals.setdefault(column, {})
            for part, mask in (("all", valid), ("kept", valid & kept)):
                found = binning(values[mask])
                counts[part] = counts[part] + found if part in counts else found
        if "registered_domain" in wanted:
            kept_domains = batch.column("registered_domain").filter(pa.array(kept))
            domains.update(d for d in kept_domains.to_pylist() if d)
    histograms = []
    for column in columns:
        title, _, edges, open_ended = _LEDGER_HISTOGRAMS[column]
        counts = totals.get(column, {})
        empty = [0] * (len(edges) - (0 if open_ended else 1))
        histograms.append(
            Histogram(
                name=column,
                title=title,
                edges=list(edges),
                all=[int(v) for v in counts.get("all", empty)],
                kept=[int(v) for v in counts.get("kept", empty)],
                open_ended=open_ended,
            )
        )
    top = sorted(domains.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DOMAINS]
    return histograms, top


def _toxicity_histogram(manifest: dict[str, Any]) -> list[Histogram]:
    toxicity = manifest["summaries"].get("toxicity")
    if not toxicity:
        return []
    return [
        Histogram(
            name="toxicity_score",
            title="Toxicity score",
            edges=list(toxicity["histogram_bins"]),
            all=list(toxicity["all"]),
            kept=list(toxicity["kept"]),
            thresholds=dict(toxicity.get("thresholds", {})),
        )
    ]


def takedown_note(manifest: dict[str, Any]) -> str | None:
    """One sentence on a release that `curate takedown` derived from another, else None."""
    takedown = manifest.get("takedown")
    if not takedown:
        return None
    parent, request = takedown["parent"], takedown["request"]
    return (
        f"Derived by curate takedown from the release at {parent['path']} (run "
        f"{parent['run_id']}): a request of {request['entries']} {request['kind']} matched "
        f"{request['documents']} documents, {request['removed_kept']} of them removed from "
        f"data/; {len(takedown['rewritten'])} files rewritten, the others copied."
    )


def data_schema(outdir: str, manifest: dict[str, Any]) -> pa.Schema | None:
    """The schema of the data/ Parquet files (every shard has the same one)."""
    for output in manifest["outputs"]:
        if output["path"].startswith("data/"):
            return pq.read_schema(join(outdir, output["path"]))
    return None


def gather(outdir: str, manifest: dict[str, Any]) -> ReleaseFacts:
    histograms, top_domains = _ledger_scan(outdir, manifest)
    return ReleaseFacts(
        manifest=manifest,
        histograms=_toxicity_histogram(manifest) + histograms,
        top_domains=top_domains,
        data_schema=data_schema(outdir, manifest),
    )
