"""Flex Template entry point: turn the template's parameters into one `curate run`.

Dataflow starts this in the launcher container with the template parameters and its own
pipeline options (`--runner`, `--project`, `--region`, `--temp_location`,
`--sdk_container_image`, ...) as `--name=value` arguments. The parameters are validated by the
regexes in metadata.json before they get here; the input and output paths are built from them.
"""

from __future__ import annotations

import sys

from pipelines.cli import main

TEMPLATE_PARAMETERS = ("crawl", "build_date", "bucket", "parent")


def curate_arguments(argv: list[str]) -> list[str]:
    values: dict[str, str] = {}
    passthrough: list[str] = []
    for arg in argv:
        name, _, value = arg.removeprefix("--").partition("=")
        if arg.startswith("--") and name in TEMPLATE_PARAMETERS:
            values[name] = value
        else:
            passthrough.append(arg)
    missing = [p for p in ("crawl", "build_date", "bucket") if not values.get(p)]
    if missing:
        raise SystemExit(f"curate flex template: missing parameter --{missing[0]}")
    bucket, crawl, date = values["bucket"], values["crawl"], values["build_date"]
    arguments = [
        "run",
        "--config",
        "configs/dataflow.yaml",
        "--input",
        f"gs://{bucket}/crawl/{crawl}/segments/*/warc/*.warc.gz",
        "--output",
        f"gs://{bucket}/releases/{crawl}/{date}",
    ]
    if values.get("parent"):
        arguments += ["--parent", values["parent"]]
    return [*arguments, "--runner=DataflowRunner", "--sdk_location=container", *passthrough]


if __name__ == "__main__":
    sys.exit(main(curate_arguments(sys.argv[1:])))
