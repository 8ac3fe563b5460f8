"""Exact and MinHash near-duplicate clustering across the whole build.

Reads `Doc.text`, `Doc.id`, `Doc.status` and, for the representative rule, `Doc.fetch_date`.
Writes, on every document that is not an error:

- `exact_hash`: xxh3-128 (hex) of the normalised text (NFKC, casefold, whitespace collapsed);
- `dup_cluster`: the smallest id of the document's cluster (its own id when it has no duplicate);
- `dup_cluster_size`: documents in the cluster (1 for a singleton);
- `dup_of`: the id of the document the cluster keeps, or None for that document itself;
- `dup_exact`: whether the normalised text equals the kept document's (None when `dup_of` is).

Errored documents pass through untouched. Nothing is dropped here: `check` turns the fields into
the reasons `exact_duplicate` (same normalised text as the kept document) and `near_duplicate`
(in the cluster through MinHash similarity), which the decide step applies.

The algorithm, in the pipeline graph (see docs/dedup.md):

1. per document, one pass over the text: the exact hash, the MinHash signature (see
   `transforms.minhash`) and the LSH band keys; the text itself stays where it is and only
   `(id, exact hash, band keys, rank)` records travel through the shuffles below;
2. group by exact hash: each group of identical texts is represented by its smallest id, its
   *leader*; only leaders take part in the LSH step, so a page repeated a million times costs
   one bucket entry per band;
3. group leaders by band key (band index + the band's bytes); every bucket links its members to
   its smallest id (a star: n - 1 edges, never all pairs);
4. connected components of those edges by alternating large-star and small-star rounds
   (Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014), unrolled
   `max_rounds` times; the changes each round makes are counted, and zero changes in the last
   round proves the components are final. Transitive chains end in one cluster;
5. group each component's members (leaders plus their exact copies) and choose the kept
   document by the configured rule, the smallest id breaking the last tie;
6. join the verdicts back to the documents by id (the one shuffle the text takes).

Every step depends only on ids and values (minima, counts, sets), never on bundle or arrival
order, so clusters and kept documents are the same with any number of workers and any input order.

Incremental builds pass the parent releases' dedup index files (`prior_index`): their rows
(id, exact hash, band keys of each kept document) join steps 2-5 as members that always win the
representative choice, so a new document that duplicates a published one names it in `dup_of`;
they have no document to join in step 6 and so never reach the output. `index` is the
(id, exact hash, band keys) of every document with text, for the release's own dedup index.

Version history: 1 - exact hash, MinHash LSH, star-contraction components.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from itertools import islice
from typing import Any, NamedTuple

import apache_beam as beam
import numpy as np
import xxhash
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from schemas.dedup import INDEX_SCHEMA, DedupSettings, RepresentativeRule
from schemas.document import Doc, Status
from transforms import minhash
from transforms.base import StageClock, error_message

STAGE = "dedup"
VERSION = "1"

_log = logging.getLogger(__name__)

# Documents per signature batch: amortises numpy's per-call cost over ~0.5 MB of text.
_BATCH = 256


class DropReason(StrEnum):
    EXACT_DUPLICATE = "exact_duplicate"
    NEAR_DUPLICATE = "near_duplicate"


# --- pure functions ----------------------------------------------------------------------------


def exact_hash(text: str) -> str:
    """Hex xxh3-128 of the normalised text: equal for texts that differ only in case, Unicode
    compatibility forms or whitespace."""
    return _digest(minhash.normalize_text(text))


def _digest(normalized: str) -> str:
    return xxhash.xxh3_128_hexdigest(normalized.encode("utf-8"))


def lsh_params(settings: DedupSettings) -> tuple[int, int]:
    """(bands, rows): as configured, or derived from the threshold as datasketch's MinHashLSH."""
    if settings.bands is not None and settings.rows is not None:
        return settings.bands, settings.rows
    return minhash.optimal_bands_rows(settings.threshold, settings.num_perm)


