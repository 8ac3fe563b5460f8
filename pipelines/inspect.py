"""`curate inspect OUTDIR`: a terminal summary of a release, read from its manifest.

Shows the inputs, the stage funnel with drops by reason, languages, licences and opt-outs,
the toxicity distribution, the bias-audit marks, the outputs and the balance check. Every value
printed passes through `_safe`, so nothing in a manifest can send terminal control sequences
(or reorder text with bidi controls, or break a line).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from schemas.config import ConfigError


def _safe(value: Any) -> str:
    text = str(value)
    return "".join(c if c.isprintable() else "?" for c in text)


def _table(title: str, header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [[_safe(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i and c.replace(",", "").replace(".", "").isdigit() else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    out = ["", title, line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells[1:]] or ["(none)"]
    return out


def _counts(mapping: dict[str, int], limit: int = 12) -> str:
    items = sorted(mapping.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"{k} {v:,}" for k, v in items[:limit])
    return shown + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")


def render(manifest: dict[str, Any]) -> str:
    totals = manifest["totals"]
    lines = [
        f"release built {_safe(manifest['run']['finished'])} by curate "
        f"{_safe(manifest['code']['version'])} (commit {_safe(manifest['code']['git_commit'])}), "
        f"config sha256 {_safe(manifest['config_sha256'][:16])}",
    ]
    lines += _table(
        "inputs",
        ["file", "format", "bytes", "documents", "errors", "skipped records"],
        [
            [Path(i["uri"]).name, i["format"], f"{i['bytes']:,}", f"{i['documents']:,}",
             f"{i['errors']:,}", _counts(i["skipped"]) or "-"]
            for i in manifest["inputs"]
        ],
    )  # fmt: skip
    lines += _table(
        "stage funnel",
        ["stage", "in", "out", "errors", "drops by reason", "rule failures (flags)"],
        [
            [s["name"], f"{s['docs_in']:,}", f"{s['docs_out']:,}", f"{s['errors']:,}",
             _counts(s["drops"]) or "-", _counts(s["flagged"]) or "-"]
            for s in manifest["stages"]
        ],
    )  # fmt: skip
    summaries = manifest["summaries"]
    languages = summaries.get("languages", {})
    lines += ["", "languages", f"  all:  {_counts(languages.get('all', {}))}"]
    lines += [f"  kept: {_counts(languages.get('kept', {}))}"]
    if "licenses" in summaries:
        licenses = summaries["licenses"]
        lines += ["", "licences", f"  all:      {_counts(licenses['all'])}"]
        lines += [f"  kept:     {_counts(licenses['kept'])}"]
        lines += [f"  evidence: {_counts(licenses['evidence']) or '-'}"]
        lines += [f"  opt-out signals: {_counts(licenses['opt_out_signals']) or 'none'}"]
    if "pii" in summaries:
        lines += [
            "",
            "PII",
            f"  entities by type: {_counts(summaries['pii']['entities']) or 'none'}",
        ]
        lines += [f"  documents with PII: {summaries['pii']['documents']:,}"]
    if "toxicity" in summaries:
        toxicity = summaries["toxicity"]
        bins = toxicity["histogram_bins"]
        lines += _table(
            "toxicity score distribution",
            ["score", "all", "kept"],
            [
                [f"{bins[i]:.1f}-{bins[i + 1]:.1f}", f"{a:,}", f"{k:,}"]
                for i, (a, k) in enumerate(zip(toxicity["all"], toxicity["kept"], strict=True))
            ],
        )
    if "dedup" in summaries:
        dedup = summaries["dedup"]
        lines += [
            "",
            "duplicates",
            "  " + _counts({k: v for k, v in dedup.items() if isinstance(v, int)}),
        ]
    if "bias_audit" in summaries:
        audit = summaries["bias_audit"]
        lines += ["", f"bias audit (limit: removal rate > {audit['max_ratio']:g}x the stage's "
                  f"overall rate, groups with >= {audit['min_docs']} documents)"]  # fmt: skip
        lines += [f"  MARK: {_safe(m)}" for m in audit["messages"]] or ["  no marks"]
    lines += _table(
        "outputs",
        ["file", "rows", "bytes", "sha256"],
        [
            [o["path"], f"{o['rows']:,}", f"{o['bytes']:,}", o["sha256"][:16]]
            for o in manifest["outputs"]
        ],
    )
    balance = "balanced" if totals["balanced"] else "NOT BALANCED"
    lines += [
        "",
        f"totals: {totals['input']:,} documents = {totals['kept']:,} kept + "
        f"{totals['rejected']:,} rejected + {totals['error']:,} errors ({balance}); "
        f"{totals['records_skipped']:,} non-document records skipped",
    ]
    # Values reach lines outside the tables too (labels, reasons, file names): escape them all.
    return "\n".join(_safe(line) for line in lines)


def inspect_release(outdir: str) -> str:
    path = Path(outdir, "manifest.json")
    if not path.exists():
        raise ConfigError(f"{outdir} is not a Curate release (no manifest.json).")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ConfigError(f"{path} is not a readable manifest.") from None
    return render(manifest)
