"""The release artifacts: report.html, croissant.json, the dataset card, and `curate report`.

One build of the generated sample plus a shard of hostile documents (markup and script in the
text, the URL, the id and the file name) feeds every test here. The Chromium tests render the
report in a real browser and skip, saying why, where no Chromium binary is installed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.dataset as ds
import pytest
import yaml

from pipelines.artifacts import ARTIFACTS, write_artifacts
from pipelines.build import BuildResult
from pipelines.cli import main
from tests.pipelines.conftest import HOSTILE_FILE, HOSTILE_HOSTS

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "code",
    "div", "b", "span", "figure", "figcaption", "svg", "rect", "text", "line", "table",
    "thead", "tbody", "tr", "th", "td", "ul", "li",
}  # fmt: skip
CHARTS = {
    "funnel", "hist-toxicity_score", "hist-language_score", "hist-word_count",
    "hist-alpha_word_ratio", "languages", "licenses", "pii", "bias-audit",
}  # fmt: skip


class _Page(HTMLParser):
    """Every element and attribute of a page, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_the_build_writes_every_artifact(hostile_release: tuple[Path, BuildResult]) -> None:
    outdir, _ = hostile_release
    for name in ARTIFACTS:
        assert (outdir / name).stat().st_size > 1000, name
    assert not list(outdir.glob("*.tmp-*"))
    # The hostile documents are kept, so their domains reach the report's domain table.
    ledger = ds.dataset(outdir / "ledger", format="parquet").to_table().to_pylist()
    hostile = [r for r in ledger if r["source_uri"].endswith(HOSTILE_FILE)]
    assert [r["status"] for r in hostile] == ["kept", "kept"]
    assert sorted(r["registered_domain"] for r in hostile) == sorted(HOSTILE_HOSTS)


def test_artifacts_are_a_pure_function_of_the_release(
    hostile_release: tuple[Path, BuildResult],
) -> None:
    outdir, result = hostile_release

    def digests() -> dict[str, str]:
        return {n: hashlib.sha256((outdir / n).read_bytes()).hexdigest() for n in ARTIFACTS}

    before = digests()
    write_artifacts(outdir, json.loads((outdir / "manifest.json").read_text()))
    assert digests() == before
    # Only the report names the run; the card and Croissant are equal across rebuilds.
    run = result.manifest["run"]
    for name in ("croissant.json", "README.md"):
        text = (outdir / name).read_text()
        assert run["id"] not in text and run["finished"] not in text and run["started"] not in text


def test_report_renders_no_markup_from_documents(hostile_release: tuple[Path, BuildResult]) -> None:
    outdir, _ = hostile_release
    page = (outdir / "report.html").read_text()
    parsed = parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    handlers = [(t, a) for t, attrs in parsed.tags for a in attrs if a.lower().startswith("on")]
    assert handlers == []
    assert "INJECTED HEADLINE" not in page and "alert('text')" not in page
    text = "".join(parsed.text)
    # The hostile strings that the report does show appear as text, escaped in the source.
    for host in HOSTILE_HOSTS:
        assert host in text
    assert HOSTILE_FILE in text
    assert "&lt;svg onload=alert(1)&gt;.com" in page
    csp = [a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]


def test_card_and_croissant_carry_no_markup(hostile_release: tuple[Path, BuildResult]) -> None:
    outdir, _ = hostile_release
    card = (outdir / "README.md").read_text()
    for needle in ("<img", "<script", "<svg", "<iframe", "<i>"):
        assert needle not in card
    assert "hostile&lt;img src=x onerror=alert(3)&gt;.jsonl" in card
    croissant = json.loads((outdir / "croissant.json").read_text())
    assert "<script" not in json.dumps(croissant)


def test_report_charts_hold_the_manifest_figures(hostile_release: tuple[Path, BuildResult]) -> None:
    outdir, result = hostile_release
    parsed = parse((outdir / "report.html").read_text())
    charts = {a["data-chart"] for t, a in parsed.tags if t == "svg" and "data-chart" in a}
    assert charts == CHARTS
    values = [
        float(a["data-value"] or 0) for t, a in parsed.tags if t == "rect" and "data-value" in a
    ]
    manifest = result.manifest
    # The funnel shows every stage's output and the kept count at the end.
    for stage in manifest["stages"]:
        assert float(stage["docs_out"]) in values
    pii = manifest["summaries"]["pii"]["entities"]
    assert all(float(count) in values for count in pii.values())


