"""A build over every kind of damaged shard, hostile names and planted text: it completes, the
counts balance, nothing escapes the output directory, and no document text reaches a log or
the terminal (`docs/faults.md` lists what each test proves).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

from pipelines.build import BuildResult, run_build
from pipelines.cli import main
from pipelines.inspect import render
from pipelines.sample_corpus import gzip_member, http_response, warc_record
from schemas.config import load_config
from tests.conftest import PROJECT
from tests.corrupt_shards import BadCase, write_corrupt_shards

# Unique strings planted in document text and URL paths: none may appear in any log line, even
# at debug level (where Beam logs elements: their repr leaves out text, URL and payload).
PLANTED_TEXT = "zqxplantedtext7731"
PLANTED_URL = "zqxplantedurl4419"
# A file name with a terminal escape, a newline, spaces, shell characters and dots.
HOSTILE_NAME = "..\x1b[31mred\x07 $(touch pwned);\nname.jsonl"


def _planted_shards(directory: Path) -> None:
    prose = (
        "The harbour committee met on Tuesday evening to agree the summer timetable for the "
        "ferry, and the minutes record a long discussion of the new pontoon."
    )
    lines = [
        {"id": f"p{n}", "url": f"https://ferry.example.org/{PLANTED_URL}/{n}", "text": f"{prose} "
         f"{PLANTED_TEXT} {prose}"}
        for n in range(3)
    ]  # fmt: skip
    body = "\n".join(json.dumps(line) for line in lines)
    # A broken line that holds planted text: its error must not quote it.
    body += '\n{"id": "broken", "text": "' + PLANTED_TEXT + " never closed\n"
    (directory / HOSTILE_NAME).write_text(body + "\n", encoding="utf-8")
    page = f"<html><body><main><h1>{PLANTED_TEXT}</h1><p>{prose}</p></main></body></html>"
    block, _ = http_response(page.encode())
    record = warc_record(
        "response",
        "<urn:uuid:00000000-0000-4000-8000-00000000beef>",
        "2026-11-24T08:00:00Z",
        block,
        "application/http; msgtype=response",
        (("WARC-Target-URI", f"https://ferry.example.org/{PLANTED_URL}/page"),),
    )
    (directory / "planted.warc.gz").write_bytes(gzip_member(record) + b"garbage" * 3)


def _build(inputs: list[Path], outdir: Path, *overrides: str) -> BuildResult:
    config = load_config(
        PROJECT / "configs" / "default.yaml",
        [f"input.paths={json.dumps([str(p) for p in inputs])}", f"output.path={outdir}",
         *overrides],
    )  # fmt: skip
    return run_build(config, [], progress=True)


@pytest.fixture(scope="module")
def mixed_build(
    tmp_path_factory: pytest.TempPathFactory, lid_model: Path
) -> tuple[Path, dict[str, BadCase], BuildResult, str, set[Path]]:
    root = tmp_path_factory.mktemp("faults")
    cases = write_corrupt_shards(root / "in")
    _planted_shards(root / "in")
    before = set(root.rglob("*"))
    outdir = root / "out"
    logger = logging.getLogger()
    handler = _Collect()
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    capture = pytest.MonkeyPatch()
    try:
        import io
        import sys

        err, out = io.StringIO(), io.StringIO()
        capture.setattr(sys, "stderr", err)
        capture.setattr(sys, "stdout", out)
        # A name that starts with a dot is skipped when a directory is listed: name it.
        result = _build(
            [root / "in", root / "in" / HOSTILE_NAME],
            outdir,
            "run.progress_seconds=0.001",
            # Every intact document is kept, so the data files show the planted text.
            "mode=annotate",
        )
    finally:
        capture.undo()
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    created = set(root.rglob("*")) - before
    printed = "\n".join(handler.lines) + err.getvalue() + out.getvalue()
    return outdir, cases, result, printed, created


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_corrupt_shards_build_completes_and_balances(
    mixed_build: tuple[Path, dict[str, BadCase], BuildResult, str, set[Path]],
) -> None:
    outdir, cases, result, _, _ = mixed_build
    rows = ds.dataset(outdir / "ledger", format="parquet").to_table().to_pylist()
    by_file: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_file.setdefault(Path(row["source_uri"]).name, []).append(row)
    for name, case in cases.items():
        found = by_file.get(name, [])
        errors = sorted(r["source_record"] for r in found if r["status"] == "error")
        if case.errors == ("*",):
            assert len(errors) == 1, name
        else:
            assert errors == sorted(case.errors), name
        # Intact records go through every stage: kept or rejected with a reason, never lost.
        processed = {r["source_record"] for r in found if r["status"] != "error"}
        assert processed == set(case.good), name
        for row in found:
            if row["status"] == "error":
                assert row["stage"] == "read"
                assert row["reason"].startswith(f"{name} {row['source_record']}: ")
    totals = result.manifest["totals"]
    assert totals["balanced"]
    assert totals["input"] == len(rows) == totals["kept"] + totals["rejected"] + totals["error"]
    expected_errors = sum(max(len(c.errors), 1) if c.errors else 0 for c in cases.values())
    planted_errors = 2  # the broken planted line, the garbage after the planted WARC record
    assert totals["error"] == expected_errors + planted_errors
    per_input = {Path(i["uri"]).name: i for i in result.manifest["inputs"]}
    assert sum(i["errors"] for i in per_input.values()) == totals["error"]
    assert per_input["zero.parquet"]["errors"] == 1 and per_input["zero.jsonl"]["documents"] == 0


def test_outputs_stay_inside_the_output_directory(
    mixed_build: tuple[Path, dict[str, BadCase], BuildResult, str, set[Path]],
) -> None:
    outdir, cases, result, _, created = mixed_build
    assert created and all(p == outdir or outdir in p.parents for p in created)
    # Output names never come from an input name (part-NNNNN-of-NNNNN, manifest, report...).
    stems = {name.split(".")[0] for name in cases} | {"red", "pwned", "name"}
    for path in created:
        assert not any(stem in path.name for stem in stems if len(stem) > 2), path
    hostile = [i for i in result.manifest["inputs"] if i["uri"].endswith(HOSTILE_NAME)]
    assert len(hostile) == 1 and hostile[0]["documents"] == 4


def test_logs_and_terminal_never_show_document_text(
    mixed_build: tuple[Path, dict[str, BadCase], BuildResult, str, set[Path]],
) -> None:
    outdir, _, _, printed, _ = mixed_build
    assert "curate: shards" in printed  # progress lines were on and captured
    assert PLANTED_TEXT not in printed and PLANTED_URL not in printed
    # The data files do hold the text: the strings were really in the documents.
    data = ds.dataset(outdir / "data", format="parquet").to_table(columns=["text"]).to_pylist()
    assert any(PLANTED_TEXT in row["text"] for row in data)
    manifest = (outdir / "manifest.json").read_text()
    assert PLANTED_TEXT not in manifest and PLANTED_URL not in manifest


def test_inspect_escapes_hostile_names(
    mixed_build: tuple[Path, dict[str, BadCase], BuildResult, str, set[Path]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    outdir, _, _, _, _ = mixed_build
    assert main(["inspect", str(outdir)]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown
    assert "..?[31mred? $(touch pwned);?name.jsonl" in shown


def test_inspect_renders_no_control_character_from_any_manifest_value(
    mixed_build: tuple[Path, dict[str, BadCase], BuildResult, str, set[Path]],
) -> None:
    outdir, _, _, _, _ = mixed_build
    manifest = json.loads((outdir / "manifest.json").read_text())
    poisoned = _poison_values(manifest)
    shown = render(poisoned)
    bad = {c for c in shown if c != "\n" and not c.isprintable()}
    assert not bad, sorted(map(hex, map(ord, bad)))


def _poison_values(manifest: dict[str, Any]) -> dict[str, Any]:
    """Poison values everywhere and the keys of the free-form count maps that get printed."""
    evil = "\x1b]0;owned\x07\x1b[2J\u202e\r"

    def walk(value: Any, counts: bool) -> Any:
        if isinstance(value, dict):
            return {
                (evil + k if counts else k): walk(v, counts or k in _COUNT_MAPS)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [walk(v, counts) for v in value]
        if isinstance(value, str):
            return evil + value + evil
        return value

    return walk(manifest, False)


# Maps whose keys come from data (file names, labels, reasons), not from the manifest schema.
_COUNT_MAPS = frozenset(
    {"drops", "flagged", "skipped", "all", "kept", "evidence", "opt_out_signals", "entities"}
)


def test_cli_errors_escape_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no\x1b[2Jsuch\rfile.jsonl"
    assert main(["run", "--input", str(missing), "--output", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err
    assert err.startswith("curate: error: Input path ") and err.count("\n") == 1


def test_output_into_a_foreign_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "project"
    (foreign / "data").mkdir(parents=True)
    (foreign / "data" / "mine.parquet").write_bytes(b"not ours")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for output in (foreign, a_file):
        assert main(["run", "--output", str(output)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"curate: error: Output directory {foreign} is not empty and holds no Curate release; "
        "choose a new or empty directory.",
        f"curate: error: Output path {a_file} is a file, not a directory.",
    ]
    assert (foreign / "data" / "mine.parquet").read_bytes() == b"not ours"
