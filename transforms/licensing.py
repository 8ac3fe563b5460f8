"""Licence, opt-out and provenance tags: under what terms a page was published, how we know,
whether its owner opted out of AI training, and where it came from.

Reads: `payload` (raw HTML bytes) and `http_headers` of crawled records, or `text` for plain-text
inputs (JSONL, Parquet, WET) and text/plain responses; `url` and `content_type`.
Writes: `license` (SPDX-style id or expression, `unknown` when nothing credible was found),
`license_evidence` (the detector that decided it), `license_confidence` (0..1), `opt_out` and
`opt_out_signals`. The host and registered domain (`url_domains`) are computed here too and kept
on `LicenseTags` for the provenance columns.
Drops (applied by the decide step through `check`): `license_not_allowed`, `opted_out`,
`domain_denied`.

Detection works on the raw bytes with plain substring searches and a few compiled regexes run
only around the places where a licence or opt-out hint occurs, so a page without hints (most of
a crawl) costs a lower-case copy, five substring searches and a scan of its <link>/<meta> tags.
docs/licensing.md describes the detectors, the confidence scale, the normalisation and the
measured throughput.

Version history:
  1: first version: link/a rel=license, licence metas and microdata, JSON-LD, Creative Commons
     links and badges, licence statements (Creative Commons in seven languages, GNU, Apache,
     MPL, open-data and government licences), SPDX headers and ids in text; robots/X-Robots-Tag
     noai, TDMRep, domain opt-out list; domain policy.
"""

from __future__ import annotations

import codecs
import html
import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

import tldextract
from apache_beam.metrics import Metrics
from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

from schemas.document import Doc
from schemas.licensing import LicenseSettings, canonical_license_id
from transforms.base import AnnotateDocs

STAGE = "license"
VERSION = "1"

UNKNOWN = "unknown"
# A Creative Commons licence whose kind cannot be read (e.g. /licenses/unknown/1.0/).
CC_UNKNOWN = "LicenseRef-CC-unknown"

Count = Callable[[str], None]


class DropReason(StrEnum):
    DOMAIN_DENIED = "domain_denied"
    OPTED_OUT = "opted_out"
    LICENSE_NOT_ALLOWED = "license_not_allowed"


class Evidence(StrEnum):
    """Where a licence was found; the values are what `license_evidence` holds."""

    META = "meta"  # <meta name=license|dc.rights|dcterms.license ...>, microdata itemprop=license
    JSON_LD = "json_ld"  # "license" of a non-media node in <script type=application/ld+json>
    LINK_REL = "link_rel"  # <link rel=license> or an HTTP `Link: <...>; rel="license"` header
    SPDX_HEADER = "spdx_header"  # SPDX-License-Identifier: line in a comment header
    A_REL = "a_rel"  # <a rel=license href=...>
    FOOTER_TEXT = "footer_text"  # licence statement in the page footer / end of the text
    CC_LINK = "cc_link"  # plain <a href=creativecommons.org/licenses/...>
    CC_BADGE = "cc_badge"  # Creative Commons badge image outside a licence link
    SPDX_TEXT = "spdx_text"  # an SPDX id right after "License:" / "licensed under"
    BODY_TEXT = "body_text"  # licence statement elsewhere in the text, after a licensing verb


class OptOutSignal(StrEnum):
    """Fixed opt-out signals; robots directives add `meta_robots_<directive>` and
    `x_robots_tag_<directive>` (e.g. `meta_robots_noai`) for each configured directive."""

    TDM_RESERVATION_HEADER = "tdm_reservation_header"
    TDM_RESERVATION_META = "tdm_reservation_meta"
    TDM_POLICY_HEADER = "tdm_policy_header"
    TDM_POLICY_META = "tdm_policy_meta"
    DOMAIN_LIST = "domain_list"


class Placement(StrEnum):
    HEAD = "head"  # <head>, HTTP headers, the first lines of a plain text
    FOOTER = "footer"  # <footer>, an element with a footer id/class, the end of a plain text
    BODY = "body"


# Decision order: detector first, placement second, document order last. The order among the
# page-metadata detectors (meta, JSON-LD, link) follows the C5 annotator's sort (docs).
_RANK = {kind: i for i, kind in enumerate(Evidence)}
_PLACEMENT_RANK = {Placement.HEAD: 0, Placement.FOOTER: 1, Placement.BODY: 2}

# Confidence of a lone candidate, by detector and placement (docs/licensing.md, "Confidence").
_BASE_CONFIDENCE: dict[Evidence, tuple[float, float]] = {
    # (head or footer, body)
    Evidence.META: (0.95, 0.95),
    Evidence.JSON_LD: (0.9, 0.9),
    Evidence.LINK_REL: (0.95, 0.95),
    Evidence.SPDX_HEADER: (0.95, 0.95),
    Evidence.A_REL: (0.9, 0.8),
    Evidence.FOOTER_TEXT: (0.8, 0.8),
    Evidence.CC_LINK: (0.75, 0.55),
    Evidence.CC_BADGE: (0.75, 0.6),
    Evidence.SPDX_TEXT: (0.6, 0.6),
    Evidence.BODY_TEXT: (0.6, 0.6),
}
_AGREEMENT_BONUS = 0.03
_STRONG_CONFLICT_PENALTY = 0.25
_WEAK_CONFLICT_PENALTY = 0.1
_STRONG = 0.75


@dataclass(frozen=True, slots=True)
class Candidate:
    """One licence claim found in a document.

    `media` marks claims that cover an image, map, icon, font or library rather than the page
    (inside <figure>, next to an <img>, in a "photo by ..." context, on a JSON-LD ImageObject):
    they are recorded but never decide the page's licence.
    """

    license: str
    evidence: Evidence
    placement: Placement
    media: bool
    offset: int


@dataclass(frozen=True, slots=True)
class LicenseTags:
    """Everything the stage found for one document."""

    license: str
    evidence: str | None
    confidence: float
    opt_out: bool
    opt_out_signals: tuple[str, ...]
    domain: str | None
    registered_domain: str | None
    candidates: tuple[Candidate, ...]


# ---------------------------------------------------------------------------------------------
# Normalisation: URLs and names to SPDX-style ids
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _spdx_id(token: str) -> str | None:
    """The canonical SPDX id for `token`, or None when it is not a single listed licence."""
    try:
        return canonical_license_id(token)
    except ValueError:
        return None


# Creative Commons URL, licence buttons included (i.creativecommons.org/l/by/4.0/88x31.png,
# licensebuttons.net/p/zero/1.0/...). The host must not be glued to another name.
_CC_URL = re.compile(
    r"(?<![\w-])(?:[\w-]+\.)*(?:creativecommons\.org|licensebuttons\.net)"
    r"/(licenses|licences|publicdomain|l|p)/([^/?#\s\"'<>]*)/?([^/?#\s\"'<>]*)",
    re.IGNORECASE,
)
_CC_VERSION = re.compile(r"\d\.\d")
_CC_TYPES = {
    "by": "BY",
    "by-sa": "BY-SA",
    "by-nd": "BY-ND",
    "by-nc": "BY-NC",
    "by-nc-sa": "BY-NC-SA",
    "by-nc-nd": "BY-NC-ND",
    "by-nd-nc": "BY-NC-ND",  # the 1.0 spelling
    "sa": "SA",
    "nc": "NC",
    "nd": "ND",
    "nc-sa": "NC-SA",
    "nd-nc": "NC-ND",
}


def _cc_id(elements: str, version: str | None) -> str:
    """`CC-<elements>-<version>` when SPDX lists it, else a `LicenseRef-` id that keeps what is
    known (`LicenseRef-CC-BY-SA` for an unknown version, `LicenseRef-CC-BY-2.1` for a version
    that exists only as a port SPDX does not list)."""
    if not version:
        return f"LicenseRef-CC-{elements}"
    spdx = _spdx_id(f"CC-{elements}-{version}")
    return spdx or f"LicenseRef-CC-{elements}-{version}"


