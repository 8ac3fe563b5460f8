"""Accuracy and throughput of the licence stage on the shared evaluation sets.

    python -m bench.eval_license [--eval-dir DIR] [--verbose] [--speed]

Sets (all under `<eval>/license`, read in place, never copied):

- `c5`: the C5 annotator's own test cases (`c5_license_annotator_cases.jsonl`), three kinds:
  URL parsing (`expected_abbr`/`expected_version`), licence elements found in HTML
  (`expected_licenses`: kind, version, location, in_head, in_footer, in document order) and the
  candidate ranking (`expected_sorted_licenses`). A case counts when every compared field matches.
- `licensecheck`: google/licensecheck test files (header stripped), the decided licence against
  the expected ids, on the files whose expected ids all lie in the vocabulary the name, URL and
  statement detectors can produce (`NAMED_IDS`), plus the negatives (expected: `unknown`).
- `sample`: the project's own sample corpus (`pipelines.sample_corpus`), which records the
  intended licence and opt-out of every document, in all five input formats.
- `reuse`: REUSE-annotated files: the decided licence against the declared SPDX expressions
  (reuse-tool's index, and the headers of fsfe/reuse-example), and the licence texts in their
  `LICENSES/` folders against the file name.

`--speed` times `tag_document` on the HTML responses of the crawl samples (`<eval>/crawl`) as
they are and with a Creative Commons footer added to every page (the slow path).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas.document import Doc
from schemas.licensing import LicenseSettings, canonical_license_id
from transforms.licensing import (
    UNKNOWN,
    Candidate,
    Evidence,
    Placement,
    decide_license,
    find_html_candidates,
    find_text_candidates,
    normalize_cc_url,
    rank_candidates,
    tag_document,
)

_REPO = Path(__file__).resolve().parent.parent

# Ids the name, URL and statement detectors can produce (SPDX ids after a cue and SPDX headers
# cover any listed id, so they widen nothing here). GNU ids stand for their -only/-or-later forms.
_CC_BY = [
    f"CC-{e}-{v}"
    for e in ("BY", "BY-SA", "BY-ND", "BY-NC", "BY-NC-SA", "BY-NC-ND")
    for v in ("1.0", "2.0", "2.5", "3.0", "4.0")
]
NAMED_IDS = frozenset(
    [
        *_CC_BY,
        *("CC-SA-1.0", "CC0-1.0", "CC-PDM-1.0", "CC-PDDC"),
        *("GFDL-1.1", "GFDL-1.2", "GFDL-1.3", "GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0"),
        *("LGPL-2.1", "LGPL-3.0", "AGPL-1.0", "AGPL-3.0", "Apache-1.0", "Apache-1.1"),
        *("Apache-2.0", "MPL-1.0", "MPL-1.1", "MPL-2.0", "ODbL-1.0", "ODC-By-1.0", "PDDL-1.0"),
        *("OGL-UK-1.0", "OGL-UK-2.0", "OGL-UK-3.0", "OGL-Canada-2.0", "Unlicense", "WTFPL"),
    ]
)
_GNU_SUFFIX = re.compile(r"^((?:A|L)?GPL|GFDL)-(\d\.\d)-(?:only|or-later)$")

# C5 location names and ours.
_C5_LOCATION = {
    Evidence.META: "meta_tag",
    Evidence.JSON_LD: "json-ld",
    Evidence.LINK_REL: "link_tag",
    Evidence.A_REL: "a_tag",
    Evidence.CC_LINK: "a_tag",
}
_FROM_C5_LOCATION = {
    "meta_tag": Evidence.META,
    "json-ld": Evidence.JSON_LD,
    "link_tag": Evidence.LINK_REL,
    "a_tag": Evidence.CC_LINK,
}


def eval_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("CURATE_EVAL_DIR") or _REPO.parent / "shared" / "eval")


def _folded(license_id: str) -> str:
    """An expected id as the detector would report it: ports folded, GNU ids bare."""
    try:
        canonical = canonical_license_id(license_id)
    except ValueError:
        return license_id
    gnu = _GNU_SUFFIX.match(canonical)
    return f"{gnu.group(1)}-{gnu.group(2)}" if gnu else canonical


def _c5_abbr(license_id: str | None) -> tuple[str | None, str | None]:
    """Our id in C5's (abbreviation, version) terms."""
    if license_id is None:
        return None, None
    if license_id.startswith("LicenseRef-CC-"):
        return "cc-unknown", None
    special = {"CC0-1.0": ("zero", "1.0"), "CC-PDM-1.0": ("mark", "1.0")}
    if license_id in special:
        return special[license_id]
    if license_id == "CC-PDDC":
        return "certification", "1.0"
    m = re.fullmatch(r"CC-([A-Z-]+)-(\d\.\d)", license_id)
    return (m.group(1).lower(), m.group(2)) if m else (license_id, None)


