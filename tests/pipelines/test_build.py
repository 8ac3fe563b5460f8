"""End-to-end builds on the generated sample: exact counts, determinism, bad input, outputs."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import apache_beam as beam
import pyarrow.dataset as ds
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.build import BuildResult, plan_inputs, run_build
from pipelines.cli import main
from pipelines.sample_corpus import SampleTruth, write_sample
from schemas.config import ConfigError, CurateConfig, load_config
from tests.conftest import PROJECT
from tests.corrupt_shards import write_bad_records
from transforms.read import ReadShard, ShardSpec

CHECK_OUTPUT = PROJECT.parent / "shared" / "tools" / "check-output"
LANDED = "license,toxicity,dedup,pii"


def build(
    inputs: Path | list[Path], outdir: Path, *overrides: str, workers: int = 1
) -> BuildResult:
    paths = [str(p) for p in (inputs if isinstance(inputs, list) else [inputs])]
    config = load_config(
        PROJECT / "configs" / "default.yaml",
        [f"input.paths={json.dumps(paths)}", f"output.path={outdir}", *overrides],
    )
    beam_args = []
    if workers > 1:
        beam_args = [f"--direct_num_workers={workers}", "--direct_running_mode=multi_processing"]
    return run_build(config, beam_args, progress=False)


def ledger(outdir: Path) -> list[dict]:
    return ds.dataset(outdir / "ledger", format="parquet").to_table().to_pylist()


def file_hashes(outdir: Path) -> dict[str, str]:
    return {
        str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(outdir.rglob("*.parquet"))
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleTruth]:
    directory = tmp_path_factory.mktemp("sample")
    return directory, write_sample(directory)


@pytest.fixture(scope="module")
def sample_build(
    sample: tuple[Path, SampleTruth], tmp_path_factory: pytest.TempPathFactory, lid_model: Path
) -> tuple[Path, BuildResult]:
    outdir = tmp_path_factory.mktemp("out") / "release"
    return outdir, build(sample[0], outdir)


def test_sample_build_counts_exactly(sample_build: tuple[Path, BuildResult]) -> None:
    outdir, result = sample_build
    rows = ledger(outdir)
    outcome = Counter((r["status"], r["stage"], r["reason"]) for r in rows)
    assert outcome == {
        ("kept", None, None): 168,
        ("rejected", "extract", "http_status"): 2,
        ("rejected", "extract", "no_text"): 4,
        ("rejected", "extract", "unsupported_content_type"): 2,
        ("rejected", "license", "opted_out"): 4,
        ("rejected", "language", "low_language_score"): 3,
        ("rejected", "quality", "too_few_words"): 8,
        ("rejected", "quality", "dup_5gram"): 2,
        ("rejected", "quality", "few_stop_words"): 1,
        ("rejected", "dedup", "exact_duplicate"): 7,
        ("rejected", "dedup", "near_duplicate"): 6,
    }
    totals = result.manifest["totals"]
    assert totals == {
        "input": 207,
        "kept": 168,
        "rejected": 39,
        "error": 0,
        "records_skipped": 249,
        "balanced": True,
    }
    funnel = [(s["name"], s["docs_in"], s["docs_out"]) for s in result.manifest["stages"]]
    assert funnel == [
        ("read", 207, 207),
        ("extract", 207, 199),
        ("license", 199, 195),
        ("language", 195, 192),
        ("quality", 192, 181),
        ("pii", 181, 181),
        ("identity", 181, 181),
        ("toxicity", 181, 181),
        ("dedup", 181, 168),
    ]
    marks = result.manifest["summaries"]["bias_audit"]["marks"]
    assert marks == [{"stage": "quality", "group": "disability:deaf"}]


def test_every_sample_document_is_accounted_for(
    sample: tuple[Path, SampleTruth], sample_build: tuple[Path, BuildResult]
) -> None:
    _, truth = sample
    outdir, _ = sample_build
    by_id = {r["id"]: r for r in ledger(outdir)}
    assert set(by_id) == {d.id for d in truth.documents}
    for doc in truth.documents:
        row = by_id[doc.id]
        assert row["source_record"] == doc.record
        if any(t.startswith("optout:") for t in doc.tags):
            assert (row["stage"], row["reason"]) == ("license", "opted_out")
        if "non_text" in doc.tags:
            assert row["reason"] == "unsupported_content_type"
        if doc.language and not any(t.startswith(("junk:", "http:4", "http:3")) for t in doc.tags):
            assert row["language"] == doc.language, doc.url
    # Each duplicate group keeps one representative; the others name it.
    for prefix, reason in (("dup:exact:", "exact_duplicate"), ("near_dup:", "near_duplicate")):
        for group, members in truth.groups(prefix).items():
            rows = [by_id[m.id] for m in members]
            kept = [r for r in rows if r["status"] == "kept"]
            assert len(kept) == 1, group
            assert {r["dup_cluster"] for r in rows} == {kept[0]["dup_cluster"]}
            for row in rows:
                if row is not kept[0]:
                    assert (row["reason"], row["dup_of"]) == (reason, kept[0]["id"]), group


def test_no_raw_pii_reaches_the_release(
    sample: tuple[Path, SampleTruth], sample_build: tuple[Path, BuildResult]
) -> None:
    import re

    _, truth = sample
    outdir, result = sample_build
    assert result.manifest["summaries"]["pii"]["entities"]["EMAIL_ADDRESS"] == 7
    by_id = {
        r["id"]: r for r in ds.dataset(outdir / "data", format="parquet").to_table().to_pylist()
    }
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    for doc in truth.documents:
        row = by_id.get(doc.id)
        if row is None:
            continue
        assert not email.search(row["text"]), doc.url
        if "pii:email" in doc.tags:
            assert "<EMAIL_ADDRESS>" in row["text"]
            assert {s["type"] for s in row["pii_spans"]} >= {"EMAIL_ADDRESS"}
    # Parquet pages are compressed: search the decoded rows, and the manifest.
    everything = json.dumps([list(by_id.values()), ledger(outdir)], default=str)
    everything += (outdir / "manifest.json").read_text()
    for card in ("4111 1111 1111 1111", "4111111111111111"):
        assert card not in everything


def test_release_meets_the_output_contract(sample_build: tuple[Path, BuildResult]) -> None:
    outdir, _ = sample_build
    done = subprocess.run(
        [sys.executable, str(CHECK_OUTPUT), str(outdir), "--stages-landed", LANDED],
        capture_output=True,
        text=True,
    )
    if not CHECK_OUTPUT.exists():
        pytest.skip("shared/tools/check-output not present")
    assert done.returncode == 0, done.stdout
    assert not (outdir / "_staging").exists()
    assert sorted(p.name for p in outdir.iterdir()) == [
        "README.md",
        "croissant.json",
        "data",
        "dedup",
        "ledger",
        "manifest.json",
        "report.html",
    ]


def test_manifest_records_inputs_models_and_outputs(
    sample: tuple[Path, SampleTruth], sample_build: tuple[Path, BuildResult]
) -> None:
    directory, truth = sample
    outdir, result = sample_build
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert manifest == result.manifest
    inputs = {Path(i["uri"]).name: i for i in manifest["inputs"]}
    assert set(inputs) == set(truth.shards)
    for name, info in inputs.items():
        data = (directory / name).read_bytes()
        assert info["sha256"] == hashlib.sha256(data).hexdigest()
        assert info["bytes"] == len(data)
        assert info["documents"] == truth.candidate_counts[name]
        assert info["records"] == sum(truth.record_counts[name].values())
    assert [m["name"] for m in manifest["models"]] == [
        "lid.176",
        "quality-languages",
        "identity-terms",
        "alt-profanity-check-1.9.1/vectorizer.joblib",
        "alt-profanity-check-1.9.1/model.joblib",
    ]
    for output in manifest["outputs"]:
        data = (outdir / output["path"]).read_bytes()
        assert output["sha256"] == hashlib.sha256(data).hexdigest()
    data_rows = sum(o["rows"] for o in manifest["outputs"] if o["path"].startswith("data/"))
    assert data_rows == manifest["totals"]["kept"]
    assert manifest["config_sha256"] == CurateConfig.model_validate(manifest["config"]).sha256()


def test_release_loads_in_pyarrow_datasets_and_duckdb(
    sample_build: tuple[Path, BuildResult],
) -> None:
    import datasets
    import duckdb

    outdir, result = sample_build
    kept = result.manifest["totals"]["kept"]
    assert ds.dataset(outdir / "data", format="parquet").count_rows() == kept
    loaded = datasets.load_dataset(
        "parquet", data_files=str(outdir / "data" / "*.parquet"), split="train"
    )
    assert loaded.num_rows == kept
    assert "text" in loaded.column_names
    statuses = duckdb.sql(
        f"SELECT status, count(*) FROM '{outdir}/ledger/*.parquet' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert statuses == [("kept", kept), ("rejected", result.manifest["totals"]["rejected"])]


def test_same_bytes_with_one_or_two_workers(
    sample: tuple[Path, SampleTruth], sample_build: tuple[Path, BuildResult], tmp_path: Path
) -> None:
    outdir, first = sample_build
    second = build(sample[0], tmp_path / "two", workers=2)
    assert file_hashes(outdir) == file_hashes(tmp_path / "two")

    def comparable(manifest: dict) -> dict:
        manifest = json.loads(json.dumps(manifest))
        del manifest["run"]
        del manifest["config"]["output"]["path"]
        manifest["config_sha256"] = None
        return manifest

    assert comparable(first.manifest) == comparable(second.manifest)


def test_annotate_mode_keeps_everything_and_records_verdicts(
    sample: tuple[Path, SampleTruth], tmp_path: Path
) -> None:
    result = build(sample[0], tmp_path / "annotate", "mode=annotate")
    rows = ledger(tmp_path / "annotate")
    assert Counter(r["status"] for r in rows) == {"kept": 207}
    assert all(r["stage"] is None and r["reason"] is None for r in rows)
    flagged = Counter(flag for r in rows for flag in r["flags"])
    assert flagged["license:opted_out"] == 4
    assert flagged["extract:unsupported_content_type"] == 3  # the 301 has no content type
    assert all(r["language"] is not None for r in rows if r["char_count"])
    stages = {s["name"]: s for s in result.manifest["stages"]}
    assert stages["license"]["drops"] == {}
    assert stages["license"]["flagged"] == {"opted_out": 4}


def test_bad_records_become_errors_and_the_build_goes_on(
    sample: tuple[Path, SampleTruth], tmp_path: Path, lid_model: Path
) -> None:
    cases = write_bad_records(tmp_path / "bad")
    result = build([tmp_path / "bad", sample[0]], tmp_path / "out")
    rows = ledger(tmp_path / "out")
    errors = {
        (Path(r["source_uri"]).name, r["source_record"]): r for r in rows if r["status"] == "error"
    }
    expected_errors = {
        ("bad-gzip-member.warc.gz", "offset:1758"),
        ("bad-header.warc.gz", "offset:1755"),
        ("bad-utf8.jsonl", "line:3"),
        ("bad-json.jsonl.gz", "line:2"),
        ("bad-json.jsonl.gz", "line:4"),
        ("truncated.warc.gz", "offset:2480"),
    } | {("huge-record.warc.gz", cases["huge-record.warc.gz"].damaged[0])}
    assert set(errors) == expected_errors
    for (shard, locator), row in errors.items():
        assert row["stage"] == "read"
        assert row["reason"].startswith(f"{shard} {locator}: ")
    good = {
        (Path(r["source_uri"]).name, r["source_record"]) for r in rows if r["status"] != "error"
    }
    for name, case in cases.items():
        assert {(name, locator) for locator in case.good} <= good
    totals = result.manifest["totals"]
    assert totals["error"] == 7
    assert totals["input"] == 207 + sum(c.good_documents for c in cases.values()) + 7
    assert totals["balanced"]


def test_stale_shards_of_an_earlier_build_are_removed(
    sample: tuple[Path, SampleTruth], tmp_path: Path
) -> None:
    outdir = tmp_path / "release"
    build(sample[0], outdir, "output.num_shards=3")
    assert len(list((outdir / "data").glob("*.parquet"))) == 3
    result = build(sample[0], outdir, "output.num_shards=2")
    names = sorted(p.name for p in (outdir / "data").glob("*.parquet"))
    assert names == ["part-00000-of-00002.parquet", "part-00001-of-00002.parquet"]
    assert sorted(p.name for p in (outdir / "ledger").iterdir()) == names
    assert (
        ds.dataset(outdir / "ledger", format="parquet").count_rows()
        == result.manifest["totals"]["input"]
    )
    assert not list(outdir.rglob("*.tmp-*"))


def test_cli_builds_the_embedded_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lid_model: Path
) -> None:
    assert main(["run", "--output", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "207 documents: 168 kept, 39 rejected, 0 errors" in printed
    assert f"release written to {tmp_path / 'out'}/" in printed


def test_read_shard_emits_documents_and_stats(sample: tuple[Path, SampleTruth]) -> None:
    directory, truth = sample
    path = directory / "docs-00002.parquet"
    spec = ShardSpec(
        index=0, uri=str(path), name=path.name, format="parquet", size=path.stat().st_size
    )
    with TestPipeline(runner=FnApiRunner()) as pipeline:
        read = (
            pipeline
            | beam.Create([spec])
            | beam.ParDo(ReadShard(CurateConfig().input, 1, None)).with_outputs(
                ReadShard.STATS, main="docs"
            )
        )
        locators = read.docs | beam.Map(lambda d: d.source_record)
        stats = read[ReadShard.STATS] | beam.Map(lambda s: (s.documents, s.errors, s.bytes))
        assert_that(
            locators,
            equal_to([f"row:{i}" for i in range(truth.candidate_counts[path.name])]),
            label="locators",
        )
        assert_that(
            stats,
            equal_to([(truth.candidate_counts[path.name], 0, path.stat().st_size)]),
            label="stats",
        )


def test_inspect_summarises_the_release(
    sample_build: tuple[Path, BuildResult], capsys: pytest.CaptureFixture[str]
) -> None:
    outdir, _ = sample_build
    assert main(["inspect", str(outdir)]) == 0
    shown = capsys.readouterr().out
    for expected in (
        "stage funnel",
        "opted_out 4",
        "exact_duplicate 7",
        "CC-BY-SA-4.0 2",
        "opt-out signals: ",
        "x_robots_tag_noai 1",
        "MARK: stage 'quality' removes 85.7% of the 7 documents mentioning disability:deaf",
        "207 documents = 168 kept + 39 rejected + 0 errors (balanced)",
    ):
        assert expected in shown, expected


def test_inspect_neutralises_control_characters() -> None:
    from pipelines.inspect import _safe

    assert _safe("evil\x1b[2Jname\x07") == "evil?[2Jname?"


def test_inspect_of_a_non_release_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"curate: error: {tmp_path} is not a Curate release (no manifest.json)."
    )


def test_input_directory_reads_known_formats_and_says_what_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ["b.warc.gz", "a.jsonl", ".a.jsonl.part.jsonl", "README.md", "notes"]:
        (tmp_path / name).write_bytes(b"{}\n")
    (tmp_path / "nested.jsonl").mkdir()
    config = CurateConfig.model_validate({"input": {"paths": [str(tmp_path)]}})
    specs = plan_inputs(config)
    assert [(s.name, s.format) for s in specs] == [("a.jsonl", "jsonl"), ("b.warc.gz", "warc")]
    assert capsys.readouterr().err == (
        f"curate: input directory {tmp_path}: skipped 2 file(s) whose name tells no input "
        "format ('README.md', 'notes'); name them as inputs, with input.format, to read them\n"
    )
    for name in ["a.jsonl", "b.warc.gz"]:
        (tmp_path / name).unlink()
    with pytest.raises(ConfigError, match="holds no files of a known format"):
        plan_inputs(config)
