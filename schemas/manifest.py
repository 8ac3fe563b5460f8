"""The lineage manifest (`manifest.json`): how a release was made, and how to check it.

Timestamps, run ids and timings live only in `run`; everything else is a pure function of the
inputs, config and code, so two manifests of the same build compare equal outside `run`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunInfo(Record):
    id: str
    started: str
    finished: str
    runner: str
    options: dict[str, Any]
    wall_seconds: float
    stage_seconds: dict[str, float] = Field(
        description="Summed processing time per stage across workers (Beam metrics)."
    )


class CodeInfo(Record):
    package: str
    version: str
    git_commit: str | None
    git_dirty: bool | None


class EnvironmentInfo(Record):
    python: str
    platform: str
    packages: dict[str, str]


class ModelInfo(Record):
    name: str
    backend: str
    file: str
    sha256: str


class InputInfo(Record):
    uri: str
    format: str
    bytes: int
    sha256: str
    records: int = Field(description="All records read, documents and skipped records.")
    documents: int
    errors: int
    skipped: dict[str, int]


class StageInfo(Record):
    name: str
    version: str
    docs_in: int
    docs_out: int
    drops: dict[str, int] = Field(description="Documents rejected here, by reason.")
    flagged: dict[str, int] = Field(
        description="Documents that failed each rule of this stage, whether or not an earlier "
        "rule already rejected them (in annotate mode: the would-be drops)."
    )
    errors: int


class OutputInfo(Record):
    path: str
    rows: int
    bytes: int
    sha256: str


class Totals(Record):
    input: int
    kept: int
    rejected: int
    error: int
    records_skipped: int
    balanced: bool


class Manifest(Record):
    schema_version: str = SCHEMA_VERSION
    run: RunInfo
    code: CodeInfo
    environment: EnvironmentInfo
    config: dict[str, Any]
    config_sha256: str
    models: list[ModelInfo]
    inputs: list[InputInfo]
    stages: list[StageInfo]
    outputs: list[OutputInfo]
    totals: Totals
    summaries: dict[str, Any]
