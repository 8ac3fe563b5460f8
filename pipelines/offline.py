"""Environment settings that keep libraries from reaching the network on their own.

Applied by the CLI before anything else is imported, and inherited by local worker processes.
Users who do want downloads configure them explicitly (and can override these variables).
"""

from __future__ import annotations

import logging
import os

OFFLINE_ENVIRONMENT = {
    # Hugging Face hub and datasets: no telemetry, no model or dataset lookups.
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    # tldextract (used by presidio's e-mail recognizer): use the bundled public-suffix snapshot.
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
}


class _OptionalGcpNotice(logging.Filter):
    """Beam warns at import time about GCP client libraries that a local run does not use."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


def apply_offline_defaults() -> None:
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    logging.getLogger().addFilter(_OptionalGcpNotice())
    # Local worker processes relay routine notices as warnings; real failures still surface
    # as errors and exceptions.
    logging.getLogger("apache_beam.runners.portability").setLevel(logging.ERROR)
