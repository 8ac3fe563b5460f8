"""The error a stage raises with a message that is safe to record and print.

Kept apart from `transforms.base` so that the command line can catch it without importing Beam.
"""

from __future__ import annotations


class StageError(Exception):
    """An error whose message is safe to record: it never contains document text."""
