"""Classifier stages through Beam's RunInference, keyed by the documents themselves.

`key_by_doc` then `classify(handler, stage)` send every document, errored ones included, through
one RunInference step and give one PCollection of (document, outcome) pairs:

- the model's `PredictionResult` for a scored document;
- `Untouched` for an errored document (never given to the model);
- `BatchFailure` for each document of a batch the model raised on (the exception's type only:
  its message can quote the text).

Keeping errored documents and failures in the one output, instead of splitting them off and
merging them back with a Flatten, matters on Beam's local runner: it materialises every Flatten
in memory, which would hold every document of a build there. The stage still has no shuffle,
so it fuses with the stages around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from apache_beam.ml.inference.base import KeyedModelHandler, ModelHandler, RunInference

from schemas.document import Doc
from transforms.base import StageClock


@dataclass(frozen=True)
class Untouched:
    """An errored document: passed through without a prediction."""


@dataclass(frozen=True)
class BatchFailure:
    """The model raised on the batch that held this document."""

    exception: str


UNTOUCHED = Untouched()


class KeyedByDocument(KeyedModelHandler):
    """A KeyedModelHandler whose keys are the documents themselves.

    Beam's version measures a batch's bytes by pickling every key for its metrics; here that
    would pickle each whole document once more, so only the texts are counted.
    """

    def __init__(self, unkeyed: ModelHandler, stage: str) -> None:
        super().__init__(unkeyed)
        self._stage = stage

    def get_num_bytes(self, batch: Sequence[tuple[Doc, str | None]]) -> int:
        return sum(len(text) for _, text in batch if text is not None)

    def run_inference(
        self, batch: Sequence[tuple[Doc, str | None]], model: Any, inference_args: Any = None
    ) -> Iterable[tuple[Doc, Any]]:
        live = [(doc, text) for doc, text in batch if text is not None]
        outcomes: list[tuple[Doc, Any]] = [(doc, UNTOUCHED) for doc, text in batch if text is None]
        if not live:
            return outcomes
        # Stage time for the manifest's `run` section, measured per batch.
        clock = StageClock(self._stage)
        with clock.measure():
            try:
                outcomes += list(super().run_inference(live, model, inference_args))
            except Exception as exc:
                failure = BatchFailure(type(exc).__name__)
                outcomes += [(doc, failure) for doc, _ in live]
        clock.flush()
        return outcomes


def key_by_doc(doc: Doc) -> tuple[Doc, str | None]:
    """The RunInference input of a document: its text, or None for an errored document."""
    return doc, None if doc.is_error else doc.text


def classify(handler: ModelHandler, stage: str, accelerator: str | None = None) -> Any:
    """The RunInference step over `key_by_doc` pairs.

    With `accelerator` (Beam's resource-hint syntax), only this step asks for it, so Dataflow
    runs it alone on GPU workers (right fitting).
    """
    step = RunInference(KeyedByDocument(handler, stage))
    return step.with_resource_hints(accelerator=accelerator) if accelerator else step
