"""`curate report OUTDIR`: a self-contained static HTML report of a release (`report.html`).

Charts are inline SVG drawn here, so the page needs no script and no network: the stage
funnel, score histograms (toxicity, language-ID score, words per document, share of words with
a letter), language and licence distributions, PII entities by type and the bias audit; tables
hold the inputs, outputs, models, dedup summary, top domains and the balance check.

Safety: every string that reaches the page passes through `_esc` (`html.escape` with quotes),
whether it comes from a document (domains, licence ids), from an input name or from the
config, and the page carries a Content-Security-Policy that allows no script, no frame and no
remote resource at all, so even a missed escape could not run code or fetch anything. The page
is deterministic: it shows only what the manifest and the release files hold.
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from pipelines.release_facts import Histogram, ReleaseFacts, takedown_note

REPORT = "report.html"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)
TOP_CATEGORIES = 20

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;
background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
h3{font-size:15px;margin:14px 0 6px}
.meta{color:#56607a;margin:0 0 14px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #d5d9e0;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:20px}
.ok{color:#17803d}
.bad{color:#b42318}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:14px}
figure{margin:0;background:#fff;border:1px solid #d5d9e0;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}
svg{display:block;max-width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#1d2330}
svg .axis{stroke:#9aa3b5;stroke-width:1}
svg .s0{fill:#9db8e0}
svg .s1{fill:#1f5fbf}
svg .drop{fill:#e8924a}
svg .marked{fill:#c0392b}
svg .limit{stroke:#c0392b;stroke-width:1.5;stroke-dasharray:4 3}
.legend{font-size:12px;color:#56607a}
.sw{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:-1px}
table{border-collapse:collapse;background:#fff;margin:6px 0;font-size:13px}
th,td{border:1px solid #d5d9e0;padding:3px 8px;text-align:left;vertical-align:top}
td.w{overflow-wrap:anywhere;min-width:12em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px;word-break:break-all}
.empty{color:#56607a;font-style:italic}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3g}"


def _short(value: float) -> str:
    """Axis labels: 1k, 100k rather than 1,000 and 100,000."""
    if value >= 1000 and float(value / 1000).is_integer():
        return f"{int(value / 1000)}k"
    return _num(value)


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Collection[int] = (),
    long: Collection[int] = (),
) -> str:
    """A table; `numeric` columns align right, `long` ones (paths, domains) may wrap anywhere."""

    def cls(i: int) -> str:
        return " class=n" if i in numeric else " class=w" if i in long else ""

    head = "".join(f"<th{cls(i)}>{_esc(h)}</th>" for i, h in enumerate(header))
    body = []
    for row in rows:
        cells = "".join(f"<td{cls(i)}>{_esc(c)}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    if not body:
        return '<p class="empty">none</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _legend(names: Sequence[str], classes: Sequence[str]) -> str:
    colours = {"s0": "#9db8e0", "s1": "#1f5fbf", "drop": "#e8924a", "marked": "#c0392b"}
    items = "".join(
        f'<span class="sw" style="background:{colours[c]}"></span>{_esc(n)}'
        for n, c in zip(names, classes, strict=True)
    )
    return f'<div class="legend">{items}</div>'


def _figure(chart_id: str, title: str, svg: str, legend: str = "") -> str:
    caption = f"<figcaption>{_esc(title)}</figcaption>"
    return f'<figure id="chart-{_esc(chart_id)}">{caption}{svg}{legend}</figure>'


def _text(x: float, y: float, content: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{_esc(content)}</text>'


def _bar(cls: str, x: float, y: float, w: float, h: float, value: float, label: str) -> str:
    return (
        f'<rect class="mark {cls}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
        f'data-value="{_esc(value)}"><title>{_esc(label)}</title></rect>'
    )


def hbar_chart(
    chart_id: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    limit: tuple[float, str] | None = None,
    value_format: str = "{:,}",
    mark_classes: Sequence[Sequence[str]] | None = None,
) -> str:
    """Horizontal bars, one row per category, one thin bar per series within the row."""
    label_width, plot_width, value_width = 210, 620, 70
    row = 8 + 12 * len(series)
    height = 20 + row * max(1, len(categories))
    top = max([max(values, default=0) for _, values, _ in series] + [limit[0] if limit else 0])
    scale = plot_width / top if top > 0 else 0.0
    parts = [
        f'<svg data-chart="{_esc(chart_id)}" role="img" aria-label="{_esc(chart_id)}" '
        f'viewBox="0 0 {label_width + plot_width + value_width} {height}" '
        f'width="{label_width + plot_width + value_width}" height="{height}">'
    ]
    for i, category in enumerate(categories):
        y0 = 10 + i * row
        shown = category if len(category) <= 32 else category[:31] + "…"
        parts.append(_text(label_width - 6, y0 + row / 2 + 3, shown, "end"))
        for j, (name, values, cls) in enumerate(series):
            value = values[i]
            if mark_classes is not None:
                cls = mark_classes[j][i]
            width = max(value * scale, 1.0 if value else 0.0)
            y = y0 + 4 + j * 12
            parts.append(
                _bar(
                    cls,
                    label_width,
                    y,
                    width,
                    10,
                    value,
                    f"{category} ({name}): {value_format.format(value)}",
                )
            )
            parts.append(_text(label_width + width + 4, y + 9, value_format.format(value)))
    parts.append(
        f'<line class="axis" x1="{label_width}" y1="6" x2="{label_width}" y2="{height - 6}"/>'
    )
    if limit is not None and scale:
        x = label_width + limit[0] * scale
        parts.append(f'<line class="limit" x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 4}"/>')
        parts.append(f'<text x="{x + 3:.1f}" y="10">{_esc(limit[1])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_chart(histogram: Histogram) -> str:
    """Vertical bars per bin, all documents (light) and kept documents (dark) side by side."""
    bins = len(histogram.all)
    left, width, height, bottom = 50, 420, 170, 36
    slot = width / bins
    top = max(max(histogram.all, default=0), 1)
    log = uses_log_scale(histogram)

    def scaled(v: int) -> float:
        if v <= 0:
            return 0.0
        return (math.log10(v + 1) / math.log10(top + 1) if log else v / top) * height

    parts = [
        f'<svg data-chart="hist-{_esc(histogram.name)}" role="img" '
        f'aria-label="{_esc(histogram.title)}" viewBox="0 0 {left + width + 10} '
        f'{height + bottom + 10}" width="{left + width + 10}" height="{height + bottom + 10}">'
    ]
    base = height + 8
    for i in range(bins):
        lo = histogram.edges[i]
        hi = histogram.edges[i + 1] if i + 1 < len(histogram.edges) else None
        span = f"{_num(lo)}–{_num(hi)}" if hi is not None else f"≥ {_num(lo)}"
        for j, (name, values, cls) in enumerate(
            (("all", histogram.all, "s0"), ("kept", histogram.kept, "s1"))
        ):
            h = scaled(values[i])
            x = left + i * slot + 2 + j * (slot - 4) / 2
            parts.append(
                _bar(
                    cls,
                    x,
                    base - h,
                    (slot - 4) / 2,
                    h,
                    values[i],
                    f"{span} ({name}): {values[i]:,}",
                )
            )
        # Bin edges label the axis where they are; the last bin of an open-ended one has none.
        parts.append(_text(left + i * slot, base + 14, _short(lo), "middle"))
    if not histogram.open_ended and len(histogram.edges) > bins:
        parts.append(_text(left + width, base + 14, _short(histogram.edges[bins]), "middle"))
    parts.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{left + width}" y2="{base}"/>')
    parts.append(f'<text x="{left - 4}" y="14" text-anchor="end">{top:,}</text>')
    parts.append(f'<text x="{left - 4}" y="{base}" text-anchor="end">0</text>')
    edges = histogram.edges
    for label, threshold in sorted(histogram.thresholds.items()):
        if edges[0] <= threshold <= edges[-1] and not histogram.open_ended:
            x = left + (threshold - edges[0]) / (edges[-1] - edges[0]) * width
            parts.append(f'<line class="limit" x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{base}"/>')
            parts.append(_text(x - 3, 24, f"{label} threshold {threshold:g}", "end"))
    parts.append("</svg>")
    return "".join(parts)


def uses_log_scale(histogram: Histogram) -> bool:
    nonzero = [v for v in histogram.all if v > 0]
    # A long-tailed histogram is drawn on a log scale so that small bins stay visible.
    return bool(nonzero) and max(nonzero) > 30 * min(nonzero)


def _top(counts: dict[str, int], limit: int = TOP_CATEGORIES) -> list[str]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [k for k, _ in ordered[:limit]]


def _distribution(chart_id: str, title: str, summary: dict[str, dict[str, int]]) -> str:
    everything, kept = summary.get("all", {}), summary.get("kept", {})
    if not everything:
        return _figure(chart_id, title, '<p class="empty">no values</p>')
    names = _top(everything)
    rest_all = sum(v for k, v in everything.items() if k not in names)
    rest_kept = sum(v for k, v in kept.items() if k not in names)
    values_all = [everything.get(k, 0) for k in names]
    values_kept = [kept.get(k, 0) for k in names]
    if rest_all:
        names = [*names, f"{len(everything) - len(names)} more"]
        values_all.append(rest_all)
        values_kept.append(rest_kept)
    svg = hbar_chart(chart_id, names, [("all", values_all, "s0"), ("kept", values_kept, "s1")])
    return _figure(chart_id, title, svg, _legend(["all documents", "kept"], ["s0", "s1"]))


def _funnel(manifest: dict[str, Any]) -> str:
    stages = manifest["stages"]
    names = [s["name"] for s in stages]
    kept = [s["docs_out"] for s in stages]
    removed = [s["docs_in"] - s["docs_out"] for s in stages]
    svg = hbar_chart(
        "funnel",
        names,
        [("documents out", kept, "s1"), ("rejected or errors here", removed, "drop")],
    )
    chart = _figure(
        "funnel",
        "Stage funnel: documents leaving each stage",
        svg,
        _legend(["documents out", "rejected or errors at the stage"], ["s1", "drop"]),
    )
    table = _table(
        ["stage", "version", "in", "out", "errors", "drops by reason", "rule failures (flags)"],
        [
            [
                s["name"],
                s["version"],
                _num(s["docs_in"]),
                _num(s["docs_out"]),
                _num(s["errors"]),
                _pairs(s["drops"]),
                _pairs(s["flagged"]),
            ]
            for s in stages
        ],
        numeric={2, 3, 4},
    )
    return chart + table


def _pairs(counts: dict[str, Any]) -> str:
    if not counts:
        return "-"
    return ", ".join(
        f"{k} {_num(v)}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _bias_audit(audit: dict[str, Any]) -> str:
    # Groups large enough to be judged, and any group a stage removed documents of.
    groups = [g for g in audit["groups"] if g["removed"] > 0 or g["docs"] >= audit["min_docs"]]
    groups.sort(key=lambda g: (not g["over_limit"], -g["ratio"], g["stage"], g["group"]))
    groups = groups[:30]
    intro = (
        f"<p>Removal rate of documents mentioning each identity group, as a multiple of the "
        f"stage's overall removal rate. Marked (red) when the ratio exceeds "
        f"{_esc(audit['max_ratio'])} for a group with at least {_esc(audit['min_docs'])} "
        f"documents. A mark is a question, not a verdict.</p>"
    )
    if groups:
        labels = [f"{g['stage']}: {g['group']} ({g['removed']}/{g['docs']})" for g in groups]
        ratios = [round(g["ratio"], 3) for g in groups]
        classes = [["marked" if g["over_limit"] else "s1" for g in groups]]
        svg = hbar_chart(
            "bias-audit",
            labels,
            [("ratio", ratios, "s1")],
            limit=(audit["max_ratio"], f"limit {audit['max_ratio']:g}x"),
            value_format="{:g}x",
            mark_classes=classes,
        )
        chart = _figure(
            "bias-audit",
            "Bias audit: removal-rate ratio per stage and identity group",
            svg,
            _legend(["within the limit", "marked"], ["s1", "marked"]),
        )
    else:
        chart = _figure(
            "bias-audit",
            "Bias audit",
            '<p class="empty">no stage removed a document that mentions an identity group</p>',
        )
    marks = "".join(f"<li>{_esc(m)}</li>" for m in audit.get("messages", []))
    verdict = f"<ul class=bad>{marks}</ul>" if marks else '<p class="ok">No marks.</p>'
    overall = _table(
        ["stage", "documents", "removed", "removal rate"],
        [
            [s["stage"], _num(s["docs"]), _num(s["removed"]), f"{s['removal_rate']:.2%}"]
            for s in audit["stages"]
        ],
        numeric={1, 2, 3},
    )
    return intro + chart + verdict + "<h3>Overall removal per stage</h3>" + overall


def _pii(pii: dict[str, Any]) -> str:
    entities = pii.get("entities", {})
    summary = (
        f"<p>{_num(pii.get('documents', 0))} documents held PII; values were redacted "
        "before anything was written (offsets and types only in the ledger).</p>"
    )
    if not entities:
        return summary + '<p class="empty">no entities found</p>'
    names = _top(entities, limit=50)
    svg = hbar_chart("pii", names, [("entities", [entities[n] for n in names], "s1")])
    return summary + _figure("pii", "PII entities by type (all documents)", svg)


def _dedup(dedup: dict[str, Any]) -> str:
    rows = [
        [k.replace("_", " "), _num(v)]
        for k, v in sorted(dedup.items())
        if isinstance(v, int) and not isinstance(v, bool)
    ]
    lsh = dedup.get("lsh", {})
    cc = dedup.get("connected_components", {})
    rows += [["LSH", ", ".join(f"{k} {v}" for k, v in sorted(lsh.items()))]] if lsh else []
    if cc:
        changes = ", ".join(str(c) for c in cc.get("changes_per_round", []))
        rows.append(
            [
                "connected components",
                f"converged: {cc.get('converged')}; changes per round: {changes}",
            ]
        )
    verification = dedup.get("verification") or {}
    if verification.get("pairs"):
        rows.append(["sampled false-positive rate", f"{verification['false_positive_rate']}"])
    return _table(["measure", "value"], rows)


def render(facts: ReleaseFacts) -> str:
    """The report as one HTML page (a pure function of the release)."""
    manifest = facts.manifest
    totals = manifest["totals"]
    run, code = manifest["run"], manifest["code"]
    summaries = manifest["summaries"]
    balanced = totals["balanced"]
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Curate release report</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<h1>Curate release report</h1>",
        f'<p class="meta">Run <code>{_esc(run["id"])}</code>, finished {_esc(run["finished"])} on '
        f"{_esc(run['runner'])}; curate {_esc(code['version'])}, commit "
        f"<code>{_esc(code['git_commit'])}</code>"
        f"{' (uncommitted changes)' if code.get('git_dirty') else ''}; "
        f"config sha256 <code>{_esc(manifest['config_sha256'])}</code>; mode "
        f"{_esc(manifest['config'].get('mode', ''))}.</p>",
    ]
    if note := takedown_note(manifest):
        out.append(f'<p class="meta">{_esc(note)}</p>')
    out.append('<div class="cards">')
    for label, value in (
        ("input documents", totals["input"]),
        ("kept", totals["kept"]),
        ("rejected", totals["rejected"]),
        ("errors", totals["error"]),
        ("non-document records skipped", totals["records_skipped"]),
    ):
        out.append(f'<div class="card"><b>{_num(value)}</b>{_esc(label)}</div>')
    verdict = "balanced" if balanced else "NOT balanced"
    out.append(
        f'<div class="card"><b class="{"ok" if balanced else "bad"}">{verdict}</b>'
        "input = kept + rejected + errors</div></div>"
    )
    out += ["<h2>Stage funnel</h2>", _funnel(manifest)]
    out.append("<h2>Score distributions</h2>")
    if facts.histograms:
        out.append('<div class="grid">')
        for histogram in facts.histograms:
            out.append(
                _figure(
                    f"hist-{histogram.name}",
                    histogram.title,
                    histogram_chart(histogram),
                    _legend(["all documents", "kept"], ["s0", "s1"])
                    + (
                        '<div class="legend">bar heights on a log scale</div>'
                        if uses_log_scale(histogram)
                        else ""
                    ),
                )
            )
        out.append("</div>")
    else:
        out.append('<p class="empty">no scores recorded</p>')
    out.append("<h2>Languages and licences</h2>")
    out.append(
        _distribution("languages", "Languages (fastText label)", summaries.get("languages", {}))
    )
    licenses = summaries.get("licenses")
    if licenses:
        out.append(_distribution("licenses", "Licences (SPDX id or unknown)", licenses))
    if licenses:
        out.append("<h3>Licence evidence and opt-out signals</h3>")
        out.append(
            _table(["evidence", "documents"], sorted(licenses["evidence"].items()), numeric={1})
        )
        out.append(
            _table(
                ["opt-out signal", "documents"],
                sorted(licenses["opt_out_signals"].items()),
                numeric={1},
            )
        )
    if facts.top_domains:
        out.append("<h3>Most frequent registered domains (kept documents)</h3>")
        out.append(
            _table(
                ["domain", "documents"],
                [[d, _num(n)] for d, n in facts.top_domains],
                numeric={1},
                long={0},
            )
        )
    if "pii" in summaries:
        out += ["<h2>Personal information</h2>", _pii(summaries["pii"])]
    if "bias_audit" in summaries:
        out += ["<h2>Bias audit (filter impact)</h2>", _bias_audit(summaries["bias_audit"])]
    if "dedup" in summaries:
        out += ["<h2>Duplicates</h2>", _dedup(summaries["dedup"])]
    out.append("<h2>Inputs</h2>")
    out.append(
        _table(
            [
                "file",
                "format",
                "bytes",
                "records",
                "documents",
                "errors",
                "skipped records",
                "sha256",
            ],
            [
                [
                    i["uri"],
                    i["format"],
                    _num(i["bytes"]),
                    _num(i["records"]),
                    _num(i["documents"]),
                    _num(i["errors"]),
                    _pairs(i["skipped"]),
                    i["sha256"][:16] + "…",
                ]
                for i in manifest["inputs"]
            ],
            numeric={2, 3, 4, 5},
            long={0},
        )
    )
    out.append("<h2>Outputs</h2>")
    out.append(
        _table(
            ["file", "rows", "bytes", "sha256"],
            [
                [o["path"], _num(o["rows"]), _num(o["bytes"]), o["sha256"]]
                for o in manifest["outputs"]
            ],
            numeric={1, 2},
        )
    )
    out.append("<h2>Models</h2>")
    out.append(
        _table(
            ["name", "backend", "file", "sha256"],
            [[m["name"], m["backend"], m["file"], m["sha256"]] for m in manifest["models"]],
        )
    )
    out.append(
        "<h2>Balance</h2>"
        f"<p class={'ok' if balanced else 'bad'}>{_num(totals['input'])} documents = "
        f"{_num(totals['kept'])} kept + {_num(totals['rejected'])} rejected + "
        f"{_num(totals['error'])} errors: {verdict}.</p>"
    )
    out.append("</main></body></html>\n")
    return "\n".join(out)


def report_command(outdir: str) -> str:
    """`curate report OUTDIR`: (re)write report.html; returns its path."""
    from pipelines.artifacts import load_release_manifest, write_report

    manifest = load_release_manifest(outdir)
    write_report(outdir, manifest)
    return str(Path(outdir, REPORT)) if "://" not in outdir else f"{outdir.rstrip('/')}/{REPORT}"
