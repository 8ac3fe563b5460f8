"""Tests of the licence, opt-out and provenance stage: every detector and pattern with a
positive and a negative case, the decision (including the image-only licence trap), the
policy, the Beam wrapper, and the evaluation sets where present."""

from __future__ import annotations

import os
import re
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from pydantic import ValidationError

from schemas.document import Doc, Status
from schemas.licensing import LicenseSettings, canonical_license_id, normalize_domain
from transforms import licensing as lic
from transforms.licensing import (
    CC_UNKNOWN,
    STAGE,
    UNKNOWN,
    Candidate,
    DropReason,
    Evidence,
    Placement,
    TagLicense,
    check,
    decide_license,
    find_html_candidates,
    find_license_names,
    find_spdx_headers,
    find_spdx_ids_after_cue,
    find_text_candidates,
    normalize_cc_url,
    normalize_license_url,
    normalize_spdx_expression,
    rank_candidates,
    tag_document,
    url_domains,
)

SETTINGS = LicenseSettings()
EVAL_DIR = Path(
    os.environ.get("CURATE_EVAL_DIR") or Path(__file__).resolve().parents[2].parent / "shared/eval"
)


def html_claims(
    page: str, settings: LicenseSettings = SETTINGS
) -> list[tuple[str, str, str, bool]]:
    return [
        (c.license, c.evidence.value, c.placement.value, c.media)
        for c in find_html_candidates(page.encode(), settings)
    ]


def html_license(page: str) -> tuple[str, str | None, float]:
    return decide_license(find_html_candidates(page.encode(), SETTINGS))


