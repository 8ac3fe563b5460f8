"""Exact and MinHash near-duplicate clustering: signature math, components, Beam transform."""

from __future__ import annotations

import copy
import os
import random

import apache_beam as beam
import numpy as np
import pytest
import xxhash
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline as BeamPipeline
from apache_beam.testing.util import assert_that, equal_to
from datasketch import MinHash, MinHashLSH
from datasketch.lsh import _optimal_param
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.dedup import DedupSettings, RepresentativeRule
from schemas.document import Doc, Status
from tests.conftest import PROJECT
from transforms import dedup, minhash
from transforms.dedup import (
    ClusterNearDuplicates,
    ConnectedComponents,
    Member,
    check,
    exact_hash,
    large_star,
    pair_sampled,
    rank_key,
    representative,
    small_star,
    star_edges,
)

WORDS = [f"word{i}" for i in range(400)]
# A chain: A~B and B~C share LSH bands (Jaccard 0.83), A and C do not (Jaccard 0.69 < 0.75).
CHAIN_A = " ".join(WORDS[0:200])
CHAIN_B = " ".join(WORDS[18:218])
CHAIN_C = " ".join(WORDS[36:236])


def make_doc(doc_id: str, text: str, **fields: object) -> Doc:
    return Doc(
        id=doc_id,
        source_uri="mem://test",
        source_record=doc_id,
        source_format="jsonl",
        text=text,
        **fields,  # type: ignore[arg-type]
    )


