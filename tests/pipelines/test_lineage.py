"""Lineage commands on one generated sample build: schema, explain, reproduce, diff, takedown.

The build has four output shards, so a takedown leaves some shards untouched (they must be
byte-identical copies) and rewrites others. Counts are read from the build's own manifest and
ledger, never hard-coded.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

from pipelines.cli import main
from pipelines.energy import EnergyMeter, check_country
from pipelines.explain import explain_row
from pipelines.sample_corpus import write_sample
from schemas.config import ConfigError, RunSettings
from schemas.manifest import SCHEMA_VERSION, Manifest, manifest_json_schema
from tests.pipelines.test_build import build


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory, lid_model: Path) -> Path:
    sample = tmp_path_factory.mktemp("lineage-sample")
    write_sample(sample)
    outdir = tmp_path_factory.mktemp("lineage") / "release"
    build(sample, outdir, "output.num_shards=4")
    return outdir


def ledger_rows(outdir: Path) -> list[dict[str, Any]]:
    return ds.dataset(outdir / "ledger", format="parquet").to_table().to_pylist()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(outdir: Path) -> dict[str, Any]:
    return json.loads((outdir / "manifest.json").read_text())


# --- manifest and schema ----------------------------------------------------------------------


def _check_against_schema(value: Any, schema: dict[str, Any], defs: dict[str, Any]) -> None:
    """Keys of every typed object are declared and its required keys present."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        if value is not None and len(options) == 1:
            _check_against_schema(value, options[0], defs)
        return
    if schema.get("type") == "object" and "properties" in schema:
        assert set(value) <= set(schema["properties"]), set(value) - set(schema["properties"])
        assert set(schema.get("required", ())) <= set(value)
        for key, item in value.items():
            _check_against_schema(item, schema["properties"][key], defs)
    elif schema.get("type") == "array" and "items" in schema:
        for item in value:
            _check_against_schema(item, schema["items"], defs)


def test_manifest_matches_published_schema_and_records_time_and_energy(
    release: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "manifest"]) == 0
    published = json.loads(capsys.readouterr().out)
    assert published == json.loads(json.dumps(manifest_json_schema()))
    found = manifest(release)
    _check_against_schema(found, published, published["$defs"])
    Manifest.model_validate(found)
    assert found["schema_version"] == SCHEMA_VERSION
    run = found["run"]
    stages = {s["name"] for s in found["stages"]}
    # Every stage that ran was timed (read is fused with the stages after it: not timed).
    assert stages - {"read"} <= set(run["stage_seconds"]) == set(run["stage_cpu_seconds"])
    assert all(v >= 0 for v in run["stage_cpu_seconds"].values())
    assert run["cpu_seconds"] > 0
    energy = run["energy"]
    assert energy["energy_kwh"] > 0
    assert energy["country_iso_code"] == found["config"]["run"]["country_iso_code"]


def test_schema_ledger_lists_every_ledger_column(
    release: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "ledger"]) == 0
    columns = {c["name"] for c in json.loads(capsys.readouterr().out)["columns"]}
    assert set(ds.dataset(release / "ledger", format="parquet").schema.names) <= columns


