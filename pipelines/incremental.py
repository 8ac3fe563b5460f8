"""Incremental builds: `curate run --parent OUTDIR` adds new input shards to a published release.

The parent chain (the parent, its own parent, ...) is followed through each manifest's `parent`
entry. Input shards whose sha256 any release of the chain already lists are skipped; the new
documents are deduplicated against the chain's dedup indexes (`OUTDIR/dedup/`: exact hashes and
MinHash band keys of kept documents), never against re-read text. The new release holds the new
documents only and its manifest links the parent.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from apache_beam.io.filesystems import FileSystems

from pipelines.dedup_index import index_files
from pipelines.release import join
from schemas.config import ConfigError, CurateConfig
from schemas.manifest import ParentBuild
from transforms.read import ShardSpec

# Settings that change the exact hashes or band keys: a parent built with other values has
# signatures that cannot be compared with this build's.
SIGNATURE_SETTINGS = ("near", "shingle", "ngram", "num_perm", "bands", "rows", "threshold", "seed",
                      "shingle_hash")  # fmt: skip
_MAX_CHAIN = 1000


class NothingToDo(Exception):
    """Every input shard is already part of the parent chain."""


@dataclass(frozen=True)
class ParentChain:
    link: ParentBuild
    input_sha256: frozenset[str]
    index_files: tuple[str, ...]
    releases: int


def _normalise(path: str) -> str:
    return path if "://" in path else os.path.abspath(path)


def _read_manifest(path: str) -> tuple[dict, bytes]:
    manifest_path = join(path, "manifest.json")
    try:
        with FileSystems.open(manifest_path) as stream:
            payload = stream.read()
        return json.loads(payload), payload
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Parent {path} is not a Curate release (no readable manifest.json)."
        ) from exc
    except Exception as exc:  # Beam raises BeamIOError for a missing remote file
        raise ConfigError(f"Parent {path} is not a Curate release (no manifest.json).") from exc


def load_parent(path: str, config: CurateConfig) -> ParentChain:
    """The parent release and its ancestors, checked to be comparable with this build."""
    path = _normalise(path)
    manifest, payload = _read_manifest(path)
    link = ParentBuild(
        path=path,
        manifest_sha256=hashlib.sha256(payload).hexdigest(),
        run_id=manifest["run"]["id"],
        config_sha256=manifest["config_sha256"],
    )
    ours = config.dedup.model_dump(mode="json")
    theirs = manifest["config"].get("dedup", {})
    differing = [k for k in SIGNATURE_SETTINGS if theirs.get(k) != ours.get(k)]
    if differing:
        raise ConfigError(
            f"Parent {path} was deduplicated with other dedup.{differing[0]} "
            f"({theirs.get(differing[0])!r}, here {ours.get(differing[0])!r}); its signatures "
            "cannot be compared with this build's."
        )
    shas: set[str] = set()
    files: list[str] = []
    current, current_path = manifest, path
    seen: set[str] = set()
    while True:
        if current_path in seen or len(seen) >= _MAX_CHAIN:
            raise ConfigError(f"Parent chain of {path} loops through {current_path}.")
        seen.add(current_path)
        shas |= {entry["sha256"] for entry in current["inputs"]}
        found = index_files(current_path)
        if not found:
            raise ConfigError(
                f"Parent {current_path} has no dedup index (dedup/); rebuild it with this "
                "version to extend it."
            )
        files += found
        parent = current.get("parent")
        if not parent:
            break
        current_path = parent["path"]
        current, _ = _read_manifest(current_path)
    return ParentChain(link, frozenset(shas), tuple(files), len(seen))


def new_shards(
    specs: list[ShardSpec], chain: ParentChain, sha256_of: Callable[[str], str]
) -> list[ShardSpec]:
    """The shards the chain has not processed, renumbered."""
    fresh = [spec for spec in specs if sha256_of(spec.uri) not in chain.input_sha256]
    if not fresh:
        raise NothingToDo(
            f"all {len(specs)} input shards are already in the parent release "
            f"{chain.link.path} (by sha256); nothing to do."
        )
    return [replace(spec, index=i) for i, spec in enumerate(fresh)]