def normalize_cc_url(url: str) -> str | None:
    """The licence a Creative Commons URL names; None for any other URL.

    Jurisdiction ports fold into the unported licence of the same version (`by/3.0/de/` ->
    `CC-BY-3.0`); deed pages, query strings and extra path segments are ignored.
    """
    match = _CC_URL.search(url)
    if not match:
        return None
    kind = match.group(2).lower()
    version = match.group(3)
    if not _CC_VERSION.fullmatch(version):
        version = ""
    if kind == "zero":
        return "CC0-1.0" if version in ("", "1.0") else CC_UNKNOWN
    if kind == "mark":
        return "CC-PDM-1.0" if version in ("", "1.0") else CC_UNKNOWN
    if kind in ("publicdomain", "certification"):
        return "CC-PDDC"
    elements = _CC_TYPES.get(kind)
    if elements is None:
        return CC_UNKNOWN
    return _cc_id(elements, version or None)


_GNU_URL = re.compile(
    r"gnu\.org/(?:licenses|copyleft)/(?:old-licenses/)?(agpl|lgpl|gpl|fdl)(?:-(\d\.\d))?", re.I
)
_GNU_FAMILY = {"gpl": "GPL", "lgpl": "LGPL", "agpl": "AGPL", "fdl": "GFDL"}
_GNU_LATEST = {"gpl": "3.0", "lgpl": "3.0", "agpl": "3.0", "fdl": "1.3"}
_FIXED_URLS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"apache\.org/licenses/license-2\.0", re.I), "Apache-2.0"),
    (re.compile(r"mozilla\.org/(?:[a-z-]+/)?mpl/2\.0", re.I), "MPL-2.0"),
    (re.compile(r"opendatacommons\.org/licenses/odbl", re.I), "ODbL-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/by", re.I), "ODC-By-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/pddl", re.I), "PDDL-1.0"),
    (
        re.compile(r"open\.canada\.ca/[a-z]+/open-government-licen[cs]e-canada", re.I),
        "OGL-Canada-2.0",
    ),
    (re.compile(r"(?<![\w-])unlicense\.org", re.I), "Unlicense"),
    (re.compile(r"(?<![\w-])wtfpl\.net", re.I), "WTFPL"),
)
_OGL_URL = re.compile(
    r"nationalarchives\.gov\.uk/doc/open-government-licen[cs]e/version/([1-3])", re.I
)
_ID_URL = re.compile(
    r"(?:opensource\.org/licen[cs]es?|spdx\.org/licenses|choosealicense\.com/licenses)"
    r"/([\w.+-]+?)(?:-license)?(?:\.php|\.html?|\.json)?(?:[/?#]|$)",
    re.I,
)


def normalize_license_url(url: str) -> str | None:
    """The licence a licence URL names (Creative Commons, GNU, Apache, MPL, Open Data Commons,
    Open Government Licence, opensource.org / spdx.org / choosealicense.com pages); None when
    the URL names none of them."""
    cc = normalize_cc_url(url)
    if cc is not None:
        return cc
    gnu = _GNU_URL.search(url)
    if gnu:
        kind = gnu.group(1).lower()
        return f"{_GNU_FAMILY[kind]}-{gnu.group(2) or _GNU_LATEST[kind]}-only"
    for pattern, license_id in _FIXED_URLS:
        if pattern.search(url):
            return license_id
    ogl = _OGL_URL.search(url)
    if ogl:
        return f"OGL-UK-{ogl.group(1)}.0"
    by_id = _ID_URL.search(url)
    if by_id:
        return _spdx_id(by_id.group(1))
    return None


# --- licence names in text ---


def _words(*phrases: str) -> str:
    """An alternation of phrases whose spaces and hyphens match any run of either."""
    return "|".join(re.sub(r"[ -]", r"[\\s-]*", p) for p in phrases)


_CC_ELEMENT_WORDS = {
    "BY": _words(
        "attribution",
        "namensnennung",
        "paternit[ée]",
        "reconocimiento",
        "atribuci[óo]n",
        "attribuzione",
        "naamsvermelding",
        "atribui[çc][ãa]o",
        "uznanie autorstwa",
        "by",
    ),
    "NC": _words(
        "non commercial",
        "noncommercial",
        "nicht kommerziell",
        "pas d['’]utilisation commerciale",
        "no comercial",
        "non commerciale",
        "niet commercieel",
        "n[ãa]o comercial",
        "nc",
    ),
    "SA": _words(
        "share alike",
        "weitergabe unter gleichen bedingungen",
        "partage dans les m[êe]mes conditions",
        "compartir igual",
        "condividi allo stesso modo",
        "gelijk delen",
        "compartilha igual",
        "sa",
    ),
    "ND": _words(
        "no derivatives",
        "no derivs",
        "no derivative works",
        "keine bearbeitungen?",
        "pas de modification",
        "sin obra derivada",
        "sin derivadas",
        "non opere derivate",
        "geen afgeleide werken",
        "sem deriva[çc](?:[õo]es)",
        "nd",
    ),
}
_CC_ELEMENT = "|".join(f"(?:{w})" for w in _CC_ELEMENT_WORDS.values())
_CC_ELEMENT_ONE = re.compile(
    "|".join(f"(?P<{k}>\\b(?:{w})\\b)" for k, w in _CC_ELEMENT_WORDS.items()), re.I
)
# A version right after the name: "4.0", "v3.0", "License 4.0", "3.0 Unported", never a year.
_VERSION_AFTER = r"(?:[^0-9.;:<>|]{0,25}?(?<![\d.])(?P<ver>[1-4]\.[0-5])(?!\d))?"
_CC_LONG = re.compile(
    r"creative[\s-]+commons(?:[\s-]+(?:licen[cs]ia|licen[cs]e|lizenz|licenza|licentie|legal\s+code))?"
    rf"[\s(:–—-]*\b(?P<elems>(?:{_CC_ELEMENT})(?:\s*[-–—/,+&]?\s*(?:(?:and|und|et|y|e)\s+)?"
    rf"(?:{_CC_ELEMENT})){{0,3}})\b{_VERSION_AFTER}",
    re.I,
)
_CC_SHORT = re.compile(
    r"(?<![\w-])cc[\s-]?(?P<elems>by(?:[\s-]+(?:nc|nd|sa)){0,2})(?![\w])"
    r"(?:[\s-]+v?(?P<ver>[1-4]\.[0-5])(?!\d))?",
    re.I,
)
_CC_ZERO = re.compile(
    r"(?<![\w-])(?:cc[\s-]?0|cc[\s-]zero|creative[\s-]+commons[\s-]+(?:zero|cc0))(?![\w.])", re.I
)
_PD_MARK = re.compile(r"public\s+domain\s+mark", re.I)
_GFDL = re.compile(
    r"(?:gnu\s+free\s+documentation\s+licen[cs]e|(?<![\w-])(?:gnu\s+fdl|gfdl))(?![\w])"
    r"(?:[^0-9;<>|]{0,25}?(?:version|v\.?|-)?\s*(?P<ver>1\.[123])(?!\d))?",
    re.I,
)
_GNU_GPL = re.compile(
    r"(?:version\s+(?P<ver0>[123](?:\.[01])?)\s+of\s+the\s+)?"
    r"(?:(?P<les0>lesser)\s+gnu\s+|gnu\s+(?:(?P<lib>library)\s+|(?P<les>lesser)\s+)?"
    r"|(?:gnu\s+)?(?P<aff>affero)\s+)"
    r"general\s+public\s+"
    r"licen[cs]e(?:[^0-9<>|]{0,80}?(?:version|v\.?)\s*(?P<ver>[123](?:\.[01])?)(?![\d]))?",
    re.I,
)
_GPL_SHORT = re.compile(
    r"(?<![\w-])(?P<fam>a|l)?gpl[\s-]?v?(?P<ver>[123](?:\.[01])?)(?P<later>\+|-or-later)?(?:-only)?"
    r"(?![\w.])",
    re.I,
)
_LATER = re.compile(
    r".{0,80}?(?:or\s+(?:\(at\s+your\s+option\)\s+)?any\s+later|or\s+later)", re.I | re.S
)
_APACHE = re.compile(
    r"apache\s+licen[cs]e(?:[\s,]{0,60}(?:version|v\.?)?\s*(?P<ver>[12]\.[01])(?!\d))?", re.I
)
_MPL = re.compile(
    r"mozilla\s+public\s+licen[cs]e(?:[\s,]{0,60}(?:version|v\.?)?\s*(?P<ver>[12]\.[01])(?!\d))?",
    re.I,
)
_OGL = re.compile(
    r"open\s+government\s+licen[cs]e(?P<ca>\s*[-–—]?\s*canada)?"
    r"(?:[^0-9.;:<>|]{0,30}?(?<![\d.])(?P<ver>[1-3])(?:\.0)?(?![\d.]))?",
    re.I,
)
# (pattern, id, literals one of which the text must contain for the pattern to run)
_FIXED_NAMES: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = tuple(
    (re.compile(pattern, re.I), license_id, literals)
    for pattern, license_id, literals in (
        (
            r"open\s+database\s+licen[cs]e|(?<![\w-])odbl(?![\w])",
            "ODbL-1.0",
            ("database", "odbl"),
        ),
        (
            r"open\s+data\s+commons\s+attribution\s+licen[cs]e|(?<![\w-])odc[\s-]by(?![\w])",
            "ODC-By-1.0",
            ("data commons", "odc"),
        ),
        (
            r"public\s+domain\s+dedication\s+(?:and|&)\s+licen[cs]e|(?<![\w-])pddl(?![\w])",
            "PDDL-1.0",
            ("dedication", "pddl"),
        ),
        (
            r"(?<![\w-])the\s+unlicense(?![\w])"
            r"|free\s+and\s+unencumbered\s+software\s+released\s+into\s+the\s+public\s+domain",
            "Unlicense",
            ("unlicense", "unencumbered"),
        ),
        (
            r"(?<![\w-])wtfpl(?![\w])"
            r"|do\s+what\s+the\s+f[u*][c*][k*]\s+you\s+want\s+to\s+public\s+licen[cs]e",
            "WTFPL",
            ("wtfpl", "what the"),
        ),
    )
)
# An SPDX id right after "License:", "licensed under (the)", "SPDX:": "License: MIT".
_SPDX_AFTER_CUE = re.compile(
    r"(?:\blicen[cs]e[ds]?(?:\s+under)?(?:\s+the)?\s*[:=]?|\bspdx\s*:)\s*[\"'(]?"
    r"(?P<id>[A-Za-z0-9][A-Za-z0-9.+-]*[A-Za-z0-9+])",
    re.I,
)