def make_doc(
    payload: str | None = None,
    text: str = "",
    headers: tuple[tuple[str, str], ...] = (),
    url: str | None = "https://www.example.org/page",
    content_type: str | None = "text/html",
    **fields: object,
) -> Doc:
    return Doc(
        id="d1",
        source_uri="shard.warc.gz",
        source_record="r1",
        source_format="warc",
        url=url,
        content_type=content_type,
        payload=payload.encode() if payload is not None else None,
        http_headers=headers,
        text=text,
        **fields,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------------------------
# Every pattern in the module: one text it must match, one it must not.
# --------------------------------------------------------------------------------------------

PATTERNS = [
    (
        lic._CC_URL,
        "http://creativecommons.org/licenses/by/3.0/es/",
        "https://fakecreativecommons.org/licenses/by/4.0/",
    ),
    (lic._CC_VERSION, "4.0", "v4"),
    (
        lic._GNU_URL,
        "https://www.gnu.org/licenses/gpl-3.0.html",
        "https://gnu.org/philosophy/free-sw.html",
    ),
    (
        lic._OGL_URL,
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "https://www.nationalarchives.gov.uk/doc/",
    ),
    (lic._ID_URL, "https://opensource.org/licenses/MIT", "https://opensource.org/about"),
    (lic._CC_LONG, "Creative Commons Attribution-ShareAlike 4.0", "Creative Commons Corporation"),
    (lic._CC_ELEMENT_ONE, "NoDerivatives", "derivation"),
    (lic._CC_SHORT, "CC BY-NC 4.0", "accby"),
    (lic._CC_ZERO, "CC0 1.0 Universal", "CC0.5"),
    (lic._PD_MARK, "Public Domain Mark 1.0", "public domain works"),
    (lic._GFDL, "GNU Free Documentation License, Version 1.3", "GNU documentation"),
    (lic._GNU_GPL, "GNU General Public License version 2", "general public"),
    (lic._GPL_SHORT, "GPLv3+", "GPLX"),
    (lic._LATER, ", or (at your option) any later version", ", version 2 only"),
    (lic._APACHE, "Apache License, Version 2.0", "Apache helicopter"),
    (lic._MPL, "Mozilla Public License 2.0", "Mozilla Firefox"),
    (lic._OGL, "Open Government Licence v3.0", "open government data"),
    (lic._FIXED_NAMES[0][0], "Open Database License (ODbL)", "open database"),
    (lic._FIXED_NAMES[1][0], "ODC-BY", "odc-byte"),
    (lic._FIXED_NAMES[2][0], "Public Domain Dedication and License", "public domain dedication"),
    (lic._FIXED_NAMES[3][0], "released under the Unlicense", "unlicensed"),
    (lic._FIXED_NAMES[4][0], "WTFPL", "wtf"),
    (lic._SPDX_AFTER_CUE, "License: MIT", "MIT licensing office"),
    (lic._SPDX_HEADER, "# SPDX-License-Identifier: MIT", 'x = "SPDX-License-Identifier: MIT"'),
    (lic._EXPRESSION_TOKEN, "(MIT", "   "),
    (lic._REUSE_IGNORED, "REUSE-IgnoreStart x REUSE-IgnoreEnd", "REUSE-Ignore"),
    (lic._IP_HOST, "192.168.0.1", "example.org"),
    (lic._TAG_NAME, b"<footer class=x>", b"< footer"),
    (lic._ATTR, b'href="x"', b"   "),
    (lic._LINK_OR_META, b'<meta name="robots" content="noai">', b"<metadata>"),
    (lic._BLOCK_TAG, b"<div class=x>", b"<span>"),
    (lic._TAG_STR, "<p>", "a < b"),
    (lic._WHITESPACE, " \n\t", "x"),
    (lic._CHARSET, "text/html; charset=ISO-8859-1", "text/html"),
    (lic._FOOTER_CLASS, b"site-footer", b"footers"),
    (lic._MEDIA_WORDS, "Photo by Jane", "This article"),
    (lic._PAGE_SUBJECT, "This work is licensed under", "The icons used on this page are from"),
    (lic._CUE, "licensed under", "requires credit"),
]


@pytest.mark.parametrize(("pattern", "positive", "negative"), PATTERNS)
def test_every_pattern_has_a_positive_and_a_negative(
    pattern: re.Pattern, positive: str, negative: str
) -> None:
    assert pattern.search(positive) is not None
    assert pattern.search(negative) is None


def test_schema_patterns() -> None:
    from schemas import licensing as schema

    assert schema._CC_PORT.match("CC-BY-NC-ND-3.0-IGO") is not None
    assert schema._CC_PORT.match("CC-BY-4.0") is None
    assert schema._GNU_DEPRECATED.match("GPL-2.0+") is not None
    assert schema._GNU_DEPRECATED.match("GPL-2.0-only") is None
    assert schema._HOSTNAME.match("news.bbc.co.uk") is not None
    assert schema._HOSTNAME.match("bad host") is None


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0"),
        ("https://creativecommons.org/licenses/by-sa/4.0/deed.de", "CC-BY-SA-4.0"),
        ("//creativecommons.org/licenses/by-nc-nd/4.0/?ref=chooser-v1", "CC-BY-NC-ND-4.0"),
        ("http://creativecommons.org/licenses/by/3.0/de/", "CC-BY-3.0"),  # port folded
        ("http://creativecommons.org/licenses/by-nc-nd/3.0/igo/", "CC-BY-NC-ND-3.0"),
        ("http://creativecommons.org/licenses/by-nd-nc/1.0/", "CC-BY-NC-ND-1.0"),
        ("http://creativecommons.org/licenses/by-sa/2.1/jp/", "LicenseRef-CC-BY-SA-2.1"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("https://creativecommons.org/publicdomain/mark/1.0/", "CC-PDM-1.0"),
        ("http://creativecommons.org/licenses/publicdomain/", "CC-PDDC"),
        ("https://creativecommons.org/licenses/by-sa/", "LicenseRef-CC-BY-SA"),
        ("https://creativecommons.org/licenses/unknown/1.0/", CC_UNKNOWN),
        ("https://i.creativecommons.org/l/by-sa/4.0/88x31.png", "CC-BY-SA-4.0"),
        ("https://licensebuttons.net/p/zero/1.0/88x31.png", "CC0-1.0"),
        ("https://example.com/licenses/by-nc-nd/4.0/", None),
        ("https://fakecreativecommons.org/licenses/by/4.0/", None),
    ],
)
def test_normalize_cc_url(url: str, expected: str | None) -> None:
    assert normalize_cc_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.gnu.org/licenses/fdl-1.3.html", "GFDL-1.3-only"),
        ("https://www.gnu.org/copyleft/fdl.html", "GFDL-1.3-only"),
        ("https://www.gnu.org/licenses/old-licenses/gpl-2.0.html", "GPL-2.0-only"),
        ("https://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"),
        ("https://www.mozilla.org/en-US/MPL/2.0/", "MPL-2.0"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL-1.0"),
        ("https://opendatacommons.org/licenses/by/1-0/", "ODC-By-1.0"),
        ("https://opendatacommons.org/licenses/pddl/", "PDDL-1.0"),
        (
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "OGL-UK-3.0",
        ),
        ("https://open.canada.ca/en/open-government-licence-canada", "OGL-Canada-2.0"),
        ("https://unlicense.org/", "Unlicense"),
        ("http://www.wtfpl.net/about/", "WTFPL"),
        ("https://opensource.org/licenses/MIT", "MIT"),
        ("http://www.opensource.org/licenses/mit-license.php", "MIT"),
        ("https://spdx.org/licenses/Apache-2.0.html", "Apache-2.0"),
        ("https://choosealicense.com/licenses/mpl-2.0/", "MPL-2.0"),
        ("https://opensource.org/licenses/not-a-licence", None),
        ("https://example.org/license", None),
    ],
)
def test_normalize_license_url(url: str, expected: str | None) -> None:
    assert normalize_license_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Creative Commons Attribution-ShareAlike 4.0 International License", ["CC-BY-SA-4.0"]),
        ("Creative Commons Attribution-ShareAlike License 4.0", ["CC-BY-SA-4.0"]),
        ("Creative Commons Attribution-NonCommercial-NoDerivs 3.0 Unported", ["CC-BY-NC-ND-3.0"]),
        ("Creative Commons Attribution 4.0", ["CC-BY-4.0"]),
        ("Creative Commons BY-SA 3.0", ["CC-BY-SA-3.0"]),
        ("Licencia Creative Commons Atribución/Compartir-Igual", ["LicenseRef-CC-BY-SA"]),
        (
            "Creative-Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0",
            ["CC-BY-SA-4.0"],
        ),
        ("Creative Commons Reconocimiento-CompartirIgual 3.0 España", ["CC-BY-SA-3.0"]),
        ("Creative Commons Attribution - Pas d’Utilisation Commerciale 4.0", ["CC-BY-NC-4.0"]),
        ("Creative Commons Naamsvermelding-GelijkDelen 4.0", ["CC-BY-SA-4.0"]),
        ("Creative Commons Attribuzione - Non opere derivate 4.0", ["CC-BY-ND-4.0"]),
        ("Creative Commons ShareAlike 1.0", ["CC-SA-1.0"]),
        ("Creative Commons ShareAlike NoDerivatives 4.0", [CC_UNKNOWN]),
        ("(CC BY-NC-SA 4.0)", ["CC-BY-NC-SA-4.0"]),
        ("CC-BY-4.0", ["CC-BY-4.0"]),
        ("cc by", ["LicenseRef-CC-BY"]),
        ("CC0 1.0 Universal", ["CC0-1.0"]),
        ("Creative Commons Zero", ["CC0-1.0"]),
        ("Public Domain Mark 1.0", ["CC-PDM-1.0"]),
        ("see creativecommons.org/licenses/by-nd/2.5/ for details", ["CC-BY-ND-2.5"]),
        ("GNU Free Documentation License, Version 1.2", ["GFDL-1.2-only"]),
        ("GNU Free Documentation License, Version 1.2 or any later version", ["GFDL-1.2-or-later"]),
        ("GNU Free Documentation License", ["LicenseRef-GFDL"]),
        (
            "GNU General Public License as published by the Free Software Foundation; either "
            "version 2 of the License, or (at your option) any later version",
            ["GPL-2.0-or-later"],
        ),
        ("GNU LESSER GENERAL PUBLIC LICENSE Version 2.1", ["LGPL-2.1-only"]),
        ("GNU Library General Public License version 2", ["LGPL-2.0-only"]),
        ("version 3 of the GNU Affero General Public License", ["AGPL-3.0-only"]),
        ("AFFERO GENERAL PUBLIC LICENSE Version 1", ["AGPL-1.0-only"]),
        ("GPLv2+", ["GPL-2.0-or-later"]),
        ("LGPL-3.0-only", ["LGPL-3.0-only"]),
        ("Apache License\n     Version 2.0, January 2004", ["Apache-2.0"]),
        ("Apache License", ["LicenseRef-Apache"]),
        ("Mozilla Public License, v. 2.0", ["MPL-2.0"]),
        ("Open Government Licence v3.0", ["OGL-UK-3.0"]),
        ("Open Government Licence – Canada", ["OGL-Canada-2.0"]),
        ("Open Government Licence", ["LicenseRef-OGL-UK"]),
        ("Open Database License", ["ODbL-1.0"]),
        ("Open Data Commons Attribution License", ["ODC-By-1.0"]),
        ("Public Domain Dedication and License", ["PDDL-1.0"]),
        ("free and unencumbered software released into the public domain", ["Unlicense"]),
        ("DO WHAT THE F*** YOU WANT TO PUBLIC LICENSE", ["WTFPL"]),
        ("Do What The F*ck You Want To Public License", ["WTFPL"]),
        ("the Lesser GNU General Public License version 3", ["LGPL-3.0-only"]),
        # negatives
        ("Creative Commons is a non-profit organisation.", []),
        ("The Apache helicopter and the Mozilla browser.", []),
        ("Copyright 2019. Version 2.0 of our app.", []),
        ("access by bus; success by design", []),
        ("", []),
    ],
)
def test_find_license_names(text: str, expected: list[str]) -> None:
    assert [license_id for _, _, license_id in find_license_names(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("License: MIT", ["MIT"]),
        ("licensed under the Apache-2.0", ["Apache-2.0"]),
        ("Licensed under the MIT License.", ["MIT"]),
        ("SPDX: BSD-3-Clause", ["BSD-3-Clause"]),
        ("licensed under the same terms as Perl", []),
        ("Fair use and the MIT campus", []),
    ],
)
def test_find_spdx_ids_after_cue(text: str, expected: list[str]) -> None:
    assert [license_id for _, _, license_id in find_spdx_ids_after_cue(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# SPDX-License-Identifier: MIT\n", ["MIT"]),
        ("// SPDX-License-Identifier: GPL-2.0+\n", ["GPL-2.0-or-later"]),
        ("/* SPDX-License-Identifier: mit OR apache-2.0 */\n", ["MIT OR Apache-2.0"]),
        ("<!--\nSPDX-License-Identifier: CC-BY-SA-4.0\n-->\n", ["CC-BY-SA-4.0"]),
        (" * SPDX-License-Identifier: (MIT AND BSD-2-Clause)\n", ["(MIT AND BSD-2-Clause)"]),
        ("..\n  SPDX-License-Identifier: CC-BY-3.0-DE\n", ["CC-BY-3.0"]),
        ("SPDX-License-Identifier: LicenseRef-Proprietary\n", ["LicenseRef-Proprietary"]),
        ('x = "SPDX-License-Identifier: MIT"\n', []),
        ("# ex: [SPDX-License-Identifier: GPL-3.0-or-later] ::\n", []),
        ("# SPDX-License-Identifier: {{ expression }}\n", []),
        ("# SPDX-License-Identifier: Not-A-Licence\n", []),
        ("REUSE-IgnoreStart\n# SPDX-License-Identifier: MIT\nREUSE-IgnoreEnd\n", []),
    ],
)
def test_find_spdx_headers(text: str, expected: list[str]) -> None:
    assert [expression for _, expression in find_spdx_headers(text)] == expected


