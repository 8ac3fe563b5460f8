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
from pipelines.release import INPUT_STATS, STAGING, join, sha256_file
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


def build_manifest(
    outdir: str,
    config: CurateConfig,
    stages: list[Stage],
    models: list[ModelInfo],
    files: list[str],
    run: RunInfo,
) -> Manifest:
    ledger_dir = join(outdir, STAGING, "ledger")
    columns = ["status", "stage", "reason", "flags", "language"]
    table = ds.dataset(ledger_dir, format="parquet").to_table(columns=columns)
    rows = {name: table.column(name).to_pylist() for name in columns}
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
    languages_all = Counter(lang for lang in rows["language"] if lang)
    languages_kept = Counter(
        lang for lang, status in zip(rows["language"], rows["status"], strict=True)
        if lang and status == "kept"
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
        summaries={
            "languages": {
                "all": dict(sorted(languages_all.items())),
                "kept": dict(sorted(languages_kept.items())),
            },
        },
    )


def manifest_bytes(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=False) + "\n").encode()


def load_manifest(outdir: str | Path) -> dict[str, Any]:
    return json.loads(Path(outdir, "manifest.json").read_text())
