"""No raw PII value in any artifact or log of a build, whatever happens to the document.

Unique canary values of every pattern type are planted in documents that end up kept,
rejected by a rule decided after redaction (dedup, language or quality) and written to
rejected/, or failed by a stage after redaction with an exception that quotes the text. The
test first proves the stage detects every canary, so it cannot pass by planting values nobody
finds.
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
from transforms import identity
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
# Varied sentences, so the prose passes the repetition rules of the quality stage.
PROSE = (
    "The river runs past the old mill and the children walk along it every morning.",
    "In spring the water rises, and the miller opens the gates before the fields flood.",
    "Farmers bring their grain in late summer, when the roads are dry and the carts are full.",
    "A baker on the square sells bread to travellers who stop on their way to the coast.",
    "Her grandmother remembers the winter the ice held for six weeks and nobody could fish.",
    "The school added a library last year, with books donated by families from the valley.",
    "Every autumn a fair fills the meadow with stalls, music and animals for sale.",
    "Trains used to stop here twice a day, but the line closed before the war.",
    "Visitors often ask about the bell tower, which was rebuilt after a storm in 1911.",
    "Young people leave for the city, and some come back to open shops or workshops.",
    "The council meets on the first Monday of the month in the hall behind the church.",
    "Walkers follow the towpath to the next village and return by bus in the evening.",
)


def canary_text(paragraphs: int) -> str:
    lines = [
        f"Write to {CANARIES['EMAIL_ADDRESS']} or call {CANARIES['PHONE_NUMBER']}.",
        f"Card {CANARIES['CREDIT_CARD']}, IBAN {CANARIES['IBAN_CODE']}, from "
        f"{CANARIES['IP_ADDRESS']}.",
        f"SSN: {CANARIES['US_SSN']}. Wallet {CANARIES['CRYPTO']}, key "
        f"{CANARIES['AWS_ACCESS_KEY']}, see https://{CANARIES['URL_CREDENTIALS']}/x.",
    ]
    return " ".join(PROSE[: 3 * paragraphs]) + "\n" + "\n".join(lines)


FAIL_MARK = "failhere"
_identity_groups = identity.identity_groups


def identity_groups_failing_on_mark(tokens: list[str], *args: object, **kwargs: object) -> object:
    """The identity tagger, except that it fails on one document, quoting its (redacted) text."""
    if FAIL_MARK in tokens:
        raise ValueError(f"cannot tag: {' '.join(tokens)}")
    return _identity_groups(tokens, *args, **kwargs)  # type: ignore[arg-type]


def test_every_canary_is_detected() -> None:
    spans = detect(PiiAnalyzer(PiiSettings()), canary_text(1))
    assert {s.type for s in spans} == set(CANARIES)


def test_no_canary_in_any_output_or_log(
    tmp_path: Path,
    lid_model: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A stage after redaction fails on one document (the local runner runs in this process).
    monkeypatch.setattr(identity, "identity_groups", identity_groups_failing_on_mark)
    records = [
        {"id": "fails", "text": f"{FAIL_MARK} {canary_text(5)}"},
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
    assert outcome["fails"] == ("error", "unexpected ValueError")
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
            (outdir / "report.html").read_text(),
            (outdir / "croissant.json").read_text(),
            (outdir / "README.md").read_text(),
            captured.out,
            captured.err,
            caplog.text,
        ]
    )
    leaked = [name for name, value in CANARIES.items() if value in artifacts]
    assert leaked == []