def _cc_from_elements(elements_text: str, version: str | None) -> str:
    found = {m.lastgroup for m in _CC_ELEMENT_ONE.finditer(elements_text)}
    if "SA" in found and "ND" in found:
        return CC_UNKNOWN
    order = [e for e in ("BY", "NC", "ND", "SA") if e in found]
    return _cc_id("-".join(order), version) if order else CC_UNKNOWN


def _gnu_id(family: str, version: str | None, later: bool) -> str:
    if not version:
        return f"LicenseRef-{family}"
    if "." not in version:
        version = f"{version}.0"
    spdx = _spdx_id(f"{family}-{version}-{'or-later' if later else 'only'}")
    return spdx or f"LicenseRef-{family}-{version}"


def _later(text: str, end: int) -> bool:
    return bool(_LATER.match(text, end))


def _has(low: str, *literals: str) -> bool:
    return any(literal in low for literal in literals)


def find_license_names(text: str) -> list[tuple[int, int, str]]:
    """Licence names, short forms and licence URLs in `text`, as (start, end, id), by start.

    Every name is reported wherever it occurs; whether it licenses the document is decided by
    the caller from where it stands and what precedes it. Each pattern runs only when a
    literal it needs occurs in the text: most windows hold one kind of name.
    """
    low = text.lower()
    found: list[tuple[int, int, str]] = []
    if "creative" in low:
        for m in _CC_LONG.finditer(text):
            license_id = _cc_from_elements(m.group("elems"), m.group("ver"))
            found.append((m.start(), m.end(), license_id))
    if "cc" in low:
        for m in _CC_SHORT.finditer(text):
            license_id = _cc_from_elements(m.group("elems"), m.group("ver"))
            found.append((m.start(), m.end(), license_id))
    if _has(low, "cc", "zero"):
        for m in _CC_ZERO.finditer(text):
            found.append((m.start(), m.end(), "CC0-1.0"))
    if "domain" in low:
        for m in _PD_MARK.finditer(text):
            found.append((m.start(), m.end(), "CC-PDM-1.0"))
    if _has(low, "creativecommons.org", "licensebuttons.net"):
        for m in _CC_URL.finditer(text):
            cc = normalize_cc_url(m.group(0))
            if cc is not None:
                found.append((m.start(), m.end(), cc))
    if _has(low, "documentation", "fdl"):
        for m in _GFDL.finditer(text):
            later = _later(text, m.end())
            found.append((m.start(), m.end(), _gnu_id("GFDL", m.group("ver"), later)))
    if "general" in low:
        for m in _GNU_GPL.finditer(text):
            family = (
                "AGPL"
                if m.group("aff")
                else "LGPL"
                if m.group("lib") or m.group("les") or m.group("les0")
                else "GPL"
            )
            version = m.group("ver0") or m.group("ver")
            found.append((m.start(), m.end(), _gnu_id(family, version, _later(text, m.end()))))
    if "gpl" in low:
        for m in _GPL_SHORT.finditer(text):
            family = {"a": "AGPL", "l": "LGPL"}.get((m.group("fam") or "").lower(), "GPL")
            later = bool(m.group("later")) or _later(text, m.end())
            found.append((m.start(), m.end(), _gnu_id(family, m.group("ver"), later)))
    for pattern, family, literal in ((_APACHE, "Apache", "apache"), (_MPL, "MPL", "mozilla")):
        if literal in low:
            for m in pattern.finditer(text):
                ver = m.group("ver")
                license_id = (_spdx_id(f"{family}-{ver}") or "") if ver else f"LicenseRef-{family}"
                found.append((m.start(), m.end(), license_id))
    if "government" in low:
        for m in _OGL.finditer(text):
            if m.group("ca"):
                license_id = "OGL-Canada-2.0"
            elif m.group("ver"):
                license_id = f"OGL-UK-{m.group('ver')}.0"
            else:
                license_id = "LicenseRef-OGL-UK"
            found.append((m.start(), m.end(), license_id))
    for pattern, license_id, literals in _FIXED_NAMES:
        if _has(low, *literals):
            for m in pattern.finditer(text):
                found.append((m.start(), m.end(), license_id))
    found = [f for f in found if f[2]]
    found.sort()
    return found


def find_spdx_ids_after_cue(text: str) -> list[tuple[int, int, str]]:
    """SPDX ids written right after a licence cue ("License: MIT", "licensed under the
    Apache-2.0"), as (start, end, id). Bare ids elsewhere are not reported: many are words
    ("Fair", "Glide", "curl")."""
    found = []
    for m in _SPDX_AFTER_CUE.finditer(text):
        license_id = _spdx_id(m.group("id"))
        if license_id is not None:
            found.append((m.start("id"), m.end("id"), license_id))
    return found


# SPDX-License-Identifier at the start of a line, after an optional comment marker.
_SPDX_HEADER = re.compile(
    r"^[ \t]*(?:#+|//+|/?\*+|--+|;+|%+|<!--|\{#|\.\.|'|\"|rem\b|!|@rem\b)?[ \t]*"
    r"SPDX-License-Identifier[ \t]*:[ \t]*(?P<expr>[^\r\n]*?)[ \t]*"
    r"(?:\*/|-->|#\}|\*\)|\"\"\"|''')?[ \t]*\r?$",
    re.M | re.I,
)
_EXPRESSION_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def normalize_spdx_expression(expression: str) -> str | None:
    """The canonical form of an SPDX licence expression, GNU ids made explicit (`GPL-2.0+` ->
    `GPL-2.0-or-later`) and Creative Commons ports folded; None when it is not valid."""
    try:
        canonical = canonicalize_license_expression(expression.strip())
    except InvalidLicenseExpression:
        return None
    tokens = []
    for token in _EXPRESSION_TOKEN.findall(canonical):
        if token in ("(", ")", "AND", "OR", "WITH") or token.startswith("LicenseRef-"):
            tokens.append(token)
        else:
            tokens.append(_spdx_id(token) or token)
    return " ".join(tokens).replace("( ", "(").replace(" )", ")")


_REUSE_IGNORED = re.compile(r"REUSE-IgnoreStart.*?(?:REUSE-IgnoreEnd|\Z)", re.S)


