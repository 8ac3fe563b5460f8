"""The lineage manifest (`manifest.json`): how a release was made, and how to check it.

Timestamps, run ids, timings and the energy estimate live only in `run`; everything else is a
pure function of the inputs, config and code, so two manifests of the same build compare equal
outside `run` (and `config.output.path`, where a build was written). `curate schema manifest`
prints the JSON Schema of this model; `schema_version` changes whenever a field is added,
renamed or given a new meaning.

Version history: 1.0 first release; 1.1 adds `run.cpu_seconds`, `run.stage_cpu_seconds`,
`run.energy`, `takedown` and `parent`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnergyEstimate(Record):
    """codecarbon's offline estimate for the whole run (power models, not a meter)."""

    energy_kwh: float = Field(description="CPU + RAM + GPU energy, kWh.")
    cpu_energy_kwh: float
    ram_energy_kwh: float
    gpu_energy_kwh: float
    emissions_kg_co2eq: float = Field(description="energy_kwh x the country's grid intensity.")
    country_iso_code: str = Field(description="ISO 3166-1 alpha-3 code of the grid (config).")
    tracking_mode: str = Field(description="codecarbon's 'machine' mode: the whole host.")
    cpu_power_watts: float = Field(description="CPU power the estimate assumed or measured.")
    cpu_model: str
    tool: str = Field(description="codecarbon and its version.")


class RunInfo(Record):
    id: str
    started: str
    finished: str
    runner: str
    options: dict[str, Any]
    wall_seconds: float
    cpu_seconds: float | None = Field(
        default=None,
        description="CPU time of the launching process and the local worker processes it "
        "waited for (remote workers not included).",
    )
    stage_seconds: dict[str, float] = Field(
        description="Wall time per stage summed over workers (Beam counters curate.stage_usec)."
    )
    stage_cpu_seconds: dict[str, float] = Field(
        default_factory=dict,
        description="CPU time per stage summed over workers, the CPU of the thread that ran "
        "the stage (Beam counters curate.stage_cpu_usec).",
    )
    energy: EnergyEstimate | None = Field(
        default=None, description="Energy estimate of the run; null when run.energy is off."
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


class ParentBuild(Record):
    path: str = Field(description="Where the parent release was read from.")
    manifest_sha256: str = Field(description="sha256 of the parent's manifest.json bytes.")
    run_id: str
    config_sha256: str


class TakedownRequest(Record):
    kind: str = Field(description="ids, urls or domains.")
    file: str
    file_sha256: str
    entries: int = Field(description="Distinct non-empty lines of the request file.")
    matched_entries: int = Field(description="Entries that matched at least one document.")
    documents: int = Field(description="Documents the request matched (all statuses).")
    removed_kept: int = Field(description="Matched documents that were in data/.")
    removed_rejected_text: int = Field(description="Matched documents that were in rejected/.")


class TakedownInfo(Record):
    parent: ParentBuild
    request: TakedownRequest
    rewritten: list[str] = Field(description="Output files rewritten; all others are copies.")


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
    takedown: TakedownInfo | None = Field(
        default=None, description="Set on a release derived from a parent by `curate takedown`."
    )
    parent: ParentBuild | None = Field(
        default=None,
        description="Set on an incremental build (`curate run --parent`): the release it "
        "extends; it holds only the documents of shards that release did not process.",
    )


def manifest_json_schema() -> dict[str, Any]:
    """The published JSON Schema of `manifest.json` (`curate schema manifest`)."""
    schema = Manifest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Curate lineage manifest, schema_version {SCHEMA_VERSION}"
    return schema
