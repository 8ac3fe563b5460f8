"""Evaluate the toxicity backends on the shared evaluation data, and run the counterfactual probe.

    python -m bench.eval_toxicity            # metrics for every available backend + the probe
    python -m bench.eval_toxicity --probe    # the counterfactual probe alone
    python -m bench.eval_toxicity --detoxify-checkpoint CKPT --detoxify-config DIR  # + detoxify

Data (read-only, from $CURATE_EVAL_DIR or ../shared/eval next to the project):
`toxicity/davidson_labeled_data.csv` (tweets: hate speech, offensive, neither),
`toxicity/detoxify_jigsaw-toxic-comment_train_sample.csv` (Wikipedia comments, `toxic` label),
`toxicity/jigsaw_en_sentence_templates.csv` (template sentences that differ only in an identity
term, labelled toxic or nontoxic).

Reported per backend: ROC-AUC and F1 at the configured `toxicity` threshold for Davidson (hate or
offensive vs neither), Davidson's hate class alone (recall at the threshold, AUC hate vs
neither), the Jigsaw sample (toxic vs not) and the templates (toxic vs nontoxic). The probe
scores the nontoxic templates and reports, per identity term, the mean score and its gap to the
mean over all nontoxic templates: a model without identity-term bias has gaps near zero.

Backends: `profanity model alone` is alt-profanity-check's shipped model; `cpu default` is the
`profanity_check` backend as configured by default (profanity model with identity terms masked,
plus the identity-attack and insult rules). Detoxify needs a real checkpoint (none is available
offline here): without one it is skipped with a message.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

from schemas.toxicity import DetoxifyBackend, ProfanityCheckBackend, ToxicitySettings
from transforms.identity import words
from transforms.toxicity import MAIN_LABEL, ScoreFailure, make_model_handler, score_texts

PROJECT = Path(__file__).resolve().parent.parent


def eval_dir() -> Path:
    return Path(os.environ.get("CURATE_EVAL_DIR", PROJECT.parent / "shared" / "eval")) / "toxicity"


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def main_scores(settings: ToxicitySettings, texts: Sequence[str], batch: int = 512) -> np.ndarray:
    scorer = make_model_handler(settings).load_model()
    scores = []
    for start in range(0, len(texts), batch):
        for prediction in score_texts(texts[start : start + batch], scorer, settings):
            # A text the model cannot score counts as not toxic (none fail on these files).
            ok = not isinstance(prediction, ScoreFailure)
            scores.append(prediction[MAIN_LABEL] if ok else 0.0)
    return np.asarray(scores)


def binary_metrics(truth: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float]:
    predicted = scores >= threshold
    return {
        "n": len(truth),
        "positives": int(truth.sum()),
        "roc_auc": float(roc_auc_score(truth, scores)),
        "f1": float(f1_score(truth, predicted)),
        "precision": float((truth & predicted).sum() / max(1, predicted.sum())),
        "recall": float((truth & predicted).sum() / max(1, truth.sum())),
    }


def template_terms(rows: Sequence[dict[str, str]]) -> list[tuple[str, ...]]:
    """The identity terms of the templates, read off the 'I am <term>' sentences."""
    terms = {
        tuple(words(row["phrase"])[2:])
        for row in rows
        if row["template"] == "am_hate_adj" and row["phrase"].lower().startswith("i am ")
    }
    return sorted(terms, key=lambda t: (-len(t), t))


def term_of(phrase: str, terms: Sequence[tuple[str, ...]]) -> str | None:
    """The identity term a template sentence is about: the last one in it (names come first)."""
    tokens = words(phrase)
    best: tuple[int, int, tuple[str, ...]] | None = None
    for term in terms:
        size = len(term)
        for i in range(len(tokens) - size + 1):
            if tuple(tokens[i : i + size]) == term:
                key = (i + size, size, term)
                if best is None or key[:2] > best[:2]:
                    best = key
    return " ".join(best[2]) if best else None


def probe(rows: Sequence[dict[str, str]], scores: np.ndarray) -> tuple[float, list[dict[str, Any]]]:
    """Per identity term: mean score on nontoxic templates and its gap to the overall mean."""
    terms = template_terms(rows)
    by_term: dict[str, list[float]] = defaultdict(list)
    toxic_by_term: dict[str, list[float]] = defaultdict(list)
    nontoxic = []
    for row, score in zip(rows, scores, strict=True):
        term = term_of(row["phrase"], terms)
        if term is None:
            continue
        if row["toxicity"] == "nontoxic":
            by_term[term].append(float(score))
            nontoxic.append(float(score))
        else:
            toxic_by_term[term].append(float(score))
    overall = float(np.mean(nontoxic))
    table = [
        {
            "term": term,
            "n": len(values),
            "mean_nontoxic": float(np.mean(values)),
            "gap": float(np.mean(values)) - overall,
            "mean_toxic": float(np.mean(toxic_by_term[term])) if toxic_by_term[term] else None,
        }
        for term, values in by_term.items()
    ]
    table.sort(key=lambda r: (-r["gap"], r["term"]))
    return overall, table


def backends(args: argparse.Namespace) -> dict[str, ToxicitySettings]:
    chosen = {
        "profanity model alone": ToxicitySettings(
            backend=ProfanityCheckBackend(identity_attack=False, mask_identity_terms=False)
        ),
        "profanity, identity terms masked": ToxicitySettings(
            backend=ProfanityCheckBackend(identity_attack=False)
        ),
        "rules, no masking": ToxicitySettings(
            backend=ProfanityCheckBackend(mask_identity_terms=False)
        ),
        "cpu default": ToxicitySettings(),
    }
    if args.detoxify_checkpoint and args.detoxify_config:
        backend = DetoxifyBackend(
            model_type=args.detoxify_model,
            checkpoint=args.detoxify_checkpoint,
            huggingface_config_path=args.detoxify_config,
        )
        chosen[f"detoxify {args.detoxify_model}"] = ToxicitySettings(backend=backend)
    else:
        print(
            "detoxify: skipped (no checkpoint: pass --detoxify-checkpoint and --detoxify-config "
            "with a released detoxify checkpoint and its base model's config directory)",
            file=sys.stderr,
        )
    return chosen


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_metrics(results: dict[str, dict[str, dict[str, float]]], threshold: float) -> None:
    print(f"\nToxicity backends (threshold {threshold} on the `toxicity` label)\n")
    print(
        "| backend | Davidson AUC | Davidson F1 | hate recall | hate AUC | Jigsaw AUC | "
        "Jigsaw F1 | templates AUC | templates F1 |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {fmt(r['davidson']['roc_auc'])} | {fmt(r['davidson']['f1'])} | "
            f"{fmt(r['davidson_hate']['recall'])} | {fmt(r['davidson_hate']['roc_auc'])} | "
            f"{fmt(r['jigsaw']['roc_auc'])} | {fmt(r['jigsaw']['f1'])} | "
            f"{fmt(r['templates']['roc_auc'])} | {fmt(r['templates']['f1'])} |"
        )


def print_probe(name: str, overall: float, table: Sequence[dict[str, Any]]) -> None:
    print(f"\nCounterfactual probe, {name}: mean score on nontoxic templates {overall:.3f}\n")
    print("| identity term | templates | mean (nontoxic) | gap | mean (toxic) |")
    print("|---|---|---|---|---|")
    for row in table:
        print(
            f"| {row['term']} | {row['n']} | {row['mean_nontoxic']:.3f} | {row['gap']:+.3f} | "
            f"{fmt(row['mean_toxic'])} |"
        )


def run(args: argparse.Namespace) -> dict[str, Any]:
    data = eval_dir()
    if not data.is_dir():
        raise SystemExit(f"evaluation data not found at {data} (set CURATE_EVAL_DIR)")
    templates = read_csv(data / "jigsaw_en_sentence_templates.csv")
    template_texts = [r["phrase"] for r in templates]
    template_truth = np.array([r["toxicity"] == "toxic" for r in templates])
    davidson = read_csv(data / "davidson_labeled_data.csv") if not args.probe else []
    jigsaw = (
        read_csv(data / "detoxify_jigsaw-toxic-comment_train_sample.csv") if not args.probe else []
    )
    report: dict[str, Any] = {"metrics": {}, "probe": {}}
    for name, settings in backends(args).items():
        threshold = settings.thresholds.get(MAIN_LABEL, 0.5)
        score = functools.partial(main_scores, settings)
        template_scores = score(template_texts)
        overall, table = probe(templates, template_scores)
        report["probe"][name] = {"overall_nontoxic_mean": overall, "terms": table}
        if args.probe:
            continue
        classes = np.array([int(r["class"]) for r in davidson])
        davidson_scores = score([r["tweet"] for r in davidson])
        jigsaw_scores = score([r["comment_text"] for r in jigsaw])
        hate_or_neither = classes != 1
        report["metrics"][name] = {
            "davidson": binary_metrics(classes != 2, davidson_scores, threshold),
            "davidson_hate": binary_metrics(
                classes[hate_or_neither] == 0, davidson_scores[hate_or_neither], threshold
            ),
            "jigsaw": binary_metrics(
                np.array([r["toxic"] == "1" for r in jigsaw]), jigsaw_scores, threshold
            ),
            "templates": binary_metrics(template_truth, template_scores, threshold),
        }
    if not args.probe:
        print_metrics(report["metrics"], ToxicitySettings().thresholds[MAIN_LABEL])
    for name, result in report["probe"].items():
        print_probe(name, result["overall_nontoxic_mean"], result["terms"])
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probe", action="store_true", help="run the counterfactual probe only")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--detoxify-checkpoint", help="local detoxify checkpoint file")
    parser.add_argument("--detoxify-config", help="local base-model config/tokenizer directory")
    parser.add_argument(
        "--detoxify-model",
        default="original",
        choices=["original", "unbiased", "multilingual", "original-small", "unbiased-small"],
    )
    args = parser.parse_args(argv)
    report = run(args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