def random_text(seed: int, words: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(f"v{rng.randrange(5000)}" for _ in range(words))


def outcome(doc: Doc) -> tuple[object, ...]:
    return (doc.id, doc.dup_cluster, doc.dup_cluster_size, doc.dup_of, doc.dup_exact)


def summary_has(**expected: object):
    """A matcher for the one summary dict: the given keys have exactly these values."""

    def matcher(actual: list[dict]) -> None:
        assert len(actual) == 1
        assert {key: actual[0][key] for key in expected} == expected

    return matcher


def run_dedup(
    docs: list[Doc],
    settings: DedupSettings,
    expected: list[tuple[object, ...]],
    summary: dict[str, object],
    project=outcome,
    options: PipelineOptions | None = None,
) -> None:
    """Runs the transform; asserts `project(doc)` for every output and the summary fields."""
    with BeamPipeline(runner=FnApiRunner(), options=options) as pipeline:
        transform = ClusterNearDuplicates(settings)
        out = pipeline | beam.Create(docs) | transform
        assert_that(out | beam.Map(project), equal_to(expected), label="documents")
        assert_that(transform.summary, summary_has(**summary), label="summary")


# --- normal form, tokens, shingles ---------------------------------------------------------


def test_exact_hash_folds_case_compatibility_forms_and_whitespace() -> None:
    assert exact_hash("Hello  World\n") == exact_hash("hello world")
    assert exact_hash("ＨＥＬＬＯ\u00a0ﬁne") == exact_hash("hello fine")
    assert exact_hash("Straße") == exact_hash("STRASSE")
    assert exact_hash(" Hello world") == xxhash.xxh3_128_hexdigest(b"hello world")


def test_exact_hash_keeps_punctuation_and_words_apart() -> None:
    assert exact_hash("hello, world") != exact_hash("hello world")
    assert exact_hash("helloworld") != exact_hash("hello world")


def test_token_string_drops_punctuation_and_splits_ideographs() -> None:
    folded = minhash.fold_text("It's a (TEST)! 第九届\u200b会议 😀 x")
    assert minhash.token_string(folded, "word") == "it s a test 第 九 届 会 议 x"
    assert minhash.token_string(folded, "char") == "it s a test 第九届会议 x"


def test_word_shingles_and_short_texts() -> None:
    assert minhash.shingles("One two, three four.", 2) == [b"one two", b"two three", b"three four"]
    # Fewer words than n: one shingle, the whole token string.
    assert minhash.shingles("Hello, world!", 5) == [b"hello world"]
    assert minhash.shingles(" ... ", 5) == []
    assert minhash.shingles("", 5) == []


def test_char_shingles() -> None:
    assert minhash.shingles("Ab, cd", 3, "char") == [b"ab ", b"b c", b" cd"]
    assert minhash.shingles("Ab", 3, "char") == [b"ab"]
    assert minhash.shingles("é中x", 2, "char") == ["é中".encode(), "中x".encode()]


def test_vectorised_shingle_hashes_equal_the_byte_by_byte_definition() -> None:
    texts = [random_text(1), "第九届会议 2003年", "a", "", "x y z é"]
    for unit in ("word", "char"):
        sources = [minhash.shingle_source(text, unit) for text in texts]
        hashes32, values64, counts = minhash.shingle_values(sources, 3, unit)
        expected = [
            minhash.shingle_hash64(shingle)
            for text in texts
            for shingle in minhash.shingles(text, 3, unit)
        ]
        assert values64.tolist() == expected
        assert hashes32.tolist() == [value & 0xFFFFFFFF for value in expected]
        assert counts.tolist() == [len(minhash.shingles(text, 3, unit)) for text in texts]


def reference_shingles(text: str, ngram: int, unit: str) -> list[bytes]:
    """Shingles straight from the definition: split the token string, join n-grams."""
    tokens = minhash.token_string(minhash.fold_text(text), unit)
    if not tokens:
        return []
    units = tokens.split(" ") if unit == "word" else list(tokens)
    if len(units) < ngram:
        return [tokens.encode()]
    glue = " " if unit == "word" else ""
    return [glue.join(units[i : i + ngram]).encode() for i in range(len(units) - ngram + 1)]


MESSY = st.text(
    alphabet=st.sampled_from(list("ab c,.!\t\n\u00a0\u3000\u2028\u1680x-\u200b第九é😀")),
    max_size=30,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(MESSY, min_size=1, max_size=5),
    ngram=st.integers(1, 5),
    unit=st.sampled_from(["word", "char"]),
)
def test_batched_shingles_follow_the_definition(texts: list[str], ngram: int, unit: str) -> None:
    sources = [minhash.shingle_source(text, unit) for text in texts]
    _, values64, counts = minhash.shingle_values(sources, ngram, unit)
    expected = [reference_shingles(text, ngram, unit) for text in texts]
    assert [minhash.shingles(text, ngram, unit) for text in texts] == expected
    assert counts.tolist() == [len(shingles) for shingles in expected]
    assert values64.tolist() == [minhash.shingle_hash64(s) for e in expected for s in e]


# --- signatures against datasketch ---------------------------------------------------------


@pytest.mark.parametrize("num_perm", [16, 112, 128, 256])
@pytest.mark.parametrize("unit", ["word", "char"])
def test_signatures_equal_datasketch(num_perm: int, unit: str) -> None:
    texts = [random_text(seed) for seed in range(4)] + ["Short text.", "", CHAIN_A]
    sources = [minhash.shingle_source(text, unit) for text in texts]  # type: ignore[arg-type]
    for hash_name, hashfunc in (("poly64", minhash.shingle_hash32), ("sha1", None)):
        hashes32, _, counts = minhash.shingle_values(sources, 5, unit, hash_name)  # type: ignore[arg-type]
        for seed in (1, 7):
            ours = minhash.MinHasher(num_perm, seed).signatures(hashes32, counts)
            for text, signature in zip(texts, ours, strict=True):
                theirs = MinHash(num_perm=num_perm, seed=seed, hashfunc=hashfunc)
                theirs.update_batch(minhash.shingles(text, 5, unit))  # type: ignore[arg-type]
                assert signature.tolist() == theirs.hashvalues.tolist()


def test_signature_of_a_set_longer_than_one_block_equals_datasketch() -> None:
    hashes = np.arange(40_000, dtype=np.uint32) * np.uint32(2654435761)
    ours = minhash.MinHasher(64).signatures(
        np.concatenate([hashes, hashes[:3]]), np.array([0, 40_000, 0, 3])
    )
    whole = MinHash(num_perm=64, hashfunc=int)
    whole.update_batch(hashes.tolist())
    head = MinHash(num_perm=64, hashfunc=int)
    head.update_batch(hashes[:3].tolist())
    assert ours[1].tolist() == whole.hashvalues.tolist()
    assert ours[3].tolist() == head.hashvalues.tolist()
    assert ours[0].tolist() == ours[2].tolist() == [0xFFFFFFFF] * 64


def test_band_keys_are_datasketch_lsh_keys() -> None:
    theirs = MinHash(num_perm=112, hashfunc=minhash.shingle_hash32)
    theirs.update_batch(minhash.shingles(CHAIN_A))
    lsh = MinHashLSH(num_perm=112, params=(14, 8))
    expected = [lsh._H(theirs.hashvalues[start:end]) for start, end in lsh.hashranges]
    assert minhash.band_keys(theirs.hashvalues.astype(np.uint32), 14, 8) == expected


@pytest.mark.parametrize("threshold", [0.5, 0.75, 0.9])
def test_derived_bands_and_rows_equal_datasketch(threshold: float) -> None:
    settings = DedupSettings(bands=None, rows=None, threshold=threshold)
    assert dedup.lsh_params(settings) == _optimal_param(threshold, 112, 0.5, 0.5)
    assert dedup.lsh_params(DedupSettings()) == (14, 8)


def test_settings_reject_inconsistent_bands() -> None:
    with pytest.raises(ValidationError, match=r"set both dedup\.bands and dedup\.rows"):
        DedupSettings(bands=10, rows=None)
    with pytest.raises(ValidationError, match=r"must not exceed dedup\.num_perm"):
        DedupSettings(bands=15, rows=8)
    with pytest.raises(ValidationError, match="lists a criterion twice"):
        DedupSettings(representative=("longest_text", "longest_text"))
    with pytest.raises(ValidationError):
        DedupSettings(unknown=1)


# --- pure clustering pieces ----------------------------------------------------------------


def test_star_edges_link_every_member_to_the_smallest() -> None:
    assert sorted(star_edges(["c", "a", "d"])) == [("c", "a"), ("d", "a")]
    assert list(star_edges(["only"])) == []


def test_large_star_relinks_larger_neighbours_to_the_local_minimum() -> None:
    edges, changes = large_star("c", ["a", "e", "d"])
    assert sorted(edges) == [("d", "a"), ("e", "a")] and changes == 2
    # Already the minimum of its neighbourhood: the same edges, no change.
    edges, changes = large_star("a", ["c", "b"])
    assert sorted(edges) == [("b", "a"), ("c", "a")] and changes == 0


def test_small_star_links_node_and_smaller_neighbours_to_their_minimum() -> None:
    edges, changes = small_star("d", ["b", "a", "c"])
    assert sorted(edges) == [("b", "a"), ("c", "a"), ("d", "a")] and changes == 2
    edges, changes = small_star("d", ["a"])
    assert edges == [("d", "a")] and changes == 0


def test_rank_key_orders_kept_then_rules_then_id() -> None:
    rules = (RepresentativeRule.EARLIEST_FETCH_DATE, RepresentativeRule.LONGEST_TEXT)
    early = make_doc("z", "short", fetch_date="2020-01-01T00:00:00Z")
    late_long = make_doc("a", "much longer text", fetch_date="2021-01-01T00:00:00Z")
    late_short = make_doc("b", "tiny", fetch_date="2021-01-01T00:00:00Z")
    undated = make_doc("0", "the longest text of them all")
    rejected = make_doc("1", "x", fetch_date="1999-01-01T00:00:00Z", status=Status.REJECTED)
    docs = [rejected, undated, late_short, late_long, early]
    ranked = sorted(docs, key=lambda doc: rank_key(doc, rules))
    assert [doc.id for doc in ranked] == ["z", "a", "b", "0", "1"]
    members = [Member(doc.id, "h", rank_key(doc, rules)) for doc in docs]
    assert representative(members).id == "z"
    # With no rules the smallest id wins.
    assert representative([Member(d.id, "h", rank_key(d, ())) for d in docs[:4]]).id == "0"


def test_pair_sampling_is_a_function_of_the_two_ids() -> None:
    assert pair_sampled("a", "b", 1.0) and not pair_sampled("a", "b", 0.0)
    assert pair_sampled("a", "b", 0.5) == pair_sampled("b", "a", 0.5)
    chosen = sum(pair_sampled(f"{i:04d}", "x", 0.25) for i in range(2000))
    assert chosen == 482


def test_check_names_the_reason() -> None:
    settings = DedupSettings()
    kept = make_doc("a", "t", dup_cluster="a", dup_cluster_size=3)
    exact = make_doc("b", "t", dup_cluster="a", dup_cluster_size=3, dup_of="a", dup_exact=True)
    near = make_doc("c", "t", dup_cluster="a", dup_cluster_size=3, dup_of="a", dup_exact=False)
    assert check(kept, settings) == []
    assert check(exact, settings) == ["exact_duplicate"]
    assert check(near, settings) == ["near_duplicate"]
    assert check(exact, DedupSettings(drop_exact=False)) == []
    assert check(near, DedupSettings(drop_near=False)) == []
    assert check(make_doc("d", "t"), settings) == []


# --- connected components on Beam ----------------------------------------------------------


def round_changes(max_rounds: int, last_is_zero: bool):
    """A matcher for the change counts: the first round changes edges; the last one does not
    (converged) or does (not converged)."""

    def matcher(items: list[tuple[str, int]]) -> None:
        totals = [
            sum(n for name, n in items if name == f"cc_round_{r:02d}_changes")
            for r in range(max_rounds)
        ]
        assert totals[0] > 0
        assert (totals[-1] == 0) is last_is_zero

    return matcher


def path_edges(nodes: int, seed: int) -> list[tuple[str, str]]:
    names = [f"n{i:03d}" for i in range(nodes)]
    random.Random(seed).shuffle(names)
    return [(names[i], names[i + 1]) for i in range(nodes - 1)]


def test_components_of_a_long_path_converge_to_its_smallest_node() -> None:
    edges = [*path_edges(64, seed=3), ("x2", "x1"), ("x3", "x2"), ("x1", "x1")]
    expected = [
        *((f"n{i:03d}", "n000") for i in range(64)),
        ("x1", "x1"),
        ("x2", "x1"),
        ("x3", "x1"),
    ]
    with BeamPipeline(runner=FnApiRunner()) as pipeline:
        result = pipeline | beam.Create(edges) | ConnectedComponents(8)
        assert_that(result["labels"], equal_to(expected), label="labels")
        assert_that(result["changes"], round_changes(8, last_is_zero=True), label="changes")


def split_path(labels: list[tuple[str, str]]) -> None:
    # Not converged: the path may come out split, but every node is labelled from within it.
    assert sorted(node for node, _ in labels) == [f"n{i:03d}" for i in range(64)]
    assert min(label for _, label in labels) == "n000"
    assert len({label for _, label in labels}) > 1


def test_components_report_an_unfinished_last_round() -> None:
    with BeamPipeline(runner=FnApiRunner()) as pipeline:
        result = pipeline | beam.Create(path_edges(64, seed=3)) | ConnectedComponents(1)
        assert_that(result["labels"], split_path, label="labels")
        assert_that(result["changes"], round_changes(1, last_is_zero=False), label="changes")


# --- the transform --------------------------------------------------------------------------


def reference_outcomes(docs: list[Doc], settings: DedupSettings) -> list[tuple[object, ...]]:
    """The expected clustering, computed in memory with union-find over every LSH bucket."""
    copies = [copy.copy(doc) for doc in docs if not doc.is_error]
    keys = dedup.dedup_keys(copies, settings, minhash.MinHasher(settings.num_perm, settings.seed))
    parent = {key.id: key.id for key in keys}

    def root(node: str) -> str:
        while parent[node] != node:
            node = parent[node]
        return node

    buckets: dict[object, list[str]] = {}
    for key in keys:
        buckets.setdefault(key.exact_hash, []).append(key.id)
        for index, band in enumerate(key.bands):
            buckets.setdefault((index, band), []).append(key.id)
    for members in buckets.values():
        for member in members[1:]:
            parent[root(member)] = root(members[0])
    clusters: dict[str, list[dedup.DedupKey]] = {}
    for key in keys:
        clusters.setdefault(root(key.id), []).append(key)
    expected: list[tuple[object, ...]] = [
        (doc.id, None, None, None, None) for doc in docs if doc.is_error
    ]
    for members in clusters.values():
        kept = min(members, key=lambda key: key.rank)
        name = min(key.id for key in members)
        for key in members:
            duplicate = key.id != kept.id
            expected.append(
                (
                    key.id,
                    name,
                    len(members),
                    kept.id if duplicate else None,
                    key.exact_hash == kept.exact_hash if duplicate else None,
                )
            )
    return expected


def test_chain_below_threshold_at_its_ends_is_one_cluster() -> None:
    settings = DedupSettings(max_rounds=3)  # default LSH; few rounds suffice here
    bands, values = {}, {}
    for name, text in (("a", CHAIN_A), ("b", CHAIN_B), ("c", CHAIN_C)):
        source = minhash.shingle_source(text, "word")
        hashes32, values[name], _ = minhash.shingle_values([source], 5, "word")
        signature = minhash.MinHasher().signature(hashes32)
        bands[name] = set(enumerate(minhash.band_keys(signature, 14, 8)))
    assert minhash.jaccard(values["a"], values["c"]) < settings.threshold
    assert not bands["a"] & bands["c"]
    assert bands["a"] & bands["b"] and bands["b"] & bands["c"]

    docs = [
        make_doc("c", CHAIN_C),
        make_doc("a", CHAIN_A),
        make_doc("b", CHAIN_B),
        make_doc("s", random_text(9)),
    ]
    run_dedup(
        docs,
        settings,
        # No fetch dates: the longest text (c: more three-digit words) is kept.
        expected=[
            ("a", "a", 3, "c", False, ["near_duplicate"]),
            ("b", "a", 3, "c", False, ["near_duplicate"]),
            ("c", "a", 3, None, None, []),
            ("s", "s", 1, None, None, []),
        ],
        summary={"near_duplicates": 2, "exact_duplicates": 0, "clusters": 1},
        project=lambda doc: (*outcome(doc), check(doc, settings)),
    )


def test_exact_duplicates_empty_texts_singletons_and_errors() -> None:
    base = random_text(4)
    digest = exact_hash(base)
    docs = [
        make_doc("d1", base, fetch_date="2024-02-01T00:00:00Z"),
        make_doc("d2", "  " + base.upper() + "\n", fetch_date="2024-01-01T00:00:00Z"),
        make_doc("d3", base.replace("v", "V", 1), fetch_date="2024-03-01T00:00:00Z"),
        make_doc("e1", ""),
        make_doc("e2", " \n "),
        make_doc("e3", "!!!"),
        make_doc("s1", random_text(5)),
        make_doc("x1", "failed earlier", status=Status.ERROR, stage="extract", reason="boom"),
    ]
    settings = DedupSettings(max_rounds=2)
    run_dedup(
        docs,
        settings,
        expected=[
            # Identical normalised texts; the earliest fetch date is kept.
            ("d1", "d1", 3, "d2", True, ["exact_duplicate"], digest),
            ("d2", "d1", 3, None, None, [], digest),
            ("d3", "d1", 3, "d2", True, ["exact_duplicate"], digest),
            # Empty after normalisation: no text, so no duplicate of anything (no exact hash);
            # "!!!" has no tokens but a normal form of its own.
            ("e1", "e1", 1, None, None, [], None),
            ("e2", "e2", 1, None, None, [], None),
            ("e3", "e3", 1, None, None, [], exact_hash("!!!")),
            ("s1", "s1", 1, None, None, [], exact_hash(random_text(5))),
            # Errors pass through untouched.
            ("x1", None, None, None, None, [], None),
        ],
        summary={
            "documents": 7,
            "exact_duplicates": 2,
            "near_duplicates": 0,
            "clusters": 1,
            "clustered_documents": 3,
            "largest_cluster": 3,
            "candidate_edges": 0,
        },
        project=lambda doc: (*outcome(doc), check(doc, settings), doc.exact_hash),
    )


def corpus() -> list[Doc]:
    """Groups of exact and near copies, a chain, singletons; mixed fetch dates."""
    docs = []
    for group in range(6):
        words = random_text(100 + group, words=150).split()
        for version in range(group % 3 + 1):
            variant = list(words)
            if version:
                variant[10 * version] = f"edit{version}"
            date = f"2024-01-{(group * 7 + version * 3) % 28 + 1:02d}T00:00:00Z"
            docs.append(make_doc(f"g{group}c{version}", " ".join(variant), fetch_date=date))
            docs.append(make_doc(f"g{group}x{version}", " ".join(variant).upper()))
    docs += [make_doc("ca", CHAIN_A), make_doc("cb", CHAIN_B), make_doc("cc", CHAIN_C)]
    docs += [make_doc(f"s{i}", random_text(500 + i)) for i in range(5)]
    docs.append(make_doc("err", "x", status=Status.ERROR, stage="extract", reason="boom"))
    return docs


CORPUS_SUMMARY = {
    "documents": 32,
    "exact_duplicates": 6,
    "near_duplicates": 14,
    "clusters": 7,
    "clustered_documents": 27,
    "largest_cluster": 6,
}


def test_corpus_matches_the_in_memory_reference_in_any_input_order() -> None:
    settings = DedupSettings(max_rounds=4)
    expected = reference_outcomes(corpus(), settings)
    assert len({row[1] for row in expected if row[2] and row[2] > 1}) == 7
    shuffled = corpus()
    random.Random(11).shuffle(shuffled)
    for docs in (corpus(), shuffled):
        run_dedup(docs, settings, expected, CORPUS_SUMMARY)


def test_results_do_not_depend_on_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # Worker processes import this project by module name.
    paths = [str(PROJECT), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path for path in paths if path))
    settings = DedupSettings(max_rounds=4)
    docs = corpus()
    random.Random(5).shuffle(docs)
    options = PipelineOptions(direct_num_workers=2, direct_running_mode="multi_processing")
    run_dedup(docs, settings, reference_outcomes(docs, settings), CORPUS_SUMMARY, options=options)


