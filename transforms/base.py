"""What every stage shares: the per-document DoFn shape and safe error messages.

A stage's logic lives in pure functions in its own module; `AnnotateDocs` is the thin Beam
wrapper that applies one of them to every document, passes errored documents through
untouched, and turns an exception into an `error` outcome for that document alone, so one bad
record never stops a build.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.document import Doc


class StageError(Exception):
    """An error whose message is safe to record: it never contains document text."""


def error_message(exc: BaseException) -> str:
    """The message recorded for a failed document.

    Only `StageError` messages are written verbatim; for anything else just the exception type
    is kept, because arbitrary exception messages can quote the document (and so its PII).
    """
    if isinstance(exc, StageError):
        return str(exc)
    return f"unexpected {type(exc).__name__}"


class AnnotateDocs(beam.DoFn):
    """Apply `annotate(doc)` to every non-errored document.

    Subclasses set `stage` and implement `annotate`; runtime objects (models, analyzers) are
    built in `setup()`, never in `__init__`, so the DoFn pickles small and loads once per worker.
    """

    stage: str = "unnamed"
    # Processing time per stage, summed over workers, reported in the manifest's `run` section.
    TIMING_NAMESPACE = "curate.stage_usec"

    def annotate(self, doc: Doc) -> None:
        raise NotImplementedError

    def start_bundle(self) -> None:
        self._usec = 0.0

    def finish_bundle(self) -> None:
        self._timer().inc(int(self._usec))

    def _timer(self) -> Any:
        return Metrics.counter(self.TIMING_NAMESPACE, self.stage)

    def process(self, doc: Doc) -> Iterator[Doc]:
        if not doc.is_error:
            started = time.perf_counter()
            try:
                self.annotate(doc)
            except Exception as exc:  # one bad document must not stop the build
                doc.fail(self.stage, error_message(exc))
            self._usec += (time.perf_counter() - started) * 1e6
        yield doc