def test_normalize_spdx_expression() -> None:
    assert normalize_spdx_expression("gpl-2.0 with classpath-exception-2.0") == (
        "GPL-2.0-only WITH Classpath-exception-2.0"
    )
    assert normalize_spdx_expression("MIT AND (") is None


# --------------------------------------------------------------------------------------------
# HTML detectors
# --------------------------------------------------------------------------------------------

CHOOSER = (
    '<a rel="license" href="http://creativecommons.org/licenses/by-sa/4.0/"><img alt="Creative '
    'Commons License" src="https://i.creativecommons.org/l/by-sa/4.0/88x31.png" /></a><br />This '
    'work is licensed under a <a rel="license" href="http://creativecommons.org/licenses/by-sa/'
    '4.0/">Creative Commons Attribution-ShareAlike 4.0 International License</a>.'
)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # <link rel=license>
        (
            '<html><head><link rel="license" href="https://creativecommons.org/licenses/by/3.0/">'
            "</head><body></body></html>",
            [("CC-BY-3.0", "link_rel", "head", False)],
        ),
        (
            '<html><head><link rel="stylesheet" href="https://creativecommons.org/licenses/by/3.0/"></head></html>',
            [],
        ),
        # <a rel=license>, also to a non-CC licence page
        (
            '<html><body><footer><a rel="license" href="https://www.gnu.org/licenses/fdl-1.3.html">'
            "GFDL</a></footer></body></html>",
            [("GFDL-1.3-only", "a_rel", "footer", False)],
        ),
        (
            '<html><body><p>See the <a href="https://opensource.org/licenses/MIT">MIT</a> terms.'
            "</p></body></html>",
            [],
        ),
        # licence metas, microdata
        (
            '<html><head><meta name="DC.rights" '
            'content="Creative Commons Attribution-NonCommercial 3.0">'
            "</head></html>",
            [("CC-BY-NC-3.0", "meta", "head", False)],
        ),
        (
            '<html><head><meta name="dcterms.license" content="https://creativecommons.org/licenses/by-nc/3.0/de/">'
            "</head></html>",
            [("CC-BY-NC-3.0", "meta", "head", False)],
        ),
        (
            '<html><head><meta name="license" content="MIT"></head></html>',
            [("MIT", "meta", "head", False)],
        ),
        ('<html><head><meta name="dc.rights" content="All rights reserved"></head></html>', []),
        (
            '<html><body><link itemprop="license" href="https://creativecommons.org/publicdomain/zero/1.0/"></body></html>',
            [("CC0-1.0", "meta", "body", False)],
        ),
        # JSON-LD: string, object, list, @graph; media nodes are marked
        (
            '<script type="application/ld+json">{"@type":"Article","license":'
            '"https://creativecommons.org/licenses/by-nd/4.0/"}</script>',
            [("CC-BY-ND-4.0", "json_ld", "body", False)],
        ),
        (
            '<script type="application/ld+json">{"license":{"@type":"CreativeWork","url":'
            '"https://creativecommons.org/licenses/by/4.0/"}}</script>',
            [("CC-BY-4.0", "json_ld", "body", False)],
        ),
        (
            '<html><head><script type="application/ld+json">{"@graph":[{"@type":"WebPage",'
            '"license":'
            '["https://creativecommons.org/licenses/by/4.0/"]},{"@type":"ImageObject","license":'
            '"https://creativecommons.org/licenses/by-nc/2.0/"}]}</script></head></html>',
            [("CC-BY-4.0", "json_ld", "head", False), ("CC-BY-NC-2.0", "json_ld", "head", True)],
        ),
        (
            '<script type="application/ld+json">{"@type":"Article","image":{"url":"x.jpg",'
            '"license":'
            '"https://creativecommons.org/licenses/by-nd/4.0/"}}</script>',
            [("CC-BY-ND-4.0", "json_ld", "body", True)],
        ),
        (
            '<script type="application/ld+json">{license: "https://creativecommons.org/licenses/by/4.0/"}</script>',
            [],
        ),
        # CC links and badges
        (
            '<html><body><div class="site-footer"><a href="https://creativecommons.org/licenses/by-sa/2.0/">'
            "License</a></div></body></html>",
            [("CC-BY-SA-2.0", "cc_link", "footer", False)],
        ),
        (
            '<div data-license-url="https://creativecommons.org/licenses/by-sa/4.0/">Content</div>',
            [],
        ),
        (
            '<html><body><footer><img src="https://licensebuttons.net/l/by-nc-sa/4.0/88x31.png"></footer></body></html>',
            [("CC-BY-NC-SA-4.0", "cc_badge", "footer", False)],
        ),
        ('<html><body><img src="https://example.org/88x31.png"></body></html>', []),
        # the CC chooser snippet: the badge inside the link is not a claim of its own
        (
            f"<html><body>{CHOOSER}</body></html>",
            [
                ("CC-BY-SA-4.0", "a_rel", "body", False),
                ("CC-BY-SA-4.0", "a_rel", "body", False),
                ("CC-BY-SA-4.0", "body_text", "body", False),
            ],
        ),
        # statements in footer text, several languages; body text needs a licensing verb
        (
            "<html><body><p>Text</p><footer>Der Text ist unter der Lizenz „Creative-Commons "
            "Namensnennung – Weitergabe unter gleichen Bedingungen 4.0 International“ verfügbar."
            "</footer></body></html>",
            [("CC-BY-SA-4.0", "footer_text", "footer", False)],
        ),
        (
            "<html><body><footer>© 2024 Example · CC BY-SA 4.0</footer></body></html>",
            [("CC-BY-SA-4.0", "footer_text", "footer", False)],
        ),
        (
            "<html><body><footer>All content is available under the Open Government Licence v3.0,"
            " except where otherwise stated</footer></body></html>",
            [("OGL-UK-3.0", "footer_text", "footer", False)],
        ),
        (
            "<html><body><p>Ce document est publié sous licence Creative Commons Attribution - Pas "
            "d’Utilisation Commerciale - Partage dans les Mêmes Conditions 4.0 International.</p>"
            "</body></html>",
            [("CC-BY-NC-SA-4.0", "body_text", "body", False)],
        ),
        (
            "<html><body><p>The Creative Commons Attribution 4.0 licence requires credit.</p>"
            "</body></html>",
            [],
        ),
        ("<html><body><footer>We like the GNU General Public License.</footer></body></html>", []),
        # hidden markup is not evidence
        (
            '<html><body><script>var s = \'<a href="https://creativecommons.org/licenses/by/4.0/">'
            "x</a>';</script></body></html>",
            [],
        ),
        (
            '<html><body><!-- <a rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
            "x</a> -->"
            "</body></html>",
            [],
        ),
    ],
)
def test_html_detectors(page: str, expected: list[tuple[str, str, str, bool]]) -> None:
    assert html_claims(page) == expected