def test_energy_meter_is_offline_and_quiet(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    capfd.readouterr()
    meter = EnergyMeter(RunSettings(country_iso_code="FRA"))
    meter.start()
    estimate = meter.stop()
    assert estimate is not None and estimate.energy_kwh >= 0
    assert estimate.country_iso_code == "FRA"
    assert attempts == []
    assert capfd.readouterr() == ("", "")


def test_energy_meter_off_and_unknown_country() -> None:
    meter = EnergyMeter(RunSettings(energy=False))
    meter.start()
    assert meter.stop() is None
    with pytest.raises(ConfigError, match=r"run\.country_iso_code"):
        check_country("XYZ")


# --- explain ----------------------------------------------------------------------------------


def test_explain_by_id_and_by_url(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ledger_rows(release)
    duplicate = next(r for r in rows if r.get("dup_of") and r["status"] == "rejected")
    assert main(["explain", str(release), duplicate["id"]]) == 0
    by_id = capsys.readouterr().out
    assert duplicate["source_uri"] in by_id
    assert duplicate["source_record"] in by_id
    assert f"REJECTED: {duplicate['reason']}" in by_id
    assert f"duplicate of {duplicate['dup_of']}" in by_id
    representative = next(r for r in rows if r["id"] == duplicate["dup_of"])
    assert f"(representative: {representative['status']}" in by_id
    assert f"final: rejected at stage {duplicate['stage']}" in by_id

    assert main(["explain", str(release), duplicate["url"], "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    same_url = sorted(r["id"] for r in rows if r["url"] == duplicate["url"])
    ids = [found["id"]] if isinstance(found, dict) else [r["id"] for r in found]
    assert ids == same_url

    kept = next(r for r in rows if r["status"] == "kept")
    assert main(["explain", str(release), kept["id"]]) == 0
    assert "final: kept, in data/part-" in capsys.readouterr().out

    assert main(["explain", str(release), "0" * 32]) == 1
    assert "no document" in capsys.readouterr().err


def test_explain_neutralises_control_characters(release: Path) -> None:
    row = ledger_rows(release)[0]
    row["url"] = "https://example.org/\x1b[2J\x1b]0;owned\x07\r\nforged: kept"
    row["source_record"] = "line:1\x1b[31m"
    lines = explain_row(row, manifest(release), None)
    text = "\n".join(lines)
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert not any(line.startswith("forged") for line in lines)


def test_explain_unknown_release_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", str(tmp_path), "x"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


# --- reproduce --------------------------------------------------------------------------------


def test_reproduce_passes_on_an_untouched_build(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reproduce", str(release), "--output", str(tmp_path / "again")]) == 0
    out = capsys.readouterr().out
    assert "REPRODUCED" in out and "NOT REPRODUCED" not in out


def test_reproduce_names_a_changed_file(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    changed = next(p for p in sorted((copy / "data").glob("*.parquet")) if p.stat().st_size)
    payload = bytearray(changed.read_bytes())
    payload[len(payload) // 2] ^= 0x01
    changed.write_bytes(bytes(payload))
    assert main(["reproduce", str(copy)]) == 1
    out = capsys.readouterr().out
    name = f"data/{changed.name}"
    assert f"file {name}: sha256" in out and "does not match the manifest" in out
    assert f"file {name}: sha256" in out and "!= rebuilt" in out
    assert "NOT REPRODUCED" in out


# --- diff -------------------------------------------------------------------------------------


def test_diff_identical_and_different(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    assert main(["diff", str(release), str(copy)]) == 0
    assert "identical outside run" in capsys.readouterr().out
    edited = manifest(copy)
    edited["config"]["quality"]["min_words"] += 1
    edited["stages"][-1]["docs_out"] -= 1
    (copy / "manifest.json").write_text(json.dumps(edited))
    assert main(["diff", str(release), str(copy)]) == 1
    out = capsys.readouterr().out
    words = manifest(release)["config"]["quality"]["min_words"]
    assert f"config.quality.min_words: {words} -> {words + 1}" in out
    assert f"stages.{edited['stages'][-1]['name']}.docs_out" in out


# --- takedown ---------------------------------------------------------------------------------


def test_takedown_removes_ids_and_keeps_everything_else_byte_identical(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ledger_rows(release)
    kept = [r for r in rows if r["status"] == "kept"]
    # Two kept documents that share a shard: the other shards must stay untouched copies.
    first = kept[0]
    shard = int(first["id"][:8], 16) % 4
    second = next(r for r in kept[1:] if int(r["id"][:8], 16) % 4 == shard)
    rejected = next(r for r in rows if r["status"] == "rejected")
    removed = {first["id"], second["id"], rejected["id"]}
    request = tmp_path / "ids.txt"
    request.write_text("# request 1\n" + "\n".join(sorted(removed)) + "\n" + "f" * 32 + "\n")
    newdir = tmp_path / "new"
    assert main(["takedown", str(release), "--ids", str(request), "--output", str(newdir)]) == 0
    assert "matched 3 documents" in capsys.readouterr().out

    parent, child = manifest(release), manifest(newdir)
    rewritten = set(child["takedown"]["rewritten"])
    assert rewritten and all(f"part-{shard:05d}-" in path for path in rewritten)
    for output in parent["outputs"]:
        if output["path"] not in rewritten:
            assert sha256(newdir / output["path"]) == sha256(release / output["path"])

    data = ds.dataset(newdir / "data", format="parquet").to_table().to_pylist()
    assert not removed & {r["id"] for r in data}
    parent_data = ds.dataset(release / "data", format="parquet").to_table().to_pylist()
    assert data == [r for r in parent_data if r["id"] not in removed]

    new_rows = {r["id"]: r for r in ledger_rows(newdir)}
    for row in rows:
        new = new_rows.pop(row["id"])
        if row["id"] in removed:
            assert new["flags"] == [*row["flags"], "takedown:takedown"]
            verdict = ("rejected", "takedown", "takedown") if row["status"] == "kept" else None
            assert (new["status"], new["stage"], new["reason"]) == (
                verdict or (row["status"], row["stage"], row["reason"])
            )
            assert {
                k: v for k, v in new.items() if k not in ("status", "stage", "reason", "flags")
            } == {k: v for k, v in row.items() if k not in ("status", "stage", "reason", "flags")}
        else:
            assert new == row
    assert not new_rows

    assert child["totals"]["kept"] == parent["totals"]["kept"] - 2
    assert child["totals"]["balanced"]
    # The two kept documents are dropped at the new last stage; the one the build had rejected
    # keeps its verdict (flagged only), so every earlier stage's counts are the parent's.
    assert child["stages"][:-1] == parent["stages"]
    assert child["stages"][-1]["name"] == "takedown"
    assert child["stages"][-1]["drops"] == {"takedown": 2}
    assert child["stages"][-1]["flagged"] == {"takedown": 3}
    assert child["takedown"]["parent"]["manifest_sha256"] == sha256(release / "manifest.json")
    request_info = child["takedown"]["request"]
    assert request_info["file_sha256"] == sha256(request)
    assert (request_info["entries"], request_info["matched_entries"]) == (4, 3)
    assert (request_info["documents"], request_info["removed_kept"]) == (3, 2)
    Manifest.model_validate(child)

    assert main(["reproduce", str(newdir)]) == 2
    assert "made by curate takedown" in capsys.readouterr().err


def test_takedown_by_domain_and_url(release: Path, tmp_path: Path) -> None:
    rows = ledger_rows(release)
    target = next(r for r in rows if r["status"] == "kept" and r["url"])
    host = target["url"].split("/")[2]
    domains = tmp_path / "domains.txt"
    domains.write_text(host.upper() + "\n")
    assert (
        main(["takedown", str(release), "--domains", str(domains), "--output", str(tmp_path / "d")])
        == 0
    )
    left = ds.dataset(tmp_path / "d" / "data", format="parquet").to_table(columns=["url"])
    assert not [u for u in left.column("url").to_pylist() if u and u.split("/")[2] == host]

    urls = tmp_path / "urls.txt"
    urls.write_text(target["url"] + "\n")
    assert (
        main(["takedown", str(release), "--urls", str(urls), "--output", str(tmp_path / "u")]) == 0
    )
    assert target["url"] not in (
        ds.dataset(tmp_path / "u" / "data", format="parquet")
        .to_table(columns=["url"])
        .column("url")
        .to_pylist()
    )


def test_takedown_refuses_its_own_release(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = tmp_path / "ids.txt"
    request.write_text("0" * 32 + "\n")
    assert main(["takedown", str(release), "--ids", str(request), "--output", str(release)]) == 2
    assert "must differ" in capsys.readouterr().err
