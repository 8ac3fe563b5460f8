"""The C4-style word-list filter: remove documents that contain a listed word.

Reads: `text`, `language`. Writes: `word_list_hits`, the number of listed words and phrases
found (None when the document's language has no list: it is not checked).
Drop reason: `listed_word` (one hit is enough, as in C4).

Lists are files named per language in `quality.word_list.files` (one word or phrase a line,
'#' starts a comment). As in C4 (TFDS c4_utils, datatrove `C4BadWordsFilter`), matching is on
the lowercased text; for languages written with spaces a match must be flanked by non-word
characters, for Chinese, Japanese and Thai it may appear anywhere. The stage is off by default
(`quality.word_list.enabled`): its own stage name lets the bias audit show what it removes per
identity group. The lists are read when the pipeline is built and travel with the transform.

Version history: 1 - whole-word list matching.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from schemas.config import ConfigError
from schemas.document import Doc
from schemas.quality import WordListSettings
from transforms.base import AnnotateDocs
from transforms.quality import resolve_path

STAGE = "word_list"
VERSION = "1"

# Scripts without spaces between words: a listed word may sit inside a longer run.
_UNSPACED = frozenset({"ja", "zh", "th"})


class DropReason(StrEnum):
    LISTED_WORD = "listed_word"


@dataclass(frozen=True)
class WordList:
    language: str
    pattern: re.Pattern[str]
    file: str
    sha256: str


def parse_words(text: str) -> list[str]:
    """The entries of a list file: stripped, lowercased, without comments and blank lines."""
    words = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return sorted({w for w in words if w})


def compile_words(words: list[str], language: str) -> re.Pattern[str]:
    # Longest first, so that a phrase wins over its first word at the same position.
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    if language in _UNSPACED:
        return re.compile(f"(?:{alternatives})")
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def load_word_lists(settings: WordListSettings) -> dict[str, WordList]:
    lists = {}
    for language, name in sorted(settings.files.items()):
        path = resolve_path(name)
        try:
            data = path.read_bytes()
            words = parse_words(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError):
            raise ConfigError(
                f"quality.word_list.files.{language}: {name} cannot be read as UTF-8 text."
            ) from None
        if not words:
            raise ConfigError(f"quality.word_list.files.{language}: {name} lists no words.")
        lists[language] = WordList(
            language=language,
            pattern=compile_words(words, language),
            file=str(path),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    return lists


def count_hits(text: str, word_list: WordList) -> int:
    return sum(1 for _ in word_list.pattern.finditer(text.lower()))


def check(doc: Doc, settings: WordListSettings) -> list[str]:
    return [DropReason.LISTED_WORD.value] if doc.word_list_hits else []


def model_files(settings: WordListSettings) -> list[dict[str, str | None]]:
    return [
        {
            "name": f"word-list-{w.language}",
            "backend": "word_list",
            "file": w.file,
            "sha256": w.sha256,
        }
        for w in load_word_lists(settings).values()
    ]


class FilterListedWords(AnnotateDocs):
    stage = STAGE

    def __init__(self, settings: WordListSettings) -> None:
        self.settings = settings
        self.lists: Mapping[str, WordList] = load_word_lists(settings)

    def annotate(self, doc: Doc) -> None:
        found = self.lists.get(doc.language or "")
        doc.word_list_hits = None if found is None else count_hits(doc.text, found)
