"""The build configuration: frozen, validated data. YAML is only its serialisation.

`load_config` reads a YAML file, applies `--set dotted.key=value` overrides and validates the
result; every problem becomes a `ConfigError` whose message is one sentence naming the file and
key, which the CLI prints without a traceback (exit status 2).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.dedup import DedupSettings
from schemas.licensing import LicenseSettings
from schemas.lineage import LineageSettings
from schemas.pii import PiiSettings
from schemas.quality import QualitySettings
from schemas.toxicity import IdentitySettings, ToxicitySettings

MiB = 1024 * 1024


class ConfigError(Exception):
    """A configuration or input-path problem, phrased for the user."""


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InputSettings(Section):
    paths: tuple[str, ...] = Field(
        default=(),
        description="Input files, directories or globs (local paths or any Beam FileSystems "
        "URI such as gs://...). A local directory gives its files whose names tell a format "
        "(.warc, .arc, .wet, .jsonl, .json, .ndjson, .parquet, each optionally .gz or .zst); "
        "hidden files are skipped, other files skipped and listed on stderr, subdirectories "
        "not read. Empty means the embedded sample corpus.",
    )
    format: Literal["auto", "warc", "arc", "wet", "jsonl", "parquet"] = Field(
        default="auto", description="Input format; auto decides from each file name."
    )
    text_field: str = Field(default="text", description="JSONL/Parquet field holding the text.")
    id_field: str = Field(
        default="id",
        description="JSONL/Parquet field kept as `source_id`, when present. Field names "
        "may be dotted paths into nested objects (metadata.url).",
    )
    url_field: str = Field(default="url", description="JSONL/Parquet field holding the URL.")
    date_field: str | None = Field(
        default=None, description="JSONL/Parquet field kept as `fetch_date` (dotted path)."
    )
    digest_field: str | None = Field(
        default=None, description="JSONL/Parquet field kept as `payload_digest` (dotted path)."
    )
    crawl_field: str | None = Field(
        default=None, description="JSONL/Parquet field kept as `crawl` (dotted path)."
    )
    max_record_bytes: int = Field(
        default=16 * MiB,
        ge=1024,
        description="Records larger than this become `error` rows instead of being read.",
    )


class ExtractSettings(Section):
    backend: Literal["resiliparse", "trafilatura"] = Field(
        default="resiliparse", description="HTML-to-text extractor."
    )
    main_content: bool = Field(
        default=True, description="Keep only the main content (drop navigation and boilerplate)."
    )
    text_content_types: tuple[str, ...] = Field(
        default=("text/html", "application/xhtml+xml", "text/plain"),
        description="MIME types that are extracted; other responses are rejected.",
    )


class LanguageSettings(Section):
    model_path: str = Field(
        default="build/models/lid.176.ftz",
        description="fastText language-ID model file (installed by `make install`).",
    )
    model_sha256: str = Field(
        default="8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83",
        pattern=r"^[0-9a-f]{64}$",
        description="Expected sha256 of the model file; a mismatch stops the build.",
    )
    allowed: tuple[str, ...] = Field(
        default=(), description="Languages kept (ISO codes as fastText emits them); empty = any."
    )
    min_score: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Minimum probability of the top language."
    )
    # fastText's cost grows with the text; on 2,000 generated documents the first 1,000
    # characters gave the same label as the whole text every time, at 4x the speed
    # (docs/benchmarks.md).
    max_chars: int = Field(
        default=1_000, ge=100, description="Characters of each document given to the model."
    )


class OutputSettings(Section):
    path: str = Field(default="out", description="Output directory (local path or URI).")
    num_shards: int = Field(
        default=0, ge=0, description="Parquet files per output folder; 0 = from input size."
    )
    target_shard_bytes: int = Field(
        default=256 * MiB,
        ge=MiB,
        description="With num_shards 0: one output shard per this many input bytes.",
    )
    row_group_rows: int = Field(default=10_000, ge=100, description="Rows per Parquet row group.")
    zstd_level: int = Field(default=3, ge=1, le=22, description="Parquet zstd compression level.")
    write_rejected: bool = Field(
        default=False, description="Also write the redacted text of rejected documents."
    )


class RunSettings(Section):
    progress: bool | Literal["auto"] = Field(
        default="auto",
        description="Progress lines on stderr: true, false, or auto (on a terminal).",
    )
    progress_seconds: float = Field(default=5.0, gt=0, description="Seconds between lines.")
    resume: bool | Literal["auto"] = Field(
        default="auto",
        description="Stage each input shard's per-document results under OUTDIR/_staging/units/ "
        "so that a rerun after a crash skips the shards already done: true, false, or auto "
        "(on for local runs).",
    )
    resume_batch_bytes: int = Field(
        default=1024 * MiB,
        ge=1,
        description="With resume: input bytes per local pass; a crash loses at most the pass "
        "in progress.",
    )
    energy: bool = Field(
        default=True,
        description="Estimate the run's energy and emissions with codecarbon's offline tracker "
        "(never uses the network); recorded in the manifest's run section.",
    )
    country_iso_code: str = Field(
        default="USA",
        pattern=r"^[A-Z]{3}$",
        description="ISO 3166-1 alpha-3 code of the electricity grid for the emissions estimate.",
    )


class CurateConfig(Section):
    mode: Literal["filter", "annotate"] = Field(
        default="filter",
        description="filter drops documents that fail a rule; annotate keeps every document "
        "and only records the verdicts.",
    )
    input: InputSettings = InputSettings()
    extract: ExtractSettings = ExtractSettings()
    language: LanguageSettings = LanguageSettings()
    quality: QualitySettings = QualitySettings()
    license: LicenseSettings = LicenseSettings()
    pii: PiiSettings = PiiSettings()
    identity: IdentitySettings = IdentitySettings()
    toxicity: ToxicitySettings = ToxicitySettings()
    dedup: DedupSettings = DedupSettings()
    output: OutputSettings = OutputSettings()
    run: RunSettings = RunSettings()
    lineage: LineageSettings = LineageSettings()

    def resolved(self) -> dict[str, Any]:
        """The fully resolved configuration as plain JSON data."""
        return self.model_dump(mode="json")

    def sha256(self) -> str:
        """Identity of what a build makes: `output.path` (where it is written) is left out,
        so a rebuild into another directory (`curate reproduce`) has the same digest."""
        resolved = self.resolved()
        del resolved["output"]["path"]
        canonical = json.dumps(resolved, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _set_dotted(tree: dict[str, Any], dotted: str, raw_value: str, origin: str) -> None:
    keys = dotted.split(".")
    if not all(keys):
        raise ConfigError(f"{origin}: '{dotted}' is not a dotted key such as output.path.")
    node = tree
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{origin}: '{dotted}' goes inside '{key}', which is not a section.")
        node = child
    # The value is parsed as YAML so that numbers, booleans and [lists] keep their types.
    try:
        node[keys[-1]] = yaml.safe_load(raw_value) if raw_value != "" else ""
    except yaml.YAMLError:
        node[keys[-1]] = raw_value


def load_config(
    path: str | Path | None, overrides: list[str] | tuple[str, ...] = ()
) -> CurateConfig:
    """Load and validate a YAML config with `dotted.key=value` overrides."""
    tree: dict[str, Any] = {}
    source = "built-in defaults"
    if path is not None:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"Config file {path} does not exist.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"Config file {path} cannot be read ({type(exc).__name__})."
            ) from None
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"Config file {path} is not valid YAML{where}.") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"Config file {path} must hold a mapping of sections at top level.")
        tree = loaded
    overridden = set()
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item}: expected dotted.key=value.")
        key, value = item.split("=", 1)
        _set_dotted(tree, key.strip(), value, f"--set {item}")
        overridden.add(key.strip())
    try:
        return CurateConfig.model_validate(tree)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if any(key == k or key.startswith(k + ".") for k in overridden):
            source = "--set"
        if error["type"] == "extra_forbidden":
            raise ConfigError(f"{source}: unknown key '{key}'.") from None
        raise ConfigError(f"{source}: key '{key}': {error['msg']}.") from None
