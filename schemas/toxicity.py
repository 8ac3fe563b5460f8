"""Settings of the toxicity stage, the identity-mention stage and the filter-impact audit.

The toxicity classifier has backend variants told apart by the `kind` field (a real pydantic
discriminator): `profanity_check`, the CPU default that needs no download, and `detoxify`, the
transformer models for GPU workers. Thresholds per label live here and are applied by the
pipeline's decide step; the stages only score.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Labels each backend emits (detoxify's names after its own renaming of the Jigsaw classes).
PROFANITY_CHECK_LABELS = ("toxicity", "profanity", "identity_attack", "insult")
DETOXIFY_LABELS: dict[str, tuple[str, ...]] = {
    "original": ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"),
    "unbiased": (
        "toxicity",
        "severe_toxicity",
        "obscene",
        "identity_attack",
        "insult",
        "threat",
        "sexual_explicit",
    ),
    "multilingual": (
        "toxicity",
        "severe_toxicity",
        "obscene",
        "identity_attack",
        "insult",
        "threat",
        "sexual_explicit",
    ),
}
DETOXIFY_LABELS["original-small"] = DETOXIFY_LABELS["original"]
DETOXIFY_LABELS["unbiased-small"] = DETOXIFY_LABELS["unbiased"]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProfanityCheckBackend(_Section):
    kind: Literal["profanity_check"] = Field(
        default="profanity_check",
        description="The CPU default: alt-profanity-check's shipped linear model, combined with "
        "lexicon rules for identity attacks and direct insults (see docs/toxicity.md).",
    )
    identity_attack: bool = Field(
        default=True,
        description="Add the identity-attack and insult rules to the profanity model; false "
        "scores with the profanity model alone.",
    )
    mask_identity_terms: bool = Field(
        default=True,
        description="Hide the lexicon's one-word identity terms (gay, muslims, ...) from the "
        "profanity model, which learned to score them as offensive in themselves; attacks on "
        "groups are the identity-attack rules' job.",
    )
    counter_speech_discount: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Factor applied to every score of a chunk that reports or condemns abuse "
        "(a reporting word such as 'called' or 'said' together with a word such as 'racist'); "
        "1.0 turns the discount off.",
    )
    lexicon_path: str | None = Field(
        default=None,
        description="Identity-term lexicon (YAML) for the identity-attack rules and the "
        "masking; empty means the project's configs/identity_terms.yaml.",
    )

    def labels(self) -> tuple[str, ...]:
        return PROFANITY_CHECK_LABELS if self.identity_attack else PROFANITY_CHECK_LABELS[:2]


class DetoxifyBackend(_Section):
    kind: Literal["detoxify"] = Field(
        default="detoxify", description="Detoxify's transformer classifiers (GPU recommended)."
    )
    model_type: Literal[
        "original", "unbiased", "multilingual", "original-small", "unbiased-small"
    ] = Field(default="original", description="Detoxify model: which checkpoint family is used.")
    checkpoint: str | None = Field(
        default=None,
        description="Local detoxify checkpoint file (a torch file holding 'config' and "
        "'state_dict'). Required unless allow_download is true.",
    )
    huggingface_config_path: str | None = Field(
        default=None,
        description="Local directory with the Hugging Face config and tokenizer files of the "
        "checkpoint's base model (e.g. a saved bert-base-uncased). Required with checkpoint.",
    )
    allow_download: bool = Field(
        default=False,
        description="Let detoxify download its released checkpoint and base-model config when "
        "no local files are given. Off by default: builds never need the network.",
    )
    allow_pickle: bool = Field(
        default=False,
        description="Load a checkpoint that holds Python objects besides tensors and plain data "
        "with full unpickling, which can run code from the file: only for files you trust. "
        "Off by default: checkpoints load with torch.load(weights_only=True).",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="Where the model runs; auto picks CUDA when present."
    )
    half_precision: bool = Field(
        default=True, description="Run in float16 on CUDA (ignored on CPU)."
    )
    max_length: int = Field(
        default=512, ge=8, le=4096, description="Tokens per chunk given to the model."
    )
    torch_threads: int = Field(
        default=1,
        ge=1,
        le=256,
        description="torch.set_num_threads in the process holding the model.",
    )
    share_model: bool = Field(
        default=True,
        description="Hold one model copy per worker machine, shared by its SDK processes "
        "(Beam's share_model_across_processes); false loads one copy per process.",
    )

    @model_validator(mode="after")
    def _local_files_or_download(self) -> DetoxifyBackend:
        if not self.allow_download and (
            self.checkpoint is None or self.huggingface_config_path is None
        ):
            raise ValueError(
                "detoxify needs checkpoint and huggingface_config_path (local files), or "
                "allow_download: true"
            )
        if (self.checkpoint is None) != (self.huggingface_config_path is None):
            raise ValueError("checkpoint and huggingface_config_path go together")
        return self

    def labels(self) -> tuple[str, ...]:
        return DETOXIFY_LABELS[self.model_type]


ToxicityBackend = Annotated[ProfanityCheckBackend | DetoxifyBackend, Field(discriminator="kind")]


class ToxicitySettings(_Section):
    enabled: bool = Field(default=True, description="Run the toxicity stage.")
    backend: ToxicityBackend = Field(
        default_factory=ProfanityCheckBackend,
        description="The classifier; `kind` selects the variant.",
    )
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {"toxicity": 0.8},
        description="Per-label thresholds applied by the decide step: a document whose label "
        "score is at or above its threshold is dropped. Keys are labels of the backend.",
    )
    chunk_chars: int = Field(
        default=2000,
        ge=100,
        le=1_000_000,
        description="Long documents are scored in chunks of about this many characters "
        "(cut at whitespace).",
    )
    max_chunks: int = Field(
        default=64,
        ge=1,
        le=100_000,
        description="At most this many chunks per document are scored, spread evenly over it.",
    )
    aggregate: Literal["max", "mean"] = Field(
        default="max", description="How chunk scores combine into the document's score."
    )
    min_batch_size: int = Field(
        default=1, ge=1, description="Smallest batch of documents (Beam adapts between the two)."
    )
    max_batch_size: int = Field(
        default=256,
        ge=1,
        le=65_536,
        description="Largest batch of documents; their chunks go to the model at most this "
        "many at a time.",
    )
    accelerator: str | None = Field(
        default=None,
        description="Beam accelerator resource hint for the classifier step alone, e.g. "
        "'type:nvidia-tesla-t4;count:1;install-nvidia-driver' (Dataflow right fitting).",
    )

    @model_validator(mode="after")
    def _thresholds_name_labels(self) -> ToxicitySettings:
        known = self.backend.labels()
        for label, value in self.thresholds.items():
            if label not in known:
                raise ValueError(
                    f"threshold label '{label}' is not emitted by the {self.backend.kind} backend "
                    f"(labels: {', '.join(known)})"
                )
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold for '{label}' must lie in [0, 1]")
        if self.min_batch_size > self.max_batch_size:
            raise ValueError("min_batch_size must not exceed max_batch_size")
        return self


class BiasAuditSettings(_Section):
    max_ratio: float = Field(
        default=2.0,
        gt=1.0,
        description="A group whose removal rate at a stage exceeds this multiple of the stage's "
        "overall removal rate is marked.",
    )
    min_docs: int = Field(
        default=5,
        ge=1,
        description="Groups mentioned by fewer documents are reported but never marked "
        "(their rates are too noisy).",
    )
    fail: bool = Field(default=False, description="A mark fails the build instead of only warning.")


class IdentitySettings(_Section):
    enabled: bool = Field(default=True, description="Tag identity-group mentions.")
    lexicon_path: str | None = Field(
        default=None,
        description="Identity-term lexicon (YAML); empty means the project's "
        "configs/identity_terms.yaml.",
    )
    languages: tuple[str, ...] = Field(
        default=(),
        description="Lexicon languages used (codes as in the lexicon, e.g. en, de); empty = all.",
    )
    granularity: Literal["group", "category"] = Field(
        default="group",
        description="group writes 'category:group' (religion:muslim); category writes the "
        "category alone (religion).",
    )
    audit: BiasAuditSettings = Field(
        default_factory=BiasAuditSettings,
        description="The filter-impact audit over the identity groups.",
    )
