"""`curate train-quality`: train a supervised fastText quality classifier.

    curate train-quality --positive FILE --negative FILE --output MODEL [--label hq] ...

Inputs are plain text (one document per line) or JSONL (`.jsonl`, optionally `.gz`; the text in
`--text-field`). Positive documents get the label `--label` (default `hq`, what
`quality.classifier.label` reads), negative ones `--negative-label` (default `lq`). Texts are put
in the form the pipeline gives the model (`transforms.quality_model.model_input`). A fixed share
of the documents (`--holdout`, chosen by a hash of the text, so the split is the same on every
run and duplicates stay on one side) is held out; precision and recall of the positive label at
probability 0.5 on it are printed. Training runs on one thread with a fixed seed, so the same
inputs give the same model bytes. The model is written to MODEL and its sha256 to MODEL.sha256
(sha256sum format); name the model in `quality.classifier.model` to score with it.

fastText is the `fasttext-numpy2-wheel` build: the source build's supervised training fails
with NaN losses (see the project's environment notes).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas.config import ConfigError


@dataclass(frozen=True)
class TrainResult:
    model: str
    sha256: str
    train_docs: int
    holdout_docs: int
    precision: float
    recall: float
    positive_label: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--positive", required=True, help="documents of the positive label")
    parser.add_argument("--negative", required=True, help="documents of the negative label")
    parser.add_argument("--output", required=True, help="model file to write (.bin)")
    parser.add_argument("--label", default="hq", help="positive label (default hq)")
    parser.add_argument("--negative-label", default="lq", help="negative label (default lq)")
    parser.add_argument("--text-field", default="text", help="JSONL field holding the text")
    parser.add_argument("--max-chars", type=int, default=10_000, help="characters per document")
    parser.add_argument("--holdout", type=float, default=0.1, help="held-out share (0-0.5)")
    parser.add_argument("--epoch", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--word-ngrams", type=int, default=2)
    parser.add_argument("--min-count", type=int, default=1)
    parser.add_argument("--bucket", type=int, default=200_000, help="hash buckets for n-grams")
    parser.add_argument("--seed", type=int, default=0)


def read_documents(path: str, text_field: str) -> Iterator[str]:
    """Texts of a plain-text (one per line) or JSONL file; a bad file is a `ConfigError`."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"Training file {path} does not exist.")
    jsonl = file.name.endswith((".jsonl", ".jsonl.gz"))
    opener: Any = gzip.open if file.name.endswith(".gz") else open
    try:
        with opener(file, "rt", encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                if not jsonl:
                    yield line
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    raise ConfigError(f"Training file {path} line {number} is not JSON.") from None
                text = record.get(text_field) if isinstance(record, dict) else None
                if not isinstance(text, str):
                    raise ConfigError(
                        f"Training file {path} line {number} has no text field '{text_field}'."
                    )
                yield text
    except (OSError, UnicodeDecodeError, EOFError):
        raise ConfigError(f"Training file {path} cannot be read as UTF-8 text.") from None


def is_held_out(text: str, share: float) -> bool:
    """A stable choice from the text itself (never Python's salted `hash()`)."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share


# fastText (this build too) sometimes stops with "Encountered NaN" on small inputs of short
# lines, on some runs and not others with the same seed; a run that finishes gives the same
# bytes every time, so an identical run is tried again.
ATTEMPTS = 5


def _train_supervised(fasttext: Any, train_file: Path, args: argparse.Namespace) -> Any:
    for _ in range(ATTEMPTS):
        try:
            return fasttext.train_supervised(
                input=str(train_file),
                epoch=args.epoch,
                lr=args.lr,
                dim=args.dim,
                wordNgrams=args.word_ngrams,
                minCount=args.min_count,
                bucket=args.bucket,
                loss="softmax",
                # One thread and a fixed seed: the same inputs give the same model bytes.
                thread=1,
                seed=args.seed,
                verbose=0,
            )
        except RuntimeError as exc:
            if "NaN" not in str(exc):
                raise
    raise ConfigError(
        f"fastText training stopped on NaN losses {ATTEMPTS} times: give more or longer "
        "documents, or a lower --lr."
    )


def train(args: argparse.Namespace) -> TrainResult:
    import fasttext

    # The scoring stage's module loads Beam; the command line imports this module for its
    # arguments on every command, so the stage's helpers are imported only to train.
    from transforms.quality_model import LABEL_PREFIX, label_probabilities, model_input, sha256_of

    if not 0.0 < args.holdout <= 0.5:
        raise ConfigError("--holdout must lie in (0, 0.5].")
    if args.label == args.negative_label:
        raise ConfigError("--label and --negative-label must differ.")
    train_lines: list[str] = []
    holdout: list[tuple[str, bool]] = []
    for path, positive in ((args.positive, True), (args.negative, False)):
        label = args.label if positive else args.negative_label
        count = 0
        for text in read_documents(path, args.text_field):
            line = model_input(text, args.max_chars)
            if not line:
                continue
            count += 1
            if is_held_out(line, args.holdout):
                holdout.append((line, positive))
            else:
                train_lines.append(f"{LABEL_PREFIX}{label} {line}")
        if count == 0:
            raise ConfigError(f"Training file {path} holds no documents.")
    if not holdout:
        raise ConfigError("No document was held out: give more documents or a larger --holdout.")
    output = Path(args.output)
    if not output.parent.is_dir():
        raise ConfigError(f"Output folder {output.parent} does not exist.")
    # fastText reads the file in order with a decaying learning rate: one class after the other
    # would leave the model leaning to the last one. A seeded shuffle mixes them reproducibly.
    random.Random(args.seed).shuffle(train_lines)
    with tempfile.TemporaryDirectory() as scratch:
        train_file = Path(scratch, "train.txt")
        train_file.write_text("\n".join(train_lines) + "\n", encoding="utf-8")
        model = _train_supervised(fasttext, train_file, args)
    # Written beside the target, then moved into place, so a failed run leaves no half file.
    partial = output.with_name(f".{output.name}.partial")
    model.save_model(str(partial))
    os.replace(partial, output)
    digest = sha256_of(output)
    Path(f"{output}.sha256").write_text(f"{digest}  {output.name}\n")
    scores = label_probabilities(model, [text for text, _ in holdout], args.label)
    predicted = [score >= 0.5 for score in scores]
    truth = [positive for _, positive in holdout]
    true_positive = sum(p and t for p, t in zip(predicted, truth, strict=True))
    return TrainResult(
        model=str(output),
        sha256=digest,
        train_docs=len(train_lines),
        holdout_docs=len(holdout),
        precision=true_positive / max(1, sum(predicted)),
        recall=true_positive / max(1, sum(truth)),
        positive_label=args.label,
    )


def command_train_quality(args: argparse.Namespace) -> int:
    result = train(args)
    print(
        f"curate: trained on {result.train_docs:,} documents; held out {result.holdout_docs:,}: "
        f"precision {result.precision:.3f}, recall {result.recall:.3f} for label "
        f"'{result.positive_label}' at probability 0.5"
    )
    print(f"curate: model written to {result.model} (sha256 {result.sha256})")
    return 0