def rank_key(doc: Doc, rules: Sequence[RepresentativeRule]) -> tuple[Any, ...]:
    """Sort key of a document as a candidate representative: the smallest key is kept.

    A document already rejected by an earlier decision never wins over a kept one; then the
    configured rules in order; the id last, so the key is unique and the choice deterministic.
    Fetch dates compare as strings: the readers write ISO 8601 UTC, which sorts chronologically;
    a document without one sorts after those with one.
    """
    key: list[Any] = [0 if doc.status is Status.KEPT else 1]
    for rule in rules:
        if rule is RepresentativeRule.EARLIEST_FETCH_DATE:
            key += [0, doc.fetch_date] if doc.fetch_date else [1, ""]
        elif rule is RepresentativeRule.LONGEST_TEXT:
            key.append(-len(doc.text))
    key.append(doc.id)
    return tuple(key)


# Records crossing a shuffle travel as plain tuples (Beam encodes those natively; a NamedTuple
# would be pickled) and are read back through these NamedTuples.


class DedupKey(NamedTuple):
    """What a document sends through the shuffles in place of its text."""

    id: str
    exact_hash: str
    bands: tuple[bytes, ...]
    rank: tuple[Any, ...]


class Member(NamedTuple):
    """A document as a cluster member: enough to choose and name the kept document."""

    id: str
    exact_hash: str
    rank: tuple[Any, ...]


class DupResult(NamedTuple):
    """The verdict joined back to a document."""

    cluster: str
    size: int
    dup_of: str | None
    exact: bool | None


def dedup_keys(
    docs: Sequence[Doc], settings: DedupSettings, hasher: minhash.MinHasher | None
) -> list[DedupKey]:
    """Exact hash, band keys and rank of each document, computed in one vectorised batch.

    Sets `doc.exact_hash`. Band keys are empty when near-duplicate detection is off or the
    text has no tokens (such documents are grouped by their exact hash only).
    """
    folded = [minhash.fold_text(doc.text) for doc in docs]
    normalized = [minhash.collapse_whitespace(text) for text in folded]
    hashes = [_digest(text) for text in normalized]
    bands: list[tuple[bytes, ...]] = [()] * len(docs)
    if settings.near and hasher is not None:
        n_bands, rows = lsh_params(settings)
        sources = [minhash.separated(text, settings.shingle) for text in folded]
        hashes32, _, counts = minhash.shingle_values(
            sources, settings.ngram, settings.shingle, settings.shingle_hash
        )
        signatures = hasher.signatures(hashes32, counts)
        for i, count in enumerate(counts.tolist()):
            if count:
                bands[i] = tuple(minhash.band_keys(signatures[i], n_bands, rows))
    keys = []
    for doc, text, digest, doc_bands in zip(docs, normalized, hashes, bands, strict=True):
        rank = rank_key(doc, settings.representative)
        if not text.strip():
            # Documents without text (images, empty pages) are not copies of each other: each
            # gets a group of its own instead of one huge cluster of empty strings.
            doc.exact_hash = None
            keys.append(DedupKey(doc.id, f"empty:{doc.id}", (), rank))
            continue
        doc.exact_hash = digest
        keys.append(DedupKey(doc.id, digest, doc_bands, rank))
    return keys


def keys_or_errors(
    docs: Sequence[Doc], settings: DedupSettings, hasher: minhash.MinHasher | None
) -> list[DedupKey]:
    """`dedup_keys` of a batch; should the batch fail, one document at a time, and a document
    that fails alone is marked errored (`doc.fail`) and has no key."""
    try:
        return dedup_keys(docs, settings, hasher)
    except Exception:  # one bad document must not fail the batch
        keys: list[DedupKey] = []
        for doc in docs:
            try:
                keys += dedup_keys([doc], settings, hasher)
            except Exception as exc:
                doc.fail(STAGE, error_message(exc))
        return keys


def apply_result(doc: Doc, result: tuple[Any, ...]) -> None:
    """Write a DupResult (as the plain tuple that crossed the shuffles) onto its document."""
    verdict = DupResult._make(result)
    doc.dup_cluster = verdict.cluster
    doc.dup_cluster_size = verdict.size
    doc.dup_of = verdict.dup_of
    doc.dup_exact = verdict.exact


def shingle_payload(text: str, settings: DedupSettings) -> bytes:
    """The document's distinct 64-bit shingle values, for the verification pass's exact Jaccard."""
    source = minhash.shingle_source(text, settings.shingle)
    _, values64, _ = minhash.shingle_values([source], settings.ngram, settings.shingle)
    return bytes(np.unique(values64).tobytes())


# Rank of a published document of a parent release: below every rank_key (those start with 0
# or 1), so a cluster that holds one keeps it.
def prior_rank(doc_id: str) -> tuple[Any, ...]:
    return (-1, doc_id)


