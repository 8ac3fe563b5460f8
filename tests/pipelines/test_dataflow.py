"""The complete Dataflow job graph, built offline with the Dataflow runner's dry run."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability import common_urns

from pipelines.build import build_pipeline, plan_inputs
from pipelines.registry import enabled_stages, model_infos
from pipelines.sample_corpus import write_sample
from schemas.config import load_config
from tests.conftest import PROJECT

DRY_RUN = [
    "--runner=DataflowRunner",
    "--project=curate-test",
    "--region=us-central1",
    "--temp_location=gs://curate-test/tmp",
    "--no_auth",
    "--sdk_location=container",
    "--sdk_container_image=us-docker.pkg.dev/curate-test/curate/worker:test",
    "--dry_run=True",
]
# The detoxify checkpoint is not available offline; the graph is the same with the CPU backend.
CPU_CLASSIFIER = "toxicity.backend={kind: profanity_check}"


def dataflow_config(tmp_path: Path, *overrides: str):
    return load_config(
        PROJECT / "configs" / "dataflow.yaml",
        [
            f"input.paths={json.dumps([str(tmp_path / 'sample')])}",
            "output.path=gs://curate-test/releases/test",
            f"language.model_path={PROJECT / 'build' / 'models' / 'lid.176.ftz'}",
            CPU_CLASSIFIER,
            *overrides,
        ],
    )


@pytest.mark.skipif(
    importlib.util.find_spec("apitools") is None, reason="needs apache-beam[gcp] (Dataflow runner)"
)
def test_dataflow_dry_run_builds_the_whole_job_graph(tmp_path: Path, lid_model: Path) -> None:
    write_sample(tmp_path / "sample")
    config = dataflow_config(tmp_path)
    specs = plan_inputs(config)
    pipeline = beam.Pipeline(options=PipelineOptions(DRY_RUN))
    build_pipeline(pipeline, config, specs, config.output.path, None)
    result = pipeline.run()
    proto = result.job.proto_pipeline  # type: ignore[attr-defined]
    transforms = proto.components.transforms
    top = [transforms[t].unique_name for t in transforms[proto.root_transform_ids[0]].subtransforms]
    if len(proto.root_transform_ids) > 1:
        top = [transforms[t].unique_name for t in proto.root_transform_ids]
    stage_labels = [s.label for s in enabled_stages(config)]
    expected = ["list_shards", "reshuffle_shards", "read_records", *stage_labels, "decide",
                "write_release", "write_dedup_index", "record_inputs"]  # fmt: skip
    assert [name for name in top if name in expected] == expected
    assert "record_dedup_summary" in top

    # Only the classifier asks for a GPU; every other step runs on the CPU pool.
    urn = common_urns.resource_hints.ACCELERATOR.urn
    hinted = {
        t.unique_name: proto.components.environments[t.environment_id].resource_hints.get(urn)
        for t in transforms.values()
        if t.environment_id
        and proto.components.environments[t.environment_id].resource_hints.get(urn)
    }
    assert "score_toxicity/classify/BeamML_RunInference" in hinted
    assert all(name.startswith("score_toxicity/classify") for name in hinted)
    hints = set(hinted.values())
    assert hints == {config.toxicity.accelerator.encode()}  # type: ignore[union-attr]

    # Workers run the project's container; nothing is staged from this machine.
    images = {
        env.payload.decode(errors="replace")
        for env in proto.components.environments.values()
        if env.urn == common_urns.environments.DOCKER.urn
    }
    assert any("curate-test/curate/worker:test" in image for image in images)


def test_worker_container_stages_every_model_file(tmp_path: Path) -> None:
    """The container copies build/models/ to the same relative path the config names."""
    dockerfile = (PROJECT / "Dockerfile").read_text()
    beam_version = re.search(r"^apache-beam==(\S+)$", (PROJECT / "requirements.lock").read_text(),
                             re.M)  # fmt: skip
    assert beam_version is not None
    assert f"FROM apache/beam_python3.11_sdk:{beam_version.group(1)}" in dockerfile
    assert "COPY build/models build/models" in dockerfile
    assert "WORKDIR /opt/curate" in dockerfile
    config = load_config(PROJECT / "configs" / "dataflow.yaml")
    paths = [config.language.model_path]
    backend = config.toxicity.backend
    paths += [backend.checkpoint, backend.huggingface_config_path]  # type: ignore[union-attr]
    for path in paths:
        assert path is not None and path.startswith("build/models/"), path
    # The CPU variant's models are package data inside the installed dependencies.
    cpu = load_config(PROJECT / "configs" / "dataflow.yaml", [CPU_CLASSIFIER])
    names = [m.name for m in model_infos(cpu)]
    assert "lid.176" in names


def test_flex_template_parameters_become_one_curate_run() -> None:
    from pipelines.flex_template.launch import curate_arguments

    spec = json.loads((PROJECT / "pipelines" / "flex_template" / "metadata.json").read_text())
    names = [p["name"] for p in spec["parameters"]]
    assert {"crawl", "build_date"} <= set(names)
    argv = ["--crawl=CC-MAIN-2026-49", "--build_date=2026-12-03", "--bucket=b", "--project=p"]
    assert curate_arguments(argv) == [
        "run", "--config", "configs/dataflow.yaml",
        "--input", "gs://b/crawl/CC-MAIN-2026-49/segments/*/warc/*.warc.gz",
        "--output", "gs://b/releases/CC-MAIN-2026-49/2026-12-03",
        "--runner=DataflowRunner", "--sdk_location=container", "--project=p",
    ]  # fmt: skip
    with pytest.raises(SystemExit, match="missing parameter --build_date"):
        curate_arguments(["--crawl=x", "--bucket=b"])