def test_http_link_header_is_link_rel() -> None:
    signals, claims = lic.header_signals(
        (("link", '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'),), SETTINGS
    )
    assert (signals, [(c.license, c.evidence, c.placement) for c in claims]) == (
        [],
        [("CC-BY-4.0", Evidence.LINK_REL, Placement.HEAD)],
    )
    signals, claims = lic.header_signals(
        (("link", '<https://creativecommons.org/licenses/by/4.0/>; rel="alternate"'),), SETTINGS
    )
    assert (signals, claims) == ([], [])


# --------------------------------------------------------------------------------------------
# The image trap: a licence next to media covers the media, not the page
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        # in a figure caption
        '<figure><img src="photo.jpg" alt="A landscape"><figcaption>Photograph by Jane Artist (<a '
        'href="https://creativecommons.org/licenses/by-nc/2.0/">CC BY-NC 2.0</a>).</figcaption>'
        "</figure>",
        # right after a content image in the same block
        '<html><body><div><img src="/cat.jpg"> Jane Doe, <a href="https://creativecommons.org/'
        'licenses/by/2.0/">CC BY 2.0</a></div></body></html>',
        # a "photo by" credit, even in the footer
        '<html><body><footer><p>Header photo by Jane (<a href="https://creativecommons.org/licenses/'
        'by-nc/2.0/">CC BY-NC 2.0</a>)</p></footer></body></html>',
        # icons from a library
        '<div><p>The icons used on this page are from <a href="flaticon.com">Flaticon</a> and are '
        'licensed under <a href="https://creativecommons.org/licenses/by/3.0/">CC BY 3.0</a>.'
        "</p></div>",
        # map tiles
        '<div class="leaflet-control-attribution">Map data &copy; <a href="https://openstreetmap.org">'
        'OpenStreetMap</a> contributors, <a href="https://creativecommons.org/licenses/by-sa/2.0/">'
        "CC-BY-SA</a></div>",
        # a statement about an image in running text
        "<html><body><p>Image licensed under CC BY 2.0 by the author.</p></body></html>",
    ],
)
def test_media_licences_do_not_license_the_page(page: str) -> None:
    claims = find_html_candidates(page.encode(), SETTINGS)
    assert claims and all(c.media for c in claims)
    assert html_license(page) == (UNKNOWN, None, 0.0)


