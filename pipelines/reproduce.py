"""`curate reproduce OUTDIR [--output DIR]`: rebuild a release from its manifest and compare.

1. Every input the manifest lists is read again and its sha256 and size checked (a missing or
   changed input is reported and nothing is rebuilt).
2. Every file the manifest lists is checked against its recorded sha256, so a file changed
   after publication is named even before the rebuild.
3. The build runs again with the recorded config, written to `--output` (default: a temporary
   directory, removed afterwards); `output.path` is the only key replaced.
4. Every file of the two releases is compared by sha256 (missing, extra or different files are
   named), and the manifests are compared outside `run` and `output.path` (stage counts,
   config, code version, environment, inputs, outputs, summaries), as `curate diff` does.

The report, Croissant file and dataset card are rendered from the manifest, `run` included
(the report names the run and when it finished), so before the comparison they are rendered
again for the rebuilt files from the original manifest (`artifacts.write_artifacts`): their
bytes then match only if the rebuilt files give the same figures and the rendering is
deterministic.

Exit status 0 only when everything is identical; 1 when anything differs (each difference is
printed); 2 when OUTDIR is not a release, its config no longer validates, or `--output` is
OUTDIR itself. Relative input paths in the recorded config are resolved against the working
directory, so run it from where the build ran. An incremental build (`curate run --parent`) is
rebuilt against the same parent, whose manifest must be unchanged. A release made by
`curate takedown` is not a build: reproduce its parent instead.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipelines.diff import compare_manifests, render_differences
from pipelines.explain import load_release
from pipelines.inspect import _safe
from schemas.config import ConfigError, CurateConfig

# Files of a release that are not data files compared by sha256.
_MANIFEST = "manifest.json"
_SKIP_DIRS = ("_staging",)


def release_files(outdir: str | Path) -> dict[str, str]:
    """sha256 of every file in a release except the manifest, by path relative to it."""
    root = Path(outdir)
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and relative != _MANIFEST and relative.split("/")[0] not in _SKIP_DIRS:
            digest = hashlib.sha256()
            with path.open("rb") as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
            found[relative] = digest.hexdigest()
    return found


def check_inputs(manifest: dict[str, Any]) -> list[str]:
    # Beam is imported when a command needs it: the CLI imports every command's module.
    from apache_beam.io.filesystems import FileSystems

    from transforms.read import file_sha256

    problems = []
    for entry in manifest["inputs"]:
        uri = entry["uri"]
        if not FileSystems.exists(uri):
            problems.append(f"input {uri}: missing")
            continue
        digest, size = file_sha256(uri)
        if digest != entry["sha256"] or size != entry["bytes"]:
            problems.append(
                f"input {uri}: changed (sha256 {entry['sha256'][:16]} -> {digest[:16]}, "
                f"bytes {entry['bytes']} -> {size})"
            )
    return problems


def check_recorded_outputs(manifest: dict[str, Any], files: dict[str, str]) -> list[str]:
    problems = []
    for entry in manifest["outputs"]:
        actual = files.get(entry["path"])
        if actual is None:
            problems.append(f"file {entry['path']}: listed in the manifest but missing")
        elif actual != entry["sha256"]:
            problems.append(
                f"file {entry['path']}: sha256 {actual[:16]} does not match the manifest's "
                f"{entry['sha256'][:16]}"
            )
    return problems


def check_parent(manifest: dict[str, Any]) -> list[str]:
    """An incremental build is reproduced against its parent, which must be unchanged."""
    link = manifest.get("parent")
    if not link:
        return []
    path = Path(link["path"], _MANIFEST)
    if not path.is_file():
        return [f"input parent release {link['path']}: missing"]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != link["manifest_sha256"]:
        return [f"input parent release {link['path']}: its manifest changed"]
    return []


def compare_files(original: dict[str, str], rebuilt: dict[str, str]) -> list[str]:
    problems = []
    for path in sorted(set(original) | set(rebuilt)):
        if path not in rebuilt:
            problems.append(f"file {path}: not produced by the rebuild")
        elif path not in original:
            problems.append(f"file {path}: produced by the rebuild only")
        elif original[path] != rebuilt[path]:
            problems.append(
                f"file {path}: sha256 {original[path][:16]} != rebuilt {rebuilt[path][:16]}"
            )
    return problems


def _render_artifacts(target: str, manifest: dict[str, Any]) -> None:
    from pipelines.artifacts import write_artifacts

    write_artifacts(Path(target), manifest)


def recorded_config(manifest: dict[str, Any], output: str) -> CurateConfig:
    try:
        config = CurateConfig.model_validate(manifest["config"])
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ConfigError(
            f"The recorded config no longer validates with this version of Curate (key "
            f"'{key}': {error['msg']})."
        ) from None
    return config.model_copy(update={"output": config.output.model_copy(update={"path": output})})


def reproduce(outdir: str, output: str | None, beam_args: list[str]) -> tuple[str, int]:
    from pipelines.build import run_build

    manifest = load_release(outdir)
    if manifest.get("takedown"):
        parent = manifest["takedown"]["parent"]["path"]
        raise ConfigError(
            f"{outdir} was made by curate takedown from {parent}: reproduce {parent} and "
            "apply the same request file again."
        )
    if output is not None and Path(output).resolve() == Path(outdir).resolve():
        raise ConfigError("The reproduce --output must differ from the release it checks.")
    lines = [f"reproducing {outdir} (run {manifest['run']['id']})"]
    problems = check_inputs(manifest) + check_parent(manifest)
    lines.append(f"inputs: {len(manifest['inputs'])} files checked, {len(problems)} differ")
    original = release_files(outdir)
    problems += check_recorded_outputs(manifest, original)
    if any(p.startswith("input ") for p in problems):
        lines += [f"  {p}" for p in problems]
        lines.append("NOT REPRODUCED: the inputs differ from the recorded ones; not rebuilt")
        return "\n".join(_safe(line) for line in lines), 1

    target = output or tempfile.mkdtemp(prefix="curate-reproduce-")
    try:
        config = recorded_config(manifest, target)
        extends = {"parent": manifest["parent"]["path"]} if manifest.get("parent") else {}
        result = run_build(config, beam_args, progress=False, **extends)
        _render_artifacts(target, manifest)
        rebuilt = release_files(target)
        problems += compare_files(original, rebuilt)
        differences = compare_manifests(manifest, result.manifest)
    finally:
        if output is None:
            shutil.rmtree(target, ignore_errors=True)
    lines.append(
        f"files: {len(original)} compared, rebuilt into {output or 'a temporary directory'}"
    )
    lines += [f"  {p}" for p in problems if p.startswith("file ")]
    lines += render_differences(differences)
    if problems or differences:
        lines.append("NOT REPRODUCED")
        return "\n".join(_safe(line) for line in lines), 1
    lines.append("REPRODUCED: every file and the manifest outside run are identical")
    return "\n".join(_safe(line) for line in lines), 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir")
    parser.add_argument(
        "--output", help="keep the rebuilt release here (default: a temporary directory)"
    )


def command(args: argparse.Namespace) -> int:
    text, status = reproduce(args.outdir, args.output, [])
    print(text)
    return status
