"""Damaged input shards for reader and build tests.

`write_bad_records(outdir)` writes the first seven kinds of damage (the set the end-to-end
sample build mixes in); `write_corrupt_shards(outdir)` writes every kind, one or more files per
kind (`KINDS` lists them, `docs/faults.md` describes them). Each file holds intact records around
its damage, and the returned `BadCase` says where the damage is (record locators and the byte
offset where the damaged record starts), which `error` rows a reader must emit, and which
candidate documents are intact, so a test can check that a reader keeps every good record and
reports every bad one.

Locators follow the reader's conventions: WARC-Record-ID for WARC, `line:<1-based>` for JSONL.
Offsets are positions in the file as stored; for a compressed JSONL file, in its decompressed
stream.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.sample_corpus import (
    gzip_member,
    http_response,
    record_id,
    sha1_digest,
    warc_record,
)

HUGE_RECORD_BYTES = 50 * 1024 * 1024
_SEED = 7
_DATE = "2026-11-24T08:00:00Z"
_PARAGRAPHS = (
    "The ferry to Wrayford now leaves every forty minutes, and the first crossing of the day is "
    "usually quiet enough to watch the herons on the mud flats.",
    "Volunteers from the allotment society planted a row of plum trees along the school fence "
    "and asked the pupils to choose a name for each one.",
    "The reading room above the old bank reopened on Monday with new shelves, a long table for "
    "homework and a kettle that everyone is allowed to use.",
    "A small team counted the bats under the railway bridge for the third summer in a row and "
    "found more of them than in any earlier year.",
    "The bakery on Harbour Road keeps a jar of sourdough starter for anyone who brings a clean "
    "container and promises to feed it.",
    "Walkers on the ridge path are asked to keep dogs on a lead near the sheep and to close every "
    "gate behind them.",
)


@dataclass(frozen=True, slots=True)
class BadCase:
    """Where one file is damaged and what in it is still good."""

    damage: str
    # Byte offset where the (first) damaged record starts; 0 for an empty file.
    offset: int
    # Locators of the damaged records (empty when the whole file is the problem).
    damaged: tuple[str, ...]
    # Locators of the intact candidate documents, in file order.
    good: tuple[str, ...]
    # Locators of the `error` rows a reader must emit, in file order.
    errors: tuple[str, ...] = ()

    @property
    def good_documents(self) -> int:
        return len(self.good)


def _body(n: int) -> str:
    return "".join(f"<p>{_PARAGRAPHS[(n + i) % len(_PARAGRAPHS)]}</p>\n" for i in range(3))


def _page(n: int, repeat: int = 1) -> bytes:
    body = _body(n)
    html = (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Notes {n}'
        f"</title>\n</head>\n<body>\n<main>\n<h1>Notes from the valley, part {n}</h1>\n"
        f"{body * repeat}</main>\n</body>\n</html>\n"
    )
    return html.encode("utf-8")


class _Records:
    """Serialises the WARC records of one test file with stable ids."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._serial = 0

    def warcinfo(self) -> tuple[str, bytes]:
        block = b"software: curate-test-fixtures\r\nformat: WARC File Format 1.1\r\n"
        return self._record(
            "warcinfo", block, "application/warc-fields", (("WARC-Filename", self.name),)
        )

    def response(self, n: int, repeat: int = 1) -> tuple[str, bytes]:
        url = f"https://valley-notes.example.org/notes/{n}"
        block, payload = http_response(_page(n, repeat))
        return self._record(
            "response",
            block,
            "application/http; msgtype=response",
            (
                ("WARC-Target-URI", url),
                ("WARC-IP-Address", "192.0.2.10"),
                ("WARC-Payload-Digest", sha1_digest(payload)),
                ("WARC-Block-Digest", sha1_digest(block)),
            ),
        )

    def _record(
        self, record_type: str, block: bytes, content_type: str, fields: tuple[tuple[str, str], ...]
    ) -> tuple[str, bytes]:
        rec_id = record_id(_SEED, self.name, self._serial)
        self._serial += 1
        return rec_id, warc_record(record_type, rec_id, _DATE, block, content_type, fields)


