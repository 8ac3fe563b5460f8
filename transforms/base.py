"""What every stage shares: the per-document DoFn shape and safe error messages.

A stage's logic lives in pure functions in its own module; `AnnotateDocs` is the thin Beam
wrapper that applies one of them to every document, passes errored documents through
untouched, and turns an exception into an `error` outcome for that document alone, so one bad
record never stops a build.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.document import Doc
from transforms.errors import StageError

__all__ = ["AnnotateDocs", "StageClock", "StageError", "error_message"]


def error_message(exc: BaseException) -> str:
    """The message recorded for a failed document.

    Only `StageError` messages are written verbatim; for anything else just the exception type
    is kept, because arbitrary exception messages can quote the document (and so its PII).
    """
    if isinstance(exc, StageError):
        return str(exc)
    return f"unexpected {type(exc).__name__}"


class StageClock:
    """Wall and CPU time spent in one stage, summed into Beam counters.

    Wall time is `perf_counter`; CPU time is `thread_time`, the CPU of the calling thread only,
    so a stage is not charged for other stages running in other threads of the same worker
    (work a library hands to its own thread pool, such as torch's intra-op threads, is not
    counted). The launcher reports the sums in the manifest's `run` section, which is the one
    place for values that differ between runs.
    """

    WALL = "curate.stage_usec"
    CPU = "curate.stage_cpu_usec"

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.wall_usec = 0.0
        self.cpu_usec = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.wall_usec += (time.perf_counter() - wall) * 1e6
            self.cpu_usec += (time.thread_time() - cpu) * 1e6

    def flush(self) -> None:
        """Add what was measured since the last flush to the counters (once per bundle)."""
        Metrics.counter(self.WALL, self.stage).inc(int(self.wall_usec))
        Metrics.counter(self.CPU, self.stage).inc(int(self.cpu_usec))
        self.wall_usec = self.cpu_usec = 0.0


class AnnotateDocs(beam.DoFn):
    """Apply `annotate(doc)` to every non-errored document.

    Subclasses set `stage` and implement `annotate`; runtime objects (models, analyzers) are
    built in `setup()`, never in `__init__`, so the DoFn pickles small and loads once per worker.
    """

    stage: str = "unnamed"

    def annotate(self, doc: Doc) -> None:
        raise NotImplementedError

    def start_bundle(self) -> None:
        # Processing time per stage, summed over workers, reported in the manifest's `run`.
        self._clock = StageClock(self.stage)

    def finish_bundle(self) -> None:
        self._clock.flush()

    def process(self, doc: Doc) -> Iterator[Doc]:
        if not doc.is_error:
            with self._clock.measure():
                try:
                    self.annotate(doc)
                except Exception as exc:  # one bad document must not stop the build
                    doc.fail(self.stage, error_message(exc))
        yield doc
