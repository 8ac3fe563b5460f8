"""OpenLineage run events of a build: START, then COMPLETE or FAIL (openlineage-python).

Off unless `lineage.openlineage.transport` is `file` or `http`: with `none` (the default) no
client is created at all, so nothing is sent anywhere. The client always gets its transport
from Curate's config, never from OpenLineage's own environment variables or YAML files, so a
stray `OPENLINEAGE_URL` cannot make a build post events; an HTTP request happens only when
`transport: http` and `url` are configured.

Events:

- the run id is the manifest's `run.id` (as a UUID);
- the job is `namespace`/`job_name` from the config;
- inputs are the input files, outputs the release's `data/` and `ledger/` (and `rejected/`)
  folders, named as OpenLineage's naming convention says (`file` + absolute path for local
  files, `gs://bucket` + path for object stores);
- COMPLETE adds the output row counts and bytes (`outputStatistics`) and the data schema;
- FAIL adds an `errorMessage` facet with the exception's type and first line (never a
  traceback: messages name files and keys, not document text). A build stopped by SIGINT or
  SIGTERM ends its run with FAIL too (`RunInterrupted: interrupted by SIGTERM ...`), sent
  from the signal handler before the process exits.

An event that cannot be delivered is logged as a warning and never fails the build.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from schemas.lineage import OpenLineageSettings

if TYPE_CHECKING:
    from openlineage.client import OpenLineageClient

log = logging.getLogger(__name__)

FOLDERS = ("data", "ledger", "rejected")


def dataset_name(uri: str) -> tuple[str, str]:
    """OpenLineage (namespace, name) of a file or folder: `file` + absolute path, or the
    object store's `scheme://bucket` + the path inside it."""
    if "://" in uri:
        scheme, rest = uri.split("://", 1)
        bucket, _, path = rest.partition("/")
        return f"{scheme}://{bucket}", path.rstrip("/") or "/"
    return "file", os.path.abspath(uri)


def run_uuid(run_id: str) -> str:
    """The manifest's run id (32 hex digits) in the UUID form OpenLineage requires."""
    return str(uuid.UUID(hex=run_id))


def _client(settings: OpenLineageSettings) -> OpenLineageClient:
    from openlineage.client import OpenLineageClient

    if settings.transport == "file":
        from openlineage.client.transport.file import FileConfig, FileTransport

        assert settings.path is not None  # checked by the settings
        transport: Any = FileTransport(FileConfig(log_file_path=settings.path, append=True))
    else:
        from openlineage.client.transport.http import (
            ApiKeyTokenProvider,
            HttpConfig,
            HttpTransport,
            TokenProvider,
        )

        assert settings.url is not None
        key = os.environ.get(settings.api_key_env) if settings.api_key_env else None
        auth = ApiKeyTokenProvider({"apiKey": key}) if key else TokenProvider({})
        transport = HttpTransport(
            HttpConfig(
                url=settings.url,
                endpoint=settings.endpoint,
                timeout=settings.timeout_seconds,
                auth=auth,
                retry={"total": 2, "backoff_factor": 0.5, "status_forcelist": [502, 503, 504]},
            )
        )
    # The transport is explicit: OpenLineage's env vars and YAML files cannot redirect events.
    return OpenLineageClient(transport=transport, config={})


class RunInterrupted(Exception):
    """The reason a run stopped by a signal gives in its FAIL event."""


# Runs that emitted START and not yet COMPLETE or FAIL, with their inputs and output: the
# signal handler ends them, since an interrupted build exits without unwinding.
_open_runs: dict[BuildLineage, tuple[Sequence[str], str]] = {}


def fail_open_runs(reason: str) -> None:
    """Emit FAIL for every run of this process that started and has not ended."""
    for lineage, (inputs, outdir) in list(_open_runs.items()):
        lineage.fail(inputs, outdir, RunInterrupted(reason))


