"""No raw PII value in any artifact or log of a build, whatever happens to the document.

Unique canary values of every pattern type are planted in documents that end up kept, or
rejected by a rule decided after redaction (dedup, language or quality) and written to
rejected/. The test
first proves the stage detects every canary, so it cannot pass by planting values nobody finds.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from pipelines.build import run_build
from schemas.config import load_config
from schemas.pii import PiiSettings
from tests.conftest import PROJECT
from transforms.pii import PiiAnalyzer, detect

CANARIES = {
    "EMAIL_ADDRESS": "canary.quill7@example.org",
    "PHONE_NUMBER": "(415) 555-0177",
    "CREDIT_CARD": "4111 1111 1111 1111",
    "IBAN_CODE": "GB82 WEST 1234 5698 7654 32",
    "IP_ADDRESS": "203.0.113.77",
    "US_SSN": "078-05-1121",
    "CRYPTO": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "AWS_ACCESS_KEY": "AKIAIOSFODNN7EXAMPLE",
    "URL_CREDENTIALS": "admin:hunter2@db.example.org",
}
PROSE = (
    "The river runs past the old mill and the children walk along it every morning. In spring "
    "the water rises, and the miller opens the gates to let it through before the fields flood. "
)


def canary_text(prose_repeats: int) -> str:
    lines = [
        f"Write to {CANARIES['EMAIL_ADDRESS']} or call {CANARIES['PHONE_NUMBER']}.",
        f"Card {CANARIES['CREDIT_CARD']}, IBAN {CANARIES['IBAN_CODE']}, from "
        f"{CANARIES['IP_ADDRESS']}.",
        f"SSN: {CANARIES['US_SSN']}. Wallet {CANARIES['CRYPTO']}, key "
        f"{CANARIES['AWS_ACCESS_KEY']}, see https://{CANARIES['URL_CREDENTIALS']}/x.",
    ]
    return PROSE * prose_repeats + "\n" + "\n".join(lines)


def test_every_canary_is_detected() -> None:
    spans = detect(PiiAnalyzer(PiiSettings()), canary_text(1))
    assert {s.type for s in spans} == set(CANARIES)


def test_no_canary_in_any_output_or_log(
    tmp_path: Path,
    lid_model: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    records = [
        {"id": "kept", "text": canary_text(4)},
        {"id": "copy", "text": canary_text(4)},  # exact duplicate: rejected by dedup
        {"id": "short", "text": canary_text(0)},  # little prose: rejected after redaction
    ]
    shard = tmp_path / "canaries.jsonl"
    shard.write_text("".join(json.dumps(r) + "\n" for r in records))
    outdir = tmp_path / "out"
    config = load_config(
        PROJECT / "configs" / "default.yaml",
        [f"input.paths=[{shard}]", f"output.path={outdir}", "output.write_rejected=true"],
    )
    with caplog.at_level(logging.DEBUG):
        result = run_build(config, [], progress=True)
    outcome = {
        row["source_id"]: (row["status"], row["reason"])
        for row in ds.dataset(outdir / "ledger", format="parquet").to_table().to_pylist()
    }
    # One copy is kept, the other is its exact duplicate; the short one fails a later rule.
    assert sorted([outcome["kept"], outcome["copy"]]) == [
        ("kept", None),
        ("rejected", "exact_duplicate"),
    ]
    assert outcome["short"][0] == "rejected"
    rows = []
    for folder in ("data", "ledger", "rejected"):
        rows += ds.dataset(outdir / folder, format="parquet").to_table().to_pylist()
    assert sum("<EMAIL_ADDRESS>" in (row.get("text") or "") for row in rows) == 3
    captured = capfd.readouterr()
    artifacts = "\n".join(
        [
            json.dumps(rows, default=str),
            (outdir / "manifest.json").read_text(),
            json.dumps(result.manifest),
            captured.out,
            captured.err,
            caplog.text,
        ]
    )
    leaked = [name for name, value in CANARIES.items() if value in artifacts]
    assert leaked == []