def test_verification_counts_candidates_below_threshold() -> None:
    # Bands of one row: pairs far below the threshold become candidates.
    settings = DedupSettings(bands=20, rows=1, threshold=0.9, verify_sample=1.0, max_rounds=2)
    base = WORDS[:100]
    docs = [make_doc("a", " ".join(base)), make_doc("b", " ".join(base[:60] + WORDS[200:240]))]
    # Jaccard of a and b: 56 shared of 136 shingles, below 0.9: one false positive.
    assert (
        minhash.jaccard(
            *(
                minhash.shingle_values([minhash.shingle_source(doc.text, "word")], 5, "word")[1]
                for doc in docs
            )
        )
        == 56 / 136
    )
    run_dedup(
        docs,
        settings,
        expected=[("a", "a", 2, "b", False), ("b", "a", 2, None, None)],
        summary={
            "verification": {
                "sample": 1.0,
                "pairs": 1,
                "below_threshold": 1,
                "false_positive_rate": 1.0,
            }
        },
    )


def test_unconverged_components_are_reported_or_fail_the_run() -> None:
    docs = [make_doc(f"p{i:02d}", " ".join(WORDS[i * 18 : i * 18 + 200])) for i in range(6)]
    random.Random(2).shuffle(docs)
    # One round is not enough for this chain of six: the summary says so, and the chain comes
    # out split in two clusters instead of one.
    run_dedup(
        docs,
        DedupSettings(max_rounds=1),
        expected=[
            ("p00", "p00", 3, "p02", False),
            ("p01", "p00", 3, "p02", False),
            ("p02", "p00", 3, None, None),
            ("p03", "p01", 2, "p04", False),
            ("p04", "p01", 2, None, None),
            ("p05", "p02", 1, None, None),
        ],
        summary={
            "connected_components": {
                "max_rounds": 1,
                "changes_per_round": [7],
                "converged": False,
            }
        },
    )
    run_dedup(
        docs,
        DedupSettings(max_rounds=3),
        expected=[
            (f"p{i:02d}", "p00", 6, None if i == 5 else "p05", None if i == 5 else False)
            for i in range(6)
        ],
        summary={
            "connected_components": {
                "max_rounds": 3,
                "changes_per_round": [7, 4, 0],
                "converged": True,
            }
        },
    )
    with pytest.raises(Exception, match="not converged after 1 rounds"):
        with BeamPipeline(runner=FnApiRunner()) as pipeline:
            transform = ClusterNearDuplicates(DedupSettings(max_rounds=1, on_unconverged="fail"))
            _ = pipeline | beam.Create(docs) | transform


