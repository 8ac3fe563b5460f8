"""The explicit list of stages, in pipeline order.

Each entry names the stage, its version, the stable Beam step label (Dataflow matches steps by
label when a job is updated), how to build its annotating transform from the config, its
`check` (the thresholds the decide step applies) and the model files it loads. Adding a stage
means adding its module in `transforms/`, its column group in `schemas/ledger.py` and one entry
here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import apache_beam as beam

from schemas.config import CurateConfig
from schemas.document import Doc
from transforms import extract, language, licensing, quality


@dataclass(frozen=True)
class ModelFile:
    name: str
    backend: str
    file: str


@dataclass(frozen=True)
class Stage:
    name: str
    version: str
    label: str
    annotate: Callable[[CurateConfig], beam.PTransform]
    check: Callable[[Doc, CurateConfig], list[str]]
    models: Callable[[CurateConfig], list[ModelFile]] = field(default=lambda config: [])
    enabled: Callable[[CurateConfig], bool] = field(default=lambda config: True)


STAGES: tuple[Stage, ...] = (
    Stage(
        name=extract.STAGE,
        version=extract.VERSION,
        label="extract_text",
        # The licence stage reads markup after extraction, so the payload is kept for it.
        annotate=lambda c: beam.ParDo(extract.ExtractText(c.extract, keep_payload=True)),
        check=lambda doc, c: extract.check(doc, c.extract),
    ),
    Stage(
        name=licensing.STAGE,
        version=licensing.VERSION,
        label="tag_license",
        annotate=lambda c: beam.ParDo(licensing.TagLicense(c.license)),
        check=lambda doc, c: licensing.check(doc, c.license),
    ),
    Stage(
        name=language.STAGE,
        version=language.VERSION,
        label="identify_language",
        annotate=lambda c: beam.ParDo(language.IdentifyLanguage(c.language)),
        check=lambda doc, c: language.check(doc, c.language),
        models=lambda c: [ModelFile("lid.176", "fasttext", c.language.model_path)],
    ),
    Stage(
        name=quality.STAGE,
        version=quality.VERSION,
        label="score_quality",
        annotate=lambda c: beam.ParDo(quality.ScoreQuality(c.quality)),
        check=lambda doc, c: quality.check(doc, c.quality),
    ),
)

BY_NAME = {stage.name: stage for stage in STAGES}


def enabled_stages(config: CurateConfig) -> list[Stage]:
    return [stage for stage in STAGES if stage.enabled(config)]


def model_files(config: CurateConfig) -> list[ModelFile]:
    return [model for stage in enabled_stages(config) for model in stage.models(config)]


def project_dir() -> Path:
    return Path(__file__).resolve().parent.parent
