"""Tag the identity groups a document mentions, for the filter-impact (bias) audit.

Reads: `text`. Writes: `identity_groups`, the sorted, de-duplicated groups whose terms occur in
the text, as `category:group` (`religion:muslim`, `disability:deaf`) or, with
`granularity: category`, the category alone (`religion`). Drops nothing: the audit compares
each group's removal rate at every filtering stage with that stage's overall rate
(`transforms.bias_audit`).

Terms come from a lexicon file (default `configs/identity_terms.yaml`: gender, sexual
orientation, religion, race and ethnicity, nationality, disability; English plus some German,
French and Spanish). Matching is on whole words of the lowercased text: the text is cut into
words once and multi-word terms are looked up token by token, so "Christmas" never
matches "christian" and "jewellery" never matches "jew". A match consumes its words: in
"African American" the group of the two-word term is tagged, not those of "African" and
"American" as well. Scripts written without spaces between words (Chinese, Japanese, Thai) are
not covered.

The lexicon is read when the transform is built, on the machine that builds the pipeline, and
travels with it: remote workers need not have the project's configs/ folder.

Version history: 1 - lexicon v1, whole-word matching, longest match first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from schemas.document import Doc
from schemas.toxicity import IdentitySettings
from transforms.base import AnnotateDocs, StageError

STAGE = "identity"
VERSION = "1"

DEFAULT_LEXICON = Path(__file__).resolve().parent.parent / "configs" / "identity_terms.yaml"

# Words are maximal runs of letters and digits: a hyphen or an apostrophe separates words, so
# "Muslim's" yields "muslim" and "African-American" yields "african", "american".
WORD_RE = re.compile(r"\w+")


class DropReason(StrEnum):
    """The stage only tags; it has no drop reasons."""


def words(text: str) -> list[str]:
    """Lowercased words of `text`, the tokens terms are matched against."""
    return WORD_RE.findall(text.lower())


def term_tokens(term: str) -> tuple[str, ...]:
    """A lexicon term as the words the text must contain in sequence."""
    return tuple(words(term))


class Mention(NamedTuple):
    start: int
    end: int
    group: str


class TermMatcher:
    """Finds lexicon terms in a token list: longest match first, whole words only."""

    def __init__(self, terms: Mapping[str, Iterable[tuple[str, ...]]]) -> None:
        index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for group, phrases in terms.items():
            for phrase in phrases:
                if phrase:
                    index.setdefault(phrase[0], []).append((phrase, group))
        # Longest phrases first; the rest of the order only makes runs reproducible.
        self._index = {
            first: sorted(set(candidates), key=lambda c: (-len(c[0]), c[0], c[1]))
            for first, candidates in index.items()
        }

    def find(self, tokens: Sequence[str]) -> list[Mention]:
        mentions: list[Mention] = []
        lookup = self._index.get
        i, n = 0, len(tokens)
        while i < n:
            candidates = lookup(tokens[i])
            if candidates is None:
                i += 1
                continue
            matched = 0
            for phrase, group in candidates:
                size = len(phrase)
                if matched and size < matched:
                    break
                if size == 1 or tuple(tokens[i : i + size]) == phrase:
                    mentions.append(Mention(i, i + size, group))
                    matched = size
            i += matched or 1
        return mentions


@dataclass(frozen=True)
class Lexicon:
    """Identity terms (for tagging) and slurs (for the toxicity stage), as token tuples."""

    groups: Mapping[str, tuple[tuple[str, ...], ...]]
    slurs: Mapping[str, tuple[tuple[str, ...], ...]]
    path: str
    sha256: str


def _terms(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise StageError(f"{where} must be a list of non-empty strings.")
    return value


def parse_lexicon(
    data: Any, *, path: str = "<memory>", sha256: str = "", languages: Sequence[str] = ()
) -> Lexicon:
    """Validate a lexicon mapping (the YAML's content) and compile its terms to token tuples."""
    if not isinstance(data, dict) or not isinstance(data.get("groups"), dict):
        raise StageError(f"{path}: the lexicon needs a 'groups' mapping.")
    groups: dict[str, set[tuple[str, ...]]] = {}
    for category, members in data["groups"].items():
        if not isinstance(members, dict):
            raise StageError(f"{path}: groups.{category} must map group names to languages.")
        for group, by_language in members.items():
            if not isinstance(by_language, dict):
                raise StageError(f"{path}: groups.{category}.{group} must map languages to terms.")
            name = f"{category}:{group}"
            for language, terms in by_language.items():
                where = f"{path}: groups.{category}.{group}.{language}"
                chosen = _terms(terms, where)
                if languages and language not in languages:
                    continue
                groups.setdefault(name, set()).update(term_tokens(t) for t in chosen)
    slurs: dict[str, set[tuple[str, ...]]] = {}
    raw_slurs = data.get("slurs", {}) or {}
    if not isinstance(raw_slurs, dict):
        raise StageError(f"{path}: 'slurs' must map groups to terms.")
    for group, terms in raw_slurs.items():
        slurs[str(group)] = {term_tokens(t) for t in _terms(terms, f"{path}: slurs.{group}")}
    return Lexicon(
        groups={g: tuple(sorted(t)) for g, t in sorted(groups.items())},
        slurs={g: tuple(sorted(t)) for g, t in sorted(slurs.items())},
        path=path,
        sha256=sha256,
    )


def load_lexicon(path: str | Path | None = None, languages: Sequence[str] = ()) -> Lexicon:
    """Read and compile a lexicon file (default: the project's configs/identity_terms.yaml)."""
    source = Path(path) if path else DEFAULT_LEXICON
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise StageError(
            f"identity lexicon {source} cannot be read ({type(exc).__name__})."
        ) from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise StageError(f"identity lexicon {source} is not valid YAML.") from None
    return parse_lexicon(
        data, path=str(source), sha256=hashlib.sha256(raw).hexdigest(), languages=languages
    )


def identity_groups(
    tokens: Sequence[str], matcher: TermMatcher, granularity: str = "group"
) -> list[str]:
    """Sorted groups (or categories) mentioned in the tokens."""
    found = {m.group for m in matcher.find(tokens)}
    if granularity == "category":
        found = {g.split(":", 1)[0] for g in found}
    return sorted(found)


class TagIdentityGroups(AnnotateDocs):
    """Fill `doc.identity_groups` from the lexicon."""

    stage = STAGE

    def __init__(self, settings: IdentitySettings, lexicon: Lexicon | None = None) -> None:
        self.settings = settings
        # Read now, on the machine that builds the pipeline, so the terms travel with the DoFn.
        self.lexicon = lexicon or load_lexicon(settings.lexicon_path, settings.languages)
        self._matcher: TermMatcher | None = None

    def setup(self) -> None:
        self._matcher = TermMatcher(self.lexicon.groups)

    def annotate(self, doc: Doc) -> None:
        assert self._matcher is not None, "setup() builds the matcher"
        doc.identity_groups = identity_groups(
            words(doc.text), self._matcher, self.settings.granularity
        )


def check(doc: Doc, settings: IdentitySettings) -> list[str]:
    """Identity mentions are never a reason to drop a document."""
    return []


def lexicon_file(settings: IdentitySettings) -> dict[str, str]:
    """The lexicon as a manifest model entry: name, backend, file, sha256."""
    lexicon = load_lexicon(settings.lexicon_path, settings.languages)
    return {
        "name": "identity-terms",
        "backend": "lexicon",
        "file": lexicon.path,
        "sha256": lexicon.sha256,
    }
