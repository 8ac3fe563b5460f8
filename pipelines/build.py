"""The curation pipeline: one Beam graph, one readable labelled chain, and its run.

    shards -> read records -> extract text -> identify language -> score quality -> decide
           -> write data/ + ledger/ (+ rejected/)            -> manifest.json (after the run)

`plan_inputs` expands the configured paths before the graph is built, so that bad paths fail
early with one sentence; `run_build` builds, runs and publishes a release.
"""

from __future__ import annotations

import math
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipelines import manifest as manifest_builder
from pipelines import release
from pipelines.decide import DecideDocs
from pipelines.energy import EnergyMeter
from pipelines.registry import enabled_stages, model_infos, project_dir
from schemas.config import ConfigError, CurateConfig
from schemas.manifest import RunInfo
from transforms.base import StageClock, StageError
from transforms.language import verify_model
from transforms.read import ReadShard, ShardSpec, detect_format

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class BuildResult:
    outdir: str
    manifest: dict[str, Any]


def _local_dir_files(path: str) -> list[str]:
    names = sorted(os.listdir(path))
    return [os.path.join(path, n) for n in names if detect_format(n) and not n.startswith(".")]


def plan_inputs(config: CurateConfig) -> list[ShardSpec]:
    """Expand paths and globs into shard specs, or explain in one sentence why not."""
    matched: list[tuple[str, int]] = []
    for pattern in config.input.paths:
        if "://" not in pattern and os.path.isdir(pattern):
            files = _local_dir_files(pattern)
            matched += [(f, os.path.getsize(f)) for f in files]
            if not files:
                raise ConfigError(f"Input directory {pattern} holds no files of a known format.")
            continue
        try:
            results = FileSystems.match([pattern])[0].metadata_list
        except Exception:  # Beam raises BeamIOError or OSError depending on the filesystem
            results = []
        if not results:
            what = "matches no files" if _GLOB_CHARS & set(pattern) else "does not exist"
            raise ConfigError(f"Input path {pattern} {what}.")
        matched += [(m.path, m.size_in_bytes) for m in sorted(results, key=lambda m: m.path)]
    specs: list[ShardSpec] = []
    seen: dict[str, str] = {}
    for uri, size in dict.fromkeys(matched):
        name = uri.rstrip("/").rsplit("/", 1)[-1]
        fmt = config.input.format if config.input.format != "auto" else detect_format(name)
        if fmt is None:
            raise ConfigError(
                f"Input {uri}: cannot tell the format from the file name; set input.format."
            )
        if name in seen:
            raise ConfigError(
                f"Inputs {seen[name]} and {uri} share the file name {name}; document ids are "
                "derived from file names, so each input needs a unique one."
            )
        seen[name] = uri
        specs.append(ShardSpec(index=len(specs), uri=uri, name=name, format=fmt, size=size))
    if not specs:
        raise ConfigError("No input paths given (input.paths or --input).")
    return specs


def output_shards(config: CurateConfig, specs: list[ShardSpec]) -> int:
    if config.output.num_shards:
        return config.output.num_shards
    total = sum(spec.size for spec in specs)
    return max(1, math.ceil(total / config.output.target_shard_bytes))


def resolve_model_paths(config: CurateConfig) -> CurateConfig:
    """Relative model paths: the working directory first, then the project directory."""
    path = Path(config.language.model_path)
    if not path.is_absolute() and not path.exists() and (project_dir() / path).exists():
        language = config.language.model_copy(update={"model_path": str(project_dir() / path)})
        return config.model_copy(update={"language": language})
    return config


