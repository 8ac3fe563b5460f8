from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.config import LanguageSettings
from schemas.document import Doc
from transforms.base import StageError
from transforms.language import IdentifyLanguage, check, identify, load_model, verify_model

SENTENCES = {
    "en": "The weather was lovely, so we walked along the river to the old bridge.",
    "de": "Das Wetter war schön, also sind wir am Fluss entlang zur alten Brücke gegangen.",
    "fr": "Il faisait beau, alors nous avons marché le long de la rivière jusqu'au vieux pont.",
    "es": "Hacía buen tiempo, así que caminamos junto al río hasta el puente viejo.",
    "it": "Il tempo era bello, così abbiamo camminato lungo il fiume fino al vecchio ponte.",
    "nl": "Het weer was mooi, dus liepen we langs de rivier naar de oude brug.",
}


@pytest.fixture(scope="module")
def settings(lid_model: Path) -> LanguageSettings:
    return LanguageSettings(model_path=str(lid_model))


def test_identifies_six_languages(settings: LanguageSettings) -> None:
    model = load_model(settings)
    for code, sentence in SENTENCES.items():
        label, score = identify(model, sentence + "\n" + sentence, 1000)
        assert label == code
        assert score is not None and score > 0.8


def test_empty_text_has_no_language(settings: LanguageSettings) -> None:
    assert identify(load_model(settings), " \n ", 1000) == (None, None)


def test_model_checksum_is_enforced(tmp_path: Path, settings: LanguageSettings) -> None:
    fake = tmp_path / "lid.ftz"
    fake.write_bytes(b"not a model")
    with pytest.raises(StageError, match=r"language\.model_sha256"):
        verify_model(LanguageSettings(model_path=str(fake)))
    with pytest.raises(StageError, match="does not exist"):
        verify_model(LanguageSettings(model_path=str(tmp_path / "missing.ftz")))


def test_check_thresholds() -> None:
    doc = Doc(id="x", source_uri="u", source_record="r", source_format="jsonl")
    doc.language, doc.language_score = "de", 0.3
    assert check(doc, LanguageSettings(allowed=("en",), min_score=0.5)) == [
        "language_not_allowed",
        "low_language_score",
    ]
    assert check(doc, LanguageSettings(allowed=("de",), min_score=0.2)) == []


def test_stage_in_a_beam_pipeline(settings: LanguageSettings) -> None:
    docs = [
        Doc(id=code, source_uri="u", source_record=code, source_format="jsonl", text=text)
        for code, text in SENTENCES.items()
    ]
    with TestPipeline(runner=FnApiRunner()) as pipeline:
        labels = (
            pipeline
            | beam.Create(docs)
            | beam.ParDo(IdentifyLanguage(settings))
            | beam.Map(lambda d: (d.id, d.language, d.status.value))
        )
        assert_that(labels, equal_to([(code, code, "kept") for code in SENTENCES]))
