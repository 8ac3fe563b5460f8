"""`curate train-quality` end to end on a labelled set from ../shared/eval.

    python -m bench.eval_quality [--eval-dir DIR] [--output build/eval/quality]

A stand-in task, since no quality-labelled web set ships with the evaluation data: Davidson et
al. 2017 (`toxicity/davidson_labeled_data.csv`, tweets labelled by crowd workers as hate speech,
offensive language or neither). Tweets of class "neither" are the positive label (`hq`), tweets
of class "offensive language" the negative one (`lq`); hate speech is left out. The two sets are
written as plain-text files, one tweet a line, and the real command trains on them with its
defaults (seed 0, one thread, 10% held out by text hash). Printed: the command's own output
(held-out precision and recall at 0.5), the ROC-AUC on the held-out tweets, the model's size
and sha256, and the training time.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path

from pipelines.train_quality import is_held_out
from tests.conftest import eval_dir
from transforms.quality_model import label_probabilities, load_model, model_input


def roc_auc(truth: list[bool], scores: list[float]) -> float:
    """Mann-Whitney form: the chance a positive outscores a negative (ties count half)."""
    ranked = sorted(zip(scores, truth, strict=True))
    positives = sum(truth)
    negatives = len(truth) - positives
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mean_rank = (i + j + 1) / 2
        rank_sum += mean_rank * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=Path("build/eval/quality"))
    args = parser.parse_args(argv)
    data = (args.eval_dir or eval_dir()) / "toxicity" / "davidson_labeled_data.csv"
    if not data.exists():
        print(f"eval-quality: {data} not present; nothing to evaluate", file=sys.stderr)
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    with open(data, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    # Tweets hold newlines; the files hold one document a line.
    neither = [" ".join(r["tweet"].split()) for r in rows if r["class"] == "2"]
    offensive = [" ".join(r["tweet"].split()) for r in rows if r["class"] == "1"]
    positive, negative = args.output / "neither.txt", args.output / "offensive.txt"
    positive.write_text("\n".join(neither) + "\n", encoding="utf-8")
    negative.write_text("\n".join(offensive) + "\n", encoding="utf-8")
    model = args.output / "davidson-neither-vs-offensive.bin"
    command = [sys.executable, "-m", "pipelines.cli", "train-quality", "--positive",
               str(positive), "--negative", str(negative), "--output", str(model)]  # fmt: skip
    print(f"eval-quality: {len(neither):,} 'neither' vs {len(offensive):,} 'offensive' tweets")
    print("$ curate train-quality --positive neither.txt --negative offensive.txt --output MODEL")
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.monotonic() - started
    print(done.stdout.strip())
    if done.returncode != 0:
        print(done.stderr.strip(), file=sys.stderr)
        return done.returncode
    held_out = [
        (line, label)
        for texts, label in ((neither, True), (offensive, False))
        for line in (model_input(t, 10_000) for t in texts)
        if line and is_held_out(line, 0.1)
    ]
    scores = label_probabilities(load_model(model), [t for t, _ in held_out], "hq")
    auc = roc_auc([label for _, label in held_out], scores)
    print(f"eval-quality: held-out ROC-AUC {auc:.3f} on {len(held_out):,} tweets")
    print(f"eval-quality: model {model.stat().st_size:,} bytes; training took {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