def build_pipeline(
    pipeline: beam.Pipeline,
    config: CurateConfig,
    specs: list[ShardSpec],
    outdir: str,
    progress_seconds: float | None,
) -> None:
    stages = enabled_stages(config)
    stage_names = [stage.name for stage in stages]
    read = (
        pipeline
        # ShardSpec: one element per input file
        | "list_shards" >> beam.Create(specs)
        # spread shards over workers before the expensive reads
        | "reshuffle_shards" >> beam.Reshuffle()
        # Doc (main output) and ShardStats (per file)
        | "read_records"
        >> beam.ParDo(ReadShard(config.input, len(specs), progress_seconds)).with_outputs(
            ReadShard.STATS, main="docs"
        )
    )
    docs = read.docs
    for stage in stages:
        transform = stage.annotate(config)
        # Doc -> Doc: each stage writes its scores and tags
        docs = docs | stage.label >> transform
        # A stage that measures the whole corpus (dedup) also yields one summary for the manifest.
        summary = getattr(transform, "summary", None)
        if summary is not None:
            _ = summary | f"record_{stage.name}_summary" >> release.WriteStageSummary(
                outdir, stage.name
            )
    decided = docs | "decide" >> beam.ParDo(DecideDocs(config, stage_names))
    num_shards = output_shards(config, specs)
    _ = decided | "write_release" >> release.WriteRelease(
        outdir, stage_names, num_shards, config.output
    )
    _ = read[ReadShard.STATS] | "record_inputs" >> release.WriteInputStats(outdir)


def _runner_name(options: PipelineOptions) -> str | None:
    return options.view_as(StandardOptions).runner


def _cpu_seconds() -> float:
    # This process and the local worker processes it has waited for.
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _stage_seconds(result: Any, namespace: str = StageClock.WALL) -> dict[str, float]:
    try:
        counters = result.metrics().query()["counters"]
    except Exception:  # not every runner reports metrics
        return {}
    seconds: dict[str, float] = {}
    for counter in counters:
        if counter.key.metric.namespace == namespace:
            name = counter.key.metric.name
            seconds[name] = seconds.get(name, 0.0) + counter.committed / 1e6
    return {k: round(v, 3) for k, v in sorted(seconds.items())}


def run_build(
    config: CurateConfig,
    beam_args: list[str],
    progress: bool,
) -> BuildResult:
    config = resolve_model_paths(config)
    try:
        verify_model(config.language)
    except StageError as exc:
        raise ConfigError(str(exc)) from None
    specs = plan_inputs(config)
    outdir = config.output.path
    if not any(a.startswith("--default_sdk_harness_log_level") for a in beam_args):
        # Local worker processes otherwise log every start and exit at INFO.
        beam_args = [*beam_args, "--default_sdk_harness_log_level=WARNING"]
    options = PipelineOptions(beam_args)
    runner_name = _runner_name(options)
    # The default DirectRunner tries to download the Prism runner binary; run locally on
    # Beam's in-process portable runner instead.
    if runner_name is None:
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner

        runner: Any = FnApiRunner()
        runner_label = "FnApiRunner"
    else:
        runner = runner_name
        runner_label = runner_name
    release.prepare_staging(outdir)
    started = datetime.now(UTC)
    clock, cpu_clock = time.monotonic(), _cpu_seconds()
    energy = EnergyMeter(config.run)
    energy.start()
    try:
        pipeline = beam.Pipeline(runner=runner, options=options)
        progress_seconds = config.run.progress_seconds if progress else None
        build_pipeline(pipeline, config, specs, outdir, progress_seconds)
        result = pipeline.run()
        result.wait_until_finish()
    finally:
        energy_estimate = energy.stop()
    stages = enabled_stages(config)
    release.fill_empty_shards(
        outdir, [s.name for s in stages], output_shards(config, specs), config.output
    )
    files = release.staged_files(outdir)
    models = model_infos(config)
    run = RunInfo(
        id=uuid.uuid4().hex,
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        runner=runner_label,
        options={k: v for k, v in sorted(options.get_all_options(drop_default=True).items())},
        wall_seconds=round(time.monotonic() - clock, 3),
        cpu_seconds=round(_cpu_seconds() - cpu_clock, 3),
        stage_seconds=_stage_seconds(result),
        stage_cpu_seconds=_stage_seconds(result, StageClock.CPU),
        energy=energy_estimate,
    )
    manifest = manifest_builder.build_manifest(outdir, config, stages, models, files, run)
    release.publish(outdir, files, manifest_builder.manifest_bytes(manifest))
    if progress:
        print("curate: release published", file=sys.stderr)
    return BuildResult(outdir=outdir, manifest=manifest.model_dump(mode="json"))
