"""The `curate` command line.

    curate run [--config FILE] [--input GLOB ...] [--output DIR] [--set key=value ...] [Beam opts]
    curate inspect OUTDIR
    curate explain OUTDIR ID_OR_URL [--json]
    curate reproduce OUTDIR [--output DIR]
    curate diff OUTDIR_A OUTDIR_B
    curate takedown OUTDIR (--ids FILE | --urls FILE | --domains FILE) --output NEWDIR
    curate schema manifest|ledger
    curate report OUTDIR
    curate sample OUTDIR [--documents N] [--seed S]
    curate train-quality --positive FILE --negative FILE --output MODEL [...]

Exit status: 0 on success, 2 for a bad config, option or input path (one sentence, no
traceback), 1 when a build fails or its counts do not balance. `explain` exits 1 when no
document matches, `reproduce` and `diff` exit 1 when the builds differ (docs/lineage.md).
"""

from __future__ import annotations

from pipelines.offline import apply_offline_defaults

apply_offline_defaults()

import argparse  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

from schemas.config import ConfigError, CurateConfig, load_config  # noqa: E402
from transforms.errors import StageError  # noqa: E402

DEFAULT_CONFIG = "configs/default.yaml"
# Commands on published releases: each module has add_arguments(parser) and command(args).
RELEASE_COMMANDS = {
    "explain": ("pipelines.explain", "one document's path through a build"),
    "reproduce": ("pipelines.reproduce", "rebuild a release from its manifest and compare"),
    "diff": ("pipelines.diff", "compare two builds"),
    "takedown": ("pipelines.takedown", "write a release without the requested documents"),
    "schema": ("pipelines.schema_cmd", "print the manifest's JSON Schema or the ledger columns"),
}
SAMPLE_DIR = "build/sample"
_SAMPLE_STAMP = ".curate-sample"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curate", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="build a release",
        description="Build a release. Unrecognised --options are passed to Apache Beam "
        "(--runner, --direct_num_workers, --direct_running_mode, --project, ...).",
    )
    run.add_argument("--config", help=f"YAML config (default: {DEFAULT_CONFIG})")
    run.add_argument("--input", action="append", default=[], help="input file or glob (repeat)")
    run.add_argument("--output", help="output directory (overrides output.path)")
    run.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key"
    )
    run.add_argument(
        "--parent",
        metavar="OUTDIR",
        help="extend this release: process only input shards it lacks (by sha256) and drop "
        "duplicates of its kept documents",
    )
    inspect = commands.add_parser("inspect", help="summarise a release")
    inspect.add_argument("outdir")
    for name, (module, text) in RELEASE_COMMANDS.items():
        importlib.import_module(module).add_arguments(commands.add_parser(name, help=text))
    report = commands.add_parser("report", help="(re)write a release's HTML report")
    report.add_argument("outdir")
    sample = commands.add_parser("sample", help="write the embedded sample corpus")
    sample.add_argument("outdir")
    sample.add_argument("--documents", type=int, help="scale to about N documents")
    sample.add_argument("--seed", type=int, default=0)
    from pipelines.train_quality import add_arguments

    add_arguments(commands.add_parser("train-quality", help="train a fastText quality classifier"))
    return parser


def _default_config_path() -> Path:
    local = Path(DEFAULT_CONFIG)
    from pipelines.registry import project_dir  # loads Beam: only when a build needs it

    return local if local.exists() else project_dir() / DEFAULT_CONFIG


def ensure_sample(directory: str | None = None) -> str:
    """Write the embedded sample once; the stamp names the generator version that wrote it.

    It lives in the project's build/ folder and is named by a path relative to the working
    directory, so that `source_uri` values (and so the output bytes) do not depend on where the
    checkout is.
    """
    from pipelines import sample_corpus
    from pipelines.registry import project_dir

    directory = directory or os.path.relpath(project_dir() / SAMPLE_DIR)

    stamp = Path(directory, _SAMPLE_STAMP)
    expected = f"{sample_corpus.VERSION}\n"
    if not (stamp.exists() and stamp.read_text() == expected):
        sample_corpus.write_sample(Path(directory))
        stamp.write_text(expected)
    return directory


def _check_beam_args(beam_args: list[str]) -> None:
    from apache_beam.options.pipeline_options import PipelineOptions

    known = set(PipelineOptions([]).get_all_options(retain_unknown_options=False))
    expects_value = False
    for arg in beam_args:
        if not arg.startswith("--"):
            if not expects_value:
                raise ConfigError(f"Unexpected argument '{arg}'.")
            expects_value = False
            continue
        name, has_value, _ = arg[2:].partition("=")
        if name not in known:
            raise ConfigError(f"Unknown option --{name} (neither a curate nor a Beam option).")
        expects_value = not has_value