class BuildLineage:
    """Emits the run events of one build; every method is a no-op when lineage is off."""

    def __init__(self, settings: OpenLineageSettings, run_id: str):
        self.settings = settings
        self.run_id = run_uuid(run_id)
        self.producer = f"urn:curate:{_version('curate')}"
        self.client = None if settings.transport == "none" else _client(settings)

    def _emit(
        self,
        state: str,
        inputs: Sequence[str],
        outputs: list[Any],
        run_facets: dict[str, Any] | None = None,
    ) -> None:
        if self.client is None:
            return
        from openlineage.client.event_v2 import InputDataset, Job, Run, RunEvent, RunState

        event = RunEvent(
            eventType=RunState[state],
            eventTime=datetime.now(UTC).isoformat(),
            run=Run(runId=self.run_id, facets=run_facets or {}),
            job=Job(namespace=self.settings.namespace, name=self.settings.job_name),
            producer=self.producer,
            inputs=[InputDataset(*dataset_name(uri)) for uri in inputs],
            outputs=outputs,
        )
        try:
            self.client.emit(event)
        except Exception as exc:  # a lineage backend being down must not fail the build
            log.warning(
                "curate: could not emit the OpenLineage %s event (%s)", state, type(exc).__name__
            )

    def _outputs(self, outdir: str, manifest: dict[str, Any] | None = None) -> list[Any]:
        from openlineage.client.event_v2 import OutputDataset
        from openlineage.client.generated.output_statistics_output_dataset import (
            OutputStatisticsOutputDatasetFacet,
        )

        folders: Sequence[str] = FOLDERS[:2]
        if manifest is not None:
            folders = [
                f
                for f in FOLDERS
                if any(o["path"].startswith(f"{f}/") for o in manifest["outputs"])
            ]
        datasets = []
        for folder in folders:
            uri = f"{outdir.rstrip('/')}/{folder}"
            facets: dict[str, Any] = {}
            dataset_facets: dict[str, Any] = {}
            if manifest is not None:
                files = [o for o in manifest["outputs"] if o["path"].startswith(f"{folder}/")]
                facets["outputStatistics"] = OutputStatisticsOutputDatasetFacet(
                    rowCount=sum(o["rows"] for o in files),
                    size=sum(o["bytes"] for o in files),
                    fileCount=len(files),
                )
                if files:
                    dataset_facets["schema"] = _schema_facet(
                        pq.read_schema(f"{outdir.rstrip('/')}/{files[0]['path']}")
                    )
            datasets.append(
                OutputDataset(*dataset_name(uri), facets=dataset_facets, outputFacets=facets)
            )
        return datasets

    def start(self, inputs: Sequence[str], outdir: str) -> None:
        self._emit("START", inputs, self._outputs(outdir), self._engine())
        if self.client is not None:
            _open_runs[self] = (inputs, outdir)

    def complete(self, inputs: Sequence[str], outdir: str, manifest: dict[str, Any]) -> None:
        _open_runs.pop(self, None)
        self._emit("COMPLETE", inputs, self._outputs(outdir, manifest), self._engine())

    def fail(self, inputs: Sequence[str], outdir: str, error: BaseException) -> None:
        from openlineage.client.generated.error_message_run import ErrorMessageRunFacet

        _open_runs.pop(self, None)

        first_line = (str(error).strip().splitlines() or [""])[0][:500]
        facets = {
            **self._engine(),
            "errorMessage": ErrorMessageRunFacet(
                message=f"{type(error).__name__}: {first_line}", programmingLanguage="python"
            ),
        }
        self._emit("FAIL", inputs, self._outputs(outdir), facets)

    def _engine(self) -> dict[str, Any]:
        from openlineage.client.generated.processing_engine_run import ProcessingEngineRunFacet

        return {
            "processing_engine": ProcessingEngineRunFacet(
                version=_version("apache-beam"),
                name="Apache Beam",
                openlineageAdapterVersion=_version("openlineage-python"),
            )
        }


def _schema_facet(schema: Any) -> Any:
    """OpenLineage's schema facet for a Parquet schema (nested types as Arrow spells them)."""
    from openlineage.client.generated.schema_dataset import (
        SchemaDatasetFacet,
        SchemaDatasetFacetFields,
    )

    return SchemaDatasetFacet(
        fields=[
            SchemaDatasetFacetFields(name=field.name, type=str(field.type), ordinal_position=i + 1)
            for i, field in enumerate(schema)
        ]
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"