C5Row = tuple[str | None, str | None, str, bool, bool]


def _c5_candidate_rows(html_text: str) -> list[C5Row]:
    rows: list[C5Row] = []
    for c in find_html_candidates(html_text.encode(), LicenseSettings()):
        if c.evidence in _C5_LOCATION:
            abbr, version = _c5_abbr(c.license)
            rows.append(
                (
                    abbr,
                    version,
                    _C5_LOCATION[c.evidence],
                    c.placement is Placement.HEAD,
                    c.placement is Placement.FOOTER,
                )
            )
    return rows


def eval_c5(root: Path, verbose: bool) -> dict[str, tuple[int, int]]:
    results: dict[str, list[bool]] = {}
    for line in (root / "c5_license_annotator_cases.jsonl").read_text().splitlines():
        case = json.loads(line)
        kind = case["test_function"]
        if kind == "test_parse_cc_license_url":
            got: object = _c5_abbr(normalize_cc_url(case["license_url"]))
            want: object = (case["expected_abbr"], case["expected_version"])
        elif kind == "test_find_cc_licenses_in_html":
            got = _c5_candidate_rows(case["html_input"])
            want = [
                (e["abbr"], e["version"], e["location"], e["in_head"], e["in_footer"])
                for e in case["expected_licenses"]
            ]
        else:
            candidates = [
                Candidate(
                    e["abbr"],
                    _FROM_C5_LOCATION[e["location"]],
                    Placement.HEAD
                    if e["in_head"]
                    else Placement.FOOTER
                    if e["in_footer"]
                    else Placement.BODY,
                    False,
                    i,
                )
                for i, e in enumerate(case["unsorted_licenses"])
            ]
            got = [c.license for c in rank_candidates(candidates)]
            want = [e["abbr"] for e in case["expected_sorted_licenses"]]
        ok = got == want
        results.setdefault(kind, []).append(ok)
        if verbose and not ok:
            print(f"  c5 {kind} line {case['line']}: expected {want}, got {got}")
    return {k: (sum(v), len(v)) for k, v in results.items()}


