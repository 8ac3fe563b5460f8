"""The dataset card `README.md`: a Hugging Face dataset card written into the release.

YAML front matter (licence, languages, size category, task, and `configs` pointing at
`data/*.parquet` so that `datasets.load_dataset(OUTDIR)` loads the kept documents), then
sections from the manifest: how the release was built, the stage funnel, PII, the bias audit,
licences, and how to reproduce it. A pure function of the manifest: deterministic.

Document-derived strings (licence ids, input names) go into Markdown table cells through
`_cell`, which escapes the characters Markdown and HTML would interpret.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from pipelines.release_facts import ReleaseFacts, takedown_note

CARD = "README.md"
# Hugging Face's size categories (the `size_categories` tag values).
_SIZES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
]
# Licence ids the Hub knows, by SPDX id (the Hub uses lower-case ids).
_HUB_LICENSES = {
    "CC0-1.0": "cc0-1.0",
    "CC-BY-4.0": "cc-by-4.0",
    "CC-BY-SA-4.0": "cc-by-sa-4.0",
    "CC-BY-NC-4.0": "cc-by-nc-4.0",
    "CC-BY-ND-4.0": "cc-by-nd-4.0",
    "CC-BY-NC-SA-4.0": "cc-by-nc-sa-4.0",
    "CC-BY-NC-ND-4.0": "cc-by-nc-nd-4.0",
    "CC-BY-3.0": "cc-by-3.0",
    "CC-BY-SA-3.0": "cc-by-sa-3.0",
    "MIT": "mit",
    "Apache-2.0": "apache-2.0",
    "ODC-By-1.0": "odc-by",
    "ODbL-1.0": "odbl",
    "PDDL-1.0": "pddl",
    "GFDL-1.3": "gfdl",
    "GPL-3.0": "gpl-3.0",
    "CDLA-Permissive-2.0": "cdla-permissive-2.0",
}
_ISO_639_1 = re.compile(r"^[a-z]{2,3}$")


def size_category(rows: int) -> str:
    for bound, name in _SIZES:
        if rows < bound:
            return name
    return "n>1T"


def _cell(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([`*_\[\]])", r"\\\1", text)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "_none_\n"
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def front_matter(manifest: dict[str, Any]) -> dict[str, Any]:
    summaries = manifest["summaries"]
    kept_licenses = summaries.get("licenses", {}).get("kept", {})
    known = sorted({_HUB_LICENSES.get(k, "other") for k in kept_licenses if k != "unknown"})
    if kept_licenses.get("unknown") or not known:
        known = sorted({*known, "other"})
    languages = sorted(
        k for k in summaries.get("languages", {}).get("kept", {}) if _ISO_639_1.match(k)
    )
    data: dict[str, Any] = {
        "license": known[0] if len(known) == 1 else known,
        "language": languages,
        "size_categories": [size_category(manifest["totals"]["kept"])],
        "task_categories": ["text-generation"],
        "pretty_name": "Curate release",
        "tags": ["curate", "web-crawl", "pretraining"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": "train", "path": "data/*.parquet"}],
                "default": True,
            }
        ],
    }
    if "other" in known:
        data["license_name"] = "mixed"
        data["license_details"] = (
            "Each document keeps its own terms; the `license` column holds the licence "
            "detected in it (or `unknown`)."
        )
    return data


def render(facts: ReleaseFacts) -> str:
    manifest = facts.manifest
    totals, summaries, code = manifest["totals"], manifest["summaries"], manifest["code"]
    header = yaml.safe_dump(front_matter(manifest), sort_keys=False, allow_unicode=True)
    parts = [
        f"---\n{header}---\n",
        "# Curate release\n",
        f"{totals['kept']:,} documents kept of {totals['input']:,} read ({totals['rejected']:,} "
        f"rejected, {totals['error']:,} errors; {totals['records_skipped']:,} non-document "
        f"records skipped). Counts {'balance' if totals['balanced'] else 'DO NOT balance'}.\n",
        "```python\nimport datasets\n\n"
        'kept = datasets.load_dataset("path/to/this/folder", split="train")\n```\n',
        "`data/` holds the kept documents with their (PII-redacted) text and every score; "
        "`ledger/` one row per input document with its decision and no text; `manifest.json` "
        "the lineage manifest; `croissant.json` the Croissant description; `report.html` a "
        "report with charts.\n",
        "## How it was built\n",
        f"Built by Curate {_cell(code['version'])} (commit `{code['git_commit']}`"
        f"{', with uncommitted changes' if code.get('git_dirty') else ''}) with the "
        f"configuration of sha256 `{manifest['config_sha256']}` (in `manifest.json`), in "
        f"`{_cell(manifest['config'].get('mode'))}` mode.\n",
        "### Inputs\n",
        _table(
            ["file", "format", "bytes", "documents", "sha256"],
            [
                [i["uri"], i["format"], f"{i['bytes']:,}", f"{i['documents']:,}", i["sha256"]]
                for i in manifest["inputs"]
            ],
        ),
        "### Stage funnel\n",
        _table(
            ["stage", "in", "out", "errors", "rejected by reason"],
            [
                [
                    s["name"],
                    f"{s['docs_in']:,}",
                    f"{s['docs_out']:,}",
                    f"{s['errors']:,}",
                    ", ".join(f"{k} {v:,}" for k, v in sorted(s["drops"].items())) or "-",
                ]
                for s in manifest["stages"]
            ],
        ),
        "### Models\n",
        _table(
            ["name", "backend", "sha256"],
            [[m["name"], m["backend"], m["sha256"]] for m in manifest["models"]],
        ),
    ]
    if note := takedown_note(manifest):
        parts.append("### Takedown\n")
        parts.append(_cell(note) + "\n")
    parts.append("## Personal information\n")
    pii = summaries.get("pii")
    if pii:
        parts.append(
            f"{pii['documents']:,} documents held personal information found by pattern "
            "recognizers; the values were replaced before the text was written, and the "
            "ledger keeps only types and offsets. Pattern recognizers miss some personal "
            "information: treat the text as possibly personal.\n"
        )
        parts.append(_table(["entity type", "count"], sorted(pii["entities"].items())))
    else:
        parts.append("PII detection did not run for this release.\n")
    parts.append("## Bias audit\n")
    audit = summaries.get("bias_audit")
    if audit:
        parts.append(
            f"A stage is marked when it removes documents mentioning an identity group more "
            f"than {audit['max_ratio']:g} times as often as documents overall (groups with at "
            f"least {audit['min_docs']} documents). A mark is a question, not a verdict.\n"
        )
        marks = audit.get("messages", [])
        parts.append("".join(f"- {_cell(m)}\n" for m in marks) if marks else "No marks.\n")
    else:
        parts.append("Identity tagging did not run, so no filter-impact audit was made.\n")
    parts.append("## Licences\n")
    licenses = summaries.get("licenses")
    if licenses:
        parts.append(
            "Licence detected in each document (from markup, HTTP headers and footers); "
            "`unknown` means none was found and the original terms apply.\n"
        )
        parts.append(
            _table(
                ["licence", "all documents", "kept"],
                [
                    [k, f"{v:,}", f"{licenses['kept'].get(k, 0):,}"]
                    for k, v in sorted(licenses["all"].items())
                ],
            )
        )
        signals = licenses.get("opt_out_signals", {})
        if signals:
            parts.append(
                "AI/TDM opt-out signals found (documents with one are rejected when "
                "`license.honour_opt_out` is on):\n"
            )
            parts.append(_table(["signal", "documents"], sorted(signals.items())))
    else:
        parts.append("Licence tagging did not run for this release.\n")
    parts.append("## Languages\n")
    kept_languages = summaries.get("languages", {}).get("kept", {})
    parts.append(
        _table(
            ["language", "kept documents"],
            [
                [k, f"{v:,}"]
                for k, v in sorted(kept_languages.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        )
    )
    parts.append("## Files\n")
    parts.append(
        _table(
            ["file", "rows", "bytes", "sha256"],
            [
                [o["path"], f"{o['rows']:,}", f"{o['bytes']:,}", o["sha256"]]
                for o in manifest["outputs"]
            ],
        )
    )
    parts.append("## How to reproduce\n")
    parts.append(
        "With the same inputs (checked against the sha256 values above), Curate at the commit "
        "above and the recorded configuration, a rebuild gives byte-identical Parquet files:\n\n"
        "```sh\ncurate reproduce path/to/this/folder    # re-run and compare every file\n"
        "curate inspect path/to/this/folder      # this summary in the terminal\n```\n"
    )
    return "\n".join(parts)