def test_page_licence_survives_an_image_credit() -> None:
    page = (
        '<html><head><link rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">'
        '</head><body><figure><img src="a.jpg"><figcaption>Photo: <a href="https://creativecommons'
        '.org/licenses/by-nc/2.0/">CC BY-NC 2.0</a></figcaption></figure></body></html>'
    )
    # The media claim neither decides nor counts as a conflict.
    assert html_license(page) == ("CC-BY-SA-4.0", "link_rel", 0.95)


def test_page_subject_overrides_media_words() -> None:
    page = (
        "<html><body><p>Except where otherwise noted, the photos and text on this site are "
        'licensed under <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.'
        "</p></body></html>"
    )
    assert html_license(page) == ("CC-BY-4.0", "cc_link", 0.58)


def test_footer_class_on_a_page_wrapper_is_not_a_footer() -> None:
    page = (
        '<html><body><div class="has-footer"><h1>Title</h1><p>Text <a href="https://'
        'creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></p></div></body></html>'
    )
    assert html_claims(page) == [("CC-BY-4.0", "cc_link", "body", False)]


def test_charset_from_content_type() -> None:
    page = "<html><body><footer>Creative Commons Paternité 3.0</footer></body></html>"
    claims = find_html_candidates(page.encode("latin-1"), SETTINGS, charset="ISO-8859-1")
    assert [(c.license, c.evidence) for c in claims] == [("CC-BY-3.0", Evidence.FOOTER_TEXT)]


# --------------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# SPDX-License-Identifier: MIT OR Apache-2.0\nimport os\n",
            ("MIT OR Apache-2.0", "spdx_header", 0.95),
        ),
        (
            "# SPDX-License-Identifier: Apache-2.0\n# SPDX-License-Identifier: GPL-3.0-or-later\n",
            ("Apache-2.0 AND GPL-3.0-or-later", "spdx_header", 0.95),
        ),
        (
            "Some article text. " * 60
            + "\nText is available under the Creative Commons Attribution-ShareAlike License 4.0.",
            ("CC-BY-SA-4.0", "footer_text", 0.8),
        ),
        ("Notes on the project.\nLicense: MIT\n", ("MIT", "spdx_text", 0.6)),
        ("GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n", ("GPL-2.0-only", "body_text", 0.6)),
        (
            "Some article text. " * 60
            + "\nWe discuss the Creative Commons Attribution 4.0 licence. "
            + "More text. " * 100,
            (UNKNOWN, None, 0.0),
        ),
        ("A text without any licence at all.", (UNKNOWN, None, 0.0)),
    ],
)
def test_text_detectors(text: str, expected: tuple[str, str | None, float]) -> None:
    assert decide_license(find_text_candidates(text)) == expected


# --------------------------------------------------------------------------------------------
# Decision
# --------------------------------------------------------------------------------------------


def claim(
    license_id: str,
    evidence: Evidence,
    placement: Placement = Placement.BODY,
    media: bool = False,
    offset: int = 0,
) -> Candidate:
    return Candidate(license_id, evidence, placement, media, offset)


def test_rank_detector_first_then_placement_then_order() -> None:
    claims = [
        claim("a", Evidence.CC_LINK, Placement.FOOTER, offset=1),
        claim("b", Evidence.LINK_REL, Placement.HEAD, offset=2),
        claim("c", Evidence.META, Placement.BODY, offset=3),
        claim("d", Evidence.JSON_LD, Placement.BODY, offset=4),
        claim("e", Evidence.CC_LINK, Placement.BODY, offset=0),
    ]
    assert [c.license for c in rank_candidates(claims)] == ["c", "d", "b", "a", "e"]


