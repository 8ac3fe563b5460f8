"""`croissant.json`: the release described in Croissant 1.1 JSON-LD (MLCommons).

What it holds:

- one `cr:FileObject` per published Parquet file and for `manifest.json`, each with its sha256
  and byte size, plus one `cr:FileSet` per folder (`data/*.parquet`, `ledger/*.parquet`);
- a `cr:RecordSet` `documents` whose fields are the columns of the data Parquet schema (lists
  become `isArray` fields, structs become `subField`s);
- the licences of the kept documents (SPDX URLs; the rest named in words);
- the Responsible-AI fields (`rai:`): preprocessing protocol from the stage funnel, personal and
  sensitive information from the PII summary, data biases from the bias audit, data
  collection from the inputs, limitations from the licence and language summaries.

A pure function of the manifest and the data schema: deterministic. Validated with
`mlcroissant` in the tests (offline).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from pipelines.release_facts import ReleaseFacts, takedown_note

CROISSANT = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
PARQUET = "application/x-parquet"

# The standard Croissant 1.1 @context (as mlcroissant writes it), with the RAI vocabulary.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

COLUMN_NOTES = {
    "id": "Stable document id: a hash of the input file name and the record locator.",
    "text": "Extracted text, PII redacted.",
    "source_uri": "Input file the document was read from.",
    "source_record": "Record locator in the input file (WARC-Record-ID, byte offset, line, row).",
    "status": "Decision: kept, rejected or error (always kept in data/).",
    "language": "fastText language label (ISO code).",
    "language_score": "Probability of the top language.",
    "pii_spans": "Detected PII: type and offsets in the text before redaction, never the value.",
    "toxicity_score": "Main toxicity probability of the configured classifier.",
    "identity_groups": "Identity groups mentioned (category:group), for the bias audit.",
    "license": "SPDX-style licence id found in the document, or unknown.",
    "dup_cluster": "Near-duplicate cluster id.",
}


def _data_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "sc:Text"
    if pa.types.is_boolean(arrow_type):
        return "sc:Boolean"
    for bits in (8, 16, 32, 64):
        if arrow_type == getattr(pa, f"int{bits}")():
            return f"cr:Int{bits}"
    if pa.types.is_float32(arrow_type):
        return "cr:Float32"
    if pa.types.is_float64(arrow_type):
        return "cr:Float64"
    return "sc:Text"


def _field(record_set: str, field: pa.Field, parent: str | None = None) -> dict[str, Any]:
    """A Croissant field for one Parquet column (or one member of a struct column)."""
    path = f"{parent}/{field.name}" if parent else f"{record_set}/{field.name}"
    arrow_type = field.type
    is_array = pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)
    if is_array:
        arrow_type = arrow_type.value_type
    column = path.split("/", 1)[1].replace("/", ".")
    entry: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": path,
        "name": field.name,
        "description": COLUMN_NOTES.get(field.name, f"Column '{column}' of the data files."),
    }
    if pa.types.is_struct(arrow_type):
        entry["subField"] = [
            _field(record_set, arrow_type.field(i), parent=path)
            for i in range(arrow_type.num_fields)
        ]
    else:
        entry["dataType"] = _data_type(arrow_type)
    if parent:
        # A struct member: the parent's column, then the member by JSON path (per element of
        # a list of structs).
        top = path.split("/")[1]
        entry["source"] = {
            "fileSet": {"@id": "data-files"},
            "extract": {"column": top},
            "transform": {"jsonPath": field.name},
        }
    else:
        entry["source"] = {"fileSet": {"@id": "data-files"}, "extract": {"column": column}}
    if is_array:
        entry["isArray"] = True
        entry["arrayShape"] = "-1"
    return entry


def _license_values(licenses: dict[str, Any] | None) -> list[str]:
    if not licenses:
        return ["Licences were not detected (the licence stage did not run)."]
    values = []
    for spdx in sorted(licenses.get("kept", {})):
        if spdx == "unknown":
            continue
        if spdx.startswith("LicenseRef-") or " " in spdx:
            values.append(spdx)
        else:
            values.append(f"https://spdx.org/licenses/{spdx}.html")
    unknown = licenses.get("kept", {}).get("unknown", 0)
    if unknown:
        values.append(
            f"unknown: {unknown} kept documents carry no detected licence; the `license` column "
            "gives each document's licence, and their original terms apply"
        )
    return values or ["No kept documents."]


def _preprocessing(manifest: dict[str, Any]) -> list[str]:
    config = manifest["config"]
    steps = []
    for stage in manifest["stages"]:
        drops = ", ".join(f"{k} {v}" for k, v in sorted(stage["drops"].items())) or "none"
        steps.append(
            f"{stage['name']} (version {stage['version']}): {stage['docs_in']} documents in, "
            f"{stage['docs_out']} out, {stage['errors']} errors; rejected by reason: {drops}."
        )
    steps.append(
        f"Mode {config.get('mode')}; the full resolved configuration (sha256 "
        f"{manifest['config_sha256']}) is in manifest.json."
    )
    if note := takedown_note(manifest):
        steps.append(note)
    return steps


def _personal_information(summaries: dict[str, Any]) -> list[str]:
    pii = summaries.get("pii")
    if not pii:
        return ["PII detection did not run: the text may contain personal information."]
    entities = ", ".join(f"{k} {v}" for k, v in sorted(pii["entities"].items())) or "none"
    return [
        f"{pii['documents']} documents held personal information detected by pattern "
        f"recognizers; entities by type: {entities}. Detected values were redacted before "
        "the text was written; the ledger keeps types and offsets only.",
        "Pattern recognizers miss some personal information (names and addresses unless a "
        "named-entity model was configured); treat the text as possibly personal.",
    ]


def _biases(summaries: dict[str, Any]) -> list[str]:
    audit = summaries.get("bias_audit")
    if not audit:
        return ["No filter-impact audit ran (identity tagging disabled)."]
    lines = [
        f"Filter-impact audit: a group is marked when a stage removes documents mentioning it "
        f"more than {audit['max_ratio']:g} times as often as documents overall (groups with at "
        f"least {audit['min_docs']} documents)."
    ]
    lines += [f"Marked: {m}" for m in audit.get("messages", [])] or ["No group was marked."]
    languages = summaries.get("languages", {}).get("kept", {})
    if languages:
        top = sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        total = sum(languages.values())
        shares = ", ".join(f"{k} {v / total:.0%}" for k, v in top)
        lines.append(f"Language skew of kept documents: {shares}.")
    return lines


def render(facts: ReleaseFacts) -> str:
    manifest = facts.manifest
    summaries = manifest["summaries"]
    outputs = manifest["outputs"]
    distribution: list[dict[str, Any]] = [
        {
            "@type": "cr:FileObject",
            "@id": output["path"],
            "name": output["path"],
            "description": f"{output['rows']} rows.",
            "contentUrl": output["path"],
            "contentSize": f"{output['bytes']} B",
            "encodingFormat": PARQUET,
            "sha256": output["sha256"],
        }
        for output in outputs
    ]
    for folder, what in (
        ("data", "Kept documents with their text"),
        ("ledger", "One row per input document, no text"),
    ):
        if any(o["path"].startswith(f"{folder}/") for o in outputs):
            distribution.append(
                {
                    "@type": "cr:FileSet",
                    "@id": f"{folder}-files",
                    "name": f"{folder}-files",
                    "description": f"{what}.",
                    "encodingFormat": PARQUET,
                    "includes": f"{folder}/*.parquet",
                }
            )
    record_sets = []
    if facts.data_schema is not None:
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": "documents",
                "name": "documents",
                "description": "The kept documents (data/*.parquet).",
                "key": {"@id": "documents/id"},
                "field": [_field("documents", f) for f in facts.data_schema],
            }
        )
    inputs = manifest["inputs"]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": "curate-release",
        "description": (
            f"A text corpus built by Curate {manifest['code']['version']}: "
            f"{manifest['totals']['kept']} "
            f"documents kept of {manifest['totals']['input']} read from {len(inputs)} input files."
        ),
        "url": "manifest.json",
        "version": "1.0.0",
        "license": _license_values(summaries.get("licenses")),
        "isLiveDataset": False,
        # Nothing from the manifest's `run` (ids, times): a rebuild gives the same bytes.
        "citeAs": (
            f"Curate release, commit {manifest['code']['git_commit']}, "
            f"config sha256 {manifest['config_sha256']}"
        ),
        "inLanguage": sorted(summaries.get("languages", {}).get("kept", {})),
        "distribution": distribution,
        "recordSet": record_sets,
        "rai:dataCollection": (
            f"Read from {len(inputs)} input files "
            f"({', '.join(sorted({i['format'] for i in inputs}))}), "
            f"{sum(i['records'] for i in inputs)} records; each file's sha256 is in manifest.json."
        ),
        "rai:dataCollectionType": ["Web Scraping"],
        "rai:dataPreprocessingProtocol": _preprocessing(manifest),
        "rai:personalSensitiveInformation": _personal_information(summaries),
        "rai:dataBiases": _biases(summaries),
        "rai:dataLimitations": [
            "Automatic filters (language ID, quality rules, toxicity classifier, deduplication) "
            "make errors in both directions; the ledger records every decision.",
        ],
        "rai:dataUseCases": ["Language-model pretraining", "Corpus analysis"],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
