"""OpenLineage run events: START and COMPLETE of a real build, FAIL of a failing one, the HTTP
transport against a local endpoint, and no event anywhere unless configured."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from pipelines.build import BuildResult, run_build
from pipelines.lineage_events import BuildLineage, dataset_name, run_uuid
from schemas.config import ConfigError, load_config
from schemas.lineage import OpenLineageSettings
from tests.conftest import PROJECT
from tests.pipelines.conftest import HOSTILE_FILE, HOSTILE_RECORDS


def events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_build_emits_start_then_complete(hostile_release: tuple[Path, BuildResult]) -> None:
    outdir, result = hostile_release
    manifest = result.manifest
    start, complete = events(outdir.parent / "events.jsonl")
    assert [start["eventType"], complete["eventType"]] == ["START", "COMPLETE"]
    run_id = str(uuid.UUID(hex=manifest["run"]["id"]))
    assert start["run"]["runId"] == complete["run"]["runId"] == run_id
    assert (
        start["job"]
        == complete["job"]
        == {"namespace": "curate", "name": "curate.build", "facets": {}}
    )
    inputs = sorted((i["namespace"], i["name"]) for i in complete["inputs"])
    assert inputs == sorted(("file", str(Path(i["uri"]).resolve())) for i in manifest["inputs"])
    outputs = {o["name"]: o for o in complete["outputs"]}
    assert set(outputs) == {str(outdir / "data"), str(outdir / "ledger")}
    stats = {name: o["outputFacets"]["outputStatistics"] for name, o in outputs.items()}
    assert stats[str(outdir / "data")]["rowCount"] == manifest["totals"]["kept"]
    assert stats[str(outdir / "ledger")]["rowCount"] == manifest["totals"]["input"]
    data_bytes = sum(o["bytes"] for o in manifest["outputs"] if o["path"].startswith("data/"))
    assert stats[str(outdir / "data")]["size"] == data_bytes
    fields = [f["name"] for f in outputs[str(outdir / "data")]["facets"]["schema"]["fields"]]
    assert fields[0] == "id" and "text" in fields
    assert complete["run"]["facets"]["processing_engine"]["name"] == "Apache Beam"


def _hostile_shard(directory: Path) -> Path:
    directory.mkdir()
    (directory / HOSTILE_FILE).write_text("".join(json.dumps(r) + "\n" for r in HOSTILE_RECORDS))
    return directory


def test_a_failing_build_emits_fail(tmp_path: Path, lid_model: Path) -> None:
    # A damaged identity lexicon (a model file of the build) stops the build after START.
    lexicon = tmp_path / "identity_terms.yaml"
    lexicon.write_text("groups: [unclosed\n")
    log = tmp_path / "events.jsonl"
    config = load_config(
        PROJECT / "configs" / "default.yaml",
        [
            f"input.paths=[{_hostile_shard(tmp_path / 'in')}]",
            f"output.path={tmp_path / 'out'}",
            f"identity.lexicon_path={lexicon}",
            "lineage.openlineage.transport=file",
            f"lineage.openlineage.path={log}",
            "lineage.openlineage.namespace=test-ns",
        ],
    )
    with pytest.raises(Exception, match="not valid YAML"):
        run_build(config, [], progress=False)
    assert not (tmp_path / "out" / "manifest.json").exists()
    start, fail = events(log)
    assert [start["eventType"], fail["eventType"]] == ["START", "FAIL"]
    assert start["run"]["runId"] == fail["run"]["runId"]
    assert fail["job"]["namespace"] == "test-ns"
    assert [o["name"] for o in fail["outputs"]] == [
        str(tmp_path / "out" / "data"),
        str(tmp_path / "out" / "ledger"),
    ]
    error = fail["run"]["facets"]["errorMessage"]
    assert error["programmingLanguage"] == "python"
    assert error["message"].endswith(f"identity lexicon {lexicon} is not valid YAML.")
    assert "Traceback" not in error["message"]


def test_an_interrupted_build_emits_fail(tmp_path: Path, lid_model: Path) -> None:
    log = tmp_path / "events.jsonl"
    command = [sys.executable, "-m", "pipelines.cli", "run"]
    command += ["--input", str(_hostile_shard(tmp_path / "in")), "--output", str(tmp_path / "out")]
    command += ["--set", "lineage.openlineage.transport=file"]
    command += ["--set", f"lineage.openlineage.path={log}"]
    build = subprocess.Popen(command, cwd=PROJECT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (log.exists() and log.read_text()):
        assert build.poll() is None and time.monotonic() < deadline, "no START event"
        time.sleep(0.02)
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=120)
    assert build.returncode == 128 + signal.SIGTERM, err
    assert err.splitlines()[-1] == (
        "curate: interrupted (SIGTERM); nothing was published, rerun the same command to resume"
    )
    start, fail = events(log)
    assert [start["eventType"], fail["eventType"]] == ["START", "FAIL"]
    assert start["run"]["runId"] == fail["run"]["runId"]
    assert fail["run"]["facets"]["errorMessage"]["message"] == (
        "RunInterrupted: interrupted by SIGTERM; nothing was published"
    )
    assert not (tmp_path / "out" / "manifest.json").exists()


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict, str | None]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, json.loads(body), self.headers.get("Authorization")))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list]]:
    """An OpenLineage collector on the loopback address (serves this test only)."""
    _Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Collector.received
    finally:
        server.shutdown()
        server.server_close()


def test_http_transport_posts_each_event(
    endpoint: tuple[str, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, received = endpoint
    monkeypatch.setenv("LINEAGE_TOKEN", "s3cret-token")
    settings = OpenLineageSettings(transport="http", url=url, api_key_env="LINEAGE_TOKEN")
    lineage = BuildLineage(settings, uuid.uuid4().hex)
    lineage.start(["gs://bucket/crawl/a.warc.gz"], str(tmp_path / "out"))
    lineage.fail(["gs://bucket/crawl/a.warc.gz"], str(tmp_path / "out"), OSError("disk full"))
    assert [path for path, _, _ in received] == ["/api/v1/lineage", "/api/v1/lineage"]
    assert [event["eventType"] for _, event, _ in received] == ["START", "FAIL"]
    assert received[0][1]["inputs"][0] | {"facets": {}} == {
        "namespace": "gs://bucket", "name": "crawl/a.warc.gz", "facets": {}, "inputFacets": {},
    }  # fmt: skip
    assert all(auth == "Bearer s3cret-token" for _, _, auth in received)
    assert received[1][1]["run"]["facets"]["errorMessage"]["message"] == "OSError: disk full"


def test_no_event_goes_anywhere_unless_configured(
    endpoint: tuple[str, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, received = endpoint
    # OpenLineage's own variables must not make a build post events.
    monkeypatch.setenv("OPENLINEAGE_URL", url)
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__TYPE", "http")
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__URL", url)
    off = BuildLineage(OpenLineageSettings(), uuid.uuid4().hex)
    assert off.client is None
    off.start(["a.jsonl"], str(tmp_path / "out"))
    log = tmp_path / "events.jsonl"
    to_file = BuildLineage(OpenLineageSettings(transport="file", path=str(log)), uuid.uuid4().hex)
    to_file.start(["a.jsonl"], str(tmp_path / "out"))
    assert received == []
    assert [e["eventType"] for e in events(log)] == ["START"]


def test_settings_need_a_target_for_their_transport() -> None:
    with pytest.raises(ConfigError, match=r"lineage\.openlineage.*needs `path`"):
        load_config(PROJECT / "configs" / "default.yaml", ["lineage.openlineage.transport=file"])
    with pytest.raises(ConfigError, match=r"lineage\.openlineage.*needs `url`"):
        load_config(PROJECT / "configs" / "default.yaml", ["lineage.openlineage.transport=http"])
    assert load_config(PROJECT / "configs" / "default.yaml").lineage.openlineage.transport == "none"


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("gs://bucket/out/data", ("gs://bucket", "out/data")),
        ("s3://b/x/", ("s3://b", "x")),
        ("relative/out", ("file", str(Path("relative/out").resolve()))),
    ],
)
def test_dataset_names_follow_the_openlineage_convention(uri: str, expected: tuple) -> None:
    assert dataset_name(uri) == expected


def test_run_ids_are_uuids() -> None:
    assert run_uuid("0123456789abcdef0123456789abcdef") == "01234567-89ab-cdef-0123-456789abcdef"
