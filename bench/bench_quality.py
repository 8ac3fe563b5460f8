"""Throughput of the heuristic quality stage and of the fastText quality scorer, on one core.

    python -m bench.bench_quality [--docs 4000] [--batch 256] [--repeat 3]

Documents are generated (about 2 KB of English-like text each, seeded): paragraphs of 3-6
sentences of common words, one paragraph a line, a title line first, as extracted web pages
look. Reported:

- heuristic signals: `transforms.quality.score` (every Gopher quality, Gopher repetition, C4
  and FineWeb signal) plus the decide step's `check`, pure functions, one document at a time;
- the fastText scorer: a small model is trained with `curate train-quality`'s code on generated
  documents (good: generated prose; bad: navigation and sales word salad), then scored in
  batches of `--batch` through `label_probabilities`, as the stage's ModelHandler calls it.
  The model only has to be a realistic size and shape for timing; its held-out figures are
  printed for reference.

Each step runs `--repeat` times and the best run is reported; the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.bench_toxicity import COMMON

os.environ.setdefault("OMP_NUM_THREADS", "1")

# The same common English words the toxicity benchmark writes its documents from.
WORDS = COMMON


def generate_doc(n: int, chars: int = 2000, seed: int = 0) -> str:
    """Document number `n`: a title line and paragraphs of sentences, about `chars` long."""
    rng = random.Random(seed * 1_000_003 + n)
    lines = [" ".join(rng.choice(WORDS).title() for _ in range(rng.randint(3, 7)))]
    size = len(lines[0])
    while size < chars:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
            sentences.append(" ".join(words).capitalize() + rng.choice(".....?!"))
        paragraph = " ".join(sentences)
        lines.append(paragraph)
        size += len(paragraph) + 1
    return "\n".join(lines)[:chars].rsplit(" ", 1)[0] + "."


SPAM = (
    "click here login sign up menu home share cart buy now cheap deal free offer subscribe "
    "cookie accept next previous page top best price discount sale shop tags archive"
).split()


def word_salad(n: int, chars: int = 2000, seed: int = 1) -> str:
    """Navigation and sales words with some common words and numbers: a low-quality page."""
    rng = random.Random(seed * 1_000_003 + n)
    words: list[str] = []
    while sum(map(len, words)) + len(words) < chars:
        roll = rng.random()
        if roll < 0.5:
            words.append(rng.choice(SPAM))
        elif roll < 0.8:
            words.append(rng.choice(WORDS))
        else:
            words.append(str(rng.randrange(1000)))
    return " ".join(words)


def best_rate(run: Callable[[], int], repeat: int) -> float:
    best = 0.0
    for _ in range(repeat):
        # CPU time of this process: other work on a shared machine inflates wall time.
        started = time.process_time()
        done = run()
        best = max(best, done / (time.process_time() - started))
    return best


def bench_heuristics(texts: list[str], repeat: int) -> float:
    from schemas.config import CurateConfig
    from schemas.document import Doc
    from transforms import quality

    settings = CurateConfig().quality
    table = quality.language_table(settings)

    def make_docs() -> list[Doc]:
        return [
            Doc(id=str(i), source_uri="b", source_record=str(i), source_format="jsonl",
                text=text, language="en")
            for i, text in enumerate(texts)
        ]  # fmt: skip

    def pure() -> int:
        docs = make_docs()
        for doc in docs:
            quality.score(doc, settings, table)
            quality.check(doc, settings)
        return len(docs)

    return best_rate(pure, repeat)


def bench_fasttext(texts: list[str], batch: int, repeat: int) -> tuple[float, dict[str, float]]:
    from pipelines.train_quality import add_arguments, train
    from transforms.quality_model import label_probabilities, load_model, model_input

    with tempfile.TemporaryDirectory() as scratch:
        good, bad = Path(scratch, "good.txt"), Path(scratch, "bad.txt")
        good.write_text("\n".join(generate_doc(i, seed=7).replace("\n", " ") for i in range(2000)))
        bad.write_text("\n".join(word_salad(i) for i in range(2000)))
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        args = parser.parse_args(
            ["--positive", str(good), "--negative", str(bad), "--output", f"{scratch}/m.bin"]
        )
        result = train(args)
        model = load_model(result.model)
        inputs = [model_input(text, 10_000) for text in texts]

        def score() -> int:
            for start in range(0, len(inputs), batch):
                label_probabilities(model, inputs[start : start + batch], "hq")
            return len(inputs)

        rate = best_rate(score, repeat)
    return rate, {"precision": result.precision, "recall": result.recall}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    texts = [generate_doc(i) for i in range(args.docs)]
    mean_bytes = sum(len(t.encode()) for t in texts) / len(texts)
    pure = bench_heuristics(texts, args.repeat)
    scorer, held_out = bench_fasttext(texts, args.batch, args.repeat)
    print(f"quality benchmark: {args.docs} documents of {mean_bytes:,.0f} bytes, one core")
    print("| step | docs/s |\n|---|---|")
    print(f"| heuristic signals + rules (every Gopher, C4, FineWeb rule) | {pure:,.0f} |")
    print(f"| fastText scorer, batches of {args.batch} | {scorer:,.0f} |")
    print(
        f"(benchmark model, held out: precision {held_out['precision']:.3f}, "
        f"recall {held_out['recall']:.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
