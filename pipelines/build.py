"""The curation pipeline: one Beam graph, one readable labelled chain, and its run.

    shards -> read records -> extract text -> identify language -> score quality -> decide
           -> write data/ + ledger/ (+ rejected/)            -> manifest.json (after the run)

`plan_inputs` expands the configured paths before the graph is built, so that bad paths fail
early with one sentence; `run_build` builds, runs and publishes a release.
"""

from __future__ import annotations

import json
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

from pipelines import global_pass, incremental, lineage_events, release, resume
from pipelines import manifest as manifest_builder
from pipelines.artifacts import ARTIFACTS, write_artifacts
from pipelines.decide import DecideDocs
from pipelines.dedup_index import WriteDedupIndex, fill_empty_index_shards
from pipelines.energy import EnergyMeter
from pipelines.registry import Stage, enabled_stages, model_infos, project_dir
from schemas.config import ConfigError, CurateConfig
from schemas.manifest import RunInfo
from transforms import read as read_stage
from transforms.base import StageClock, StageError
from transforms.dedup import ClusterNearDuplicates
from transforms.language import verify_model
from transforms.read import ReadShard, ShardSpec, detect_format, file_sha256

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class BuildResult:
    outdir: str
    manifest: dict[str, Any]


def _local_dir_files(path: str) -> list[str]:
    """The input files of a directory: those whose names tell a format.

    Hidden files (markers, partial downloads, editor state) are left out, as a shell glob
    leaves them out. Other files are left out on stderr, so that a crawl file with an
    unexpected name is not dropped without a word.
    """
    names = sorted(
        n
        for n in os.listdir(path)
        if not n.startswith(".") and os.path.isfile(os.path.join(path, n))
    )
    taken: list[str] = []
    skipped: list[str] = []
    for name in names:
        (taken if detect_format(name) else skipped).append(name)
    if skipped:
        shown = ", ".join(repr(n) for n in skipped[:3]) + (", ..." if len(skipped) > 3 else "")
        print(
            f"curate: input directory {path}: skipped {len(skipped)} file(s) whose name tells "
            f"no input format ({shown}); name them as inputs, with input.format, to read them",
            file=sys.stderr,
        )
    return [os.path.join(path, n) for n in taken]


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
        if "://" not in pattern and os.path.isfile(pattern):
            # An existing file is taken literally, even when its name holds glob characters.
            matched.append((pattern, os.path.getsize(pattern)))
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


def check_output_dir(outdir: str) -> None:
    """Refuse a local output path that holds something other than a Curate release.

    Publishing replaces `data/`, `ledger/` and `rejected/` shards and removes stale ones, so a
    directory of other files given as `--output` by mistake must not be written into.
    """
    if "://" in outdir or not os.path.exists(outdir):
        return
    if not os.path.isdir(outdir):
        raise ConfigError(f"Output path {outdir} is a file, not a directory.")
    entries = set(os.listdir(outdir))
    # A release (manifest.json) or the staging folder a crashed build left behind.
    if entries and not entries & {"manifest.json", release.STAGING}:
        raise ConfigError(
            f"Output directory {outdir} is not empty and holds no Curate release; choose a new "
            "or empty directory."
        )


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


