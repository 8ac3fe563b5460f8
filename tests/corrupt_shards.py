"""Damaged input shards for reader tests.

`write_bad_records(outdir)` writes one file per kind of damage. Each file holds intact records
around exactly one kind of damage, and the returned `BadCase` says where the damage is (record
locators and the byte offset where the damaged record starts) and which candidate documents are
intact, so a test can check that a reader keeps every good record and reports the bad one.

Locators follow the reader's conventions: WARC-Record-ID for WARC, `line:<1-based>` for JSONL.
Offsets are positions in the file as stored; for a compressed JSONL file, in its decompressed
stream.
"""

from __future__ import annotations

import gzip
import json
import zlib
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
    return BadCase("corrupt_gzip_member", offsets[3], (ids[3],), (ids[1], ids[2], ids[4], ids[5]))


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
    return BadCase("malformed_warc_header", offsets[3], (ids[3],), (ids[1], ids[2], ids[4], ids[5]))


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
        "broken_json", len(lines[0]), ("line:2", "line:4"), ("line:1", "line:3", "line:5", "line:6")
    )


def _huge_record(outdir: Path) -> BadCase:
    name = "huge-record.warc.gz"
    records = _Records(name)
    entries = [records.warcinfo(), records.response(1), records.response(2)]
    entries.append(records.response(3, repeat=HUGE_RECORD_BYTES // len(_body(3).encode()) + 1))
    entries += [records.response(4), records.response(5)]
    # Level 1: the repeated paragraphs compress well and fast.
    offsets = _write_members(outdir / name, [gzip_member(d, level=1) for _, d in entries])
    ids = [i for i, _ in entries]
    return BadCase("oversized_record", offsets[3], (ids[3],), (ids[1], ids[2], ids[4], ids[5]))


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
    return BadCase("truncated_gzip", offsets[-1], (ids[-1],), (ids[1], ids[2], ids[3]))


def write_bad_records(outdir: Path) -> dict[str, BadCase]:
    """Write every damaged shard into `outdir` (created if missing); file name -> BadCase."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    builders = (
        ("bad-gzip-member.warc.gz", _corrupt_gzip_member),
        ("bad-header.warc.gz", _malformed_header),
        ("bad-utf8.jsonl", _invalid_utf8),
        ("bad-json.jsonl.gz", _broken_json),
        ("huge-record.warc.gz", _huge_record),
        ("empty.warc.gz", _empty_file),
        ("truncated.warc.gz", _truncated),
    )
    return {name: build(outdir) for name, build in builders}
