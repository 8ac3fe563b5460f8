"""`curate schema manifest|ledger`: the published schemas of a release's files, as JSON.

`manifest` prints the JSON Schema (draft 2020-12) of `manifest.json`, generated from the
pydantic model in `schemas/manifest.py`, so the schema and the writer cannot drift apart.
`ledger` prints the ledger's Parquet columns (name, Arrow type, nullability and the stage that
fills them) for every stage a build can run; a build's ledger has the base columns plus those
of the stages it ran, and `data/` adds `text`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from schemas.ledger import BASE_FIELDS, STAGE_FIELDS, TEXT_FIELD
from schemas.manifest import SCHEMA_VERSION, manifest_json_schema


def ledger_description() -> dict[str, Any]:
    def column(field: Any, stage: str | None) -> dict[str, Any]:
        return {
            "name": field.name,
            "type": str(field.type),
            "nullable": field.nullable,
            "stage": stage,
        }

    columns = [column(f, None) for f in BASE_FIELDS]
    for stage, fields in STAGE_FIELDS.items():
        columns += [column(f, stage) for f in fields]
    return {
        "title": "Curate ledger and data Parquet columns",
        "manifest_schema_version": SCHEMA_VERSION,
        "format": "Parquet (zstd); one row per input document in ledger/, kept documents in data/",
        "columns": columns,
        "data_only_columns": [column(TEXT_FIELD, None)],
    }


def render(which: str) -> str:
    document = manifest_json_schema() if which == "manifest" else ledger_description()
    return json.dumps(document, indent=2) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("which", choices=["manifest", "ledger"])


def command(args: argparse.Namespace) -> int:
    sys.stdout.write(render(args.which))
    return 0