def test_agreement_raises_and_conflict_lowers_confidence() -> None:
    agree = [
        claim("CC-BY-4.0", Evidence.LINK_REL),
        claim("CC-BY-4.0", Evidence.FOOTER_TEXT, Placement.FOOTER),
    ]
    assert decide_license(agree) == ("CC-BY-4.0", "link_rel", 0.98)
    strong = [
        claim("CC-BY-4.0", Evidence.LINK_REL),
        claim("CC-BY-NC-4.0", Evidence.A_REL, Placement.FOOTER),
    ]
    assert decide_license(strong) == ("CC-BY-4.0", "link_rel", 0.7)
    weak = [claim("CC-BY-4.0", Evidence.LINK_REL), claim("CC-BY-NC-4.0", Evidence.CC_LINK)]
    assert decide_license(weak) == ("CC-BY-4.0", "link_rel", 0.85)


def test_versionless_claim_gives_way_to_a_compatible_versioned_one() -> None:
    claims = [
        claim("LicenseRef-CC-BY-SA", Evidence.META, Placement.HEAD),
        claim("CC-BY-SA-3.0", Evidence.CC_LINK, Placement.FOOTER),
    ]
    assert decide_license(claims) == ("CC-BY-SA-3.0", "cc_link", 0.78)
    incompatible = [
        claim("LicenseRef-CC-BY", Evidence.META, Placement.HEAD),
        claim("CC-BY-SA-3.0", Evidence.CC_LINK, Placement.FOOTER),
    ]
    assert decide_license(incompatible) == ("LicenseRef-CC-BY", "meta", 0.7)


def test_media_only_claims_give_unknown() -> None:
    assert decide_license([claim("CC-BY-4.0", Evidence.CC_LINK, media=True)]) == (
        UNKNOWN,
        None,
        0.0,
    )
    assert decide_license([]) == (UNKNOWN, None, 0.0)


# --------------------------------------------------------------------------------------------
# Opt-out signals
# --------------------------------------------------------------------------------------------


def signals_of(doc: Doc, settings: LicenseSettings = SETTINGS) -> tuple[str, ...]:
    return tag_document(doc, settings).opt_out_signals


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            make_doc('<html><head><meta name="robots" content="noindex, noai"></head></html>'),
            ("meta_robots_noai",),
        ),
        (
            make_doc('<html><head><meta name="CCBot" content="noimageai"></head></html>'),
            ("meta_robots_noimageai",),
        ),
        (
            make_doc('<html><head><meta name="robots" content="noindex, nofollow"></head></html>'),
            (),
        ),
        (make_doc('<html><head><meta name="googlebot" content="noai"></head></html>'), ()),
        (
            make_doc('<html><head><meta http-equiv="X-Robots-Tag" content="noai"></head></html>'),
            ("meta_robots_noai",),
        ),
        (
            make_doc("<html></html>", headers=(("x-robots-tag", "noai, noimageai"),)),
            ("x_robots_tag_noai", "x_robots_tag_noimageai"),
        ),
        (
            make_doc("<html></html>", headers=(("x-robots-tag", "CCBot: noai"),)),
            ("x_robots_tag_noai",),
        ),
        (make_doc("<html></html>", headers=(("x-robots-tag", "googlebot: noai"),)), ()),
        (
            make_doc(
                "<html></html>", headers=(("x-robots-tag", "unavailable_after: 25 Jun 2030"),)
            ),
            (),
        ),
        (
            make_doc(
                "<html></html>",
                headers=(("tdm-reservation", "1"), ("tdm-policy", "https://x/p.json")),
            ),
            ("tdm_reservation_header", "tdm_policy_header"),
        ),
        (
            make_doc(
                "<html></html>",
                headers=(("tdm-reservation", "0"), ("tdm-policy", "https://x/p.json")),
            ),
            (),
        ),
        (
            make_doc(
                '<html><head><meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="https://x/p"></head></html>'
            ),
            ("tdm_reservation_meta", "tdm_policy_meta"),
        ),
        (make_doc('<html><head><meta name="tdm-policy" content="https://x/p"></head></html>'), ()),
        (make_doc('<html><head><meta name="tdm-reservation" content="0"></head></html>'), ()),
        (make_doc('<html><body><!-- <meta name="robots" content="noai"> --></body></html>'), ()),
    ],
)
def test_opt_out_signals(doc: Doc, expected: tuple[str, ...]) -> None:
    assert signals_of(doc) == expected


def test_opt_out_domain_list_matches_registered_domain_and_subdomains() -> None:
    settings = LicenseSettings(opt_out_domains=("Example.com",))
    assert signals_of(make_doc("<html></html>", url="https://blog.example.com/x"), settings) == (
        "domain_list",
    )
    assert signals_of(make_doc("<html></html>", url="https://example.com/"), settings) == (
        "domain_list",
    )
    assert signals_of(make_doc("<html></html>", url="https://notexample.com/"), settings) == ()
    assert signals_of(make_doc("<html></html>", url=None), settings) == ()


def test_configured_directives_and_bot_names() -> None:
    settings = LicenseSettings(opt_out_directives=("noai",), robots_meta_names=("robots", "mybot"))
    page = (
        '<html><head><meta name="mybot" content="noai">'
        '<meta name="robots" content="noimageai"></head></html>'
    )
    assert signals_of(make_doc(page), settings) == ("meta_robots_noai",)


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://News.BBC.co.uk:8080/path?q=1", ("news.bbc.co.uk", "bbc.co.uk")),
        ("http://www.example.com./", ("www.example.com", "example.com")),
        ("https://a.b.blogspot.com/", ("a.b.blogspot.com", "blogspot.com")),
        ("http://192.168.0.1/x", ("192.168.0.1", "192.168.0.1")),
        ("http://[::1]:8000/", ("::1", "::1")),
        ("http://localhost/", ("localhost", "localhost")),
        ("not a url", (None, None)),
        ("http://[bad/", (None, None)),
        (None, (None, None)),
    ],
)
def test_url_domains(url: str | None, expected: tuple[str | None, str | None]) -> None:
    assert url_domains(url) == expected


