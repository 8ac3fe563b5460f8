"""Settings of the lineage events a build emits (OpenLineage run events).

Off by default: a build sends nothing anywhere unless `lineage.openlineage.transport` says
where. `file` appends one JSON event per line to a local file; `http` posts each event to an
OpenLineage endpoint (Marquez, a catalogue's collector, ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenLineageSettings(_Section):
    transport: Literal["none", "file", "http"] = Field(
        default="none",
        description="Where run events go: none (default: no events), file (one JSON event per "
        "line appended to `path`) or http (posted to `url`).",
    )
    path: str | None = Field(
        default=None, description="File transport: the local file the events are appended to."
    )
    url: str | None = Field(
        default=None,
        description="HTTP transport: the endpoint's base URL (events are posted to "
        "`url` + `endpoint`).",
    )
    endpoint: str = Field(
        default="api/v1/lineage", description="HTTP transport: path of the lineage API."
    )
    api_key_env: str | None = Field(
        default=None,
        description="HTTP transport: environment variable holding a bearer token; never "
        "written out.",
    )
    timeout_seconds: float = Field(
        default=5.0, gt=0, description="HTTP transport: timeout of one request."
    )
    namespace: str = Field(
        default="curate", description="OpenLineage job namespace of the build job."
    )
    job_name: str = Field(default="curate.build", description="OpenLineage job name of a build.")

    @model_validator(mode="after")
    def _target_given(self) -> OpenLineageSettings:
        if self.transport == "file" and not self.path:
            raise ValueError("the file transport needs `path`")
        if self.transport == "http" and not self.url:
            raise ValueError("the http transport needs `url`")
        return self


class LineageSettings(_Section):
    openlineage: OpenLineageSettings = Field(
        default=OpenLineageSettings(), description="OpenLineage run events of each build."
    )