def test_band_key_sketch_passes_every_shared_key_and_few_lone_ones() -> None:
    rng = random.Random(3)

    def record(doc_id: str, bands: list[bytes]) -> tuple[object, ...]:
        return (doc_id, "h", tuple(bands), ())

    lone = [[rng.randbytes(32) for _ in range(14)] for _ in range(2000)]
    shared = [rng.randbytes(32) for _ in range(300)]
    records = [record(f"d{i}", bands) for i, bands in enumerate(lone)]
    # Pairs of documents that share one band each, at varied band positions.
    for i, band in enumerate(shared):
        for copy_index in range(2):
            bands = [rng.randbytes(32) for _ in range(14)]
            bands[i % 14] = band
            records.append(record(f"p{i}-{copy_index}", bands))
    rng.shuffle(records)
    sketch = dedup.BandKeySketch(dedup.BandKeySketch.bits_for(14 * len(records)))
    # As two workers would: each half in its own accumulator, then merged.
    halves = []
    for half in (records[::2], records[1::2]):
        accumulator = sketch.create_accumulator()
        for item in half:
            accumulator = sketch.add_input(accumulator, item)
        halves.append(accumulator)
    found = sketch.extract_output(sketch.merge_accumulators(halves))
    assert all(dedup.maybe_shared(found, i % 14, band) for i, band in enumerate(shared))
    passed = sum(dedup.maybe_shared(found, i, b) for bands in lone for i, b in enumerate(bands))
    assert passed / (14 * len(lone)) < 0.1


def test_band_key_sketch_size_follows_the_expected_keys() -> None:
    assert dedup.BandKeySketch.bits_for(0) == 1 << 16
    assert dedup.BandKeySketch.bits_for(14_000_000) == 1 << 28
    assert dedup.BandKeySketch.bits_for(10**12) == 1 << 33


def test_exact_grouping_carries_only_band_keys_that_may_be_shared() -> None:
    shared_band, lone_a, lone_b = b"s" * 32, b"a" * 32, b"b" * 32
    first = ("d1", "h1", (shared_band, lone_a), ())
    second = ("d2", "h2", (shared_band, lone_b), ())
    sketch = dedup.BandKeySketch(1 << 16)
    accumulator = sketch.create_accumulator()
    for record in (first, second):
        accumulator = sketch.add_input(accumulator, record)
    found = sketch.extract_output(accumulator)
    assert dedup._by_exact_hash(first, found) == ("h1", ("d1", "h1", (shared_band, b""), ()))
    assert dedup._by_exact_hash(second, found) == ("h2", ("d2", "h2", (shared_band, b""), ()))
    # Without a sketch (one-graph builds) every band key travels.
    assert dedup._by_exact_hash(first) == ("h1", first)
