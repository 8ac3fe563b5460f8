"""The fastText quality scorer, with a tiny model trained here (fasttext-numpy2-wheel)."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import pytest

from pipelines.train_quality import add_arguments, train
from schemas.config import ConfigError
from schemas.document import Doc
from schemas.quality import QualityClassifierSettings
from transforms.quality_model import (
    FastTextQualityHandler,
    check,
    label_probabilities,
    load_model,
    model_files,
    model_input,
)

_WORDS = (
    "the river mill children morning spring water miller gates herons bank meadow clover bees "
    "neighbours bridge weather autumn leaves committee plan library garden harbour school museum "
    "square market park station valley residents letters winter careful agreed"
).split()
_SPAM = "click here buy now cheap deal free offer login sign up cart sale best price".split()


def _documents(words: list[str], count: int, seed: int, length: int = 120) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(words) for _ in range(length)) for _ in range(count)]


# Documents of 120 words: fastText's training stops on NaN losses with few short lines.
GOOD = _documents(_WORDS, 60, seed=1)
BAD = _documents(_SPAM + _WORDS[:10], 60, seed=2)


def train_tiny(directory: Path, seed: int = 0) -> Path:
    good, bad = directory / "good.txt", directory / "bad.txt"
    good.write_text("\n".join(GOOD) + "\n")
    bad.write_text("\n".join(BAD) + "\n")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--positive", str(good), "--negative", str(bad), "--output", str(directory / "m.bin"),
         "--holdout", "0.2",
         "--seed", str(seed)]
    )  # fmt: skip
    train(args)
    return directory / "m.bin"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tiny(tmp_path_factory.mktemp("model"))


def test_scores_separate_the_classes(tiny_model: Path) -> None:
    model = load_model(tiny_model)
    good, bad = label_probabilities(
        model,
        ["the museum committee agreed a careful plan for the park", "buy now cheap deal login"],
        "hq",
    )
    assert good > 0.5 > bad
    assert label_probabilities(model, [], "hq") == []
    assert label_probabilities(model, ["anything"], "no_such_label") == [0.0]


def test_handler_scores_a_batch(tiny_model: Path) -> None:
    handler = FastTextQualityHandler(QualityClassifierSettings(model=str(tiny_model)))
    results = list(
        handler.run_inference(["a plan\nfor the park", "cheap deal"], handler.load_model())
    )
    assert [r.example for r in results] == ["a plan\nfor the park", "cheap deal"]
    assert 0.0 <= results[1].inference < results[0].inference <= 1.0


def test_check_and_manifest_entry(tiny_model: Path) -> None:
    settings = QualityClassifierSettings(model=str(tiny_model), min_score=0.5)
    doc = Doc(id="x", source_uri="u", source_record="r", source_format="jsonl")
    doc.quality_model_score = 0.2
    assert check(doc, settings) == ["low_quality_score"]
    doc.quality_model_score = 0.7
    assert check(doc, settings) == []
    (entry,) = model_files(settings)
    assert entry["sha256"] == (tiny_model.parent / "m.bin.sha256").read_text().split()[0]


def test_missing_or_unexpected_model_is_one_sentence(tmp_path: Path, tiny_model: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        FastTextQualityHandler(QualityClassifierSettings(model=str(tmp_path / "none.bin")))
    with pytest.raises(ConfigError, match="does not have the sha256"):
        FastTextQualityHandler(
            QualityClassifierSettings(model=str(tiny_model), model_sha256="0" * 64)
        )


def test_model_input_is_one_line() -> None:
    assert model_input("a\nb\t c  ", 100) == "a b c"
    assert model_input("abcdef", 3) == "abc"