# --------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------


def tagged(
    license_id: str | None,
    confidence: float | None = 0.9,
    opt_out: bool = False,
    url: str = "https://www.example.org/",
) -> Doc:
    return make_doc(url=url, license=license_id, license_confidence=confidence, opt_out=opt_out)


@pytest.mark.parametrize(
    ("settings", "doc", "expected"),
    [
        (LicenseSettings(), tagged(UNKNOWN, 0.0), []),
        (LicenseSettings(allow_unknown=False), tagged(UNKNOWN, 0.0), ["license_not_allowed"]),
        (LicenseSettings(allow_unknown=False), tagged(None, None), ["license_not_allowed"]),
        (LicenseSettings(allow_unknown=False), tagged("CC-BY-4.0", 0.4), ["license_not_allowed"]),
        (
            LicenseSettings(allow_unknown=False, min_license_confidence=0.3),
            tagged("CC-BY-4.0", 0.4),
            [],
        ),
        (LicenseSettings(allowed_licenses=("CC-BY-4.0", "CC0-1.0")), tagged("CC-BY-4.0"), []),
        (
            LicenseSettings(allowed_licenses=("CC-BY-4.0",)),
            tagged("CC-BY-NC-4.0"),
            ["license_not_allowed"],
        ),
        (LicenseSettings(allowed_licenses=("CC-BY-4.0",)), tagged(UNKNOWN, 0.0), []),
        (LicenseSettings(allowed_licenses=("MIT",)), tagged("MIT OR GPL-3.0-only"), []),
        (
            LicenseSettings(allowed_licenses=("MIT",)),
            tagged("MIT AND GPL-3.0-only"),
            ["license_not_allowed"],
        ),
        (
            LicenseSettings(allowed_licenses=("MIT", "GPL-3.0-only")),
            tagged("(MIT AND GPL-3.0-only)"),
            [],
        ),
        (
            LicenseSettings(allowed_licenses=("GPL-2.0-only",)),
            tagged("GPL-2.0-only WITH Classpath-exception-2.0"),
            [],
        ),
        (LicenseSettings(), tagged("CC-BY-4.0", opt_out=True), ["opted_out"]),
        (LicenseSettings(honour_opt_out=False), tagged("CC-BY-4.0", opt_out=True), []),
        (LicenseSettings(domain_denylist=("example.org",)), tagged("CC-BY-4.0"), ["domain_denied"]),
        (LicenseSettings(domain_denylist=("other.org",)), tagged("CC-BY-4.0"), []),
        (LicenseSettings(domain_allowlist=("example.org",)), tagged("CC-BY-4.0"), []),
        (LicenseSettings(domain_allowlist=("other.org",)), tagged("CC-BY-4.0"), ["domain_denied"]),
        (
            LicenseSettings(domain_denylist=("example.org",), allowed_licenses=("MIT",)),
            tagged("CC-BY-4.0", opt_out=True),
            ["domain_denied", "opted_out", "license_not_allowed"],
        ),
    ],
)
def test_check(settings: LicenseSettings, doc: Doc, expected: list[str]) -> None:
    assert check(doc, settings) == expected


def test_drop_reasons() -> None:
    assert [r.value for r in DropReason] == ["domain_denied", "opted_out", "license_not_allowed"]


def test_settings_validation() -> None:
    settings = LicenseSettings(
        allowed_licenses=("cc-by-sa-3.0-de", "GPL-2.0+", "LicenseRef-CC-BY-SA"),
        domain_denylist=("*.Example.com", "https://foo.org/x", "foo.org"),
    )
    assert settings.allowed_licenses == ("CC-BY-SA-3.0", "GPL-2.0-or-later", "LicenseRef-CC-BY-SA")
    assert settings.domain_denylist == ("example.com", "foo.org")
    with pytest.raises(ValidationError, match="is not an SPDX licence id"):
        LicenseSettings(allowed_licenses=("CC-BY-9.0",))
    with pytest.raises(ValidationError, match="allow_unknown"):
        LicenseSettings(allowed_licenses=("unknown",))
    with pytest.raises(ValidationError, match="not a domain name"):
        LicenseSettings(domain_allowlist=("not a domain",))
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        LicenseSettings(allowed=("MIT",))  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="frozen"):
        settings.allow_unknown = False  # type: ignore[misc]


def test_schema_functions() -> None:
    assert canonical_license_id("licenseref-Foo") == "LicenseRef-Foo"
    assert canonical_license_id("CC-BY-SA-2.1-JP") == "CC-BY-SA-2.1-JP"  # no unported 2.1
    with pytest.raises(ValueError, match="expression"):
        canonical_license_id("MIT OR Apache-2.0")
    assert normalize_domain(" HTTP://Sub.Example.org/path ") == "sub.example.org"


# --------------------------------------------------------------------------------------------
# Documents: tag_document, counters, and the Beam wrapper
# --------------------------------------------------------------------------------------------

WIKI_LIKE = (
    '<html><head><link rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/deed.an">'
    '<meta name="robots" content="max-image-preview:standard"></head><body><h1>Escopete</h1>'
    '<figure><img src="m.jpg"><figcaption>Map: <a href="https://creativecommons.org/licenses/by/3.0/">'
    'CC BY 3.0</a></figcaption></figure><footer id="footer"><li>O texto ye disponible baixo a <a '
    'href="https://creativecommons.org/licenses/by-sa/4.0/">Licencia Creative Commons Atribución/'
    "Compartir-Igual</a></li></footer></body></html>"
)