def _stop_on_signal(signum: int, _frame: object) -> None:
    # Beam's runner threads would keep a normal exit waiting; staged units stay for a rerun.
    from pipelines import lineage_events

    name = signal.Signals(signum).name
    lineage_events.fail_open_runs(f"interrupted by {name}; nothing was published")
    print(
        f"curate: interrupted ({name}); nothing was published, rerun the same command to resume",
        file=sys.stderr,
        flush=True,
    )
    os._exit(128 + signum)


def command_run(args: argparse.Namespace, beam_args: list[str]) -> int:
    _check_beam_args(beam_args)
    if "multi_processing" in " ".join(beam_args):
        from pipelines import reaper

        # Worker processes outlive a killed launcher; the watcher stops them.
        reaper.start()
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {s: signal.signal(s, _stop_on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _run(args, beam_args)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def _run(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pipelines.build import run_build
    from pipelines.incremental import NothingToDo

    overrides = list(args.set)
    if args.output:
        overrides.append(f"output.path={args.output}")
    config_path = Path(args.config) if args.config else _default_config_path()
    config: CurateConfig = load_config(config_path, overrides)
    inputs = tuple(args.input) or config.input.paths
    if not inputs:
        inputs = (ensure_sample(),)
    config = config.model_copy(update={"input": config.input.model_copy(update={"paths": inputs})})
    progress = config.run.progress is True or (
        config.run.progress == "auto" and sys.stderr.isatty()
    )
    try:
        result = run_build(config, beam_args, progress, parent=args.parent)
    except NothingToDo as done:
        print(f"curate: {done}")
        return 0
    totals = result.manifest["totals"]
    print(
        f"curate: {totals['input']} documents: {totals['kept']} kept, {totals['rejected']} "
        f"rejected, {totals['error']} errors ({totals['records_skipped']} non-document records "
        f"skipped)"
    )
    print(
        f"curate: release written to {result.outdir}/ (data/, ledger/, manifest.json, "
        "report.html, croissant.json, README.md)"
    )
    audit = result.manifest["summaries"].get("bias_audit")
    if audit:
        for message in audit["messages"]:
            print(f"curate: bias audit: {message}", file=sys.stderr)
        if audit["messages"] and audit["fail"]:
            print(
                "curate: error: the bias audit marked the build (identity.audit.fail)",
                file=sys.stderr,
            )
            return 1
    if not totals["balanced"]:
        print(
            "curate: error: the counts do not balance (input != kept + rejected + error); "
            "see manifest.json",
            file=sys.stderr,
        )
        return 1
    return 0


def command_sample(args: argparse.Namespace) -> int:
    from pipelines import sample_corpus

    truth = sample_corpus.write_sample(Path(args.outdir), documents=args.documents, seed=args.seed)
    print(f"curate: sample written to {args.outdir}/ ({truth.total_candidates} documents)")
    return 0


class _StageErrorsPrintedOnce(logging.Filter):
    """Beam logs a stage's failure with its traceback before re-raising it; the command line
    prints a `StageError` as one sentence instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], StageError))


_STAGE_ERRORS_PRINTED_ONCE = _StageErrorsPrintedOnce()


def main(argv: list[str] | None = None) -> int:
    logging.getLogger("apache_beam.runners.common").addFilter(_STAGE_ERRORS_PRINTED_ONCE)
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    try:
        if args.command == "run":
            return command_run(args, extra)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if args.command in RELEASE_COMMANDS:
            return int(importlib.import_module(RELEASE_COMMANDS[args.command][0]).command(args))
        if args.command == "inspect":
            from pipelines.inspect import inspect_release

            print(inspect_release(args.outdir))
            return 0
        if args.command == "report":
            from pipelines.report import report_command

            print(f"curate: report written to {report_command(args.outdir)}")
            return 0
        if args.command == "train-quality":
            from pipelines.train_quality import command_train_quality

            return command_train_quality(args)
        return command_sample(args)
    except (ConfigError, StageError) as exc:
        from pipelines.inspect import _safe

        # Messages quote paths and values as given; control characters must not reach the
        # terminal. A StageError is a stage that cannot start (a missing model or lexicon, a
        # bad file its config names); its message never holds document text.
        print(f"curate: error: {_safe(exc)}", file=sys.stderr)
        return getattr(exc, "exit_status", 2)


if __name__ == "__main__":
    sys.exit(main())
