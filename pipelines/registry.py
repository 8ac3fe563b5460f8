"""The explicit list of stages, in pipeline order.

Each entry names the stage, its version, the stable Beam step label (Dataflow matches steps by
label when a job is updated), how to build its annotating transform from the config, its
`check` (the thresholds the decide step applies) and the model files it loads. Adding a stage
means adding its module in `transforms/`, its column group in `schemas/ledger.py` and one entry
here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import apache_beam as beam

from schemas.config import CurateConfig
from schemas.document import Doc
from schemas.manifest import ModelInfo
from transforms import (
    dedup,
    extract,
    identity,
    language,
    licensing,
    pii,
    quality,
    quality_model,
    toxicity,
    word_list,
)


def _model_info(entry: Mapping[str, str | None]) -> ModelInfo:
    """A manifest entry: the file's base name (paths differ between machines) and its sha256."""
    file = entry["file"] or ""
    return ModelInfo(
        name=entry["name"] or "",
        backend=entry["backend"] or "",
        file=file if "://" in file else Path(file).name,
        sha256=entry["sha256"] or "",
    )


@dataclass(frozen=True)
class Stage:
    name: str
    version: str
    label: str
    annotate: Callable[[CurateConfig], beam.PTransform]
    check: Callable[[Doc, CurateConfig], list[str]]
    models: Callable[[CurateConfig], list[ModelInfo]] = field(default=lambda config: [])
    enabled: Callable[[CurateConfig], bool] = field(default=lambda config: True)
    # Needs every document of the build at once: runs after the per-shard passes of a resumable
    # local build (pipelines.resume); the stages before it look at one document at a time.
    whole_corpus: bool = False


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
        models=lambda c: [
            ModelInfo(
                name="lid.176",
                backend="fasttext",
                file=Path(c.language.model_path).name,
                sha256=language.sha256_of(c.language.model_path),
            )
        ],
    ),
    Stage(
        name=quality.STAGE,
        version=quality.VERSION,
        label="score_quality",
        annotate=lambda c: beam.ParDo(quality.ScoreQuality(c.quality)),
        check=lambda doc, c: quality.check(doc, c.quality),
        models=lambda c: [_model_info(quality.settings_file_info(c.quality))],
    ),
    Stage(
        name=word_list.STAGE,
        version=word_list.VERSION,
        label="filter_listed_words",
        annotate=lambda c: beam.ParDo(word_list.FilterListedWords(c.quality.word_list)),
        check=lambda doc, c: word_list.check(doc, c.quality.word_list),
        models=lambda c: [_model_info(m) for m in word_list.model_files(c.quality.word_list)],
        enabled=lambda c: c.quality.word_list.enabled,
    ),
    Stage(
        name=quality_model.STAGE,
        version=quality_model.VERSION,
        label="score_quality_model",
        annotate=lambda c: quality_model.ScoreQualityModel(c.quality.classifier),
        check=lambda doc, c: quality_model.check(doc, c.quality.classifier),
        models=lambda c: [_model_info(m) for m in quality_model.model_files(c.quality.classifier)],
        enabled=lambda c: c.quality.classifier.model is not None,
    ),
    Stage(
        name=pii.STAGE,
        version=pii.VERSION,
        label="redact_pii",
        annotate=lambda c: beam.ParDo(pii.RedactPII(c.pii)),
        check=lambda doc, c: pii.check(doc, c.pii),
    ),
    Stage(
        name=identity.STAGE,
        version=identity.VERSION,
        label="tag_identity_groups",
        annotate=lambda c: beam.ParDo(identity.TagIdentityGroups(c.identity)),
        check=lambda doc, c: identity.check(doc, c.identity),
        models=lambda c: [_model_info(identity.lexicon_file(c.identity))],
        enabled=lambda c: c.identity.enabled,
    ),
    Stage(
        name=toxicity.STAGE,
        version=toxicity.VERSION,
        label="score_toxicity",
        annotate=lambda c: toxicity.ScoreToxicity(c.toxicity),
        check=lambda doc, c: toxicity.check(doc, c.toxicity),
        models=lambda c: [_model_info(m) for m in toxicity.model_files(c.toxicity)],
        enabled=lambda c: c.toxicity.enabled,
    ),
    Stage(
        name=dedup.STAGE,
        version=dedup.VERSION,
        label="cluster_near_duplicates",
        annotate=lambda c: dedup.ClusterNearDuplicates(c.dedup),
        check=lambda doc, c: dedup.check(doc, c.dedup),
        whole_corpus=True,
    ),
)

BY_NAME = {stage.name: stage for stage in STAGES}


def enabled_stages(config: CurateConfig) -> list[Stage]:
    return [stage for stage in STAGES if stage.enabled(config)]


def model_infos(config: CurateConfig) -> list[ModelInfo]:
    """Every model and lexicon file the enabled stages load, with its sha256."""
    seen: dict[tuple[str, str], ModelInfo] = {}
    for stage in enabled_stages(config):
        for model in stage.models(config):
            seen.setdefault((model.name, model.sha256), model)
    return list(seen.values())


def project_dir() -> Path:
    return Path(__file__).resolve().parent.parent
