"""Readers against the real shards in ../shared/eval/crawl (record counts from its README)."""

from collections import Counter
from pathlib import Path

import pytest

from schemas.config import InputSettings
from schemas.document import Doc
from transforms.read import READERS, ShardSpec, detect_format

# file -> (candidate documents, skipped records by reason), as the evaluation README states.
REAL_SHARDS = {
    "resiliparse_CC-MAIN-2020-34_sample.warc.gz": (
        16,
        {"warcinfo_record": 1, "request_record": 17, "metadata_record": 16},
    ),
    "whirlwind.warc.gz": (1, {"warcinfo_record": 1, "request_record": 1, "metadata_record": 1}),
    "whirlwind.warc.wet.gz": (1, {"warcinfo_record": 1}),
    "jwarc_cc.warc.gz": (1, {}),
    "webarchive-commons_IAH-urls-wget.warc.gz": (19, {"warcinfo_record": 1, "request_record": 16}),
    "warcio_example.warc.gz": (
        1,
        {"warcinfo_record": 2, "request_record": 2, "revisit_record": 1},
    ),
    "warcio_example.arc.gz": (1, {"arc_header_record": 1}),
    "warcio_example-iana.org-chunked.warc": (1, {"warcinfo_record": 1, "request_record": 1}),
    "warcio_example-resource.warc.gz": (1, {"warcinfo_record": 2}),
    "dolma_cc_en_head-0091.jsonl.gz": (10, {}),
}


def read_all(path: Path, settings: InputSettings | None = None) -> tuple[list[Doc], Counter]:
    fmt = detect_format(path.name)
    assert fmt is not None
    spec = ShardSpec(index=0, uri=str(path), name=path.name, format=fmt, size=path.stat().st_size)
    skipped: Counter[str] = Counter()
    docs = list(READERS[fmt](spec, settings or InputSettings(), lambda r: skipped.update([r])))
    return docs, skipped


@pytest.mark.parametrize("name", sorted(REAL_SHARDS))
def test_real_shard_record_counts(crawl_eval: Path, name: str) -> None:
    path = crawl_eval / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    docs, skipped = read_all(path)
    documents, expected_skips = REAL_SHARDS[name]
    assert len(docs) == documents
    assert dict(skipped) == expected_skips
    assert all(d.status.value == "kept" for d in docs)
    assert len({d.id for d in docs}) == len(docs)


def test_common_crawl_provenance(crawl_eval: Path) -> None:
    docs, _ = read_all(crawl_eval / "resiliparse_CC-MAIN-2020-34_sample.warc.gz")
    assert len({d.url for d in docs}) == 16
    first = docs[0]
    assert first.url == "http://003338.cn/l41/481397.html"
    assert first.crawl == "CC-MAIN-2020-34"
    assert first.http_status == 200
    assert first.content_type == "text/html"
    assert first.source_record.startswith("<urn:uuid:")
    assert first.payload_digest and first.payload_digest.startswith("sha1:")
    assert first.fetch_date and first.fetch_date.startswith("2020-08-08")
    assert first.payload and b"<html" in first.payload.lower()


def test_wet_joins_its_warc_capture(crawl_eval: Path) -> None:
    (warc,), _ = read_all(crawl_eval / "whirlwind.warc.gz")
    (wet,), _ = read_all(crawl_eval / "whirlwind.warc.wet.gz")
    assert warc.url == wet.url == "https://an.wikipedia.org/wiki/Escopete"
    assert wet.crawl == warc.crawl == "CC-MAIN-2024-22"
    assert "Escopete" in wet.text


def test_mixed_mime_types_and_reused_record_ids(crawl_eval: Path) -> None:
    docs, _ = read_all(crawl_eval / "webarchive-commons_IAH-urls-wget.warc.gz")
    types = Counter(d.content_type for d in docs)
    assert types["text/html"] == 11
    assert {"image/jpeg", "image/gif", "image/png"} <= set(types)
    # wget gives two resource records the same WARC-Record-ID; ids must still be unique.
    assert sum("@offset:" in d.source_record for d in docs) == 1


def test_arc_record(crawl_eval: Path) -> None:
    (doc,), _ = read_all(crawl_eval / "warcio_example.arc.gz")
    assert doc.url == "http://example.com/"
    assert doc.http_status == 200
    assert doc.fetch_date == "2014-02-16T05:02:21Z"
    assert doc.source_record.startswith("offset:")


def test_chunked_body_is_decoded(crawl_eval: Path) -> None:
    (doc,), _ = read_all(crawl_eval / "warcio_example-iana.org-chunked.warc")
    assert doc.payload is not None
    assert doc.payload.lstrip().lower().startswith(b"<!doctype html")


def test_jsonl_dotted_provenance_fields(crawl_eval: Path) -> None:
    settings = InputSettings(
        url_field="id",
        digest_field="metadata.digest",
        crawl_field="metadata.cc_segment",
        date_field="metadata.date_download",
    )
    docs, _ = read_all(crawl_eval / "dolma_cc_en_head-0091.jsonl.gz", settings)
    first = docs[0]
    assert first.url == first.source_id
    assert (
        first.url
        == "http://100kinvesting.com/2016/11/28/first-teleconference-calls-invoice-factoring/"
    )
    assert first.payload_digest == "sha1:DNJVF5QUTTJGEF56WA5VCYUVVD3OW7XL"
    assert first.crawl and "CC-MAIN-2020-16" in first.crawl
    assert first.fetch_date == "2020-03-29T09:04:10Z"
    assert first.source_record == "line:1"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("CC-MAIN-x.warc.gz", "warc"),
        ("x.warc", "warc"),
        ("x.warc.wet.gz", "wet"),
        ("x.arc.gz", "arc"),
        ("x.jsonl.zst", "jsonl"),
        ("x.json.gz", "jsonl"),
        ("x.parquet", "parquet"),
        ("x.tsv", None),
        ("warc.txt", None),
    ],
)
def test_detect_format(name: str, fmt: str | None) -> None:
    assert detect_format(name) == fmt
