"""`curate diff OUTDIR_A OUTDIR_B`: what differs between two builds, from their manifests.

Compares, section by section: config (without `output.path`, which only says where a build was
written) and `config_sha256` (which leaves `output.path` out), code, environment, models,
inputs, the stage funnel, totals, outputs (rows, bytes, sha256 per file), summaries, and the
`parent` (incremental builds) or `takedown` sections. `run` (ids, timestamps, timings, energy)
is never compared: it differs between any two runs. Lists of records are matched by their key
(stages by name, inputs by uri, outputs by path), so a line reads
`stages.quality.docs_out: 150 -> 140`.

Exit status: 0 when the builds are identical outside `run` and `output.path`, 1 when they
differ, 2 when either directory is not a release. `curate reproduce` uses the same comparison.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pipelines.explain import load_release
from pipelines.inspect import _safe

SECTIONS = (
    "schema_version", "config", "config_sha256", "code", "environment", "models", "inputs",
    "stages", "totals", "outputs", "summaries", "parent", "takedown",
)  # fmt: skip
# Lists of records in these sections are matched by this field.
RECORD_KEYS = {"models": "name", "inputs": "uri", "stages": "name", "outputs": "path"}
MAX_LINES = 40
_ABSENT = object()


def masked_config(config: dict[str, Any]) -> dict[str, Any]:
    """The config without `output.path`: where a build was written is not what it is."""
    output = {k: v for k, v in config.get("output", {}).items() if k != "path"}
    return {**config, "output": output}


def flatten(value: Any, prefix: str, key_field: str | None = None) -> dict[str, Any]:
    """Dotted keys to leaf values; lists of records keyed by `key_field` when they have it."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out if out else {prefix: {}}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for index, item in enumerate(value):
            name = item.get(key_field, index) if key_field else index
            out.update(flatten(item, f"{prefix}.{name}" if prefix else str(name)))
        return out
    return {prefix: value}


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def section_differences(name: str, a: Any, b: Any) -> list[str]:
    if name == "config":
        a, b = masked_config(a or {}), masked_config(b or {})
    flat_a = flatten(a, name, RECORD_KEYS.get(name))
    flat_b = flatten(b, name, RECORD_KEYS.get(name))
    lines = []
    for key in sorted(set(flat_a) | set(flat_b)):
        left, right = flat_a.get(key, _ABSENT), flat_b.get(key, _ABSENT)
        if left != right:
            lines.append(f"{key}: {_show(left)} -> {_show(right)}")
    return lines


def compare_manifests(a: dict[str, Any], b: dict[str, Any]) -> dict[str, list[str]]:
    """Differences per section (only sections that differ), outside `run` and output.path."""
    found = {}
    for name in SECTIONS:
        lines = section_differences(name, a.get(name), b.get(name))
        if lines:
            found[name] = lines
    return found


def render_differences(found: dict[str, list[str]]) -> list[str]:
    out = []
    for name, lines in found.items():
        out.append(f"{name}: {len(lines)} difference{'s' if len(lines) != 1 else ''}")
        out += [f"  {_safe(line)}" for line in lines[:MAX_LINES]]
        if len(lines) > MAX_LINES:
            out.append(f"  ... and {len(lines) - MAX_LINES} more")
    return out


def diff(outdir_a: str, outdir_b: str) -> tuple[str, int]:
    a, b = load_release(outdir_a), load_release(outdir_b)
    found = compare_manifests(a, b)
    head = [
        _safe(f"{label}: {path} (run {m['run']['id']}, finished {m['run']['finished']})")
        for label, path, m in (("A", outdir_a, a), ("B", outdir_b, b))
    ]
    if not found:
        return "\n".join([*head, "identical outside run and output.path"]), 0
    summary = ", ".join(found)
    return "\n".join([*head, f"differ in: {summary}", *render_differences(found)]), 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir_a")
    parser.add_argument("outdir_b")


def command(args: argparse.Namespace) -> int:
    text, status = diff(args.outdir_a, args.outdir_b)
    print(text)
    return status
