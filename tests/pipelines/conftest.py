"""Fixtures shared by the pipeline tests: one build of the sample plus hostile documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.build import BuildResult, run_build
from pipelines.sample_corpus import write_sample
from schemas.config import load_config
from tests.conftest import PROJECT

HOSTILE_FILE = "hostile<img src=x onerror=alert(3)>.jsonl"
HOSTILE_HOSTS = ("<svg onload=alert(1)>.com", 'a"b<i>c.com')
PROSE = (
    "The committee met on Tuesday to review the harbour plans and the budget for the new "
    "library. Members asked for more time to read the reports before they vote next month.\n"
    "A resident described how the ferry timetable changed after the storm last winter, and "
    "the treasurer explained why repairs to the sea wall must come before any new building.\n"
    "Several parents wanted longer opening hours at the reading room during school holidays.\n"
    "The chair promised to publish the minutes and a summary of costs on the town website.\n"
)
OTHER_PROSE = (
    "Our garden club planted tomatoes, beans and three kinds of squash along the south fence "
    "this spring. Volunteers built raised beds from reclaimed timber, and a local carpenter "
    "showed the children how to measure and cut each board safely. By July the vines had "
    "climbed over the trellis, so we shared the harvest with neighbours and the food bank.\n"
    "Next season we hope to add a small greenhouse and a rainwater barrel near the shed.\n"
)
HOSTILE_RECORDS = [
    {
        "id": "<script>alert('id')</script>",
        "url": "http://<svg onload=alert(1)>.com/<script>alert(2)</script>",
        "text": PROSE + "Someone pasted <script>alert('text')</script> and <h1>INJECTED "
        "HEADLINE</h1> into the notice about the meeting.\n",
    },
    {
        "id": "markup-2",
        "url": 'http://a"b<i>c.com/<img src=x onerror=alert(4)>',
        "text": OTHER_PROSE + "A prankster left <iframe src=x onload=alert(5)></iframe> and "
        "<b>bold</b> tags & more in the sign-up sheet.\n",
    },
]


@pytest.fixture(scope="session")
def hostile_release(
    tmp_path_factory: pytest.TempPathFactory, lid_model: Path
) -> tuple[Path, BuildResult]:
    """The sample plus the hostile shard, built once with OpenLineage events to a file."""
    root = tmp_path_factory.mktemp("artifacts")
    write_sample(root / "sample")
    (root / "hostile").mkdir()
    (root / "hostile" / HOSTILE_FILE).write_text(
        "".join(json.dumps(r) + "\n" for r in HOSTILE_RECORDS)
    )
    outdir = root / "release"
    config = load_config(
        PROJECT / "configs" / "default.yaml",
        [
            f"input.paths={json.dumps([str(root / 'sample'), str(root / 'hostile')])}",
            f"output.path={outdir}",
            "lineage.openlineage.transport=file",
            f"lineage.openlineage.path={root / 'events.jsonl'}",
        ],
    )
    return outdir, run_build(config, [], progress=False)
