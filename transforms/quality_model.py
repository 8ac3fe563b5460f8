"""Score documents with a supervised fastText quality classifier, batched on RunInference.

Reads: `text`. Writes: `quality_model_score`, the model's probability of the configured label
(`quality.classifier.label`). Drop reason: `low_quality_score` (below
`quality.classifier.min_score`; the default 0 only records scores).

The model is any fastText supervised model, such as one written by `curate train-quality`
(`pipelines/train_quality.py`), named in `quality.classifier.model`; the stage is off while no
model is named. Texts are given to the model as `model_input` makes them, the same form the
training command uses. Documents travel to `RunInference` keyed by themselves, and fastText
scores each batch in one call. The model file's sha256 is recorded in the manifest (and
checked against `quality.classifier.model_sha256` when set).

Version history: 1 - fastText probability of one label.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

import apache_beam as beam
from apache_beam.ml.inference.base import ModelHandler, PredictionResult

from schemas.config import ConfigError
from schemas.document import Doc
from schemas.quality import QualityClassifierSettings
from transforms import inference
from transforms.inference import BatchFailure, Untouched
from transforms.quality import resolve_path

STAGE = "quality_model"
VERSION = "1"
LABEL_PREFIX = "__label__"


class DropReason(StrEnum):
    LOW_QUALITY_SCORE = "low_quality_score"


def model_input(text: str, max_chars: int) -> str:
    """One line of whitespace-separated text: fastText reads a document as one line."""
    return " ".join(text[:max_chars].split())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def model_path(settings: QualityClassifierSettings) -> Path:
    """The configured model file, checked (exists, expected sha256) or a `ConfigError`."""
    if settings.model is None:
        raise ConfigError("quality.classifier.model is not set.")
    path = resolve_path(settings.model)
    if not path.is_file():
        raise ConfigError(f"quality.classifier.model: {settings.model} does not exist.")
    if settings.model_sha256 is not None and sha256_of(path) != settings.model_sha256:
        raise ConfigError(
            f"quality.classifier.model: {settings.model} does not have the sha256 given in "
            "quality.classifier.model_sha256."
        )
    return path


def load_model(path: str | Path) -> Any:
    import fasttext

    # fastText prints a deprecation notice on every load; it is noise in a pipeline log.
    fasttext.FastText.eprint = lambda *args, **kwargs: None
    return fasttext.load_model(str(path))


def label_probabilities(model: Any, texts: Sequence[str], label: str) -> list[float]:
    """Probability of `label` for each text, from one batched `predict` call."""
    if not texts:
        return []
    labels, probabilities = model.predict(list(texts), k=-1)
    wanted = LABEL_PREFIX + label
    scores = []
    for names, values in zip(labels, probabilities, strict=True):
        found = dict(zip(names, values, strict=True)).get(wanted, 0.0)
        scores.append(round(min(float(found), 1.0), 4))
    return scores


def check(doc: Doc, settings: QualityClassifierSettings) -> list[str]:
    score = doc.quality_model_score
    if score is not None and score < settings.min_score:
        return [DropReason.LOW_QUALITY_SCORE.value]
    return []


def model_files(settings: QualityClassifierSettings) -> list[dict[str, str | None]]:
    path = model_path(settings)
    return [
        {"name": f"quality-{path.stem}", "backend": "fasttext", "file": str(path),
         "sha256": sha256_of(path)}
    ]  # fmt: skip


class FastTextQualityHandler(ModelHandler[str, PredictionResult, Any]):
    """Batches of texts -> probability of the configured label."""

    def __init__(self, settings: QualityClassifierSettings) -> None:
        super().__init__(min_batch_size=1, max_batch_size=settings.batch_size)
        self.settings = settings
        # Checked when the pipeline is built: a bad path fails before the run.
        self.path = str(model_path(settings))

    def load_model(self) -> Any:
        return load_model(self.path)

    def run_inference(
        self, batch: Sequence[str], model: Any, inference_args: dict[str, Any] | None = None
    ) -> Iterator[PredictionResult]:
        texts = [model_input(text, self.settings.max_chars) for text in batch]
        for text, score in zip(
            batch, label_probabilities(model, texts, self.settings.label), strict=True
        ):
            yield PredictionResult(text, score)

    def get_num_bytes(self, batch: Sequence[str]) -> int:
        return sum(len(text) for text in batch)

    def get_metrics_namespace(self) -> str:
        return "curate.quality_model"


def _attach(element: tuple[Doc, Any]) -> Doc:
    doc, outcome = element
    if isinstance(outcome, Untouched):
        return doc
    if isinstance(outcome, BatchFailure):
        # The exception's message can quote the text: only its type is recorded.
        doc.fail(STAGE, f"quality classifier failed on this batch ({outcome.exception})")
        return doc
    doc.quality_model_score = float(cast(Any, outcome.inference))
    return doc


class ScoreQualityModel(beam.PTransform):
    """Doc -> Doc with `quality_model_score` (or a per-document error)."""

    def __init__(self, settings: QualityClassifierSettings) -> None:
        super().__init__()
        self.settings = settings
        self.handler = FastTextQualityHandler(settings)

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return (
            docs
            # (Doc, text or None for an errored document)
            | "key_by_doc" >> beam.Map(inference.key_by_doc)
            # (Doc, PredictionResult, Untouched or BatchFailure)
            | "classify" >> inference.classify(self.handler, STAGE)
            | "attach_scores" >> beam.Map(_attach)
        )
