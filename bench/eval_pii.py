"""Precision, recall and F1 of the PII stage on labelled sets, next to presidio's defaults.

    python -m bench.eval_pii [--eval-dir DIR]

Reads `pii/` under the evaluation directory (default: $CURATE_EVAL_DIR, else `../shared/eval`
from the project root):

- `presidio_recognizer_cases.jsonl`: positives and hard negatives from presidio's own
  recognizer tests. Each case names one recognizer and lists only that entity's spans, so an
  entity type is scored on the cases written for it alone.
- `nemo_curator_pii_cases.jsonl`: NeMo Curator's tagged PII lines (its `nemo_curator_pii_data/`
  holds the same lines with inline tags), every line scored for every type the set labels.
- `presidio-research_generated_large.json`: presidio-research's synthetic sentences, likewise.

Matching: a predicted span counts for a labelled span of the same entity type when the two
overlap by at least one character. Precision is the share of predicted spans that match a
labelled one, recall the share of labelled spans matched by a prediction. A type is scored
only on sets that label it; types a set labels but the stage does not look for (names,
addresses, dates without NER) are listed as not targeted.

The stage is scored as it writes `pii_spans`: default settings, overlapping findings resolved.
A recognizer case written for a phone matcher leniency (presidio's tests label the same text
differently at different levels) is scored with both systems set to that leniency.
"presidio default" is `AnalyzerEngine` with the no_op NLP engine and
`RecognizerRegistry().load_predefined_recognizers()`, asked for the same entity types, every
result kept (its default threshold, 0). The exit status is non-zero only when the evaluation
cannot run, never because a figure misses its target.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

# Dataset labels -> the stage's entity types.
NEMO_LABELS = {
    "email": "EMAIL_ADDRESS",
    "phone_number": "PHONE_NUMBER",
    "credit_card_number": "CREDIT_CARD",
    "ssn": "US_SSN",
    "ip_address": "IP_ADDRESS",
}
# The pattern entities the targets apply to (recall and precision >= 0.95, F1 >= presidio).
TARGETED = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN")
TARGET = 0.95

Span = tuple[str, int, int]


@dataclass
class Case:
    text: str
    spans: list[Span]
    # Entity types this case is labelled for (None: every type the set labels).
    scope: frozenset[str] | None = None
    # Phone matcher leniency the case was written for (presidio's tests set it on the
    # recognizer; the same text is labelled differently at different levels), else the default.
    phone_leniency: int | None = None


@dataclass
class Tally:
    predicted: int = 0
    predicted_matched: int = 0
    labelled: int = 0
    labelled_matched: int = 0

    def add(self, predicted: Sequence[Span], labelled: Sequence[Span]) -> None:
        self.predicted += len(predicted)
        self.labelled += len(labelled)
        self.predicted_matched += sum(1 for p in predicted if any(_overlap(p, g) for g in labelled))
        self.labelled_matched += sum(1 for g in labelled if any(_overlap(p, g) for p in predicted))

    @property
    def precision(self) -> float | None:
        return self.predicted_matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.labelled_matched / self.labelled if self.labelled else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


@dataclass
class Dataset:
    name: str
    cases: list[Case]
    labelled_types: set[str] = field(default_factory=set)
    not_targeted: Counter[str] = field(default_factory=Counter)


def _overlap(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def load_recognizer_cases(path: Path, targeted: set[str]) -> Dataset:
    dataset = Dataset("presidio recognizer cases", [])
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        entity = case["recognizer"]
        if entity not in targeted:
            dataset.not_targeted[entity] += len(case["spans"]) or 1
            continue
        spans = [(s["entity_type"], s["start"], s["end"]) for s in case["spans"]]
        dataset.cases.append(Case(case["text"], spans, frozenset([entity]), case.get("leniency")))
        dataset.labelled_types.add(entity)
    return dataset


def load_nemo_cases(path: Path) -> Dataset:
    dataset = Dataset("NeMo Curator PII cases", [])
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        spans = []
        for span in case["spans"]:
            entity = NEMO_LABELS.get(span["label"])
            if entity is None:
                dataset.not_targeted[span["label"]] += 1
            else:
                spans.append((entity, span["start"], span["end"]))
        dataset.cases.append(Case(case["text"], spans))
    dataset.labelled_types = set(NEMO_LABELS.values())
    return dataset


def load_generated(path: Path, targeted: set[str]) -> Dataset:
    dataset = Dataset("presidio-research generated_large", [])
    for record in json.loads(path.read_text(encoding="utf-8")):
        spans = []
        for span in record["spans"]:
            entity = span["entity_type"]
            if entity in targeted:
                spans.append((entity, span["start_position"], span["end_position"]))
                dataset.labelled_types.add(entity)
            else:
                dataset.not_targeted[entity] += 1
        dataset.cases.append(Case(record["full_text"], spans))
    return dataset


Predictor = Callable[[str], list[Span]]


def score(dataset: Dataset, predictor: Callable[[int | None], Predictor]) -> dict[str, Tally]:
    """Tallies per entity type; `predictor(leniency)` is the system set up for a case."""
    tallies = {entity: Tally() for entity in sorted(dataset.labelled_types)}
    systems: dict[int | None, Predictor] = {}
    for case in dataset.cases:
        if case.phone_leniency not in systems:
            systems[case.phone_leniency] = predictor(case.phone_leniency)
        predicted = systems[case.phone_leniency](case.text)
        for entity, tally in tallies.items():
            if case.scope is not None and entity not in case.scope:
                continue
            tally.add(
                [p for p in predicted if p[0] == entity], [g for g in case.spans if g[0] == entity]
            )
    return tallies


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def report(dataset: Dataset, ours: dict[str, Tally], theirs: dict[str, Tally]) -> list[str]:
    lines = [
        f"## {dataset.name} ({len(dataset.cases)} texts)",
        f"{'entity':14s} {'labelled':>8s} | {'stage P':>7s} {'R':>5s} {'F1':>5s} | "
        f"{'presidio P':>10s} {'R':>5s} {'F1':>5s} | targets",
    ]
    for entity, tally in ours.items():
        other = theirs[entity]
        verdict = ""
        if entity in TARGETED:
            met = (
                (tally.precision or 0) >= TARGET
                and (tally.recall or 0) >= TARGET
                and (tally.f1 or 0) >= (other.f1 or 0)
            )
            verdict = "met" if met else "MISSED"
        lines.append(
            f"{entity:14s} {tally.labelled:8d} | {_fmt(tally.precision):>7s} "
            f"{_fmt(tally.recall):>5s} {_fmt(tally.f1):>5s} | {_fmt(other.precision):>10s} "
            f"{_fmt(other.recall):>5s} {_fmt(other.f1):>5s} | {verdict}"
        )
    if dataset.not_targeted:
        listed = ", ".join(f"{k} ({v})" for k, v in sorted(dataset.not_targeted.items()))
        lines.append(f"not targeted: {listed}")
    return lines


def _presidio_default(leniency: int | None = None) -> Predictor:
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    from bench.bench_pii import presidio_default_engine

    engine = presidio_default_engine()
    if leniency is not None:
        engine.registry.remove_recognizer("PhoneRecognizer")
        engine.registry.add_recognizer(PhoneRecognizer(leniency=leniency))
    entities = [e for e in (*TARGETED, "CRYPTO") if e in engine.get_supported_entities()]

    def predict(text: str) -> list[Span]:
        results = engine.analyze(text, language="en", entities=entities)
        return [(r.entity_type, r.start, r.end) for r in results]

    return predict


def _stage(leniency: int | None = None) -> Predictor:
    from schemas.pii import PiiSettings
    from transforms.pii import PiiAnalyzer, detect

    settings = PiiSettings() if leniency is None else PiiSettings(phone_leniency=leniency)
    analyzer = PiiAnalyzer(settings)

    def predict(text: str) -> list[Span]:
        return [(s.type, s.start, s.end) for s in detect(analyzer, text)]

    return predict


def default_eval_dir() -> Path:
    return Path(os.environ.get("CURATE_EVAL_DIR", PROJECT.parent / "shared" / "eval"))


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=default_eval_dir())
    args = parser.parse_args(None if argv is None else list(argv))
    folder = args.eval_dir / "pii"
    files = {
        "recognizer": folder / "presidio_recognizer_cases.jsonl",
        "nemo": folder / "nemo_curator_pii_cases.jsonl",
        "generated": folder / "presidio-research_generated_large.json",
    }
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        print(f"evaluation data missing: {', '.join(missing)}", file=sys.stderr)
        return 2

    from pipelines.offline import apply_offline_defaults

    apply_offline_defaults()
    targeted = set(TARGETED) | {"CRYPTO"}
    datasets = [
        load_recognizer_cases(files["recognizer"], targeted),
        load_nemo_cases(files["nemo"]),
        load_generated(files["generated"], targeted),
    ]
    output = []
    for dataset in datasets:
        ours, theirs = score(dataset, _stage), score(dataset, _presidio_default)
        output += [*report(dataset, ours, theirs), ""]
    print("\n".join(output).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
