"""Build the lineage manifest from what a run staged: input stats, the ledger, the files.

Stage counts come from the ledger itself rather than from runner metrics, so they are exact,
deterministic and always agree with the per-document record.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

from pipelines.registry import Stage, project_dir
from pipelines.release import INPUT_STATS, STAGING, SUMMARIES, join, sha256_file
from schemas.config import CurateConfig
from schemas.manifest import (
    CodeInfo,
    EnvironmentInfo,
    InputInfo,
    Manifest,
    ModelInfo,
    OutputInfo,
    RunInfo,
    StageInfo,
    Totals,
)
from transforms import read

PACKAGES = (
    "apache-beam",
    "pyarrow",
    "pydantic",
    "fastwarc",
    "resiliparse",
    "fasttext-numpy2-wheel",
    "trafilatura",
    "numpy",
    "presidio-analyzer",
    "datasketch",
    "detoxify",
    "alt-profanity-check",
    "torch",
)


def code_info() -> CodeInfo:
    root = project_dir()
    try:
        version = metadata.version("curate")
    except metadata.PackageNotFoundError:
        version = "unknown"

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return CodeInfo(
        package="curate",
        version=version,
        git_commit=commit,
        git_dirty=None if status is None else bool(status),
    )


def environment_info() -> EnvironmentInfo:
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return EnvironmentInfo(
        python=platform.python_version(), platform=sys.platform, packages=packages
    )


def input_infos(outdir: str) -> list[InputInfo]:
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(join(outdir, STAGING, INPUT_STATS)) as stream:
        stats = json.loads(stream.read())
    return [
        InputInfo(
            uri=s["uri"],
            format=s["format"],
            bytes=s["bytes"],
            sha256=s["sha256"],
            records=s["records"],
            documents=s["documents"],
            errors=s["errors"],
            skipped=s["skipped"],
        )
        for s in stats
    ]


def stage_funnel(rows: dict[str, list[Any]], stages: list[Stage]) -> list[StageInfo]:
    total = len(rows["status"])
    rejected_by: dict[str, Counter[str]] = {}
    errors_by: Counter[str] = Counter()
    flagged_by: dict[str, Counter[str]] = {}
    for status, stage, reason, flags in zip(
        rows["status"], rows["stage"], rows["reason"], rows["flags"], strict=True
    ):
        if status == "rejected":
            rejected_by.setdefault(stage, Counter())[reason] += 1
        elif status == "error":
            errors_by[stage] += 1
        for flag in flags or ():
            name, _, why = flag.partition(":")
            flagged_by.setdefault(name, Counter())[why] += 1
    funnel = []
    docs_in = total
    for name, version in [(read.STAGE, read.VERSION)] + [(s.name, s.version) for s in stages]:
        drops = dict(sorted(rejected_by.get(name, Counter()).items()))
        errors = errors_by.get(name, 0)
        docs_out = docs_in - sum(drops.values()) - errors
        funnel.append(
            StageInfo(
                name=name,
                version=version,
                docs_in=docs_in,
                docs_out=docs_out,
                drops=drops,
                flagged=dict(sorted(flagged_by.get(name, Counter()).items())),
                errors=errors,
            )
        )
        docs_in = docs_out
    return funnel


def _histogram(values: list[float], bins: int = 10) -> list[int]:
    counts = [0] * bins
    for value in values:
        counts[min(int(value * bins), bins - 1)] += 1
    return counts


def summaries(
    rows: dict[str, list[Any]], config: CurateConfig, stages: list[Stage]
) -> dict[str, Any]:
    """Per-build summaries computed from ledger columns (only those of the stages that ran)."""
    kept = [status == "kept" for status in rows["status"]]

    def counts(column: str, only_kept: bool = False) -> dict[str, int]:
        found = Counter(
            v for v, k in zip(rows[column], kept, strict=True) if v and (k or not only_kept)
        )
        return dict(sorted(found.items()))

    result: dict[str, Any] = {
        "languages": {"all": counts("language"), "kept": counts("language", only_kept=True)}
    }
    if "license" in rows:
        signals = Counter(s for row in rows["opt_out_signals"] for s in row or ())
        result["licenses"] = {
            "all": counts("license"),
            "kept": counts("license", only_kept=True),
            "evidence": counts("license_evidence"),
            "opt_out_signals": dict(sorted(signals.items())),
            "policy": config.license.model_dump(mode="json"),
        }
    if "pii_spans" in rows:
        entities = Counter(span["type"] for spans in rows["pii_spans"] for span in spans or ())
        result["pii"] = {
            "entities": dict(sorted(entities.items())),
            "documents": sum(1 for spans in rows["pii_spans"] if spans),
        }
    if "toxicity_score" in rows:
        scored = [v for v in rows["toxicity_score"] if v is not None]
        scored_kept = [
            v for v, k in zip(rows["toxicity_score"], kept, strict=True) if v is not None and k
        ]
        result["toxicity"] = {
            "histogram_bins": [round(i / 10, 1) for i in range(11)],
            "all": _histogram(scored),
            "kept": _histogram(scored_kept),
            "thresholds": dict(sorted(config.toxicity.thresholds.items())),
        }
    if "identity_groups" in rows:
        from transforms.bias_audit import audit_filter_impact

        audit = audit_filter_impact(
            (
                {"status": st, "stage": sg, "flags": fl, "identity_groups": ig}
                for st, sg, fl, ig in zip(
                    rows["status"],
                    rows["stage"],
                    rows["flags"],
                    rows["identity_groups"],
                    strict=True,
                )
            ),
            config.identity.audit,
            [s.name for s in stages],
        )
        result["bias_audit"] = {**audit.to_dict(), "messages": audit.messages()}
    return result


def stage_summaries(outdir: str, stages: list[Stage]) -> dict[str, Any]:
    """Whole-corpus summaries that stages staged during the run (dedup's clusters, ...)."""
    from apache_beam.io.filesystems import FileSystems

    found = {}
    for stage in stages:
        path = join(outdir, STAGING, SUMMARIES, f"{stage.name}.json")
        if FileSystems.exists(path):
            with FileSystems.open(path) as stream:
                found[stage.name] = json.loads(stream.read())
    return found


# The ledger columns the manifest's totals, funnel and summaries are computed from.
SUMMARY_COLUMNS = (
    "status", "stage", "reason", "flags", "language", "license", "license_evidence",
    "opt_out_signals", "toxicity_score", "identity_groups", "pii_spans",
)  # fmt: skip


def summary_columns(ledger_dir: str) -> dict[str, list[Any]]:
    """The `SUMMARY_COLUMNS` a ledger folder holds, as Python lists."""
    ledger = ds.dataset(ledger_dir, format="parquet")
    columns = [c for c in SUMMARY_COLUMNS if c in ledger.schema.names]
    table = ledger.to_table(columns=columns)
    return {name: table.column(name).to_pylist() for name in columns}


def build_manifest(
    outdir: str,
    config: CurateConfig,
    stages: list[Stage],
    models: list[ModelInfo],
    files: list[str],
    run: RunInfo,
) -> Manifest:
    rows = summary_columns(join(outdir, STAGING, "ledger"))
    status_counts = Counter(rows["status"])
    inputs = input_infos(outdir)
    outputs = []
    for relative in files:
        digest, size = sha256_file(join(outdir, STAGING, relative))
        count = ds.dataset(join(outdir, STAGING, relative), format="parquet").count_rows()
        outputs.append(OutputInfo(path=relative, rows=count, bytes=size, sha256=digest))
    documents = len(rows["status"])
    kept_rows = sum(o.rows for o in outputs if o.path.startswith("data/"))
    balanced = (
        documents == sum(i.documents for i in inputs)
        and documents == status_counts["kept"] + status_counts["rejected"] + status_counts["error"]
        and kept_rows == status_counts["kept"]
    )
    return Manifest(
        run=run,
        code=code_info(),
        environment=environment_info(),
        config=config.resolved(),
        config_sha256=config.sha256(),
        models=models,
        inputs=inputs,
        stages=stage_funnel(rows, stages),
        outputs=outputs,
        totals=Totals(
            input=documents,
            kept=status_counts["kept"],
            rejected=status_counts["rejected"],
            error=status_counts["error"],
            records_skipped=sum(sum(i.skipped.values()) for i in inputs),
            balanced=balanced,
        ),
        summaries={**summaries(rows, config, stages), **stage_summaries(outdir, stages)},
    )


def manifest_bytes(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=False) + "\n").encode()


def load_manifest(outdir: str | Path) -> dict[str, Any]:
    return json.loads(Path(outdir, "manifest.json").read_text())