def _write_members(path: Path, members: list[bytes]) -> list[int]:
    """Write gzip members back to back; return each member's offset."""
    offsets = []
    position = 0
    with path.open("wb") as fh:
        for member in members:
            offsets.append(position)
            fh.write(member)
            position += len(member)
    return offsets


def _corrupt_gzip_member(outdir: Path) -> BadCase:
    name = "bad-gzip-member.warc.gz"
    records = _Records(name)
    entries = [records.warcinfo()] + [records.response(n) for n in range(1, 6)]
    members = [gzip_member(data) for _, data in entries]
    damaged = bytearray(members[3])
    # Invert 16 bytes in the middle of the deflate data (past the 10-byte header, before the
    # 8-byte trailer): the Huffman codes no longer decode, or the CRC check fails.
    middle = 10 + (len(damaged) - 18) // 2
    for i in range(middle, middle + 16):
        damaged[i] ^= 0xFF
    members[3] = bytes(damaged)
    try:
        zlib.decompress(members[3], wbits=31)
    except zlib.error:
        pass
    else:  # pragma: no cover - the fixture itself would be wrong
        raise AssertionError("the damaged member still decompresses")
    offsets = _write_members(outdir / name, members)
    ids = [rec_id for rec_id, _ in entries]
    return BadCase(
        "corrupt_gzip_member",
        offsets[3],
        (ids[3],),
        (ids[1], ids[2], ids[4], ids[5]),
        (f"offset:{offsets[3]}",),
    )


def _malformed_header(outdir: Path) -> BadCase:
    name = "bad-header.warc.gz"
    records = _Records(name)
    entries = [records.warcinfo()] + [records.response(n) for n in range(1, 6)]
    rec_id, data = entries[3]
    # No "WARC/1.1" version line, and a header line without a colon.
    data = data.replace(b"WARC/1.1\r\n", b"", 1).replace(
        b"WARC-Date:", b"this line is not a header field\r\nWARC-Date:", 1
    )
    entries[3] = (rec_id, data)
    offsets = _write_members(outdir / name, [gzip_member(d) for _, d in entries])
    ids = [i for i, _ in entries]
    return BadCase(
        "malformed_warc_header",
        offsets[3],
        (ids[3],),
        (ids[1], ids[2], ids[4], ids[5]),
        (f"offset:{offsets[3]}",),
    )


def _json_line(n: int) -> bytes:
    record = {
        "id": f"note-{n}",
        "url": f"https://valley-notes.example.org/notes/{n}",
        "text": " ".join(_PARAGRAPHS[(n + i) % len(_PARAGRAPHS)] for i in range(3)),
        "source": "fixture",
    }
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _invalid_utf8(outdir: Path) -> BadCase:
    name = "bad-utf8.jsonl"
    lines = [_json_line(n) for n in range(1, 6)]
    # Bytes that are never valid UTF-8, inside the text string of line 3.
    lines[2] = lines[2].replace(b"The ", b"The \xff\xfe\xc0\xaf ", 1)
    (outdir / name).write_bytes(b"".join(lines))
    return BadCase(
        "invalid_utf8",
        sum(map(len, lines[:2])),
        ("line:3",),
        ("line:1", "line:2", "line:4", "line:5"),
        ("line:3",),
    )


def _broken_json(outdir: Path) -> BadCase:
    name = "bad-json.jsonl.gz"
    lines = [_json_line(n) for n in range(1, 7)]
    # Line 2 stops inside a string; line 4 is valid JSON whose text is a number.
    lines[1] = b'{"id": "note-2", "url": "https://valley-notes.example.org/n/2", "text": "unte\n'
    lines[3] = b'{"id": "note-4", "url": "https://valley-notes.example.org/n/4", "text": 12345}\n'
    with (
        (outdir / name).open("wb") as fh,
        gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz,
    ):
        gz.write(b"".join(lines))
    return BadCase(
        "broken_json",
        len(lines[0]),
        ("line:2", "line:4"),
        ("line:1", "line:3", "line:5", "line:6"),
        ("line:2", "line:4"),
    )