def _read_shards(
    pipeline: beam.Pipeline,
    config: CurateConfig,
    specs: list[ShardSpec],
    progress_seconds: float | None,
) -> beam.pvalue.DoOutputsTuple:
    return (
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


def _annotate_and_write(
    docs: beam.PCollection,
    config: CurateConfig,
    stages: list[Stage],
    num_shards: int,
    outdir: str,
    prior_index: list[str],
) -> None:
    """Run `stages` (the rest of the enabled ones, in order), decide and write the release."""
    stage_names = [stage.name for stage in enabled_stages(config)]
    index = None
    for stage in stages:
        transform = stage.annotate(config)
        if isinstance(transform, ClusterNearDuplicates) and prior_index:
            # An incremental build: the parents' published documents join the clustering.
            transform = ClusterNearDuplicates(config.dedup, prior_index)
        # Doc -> Doc: each stage writes its scores and tags
        docs = docs | stage.label >> transform
        # A stage that measures the whole corpus (dedup) also yields one summary for the manifest.
        summary = getattr(transform, "summary", None)
        if summary is not None:
            _ = summary | f"record_{stage.name}_summary" >> release.WriteStageSummary(
                outdir, stage.name
            )
        index = getattr(transform, "index", None) or index
    decided = docs | "decide" >> beam.ParDo(DecideDocs(config, stage_names))
    _ = decided | "write_release" >> release.WriteRelease(
        outdir, stage_names, num_shards, config.output
    )
    if index is not None:
        # (id, exact hash, band keys) of kept documents: what a later --parent build compares to
        _ = {"index": index, "docs": decided} | "write_dedup_index" >> WriteDedupIndex(
            outdir, num_shards, config.output
        )


def build_pipeline(
    pipeline: beam.Pipeline,
    config: CurateConfig,
    specs: list[ShardSpec],
    outdir: str,
    progress_seconds: float | None,
    prior_index: list[str] | None = None,
) -> None:
    """The whole build as one graph (Dataflow and other remote runners)."""
    read = _read_shards(pipeline, config, specs, progress_seconds)
    _annotate_and_write(
        read.docs,
        config,
        enabled_stages(config),
        output_shards(config, specs),
        outdir,
        prior_index or [],
    )
    _ = read[ReadShard.STATS] | "record_inputs" >> release.WriteInputStats(outdir)


def _split_stages(config: CurateConfig) -> tuple[list[Stage], list[Stage]]:
    """(per-document stages, stages from the first whole-corpus one on)."""
    stages = enabled_stages(config)
    cut = next((i for i, s in enumerate(stages) if s.whole_corpus), len(stages))
    return stages[:cut], stages[cut:]


def build_shard_pass(
    pipeline: beam.Pipeline,
    config: CurateConfig,
    specs: list[ShardSpec],
    outdir: str,
    keys: dict[str, str],
    progress_seconds: float | None,
) -> None:
    """A per-shard pass of a resumable build: read, per-document stages, one unit per shard."""
    per_shard, _ = _split_stages(config)
    read = _read_shards(pipeline, config, specs, progress_seconds)
    docs = read.docs
    for stage in per_shard:
        # Doc -> Doc: each stage writes its scores and tags
        docs = docs | stage.label >> stage.annotate(config)
    # No shuffle or flatten from the read to here: the local runner would hold the whole pass
    # in memory. Each unit is written by the worker that read its shard (parallel per shard).
    units = (outdir, keys, [s.name for s in per_shard], config.output.row_group_rows)
    _ = docs | "stage_units" >> beam.ParDo(resume.WriteUnits(*units))
    _ = read[ReadShard.STATS] | "stage_empty_units" >> beam.ParDo(resume.WriteEmptyUnits(*units))


def _runner_name(options: PipelineOptions) -> str | None:
    return options.view_as(StandardOptions).runner


def _cpu_seconds() -> float:
    # This process and the local worker processes it has waited for.
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _stage_seconds(results: list[Any], namespace: str = StageClock.WALL) -> dict[str, float]:
    """Stage times summed over the build's pipelines (a resumable build runs several)."""
    counters = []
    for result in results:
        try:
            counters += result.metrics().query()["counters"]
        except Exception:  # not every runner reports metrics
            continue
    seconds: dict[str, float] = {}
    for counter in counters:
        if counter.key.metric.namespace == namespace:
            name = counter.key.metric.name
            seconds[name] = seconds.get(name, 0.0) + counter.committed / 1e6
    return {k: round(v, 3) for k, v in sorted(seconds.items())}


def _run(pipeline: beam.Pipeline) -> Any:
    result = pipeline.run()
    result.wait_until_finish()
    return result


def _execute(
    config: CurateConfig,
    make_pipeline: Any,
    specs: list[ShardSpec],
    outdir: str,
    progress_seconds: float | None,
    prior_index: list[str],
    resumable: bool,
    sha256_of: Any,
) -> list[Any]:
    """Run the build's pipelines; the results, for their metrics."""
    if not resumable:
        pipeline = make_pipeline()
        build_pipeline(pipeline, config, specs, outdir, progress_seconds, prior_index)
        return [_run(pipeline)]
    per_shard, _ = _split_stages(config)
    code = manifest_builder.code_info()
    versions = {s.name: s.version for s in per_shard} | {"read": read_stage.VERSION}
    models = model_infos(config)
    keys = {
        s.uri: resume.unit_key(s, sha256_of(s.uri), config, code, versions, models) for s in specs
    }
    done = resume.finished_units(outdir, keys.values())
    resume.prune_units(outdir, done)
    pending = [s for s in specs if keys[s.uri] not in done]
    if done:
        print(
            f"curate: resuming: {len(specs) - len(pending)} of {len(specs)} input shards were "
            "already processed by an earlier run into this output directory",
            file=sys.stderr,
        )
    results = []
    for batch in resume.plan_passes(pending, config.run.resume_batch_bytes):
        pipeline = make_pipeline()
        batch_keys = {s.uri: keys[s.uri] for s in batch}
        build_shard_pass(pipeline, config, batch, outdir, batch_keys, progress_seconds)
        results.append(_run(pipeline))
    ordered = [keys[s.uri] for s in specs]
    stats = resume.unit_stats(outdir, specs, ordered)
    release.write_atomically(
        release.join(outdir, release.STAGING, release.INPUT_STATS),
        json.dumps(stats, sort_keys=True).encode(),
    )
    pipeline = make_pipeline()
    paths = resume.unit_paths(outdir, ordered)
    num_shards = output_shards(config, specs)
    documents = sum(shard["documents"] for shard in stats)
    global_pass.build(pipeline, config, paths, num_shards, outdir, prior_index, documents)
    results.append(_run(pipeline))
    global_pass.remove_scratch(outdir)
    return results


def run_build(
    config: CurateConfig,
    beam_args: list[str],
    progress: bool,
    parent: str | None = None,
) -> BuildResult:
    """Build and publish a release; with `parent`, only the shards that release lacks.

    Once the inputs are planned, OpenLineage START and then COMPLETE or FAIL events go where
    `lineage.openlineage` says (nowhere by default); their run id is the manifest's.
    """
    config = resolve_model_paths(config)
    try:
        verify_model(config.language)
    except StageError as exc:
        raise ConfigError(str(exc)) from None
    specs = plan_inputs(config)
    run_id = uuid.uuid4().hex
    lineage = lineage_events.BuildLineage(config.lineage.openlineage, run_id)
    inputs = [spec.uri for spec in specs]
    lineage.start(inputs, config.output.path)
    try:
        result = _run_planned_build(config, specs, beam_args, progress, parent, run_id)
    except BaseException as exc:
        lineage.fail(inputs, config.output.path, exc)
        raise
    lineage.complete(inputs, config.output.path, result.manifest)
    return result


def _run_planned_build(
    config: CurateConfig,
    specs: list[ShardSpec],
    beam_args: list[str],
    progress: bool,
    parent: str | None,
    run_id: str,
) -> BuildResult:
    outdir = config.output.path
    check_output_dir(outdir)
    shas: dict[str, str] = {}

    def sha256_of(uri: str) -> str:
        if uri not in shas:
            shas[uri] = file_sha256(uri)[0]
        return shas[uri]

    chain = None
    if parent is not None:
        chain = incremental.load_parent(parent, config)
        specs = incremental.new_shards(specs, chain, sha256_of)
    if not any(a.startswith("--default_sdk_harness_log_level") for a in beam_args):
        # Local worker processes otherwise log every start and exit at INFO.
        beam_args = [*beam_args, "--default_sdk_harness_log_level=WARNING"]
    options = PipelineOptions(beam_args)
    runner_name = _runner_name(options)
    # The default DirectRunner tries to download the Prism runner binary; run locally on
    # Beam's in-process portable runner instead.
    if runner_name is None:
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner

        def make_pipeline() -> beam.Pipeline:
            return beam.Pipeline(runner=FnApiRunner(), options=options)

        runner_label = "FnApiRunner"
    else:

        def make_pipeline() -> beam.Pipeline:
            return beam.Pipeline(runner=runner_name, options=options)

        runner_label = runner_name
    resumable = config.run.resume is True or (config.run.resume == "auto" and runner_name is None)
    try:
        release.prepare_staging(outdir)
    except Exception as exc:  # OSError locally, BeamIOError from other filesystems
        raise ConfigError(
            f"Output location {outdir} is not writable ({release.failure_reason(exc)})."
        ) from None
    try:
        return _build_and_publish(
            config, make_pipeline, specs, outdir, progress, chain, resumable, sha256_of,
            runner_label, options, run_id,
        )  # fmt: skip
    except Exception as exc:
        reason = release.output_failure(exc)
        if reason is None:
            raise
        raise release.OutputError(
            f"Writing the release to {outdir} failed ({reason}); nothing was published and a "
            "rerun with the same output directory resumes."
        ) from None


def _build_and_publish(
    config: CurateConfig,
    make_pipeline: Any,
    specs: list[ShardSpec],
    outdir: str,
    progress: bool,
    chain: incremental.ParentChain | None,
    resumable: bool,
    sha256_of: Any,
    runner_label: str,
    options: PipelineOptions,
    run_id: str,
) -> BuildResult:
    prior_index = list(chain.index_files) if chain else []
    started = datetime.now(UTC)
    clock, cpu_clock = time.monotonic(), _cpu_seconds()
    energy = EnergyMeter(config.run)
    energy.start()
    try:
        progress_seconds = config.run.progress_seconds if progress else None
        results = _execute(
            config, make_pipeline, specs, outdir, progress_seconds, prior_index, resumable,
            sha256_of,
        )  # fmt: skip
    finally:
        energy_estimate = energy.stop()
    stages = enabled_stages(config)
    release.fill_empty_shards(
        outdir, [s.name for s in stages], output_shards(config, specs), config.output
    )
    if any(s.whole_corpus for s in stages):
        fill_empty_index_shards(outdir, output_shards(config, specs), config.output)
    files = release.staged_files(outdir)
    models = model_infos(config)
    run = RunInfo(
        id=run_id,
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        runner=runner_label,
        options={k: v for k, v in sorted(options.get_all_options(drop_default=True).items())},
        wall_seconds=round(time.monotonic() - clock, 3),
        cpu_seconds=round(_cpu_seconds() - cpu_clock, 3),
        stage_seconds=_stage_seconds(results),
        stage_cpu_seconds=_stage_seconds(results, StageClock.CPU),
        energy=energy_estimate,
    )
    manifest = manifest_builder.build_manifest(outdir, config, stages, models, files, run)
    if chain is not None:
        manifest = manifest.model_copy(update={"parent": chain.link})
    # The report, Croissant file and dataset card are staged with the data and published with
    # it, before the manifest: a crash never leaves pages of another build beside a manifest.
    write_artifacts(release.join(outdir, release.STAGING), manifest.model_dump(mode="json"))
    release.publish(outdir, [*files, *ARTIFACTS], manifest_builder.manifest_bytes(manifest))
    if progress:
        print("curate: release published", file=sys.stderr)
    return BuildResult(outdir=outdir, manifest=manifest.model_dump(mode="json"))
