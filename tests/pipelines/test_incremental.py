"""Incremental builds (`curate run --parent`): new shards only, cross-release duplicates removed."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from pipelines.build import BuildResult, run_build
from pipelines.cli import main
from pipelines.sample_corpus import write_sample
from schemas.config import ConfigError, load_config
from tests.conftest import PROJECT


def build(inputs: list[Path], outdir: Path, parent: Path | None = None, *sets: str) -> BuildResult:
    config = load_config(
        PROJECT / "configs" / "default.yaml",
        [f"input.paths={json.dumps([str(p) for p in inputs])}", f"output.path={outdir}", *sets],
    )
    return run_build(config, [], progress=False, parent=str(parent) if parent else None)


def rows(outdir: Path, folder: str = "ledger") -> list[dict]:
    return ds.dataset(outdir / folder, format="parquet").to_table().to_pylist()


@pytest.fixture(scope="module")
def parent(tmp_path_factory: pytest.TempPathFactory, lid_model: Path) -> tuple[Path, Path]:
    sample = tmp_path_factory.mktemp("sample")
    write_sample(sample)
    inputs = tmp_path_factory.mktemp("inputs")
    for name in ("docs-00000.jsonl.gz", "docs-00001.jsonl.zst"):
        shutil.copy(sample / name, inputs / name)
    outdir = tmp_path_factory.mktemp("parent") / "release"
    build([inputs / "docs-00000.jsonl.gz"], outdir)
    return inputs, outdir


def test_a_release_carries_its_dedup_index(parent: tuple[Path, Path]) -> None:
    _, outdir = parent
    kept = {r["id"]: r for r in rows(outdir, "data")}
    index = rows(outdir, "dedup")
    assert {r["id"] for r in index} == set(kept)
    for row in index:
        assert row["exact_hash"] == kept[row["id"]]["exact_hash"]
        assert len(row["bands"]) == 14 and all(len(b) > 0 for b in row["bands"])
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert any(o["path"].startswith("dedup/") for o in manifest["outputs"])
    assert manifest["parent"] is None


def test_child_processes_new_shards_and_drops_copies_of_the_parent(
    parent: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, parent_dir = parent
    english = [r for r in rows(parent_dir, "data") if r["language"] == "en"]
    near, exact = sorted(english, key=lambda r: (-len(r["text"]), r["id"]))[:2]
    words = near["text"].split(" ")
    words[len(words) // 2] = "zebra"  # one word changed: a near duplicate
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        json.dumps({"text": "  " + exact["text"] + "  "})
        + "\n"
        + json.dumps({"text": " ".join(words)})
    )
    child = tmp_path / "child"
    result = build(
        [inputs / "docs-00000.jsonl.gz", inputs / "docs-00001.jsonl.zst", extra], child, parent_dir
    )
    manifest = result.manifest
    assert [Path(i["uri"]).name for i in manifest["inputs"]] == [
        "docs-00001.jsonl.zst",
        "extra.jsonl",
    ]
    parent_bytes = (parent_dir / "manifest.json").read_bytes()
    assert manifest["parent"]["manifest_sha256"] == hashlib.sha256(parent_bytes).hexdigest()
    assert manifest["parent"]["path"] == str(parent_dir)
    ledger = {Path(r["source_uri"]).name + ":" + r["source_record"]: r for r in rows(child)}
    assert not any(key.startswith("docs-00000") for key in ledger)
    copy, edited = ledger["extra.jsonl:line:1"], ledger["extra.jsonl:line:2"]
    assert (copy["reason"], copy["dup_of"]) == ("exact_duplicate", exact["id"])
    assert (edited["reason"], edited["dup_of"]) == ("near_duplicate", near["id"])
    # The new shard's own documents are processed normally.
    assert sum(1 for k in ledger if k.startswith("docs-00001")) > 0
    assert manifest["totals"]["balanced"]

    # The same shards again: nothing to do, and nothing written.
    again = tmp_path / "again"
    args = ["run", "--parent", str(child), "--output", str(again)]
    for path in (inputs / "docs-00000.jsonl.gz", inputs / "docs-00001.jsonl.zst", extra):
        args += ["--input", str(path)]
    assert main(args) == 0
    assert not again.exists()


def test_parent_with_other_signature_settings_is_refused(
    parent: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, parent_dir = parent
    with pytest.raises(ConfigError, match=r"other dedup.num_perm .*cannot be compared"):
        build([inputs / "docs-00001.jsonl.zst"], tmp_path / "o", parent_dir, "dedup.num_perm=64",
              "dedup.bands=8")  # fmt: skip
    with pytest.raises(ConfigError, match="is not a Curate release"):
        build([inputs / "docs-00001.jsonl.zst"], tmp_path / "o", tmp_path)
