"""The release's human- and catalogue-facing files, derived from the manifest.

    report.html     self-contained HTML report with charts (`pipelines/report.py`)
    croissant.json  Croissant 1.1 JSON-LD with RAI fields (`pipelines/croissant.py`)
    README.md       Hugging Face dataset card (`pipelines/dataset_card.py`)

Each is a pure function of the manifest and the published Parquet files, so the same release
gives the same bytes; each is written to a temporary name and renamed, so a reader never sees
a partial file. `curate run` writes them into the staging folder, from the staged Parquet files,
and publishes them with the data before the manifest; `curate report` rewrites the report of an
existing release, and a release derived from another (a takedown) calls `write_artifacts` for
its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines import croissant, dataset_card, report
from pipelines.release import join, write_atomically
from pipelines.release_facts import ReleaseFacts, gather
from schemas.config import ConfigError

ARTIFACTS = (report.REPORT, croissant.CROISSANT, dataset_card.CARD)


def _write(outdir: str, name: str, text: str) -> None:
    write_atomically(join(outdir, name), text.encode("utf-8"))


def write_artifacts(outdir: str | Path, manifest: dict[str, Any]) -> None:
    """Write report.html, croissant.json and README.md into a release folder (or its staging)."""
    outdir = str(outdir)
    facts: ReleaseFacts = gather(outdir, manifest)
    _write(outdir, report.REPORT, report.render(facts))
    _write(outdir, croissant.CROISSANT, croissant.render(facts))
    _write(outdir, dataset_card.CARD, dataset_card.render(facts))


def write_report(outdir: str | Path, manifest: dict[str, Any]) -> None:
    outdir = str(outdir)
    _write(outdir, report.REPORT, report.render(gather(outdir, manifest)))


def load_release_manifest(outdir: str) -> dict[str, Any]:
    """The manifest of a release, or a one-sentence ConfigError naming the path."""
    from apache_beam.io.filesystems import FileSystems

    path = join(outdir, "manifest.json")
    if not FileSystems.exists(path):
        raise ConfigError(f"{outdir} is not a Curate release (no manifest.json).")
    try:
        with FileSystems.open(path) as stream:
            manifest = json.loads(stream.read())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ConfigError(f"{path} is not a readable manifest.") from None
    if not isinstance(manifest, dict) or not {"run", "outputs", "totals"} <= set(manifest):
        raise ConfigError(f"{path} is not a Curate manifest.")
    return manifest
