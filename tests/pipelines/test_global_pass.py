"""Local builds (per-shard passes and pipelines/global_pass.py): no document crosses a shuffle,
and the release is byte-identical to the one-graph build's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from apache_beam.runners.portability.fn_api_runner import execution

from pipelines.sample_corpus import SampleTruth, write_sample
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


def _capture_runner_buffers(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every encoded batch of elements Beam's local runner buffers between its fused steps (the
    in-memory shuffles and materialised Flattens)."""
    captured: list[bytes] = []
    for buffer in (execution.ListBuffer, execution.GroupingBuffer):
        append = buffer.append

        def capturing(self: Any, data: bytes, append: Callable[..., None] = append) -> None:
            captured.append(bytes(data))
            append(self, data)

        monkeypatch.setattr(buffer, "append", capturing)
    return captured


@pytest.mark.parametrize("resume", ["true", "false"])
def test_only_the_one_graph_build_moves_text_through_the_runner(
    sample: tuple[Path, SampleTruth],
    tmp_path: Path,
    lid_model: Path,
    monkeypatch: pytest.MonkeyPatch,
    resume: str,
) -> None:
    """A local build never hands a document to the runner's buffers, which hold shuffles in
    memory: no kept text appears in them. The one-graph build (for remote runners, whose
    shuffles spill) does, which shows the check can fail."""
    captured = _capture_runner_buffers(monkeypatch)
    build(sample[0], tmp_path / "out", f"run.resume={resume}")
    buffered = b"".join(captured)
    texts = [r["text"] for r in data_rows(tmp_path / "out") if len(r["text"]) >= 80]
    assert len(texts) > 100
    snippets = [text[20:80].encode() for text in texts]
    found = sum(snippet in buffered for snippet in snippets)
    if resume == "true":
        assert found == 0
    else:
        assert found == len(snippets)


def data_rows(outdir: Path) -> list[dict[str, Any]]:
    return list(ds.dataset(outdir / "data", format="parquet").to_table().to_pylist())
