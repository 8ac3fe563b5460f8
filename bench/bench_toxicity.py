"""Throughput of the CPU toxicity backend and of identity tagging, on one core.

    python -m bench.bench_toxicity [--docs 4000] [--batch 256]

Documents are generated (1.9-2 KB of English-like text each, seeded, one chunk each): common
words, with an identity term in one document of five and a hostile word in one of ten, so
that the rules' slower positional path runs about as often as on web text that mentions
groups. Reported:

- `profanity_check` backend, batched as its ModelHandler runs it (chunking, features, model,
  rules, aggregation), without Beam;
- the same inside Beam: `ScoreToxicity` on the in-process FnApiRunner (one worker), so the
  figure includes RunInference's batching and the per-element overhead;
- the profanity model alone through alt-profanity-check's own `vectorizer.transform`, for scale;
- identity tagging (`transforms.identity`), pure function.

torch and BLAS are held to one thread: the figures are per core. Each step runs three times
(`--repeat`) and the best run is reported.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Sequence

from schemas.document import Doc

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

COMMON = (
    "the of and to in is that for it as with was on be by this are or from at his her they have "
    "not which one you had were but all can their an has would there been if more when will she "
    "who no so what up out about into than them some could then its only other time new these two "
    "may first like over do people also any after now most made well way many even world year "
    "city water house market school report council plan music game team season local company "
    "research data model study result public service family children history story film book"
).split()
IDENTITY = (
    "women muslims immigrants gay christians jewish deaf asian mexicans refugees lesbian "
    "disabled people catholic black people"
).split()
HOSTILE = "stupid disgusting kill hate trash animals idiot terrible".split()


def generate_doc(n: int, chars: int = 2000, seed: int = 0) -> str:
    """Document number `n` (the same text for the same n and seed)."""
    rng = random.Random(seed * 1_000_003 + n)
    sentences: list[str] = []
    size = 0
    while True:
        sentence = [rng.choice(COMMON) for _ in range(rng.randint(6, 18))]
        if n % 5 == 0 and rng.random() < 0.1:
            sentence.insert(rng.randrange(len(sentence)), rng.choice(IDENTITY))
        if n % 10 == 0 and rng.random() < 0.1:
            sentence.insert(rng.randrange(len(sentence)), rng.choice(HOSTILE))
        text = " ".join(sentence).capitalize() + "."
        if size + len(text) + 1 > chars:
            return " ".join(sentences)
        sentences.append(text)
        size += len(text) + 1


def generate_docs(count: int, chars: int = 2000, seed: int = 0) -> list[str]:
    return [generate_doc(n, chars, seed) for n in range(count)]


def timed(
    label: str, count: int, fn: Callable[[], object], repeat: int
) -> tuple[str, int, float, float]:
    """The best of `repeat` runs, in wall and CPU seconds of this process.

    On a shared machine the CPU time is the better measure of what one core does, and the best
    run the one least disturbed by other work.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return label, count, min(walls), min(cpus)


def bench_handler(texts: Sequence[str], batch: int, repeat: int) -> tuple[str, int, float, float]:
    from schemas.toxicity import ToxicitySettings
    from transforms.toxicity import make_model_handler

    settings = ToxicitySettings(max_batch_size=batch)
    handler = make_model_handler(settings)
    scorer = handler.load_model()
    handler.run_inference(texts[:batch], scorer)  # warm-up

    def run() -> None:
        for start in range(0, len(texts), batch):
            handler.run_inference(texts[start : start + batch], scorer)

    return timed(f"profanity_check backend, batches of {batch}", len(texts), run, repeat)


def _make_doc(n: int) -> Doc:
    return Doc(
        id=str(n),
        source_uri="bench",
        source_record=str(n),
        source_format="jsonl",
        text=generate_doc(n),
    )


def bench_beam(count: int, batch: int, repeat: int) -> tuple[str, int, float, float]:
    import apache_beam as beam
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    from schemas.toxicity import ToxicitySettings
    from transforms.toxicity import ScoreToxicity

    settings = ToxicitySettings(max_batch_size=batch)
    transform = ScoreToxicity(settings)

    def run() -> None:
        # Documents are made inside the pipeline: a Create of finished documents would measure
        # the pickling of the Create payload instead.
        with beam.Pipeline(runner=FnApiRunner()) as pipeline:
            _ = (
                pipeline
                | beam.Create(range(count), reshuffle=False)
                | "make_docs" >> beam.Map(_make_doc)
                | "score_toxicity" >> transform
                | beam.Map(lambda d: d.toxicity_score)
            )

    baseline = timed("", count, lambda: _run_without_stage(count), repeat)
    _, _, wall, cpu = timed("", count, run, repeat)
    return (
        "ScoreToxicity in Beam (FnApiRunner, 1 worker; document generation subtracted)",
        count,
        wall - baseline[2],
        cpu - baseline[3],
    )


def _run_without_stage(count: int) -> None:
    import apache_beam as beam
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        _ = (
            pipeline
            | beam.Create(range(count), reshuffle=False)
            | "make_docs" >> beam.Map(_make_doc)
            | beam.Map(lambda d: d.toxicity_score)
        )


def bench_profanity_alone(
    texts: Sequence[str], batch: int, repeat: int
) -> tuple[str, int, float, float]:
    import joblib

    from transforms.toxicity import profanity_check_files

    vectorizer_file, model_file = profanity_check_files()
    vectorizer, model = joblib.load(vectorizer_file), joblib.load(model_file)

    def run() -> None:
        for start in range(0, len(texts), batch):
            model.predict_proba(vectorizer.transform(texts[start : start + batch]))

    return timed("alt-profanity-check transform + predict_proba", len(texts), run, repeat)


def bench_identity(texts: Sequence[str], repeat: int) -> tuple[str, int, float, float]:
    from transforms.identity import TermMatcher, identity_groups, load_lexicon, words

    matcher = TermMatcher(load_lexicon().groups)
    return timed(
        "identity tagging",
        len(texts),
        lambda: [identity_groups(words(t), matcher) for t in texts],
        repeat,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the best is kept")
    args = parser.parse_args(argv)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    texts = generate_docs(args.docs)
    mean_chars = sum(map(len, texts)) / len(texts)
    rows = [
        bench_handler(texts, args.batch, args.repeat),
        bench_beam(len(texts), args.batch, args.repeat),
        bench_profanity_alone(texts, args.batch, args.repeat),
        bench_identity(texts, args.repeat),
    ]
    print(
        f"\n{len(texts)} generated documents, {mean_chars:.0f} characters on average, one core, "
        f"best of {args.repeat} runs\n"
    )
    print("| step | documents | wall s | CPU s | documents/s (wall) | documents per CPU-second |")
    print("|---|---|---|---|---|---|")
    for label, count, wall, cpu in rows:
        print(
            f"| {label} | {count} | {wall:.2f} | {cpu:.2f} | {count / wall:,.0f} | "
            f"{count / cpu:,.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
