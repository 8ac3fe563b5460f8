"""Crash safety and resume: killed runs, full and unwritable output locations."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines import reaper, release, resume
from pipelines.cli import main
from pipelines.registry import STAGES
from pipelines.sample_corpus import write_sample
from schemas.document import Doc, PiiSpan, Status
from schemas.ledger import to_row

CURATE = [sys.executable, "-m", "pipelines.cli"]
CAN_MOUNT = shutil.which("unshare") is not None and (
    subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True
    ).returncode
    == 0
)


def test_units_hold_documents_exactly() -> None:
    doc = Doc(
        id="ab" * 16,
        source_uri="in/x.jsonl",
        source_record="line:3",
        source_format="jsonl",
        url="https://example.org/a",
        text="Hello world",
        status=Status.ERROR,
        stage="read",
        reason="bad",
        flags=["quality:too_few_words"],
        language="en",
        language_score=0.1 + 0.2,  # not representable in float32
        pii_spans=[PiiSpan("EMAIL_ADDRESS", 1, 5)],
        toxicity_score=1 / 3,
        toxicity_labels={"toxicity": 1 / 3, "insult": 0.25},
        identity_groups=["disability:deaf"],
        opt_out=False,
        opt_out_signals=[],
    )
    schema = resume.unit_schema([s.name for s in STAGES if not s.whole_corpus])
    table = pa.Table.from_pylist([to_row(doc, schema)], schema=schema)
    assert resume.doc_from_row(table.to_pylist()[0]) == doc


def test_output_failures_are_named_from_errno_or_worker_text() -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    assert release.output_failure(full) == "no space left on the device"
    wrapped = RuntimeError("Worker failed: OSError: [Errno 30] Read-only file system: 'x'")
    assert release.output_failure(wrapped) == "read-only file system"
    assert release.output_failure(ValueError("bad value")) is None


def test_passes_split_pending_shards_by_bytes() -> None:
    from transforms.read import ShardSpec

    specs = [ShardSpec(i, f"s{i}", f"s{i}", "jsonl", size) for i, size in enumerate([5, 5, 9, 1])]
    passes = resume.plan_passes(specs, 10)
    assert [[s.index for s in p] for p in passes] == [[0, 1], [2, 3]]


def test_output_under_a_file_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lid_model: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", "--output", str(blocker / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"curate: error: Output location {blocker / 'out'} is not writable "
        "(a path component is not a directory)."
    )


def _in_tmpfs(options: str, command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    mount = tmp_path / "mnt"
    mount.mkdir()
    script = f"mount -t tmpfs -o {options} tmpfs {mount} && cd {os.getcwd()} && {command}"
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(not CAN_MOUNT, reason="needs unshare with user and mount namespaces")
def test_read_only_output_location_is_one_sentence(tmp_path: Path, lid_model: Path) -> None:
    done = _in_tmpfs("ro,size=1m", f"{' '.join(CURATE)} run --output {tmp_path}/mnt/out", tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"curate: error: Output location {tmp_path}/mnt/out is not writable "
        "(read-only file system)."
    )


@pytest.mark.slow
@pytest.mark.skipif(not CAN_MOUNT, reason="needs unshare with user and mount namespaces")
def test_full_output_location_fails_cleanly(tmp_path: Path, lid_model: Path) -> None:
    # A 256 KiB file system: the staged units of the sample do not fit.
    out = f"{tmp_path}/mnt/out"
    done = _in_tmpfs(
        "size=256k",
        f"{' '.join(CURATE)} run --output {out}; echo EXIT=$?; ls -A {out}",
        tmp_path,
    )
    lines = done.stdout.strip().splitlines()
    assert "EXIT=1" in lines, done.stdout + done.stderr
    assert lines[lines.index("EXIT=1") + 1 :] == ["_staging"]  # no data/, ledger/, manifest
    # Beam logs the worker's failure itself; curate's own report is the last line, one sentence.
    errors = [line for line in done.stderr.splitlines() if line.startswith("curate: ")]
    assert errors == [
        f"curate: error: Writing the release to {out} failed (no space left on the device); "
        "nothing was published and a rerun with the same output directory resumes."
    ]
    assert done.stderr.strip().splitlines()[-1] == errors[0]


# --- kill trials -------------------------------------------------------------------------------


def _release_files(outdir: Path) -> dict[str, str]:
    """The Parquet folders the manifest lists (derived pages such as report.html are not)."""
    return {
        str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in release.FOLDERS
        for p in sorted((outdir / folder).glob("*"))
    }


def _assert_no_partial_file_visible(outdir: Path) -> None:
    """Outside _staging/ every file is complete, and a manifest describes exactly its files."""
    if not outdir.exists():
        return
    for path in outdir.rglob("*"):
        if "_staging" in path.parts or not path.is_file():
            continue
        assert ".tmp-" not in path.name, path
        if path.suffix == ".parquet":
            pq.read_table(path)  # a truncated file fails here
    manifest_path = outdir / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
        assert _release_files(outdir) == listed


def _comparable(outdir: Path) -> tuple[dict[str, str], dict]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    del manifest["run"]
    del manifest["code"]  # the checkout's commit may move while the trials run
    del manifest["config"]["output"]["path"]
    manifest["config_sha256"] = None
    return _release_files(outdir), manifest


@pytest.mark.slow
def test_killed_runs_never_show_partial_files_and_resume_to_the_same_bytes(
    tmp_path: Path, lid_model: Path
) -> None:
    sample = tmp_path / "sample"
    write_sample(sample)
    # Small passes, so that most kills land between finished and unfinished shards.
    args = ["run", "--input", str(sample), "--set", "run.resume_batch_bytes=40000"]
    reference = tmp_path / "reference"
    started = time.monotonic()
    subprocess.run([*CURATE, *args, "--output", str(reference)], check=True, capture_output=True)
    clean_seconds = time.monotonic() - started

    outdir = tmp_path / "out"
    rng = random.Random(9)
    killed = 0
    for trial in range(10):
        # Every third trial with two worker processes: their workers must not outlive the kill.
        workers = (
            ["--direct_num_workers=2", "--direct_running_mode=multi_processing"]
            if trial % 3 == 2
            else []
        )
        launcher = subprocess.Popen(
            [*CURATE, *args, "--output", str(outdir), *workers],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(rng.uniform(0.3, clean_seconds * 1.1))
        children = reaper.descendants(launcher.pid)
        ended = launcher.poll()
        launcher.send_signal(signal.SIGKILL)
        _, err = launcher.communicate()
        # A run that ended before its kill must have succeeded (a late kill is a clean run).
        assert ended in (None, 0), err
        killed += ended is None
        _assert_no_partial_file_visible(outdir)
        deadline = time.monotonic() + 10
        while workers and time.monotonic() < deadline:
            alive = [p for p, started in children.items() if reaper._alive(p, started)]
            if not alive:
                break
            time.sleep(0.2)
        else:
            if workers:
                pytest.fail(f"worker processes {alive} outlived the killed launcher")
    done = subprocess.run(
        [*CURATE, *args, "--output", str(outdir)], capture_output=True, text=True, check=True
    )
    assert not (outdir / "_staging").exists()
    assert _comparable(outdir) == _comparable(reference)
    assert killed >= 5

    # Random kill times need not land after a finished shard on every machine: this kill does.
    outdir = tmp_path / "killed-after-first-unit"
    markers = outdir / release.STAGING / resume.UNITS
    launcher = subprocess.Popen(
        [*CURATE, *args, "--output", str(outdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while not list(markers.glob("*.json")) and launcher.poll() is None:
        assert time.monotonic() < deadline, "no unit finished within 300 s"
        time.sleep(0.02)
    launcher.send_signal(signal.SIGKILL)
    launcher.wait()
    assert not (outdir / "manifest.json").exists()  # killed before the release was published
    done = subprocess.run(
        [*CURATE, *args, "--output", str(outdir)], capture_output=True, text=True, check=True
    )
    assert "curate: resuming:" in done.stderr
    assert _comparable(outdir) == _comparable(reference)