def test_tag_document_html_with_counters() -> None:
    counts: dict[str, int] = {}

    def count(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    doc = make_doc(WIKI_LIKE, url="https://an.wikipedia.org/wiki/Escopete")
    tags = tag_document(doc, LicenseSettings(opt_out_domains=("wikipedia.org",)), count)
    assert (tags.license, tags.evidence, tags.confidence) == ("CC-BY-SA-4.0", "link_rel", 0.99)
    assert (tags.opt_out, tags.opt_out_signals) == (True, ("domain_list",))
    assert (tags.domain, tags.registered_domain) == ("an.wikipedia.org", "wikipedia.org")
    assert counts == {"evidence_link_rel": 1, "media_claims_skipped": 1, "opt_out_domain_list": 1}
    assert doc.license is None  # pure: the document is not modified


def test_tag_document_plain_text_inputs() -> None:
    text_doc = make_doc(
        None, text="# SPDX-License-Identifier: CC0-1.0\nprint(1)\n", content_type=None
    )
    assert tag_document(text_doc, SETTINGS).license == "CC0-1.0"
    odd = make_doc("Licensed under CC0 1.0", content_type="text/plain; charset=no-such-codec")
    assert tag_document(odd, SETTINGS).license == "CC0-1.0"
    plain = make_doc("Licensed under CC0 1.0", content_type="text/plain; charset=utf-8")
    tags = tag_document(plain, SETTINGS)
    assert (tags.license, tags.evidence, tags.confidence) == ("CC0-1.0", "body_text", 0.6)


def test_apply_tags() -> None:
    doc = make_doc('<html><head><meta name="robots" content="noai"></head></html>')
    lic.apply_tags(doc, tag_document(doc, SETTINGS))
    assert (doc.license, doc.license_evidence, doc.license_confidence) == (UNKNOWN, None, 0.0)
    assert (doc.opt_out, doc.opt_out_signals) == (True, ["meta_robots_noai"])


def test_tag_license_in_a_pipeline() -> None:
    docs = [
        make_doc(WIKI_LIKE, url="https://an.wikipedia.org/wiki/Escopete"),
        make_doc(
            '<html><head><meta name="robots" content="noai"></head></html>', url="https://x.org/"
        ),
        make_doc(None, text="# SPDX-License-Identifier: MIT\n", url=None, content_type=None),
    ]
    docs[2].id = "d3"
    errored = make_doc("<html></html>")
    errored.fail("read", "truncated record")

    with TestPipeline(runner=FnApiRunner()) as pipeline:
        tagged_docs = (
            pipeline
            | beam.Create([*docs, errored])
            | beam.ParDo(TagLicense(SETTINGS))
            | beam.Map(
                lambda d: (
                    d.license,
                    d.license_evidence,
                    d.opt_out,
                    tuple(d.opt_out_signals),
                    d.status.value,
                )
            )
        )
        assert_that(
            tagged_docs,
            equal_to(
                [
                    ("CC-BY-SA-4.0", "link_rel", False, (), "kept"),
                    (UNKNOWN, None, True, ("meta_robots_noai",), "kept"),
                    ("MIT", "spdx_header", False, (), "kept"),
                    (None, None, None, (), "error"),
                ]
            ),
        )


def test_tag_license_counters() -> None:
    pipeline = TestPipeline(runner=FnApiRunner())
    _ = (
        pipeline
        | beam.Create(
            [
                make_doc(WIKI_LIKE),
                make_doc('<html><head><meta name="robots" content="noai"></head></html>'),
            ]
        )
        | beam.ParDo(TagLicense(SETTINGS))
    )
    result = pipeline.run()
    result.wait_until_finish()
    counters = result.metrics().query(MetricsFilter().with_namespace(STAGE))["counters"]
    assert {c.key.metric.name: c.committed for c in counters} == {
        "evidence_link_rel": 1,
        "license_unknown": 1,
        "media_claims_skipped": 1,
        "opt_out_meta_robots_noai": 1,
    }


def test_errors_become_document_errors() -> None:
    doc = make_doc("<html></html>")
    doc.http_headers = (("x-robots-tag", None),)  # type: ignore[assignment]
    fn = TagLicense(SETTINGS)
    fn.setup()
    fn.start_bundle()
    [out] = list(fn.process(doc))
    assert (out.status, out.stage, out.reason) == (
        Status.ERROR,
        "license",
        "unexpected AttributeError",
    )


# --------------------------------------------------------------------------------------------
# Evaluation sets (skipped when ../shared/eval is absent)
# --------------------------------------------------------------------------------------------

needs_eval = pytest.mark.skipif(
    not (EVAL_DIR / "license").is_dir(), reason="evaluation data not present"
)


@needs_eval
def test_c5_annotator_cases() -> None:
    from bench.eval_license import eval_c5

    assert eval_c5(EVAL_DIR / "license", verbose=False) == {
        "test_parse_cc_license_url": (18, 18),
        "test_find_cc_licenses_in_html": (21, 21),
        "test_sort_licenses": (4, 4),
    }


@needs_eval
def test_reuse_headers() -> None:
    from bench.eval_license import eval_reuse

    results = eval_reuse(EVAL_DIR / "license", verbose=False)
    assert results["reuse_headers"] == (90, 90)


@needs_eval
def test_licensecheck_files_in_scope() -> None:
    from bench.eval_license import eval_licensecheck

    result = eval_licensecheck(EVAL_DIR / "license", verbose=False)
    assert (result.positives, result.negatives, result.ids_in_scope) == (
        (154, 161),
        (23, 26),
        (74, 410),
    )
