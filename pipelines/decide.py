"""The one decide step: apply every stage's configured thresholds to the recorded scores.

Stages only write scores and tags; here each enabled stage's `check` runs in pipeline order.
Every failed rule is recorded in `flags` as "stage:reason". In filter mode the first one
rejects the document (`stage`, `reason`); in annotate mode the document is kept and the flags
are the record of its verdicts. Re-thresholding therefore never needs a model re-run.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam

from pipelines.registry import BY_NAME
from schemas.config import CurateConfig
from schemas.document import Doc, Status
from transforms.base import StageClock


def decide(doc: Doc, config: CurateConfig, stage_names: list[str]) -> Doc:
    if doc.is_error:
        return doc
    flags = [
        f"{name}:{reason}" for name in stage_names for reason in BY_NAME[name].check(doc, config)
    ]
    doc.flags = flags
    if flags and config.mode == "filter":
        doc.status = Status.REJECTED
        doc.stage, doc.reason = flags[0].split(":", 1)
    return doc


class DecideDocs(beam.DoFn):
    def __init__(self, config: CurateConfig, stage_names: list[str]) -> None:
        self.config = config
        self.stage_names = stage_names

    def start_bundle(self) -> None:
        self._clock = StageClock("decide")

    def finish_bundle(self) -> None:
        self._clock.flush()

    def process(self, doc: Doc) -> Iterator[Doc]:
        with self._clock.measure():
            decide(doc, self.config, self.stage_names)
        yield doc