def _licensecheck_body(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace", newline="") as stream:
        raw = stream.read()
    return raw[raw.index("\n\n") + 2 :] if "\n\n" in raw else ""


def _matches(predicted: str, expected: set[str]) -> bool:
    return _folded(predicted) in expected


@dataclass(frozen=True)
class LicensecheckResult:
    positives: tuple[int, int]  # (correct, files) whose expected ids are all in NAMED_IDS
    negatives: tuple[int, int]  # (correct, files) that expect no licence
    out_of_scope_files: int
    ids_in_scope: tuple[int, int]  # (in scope, all) distinct expected ids

    @property
    def all(self) -> tuple[int, int]:
        return (self.positives[0] + self.negatives[0], self.positives[1] + self.negatives[1])


def eval_licensecheck(root: Path, verbose: bool) -> LicensecheckResult:
    folder = root / "licensecheck_testdata"
    index = [json.loads(x) for x in (root / "licensecheck_testdata_index.jsonl").open()]
    all_ids = {i for row in index for i in row["expected_license_ids"]}
    in_scope_ids = {i for i in all_ids if _folded(i) in NAMED_IDS}
    pos_ok = pos_n = neg_ok = neg_n = out_of_scope = 0
    for row in index:
        expected = {_folded(i) for i in row["expected_license_ids"]}
        if not expected <= NAMED_IDS:
            out_of_scope += 1
            continue
        body = _licensecheck_body(folder / row["file"])
        predicted, _evidence, _confidence = decide_license(find_text_candidates(body))
        if expected:
            pos_n += 1
            ok = _matches(predicted, expected)
            pos_ok += ok
        else:
            neg_n += 1
            ok = predicted == UNKNOWN
            neg_ok += ok
        if verbose and not ok:
            print(f"  licensecheck {row['file']}: expected {sorted(expected)}, got {predicted}")
    return LicensecheckResult(
        positives=(pos_ok, pos_n),
        negatives=(neg_ok, neg_n),
        out_of_scope_files=out_of_scope,
        ids_in_scope=(len(in_scope_ids), len(all_ids)),
    )


def _declared_headers(text: str) -> list[str]:
    """The reference reading of REUSE tags: the value after `SPDX-License-Identifier:` on lines
    that start with it (after a comment marker), comment closers removed."""
    found = []
    for line in text.splitlines():
        m = re.match(r"^\W{0,4}\s*SPDX-License-Identifier:\s*(.*?)\s*(?:\*/|-->)?\s*$", line)
        if m:
            found.append(m.group(1))
    return found


def _same_expression(predicted: str, expected: list[str]) -> bool:
    if len(expected) == 1:
        return predicted == expected[0]
    return set(predicted.split(" AND ")) == set(expected)


def eval_reuse(root: Path, verbose: bool) -> dict[str, tuple[int, int]]:
    items: list[tuple[str, str, list[str]]] = []  # (subset, path, expected expressions)
    tool = root / "reuse-tool_spdx_headers"
    skipped = 0
    for line in (tool / "spdx_header_index.jsonl").open():
        row = json.loads(line)
        if any("{" in e for e in row["declared_spdx_expressions"]):
            skipped += 1  # a template placeholder, not an SPDX expression
            continue
        items.append(
            ("reuse_headers", str(tool / "files" / row["path"]), row["declared_spdx_expressions"])
        )
    example = root / "reuse-example"
    for path in sorted(example.rglob("*")):
        if path.is_file() and "LICENSES" not in path.parts and path.suffix != ".jpg":
            declared = _declared_headers(path.read_text(errors="replace"))
            if declared:
                items.append(("reuse_headers", str(path), declared))
    for folder in (example / "LICENSES", tool / "LICENSES"):
        for path in sorted(folder.glob("*.txt")):
            items.append(("license_texts", str(path), [path.stem]))
    results: dict[str, list[bool]] = {}
    for subset, name, expected in items:
        text = Path(name).read_text(errors="replace")
        predicted = decide_license(find_text_candidates(text))[0]
        if subset == "license_texts":
            ok = _folded(predicted) == _folded(expected[0])
        else:
            ok = _same_expression(predicted, expected)
        results.setdefault(subset, []).append(ok)
        if verbose and not ok:
            print(f"  reuse {Path(name).relative_to(root)}: expected {expected}, got {predicted}")
    out = {k: (sum(v), len(v)) for k, v in results.items()}
    out["skipped_placeholders"] = (skipped, skipped)
    return out


def eval_sample(verbose: bool) -> dict[str, tuple[int, int]]:
    """The project's embedded sample corpus, whose writer records the intended licence and
    opt-out of every document (`license:<id>`, `optout:<signal>` tags), in every input format."""
    from pipelines.sample_corpus import write_sample
    from schemas.config import InputSettings
    from transforms.read import (
        ShardSpec,
        detect_format,
        read_arc,
        read_jsonl,
        read_parquet,
        read_warc,
    )

    readers = {
        "warc": read_warc,
        "wet": read_warc,
        "arc": read_arc,
        "jsonl": read_jsonl,
        "parquet": read_parquet,
    }
    settings = LicenseSettings()
    results: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        truth = {d.id: d for d in write_sample(Path(tmp)).documents}
        for index, path in enumerate(sorted(Path(tmp).iterdir())):
            fmt = detect_format(path.name)
            if fmt is None:
                continue
            spec = ShardSpec(index, str(path), path.name, fmt, path.stat().st_size)
            for doc in readers[fmt](spec, InputSettings(), lambda _reason: None):
                intent = truth.get(doc.id)
                if doc.is_error or intent is None:
                    continue
                tags = tag_document(doc, settings)
                licences = [t.split(":", 1)[1] for t in intent.tags if t.startswith("license:")]
                expected = licences[0] if licences else UNKNOWN
                opted_out = any(t.startswith("optout:") for t in intent.tags)
                results["license_n"] += 1
                results["license_ok"] += tags.license == expected
                results["opt_out_n"] += 1
                results["opt_out_ok"] += tags.opt_out == opted_out
                if verbose and (tags.license != expected or tags.opt_out != opted_out):
                    print(
                        f"  sample {fmt} {doc.url}: expected {expected}/{opted_out}, "
                        f"got {tags.license}/{tags.opt_out}"
                    )
    return {
        "license": (results["license_ok"], results["license_n"]),
        "opt_out": (results["opt_out_ok"], results["opt_out_n"]),
    }


def _html_pages(root: Path) -> list[tuple[str, bytes]]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    pages = []
    for path in sorted((root / "crawl").glob("*.warc*")):
        if ".wet" in path.name or ".wat" in path.name:
            continue
        with path.open("rb") as stream:
            records = ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True)
            for record in records:
                if "html" in (record.http_content_type or ""):
                    pages.append(
                        (record.headers.get("WARC-Target-URI") or "", record.reader.read())
                    )
    return pages