def _huge_record(
    outdir: Path, size: int = HUGE_RECORD_BYTES, name: str = "huge-record.warc.gz"
) -> BadCase:
    records = _Records(name)
    entries = [records.warcinfo(), records.response(1), records.response(2)]
    entries.append(records.response(3, repeat=size // len(_body(3).encode()) + 1))
    entries += [records.response(4), records.response(5)]
    # Level 1: the repeated paragraphs compress well and fast.
    offsets = _write_members(outdir / name, [gzip_member(d, level=1) for _, d in entries])
    ids = [i for i, _ in entries]
    return BadCase(
        "oversized_record", offsets[3], (ids[3],), (ids[1], ids[2], ids[4], ids[5]), (ids[3],)
    )


def _empty_file(outdir: Path) -> BadCase:
    (outdir / "empty.warc.gz").write_bytes(b"")
    return BadCase("empty_file", 0, (), ())


def _truncated(outdir: Path) -> BadCase:
    name = "truncated.warc.gz"
    records = _Records(name)
    entries = [records.warcinfo()] + [records.response(n) for n in range(1, 5)]
    members = [gzip_member(d) for _, d in entries]
    members[-1] = members[-1][: len(members[-1]) // 2]
    offsets = _write_members(outdir / name, members)
    ids = [i for i, _ in entries]
    return BadCase(
        "truncated_gzip",
        offsets[-1],
        (ids[-1],),
        (ids[1], ids[2], ids[3]),
        (f"offset:{offsets[-1]}",),
    )


# --- the remaining kinds of damage ---------------------------------------------------------
# Each builder returns one BadCase per file it writes.


def _entries(name: str, count: int = 5) -> list[tuple[str, bytes]]:
    records = _Records(name)
    return [records.warcinfo()] + [records.response(n) for n in range(1, count + 1)]


def _gz_case(
    outdir: Path, name: str, damage: str, entries: list[tuple[str, bytes]], bad: set[int]
) -> BadCase:
    """Per-record gzip WARC whose records at indexes `bad` are damaged (reported by offset)."""
    offsets = _write_members(outdir / name, [gzip_member(d) for _, d in entries])
    return _warc_case(damage, entries, offsets, bad)


def _plain_case(
    outdir: Path, name: str, damage: str, entries: list[tuple[str, bytes]], bad: set[int]
) -> BadCase:
    offsets, position = [], 0
    for _, data in entries:
        offsets.append(position)
        position += len(data)
    (outdir / name).write_bytes(b"".join(d for _, d in entries))
    return _warc_case(damage, entries, offsets, bad)


def _warc_case(
    damage: str, entries: list[tuple[str, bytes]], offsets: list[int], bad: set[int]
) -> BadCase:
    ids = [i for i, _ in entries]
    # Index 0 is the warcinfo record, which is skipped rather than a document.
    return BadCase(
        damage,
        offsets[min(bad)] if bad else 0,
        tuple(ids[i] for i in sorted(bad)),
        tuple(ids[i] for i in range(1, len(ids)) if i not in bad),
        tuple(f"offset:{offsets[i]}" for i in sorted(bad)),
    )


def _with_length(data: bytes, delta: int) -> bytes:
    declared = int(re.search(rb"Content-Length: (\d+)\r\n", data).group(1))  # type: ignore[union-attr]
    return data.replace(
        b"Content-Length: %d\r\n" % declared, b"Content-Length: %d\r\n" % (declared + delta), 1
    )


def _without_field(data: bytes, field: bytes) -> bytes:
    return re.sub(rb"\r\n" + field + rb": [^\r]*", b"", data, count=1)


def _custom_response(
    serial: int, block: bytes, url: str = "https://odd.example.org/"
) -> tuple[str, bytes]:
    rec_id = record_id(_SEED, "custom", serial)
    fields = (("WARC-Target-URI", url),)
    return rec_id, warc_record(
        "response", rec_id, _DATE, block, "application/http; msgtype=response", fields
    )


def _gzip_damage(outdir: Path) -> dict[str, BadCase]:
    cases: dict[str, BadCase] = {}
    name = "gzip-garbage-between-members.warc.gz"
    entries = _entries(name)
    members = [gzip_member(d) for _, d in entries]
    offsets = _write_members(outdir / name, [*members[:3], b"\x00not gzip\xff" * 20, *members[3:]])
    garbage = offsets[3]
    ids = [i for i, _ in entries]
    cases[name] = BadCase(
        "gzip_garbage_between_members", garbage, (), tuple(ids[1:]), (f"offset:{garbage}",)
    )

    name = "gzip-trailing-garbage.warc.gz"
    entries = _entries(name, 3)
    members = [gzip_member(d) for _, d in entries]
    offsets = _write_members(outdir / name, [*members, b"trailing bytes, not gzip" * 4])
    ids = [i for i, _ in entries]
    cases[name] = BadCase(
        "gzip_garbage_between_members", offsets[-1], (), tuple(ids[1:]), (f"offset:{offsets[-1]}",)
    )

    name = "gzip-member-cut-mid-file.warc.gz"
    entries = _entries(name)
    members = [gzip_member(d) for _, d in entries]
    members[3] = members[3][: len(members[3]) // 2]
    offsets = _write_members(outdir / name, members)
    cases[name] = _warc_case("truncated_gzip_member", entries, offsets, {3})

    # A whole-file gzip stream cannot be resynchronised: everything after the damage is lost,
    # and the error says so.
    name = "whole-file-gzip-damaged.warc.gz"
    entries = _entries(name)
    data = bytearray(gzip_member(b"".join(d for _, d in entries)))
    middle = len(data) * 2 // 3
    for i in range(middle, middle + 16):
        data[i] ^= 0xFF
    (outdir / name).write_bytes(bytes(data))
    cases[name] = BadCase("whole_file_gzip_damage", middle, (), (), ("*",))
    return cases


def _record_damage(outdir: Path) -> dict[str, BadCase]:
    cases: dict[str, BadCase] = {}
    # Record 3's block loses its last 300 bytes, inside a whole gzip member.
    name = "warc-record-cut-short.warc.gz"
    entries = _entries(name)
    entries[3] = (entries[3][0], entries[3][1][:-300])
    cases[name] = _gz_case(outdir, name, "truncated_warc_record", entries, {3})

    # An uncompressed WARC whose last record is cut short (fastwarc reads it silently).
    name = "warc-last-record-cut-short.warc"
    entries = _entries(name, 4)
    entries[-1] = (entries[-1][0], entries[-1][1][:-300])
    cases[name] = _plain_case(outdir, name, "truncated_warc_record", entries, {4})

    for delta, label in ((-100, "short"), (100, "long")):
        name = f"content-length-{label}.warc.gz"
        entries = _entries(name)
        entries[3] = (entries[3][0], _with_length(entries[3][1], delta))
        cases[name] = _gz_case(outdir, name, f"content_length_{label}", entries, {3})
        name = f"content-length-{label}.warc"
        entries = _entries(name)
        entries[3] = (entries[3][0], _with_length(entries[3][1], delta))
        cases[name] = _plain_case(outdir, name, f"content_length_{label}", entries, {3})

    # Records 2, 4 and 6 each lack one mandatory header field; WARC-Date missing is tolerated.
    name = "missing-warc-headers.warc.gz"
    entries = _entries(name, 7)
    for index, field in ((2, b"WARC-Record-ID"), (4, b"WARC-Type"), (6, b"Content-Length")):
        entries[index] = (entries[index][0], _without_field(entries[index][1], field))
    entries[7] = (entries[7][0], _without_field(entries[7][1], b"WARC-Date"))
    cases[name] = _gz_case(outdir, name, "missing_warc_headers", entries, {2, 4, 6})

    name = "non-http-response.warc.gz"
    entries = _entries(name, 2)
    entries.insert(2, _custom_response(1, b"220 mail.example.org ESMTP ready\r\n\r\nhello"))
    case = _gz_case(outdir, name, "non_http_response", entries, {2})
    # The header parses, so the error names the record id rather than the offset.
    cases[name] = BadCase(case.damage, case.offset, case.damaged, case.good, case.damaged)

    name = "chunked-encoding-errors.warc.gz"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    entries = _entries(name, 3)
    entries.insert(2, _custom_response(2, head + b"zz\r\n<p>hello</p>\r\n0\r\n\r\n"))
    entries.insert(4, _custom_response(3, head + b"ffff\r\n<p>hello</p>\r\n"))
    cases[name] = _gz_case(outdir, name, "chunked_encoding_error", entries, {2, 4})

    # NUL bytes in a header name, in the HTML and between gzip members.
    name = "nul-bytes.warc.gz"
    entries = _entries(name, 4)
    entries[2] = (entries[2][0], entries[2][1].replace(b"WARC-Date:", b"WARC-\x00Date:", 1))
    entries[3] = (entries[3][0], entries[3][1].replace(b"<h1>No", b"<h1>\x00\x00", 1))
    members = [gzip_member(d) for _, d in entries]
    offsets = _write_members(outdir / name, [*members[:4], b"\x00" * 64, *members[4:]])
    ids = [i for i, _ in entries]
    cases[name] = BadCase("nul_bytes", offsets[4], (), tuple(ids[1:]), (f"offset:{offsets[4]}",))
    return cases


# HTML whose bytes are not what its headers say; the text is recovered, nothing is an error.
CHARSET_WORDS = "Café crème, naïve façade"


def _charset_damage(outdir: Path) -> dict[str, BadCase]:
    name = "wrong-charset.warc.gz"
    page = f"<html><body><main><h1>{CHARSET_WORDS}</h1><p>{_PARAGRAPHS[0]}</p></main></body></html>"
    variants = (
        ("text/html", page.encode("cp1252")),  # no charset anywhere
        ("text/html; charset=iso-8859-1", page.encode("utf-8")),  # wrong charset
        ("text/html; charset=x-no-such-charset", page.encode("utf-8")),  # unknown label
        ("text/html; charset=utf-8", page.encode("utf-8").replace("crème".encode(), b"cr\xe8me")),
    )
    entries = _entries(name, 1)
    for serial, (content_type, body) in enumerate(variants, start=10):
        block, _ = http_response(body, content_type=content_type)
        entries.append(_custom_response(serial, block))
    return {name: _gz_case(outdir, name, "wrong_charset", entries, set())}


def _text_damage(outdir: Path) -> dict[str, BadCase]:
    cases: dict[str, BadCase] = {}
    name = "lone-surrogates-and-nul.jsonl"
    lines = [_json_line(n) for n in range(1, 6)]
    lines[1] = lines[1].replace(b'"text": "', b'"text": "\\ud800 ', 1)
    lines[3] = lines[3].replace(b'"url": "', b'"url": "\\udfff', 1)
    lines[4] = lines[4].replace(b'"text": "', b'"text": "nul\\u0000bytes \x00', 1)
    # A raw NUL byte is a JSON control character: line 5 is an error, the escaped one is not.
    lines.append(_json_line(6).replace(b'"text": "', b'"text": "escaped \\u0000 nul ', 1))
    (outdir / name).write_bytes(b"".join(lines))
    cases[name] = BadCase(
        "lone_surrogate",
        len(lines[0]),
        ("line:2", "line:4", "line:5"),
        ("line:1", "line:3", "line:6"),
        ("line:2", "line:4", "line:5"),
    )

    # A WET conversion record whose text is not UTF-8.
    name = "invalid-utf8.warc.wet.gz"
    records = _Records(name)
    entries = [records.warcinfo()]
    for n in range(1, 4):
        rec_id = record_id(_SEED, name, 100 + n)
        text = " ".join(_PARAGRAPHS[n : n + 2]).encode("utf-8")
        if n == 2:
            text = text.replace(b"The ", b"The \xff\xfe ", 1)
        fields = (("WARC-Target-URI", f"https://valley-notes.example.org/notes/{n}"),)
        entries.append(
            (rec_id, warc_record("conversion", rec_id, _DATE, text, "text/plain", fields))
        )
    case = _gz_case(outdir, name, "invalid_utf8", entries, {2})
    cases[name] = BadCase(case.damage, case.offset, case.damaged, case.good, case.damaged)
    return cases


def _json_damage(outdir: Path) -> dict[str, BadCase]:
    name = "wrong-field-types.jsonl"
    good = _json_line(1)
    lines = [
        good,
        b'{"id": "a", "text": ["a", "list"]}\n',
        b'{"id": "b", "text": {"nested": "object"}}\n',
        b'{"id": "c", "text": true}\n',
        b'["not", "an", "object"]\n',
        b'"just a string"\n',
        b"\n",
        # Odd but usable: an id that is a number, a url that is an object, a null text.
        b'{"id": 7, "url": {"href": "x"}, "text": "A number for an id is kept as a string."}\n',
        b'{"id": "d", "text": null}\n',
        b'{"id": "e", "text": "the last line stops inside a str',
    ]
    (outdir / name).write_bytes(b"".join(lines))
    return {
        name: BadCase(
            "wrong_field_types",
            len(good),
            ("line:2", "line:3", "line:4", "line:5", "line:6", "line:10"),
            ("line:1", "line:8", "line:9"),
            ("line:2", "line:3", "line:4", "line:5", "line:6", "line:10"),
        )
    }


def _parquet_damage(outdir: Path) -> dict[str, BadCase]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cases: dict[str, BadCase] = {}
    tables = {
        "parquet-text-is-int.parquet": pa.table({"text": [1, 2], "id": ["a", "b"]}),
        "parquet-no-text-column.parquet": pa.table({"body": ["some text"]}),
        "parquet-text-is-binary.parquet": pa.table({"text": [b"bytes, not a string"]}),
    }
    for name, table in tables.items():
        pq.write_table(table, outdir / name)
        cases[name] = BadCase("parquet_wrong_schema", 0, (), (), ("file",))
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": [_PARAGRAPHS[0]] * 3}), sink)
    whole = sink.getvalue().to_pybytes()
    name = "parquet-cut-short.parquet"
    (outdir / name).write_bytes(whole[: len(whole) // 2])
    cases[name] = BadCase("parquet_wrong_schema", 0, (), (), ("file",))
    # Odd but usable columns: a struct id, an integer url, a null text.
    name = "parquet-odd-columns.parquet"
    pq.write_table(
        pa.table({"text": [_PARAGRAPHS[1], None], "id": [{"x": 1}, {"x": 2}], "url": [1, 2]}),
        outdir / name,
    )
    cases[name] = BadCase("parquet_wrong_schema", 0, (), ("row:0", "row:1"), ())
    return cases


def _zstd_damage(outdir: Path) -> dict[str, BadCase]:
    import zstandard

    frame = zstandard.ZstdCompressor(level=3).compress(b"".join(_json_line(n) for n in (1, 2)))
    files = {
        "zstd-garbage.jsonl.zst": (b"\x28\xb5\x2f\xfd this is not a zstd frame" * 8, ()),
        "zstd-trailing-garbage.jsonl.zst": (
            frame + b"garbage after the frame" * 4,
            ("line:1", "line:2"),
        ),
        "zstd-frame-cut-short.jsonl.zst": (frame + frame[: len(frame) // 2], ("line:1", "line:2")),
    }
    cases: dict[str, BadCase] = {}
    for name, (data, good) in files.items():
        (outdir / name).write_bytes(data)
        cases[name] = BadCase("zstd_garbage", 0, (), good, (f"line:{len(good) + 1}",))
    return cases


def _zero_byte(outdir: Path) -> dict[str, BadCase]:
    cases: dict[str, BadCase] = {}
    for name in (
        "zero.warc",
        "zero.warc.wet.gz",
        "zero.arc.gz",
        "zero.jsonl",
        "zero.jsonl.gz",
        "zero.jsonl.zst",
    ):
        (outdir / name).write_bytes(b"")
        cases[name] = BadCase("empty_file", 0, (), ())
    name = "zero.parquet"
    (outdir / name).write_bytes(b"")
    cases[name] = BadCase("empty_file", 0, (), (), ("file",))
    return cases


def _arc_damage(outdir: Path) -> dict[str, BadCase]:
    """An ARC file cannot be resynchronised: the first damage ends it with one error."""
    name = "arc-damaged.arc.gz"
    members, locators = [], []
    version = b"1 0 curate-test\nURL IP-address Archive-date Content-type Archive-length\n"
    header = b"filedesc://arc-damaged.arc 0.0.0.0 20261124080000 text/plain %d\n" % len(version)
    members.append(gzip_member(header + version + b"\n"))
    for n in range(1, 5):
        block, _ = http_response(_page(n))
        url = f"https://valley-notes.example.org/notes/{n}"
        line = f"{url} 192.0.2.10 20261124080000 text/html {len(block)}\n".encode()
        members.append(gzip_member(line + block + b"\n"))
    damaged = bytearray(members[3])
    middle = 10 + (len(damaged) - 18) // 2
    for i in range(middle, middle + 16):
        damaged[i] ^= 0xFF
    intact = members[3]
    members[3] = bytes(damaged)
    offsets = _write_members(outdir / name, members)
    locators = [f"offset:{o}" for o in offsets]
    cases = {
        name: BadCase(
            "arc_damage", offsets[3], (locators[3],), tuple(locators[1:3]), (locators[3],)
        )
    }
    # The last member loses its gzip trailer: its record is complete but not trustworthy.
    name = "arc-cut-short.arc.gz"
    members[3] = intact
    members[-1] = members[-1][:-4]
    _write_members(outdir / name, members)
    cases[name] = BadCase(
        "arc_damage", offsets[-1], (locators[-1],), tuple(locators[1:-1]), (locators[-1],)
    )
    return cases


# Kind of damage -> its builder; every kind the faults page lists, in its order.
KINDS = {
    "gzip": (_truncated, _corrupt_gzip_member, _gzip_damage),
    "warc": (_malformed_header, _record_damage),
    "charset": (_charset_damage,),
    "text": (_invalid_utf8, _text_damage),
    "json": (_broken_json, _json_damage),
    "parquet": (_parquet_damage,),
    "zstd": (_zstd_damage,),
    "empty": (_empty_file, _zero_byte),
    "arc": (_arc_damage,),
}


def write_corrupt_shards(outdir: Path) -> dict[str, BadCase]:
    """Write every damaged shard but the oversized ones (see `write_huge_shards`); name -> case."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cases: dict[str, BadCase] = {}
    for builders in KINDS.values():
        for build in builders:
            built = build(outdir)
            if isinstance(built, BadCase):
                built = {_FIRST_SEVEN[build]: built}
            cases.update(built)
    return cases


def write_huge_shards(outdir: Path, size: int = 100 * 1024 * 1024) -> dict[str, BadCase]:
    """A WARC record and a JSONL line of `size` bytes, each between intact records."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cases = {"huge-100mb.warc.gz": _huge_record(outdir, size, "huge-100mb.warc.gz")}
    name = "huge-100mb.jsonl"
    with (outdir / name).open("wb") as fh:
        fh.write(_json_line(1))
        fh.write(b'{"id": "huge", "text": "')
        chunk = (_PARAGRAPHS[2] + " ").encode() * 1000
        for _ in range(size // len(chunk) + 1):
            fh.write(chunk)
        fh.write(b'"}\n')
        fh.write(_json_line(3))
    cases[name] = BadCase(
        "oversized_record", len(_json_line(1)), ("line:2",), ("line:1", "line:3"), ("line:2",)
    )
    return cases


def write_bad_records(outdir: Path) -> dict[str, BadCase]:
    """Write the first seven damaged shards into `outdir` (created if missing); name -> case."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    builders = tuple((name, build) for build, name in _FIRST_SEVEN.items())
    return {name: build(outdir) for name, build in builders}


_FIRST_SEVEN: dict[Callable[..., BadCase], str] = {
    _corrupt_gzip_member: "bad-gzip-member.warc.gz",
    _malformed_header: "bad-header.warc.gz",
    _invalid_utf8: "bad-utf8.jsonl",
    _broken_json: "bad-json.jsonl.gz",
    _huge_record: "huge-record.warc.gz",
    _empty_file: "empty.warc.gz",
    _truncated: "truncated.warc.gz",
}
