"""The local global pass (pipelines/global_pass.py): no document crosses a shuffle, and the
release is byte-identical to the one-graph build's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipelines import global_pass
from pipelines.sample_corpus import SampleTruth, write_sample
from schemas.document import Doc
from tests.pipelines.conftest import OTHER_PROSE, PROSE
from tests.pipelines.test_build import build, file_hashes, ledger
from transforms import dedup

FAIL_MARKER = "signature-failure-marker"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleTruth]:
    directory = tmp_path_factory.mktemp("sample")
    return directory, write_sample(directory)


def _extra_shard(folder: Path) -> Path:
    """Copies of one text across shards, a near copy, and a document whose signature fails."""
    folder.mkdir()
    records = [
        {"id": "copy-a", "url": "http://a.example/1", "text": PROSE},
        {"id": "near-a", "url": "http://a.example/2", "text": PROSE.replace("Tuesday", "Monday")},
        {"id": "other", "url": "http://a.example/3", "text": OTHER_PROSE},
        {"id": "fails", "url": "http://a.example/4", "text": OTHER_PROSE + FAIL_MARKER},
    ]
    (folder / "one.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:2]))
    (folder / "two.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in [records[0], *records[2:]])
    )
    return folder


@pytest.fixture
def failing_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    fold: Callable[[str], str] = dedup.minhash.fold_text

    def fold_or_fail(text: str) -> str:
        if FAIL_MARKER in text:
            raise ValueError("signature failed")
        return fold(text)

    monkeypatch.setattr(dedup.minhash, "fold_text", fold_or_fail)


def _comparable(manifest: dict[str, Any]) -> dict[str, Any]:
    manifest = json.loads(json.dumps(manifest))
    del manifest["run"]
    del manifest["config"]["output"]["path"]
    del manifest["config"]["run"]["resume"]
    manifest["config_sha256"] = None
    return manifest


def test_local_and_one_graph_builds_write_the_same_bytes(
    sample: tuple[Path, SampleTruth], tmp_path: Path, lid_model: Path, failing_signatures: None
) -> None:
    inputs = [sample[0], _extra_shard(tmp_path / "extra")]
    local = build(inputs, tmp_path / "local", "run.resume=true", "output.write_rejected=true")
    graph = build(inputs, tmp_path / "graph", "run.resume=false", "output.write_rejected=true")
    hashes = file_hashes(tmp_path / "local")
    assert {name.split("/")[0] for name in hashes} == {"data", "ledger", "rejected", "dedup"}
    assert hashes == file_hashes(tmp_path / "graph")
    assert _comparable(local.manifest) == _comparable(graph.manifest)
    assert not (tmp_path / "local" / "_staging").exists()
    rows = {(Path(r["source_uri"]).name, r["source_record"]): r for r in ledger(tmp_path / "local")}
    failed = rows["two.jsonl", "line:3"]
    assert (failed["status"], failed["stage"]) == ("error", "dedup")
    assert failed["reason"] == "unexpected ValueError"  # never the text of the exception
    copies = [rows["one.jsonl", "line:1"], rows["two.jsonl", "line:1"]]
    assert sorted(r["status"] for r in copies) == ["kept", "rejected"]


def test_the_global_pass_never_serialises_a_document(
    sample: tuple[Path, SampleTruth],
    tmp_path: Path,
    lid_model: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Beam's local runner encodes every element that crosses a shuffle or a fused stage's
    edge; a document that did so in the global pass would fail this build."""
    in_global_pass = False
    build_global = global_pass.build

    def build_and_watch(*args: Any, **kwargs: Any) -> None:
        nonlocal in_global_pass
        in_global_pass = True  # the per-shard passes have run; the global one runs next
        build_global(*args, **kwargs)

    def refuse(doc: Doc, protocol: int) -> Any:
        if in_global_pass:
            raise AssertionError(f"document {doc.id} was serialised in the global pass")
        return object.__reduce_ex__(doc, protocol)

    monkeypatch.setattr(global_pass, "build", build_and_watch)
    monkeypatch.setattr(Doc, "__reduce_ex__", refuse, raising=False)
    result = build(sample[0], tmp_path / "out")
    assert in_global_pass
    assert result.manifest["totals"]["kept"] == 168