def read_prior_keys(path: str) -> Iterator[tuple[Any, ...]]:
    """A parent release's dedup index file -> DedupKey tuples that win every cluster."""
    import pyarrow.parquet as pq
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(path) as stream:
        table = pq.read_table(stream, schema=INDEX_SCHEMA)
    for row in table.to_pylist():
        bands = tuple(row["bands"] or ())
        yield tuple(DedupKey(row["id"], row["exact_hash"], bands, prior_rank(row["id"])))


def index_rows(path: str) -> int:
    """Rows of a parent release's dedup index file, from its footer."""
    import pyarrow.parquet as pq
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(path) as stream:
        return int(pq.ParquetFile(stream).metadata.num_rows)


def star_edges(ids: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Edges linking every id of one LSH bucket to the bucket's smallest id, as (id, smallest).

    `ids` is iterated twice (Beam's grouped values allow it), so no bucket is held in memory.
    """
    smallest = min(ids)
    for node in ids:
        if node != smallest:
            yield node, smallest


def large_star(node: str, neighbours: Iterable[str]) -> tuple[list[tuple[str, str]], int]:
    """Large-star step at `node`: its larger neighbours are re-linked to the smallest node of its
    closed neighbourhood. Returns the edges as (larger, smaller) and how many changed."""
    unique = set(neighbours)
    smallest = min(unique | {node})
    larger = [v for v in unique if v > node]
    return [(v, smallest) for v in larger], (len(larger) if smallest != node else 0)


def small_star(node: str, smaller: Iterable[str]) -> tuple[list[tuple[str, str]], int]:
    """Small-star step at `node` given its smaller neighbours: the node and those neighbours
    are all linked to the smallest of them. Returns the edges and how many changed."""
    unique = set(smaller)
    smallest = min(unique)
    edges = [(node, smallest)] + [(v, smallest) for v in unique if v != smallest]
    return edges, len(unique) - 1


def representative(members: Iterable[Member]) -> Member:
    """The member a cluster keeps: the smallest rank key."""
    return min(members, key=lambda member: member.rank)


def pair_sampled(a: str, b: str, fraction: float) -> bool:
    """Whether the candidate pair {a, b} is in the verification sample: a hash of the two ids,
    so the same pairs are chosen on every run and worker."""
    if fraction <= 0.0:
        return False
    low, high = sorted((a, b))
    return xxhash.xxh64_intdigest(f"{low}\n{high}".encode()) < fraction * 2.0**64


def check(doc: Doc, settings: DedupSettings) -> list[str]:
    """The drop reasons a document fails: none for a kept representative or a singleton."""
    if doc.dup_of is None or doc.dup_of == doc.id:
        return []
    if doc.dup_exact:
        return [DropReason.EXACT_DUPLICATE.value] if settings.drop_exact else []
    return [DropReason.NEAR_DUPLICATE.value] if settings.drop_near else []


# --- summary -----------------------------------------------------------------------------------

# Beam counters (namespace "dedup") carry the same figures as the summary PCollection:
# documents, exact_duplicates, near_duplicates, clusters, clustered_documents, candidate_edges,
# cc_round_NN_changes, cc_unconverged_changes, verify_pairs, verify_below_threshold.
_MAX_ITEMS = frozenset({"largest_cluster"})


def _round_item(round_index: int) -> str:
    return f"cc_round_{round_index:02d}_changes"


class _SummaryFn(beam.CombineFn):
    """Folds (name, integer) items into the stage summary: sums, except `largest_cluster`.

    Integers only, so the result is exact whatever order the runner combines them in.
    """

    def __init__(self, settings: DedupSettings) -> None:
        self._settings = settings

    def create_accumulator(self) -> dict[str, int]:
        return {}

    def add_input(self, acc: dict[str, int], item: tuple[str, int]) -> dict[str, int]:
        name, value = item
        if name in _MAX_ITEMS:
            acc[name] = max(acc.get(name, 0), value)
        else:
            acc[name] = acc.get(name, 0) + value
        return acc

    def merge_accumulators(self, accumulators: Iterable[dict[str, int]]) -> dict[str, int]:
        merged: dict[str, int] = {}
        for acc in accumulators:
            for item in acc.items():
                self.add_input(merged, item)
        return merged

    def extract_output(self, acc: dict[str, int]) -> dict[str, Any]:
        return build_summary(acc, self._settings)


def build_summary(counts: dict[str, int], settings: DedupSettings) -> dict[str, Any]:
    """The stage summary for the manifest, from the integer counts the pipeline gathered."""
    bands, rows = lsh_params(settings)
    changes = [counts.get(_round_item(r), 0) for r in range(settings.max_rounds)]
    pairs = counts.get("verify_pairs", 0)
    below = counts.get("verify_below_threshold", 0)
    return {
        "stage": STAGE,
        "version": VERSION,
        "documents": counts.get("documents", 0),
        "exact_duplicates": counts.get("exact_duplicates", 0),
        "near_duplicates": counts.get("near_duplicates", 0),
        "clusters": counts.get("clusters", 0),
        "clustered_documents": counts.get("clustered_documents", 0),
        "largest_cluster": counts.get("largest_cluster", 1 if counts.get("documents") else 0),
        "candidate_edges": counts.get("candidate_edges", 0),
        "lsh": {
            "shingle": settings.shingle.value,
            "ngram": settings.ngram,
            "num_perm": settings.num_perm,
            "bands": bands,
            "rows": rows,
            "threshold": settings.threshold,
            "shingle_hash": settings.shingle_hash.value,
            "seed": settings.seed,
        },
        "connected_components": {
            "max_rounds": settings.max_rounds,
            "changes_per_round": changes,
            "converged": changes[-1] == 0,
        },
        "verification": {
            "sample": settings.verify_sample,
            "pairs": pairs,
            "below_threshold": below,
            "false_positive_rate": below / pairs if pairs else None,
        },
    }


# --- Beam --------------------------------------------------------------------------------------


class _ComputeKeys(beam.DoFn):
    """Batch of documents -> (id, doc) [main], DedupKey ["keys"], errored docs ["passthrough"]."""

    def __init__(self, settings: DedupSettings) -> None:
        self._settings = settings
        self._hasher: minhash.MinHasher | None = None
        self._docs = Metrics.counter(STAGE, "documents")
        self._errors = Metrics.counter(STAGE, "errors")

    def setup(self) -> None:
        if self._settings.near:
            self._hasher = minhash.MinHasher(self._settings.num_perm, self._settings.seed)

    def start_bundle(self) -> None:
        # Stage time for the manifest's `run` section: the per-document work (shingling and
        # signatures); the grouping steps after it are shuffles and are not attributed.
        self._clock = StageClock(STAGE)

    def finish_bundle(self) -> None:
        self._clock.flush()

    def process(self, batch: Sequence[Doc]) -> Iterator[Any]:
        active = [doc for doc in batch if not doc.is_error]
        for doc in batch:
            if doc.is_error:
                yield pvalue.TaggedOutput("passthrough", doc)
        with self._clock.measure():
            keys = keys_or_errors(active, self._settings, self._hasher)
        self._errors.inc(sum(doc.is_error for doc in active))
        done = {key.id for key in keys}
        for doc in active:
            if doc.is_error:
                yield pvalue.TaggedOutput("passthrough", doc)
            elif doc.id in done:
                yield doc.id, doc
        for key in keys:
            yield pvalue.TaggedOutput("keys", tuple(key))
        if keys:
            self._docs.inc(len(keys))
            yield pvalue.TaggedOutput("summary", ("documents", len(keys)))


class BandKeySketch(beam.CombineFn):
    """DedupKey records -> a bitset of the band keys that two or more records hold.

    Most band keys belong to one document only, and their buckets yield no edge; but each is a
    group of its own in `group_band_keys`, which Beam's local runner holds in memory (a few
    hundred bytes per key: 14 per document). Two bitsets, "seen" and "seen again", indexed by
    the key's xxh64, let `_by_exact_hash` blank the keys that cannot be shared before the exact
    grouping, which the local runner holds in memory too, so that only keys that may be shared
    reach the buckets: exact, since a shared key always sets its bit, while a false positive
    only sends a key that finds no partner. At 16 bits per key, about 6% of lone keys pass. The
    bitsets grow with the corpus, so only local builds, whose corpus size is known, use this;
    remote shuffles are not held in memory.
    """

    def __init__(self, bits: int) -> None:
        self._mask = bits - 1
        self._bytes = bits // 8

    @staticmethod
    def bits_for(keys: int) -> int:
        """A power of two of at least 16 bits per expected key (2^16 to 2^33)."""
        return 1 << min(33, max(16, (16 * keys - 1).bit_length()))

    def create_accumulator(self) -> tuple[bytearray, bytearray]:
        return bytearray(self._bytes), bytearray(self._bytes)

    def add_input(
        self, sketch: tuple[bytearray, bytearray], record: tuple[Any, ...]
    ) -> tuple[bytearray, bytearray]:
        seen, again = sketch
        for index, band in enumerate(record[2]):
            byte, bit = _sketch_bit(band, index, self._mask)
            if seen[byte] & bit:
                again[byte] |= bit
            else:
                seen[byte] |= bit
        return sketch

    def merge_accumulators(
        self, sketches: Iterable[tuple[bytearray, bytearray]]
    ) -> tuple[bytearray, bytearray]:
        seen = np.zeros(self._bytes, np.uint8)
        again = np.zeros(self._bytes, np.uint8)
        for other_seen, other_again in sketches:
            theirs = np.frombuffer(other_seen, np.uint8)
            again |= np.frombuffer(other_again, np.uint8) | (seen & theirs)
            seen |= theirs
        return bytearray(seen.tobytes()), bytearray(again.tobytes())

    def extract_output(self, sketch: tuple[bytearray, bytearray]) -> bytes:
        return bytes(sketch[1])


def maybe_shared(shared: bytes, index: int, band: bytes) -> bool:
    """Whether a band key may be held by two records, per a `BandKeySketch` bitset."""
    byte, bit = _sketch_bit(band, index, len(shared) * 8 - 1)
    return bool(shared[byte] & bit)


def _sketch_bit(band: bytes, index: int, mask: int) -> tuple[int, int]:
    """(byte offset, bit mask) of a band key in a `BandKeySketch` bitset of mask + 1 bits."""
    position = xxhash.xxh64_intdigest(band, seed=index) & mask
    return position >> 3, 1 << (position & 7)


class _GroupExact(beam.DoFn):
    """Exact-hash group of DedupKey records -> Member records keyed by the group's leader
    [main], the leader's band keys ["bands"] (those `_by_exact_hash` did not blank)."""

    def process(self, element: tuple[str, Iterable[tuple[Any, ...]]]) -> Iterator[Any]:
        _, records = element
        leader = min(record[0] for record in records)
        leader_bands: tuple[bytes, ...] = ()
        for record in records:
            key = DedupKey._make(record)
            yield leader, (key.id, key.exact_hash, key.rank)
            if key.id == leader:
                leader_bands = key.bands
        for index, band in enumerate(leader_bands):
            if band:
                yield pvalue.TaggedOutput("bands", ((index, band), leader))


class _BucketEdges(beam.DoFn):
    """LSH bucket -> star edges [main]; sampled edges' endpoints ["verify"]."""

    def __init__(self, verify_sample: float) -> None:
        self._verify_sample = verify_sample
        self._edges = Metrics.counter(STAGE, "candidate_edges")

    def process(self, element: tuple[tuple[int, bytes], Iterable[str]]) -> Iterator[Any]:
        _, ids = element
        count = 0
        for edge in star_edges(ids):
            count += 1
            yield edge
            if pair_sampled(*edge, self._verify_sample):
                for node in edge:
                    yield pvalue.TaggedOutput("verify", (node, edge))
        if count:
            self._edges.inc(count)
            yield pvalue.TaggedOutput("summary", ("candidate_edges", count))


class _StarStep(beam.DoFn):
    """One large-star or small-star step at every node; counts the edges it changed."""

    def __init__(self, step: str, round_index: int) -> None:
        self._step = large_star if step == "large" else small_star
        self._item = _round_item(round_index)
        self._changes = Metrics.counter(STAGE, self._item)

    def process(self, element: tuple[str, Iterable[str]]) -> Iterator[Any]:
        node, neighbours = element
        edges, changes = self._step(node, neighbours)
        yield from edges
        if changes:
            self._changes.inc(changes)
            yield pvalue.TaggedOutput("changes", (self._item, changes))


def _by_exact_hash(
    record: tuple[Any, ...], shared: bytes | None = None
) -> tuple[str, tuple[Any, ...]]:
    """(exact hash, record); with a `BandKeySketch`, the band keys no other record holds are
    blanked (b"", a shared constant), so the exact grouping does not carry them."""
    key = DedupKey._make(record)
    if shared is not None and key.bands:
        bands = tuple(b if maybe_shared(shared, i, b) else b"" for i, b in enumerate(key.bands))
        record = tuple(key._replace(bands=bands))
    return key.exact_hash, record


def _index_record(record: tuple[Any, ...]) -> Iterator[tuple[str, tuple[str, tuple[bytes, ...]]]]:
    key = DedupKey._make(record)
    if not key.exact_hash.startswith("empty:"):
        yield key.id, (key.exact_hash, key.bands)


def _both_directions(edge: tuple[str, str]) -> Iterator[tuple[str, str]]:
    yield edge
    yield edge[1], edge[0]


def _self_and_centre(edge: tuple[str, str]) -> Iterator[tuple[str, str]]:
    yield edge
    yield edge[1], edge[1]


class ConnectedComponents(beam.PTransform):
    """Undirected edges (a, b) -> (node, smallest node of its component), for every node.

    Alternating large-star and small-star steps (Kiveris et al. 2014), `max_rounds` rounds
    unrolled in the graph, each a GroupByKey over edges; no worker ever holds more than one
    node's neighbourhood. Outputs {"labels": (node, label), "changes": (counter name, count)}:
    a round that changes no edge proves the graph is a forest of stars centred on each
    component's smallest node. Should the last round still change edges, a component may come
    out split into several labels (never two components merged).
    """

    def __init__(self, max_rounds: int) -> None:
        super().__init__()
        self._max_rounds = max_rounds

    def expand(self, edges: beam.PCollection) -> dict[str, beam.PCollection]:
        # Edges are kept as (larger, smaller): the key the small-star step groups by.
        current = edges | "orient" >> beam.FlatMap(
            lambda e: [(max(e), min(e))] if e[0] != e[1] else []
        )
        changes = []
        for r in range(self._max_rounds):
            name = f"round_{r:02d}"
            large = (
                current
                | f"{name}/large_star_both_ways" >> beam.FlatMap(_both_directions)
                | f"{name}/large_star_group" >> beam.GroupByKey()
                | f"{name}/large_star"
                >> beam.ParDo(_StarStep("large", r)).with_outputs("changes", main="edges")
            )
            small = (
                large.edges
                | f"{name}/small_star_group" >> beam.GroupByKey()
                | f"{name}/small_star"
                >> beam.ParDo(_StarStep("small", r)).with_outputs("changes", main="edges")
            )
            current = small.edges
            changes += [large.changes, small.changes]
        labels = (
            current
            | "label_pairs" >> beam.FlatMap(_self_and_centre)
            | "smallest_label" >> beam.CombinePerKey(min)
        )
        return {"labels": labels, "changes": changes | "all_changes" >> beam.Flatten()}


class _AssignCluster(beam.DoFn):
    """Exact group (by leader) + its component label -> results for singletons [main], or
    members keyed by cluster ["clustered"]."""

    def process(self, element: tuple[str, dict[str, Iterable[Any]]]) -> Iterator[Any]:
        leader, joined = element
        labels = list(joined["label"])
        members = joined["members"]
        if not labels:
            head = list(islice(members, 2))
            if len(head) == 1:
                member = Member._make(head[0])
                yield member.id, tuple(DupResult(member.id, 1, None, None))
                return
        cluster = labels[0] if labels else leader
        for member in members:
            yield pvalue.TaggedOutput("clustered", (cluster, member))


class _ChooseRepresentative(beam.DoFn):
    """Cluster -> every member's DupResult [main]; counts ["summary"]."""

    def process(self, element: tuple[str, Iterable[tuple[Any, ...]]]) -> Iterator[Any]:
        cluster, records = element
        kept = representative(map(Member._make, records))
        size = sum(1 for _ in records)
        counts = {"exact_duplicates": 0, "near_duplicates": 0}
        for member in map(Member._make, records):
            if member.id == kept.id:
                yield member.id, tuple(DupResult(cluster, size, None, None))
                continue
            exact = member.exact_hash == kept.exact_hash
            counts["exact_duplicates" if exact else "near_duplicates"] += 1
            yield member.id, tuple(DupResult(cluster, size, kept.id, exact))
        counts |= {"clusters": 1, "clustered_documents": size, "largest_cluster": size}
        for name, value in counts.items():
            if value:
                if name not in _MAX_ITEMS:
                    Metrics.counter(STAGE, name).inc(value)
                yield pvalue.TaggedOutput("summary", (name, value))


class _ApplyResults(beam.DoFn):
    """Documents + verdicts joined by id -> annotated documents [main]; shingle sets of sampled
    pairs' endpoints ["shingles"]."""

    def __init__(self, settings: DedupSettings) -> None:
        self._settings = settings

    def process(self, element: tuple[str, dict[str, Iterable[Any]]]) -> Iterator[Any]:
        _, joined = element
        docs = list(joined["doc"])
        # Ids are unique by construction; should two documents share one, they share a node
        # and so a verdict: taking the smallest keeps the output independent of arrival order.
        results = sorted(joined["dup"], key=repr)  # plain DupResult tuples
        pairs = sorted(set(joined["verify"]))
        for doc in docs:
            if results:
                apply_result(doc, results[0])
            yield doc
        if pairs and docs:
            payload = shingle_payload(docs[0].text, self._settings)
            for pair in pairs:
                yield pvalue.TaggedOutput("shingles", (pair, payload))


class _VerifyPair(beam.DoFn):
    """Sampled candidate pair with both shingle sets -> verification counts."""

    def __init__(self, threshold: float) -> None:
        self._threshold = threshold
        self._pairs = Metrics.counter(STAGE, "verify_pairs")
        self._below = Metrics.counter(STAGE, "verify_below_threshold")

    def process(self, element: tuple[tuple[str, str], Iterable[bytes]]) -> Iterator[Any]:
        _, payloads = element
        sets = [np.frombuffer(payload, dtype=np.uint64) for payload in payloads]
        if len(sets) != 2:  # an endpoint that is not a document of this run (cannot happen)
            return
        similarity = minhash.jaccard(sets[0], sets[1])
        self._pairs.inc()
        yield "verify_pairs", 1
        if similarity < self._threshold:
            self._below.inc()
            yield "verify_below_threshold", 1


def _report_convergence(summary: dict[str, Any], on_unconverged: str) -> dict[str, Any]:
    components = summary["connected_components"]
    if not components["converged"]:
        message = (
            f"dedup: connected components not converged after {components['max_rounds']} "
            f"rounds ({components['changes_per_round'][-1]} edge changes in the last round); "
            "some clusters may be split: raise dedup.max_rounds"
        )
        Metrics.counter(STAGE, "cc_unconverged_changes").inc(components["changes_per_round"][-1])
        if on_unconverged == "fail":
            raise RuntimeError(message)
        _log.warning(message)
    return summary


class ClusterKeys(beam.PTransform):
    """DedupKey tuples -> the clusters: steps 2-5 of the module docstring, over ids only.

    Outputs {"results": (id, DupResult tuple) for every key's id (the parents' too, on an
    incremental build), "verify": (id, sampled candidate edge) for both ends of each sampled
    edge, "summary": (name, integer) items}.
    """

    def __init__(
        self,
        settings: DedupSettings,
        prior_index: Sequence[str] = (),
        expected_keys: int | None = None,
    ) -> None:
        """`expected_keys`: the number of key records, where known in advance; then a
        `BandKeySketch` keeps band keys held by one record out of the exact grouping and the
        bucket shuffle."""
        super().__init__()
        self._settings = settings
        self._prior_index = list(prior_index)
        self._expected_keys = expected_keys

    def expand(self, keys: beam.PCollection) -> dict[str, beam.PCollection]:
        settings = self._settings
        all_keys = keys
        if self._prior_index:
            prior = (
                keys.pipeline
                | "list_parent_index" >> beam.Create(self._prior_index)
                | "read_parent_index" >> beam.FlatMap(read_prior_keys)
            )
            all_keys = (keys, prior) | "with_parent_index" >> beam.Flatten()
        shared = None
        if self._expected_keys is not None:
            bands, _ = lsh_params(settings)
            sketch = BandKeySketch(BandKeySketch.bits_for(bands * self._expected_keys))
            shared = beam.pvalue.AsSingleton(
                all_keys | "sketch_band_keys" >> beam.CombineGlobally(sketch)
            )
        # Exact groups; only each group's leader enters the LSH buckets.
        grouped = (
            all_keys
            | "key_by_exact_hash" >> beam.Map(_by_exact_hash, shared=shared)
            | "group_exact" >> beam.GroupByKey()
            | "exact_leaders" >> beam.ParDo(_GroupExact()).with_outputs("bands", main="members")
        )
        # LSH buckets -> star edges between leaders.
        buckets = (
            grouped.bands
            | "group_band_keys" >> beam.GroupByKey()
            | "bucket_edges"
            >> beam.ParDo(_BucketEdges(settings.verify_sample)).with_outputs(
                "verify", "summary", main="edges"
            )
        )
        components = buckets.edges | "connected_components" >> ConnectedComponents(
            settings.max_rounds
        )
        # Each exact group joins its component; singletons are settled without a further shuffle.
        assigned = (
            {"members": grouped.members, "label": components["labels"]}
            | "join_components" >> beam.CoGroupByKey()
            | "assign_clusters"
            >> beam.ParDo(_AssignCluster()).with_outputs("clustered", main="results")
        )
        chosen = (
            assigned.clustered
            | "group_clusters" >> beam.GroupByKey()
            | "choose_representatives"
            >> beam.ParDo(_ChooseRepresentative()).with_outputs("summary", main="results")
        )
        return {
            "results": (assigned.results, chosen.results) | "all_results" >> beam.Flatten(),
            "verify": buckets.verify,
            "summary": (buckets.summary, components["changes"], chosen.summary)
            | "cluster_summary_items" >> beam.Flatten(),
        }


class VerifyPairs(beam.PTransform):
    """((a, b), shingle payload) from both ends of each sampled pair -> verification items."""

    def __init__(self, threshold: float) -> None:
        super().__init__()
        self._threshold = threshold

    def expand(self, shingles: beam.PCollection) -> beam.PCollection:
        return (
            shingles
            | "group_pairs" >> beam.GroupByKey()
            | "verify_pairs" >> beam.ParDo(_VerifyPair(self._threshold))
        )


class Summarise(beam.PTransform):
    """Summary items -> the one-element stage summary, its convergence checked."""

    def __init__(self, settings: DedupSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, items: beam.PCollection) -> beam.PCollection:
        return (
            items
            | "summarise" >> beam.CombineGlobally(_SummaryFn(self._settings))
            | "check_convergence"
            >> beam.Map(_report_convergence, on_unconverged=self._settings.on_unconverged)
        )


class ClusterNearDuplicates(beam.PTransform):
    """PCollection[Doc] -> PCollection[Doc] with exact_hash and the dup_* fields set.

    After the transform is applied, `self.summary` is a one-element PCollection holding the
    stage summary dict (see `build_summary`) for the manifest.
    """

    def __init__(self, settings: DedupSettings, prior_index: Sequence[str] = ()) -> None:
        super().__init__()
        self._settings = settings
        self._prior_index = list(prior_index)
        lsh_params(settings)  # derive (and cache) bands/rows now: a bad setting fails here
        self.summary: beam.PCollection | None = None
        self.index: beam.PCollection | None = None

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        settings = self._settings
        # Documents in fixed-size batches so signatures are computed vectorised.
        keyed = (
            docs
            | "batch" >> beam.BatchElements(min_batch_size=_BATCH, max_batch_size=_BATCH)
            | "compute_keys"
            >> beam.ParDo(_ComputeKeys(settings)).with_outputs(
                "keys", "passthrough", "summary", main="docs"
            )
        )
        # (id, (exact hash, band keys)) of documents with text, for the release's dedup index.
        self.index = keyed.keys | "index_records" >> beam.FlatMap(_index_record)
        clusters = keyed.keys | "cluster" >> ClusterKeys(settings, self._prior_index)
        applied = (
            {"doc": keyed.docs, "dup": clusters["results"], "verify": clusters["verify"]}
            | "join_documents" >> beam.CoGroupByKey()
            | "apply_results"
            >> beam.ParDo(_ApplyResults(settings)).with_outputs("shingles", main="docs")
        )
        verified = applied.shingles | "verify" >> VerifyPairs(settings.threshold)
        self.summary = (
            (
                keyed.summary,
                clusters["summary"],
                verified,
            )
            | "summary_items" >> beam.Flatten()
            | "summary" >> Summarise(settings)
        )
        return (applied.docs, keyed.passthrough) | "with_passthrough" >> beam.Flatten()