def find_spdx_headers(text: str) -> list[tuple[int, str]]:
    """Valid SPDX-License-Identifier expressions at line starts, as (offset, expression).

    Lines that only mention the tag (in code, in prose) are not headers; neither are template
    placeholders such as `{{ expression }}`, which are not valid expressions, nor anything
    between REUSE-IgnoreStart and REUSE-IgnoreEnd (REUSE's markers for quoted examples).
    """
    ignored = [m.span() for m in _REUSE_IGNORED.finditer(text)] if "REUSE-Ignore" in text else []
    found = []
    for m in _SPDX_HEADER.finditer(text):
        if any(start <= m.start() < end for start, end in ignored):
            continue
        expression = normalize_spdx_expression(m.group("expr").strip().strip("\"';,"))
        if expression is not None:
            found.append((m.start(), expression))
    return found


# ---------------------------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------------------------


@cache
def _extractor() -> tldextract.TLDExtract:
    # The public suffix list snapshot bundled with tldextract: no download, no cache writes.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


_IP_HOST = re.compile(r"^[\d.]+$|:")


@lru_cache(maxsize=65536)
def host_domains(host: str) -> tuple[str, str]:
    """(host, registered domain) for a lower-case host name.

    The registered domain is the eTLD+1 under the ICANN section of the public suffix list
    (`news.bbc.co.uk` -> `bbc.co.uk`); IP addresses and hosts without a public suffix
    (`localhost`) are their own registered domain.
    """
    if _IP_HOST.search(host):
        return host, host
    registered = _extractor()(host).top_domain_under_public_suffix
    return host, registered or host


def url_domains(url: str | None) -> tuple[str | None, str | None]:
    """(domain, registered domain) of a URL: the lower-case host without port or trailing dot,
    and its eTLD+1 (see `host_domains`); (None, None) without a usable URL."""
    if not url:
        return None, None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None, None
    if not host:
        return None, None
    return host_domains(host.rstrip("."))


def _domain_in(host: str | None, domains: frozenset[str]) -> bool:
    """Whether `host` is one of `domains` or a subdomain of one."""
    if not host or not domains:
        return False
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))


# ---------------------------------------------------------------------------------------------
# HTML scanning
# ---------------------------------------------------------------------------------------------