_CC_FOOTER = (
    b'<footer class="site-footer"><p>Photo by Jane (<a href="https://creativecommons.org/'
    b'licenses/by-nc/2.0/">CC BY-NC 2.0</a>)</p><a rel="license" href="http://creativecommons'
    b'.org/licenses/by-sa/4.0/"><img alt="Creative Commons License" src="https://i.'
    b'creativecommons.org/l/by-sa/4.0/88x31.png" /></a><br />This work is licensed under a '
    b'<a rel="license" href="http://creativecommons.org/licenses/by-sa/4.0/">Creative Commons '
    b"Attribution-ShareAlike 4.0 International License</a>.</footer></body>"
)


def _docs(pages: list[tuple[str, bytes]], footer: bool) -> Iterator[Doc]:
    for i, (url, payload) in enumerate(pages):
        if footer:
            cut = payload.lower().rfind(b"</body>")
            payload = payload[:cut] + _CC_FOOTER if cut >= 0 else payload + _CC_FOOTER
        yield Doc(
            id=str(i),
            source_uri="bench",
            source_record=str(i),
            source_format="warc",
            url=url,
            content_type="text/html",
            payload=payload,
        )


def speed(root: Path, passes: int = 30) -> None:
    """Pages per second of `tag_document` on one core: the best and the median of `passes`
    passes over the pages (the best is the least disturbed by other work on the machine)."""
    pages = _html_pages(root)
    settings = LicenseSettings()
    for footer in (False, True):
        docs = list(_docs(pages, footer))
        size = sum(len(d.payload or b"") for d in docs)
        for doc in docs:
            tag_document(doc, settings)  # warm caches (public suffix list, compiled patterns)
        times = []
        for _ in range(passes):
            started = time.perf_counter()
            for doc in docs:
                tag_document(doc, settings)
            times.append(time.perf_counter() - started)
        times.sort()
        best, median = times[0], times[len(times) // 2]
        label = "with CC footer" if footer else "as crawled"
        print(
            f"speed {label}: {len(docs)} pages, mean {size / len(docs) / 1000:.1f} KB: "
            f"{len(docs) / best:,.0f} pages/s best, {len(docs) / median:,.0f} median, "
            f"{size / best / 1e6:.0f} MB/s best (1 core)"
        )


def _pct(pair: tuple[int, int]) -> str:
    ok, n = pair
    return f"{ok}/{n} = {100 * ok / n:.1f}%" if n else "0/0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--eval-dir", help="evaluation data (default: $CURATE_EVAL_DIR or ../shared/eval)"
    )
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    parser.add_argument("--speed", action="store_true", help="also measure throughput")
    args = parser.parse_args(argv)
    root = eval_dir(args.eval_dir)
    license_dir = root / "license"
    if not license_dir.is_dir():
        print(f"no evaluation data at {license_dir}", file=sys.stderr)
        return 1
    c5 = eval_c5(license_dir, args.verbose)
    total = (sum(v[0] for v in c5.values()), sum(v[1] for v in c5.values()))
    print(f"c5 exact match: {_pct(total)}")
    for kind, pair in c5.items():
        print(f"  {kind}: {_pct(pair)}")
    lc = eval_licensecheck(license_dir, args.verbose)
    print(f"licensecheck accuracy (in scope): {_pct(lc.all)}")
    print(f"  positives: {_pct(lc.positives)}")
    print(f"  negatives: {_pct(lc.negatives)}")
    ids_in, ids_all = lc.ids_in_scope
    print(f"  ids in scope: {ids_in} of {ids_all}; files out of scope: {lc.out_of_scope_files}")
    reuse = eval_reuse(license_dir, args.verbose)
    skipped = reuse.pop("skipped_placeholders")[0]
    for subset, pair in reuse.items():
        print(f"reuse {subset}: {_pct(pair)}")
    print(f"  skipped: {skipped} template placeholder(s) that are not SPDX expressions")
    sample = eval_sample(args.verbose)
    print(f"sample licence: {_pct(sample['license'])}; opt-out: {_pct(sample['opt_out'])}")
    if args.speed:
        speed(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
