"""Settings of the exact and MinHash near-duplicate stage (`transforms.dedup`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator


class ShingleUnit(StrEnum):
    WORD = "word"
    CHAR = "char"


class ShingleHash(StrEnum):
    POLY64 = "poly64"
    SHA1 = "sha1"


class RepresentativeRule(StrEnum):
    """One criterion for choosing the document a cluster keeps; ties fall to the next one."""

    EARLIEST_FETCH_DATE = "earliest_fetch_date"
    LONGEST_TEXT = "longest_text"


class DedupSettings(BaseModel):
    """Exact and MinHash-LSH near-duplicate clustering.

    Defaults follow FineWeb: word 5-grams, 112 permutations in 14 bands of 8 rows (documents
    about 75% similar or more collide with probability >= 0.77).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    near: bool = Field(
        default=True,
        description="Run MinHash near-duplicate detection; false: exact duplicates only.",
    )
    shingle: ShingleUnit = Field(
        default=ShingleUnit.WORD,
        description="Shingle unit: 'word' (tokens, each Han/Kana character one token) or 'char'.",
    )
    ngram: int = Field(default=5, ge=1, le=64, description="Units per shingle.")
    num_perm: int = Field(default=112, ge=1, le=1024, description="MinHash permutations.")
    bands: int | None = Field(
        default=14,
        ge=1,
        description="LSH bands; set bands and rows to null to derive them from threshold.",
    )
    rows: int | None = Field(
        default=8,
        ge=1,
        description="Signature values per band; null together with bands to derive them.",
    )
    threshold: float = Field(
        default=0.75,
        gt=0.0,
        lt=1.0,
        description=(
            "Jaccard similarity that counts as near-duplicate: derives bands/rows when they are "
            "null (as datasketch MinHashLSH does) and is the bar of the verification pass."
        ),
    )
    seed: int = Field(
        default=1, ge=0, lt=2**32, description="Permutation seed (datasketch MinHash's `seed`)."
    )
    shingle_hash: ShingleHash = Field(
        default=ShingleHash.POLY64,
        description=(
            "Shingle hash: 'poly64' (fast; datasketch with hashfunc=shingle_hash32) or 'sha1' "
            "(datasketch's default hash, several times slower)."
        ),
    )
    representative: tuple[RepresentativeRule, ...] = Field(
        default=(RepresentativeRule.EARLIEST_FETCH_DATE, RepresentativeRule.LONGEST_TEXT),
        description=(
            "Criteria, in order, that choose the document a cluster keeps; kept-status documents "
            "always come first and the smallest id breaks the last tie."
        ),
    )
    max_rounds: int = Field(
        default=10,
        ge=1,
        le=64,
        description="Rounds of the connected-components step unrolled in the pipeline graph.",
    )
    on_unconverged: Literal["warn", "fail"] = Field(
        default="warn",
        description=(
            "When connected components have not converged after max_rounds: log a warning and "
            "report it in the summary ('warn'), or fail the run ('fail')."
        ),
    )
    verify_sample: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description=(
            "Fraction of candidate pairs (chosen by a hash of the two ids) whose exact Jaccard is "
            "computed to report the LSH false-positive rate; 0 disables the pass."
        ),
    )
    drop_exact: bool = Field(
        default=True, description="Reject exact duplicates (reason exact_duplicate)."
    )
    drop_near: bool = Field(
        default=True, description="Reject near duplicates (reason near_duplicate)."
    )

    @model_validator(mode="after")
    def _check_bands(self) -> DedupSettings:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("set both dedup.bands and dedup.rows, or neither")
        if self.bands is not None and self.rows is not None:
            if self.bands * self.rows > self.num_perm:
                raise ValueError("dedup.bands * dedup.rows must not exceed dedup.num_perm")
        if len(set(self.representative)) != len(self.representative):
            raise ValueError("dedup.representative lists a criterion twice")
        return self


# The persisted dedup index of a release (`OUTDIR/dedup/`): one row per kept document, enough for
# a later incremental build to find duplicates of it without re-reading its text.
INDEX_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("exact_hash", pa.string(), nullable=False),
        pa.field("bands", pa.list_(pa.binary())),
    ]
)
