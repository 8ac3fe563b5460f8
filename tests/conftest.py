"""Shared fixtures: offline environment, the installed language model, evaluation data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from pipelines.offline import apply_offline_defaults

apply_offline_defaults()

# Property tests draw the same examples on every run (no example database, no random seed), so
# the suite stays deterministic; a test may ask for more examples, never for randomness.
hypothesis_settings.register_profile(
    "curate",
    derandomize=True,
    database=None,
    max_examples=40,
    deadline=5000,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile("curate")

PROJECT = Path(__file__).resolve().parent.parent
LID_MODEL = PROJECT / "build" / "models" / "lid.176.ftz"


def eval_dir() -> Path:
    return Path(os.environ.get("CURATE_EVAL_DIR", PROJECT.parent / "shared" / "eval"))


@pytest.fixture(scope="session")
def lid_model() -> Path:
    if not LID_MODEL.exists():
        pytest.fail(f"{LID_MODEL} is missing: run `make install` first.")
    return LID_MODEL


@pytest.fixture(scope="session")
def crawl_eval() -> Path:
    path = eval_dir() / "crawl"
    if not path.is_dir():
        pytest.skip(f"evaluation data not present at {path}")
    return path
