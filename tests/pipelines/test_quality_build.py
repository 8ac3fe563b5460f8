"""The quality stages on the sample build: every signal in annotate mode, the word-list filter
in the bias audit, the fastText classifier in the chain and the manifest, the funnel per rule."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from pipelines.build import BuildResult
from pipelines.cli import main
from pipelines.sample_corpus import SampleTruth
from schemas.ledger import STAGE_FIELDS
from tests.pipelines.test_build import build, sample  # noqa: F401  (module fixture)
from tests.transforms.test_quality_model import train_tiny

QUALITY_COLUMNS = [f.name for f in STAGE_FIELDS["quality"]]


@pytest.fixture(scope="module")
def annotated(
    sample: tuple[Path, SampleTruth],  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    lid_model: Path,
) -> tuple[Path, BuildResult, Path]:
    model = train_tiny(tmp_path_factory.mktemp("model"))
    outdir = tmp_path_factory.mktemp("out") / "annotated"
    result = build(
        sample[0],
        outdir,
        "mode=annotate",
        "quality.word_list.enabled=true",
        f"quality.classifier.model={model}",
        "quality.classifier.min_score=0.5",
    )
    return outdir, result, model


def test_every_document_has_every_quality_signal(
    annotated: tuple[Path, BuildResult, Path],
) -> None:
    outdir, result, _ = annotated
    rows = ds.dataset(outdir / "ledger", format="parquet").to_table().to_pylist()
    assert Counter(r["status"] for r in rows) == {"kept": result.manifest["totals"]["input"]}
    for row in rows:
        # Documents in languages without settings have no stop-word count, and text written
        # mostly in CJK characters or no text at all no mean word length (undefined); all else
        # is there.
        missing = {c for c in QUALITY_COLUMNS if row[c] is None}
        if row["language"] == "ja" or row["word_count"] == 0:
            missing.discard("mean_word_length")
        if row["quality_skipped_reason"] is None:
            assert missing == {"quality_skipped_reason"}, row["id"]
        else:
            assert missing == {"stop_word_count"}, row["id"]
        assert row["quality_model_score"] is not None
    skipped = Counter(r["quality_skipped_reason"] for r in rows)
    assert set(skipped) == {None, "no_language", "no_language_settings"}


def test_word_list_and_classifier_stages_are_audited_and_recorded(
    annotated: tuple[Path, BuildResult, Path],
) -> None:
    outdir, result, model = annotated
    manifest = result.manifest
    names = [s["name"] for s in manifest["stages"]]
    assert names.index("quality") < names.index("word_list") < names.index("quality_model")
    stages = {s["name"]: s for s in manifest["stages"]}
    rows = ds.dataset(outdir / "ledger", format="parquet").to_table().to_pylist()
    listed = sum(1 for r in rows if r["word_list_hits"])
    assert listed > 0
    assert stages["word_list"]["flagged"] == {"listed_word": listed}
    audit = manifest["summaries"]["bias_audit"]
    audited = {s["stage"] for s in audit["stages"]}
    assert {"quality", "word_list", "quality_model"} <= audited
    assert any(g["stage"] == "word_list" and g["removed"] for g in audit["groups"])
    # One of the seven pages about deaf people swears in passing: the filter's rate for the
    # group is over twice its overall rate, and the audit says so.
    assert {"stage": "word_list", "group": "disability:deaf"} in audit["marks"]
    models = {m["name"]: m for m in manifest["models"]}
    assert (
        models[f"quality-{model.stem}"]["sha256"]
        == (Path(f"{model}.sha256").read_text().split()[0])
    )
    assert models["word-list-en"]["file"] == "en.txt"
    assert models["quality-languages"]["sha256"]


def test_inspect_shows_the_funnel_per_rule(
    annotated: tuple[Path, BuildResult, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    outdir, result, _ = annotated
    assert main(["inspect", str(outdir)]) == 0
    shown = capsys.readouterr().out
    quality = next(line for line in shown.splitlines() if line.startswith("quality "))
    flagged = {s["name"]: s["flagged"] for s in result.manifest["stages"]}["quality"]
    for reason in ("too_few_words", "c4_too_few_sentences", "fineweb_short_line_ratio"):
        assert f"{reason} {flagged[reason]}" in quality
    assert "listed_word" in shown
