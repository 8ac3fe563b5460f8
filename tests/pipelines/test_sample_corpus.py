"""Tests for the embedded sample corpus generator and the damaged-shard fixture builder."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import zstandard
from fastwarc.warc import ArchiveIterator, WarcRecordType

from pipelines import sample_corpus
from pipelines.sample_corpus import SampleTruth, sha1_digest, write_sample
from tests.corrupt_shards import HUGE_RECORD_BYTES, write_bad_records

DEFAULT_SHARDS = (
    "crawl-00000.warc.gz",
    "crawl-00001.warc",
    "crawl-00002.warc.gz",
    "crawl-00003.arc.gz",
    "crawl-00000.warc.wet.gz",
    "docs-00000.jsonl.gz",
    "docs-00001.jsonl.zst",
    "docs-00002.parquet",
)
WARC_SHARDS = (
    "crawl-00000.warc.gz",
    "crawl-00001.warc",
    "crawl-00002.warc.gz",
    "crawl-00000.warc.wet.gz",
)
RECORD_ID = re.compile(
    r"<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
    r"[0-9a-f]{12}>"
)
WARC_DATE = re.compile(r"2026-1[12]-\d\dT\d\d:\d\d:\d\dZ")
WORD = re.compile(r"\w+")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleTruth]:
    outdir = tmp_path_factory.mktemp("sample")
    return outdir, write_sample(outdir)


@pytest.fixture(scope="module")
def texts(sample: tuple[Path, SampleTruth]) -> dict[tuple[str, str], bytes | str]:
    """Payload (HTML bytes) or text of every candidate document, by (shard, locator)."""
    outdir, _ = sample
    found: dict[tuple[str, str], bytes | str] = {}
    for name in WARC_SHARDS:
        for rec in _records(outdir / name):
            if rec.type == "response":
                found[(name, rec.id)] = rec.body
            elif rec.type == "conversion":
                found[(name, rec.id)] = rec.body.decode("utf-8")
    for offset, member in _gzip_members(outdir / "crawl-00003.arc.gz")[1:]:
        # ARC record: header line, HTTP response, newline; keep the HTTP body.
        body = member.partition(b"\n")[2].partition(b"\r\n\r\n")[2]
        found[("crawl-00003.arc.gz", f"offset:{offset}")] = body.removesuffix(b"\n")
    for name in ("docs-00000.jsonl.gz", "docs-00001.jsonl.zst"):
        for n, record in enumerate(_jsonl(outdir / name), start=1):
            found[(name, f"line:{n}")] = record["text"]
    for n, text in enumerate(pq.read_table(outdir / "docs-00002.parquet")["text"].to_pylist()):
        found[("docs-00002.parquet", f"row:{n}")] = text
    return found


@dataclass(frozen=True)
class Record:
    """What a test needs from one WARC record, read while the iterator is on it."""

    type: str
    id: str
    headers: dict[str, str]
    http: dict[str, str]
    status: int | None
    body: bytes
    position: int


def _records(path: Path) -> list[Record]:
    found = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh, record_types=WarcRecordType.any_type, parse_http=True):
            http = rec.http_headers
            found.append(
                Record(
                    rec.headers["WARC-Type"],
                    rec.headers["WARC-Record-ID"],
                    rec.headers.asdict(),
                    http.asdict() if http is not None else {},
                    http.status_code if http is not None else None,
                    rec.reader.read(),
                    rec.stream_pos,
                )
            )
    return found


def _gzip_members(path: Path) -> list[tuple[int, bytes]]:
    data = path.read_bytes()
    members, position = [], 0
    while position < len(data):
        inflate = zlib.decompressobj(wbits=31)
        members.append((position, inflate.decompress(data[position:])))
        assert inflate.eof
        position = len(data) - len(inflate.unused_data)
    return members


def _jsonl(path: Path) -> list[dict]:
    if path.name.endswith(".zst"):
        with path.open("rb") as fh:
            raw = zstandard.ZstdDecompressor().stream_reader(fh).read()
    else:
        raw = gzip.decompress(path.read_bytes())
    return [json.loads(line) for line in io.StringIO(raw.decode("utf-8"))]


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in directory.iterdir()}


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def _html(payload: bytes | str) -> str:
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def _article(payload: bytes | str) -> str:
    """Article text of a page (markup stripped) or a plain-text record as is."""
    if isinstance(payload, str):
        return payload
    article = payload.decode("utf-8").split("<article>", 1)[1].split("</article>", 1)[0]
    return re.sub(r"<[^>]+>", " ", article)


# --- the default sample --------------------------------------------------------------------


def test_two_writes_are_byte_identical(sample: tuple[Path, SampleTruth], tmp_path: Path) -> None:
    outdir, truth = sample
    again = write_sample(tmp_path)
    assert _digests(tmp_path) == _digests(outdir)
    assert again == truth


def test_directory_holds_exactly_the_shards(sample: tuple[Path, SampleTruth]) -> None:
    outdir, truth = sample
    assert sorted(p.name for p in outdir.iterdir()) == sorted(DEFAULT_SHARDS)
    assert truth.shards == DEFAULT_SHARDS


def test_default_sample_totals(sample: tuple[Path, SampleTruth]) -> None:
    _, truth = sample
    assert dict(truth.candidate_counts) == {
        "crawl-00000.warc.gz": 107,
        "crawl-00001.warc": 7,
        "crawl-00002.warc.gz": 7,
        "crawl-00003.arc.gz": 6,
        "crawl-00000.warc.wet.gz": 20,
        "docs-00000.jsonl.gz": 30,
        "docs-00001.jsonl.zst": 14,
        "docs-00002.parquet": 16,
    }
    assert truth.total_candidates == len(truth.documents) == 207
    languages = Counter(d.language for d in truth.documents)
    assert languages == {
        "en": 85,
        "de": 21,
        "fr": 20,
        "es": 16,
        "it": 16,
        "nl": 13,
        "ja": 8,
        "pl": 7,
        "pt": 7,
        "ru": 7,
        None: 7,
    }
    assert truth.tag_counts["pii:email"] == 7
    assert truth.tag_counts["offensive"] == 4
    assert (
        sum(
            1
            for d in truth.documents
            if {"profanity"} <= d.tags and any(t.startswith("identity:") for t in d.tags)
        )
        == 4
    )
    assert {t for t in truth.tag_counts if t.startswith("junk:")} == {
        "junk:boilerplate",
        "junk:nav_only",
        "junk:lorem",
        "junk:js_required",
        "junk:symbols",
        "junk:short",
        "junk:empty",
        "junk:repeated",
    }
    assert truth.tag_counts["community_note"] == 6
    assert len({d.id for d in truth.documents}) == 207


def test_warc_shards_read_with_fastwarc_and_match_truth(sample: tuple[Path, SampleTruth]) -> None:
    outdir, truth = sample
    for name in WARC_SHARDS:
        records = _records(outdir / name)
        assert Counter(r.type for r in records) == truth.record_counts[name]
        assert records[0].type == "warcinfo"
        assert b"isPartOf: CURATE-SAMPLE-2026-48\r\n" in records[0].body
        for rec in records:
            assert RECORD_ID.fullmatch(rec.id)
            assert WARC_DATE.fullmatch(rec.headers["WARC-Date"])
        candidates = {r.id for r in records if r.type in ("response", "conversion")}
        assert candidates == {d.record for d in truth.documents if d.shard == name}


def test_response_payload_digests_match_http_bodies(sample: tuple[Path, SampleTruth]) -> None:
    outdir, _ = sample
    statuses: Counter[int | None] = Counter()
    for name in ("crawl-00000.warc.gz", "crawl-00001.warc", "crawl-00002.warc.gz"):
        for rec in _records(outdir / name):
            if rec.type != "response":
                continue
            assert rec.headers["Content-Type"] == "application/http; msgtype=response"
            assert re.fullmatch(
                r"(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+", rec.headers["WARC-IP-Address"]
            )
            digest = base64.b32encode(hashlib.sha1(rec.body).digest()).decode()
            assert rec.headers["WARC-Payload-Digest"] == f"sha1:{digest}"
            statuses[rec.status] += 1
    assert statuses == {200: 119, 301: 1, 404: 1}


def test_block_digests_verify(sample: tuple[Path, SampleTruth]) -> None:
    outdir, _ = sample
    for name in WARC_SHARDS:
        with (outdir / name).open("rb") as fh:
            verified = [
                rec.verify_block_digest()
                for rec in ArchiveIterator(
                    fh, record_types=WarcRecordType.any_type, parse_http=False
                )
            ]
        assert verified and all(verified), name


def test_sha1_digest_is_base32_sha1() -> None:
    assert sha1_digest(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
    assert sha1_digest(b"abc") == "sha1:" + base64.b32encode(hashlib.sha1(b"abc").digest()).decode()


def test_special_responses(
    sample: tuple[Path, SampleTruth], texts: dict[tuple[str, str], bytes | str]
) -> None:
    outdir, truth = sample
    by_record = {(d.shard, d.record): d for d in truth.documents}
    seen: set[str] = set()
    for name in ("crawl-00000.warc.gz", "crawl-00001.warc"):
        for rec in _records(outdir / name):
            if rec.type == "revisit":
                assert rec.headers["WARC-Profile"].endswith("/revisit/identical-payload-digest")
                assert rec.headers["WARC-Refers-To-Target-URI"].startswith("https://")
                seen.add("revisit")
            if rec.type != "response":
                continue
            tags = by_record[(name, rec.id)].tags
            headers = rec.http
            body = rec.body
            assert body == texts[(name, rec.id)]
            if "http:chunked" in tags:
                assert headers.get("Transfer-Encoding") == "chunked"
                assert body.endswith(b"\r\n0\r\n\r\n")
                seen.add("chunked")
            if "charset:windows-1252" in tags:
                assert headers.get("Content-Type") == "text/html; charset=windows-1252"
                assert "cœur de laitue coûte désormais 1,50 €" in body.decode("cp1252")
                with pytest.raises(UnicodeDecodeError):
                    body.decode("utf-8")
                seen.add("cp1252")
            if headers.get("Content-Type") == "image/png":
                assert body.startswith(b"\x89PNG\r\n\x1a\n") and body[12:16] == b"IHDR"
                seen.add("png")
            if headers.get("Content-Type") == "application/pdf":
                assert body.startswith(b"%PDF-1.4") and body.endswith(b"%%EOF\n")
                seen.add("pdf")
            if "http:301" in tags:
                assert body == b"" and headers.get("Location", "").startswith("https://")
                seen.add("301")
    assert seen == {"revisit", "chunked", "cp1252", "png", "pdf", "301"}


def test_arc_records_parse_by_header_lines(sample: tuple[Path, SampleTruth]) -> None:
    outdir, truth = sample
    members = _gzip_members(outdir / "crawl-00003.arc.gz")
    header, _, version = members[0][1].partition(b"\n")
    fields = header.split(b" ")
    assert fields[0] == b"filedesc://crawl-00003.arc" and len(fields) == 5
    assert int(fields[4]) == len(version) - 1
    assert version.startswith(b"1 0 CURATE-SAMPLE-2026-48\nURL IP-address Archive-date")
    locators = []
    for offset, member in members[1:]:
        line, _, rest = member.partition(b"\n")
        url, ip, date, mime, length = line.decode().split(" ")
        assert url.startswith(("https://", "http://")) and re.fullmatch(r"\d{14}", date)
        assert ip.count(".") == 3 and mime == "text/html"
        assert rest.endswith(b"\n") and int(length) == len(rest) - 1
        assert rest.startswith(b"HTTP/1.1 200 OK\r\n")
        locators.append(f"offset:{offset}")
    assert truth.record_counts["crawl-00003.arc.gz"] == {"filedesc": 1, "record": 6}
    assert locators == [d.record for d in truth.documents if d.shard == "crawl-00003.arc.gz"]


def test_jsonl_and_parquet_records(sample: tuple[Path, SampleTruth]) -> None:
    outdir, truth = sample
    for name in ("docs-00000.jsonl.gz", "docs-00001.jsonl.zst"):
        records = _jsonl(outdir / name)
        assert len(records) == truth.record_counts[name]["line"]
        assert all({"id", "text", "crawl_date", "source"} <= r.keys() for r in records)
    gz, zst = _jsonl(outdir / "docs-00000.jsonl.gz"), _jsonl(outdir / "docs-00001.jsonl.zst")
    assert sum(1 for r in gz if r["text"] == "") == 1
    assert max(len(r["text"]) for r in gz) >= 100_000
    assert sum(1 for r in zst if "url" not in r) == 1
    parquet = pq.ParquetFile(outdir / "docs-00002.parquet")
    assert parquet.metadata.num_row_groups == 2
    assert parquet.metadata.num_rows == 16
    assert parquet.metadata.row_group(0).column(2).compression == "ZSTD"
    assert parquet.schema_arrow.names == ["id", "url", "text", "crawl_date", "source"]
    missing = [d for d in truth.documents if "field:missing_url" in d.tags]
    assert [(d.shard, d.url) for d in missing] == [("docs-00001.jsonl.zst", None)]


def test_exact_duplicates_share_their_content(
    sample: tuple[Path, SampleTruth], texts: dict[tuple[str, str], bytes | str]
) -> None:
    _, truth = sample
    groups = truth.groups("dup:exact:")
    assert {g: len(docs) for g, docs in groups.items()} == {
        "g1": 3,
        "g2": 2,
        "g3": 3,
        "g4": 2,
        "g5": 2,
    }
    for docs in groups.values():
        assert len({texts[(d.shard, d.record)] for d in docs}) == 1
        assert len({d.url for d in docs}) == len(docs)
    assert {d.shard for d in groups["g1"]} == {"crawl-00000.warc.gz", "crawl-00003.arc.gz"}
    assert len({d.shard for d in groups["g3"]}) == 3


def test_near_duplicates_overlap_between_0_8_and_0_95(
    sample: tuple[Path, SampleTruth], texts: dict[tuple[str, str], bytes | str]
) -> None:
    _, truth = sample
    groups = truth.groups("near_dup:")
    assert {g: len(docs) for g, docs in groups.items()} == {
        "n1": 2,
        "n2": 2,
        "n3": 2,
        "n4": 2,
        "n5": 3,
    }
    for docs in groups.values():
        articles = [_shingles(_article(texts[(d.shard, d.record)])) for d in docs]
        for i, a in enumerate(articles):
            for b in articles[i + 1 :]:
                assert 0.8 <= len(a & b) / len(a | b) <= 0.95


def test_unrelated_articles_share_few_shingles(
    sample: tuple[Path, SampleTruth], texts: dict[tuple[str, str], bytes | str]
) -> None:
    _, truth = sample
    plain = [
        d
        for d in truth.documents
        if d.language == "en" and not d.tags and d.shard == "crawl-00000.warc.gz"
    ]
    articles = [_shingles(_article(texts[(d.shard, d.record)])) for d in plain]
    worst = max(len(a & b) / len(a | b) for i, a in enumerate(articles) for b in articles[i + 1 :])
    assert len(plain) == 14 and worst < 0.2


def test_markup_signals_are_where_the_truth_says(
    sample: tuple[Path, SampleTruth], texts: dict[tuple[str, str], bytes | str]
) -> None:
    outdir, truth = sample
    http_headers = {
        rec.id: rec.http for rec in _records(outdir / WARC_SHARDS[0]) if rec.type == "response"
    }
    expected = {
        "license_src:a_rel": '<a rel="license" href="https://creativecommons.org/',
        "license_src:link_rel": '<link rel="license" href="https://creativecommons.org/licenses'
        '/by/4.0/">',
        "license_src:meta": '<meta name="dcterms.license" content="https://creativecommons.org/'
        'licenses/by-nc/4.0/">',
        "license_src:jsonld": '"license": "https://creativecommons.org/licenses/by-nd/4.0/"',
        "license_src:text": "This work is licensed under a Creative Commons Attribution 4.0 "
        "International License.",
        "license:CC0-1.0": 'href="https://creativecommons.org/publicdomain/zero/1.0/"',
        "trap:license_figure_only": "<figcaption>Photo: Owen Castell, licensed <a rel=",
        "optout:meta": '<meta name="robots" content="noai, noimageai">',
        "optout:tdm_meta": '<meta name="tdm-reservation" content="1">',
        "trap:robots_index_follow": '<meta name="robots" content="index, follow">',
    }
    for tag, snippet in expected.items():
        docs = truth.tagged(tag)
        assert docs, tag
        for d in docs:
            assert snippet in _html(texts[(d.shard, d.record)]), tag
    trap = truth.tagged("trap:license_figure_only")[0]
    assert "All rights reserved." in _html(texts[(trap.shard, trap.record)])
    assert not any(t.startswith("license:") for t in trap.tags)
    for tag, header, value in (
        ("optout:header", "X-Robots-Tag", "noai"),
        ("optout:tdm_header", "tdm-reservation", "1"),
        ("trap:robots_noarchive", "X-Robots-Tag", "noarchive"),
    ):
        (doc,) = truth.tagged(tag)
        assert http_headers[doc.record].get(header) == value
    plain = [d for d in truth.documents if d.shard == WARC_SHARDS[0] and not d.tags]
    assert all(b'rel="license"' not in texts[(d.shard, d.record)] for d in plain)
    assert all("X-Robots-Tag" not in http_headers[d.record] for d in plain)


def test_pii_values_are_in_the_tagged_documents(
    sample: tuple[Path, SampleTruth], texts: dict[tuple[str, str], bytes | str]
) -> None:
    _, truth = sample
    patterns = {
        "pii:email": r"[\w.]+@(?:[\w-]+\.)*example\.(?:com|org|net)\b",
        "pii:credit_card": r"\b(?:4111 1111 1111 1111|5555 5555 5555 4444)\b",
        "pii:ip_address": r"\b198\.51\.100\.23\b.*\b2001:db8:4f2a::17\b",
        "pii:iban": r"\b(?:DE89 3704 0044 0532 0130 00|NL91 ABNA 0417 1643 00)\b",
        "pii:us_ssn": r"\b219-09-9999\b",
        "pii:phone": r"(?:\(415\) 555-0132|\+49 30 23125 567|\+33 1 99 00 12 34|"
        r"\+44 20 7946 0958|020 7946 0321|\+44 113 496 0321)",
    }
    for tag, pattern in patterns.items():
        docs = truth.tagged(tag)
        assert docs, tag
        for d in docs:
            payload = texts[(d.shard, d.record)]
            text = payload if isinstance(payload, str) else payload.decode("utf-8")
            assert re.search(pattern, text, re.S), (tag, d.record)
    untagged = [
        d
        for d in truth.documents
        if not any(t.startswith("pii:") for t in d.tags) and d.language is not None
    ]
    email = re.compile(patterns["pii:email"])
    for d in untagged:
        payload = texts[(d.shard, d.record)]
        text = (
            payload
            if isinstance(payload, str)
            else payload.decode("cp1252" if ("charset:windows-1252" in d.tags) else "utf-8")
        )
        assert not email.search(text), d.record


# --- the scaled corpus ---------------------------------------------------------------------


def _count_candidates(directory: Path) -> int:
    total = 0
    for path in directory.iterdir():
        if path.name.endswith((".warc", ".warc.gz", ".warc.wet.gz")):
            total += sum(r.type in ("response", "conversion") for r in _records(path))
        elif path.name.endswith(".arc.gz"):
            total += len(_gzip_members(path)) - 1
        elif path.name.endswith((".jsonl.gz", ".jsonl.zst")):
            total += len(_jsonl(path))
        elif path.name.endswith(".parquet"):
            total += pq.ParquetFile(path).metadata.num_rows
    return total


def test_scaled_corpus_has_the_requested_size(tmp_path: Path) -> None:
    started = time.monotonic()
    truth = write_sample(tmp_path, documents=5000)
    elapsed = time.monotonic() - started
    written = _count_candidates(tmp_path)
    assert abs(written - 5000) <= 100
    assert truth.total_candidates == written
    assert truth.documents == ()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(DEFAULT_SHARDS)
    assert 400 <= truth.tag_counts["pii:email"] + truth.tag_counts["pii:credit_card"] <= 700
    assert 100 <= truth.tag_counts["dup:exact"] <= 200
    assert 100 <= truth.tag_counts["near_dup"] <= 200
    # The target is 20k documents/s on an unloaded core; this bound only catches regressions
    # by an order of magnitude on a busy shared machine.
    assert elapsed < 10


def test_scaled_shards_split_and_workers_do_not_change_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sample_corpus, "MAX_DOCS_PER_SHARD", 250)
    one = write_sample(tmp_path / "one", documents=1000)
    assert sorted(one.shards) == sorted(
        [
            "crawl-00000.warc.gz",
            "crawl-00001.warc.gz",
            "crawl-00002.warc",
            "crawl-00003.warc.gz",
            "crawl-00004.arc.gz",
            "crawl-00000.warc.wet.gz",
            "docs-00000.jsonl.gz",
            "docs-00001.jsonl.zst",
            "docs-00002.parquet",
        ]
    )
    assert max(one.candidate_counts.values()) <= 250
    assert one.total_candidates == 1000
    two = write_sample(tmp_path / "two", documents=1000, workers=2)
    assert two == one
    assert _digests(tmp_path / "two") == _digests(tmp_path / "one")


# --- damaged shards ------------------------------------------------------------------------


def test_bad_record_builder_puts_damage_where_it_says(tmp_path: Path) -> None:
    cases = write_bad_records(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(cases)
    assert {name: (case.damage, case.good_documents) for name, case in cases.items()} == {
        "bad-gzip-member.warc.gz": ("corrupt_gzip_member", 4),
        "bad-header.warc.gz": ("malformed_warc_header", 4),
        "bad-utf8.jsonl": ("invalid_utf8", 4),
        "bad-json.jsonl.gz": ("broken_json", 4),
        "huge-record.warc.gz": ("oversized_record", 4),
        "empty.warc.gz": ("empty_file", 0),
        "truncated.warc.gz": ("truncated_gzip", 3),
    }

    for name in ("bad-gzip-member.warc.gz", "bad-header.warc.gz"):
        case, read = cases[name], []
        with pytest.raises(OSError), (tmp_path / name).open("rb") as fh:
            for rec in ArchiveIterator(fh, record_types=WarcRecordType.response):
                read.append((rec.stream_pos, rec.record_id))
        assert [rid for _, rid in read] == list(case.good[:2])
        assert all(pos < case.offset for pos, _ in read)
    damaged = (tmp_path / "bad-gzip-member.warc.gz").read_bytes()[
        cases["bad-gzip-member.warc.gz"].offset :
    ]
    with pytest.raises(zlib.error):
        zlib.decompressobj(wbits=31).decompress(damaged)
    header_member = (tmp_path / "bad-header.warc.gz").read_bytes()[
        cases["bad-header.warc.gz"].offset :
    ]
    assert zlib.decompressobj(wbits=31).decompress(header_member).startswith(b"WARC-Type: ")

    lines = (tmp_path / "bad-utf8.jsonl").read_bytes().splitlines(keepends=True)
    assert sum(map(len, lines[:2])) == cases["bad-utf8.jsonl"].offset
    with pytest.raises(UnicodeDecodeError):
        lines[2].decode("utf-8")
    assert [json.loads(line)["id"] for i, line in enumerate(lines) if i != 2] == [
        "note-1",
        "note-2",
        "note-4",
        "note-5",
    ]

    lines = gzip.decompress((tmp_path / "bad-json.jsonl.gz").read_bytes()).splitlines()
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[1])
    assert json.loads(lines[3])["text"] == 12345
    assert all(isinstance(json.loads(lines[i])["text"], str) for i in (0, 2, 4, 5))

    case = cases["huge-record.warc.gz"]
    with (tmp_path / "huge-record.warc.gz").open("rb") as fh:
        sizes = {
            rec.record_id: (rec.stream_pos, rec.content_length)
            for rec in ArchiveIterator(fh, record_types=WarcRecordType.response)
        }
    assert list(sizes) == [*case.good[:2], *case.damaged, *case.good[2:]]
    assert sizes[case.damaged[0]][0] == case.offset
    assert sizes[case.damaged[0]][1] > HUGE_RECORD_BYTES
    assert max(size for rid, (_, size) in sizes.items() if rid in case.good) < 2000

    assert (tmp_path / "empty.warc.gz").stat().st_size == 0
    with (tmp_path / "empty.warc.gz").open("rb") as fh:
        assert list(ArchiveIterator(fh)) == []

    case = cases["truncated.warc.gz"]
    with (tmp_path / "truncated.warc.gz").open("rb") as fh:
        lengths = {
            rec.record_id: (rec.stream_pos, rec.content_length, len(rec.reader.read()))
            for rec in ArchiveIterator(fh, record_types=WarcRecordType.response)
        }
    assert list(lengths) == [*case.good, *case.damaged]
    position, declared, got = lengths[case.damaged[0]]
    assert position == case.offset and got < declared
    assert all(lengths[rid][1] == lengths[rid][2] for rid in case.good)


# --- template helpers ----------------------------------------------------------------------


def test_template_blocks_join_wrapped_lines() -> None:
    # A break right after "|" or "{", or before "}", leaves no space inside the alternatives...
    assert sample_corpus._blocks("{a|\nb} c {d\n|e}\n\nsecond {\nx}\nline", " ") == (
        "{a|b} c {d|e}",
        "second {x} line",
    )
    # ...while spaces outside the braces stay, and Japanese lines join without one.
    assert sample_corpus._blocks("one {a|b} two\n", " ") == ("one {a|b} two",)
    assert sample_corpus._blocks("春に、\n{x|y}です。", "") == ("春に、{x|y}です。",)


def test_unknown_template_field_is_rejected() -> None:
    english = sample_corpus._LANGS["en"]
    assert sample_corpus._compile("{n} km to {town}", english)[1] == " km to "
    with pytest.raises(ValueError, match="unknown template field"):
        sample_corpus._compile("Hello {place}", english)


def test_slugs_are_ascii() -> None:
    assert sample_corpus._slug("Über den Fluss: Straße 12!") == "uber-den-fluss-strae-12"
    assert sample_corpus._slug("Новости города") == "article"