def test_croissant_validates_and_loads_offline(
    hostile_release: tuple[Path, BuildResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlcroissant as mlc

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("mlcroissant tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    outdir, result = hostile_release
    dataset = mlc.Dataset(jsonld=outdir / "croissant.json")
    issues = dataset.metadata.ctx.issues
    assert issues.errors == set()
    # datePublished is left out on purpose: it would make the file differ between rebuilds.
    assert all("datePublished" in w for w in issues.warnings), issues.warnings
    document = json.loads((outdir / "croissant.json").read_text())
    assert document["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    files = {d["@id"]: d for d in document["distribution"] if d["@type"] == "cr:FileObject"}
    for output in result.manifest["outputs"]:
        data = (outdir / output["path"]).read_bytes()
        assert files[output["path"]]["sha256"] == hashlib.sha256(data).hexdigest()
    fields = {f["name"] for f in document["recordSet"][0]["field"]}
    assert {"id", "text", "language", "pii_spans", "toxicity_score", "license"} <= fields
    stages = [s["name"] for s in result.manifest["stages"]]
    protocol = document["rai:dataPreprocessingProtocol"]
    assert [p.split(" ")[0] for p in protocol[: len(stages)]] == stages
    pii = result.manifest["summaries"]["pii"]
    assert f"{pii['documents']} documents held personal information" in " ".join(
        document["rai:personalSensitiveInformation"]
    )
    marks = result.manifest["summaries"]["bias_audit"]["messages"]
    assert marks and all(f"Marked: {m}" in document["rai:dataBiases"] for m in marks)
    records = list(dataset.records("documents"))
    assert len(records) == result.manifest["totals"]["kept"]
    with_pii = [r for r in records if r["documents/pii_spans"]]
    assert {s["documents/pii_spans/type"] for r in with_pii for s in r["documents/pii_spans"]}


def test_dataset_card_front_matter_and_loading(
    hostile_release: tuple[Path, BuildResult], tmp_path: Path
) -> None:
    import datasets
    from huggingface_hub import DatasetCard

    outdir, result = hostile_release
    card = DatasetCard.load(outdir / "README.md")
    meta = card.data.to_dict()
    kept_languages = result.manifest["summaries"]["languages"]["kept"]
    assert meta["language"] == sorted(kept_languages)
    assert meta["size_categories"] == ["n<1K"]
    assert "other" in meta["license"] and "cc-by-4.0" in meta["license"]
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "data/*.parquet"}]
    front = yaml.safe_load((outdir / "README.md").read_text().split("---")[1])
    assert front == meta
    for heading in ("## How it was built", "### Stage funnel", "## Personal information",
                    "## Bias audit", "## Licences", "## How to reproduce"):  # fmt: skip
        assert heading in card.text
    assert "curate reproduce" in card.text
    # A fresh cache: datasets would otherwise reuse one made for an earlier release at this path.
    loaded = datasets.load_dataset(str(outdir), split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded.num_rows == result.manifest["totals"]["kept"]


def test_report_command_rewrites_the_report(
    hostile_release: tuple[Path, BuildResult], capsys: pytest.CaptureFixture[str]
) -> None:
    outdir, _ = hostile_release
    before = (outdir / "report.html").read_bytes()
    (outdir / "report.html").unlink()
    assert main(["report", str(outdir)]) == 0
    assert f"report written to {outdir / 'report.html'}" in capsys.readouterr().out
    assert (outdir / "report.html").read_bytes() == before


def test_report_of_a_non_release_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"curate: error: {tmp_path} is not a Curate release (no manifest.json).\n"


CHROMIUM = next(
    (p for n in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(n))), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium binary found (Debian: apt-get install chromium; .ci/run installs it)",
)


def chromium(page: Path, profile: Path, *args: str) -> str:
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


# Measures every chart's marks after layout; written into the DOM that --dump-dom prints.
PROBE = """<script>
const found = {};
for (const svg of document.querySelectorAll("svg[data-chart]")) {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll("rect.mark")].map(m => m.getBoundingClientRect());
  found[svg.dataset.chart] = {
    width: box.width, height: box.height, marks: marks.length,
    drawn: marks.filter(r => r.width > 0 && r.height > 0 && r.left >= box.left - 1
                              && r.right <= box.right + 1).length,
  };
}
document.body.setAttribute("data-probe", JSON.stringify(found));
</script>"""


@needs_chromium
def test_chromium_draws_every_chart(
    hostile_release: tuple[Path, BuildResult], tmp_path: Path
) -> None:
    outdir, _ = hostile_release
    page = (outdir / "report.html").read_text()
    # The report's policy forbids every script, so the probe runs in a copy without it.
    probe = tmp_path / "probe.html"
    start = page.index('<meta http-equiv="Content-Security-Policy"')
    end = page.index(">", start) + 1
    probe.write_text(page[:start] + page[end:].replace("</body>", PROBE + "</body>"))
    dom = chromium(probe, tmp_path / "profile", "--window-size=1200,900", "--dump-dom")
    attrs = dict(next(a for t, a in parse(dom).tags if t == "body"))
    found = json.loads(attrs["data-probe"] or "{}")
    assert set(found) == CHARTS
    for name, chart in found.items():
        assert chart["width"] > 100 and chart["height"] > 20, name
        assert chart["marks"] > 0 and chart["drawn"] > 0, name
    # The real page, as a picture: the dark series colour fills a good many pixels.
    from PIL import Image

    shot = tmp_path / "report.png"
    chromium(
        outdir / "report.html", tmp_path / "profile", "--window-size=1200,4000",
        f"--screenshot={shot}",
    )  # fmt: skip
    image = Image.open(shot).convert("RGB")
    dark = sum(1 for pixel in image.getdata() if pixel == (31, 95, 191))
    assert dark > 2000


@needs_chromium
def test_chromium_runs_nothing_from_documents(
    hostile_release: tuple[Path, BuildResult], tmp_path: Path
) -> None:
    outdir, _ = hostile_release
    dom = chromium(outdir / "report.html", tmp_path / "profile", "--dump-dom")
    parsed = parse(dom)
    assert {t for t, _ in parsed.tags} <= ALLOWED_TAGS
    assert HOSTILE_HOSTS[0] in "".join(parsed.text)
    # Even a script that escaped escaping would not run under the report's policy.
    page = (outdir / "report.html").read_text()
    injected = tmp_path / "injected.html"
    injected.write_text(
        page.replace(
            "</body>", "<script>document.body.setAttribute('data-ran','1')</script></body>"
        )
    )
    body = next(a for t, a in parse(chromium(injected, tmp_path / "profile", "--dump-dom")).tags
                if t == "body")  # fmt: skip
    assert "data-ran" not in body


def test_a_takedown_release_says_where_it_came_from(
    hostile_release: tuple[Path, BuildResult],
) -> None:
    from pipelines import croissant, dataset_card, report
    from pipelines.release_facts import gather

    outdir, result = hostile_release
    manifest = json.loads(json.dumps(result.manifest))
    manifest["takedown"] = {
        "parent": {"path": "old<b>release</b>", "manifest_sha256": "0" * 64,
                   "run_id": "r1", "config_sha256": "1" * 64},
        "request": {"kind": "urls", "file": "urls.txt", "file_sha256": "2" * 64, "entries": 3,
                    "matched_entries": 2, "documents": 4, "removed_kept": 2,
                    "removed_rejected_text": 0},
        "rewritten": ["data/part-00000-of-00001.parquet"],
    }  # fmt: skip
    facts = gather(str(outdir), manifest)
    note = "a request of 3 urls matched 4 documents, 2 of them removed from data/"
    page = report.render(facts)
    assert note in "".join(parse(page).text) and "<b>release" not in page
    card = dataset_card.render(facts)
    assert "### Takedown" in card and "old&lt;b&gt;release&lt;/b&gt;" in card
    protocol = json.loads(croissant.render(facts))["rai:dataPreprocessingProtocol"]
    assert any(note in step for step in protocol)