_TAG_NAME = re.compile(rb"<([a-z][a-z0-9:-]*)")
_ATTR = re.compile(rb"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_LINK_OR_META = re.compile(rb"<(?:link|meta)\b[^>]*>")
_BLOCK_TAGS = (
    "p|div|li|ul|ol|dl|dt|dd|tr|td|th|table|tbody|section|article|header|footer|nav|aside|"
    "h[1-6]|figure|figcaption|body|main|blockquote|form|center|address"
)
_BLOCK_TAG = re.compile(rf"<(?:/?(?:{_BLOCK_TAGS})\b|br\b|hr\b)".encode())
_TAG_STR = re.compile(rf"<(?:(/?(?:{_BLOCK_TAGS})\b|br\b|hr\b)|[^>])[^>]*>")
_WHITESPACE = re.compile(r"\s+")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_FOOTER_CLASS = re.compile(rb"(?:^|[_-])footer(?:$|[_-])")

_LICENSE_META_NAMES = frozenset(
    "license licence dc.rights dc:rights dc.rights.license dc.license dc:license "
    "dcterms.license dcterms:license dcterms.rights dcterms:rights dct:license dct.license "
    "cc:license schema:license og:license article:license rights copyright copyrightnotice "
    "citation_license".split()
)
# JSON-LD nodes and properties that describe media, not the page.
_MEDIA_TYPES = frozenset(
    "imageobject photograph videoobject audioobject mediaobject 3dmodel musicrecording "
    "imagegallery".split()
)
_MEDIA_KEYS = frozenset(
    "image logo thumbnail thumbnailurl photo photos video audio associatedmedia "
    "primaryimageofpage screenshot trailer encoding".split()
)
_LICENSE_KEYS = frozenset(
    "license licence schema:license http://schema.org/license https://schema.org/license".split()
)

# "photo by ...", "icons from Flaticon", "map data © OpenStreetMap": the licence covers media.
_MEDIA_WORDS = re.compile(
    r"\b(?:photo\w*|foto\w*|image[sn]?|imagen(?:es)?|picture|pictures|pics?|illustrat\w*|"
    r"drawing|artwork|graphics?|diagram|chart|screenshot|thumbnail|wallpaper|banner|"
    r"maps?|mapa|karte|kartendaten|tiles?|icons?|fonts?|typeface|logos?|videos?|audio|music|"
    r"song|sound|podcast|clip|bild(?:er)?|abbildung|flickr|wikimedia|unsplash|pixabay|"
    r"openstreetmap|leaflet|mapbox|stamen|thunderforest|carto|fontawesome|font\s+awesome|"
    r"flaticon|icons8|noun\s+project|glyphicons|courtesy|credits?)\b",
    re.I,
)
# "this work is licensed", "content on this site", "except where otherwise noted": the page.
_PAGE_SUBJECT = re.compile(
    r"\b(?:this|the|our|all|dieses?|ce|cette|este|esta|questo|questa)\s+"
    r"(?:work|site|website|web\s*site|blog|page|article|content|text|post|document|book|wiki|"
    r"material|publication|werk|inhalt|œuvre|oeuvre|contenu|obra|contenido|opera|contenuto)s?"
    r"\s+(?:is|are|ist|sind|est|sont|es|está|son|è|sono)\s+"
    r"(?:licen|lizen|available|released|published|distributed|shared|made|verfügbar|"
    r"disponible|mis|publicad|distribu|rilasciat|pubblicat)"
    r"|\b(?:content|text|material|contents|texts)\s+(?:on|of)\s+(?:this|the)\s+"
    r"(?:site|website|blog|page|wiki)"
    # "Text and photos: CC BY-SA", "Texte : ...": a credit that includes the text
    r"|\b(?:text|texte|texto|testo|tekst|content|inhalt|contenido)s?\s*(?::|(?:and|&|\+|,|und|et|y|e)\s)"
    r"|\btext\s+is\s+available\s+under|\bexcept\s+where\s+otherwise\s+noted"
    r"|\bunless\s+otherwise\s+(?:noted|stated|indicated|specified)",
    re.I,
)
# A licensing verb or preposition shortly before a name in running text.
_CUE = re.compile(
    r"licen[cs]|lizen[sz]|licenz|licentie|\bunder\b|\bsous\b|\bbajo\b|\bunter\b|\bonder\b|"
    r"\bsotto\b|\bsob\b|\bbaixo\b|\bavailable\b|\breleased\b|\bpublished\b|\bdistributed\b|"
    r"\bdedicated\b|\bwaived?\b|©|\(c\)|\bcopyright\b",
    re.I,
)

# Substrings that start a closer look at the visible text around them. Each costs one fast
# substring search over the page, which is most of the cost of a page without any licence.
_TEXT_HINTS = (b"commons", b"licen", b"cc-by", b"cc by", b"cc0")
_CONTEXT_BYTES = 300


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    """Attributes of one start tag (lower-cased input), first occurrence wins."""
    name_end = tag.find(b" ")
    out: dict[bytes, bytes] = {}
    if name_end < 0:
        return out
    for m in _ATTR.finditer(tag, name_end):
        key = m.group(1)
        if key not in out:
            out[key] = m.group(2) or m.group(3) or m.group(4) or b""
    return out


def _value(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return (html.unescape(text) if "&" in text else text).strip()


def _tokens(raw: bytes) -> set[str]:
    return set(_value(raw).lower().replace(",", " ").split())


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans covering the same bytes (so `_inside` can bisect)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _intervals(low: bytes, opener: bytes, closer: bytes) -> list[tuple[int, int]]:
    out = []
    start = low.find(opener)
    while start >= 0:
        end = low.find(closer, start + len(opener))
        end = len(low) if end < 0 else end + len(closer)
        out.append((start, end))
        start = low.find(opener, end)
    return out


def _inside(intervals: list[tuple[int, int]], pos: int) -> bool:
    i = bisect_right(intervals, (pos, 1 << 62)) - 1
    return i >= 0 and intervals[i][0] <= pos < intervals[i][1]


@lru_cache(maxsize=64)
def _open_or_close(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<(/?)" + re.escape(name) + rb"\b")


def _matching_close(low: bytes, name: bytes, start: int) -> int:
    """End of the element whose start tag ends at `start`, counting nested same-name tags."""
    depth = 1
    for m in _open_or_close(name).finditer(low, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    return len(low)


class _Page:
    """One HTML page and its lazily computed structure: where <head> ends, which byte ranges
    are script/style/comments (never visible text), footers and figures.

    Everything works on the lower-cased bytes (same offsets as the raw ones); visible text is
    decoded from them too, since every pattern matching it ignores case.
    """

    def __init__(self, raw: bytes, charset: str | None) -> None:
        self.low = raw.lower()
        self.encoding = "utf-8"
        if charset:
            try:
                self.encoding = codecs.lookup(charset).name
            except LookupError:
                pass
        head_end = self.low.find(b"</head")
        if head_end < 0:
            head_end = self.low.find(b"<body")
        self.head_end = max(head_end, 0)
        self._hidden: list[tuple[int, int]] | None = None
        self._footers: list[tuple[int, int]] | None = None
        self._figures: list[tuple[int, int]] | None = None

    def decode(self, start: int, end: int) -> str:
        chunk = self.low[start:end]
        try:
            return chunk.decode(self.encoding)
        except UnicodeDecodeError:
            return chunk.decode("cp1252", "replace")

    @property
    def hidden(self) -> list[tuple[int, int]]:
        if self._hidden is None:
            self._hidden = _union(
                _intervals(self.low, b"<script", b"</script")
                + _intervals(self.low, b"<style", b"</style")
                + _intervals(self.low, b"<!--", b"-->")
            )
        return self._hidden

    @property
    def footers(self) -> list[tuple[int, int]]:
        if self._footers is None:
            self._footers = self._regions((b"footer", b"contentinfo"), self._is_footer)
        return self._footers

    @property
    def figures(self) -> list[tuple[int, int]]:
        if self._figures is None:
            self._figures = self._regions(
                (b"<figure", b"<figcaption"), lambda name, _tag: name in (b"figure", b"figcaption")
            )
        return self._figures

    def _regions(
        self, needles: tuple[bytes, ...], accept: Callable[[bytes, bytes], bool]
    ) -> list[tuple[int, int]]:
        """Elements whose start tag contains a needle and passes `accept(name, tag)`; an
        occurrence inside an element already found is skipped (only the outer one counts)."""
        low = self.low
        positions = []
        for needle in needles:
            pos = low.find(needle)
            while pos >= 0:
                positions.append(pos)
                pos = low.find(needle, pos + len(needle))
        out: list[tuple[int, int]] = []
        for pos in sorted(positions):
            if out and pos < out[-1][1]:
                continue
            tag = self.enclosing_tag(pos)
            if tag is None:
                continue
            start, end = tag
            name = _TAG_NAME.match(low, start)
            if name is None or not accept(name.group(1), low[start:end]):
                continue
            close = _matching_close(low, name.group(1), end)
            # A "has-footer" class on a wrapper of the whole page is a layout hint: a footer
            # holds no main content.
            if needles[0] == b"footer" and any(
                low.find(t, end, close) >= 0 for t in (b"<main", b"<article", b"<h1")
            ):
                continue
            out.append((start, close))
        return out

    @staticmethod
    def _is_footer(name: bytes, tag: bytes) -> bool:
        if name == b"footer":
            return True
        if name in (b"html", b"body", b"main", b"a", b"img", b"link", b"meta", b"script"):
            return False
        attrs = _attrs(tag)
        if attrs.get(b"role") == b"contentinfo":
            return True
        classes = (attrs.get(b"id", b"") + b" " + attrs.get(b"class", b"")).split()
        return any(_FOOTER_CLASS.search(c) for c in classes)

    def enclosing_tag(self, pos: int) -> tuple[int, int] | None:
        """(start, end) of the tag that contains byte `pos`, or None when `pos` is in text."""
        start = self.low.rfind(b"<", 0, pos + 1)
        if start < 0 or self.low.find(b">", start, pos) >= 0:
            return None
        end = self.low.find(b">", pos)
        return start, (len(self.low) if end < 0 else end + 1)

    def placement(self, pos: int) -> Placement:
        if pos < self.head_end:
            return Placement.HEAD
        if _inside(self.footers, pos):
            return Placement.FOOTER
        return Placement.BODY

    def block_before(self, pos: int) -> int:
        """Start of the text block that `pos` is in: just after the last block boundary."""
        start = max(0, pos - 600)
        last = None
        for last in _BLOCK_TAG.finditer(self.low, start, pos):  # noqa: B007 - want the last
            pass
        if last is not None:
            end_of_tag = self.low.find(b">", last.start(), pos)
            start = pos if end_of_tag < 0 else end_of_tag + 1
        return start

    def text(self, start: int, end: int) -> str:
        """Visible text of a byte range, roughly: tags removed, block tags as line breaks."""
        text = _TAG_STR.sub(lambda m: "\n" if m.group(1) else " ", self.decode(start, end))
        return html.unescape(text) if "&" in text else text

    def visible_text(self, start: int, end: int) -> tuple[str, Callable[[int], int]]:
        """Text of a byte range (tags removed, block tags as line breaks, entities decoded,
        whitespace collapsed) and a map from a text index to the page offset of its piece."""
        low = self.low
        # Do not start or end inside a tag.
        if low.rfind(b"<", 0, start) > low.rfind(b">", 0, start):
            nxt = low.find(b">", start, end)
            start = end if nxt < 0 else nxt + 1
        last_lt = low.rfind(b"<", start, end)
        if last_lt >= 0 and low.find(b">", last_lt, end) < 0:
            end = last_lt
        window = self.decode(start, end)
        pieces: list[str] = []
        text_starts: list[int] = []
        window_starts: list[int] = []
        size = 0
        cursor = 0
        for m in _TAG_STR.finditer(window):
            piece = window[cursor : m.start()]
            if "&" in piece:
                piece = html.unescape(piece)
            piece = _WHITESPACE.sub(" ", piece) + ("\n" if m.group(1) else " ")
            text_starts.append(size)
            window_starts.append(cursor)
            pieces.append(piece)
            size += len(piece)
            cursor = m.end()
        piece = window[cursor:]
        text_starts.append(size)
        window_starts.append(cursor)
        pieces.append(_WHITESPACE.sub(" ", html.unescape(piece) if "&" in piece else piece))

        def to_page(index: int) -> int:
            at = window_starts[max(0, bisect_right(text_starts, index) - 1)]
            return start + len(window[:at].encode(self.encoding, "replace"))

        return "".join(pieces), to_page


def _is_badge(attrs: dict[bytes, bytes]) -> bool:
    src = attrs.get(b"src", b"")
    alt = attrs.get(b"alt", b"")
    return (
        b"creativecommons.org" in src
        or b"licensebuttons.net" in src
        or b"88x31" in src
        or b"80x15" in src
        or b"creative commons" in alt
        or b"licen" in alt
    )


def _media_context(left: str, inner: str = "") -> bool:
    """Whether the text around a licence claim says it covers media rather than the page."""
    context = f"{left} {inner}"
    if _PAGE_SUBJECT.search(context):
        return False
    return bool(_MEDIA_WORDS.search(context))


def _last_line(text: str, limit: int = 200) -> str:
    return text[text.rfind("\n") + 1 :][-limit:]


def _image_before(page: _Page, block_start: int, pos: int) -> bool:
    """Whether a content image (not a licence badge) stands in the same block shortly before."""
    low = page.low
    img = low.find(b"<img", max(block_start, pos - 400), pos)
    while img >= 0:
        img_end = low.find(b">", img, pos)
        if not _is_badge(_attrs(low[img : img_end + 1 if img_end >= 0 else pos])):
            return True
        img = low.find(b"<img", img + 4, pos)
    return False


def _anchor_candidate(page: _Page, start: int, end: int) -> Candidate | None:
    """A licence claim from one <a> start tag at [start, end), or None.

    The claim covers media when the link sits in a <figure>, follows a content image in the
    same block (outside head and footer), or its text or the text before it in its block
    names media ("Photo by ...", "icons from ...")."""
    attrs = _attrs(page.low[start:end])
    href = _value(attrs.get(b"href", b""))
    license_id = normalize_license_url(href) if href else None
    if license_id is None:
        return None
    rel = _tokens(attrs.get(b"rel", b"")) | _tokens(attrs.get(b"itemprop", b""))
    is_rel = "license" in rel or "licence" in rel
    if not is_rel and normalize_cc_url(href) is None:
        return None  # a plain link to a software licence page is a citation, not a claim
    placement = page.placement(start)
    block_start = page.block_before(start)
    media = _inside(page.figures, start) or (
        placement is Placement.BODY and _image_before(page, block_start, start)
    )
    if not media:
        close = page.low.find(b"</a", end, end + 400)
        inner = page.text(end, close) if close >= 0 else ""
        media = _media_context(_last_line(page.text(block_start, start)), inner)
    evidence = Evidence.A_REL if is_rel else Evidence.CC_LINK
    return Candidate(license_id, evidence, placement, media, start)


def _json_ld_licenses(node: Any, media: bool, out: list[tuple[str, bool]]) -> None:
    """Walk a JSON-LD value; collect (licence value, covers media) pairs."""
    if isinstance(node, list):
        for item in node:
            _json_ld_licenses(item, media, out)
        return
    if not isinstance(node, dict):
        return
    types = node.get("@type", ())
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    media = media or any(isinstance(t, str) and t.lower() in _MEDIA_TYPES for t in types)
    for key, value in node.items():
        lowered = key.lower() if isinstance(key, str) else ""
        if lowered in _LICENSE_KEYS:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    item = item.get("url") or item.get("@id") or item.get("name") or ""
                if isinstance(item, str) and item:
                    out.append((item, media))
        elif isinstance(value, (dict, list)):
            _json_ld_licenses(value, media or lowered in _MEDIA_KEYS, out)


def _license_from_value(value: str) -> str | None:
    """A licence from a metadata value: a licence URL, a licence name, or a bare SPDX id."""
    license_id = normalize_license_url(value)
    if license_id is not None:
        return license_id
    names = find_license_names(value)
    if names:
        return names[0][2]
    token = value.strip()
    if token and " " not in token and len(token) < 60:
        return _spdx_id(token)
    return None


@lru_cache(maxsize=16)
def _interesting_tag(robots_names: tuple[str, ...]) -> re.Pattern[bytes]:
    """Keywords a <link>/<meta> tag must contain to be worth parsing."""
    names = b"|".join(re.escape(n.encode()) for n in robots_names)
    return re.compile(rb"licen|rights|tdm-|copyright|x-robots|" + names)


def _head_candidates(page: _Page, settings: LicenseSettings, signals: list[str]) -> list[Candidate]:
    """<link> and <meta> tags: licence links and metas, robots and TDMRep opt-outs."""
    low = page.low
    found = []
    robots_names = settings.robots_meta_names
    interesting = _interesting_tag(robots_names)
    # Opt-out and licence metas belong in <head>; in the body only microdata (itemprop=license)
    # is read, and only when the page mentions a licence at all.
    scan_end = len(low) if b"licen" in low else max(page.head_end, low.find(b"<body"))
    for m in _LINK_OR_META.finditer(low, 0, scan_end if scan_end > 0 else len(low)):
        tag = m.group(0)
        if interesting.search(tag) is None or _inside(page.hidden, m.start()):
            continue
        attrs = _attrs(tag)
        placement = page.placement(m.start())
        if tag.startswith(b"<link"):
            rel = _tokens(attrs.get(b"rel", b""))
            itemprop = _tokens(attrs.get(b"itemprop", b""))
            if rel & {"license", "licence"} or itemprop & {"license", "licence"}:
                license_id = normalize_license_url(_value(attrs.get(b"href", b"")))
                if license_id is not None:
                    evidence = Evidence.LINK_REL if rel & {"license", "licence"} else Evidence.META
                    found.append(Candidate(license_id, evidence, placement, False, m.start()))
            continue
        name = _value(
            attrs.get(b"name") or attrs.get(b"property") or attrs.get(b"itemprop") or b""
        ).lower()
        content = _value(attrs.get(b"content", b""))
        http_equiv = _value(attrs.get(b"http-equiv", b"")).lower()
        if name in _LICENSE_META_NAMES and content:
            license_id = _license_from_value(content)
            if license_id is not None:
                found.append(Candidate(license_id, Evidence.META, placement, False, m.start()))
        elif name in robots_names:
            for directive in _tokens(attrs.get(b"content", b"")):
                if directive in settings.opt_out_directives:
                    signals.append(f"meta_robots_{directive}")
        elif http_equiv == "x-robots-tag":
            signals.extend(f"meta_robots_{d}" for d in _robots_header_directives(content, settings))
        elif name == "tdm-reservation" and content == "1":
            signals.append(OptOutSignal.TDM_RESERVATION_META)
        elif name == "tdm-policy" and content:
            signals.append(OptOutSignal.TDM_POLICY_META)
    return found


def _json_ld_candidates(page: _Page) -> list[Candidate]:
    low = page.low
    found = []
    pos = low.find(b"ld+json")
    while pos >= 0:
        tag = page.enclosing_tag(pos)
        if tag is not None and low.startswith(b"<script", tag[0]):
            close = low.find(b"</script", tag[1])
            close = len(low) if close < 0 else close
            if low.find(b"licen", tag[1], close) >= 0:
                try:
                    data = json.loads(page.decode(tag[1], close), strict=False)
                except ValueError:
                    data = None  # invalid JSON-LD is not evidence
                values: list[tuple[str, bool]] = []
                _json_ld_licenses(data, False, values)
                placement = page.placement(tag[0])
                for value, media in values:
                    license_id = _license_from_value(value)
                    if license_id is not None:
                        found.append(
                            Candidate(license_id, Evidence.JSON_LD, placement, media, tag[0])
                        )
            pos = low.find(b"ld+json", close)
        else:
            pos = low.find(b"ld+json", pos + 7)
    return found


def _link_candidates(page: _Page, needles: tuple[bytes, ...]) -> list[Candidate]:
    """<a> tags that link a licence (Creative Commons, or any with rel=license) and Creative
    Commons badge images that are not inside such a link."""
    low = page.low
    found = []
    seen: set[int] = set()
    for needle in needles:
        pos = low.find(needle)
        while pos >= 0:
            tag = page.enclosing_tag(pos)
            nxt = pos + len(needle)
            if tag is not None and tag[0] not in seen and not _inside(page.hidden, tag[0]):
                seen.add(tag[0])
                start, end = tag
                name = _TAG_NAME.match(low, start)
                tag_name = name.group(1) if name else b""
                if tag_name == b"a":
                    candidate = _anchor_candidate(page, start, end)
                    if candidate is not None:
                        found.append(candidate)
                elif tag_name == b"img" and needle != b"licen":
                    candidate = _badge_candidate(page, start, end)
                    if candidate is not None:
                        found.append(candidate)
                nxt = max(nxt, end)
            pos = low.find(needle, nxt)
    return found


def _open_anchor_before(low: bytes, pos: int) -> int:
    """Start of the <a> element still open at `pos`, or -1."""
    floor = max(0, pos - 2000)
    opening = low.rfind(b"<a", floor, pos)
    while opening >= 0 and low[opening + 2 : opening + 3] not in (b" ", b">", b"\t", b"\n", b"\r"):
        opening = low.rfind(b"<a", floor, opening)
    if opening >= 0 and low.find(b"</a", opening, pos) < 0:
        return opening
    return -1


def _badge_candidate(page: _Page, start: int, end: int) -> Candidate | None:
    low = page.low
    opening = _open_anchor_before(low, start)
    if opening >= 0:
        opening_end = low.find(b">", opening)
        href = _value(_attrs(low[opening : opening_end + 1]).get(b"href", b""))
        if normalize_license_url(href) is not None:
            return None  # the badge of a licence link: the link is the claim
    license_id = normalize_cc_url(_value(_attrs(low[start:end]).get(b"src", b"")))
    if license_id is None:
        return None
    media = _inside(page.figures, start)
    return Candidate(license_id, Evidence.CC_BADGE, page.placement(start), media, start)


def _text_windows(
    low: bytes | str, hints: tuple[Any, ...], skip: Callable[[int], bool]
) -> list[tuple[int, int]]:
    """Merged [start, end) windows of ±_CONTEXT_BYTES around every hint occurrence not skipped."""
    positions = []
    for hint in hints:
        pos = low.find(hint)
        while pos >= 0:
            if not skip(pos):
                positions.append(pos)
            pos = low.find(hint, pos + len(hint))
    positions.sort()
    windows: list[tuple[int, int]] = []
    for pos in positions:
        start, end = max(0, pos - _CONTEXT_BYTES), min(len(low), pos + _CONTEXT_BYTES)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _statement_candidates(
    text: str,
    to_doc: Callable[[int], int],
    placement: Callable[[int], Placement],
    in_figure: Callable[[int], bool],
    accept_head: bool,
) -> list[Candidate]:
    """Licence statements in a piece of visible text; `to_doc` maps a text index to the
    document offset.

    A versioned name counts in a footer (or, for plain text, in its first lines) as it stands;
    elsewhere, and without a version, only after a licensing verb or preposition in the same
    line ("licensed under", "available under", "unter der Lizenz"), so that an article about
    licences is not licensed by them.
    """
    found = []
    for start, _end, license_id in find_license_names(text):
        offset = to_doc(start)
        where = placement(offset)
        needs_cue = (
            where is Placement.BODY
            or (where is Placement.HEAD and not accept_head)
            or license_id.startswith("LicenseRef-")
        )
        if needs_cue and not _CUE.search(_last_line(text[:start], 120)):
            continue
        evidence = Evidence.FOOTER_TEXT if where is Placement.FOOTER else Evidence.BODY_TEXT
        media = in_figure(offset) or _media_context(_last_line(text[:start], 200))
        found.append(Candidate(license_id, evidence, where, media, offset))
    return found


def find_html_candidates(
    payload: bytes,
    settings: LicenseSettings,
    charset: str | None = None,
    signals: list[str] | None = None,
) -> list[Candidate]:
    """Every licence claim in an HTML page, in document order; opt-out signals found in its
    <meta> tags are appended to `signals`."""
    page = _Page(payload, charset)
    low = page.low
    sink: list[str] = [] if signals is None else signals
    found = _head_candidates(page, settings, sink)
    hints = tuple(h for h in _TEXT_HINTS if h in low)
    if not hints:
        return found
    has_licen = b"licen" in hints
    if has_licen and b"ld+json" in low:
        found.extend(_json_ld_candidates(page))
    link_needles = tuple(
        n
        for n in (b"creativecommons.org", b"licensebuttons.net")
        if (b"commons" in hints or has_licen) and n in low
    ) + ((b"licen",) if has_licen else ())
    if link_needles:
        found.extend(_link_candidates(page, link_needles))

    def skip(pos: int) -> bool:
        return page.enclosing_tag(pos) is not None or _inside(page.hidden, pos)

    for start, end in _text_windows(low, hints, skip):
        text, to_page = page.visible_text(start, end)
        found.extend(
            _statement_candidates(
                text,
                to_page,
                page.placement,
                lambda pos: _inside(page.figures, pos),
                accept_head=False,
            )
        )
    found.sort(key=lambda c: c.offset)
    return found


_TEXT_HINTS_STR = (
    *(h.decode() for h in _TEXT_HINTS),
    "creative",
    "lizenz",
    "unencumbered",
    "gpl",
    "gfdl",
    "odbl",
)
_TEXT_FOOTER_CHARS = 1000
_TEXT_HEAD_CHARS = 300


def find_text_candidates(text: str) -> list[Candidate]:
    """Every licence claim in a plain text: SPDX headers, statements, ids after a cue."""
    low = text.lower()
    headers = find_spdx_headers(text) if "spdx-license-identifier" in low else []
    found = [
        Candidate(expression, Evidence.SPDX_HEADER, Placement.HEAD, False, offset)
        for offset, expression in headers
    ]
    if not any(h in low for h in _TEXT_HINTS_STR):
        return found
    size = len(text)
    footer_start = max(size - _TEXT_FOOTER_CHARS, int(size * 0.8))

    def placement(pos: int) -> Placement:
        if pos < _TEXT_HEAD_CHARS:
            return Placement.HEAD
        return Placement.FOOTER if pos >= footer_start else Placement.BODY

    def near_header(pos: int) -> bool:
        # The expression of a header line reads as a name too; the header already counts it.
        return any(0 <= pos - offset < 200 for offset, _ in headers)

    for start, end in _text_windows(low, _TEXT_HINTS_STR, lambda _p: False):
        window = text[start:end]

        def to_doc(index: int, base: int = start) -> int:
            return base + index

        statements = _statement_candidates(
            window, to_doc, placement, lambda _p: False, accept_head=True
        )
        found.extend(c for c in statements if not near_header(c.offset))
        for id_start, _id_end, license_id in find_spdx_ids_after_cue(window):
            offset = start + id_start
            if near_header(offset):
                continue
            media = _media_context(_last_line(window[:id_start], 200))
            found.append(
                Candidate(license_id, Evidence.SPDX_TEXT, placement(offset), media, offset)
            )
    found.sort(key=lambda c: c.offset)
    return found


# ---------------------------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------------------------


def rank_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates in decision order: detector, then placement (head, footer, body), then
    document order."""
    return sorted(
        candidates, key=lambda c: (_RANK[c.evidence], _PLACEMENT_RANK[c.placement], c.offset)
    )


def _base_confidence(candidate: Candidate) -> float:
    edge, body = _BASE_CONFIDENCE[candidate.evidence]
    return body if candidate.placement is Placement.BODY else edge


def _family(license_id: str) -> str | None:
    """`CC-BY-SA` for `LicenseRef-CC-BY-SA`: the prefix of the versioned ids it stands for."""
    if license_id.startswith("LicenseRef-") and license_id != CC_UNKNOWN:
        rest = license_id[len("LicenseRef-") :]
        if not rest[-1].isdigit():
            return rest
    return None


def _compatible(a: str, b: str) -> bool:
    """Whether two ids can name the same licence (one is a versionless form of the other)."""
    if a == b:
        return True
    for versionless, other in ((a, b), (b, a)):
        if versionless == CC_UNKNOWN and (other.startswith(("CC-", "CC0", "LicenseRef-CC-"))):
            return True
        family = _family(versionless)
        if (
            family
            and other.startswith(family + "-")
            and other[len(family) + 1 : len(family) + 2].isdigit()
        ):
            return True
    return False


def _combine_headers(ranked: list[Candidate]) -> str | None:
    """Several distinct SPDX headers in one file all apply (REUSE): join them with AND."""
    expressions = list(
        dict.fromkeys(c.license for c in ranked if c.evidence is Evidence.SPDX_HEADER)
    )
    if len(expressions) < 2:
        return None
    parts = [f"({e})" if " OR " in e else e for e in expressions]
    return " AND ".join(parts)


def decide_license(candidates: list[Candidate]) -> tuple[str, str | None, float]:
    """The page's own licence: (id or `unknown`, evidence, confidence).

    Media claims never decide. The best-ranked claim wins; a versionless claim gives way to
    the best compatible versioned one. Agreeing claims from other detectors raise the
    confidence, a credible conflicting claim lowers it (docs/licensing.md, "Confidence").
    """
    ranked = rank_candidates([c for c in candidates if not c.media])
    if not ranked:
        return UNKNOWN, None, 0.0
    best = ranked[0]
    if best.evidence is Evidence.SPDX_HEADER:
        combined = _combine_headers(ranked)
        if combined is not None:
            return combined, best.evidence.value, round(_base_confidence(best), 2)
    if _family(best.license) or best.license == CC_UNKNOWN:
        for other in ranked[1:]:
            if (
                not _family(other.license)
                and other.license != CC_UNKNOWN
                and _compatible(best.license, other.license)
            ):
                best = other
                break
    confidence = _base_confidence(best)
    agreeing = {best.evidence}
    conflict = 0.0
    for other in ranked:
        if other is best:
            continue
        if _compatible(best.license, other.license):
            if other.evidence not in agreeing:
                agreeing.add(other.evidence)
                confidence += _AGREEMENT_BONUS
        else:
            strong = _base_confidence(other) >= _STRONG
            conflict = max(conflict, _STRONG_CONFLICT_PENALTY if strong else _WEAK_CONFLICT_PENALTY)
    confidence = min(0.99, confidence) - conflict
    return best.license, best.evidence.value, round(max(0.05, confidence), 2)


# ---------------------------------------------------------------------------------------------
# Opt-out
# ---------------------------------------------------------------------------------------------

_ROBOTS_DIRECTIVES_WITH_COLON = frozenset(
    {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}
)


def _robots_header_directives(value: str, settings: LicenseSettings) -> list[str]:
    """Opt-out directives in one X-Robots-Tag value that apply to us: unprefixed ones, or
    those after a user-agent prefix listed in `robots_meta_names` ("CCBot: noai")."""
    prefix, sep, rest = value.partition(":")
    if (
        sep
        and prefix.strip().lower() not in _ROBOTS_DIRECTIVES_WITH_COLON
        and " " not in prefix.strip()
    ):
        if prefix.strip().lower() not in settings.robots_meta_names:
            return []
        value = rest
    tokens = value.lower().replace(",", " ").split()
    return [t for t in dict.fromkeys(tokens) if t in settings.opt_out_directives]


def header_signals(
    headers: tuple[tuple[str, str], ...], settings: LicenseSettings
) -> tuple[list[str], list[Candidate]]:
    """Opt-out signals and `Link: <...>; rel="license"` claims in HTTP response headers."""
    signals: list[str] = []
    claims: list[Candidate] = []
    reserved = False
    policy = False
    for name, value in headers:
        if name == "x-robots-tag":
            signals.extend(f"x_robots_tag_{d}" for d in _robots_header_directives(value, settings))
        elif name == "tdm-reservation":
            reserved = reserved or value.strip() == "1"
        elif name == "tdm-policy":
            policy = policy or bool(value.strip())
        elif name == "link" and "licen" in value.lower():
            for m in re.finditer(r"<([^>]*)>([^,<]*)", value):
                rel = re.search(r"rel\s*=\s*\"?([^\";]*)", m.group(2), re.I)
                if rel and {"license", "licence"} & set(rel.group(1).lower().split()):
                    license_id = normalize_license_url(m.group(1))
                    if license_id is not None:
                        claims.append(
                            Candidate(license_id, Evidence.LINK_REL, Placement.HEAD, False, -1)
                        )
    if reserved:
        signals.append(OptOutSignal.TDM_RESERVATION_HEADER)
        if policy:
            signals.append(OptOutSignal.TDM_POLICY_HEADER)
    return signals, claims


def _ordered_signals(signals: list[str]) -> tuple[str, ...]:
    """Signals deduplicated in a fixed order (robots first, then TDMRep, then the domain list),
    so identical documents give identical ledgers."""
    fixed = [s.value for s in OptOutSignal]
    unique = set(str(s) for s in signals)
    if OptOutSignal.TDM_RESERVATION_META not in unique:
        unique.discard(OptOutSignal.TDM_POLICY_META)  # a policy applies only to reserved rights
    robots = sorted(s for s in unique if s not in fixed)
    return tuple(robots + [s for s in fixed if s in unique])


# ---------------------------------------------------------------------------------------------
# The document-level function
# ---------------------------------------------------------------------------------------------

_PLAIN_TYPES = ("text/plain", "text/markdown", "text/x-", "application/x-sh")


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CHARSET.search(content_type)
    return m.group(1) if m else None


def tag_document(doc: Doc, settings: LicenseSettings, count: Count | None = None) -> LicenseTags:
    """Licence, opt-out and domain tags of one document (pure: `doc` is not modified).

    HTML payloads are read as markup; plain-text inputs (no payload, or a text/plain response)
    through their text. `count` receives one counter name per finding: `evidence_<kind>`,
    `license_unknown`, `media_claims_skipped`, `opt_out_<signal>`.
    """
    signals, claims = header_signals(doc.http_headers, settings)
    content_type = (doc.content_type or "").lower()
    if doc.payload and not content_type.startswith(_PLAIN_TYPES):
        claims.extend(find_html_candidates(doc.payload, settings, _charset(content_type), signals))
    else:
        text = doc.text
        if not text and doc.payload:
            try:
                text = doc.payload.decode(_charset(content_type) or "utf-8", "replace")
            except LookupError:  # an unknown charset name
                text = doc.payload.decode("utf-8", "replace")
        claims.extend(find_text_candidates(text))
    domain, registered = url_domains(doc.url)
    if _domain_in(domain, settings.opt_out_domain_set):
        signals.append(OptOutSignal.DOMAIN_LIST)
    license_id, evidence, confidence = decide_license(claims)
    ordered = _ordered_signals(signals)
    if count is not None:
        count(f"evidence_{evidence}" if evidence else "license_unknown")
        skipped = sum(1 for c in claims if c.media)
        for _ in range(skipped):
            count("media_claims_skipped")
        for signal in ordered:
            count(f"opt_out_{signal}")
    return LicenseTags(
        license=license_id,
        evidence=evidence,
        confidence=confidence,
        opt_out=bool(ordered),
        opt_out_signals=ordered,
        domain=domain,
        registered_domain=registered,
        candidates=tuple(claims),
    )


def apply_tags(doc: Doc, tags: LicenseTags) -> None:
    """Write the tags into the document's licence and opt-out fields."""
    doc.license = tags.license
    doc.license_evidence = tags.evidence
    doc.license_confidence = tags.confidence
    doc.opt_out = tags.opt_out
    doc.opt_out_signals = list(tags.opt_out_signals)
    doc.domain = tags.domain
    doc.registered_domain = tags.registered_domain


# ---------------------------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------------------------


def _expression_allowed(expression: str, allowed: frozenset[str]) -> bool:
    """Whether an SPDX expression is satisfiable with allowed ids: OR needs one side, AND both;
    `WITH` exceptions follow their licence."""
    tokens = _EXPRESSION_TOKEN.findall(expression)
    pos = 0

    def parse_or() -> bool:
        nonlocal pos
        value = parse_and()
        while pos < len(tokens) and tokens[pos].upper() == "OR":
            pos += 1
            value = parse_and() or value
        return value

    def parse_and() -> bool:
        nonlocal pos
        value = parse_atom()
        while pos < len(tokens) and tokens[pos].upper() == "AND":
            pos += 1
            value = parse_atom() and value
        return value

    def parse_atom() -> bool:
        nonlocal pos
        if pos >= len(tokens):
            return False
        token = tokens[pos]
        pos += 1
        if token == "(":
            value = parse_or()
            pos += 1  # the closing parenthesis
            return value
        if pos < len(tokens) and tokens[pos].upper() == "WITH":
            pos += 2
        return token.lower() in allowed

    return parse_or()


def check(doc: Doc, settings: LicenseSettings) -> list[str]:
    """The drop reasons `doc` fails under the build's policy, most specific first: a denied
    domain, then an honoured opt-out, then a licence outside the allowed list."""
    reasons: list[str] = []
    # The tagging step already wrote the host; documents checked on their own fall back to the URL.
    host = doc.domain or url_domains(doc.url)[0]
    if _domain_in(host, settings.domain_deny_set) or (
        settings.domain_allow_set and not _domain_in(host, settings.domain_allow_set)
    ):
        reasons.append(DropReason.DOMAIN_DENIED.value)
    if settings.honour_opt_out and doc.opt_out:
        reasons.append(DropReason.OPTED_OUT.value)
    license_id = doc.license
    confident = (doc.license_confidence or 0.0) >= settings.min_license_confidence
    if license_id is None or license_id == UNKNOWN or not confident:
        if not settings.allow_unknown:
            reasons.append(DropReason.LICENSE_NOT_ALLOWED.value)
    elif settings.allowed_licenses != "any" and not _expression_allowed(
        license_id, settings.allowed_set
    ):
        reasons.append(DropReason.LICENSE_NOT_ALLOWED.value)
    return reasons


# ---------------------------------------------------------------------------------------------
# Beam
# ---------------------------------------------------------------------------------------------


class TagLicense(AnnotateDocs):
    """Tag every document's licence, opt-out signals and (for provenance) its domains."""

    stage = STAGE

    def __init__(self, settings: LicenseSettings) -> None:
        super().__init__()
        self._settings = settings

    def setup(self) -> None:
        self._counters: dict[str, Any] = {}
        _extractor()  # load the bundled public suffix list once per worker

    def _count(self, name: str) -> None:
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = Metrics.counter(STAGE, name)
        counter.inc()

    def annotate(self, doc: Doc) -> None:
        apply_tags(doc, tag_document(doc, self._settings, self._count))
        # The last stage that reads markup: the raw payload is not carried any further.
        doc.payload = None
