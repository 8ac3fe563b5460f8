"""Read raw crawl shards into documents, record by record, with bounded memory.

Reads: WARC (gzip per record, whole-file gzip or plain; via fastwarc), ARC v1 (legacy format
that fastwarc does not parse), WET, JSONL (plain, .gz, .zst) and Parquet, from local paths or
any Beam FileSystems URI.
Writes: one `Doc` per candidate record (WARC response/resource/conversion, ARC record, JSONL
line, Parquet row) with its provenance and, for markup, the raw payload; the text of WET,
JSONL and Parquet records directly.
Skips (counted by reason, not documents): warcinfo, request, metadata, revisit and
continuation records, and the ARC file header.
Errors: a record that cannot be read (corrupt gzip member, malformed header, invalid UTF-8,
broken JSON line, a record over `input.max_record_bytes`) becomes an `error` document naming
the shard and the byte offset or line, and reading resumes at the next record.

Version history: 1 - first release.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas.config import InputSettings
from schemas.document import Doc, ShardStats, Status, document_id

STAGE = "read"
VERSION = "1"

FORMATS = ("warc", "arc", "wet", "jsonl", "parquet")
_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
# A WARC header block longer than this is treated as damage.
_HEADER_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class ShardSpec:
    """One input file: where it is, its unique base name, its format and size."""

    index: int
    uri: str
    name: str
    format: str
    size: int


def detect_format(name: str) -> str | None:
    """The input format from a file name, or None when the name does not tell."""
    lower = name.lower()
    for suffix in (".gz", ".zst", ".zstd"):
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
    if lower.endswith(".wet") or lower.endswith(".warc.wet"):
        return "wet"
    if lower.endswith(".warc"):
        return "warc"
    if lower.endswith(".arc"):
        return "arc"
    if lower.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    if lower.endswith(".parquet"):
        return "parquet"
    return None


def _open(uri: str) -> IO[bytes]:
    return FileSystems.open(uri, compression_type=CompressionTypes.UNCOMPRESSED)


def file_sha256(uri: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with _open(uri) as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# --- record sources -------------------------------------------------------------------------
# Each yields Docs (documents and error documents) and reports skipped records through `skip`.


_TEXT_FIELDS = ("text", "url", "source_id", "fetch_date", "payload_digest", "content_type")


def _surrogate_at(value: str) -> int | None:
    """Character index of the first lone surrogate in `value`, or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def _unwritable(value: Any) -> bool:
    return isinstance(value, str) and _surrogate_at(value) is not None


class _Shard:
    """Builds the documents of one shard so that every reader shares id and error rules."""

    def __init__(self, spec: ShardSpec, skip: Callable[[str], None]) -> None:
        self.spec = spec
        self.skip = skip
        self.crawl: str | None = None
        self._record_ids: set[str] = set()

    def warc_locator(self, record_id: str | None, offset: int) -> str:
        """The WARC-Record-ID, made unique within the shard.

        Some writers (wget among them) reuse a record id; ids must stay unique, so a repeated
        one is qualified by its byte offset.
        """
        if not record_id:
            return f"offset:{offset}"
        if record_id in self._record_ids:
            return f"{record_id}@offset:{offset}"
        self._record_ids.add(record_id)
        return record_id

    def doc(self, locator: str, **fields: Any) -> Doc:
        """A document, or an error naming the field when a value cannot be written as UTF-8.

        JSON escapes such as `\\ud800` decode to lone surrogates, which Parquet cannot store; one
        such value would otherwise fail the whole output shard at write time.
        """
        for name in _TEXT_FIELDS:
            value = fields.get(name)
            if isinstance(value, str) and (where := _surrogate_at(value)) is not None:
                return self.error(
                    locator, f"field '{name}' has a lone surrogate at character {where}"
                )
        return Doc(
            id=document_id(self.spec.name, locator),
            source_uri=self.spec.uri,
            source_record=locator,
            source_format=self.spec.format,
            crawl=self.crawl,
            **fields,
        )

    def error(self, locator: str, message: str, **fields: Any) -> Doc:
        fields = {k: v for k, v in fields.items() if not _unwritable(v)}
        doc = Doc(
            id=document_id(self.spec.name, locator),
            source_uri=self.spec.uri,
            source_record=locator,
            source_format=self.spec.format,
            crawl=self.crawl,
            **fields,
        )
        doc.status = Status.ERROR
        doc.stage = STAGE
        doc.reason = f"{self.spec.name} {locator}: {message}"
        return doc


def _find(uri: str, needle: bytes, start: int) -> int | None:
    """Byte offset of the next `needle` at or after `start`, scanning in bounded chunks."""
    with _open(uri) as stream:
        stream.seek(start)
        carry = b""
        base = start
        while chunk := stream.read(_CHUNK):
            window = carry + chunk
            hit = window.find(needle)
            if hit >= 0:
                return base - len(carry) + hit
            carry = window[-(len(needle) - 1) :]
            base += len(chunk)
    return None


def _starts_with(uri: str, offset: int, magic: bytes) -> bool:
    with _open(uri) as stream:
        stream.seek(offset)
        return stream.read(len(magic)) == magic


def _member_complete(uri: str, start: int) -> bool:
    """Whether the gzip member at `start` ends properly (fastwarc reads a cut one silently)."""
    decompressor = zlib.decompressobj(wbits=31)
    with _open(uri) as stream:
        stream.seek(start)
        while not decompressor.eof and (chunk := stream.read(_CHUNK)):
            try:
                # Bounded output: the member may hold a record of many megabytes.
                decompressor.decompress(chunk, _CHUNK)
                while decompressor.unconsumed_tail and not decompressor.eof:
                    decompressor.decompress(decompressor.unconsumed_tail, _CHUNK)
            except zlib.error:
                return False
    return decompressor.eof


def _header_value(text: str, key: str) -> str | None:
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == key:
            return value.strip()
    return None


def _warc_header(head: bytes) -> tuple[int, int | None] | None:
    """(header length including the blank line, Content-Length) of a record's start, or None."""
    cut = head.find(b"\r\n\r\n")
    if cut < 0:
        return None
    length = _header_value(head[:cut].decode("iso-8859-1"), "content-length")
    return cut + 4, int(length) if length and length.isdigit() else None


def _member_record_fault(uri: str, start: int) -> tuple[str | None, int]:
    """Why the gzip member at `start` does not hold exactly one whole record (or None), and
    the offset where the member ends.

    fastwarc reads the members of a file as one stream, so a record whose Content-Length is
    wrong silently takes bytes from its neighbour; only the member's own size tells.
    """
    decompressor = zlib.decompressobj(wbits=31)
    head = b""
    size = 0
    fed = 0
    with _open(uri) as stream:
        stream.seek(start)
        while not decompressor.eof and (chunk := stream.read(_CHUNK)):
            fed += len(chunk)
            try:
                # Bounded output: the member may hold a record of many megabytes.
                out = decompressor.decompress(chunk, _CHUNK)
                while decompressor.unconsumed_tail and not decompressor.eof:
                    size += len(out)
                    head += out[: _HEADER_LIMIT - len(head)]
                    out = decompressor.decompress(decompressor.unconsumed_tail, _CHUNK)
            except zlib.error:
                return "corrupt gzip member", start
            size += len(out)
            head += out[: _HEADER_LIMIT - len(head)]
    if not decompressor.eof:
        return "gzip member cut short at end of file", start
    end = start + fed - len(decompressor.unused_data)
    return _length_fault(_warc_header(head), size), end


def _length_fault(header: tuple[int, int | None] | None, size: int) -> str | None:
    """Why a record of `size` bytes (header, block, closing CRLFs) is not whole, or None."""
    if header is None:
        return "record header has no end"
    header_bytes, length = header
    if length is None:
        return "record has no valid Content-Length"
    block = size - header_bytes
    # The block is followed by two CRLFs; a writer that leaves them out loses nothing.
    if not length <= block <= length + 4:
        return f"Content-Length {length} does not match the {block} bytes of the record"
    return None


def _plain_record_fault(uri: str, start: int, size: int, at_end: bool) -> tuple[str | None, int]:
    """Why the record at `start` of an uncompressed WARC is not whole (or None), and where the
    bytes after it start.

    At the end of the file its block must be all there (fastwarc reads a cut one silently);
    before a parse failure, the next record must start where its Content-Length says.
    """
    with _open(uri) as stream:
        stream.seek(start)
        header = _warc_header(stream.read(_HEADER_LIMIT))
        if header is None or header[1] is None:
            return _length_fault(header, 0), start
        end = start + header[0] + header[1]
        if at_end:
            if end > size:
                present = size - start - header[0]
                return f"record cut short: Content-Length {header[1]}, {present} bytes present", end
            return None, end
        stream.seek(end)
        after = stream.read(64)
    gap = len(after) - len(after.lstrip(b"\r\n"))
    if after[gap:] and not after[gap:].startswith(_WARC_MAGIC):
        return f"Content-Length {header[1]} does not end where the next record starts", end
    return None, end + gap


def _only_newlines(uri: str, start: int, size: int) -> bool:
    if size - start > 64:
        return False
    with _open(uri) as stream:
        stream.seek(start)
        return not stream.read(64).strip(b"\r\n")


def read_warc(
    spec: ShardSpec, settings: InputSettings, skip: Callable[[str], None]
) -> Iterator[Doc]:
    """WARC and WET records. On unreadable data, emit one error and resume at the next record."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    shard = _Shard(spec, skip)
    with _open(spec.uri) as probe:
        gzipped = probe.read(3) == _GZIP_MAGIC
    boundary = _GZIP_MAGIC if gzipped else _WARC_MAGIC
    pos = 0
    while pos < spec.size:
        last_start: int | None = None
        failure = ""
        in_record = False
        with _open(spec.uri) as stream:
            stream.seek(pos)
            iterator = ArchiveIterator(
                stream,
                record_types=WarcRecordType.any_type,
                parse_http=True,
                auto_decode="all",
            )
            # A record's documents are held back until the next record parses: only then is
            # it known that the record was not cut short at the end of the file.
            held: list[Doc] = []
            base: int | None = None
            try:
                for record in iterator:
                    yield from held
                    held = []
                    if base is None:
                        # fastwarc reports positions from the stream's tell(), which is absolute
                        # for seekable files; a stream that counts from zero needs the offset.
                        base = 0 if record.stream_pos >= pos else pos
                    offset = base + record.stream_pos
                    last_start = offset
                    in_record = True
                    held = list(_warc_record(shard, record, offset, settings))
                    in_record = False
            except OSError as exc:
                failure = str(exc) or type(exc).__name__
        # In a per-record gzip file every record starts a gzip member and offsets are file
        # offsets; a file gzipped as a whole reports offsets into the decompressed stream.
        per_record = last_start is None or _starts_with(spec.uri, last_start, _GZIP_MAGIC)
        if not failure:
            fault: str | None = None
            end = spec.size
            if last_start is not None and gzipped and per_record:
                fault, end = _member_record_fault(spec.uri, last_start)
            elif last_start is not None and not gzipped:
                fault, end = _plain_record_fault(spec.uri, last_start, spec.size, at_end=True)
            elif gzipped and not _member_complete(spec.uri, 0):
                fault = "gzip member cut short at end of file"
            if fault:
                yield shard.error(f"offset:{last_start}", fault)
                return
            yield from held
            # fastwarc stops quietly at bytes after the last record that are no record at all.
            if not fault and end < spec.size and not _only_newlines(spec.uri, end, spec.size):
                yield shard.error(
                    f"offset:{end}", f"bytes {end}-{spec.size} after the last record are no record"
                )
            return
        if gzipped and not per_record:
            yield from held
            yield shard.error(
                f"offset:{last_start}",
                f"unreadable data after this decompressed offset ({failure}); a file gzipped "
                "as a whole cannot be resynchronised, rest of file skipped",
            )
            return
        fault = None
        after = pos  # where the bytes after the last whole record start
        if in_record:
            # The header parsed but the block did not (a broken chunked body, say).
            fault = failure
        elif last_start is not None:
            # A wrong Content-Length makes the next header unreadable although the damage is
            # in this record; the next record may well be whole.
            if gzipped:
                fault, after = _member_record_fault(spec.uri, last_start)
            else:
                fault, after = _plain_record_fault(spec.uri, last_start, spec.size, False)
        if fault is not None:
            assert last_start is not None
            bad = last_start
            message = f"unreadable record ({fault})"
        else:
            yield from held
            # The damage starts right after the last whole record: a damaged record, or bytes
            # that are no record at all (garbage between gzip members).
            bad = after
            message = f"unreadable data ({failure})"
        resume = _find(spec.uri, boundary, bad + _starts_with(spec.uri, bad, boundary))
        end = spec.size if resume is None else resume
        yield shard.error(f"offset:{bad}", f"{message}; skipped bytes {bad}-{end}")
        if resume is None:
            return
        pos = resume


_SKIPPED_WARC_TYPES = frozenset({"request", "metadata", "revisit", "continuation"})
_DOCUMENT_WARC_TYPES = frozenset({"response", "resource", "conversion"})


def _warc_record(shard: _Shard, record: Any, offset: int, settings: InputSettings) -> Iterator[Doc]:
    kind = str(record.record_type)
    headers = record.headers
    record_id = headers.get("WARC-Record-ID")
    if kind == "warcinfo":
        info = record.reader.read(64 * 1024).decode("utf-8", "replace")
        shard.crawl = _header_value(info, "ispartof") or shard.crawl
        shard.skip("warcinfo_record")
        return
    if kind in _SKIPPED_WARC_TYPES:
        shard.skip(f"{kind}_record")
        return
    if kind not in _DOCUMENT_WARC_TYPES or not record_id:
        yield shard.error(f"offset:{offset}", "malformed or truncated WARC record")
        return
    locator = shard.warc_locator(record_id, offset)
    url = (headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
    provenance: dict[str, Any] = {
        "url": url,
        "fetch_date": headers.get("WARC-Date"),
        "payload_digest": headers.get("WARC-Payload-Digest"),
    }
    if record.content_length > settings.max_record_bytes:
        yield shard.error(
            locator,
            f"record of {record.content_length} bytes exceeds input.max_record_bytes",
            **provenance,
        )
        return
    body = record.reader.read()
    if kind == "conversion":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield shard.error(locator, f"text is not valid UTF-8 at byte {exc.start}", **provenance)
            return
        yield shard.doc(locator, text=text, content_type="text/plain", **provenance)
        return
    if kind == "response":
        # fastwarc takes any block of an application/http record as HTTP; a block that does not
        # start with a status line is not an HTTP message.
        if (
            not record.is_http
            or record.http_headers is None
            or not str(record.http_headers.status_line or "").startswith("HTTP/")
        ):
            yield shard.error(locator, "response record without an HTTP message", **provenance)
            return
        http = record.http_headers
        header_pairs = tuple((k.lower(), v) for k, v in http.items())
        yield shard.doc(
            locator,
            payload=body,
            http_status=http.status_code,
            content_type=record.http_content_type,
            http_headers=header_pairs,
            **provenance,
        )
        return
    # resource record: the block is the payload itself
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower() or None
    yield shard.doc(locator, payload=body, content_type=content_type, **provenance)


def _arc_date(value: str) -> str | None:
    if len(value) >= 14 and value[:14].isdigit():
        v = value
        return f"{v[0:4]}-{v[4:6]}-{v[6:8]}T{v[8:10]}:{v[10:12]}:{v[12:14]}Z"
    return None


def _split_http(block: bytes) -> tuple[int | None, tuple[tuple[str, str], ...], bytes] | None:
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = block.partition(b"\n\n")
    lines = head.decode("iso-8859-1").splitlines()
    if not sep or not lines or not lines[0].startswith("HTTP/"):
        return None
    parts = lines[0].split()
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name.strip().lower(), value.strip()))
    return status, tuple(headers), body


class _GzipMembers:
    """A readable view of a multi-member gzip stream that knows where each member starts.

    ARC files are gzipped per record, and crawl indexes address a record by the byte offset of
    its gzip member in the file; `position()` gives that offset (and the offset inside the
    member, which is 0 for per-record files) for the next unread byte.
    """

    def __init__(self, raw: IO[bytes], new_decompressor: Callable[[], Any] | None = None) -> None:
        self.raw = raw
        # zlib's gzip mode by default; zstd frames behave the same way (eof, unused_data).
        self.new_decompressor = new_decompressor or (lambda: zlib.decompressobj(wbits=31))
        self.member_start = 0
        self.fed = 0  # compressed bytes given to the current member's decompressor
        self.inner = 0  # decompressed bytes of the current member already handed out
        self.buffer = b""
        self.pending = b""  # compressed bytes read but not yet given to a decompressor
        self.decompressor = self.new_decompressor()

    def position(self) -> tuple[int, int]:
        self._fill()  # a used-up member is left only when the next byte is wanted
        return self.member_start, self.inner

    def _fill(self) -> bool:
        """Decompress more of the current member, or start the next one; False at the end."""
        while not self.buffer:
            if self.decompressor.eof:
                leftover = self.decompressor.unused_data + self.pending
                self.member_start += self.fed - len(self.decompressor.unused_data)
                self.pending = leftover
                self.fed = 0
                self.inner = 0
                self.decompressor = self.new_decompressor()
            chunk = self.pending or self.raw.read(_CHUNK)
            self.pending = b""
            if not chunk:
                if self.fed and not self.decompressor.eof:
                    raise EOFError("compressed member cut short")
                return False
            self.fed += len(chunk)
            self.buffer = self.decompressor.decompress(chunk)
        return True

    def read(self, size: int) -> bytes:
        parts = []
        while size > 0 and self._fill():
            part = self.buffer[:size]
            self.buffer = self.buffer[size:]
            self.inner += len(part)
            size -= len(part)
            parts.append(part)
        return b"".join(parts)

    def readline(self, limit: int) -> bytes:
        parts = []
        while limit > 0 and self._fill():
            cut = self.buffer.find(b"\n", 0, limit)
            take = limit if cut < 0 else cut + 1
            part = self.buffer[:take]
            self.buffer = self.buffer[take:]
            self.inner += len(part)
            limit -= len(part)
            parts.append(part)
            if cut >= 0:
                break
        return b"".join(parts)


class _PlainStream:
    """The same interface over an uncompressed stream: offsets are plain byte offsets."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.offset = 0

    def position(self) -> tuple[int, int]:
        return self.offset, 0

    def read(self, size: int) -> bytes:
        data = self.raw.read(size)
        self.offset += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        data = self.raw.readline(limit)
        self.offset += len(data)
        return data


def _arc_locator(position: tuple[int, int]) -> str:
    member, inner = position
    return f"offset:{member}" if inner == 0 else f"offset:{member}+{inner}"


def read_arc(
    spec: ShardSpec, settings: InputSettings, skip: Callable[[str], None]
) -> Iterator[Doc]:
    """ARC v1 records (`URL IP date mime length` header lines), plain or gzipped per record.

    Locators are the byte offset of the record's gzip member (plain files: of the record),
    as crawl indexes give them. A damaged ARC file cannot be resynchronised reliably, so the
    first damage ends it with one error naming its offset.
    """
    shard = _Shard(spec, skip)
    with _open(spec.uri) as raw:
        gzipped = raw.read(3) == _GZIP_MAGIC
        raw.seek(0)
        stream: _GzipMembers | _PlainStream = _GzipMembers(raw) if gzipped else _PlainStream(raw)
        position = (0, 0)
        # A record's document is held back until the next record starts: a gzip member cut
        # short is only noticed when the bytes after the record are read.
        held: Doc | None = None
        try:
            while True:
                position = stream.position()
                line = stream.readline(4096)
                if not line:
                    if held is not None:
                        yield held
                    return
                if not line.strip():
                    continue
                if held is not None:
                    yield held
                    held = None
                locator = _arc_locator(position)
                fields = line.decode("utf-8", "replace").split()
                if len(fields) != 5 or not fields[4].isdigit():
                    yield shard.error(locator, "malformed ARC header line; rest of file skipped")
                    return
                url, _ip, date, mime, length_text = fields
                length = int(length_text)
                if length > settings.max_record_bytes:
                    yield shard.error(
                        locator, f"record of {length} bytes exceeds input.max_record_bytes"
                    )
                    while length > 0:
                        got = len(stream.read(min(length, _CHUNK)))
                        if not got:
                            break
                        length -= got
                    continue
                block = stream.read(length)
                if (
                    len(block) < length
                    or getattr(stream, "member_start", position[0]) != position[0]
                ):
                    # Fewer bytes than declared, or the declared length runs into the next
                    # gzip member: the record is damaged and nothing after it can be trusted.
                    yield shard.error(
                        locator,
                        f"record length {length} does not match its data; rest of file skipped",
                    )
                    return
                if url.startswith("filedesc://"):
                    skip("arc_header_record")
                    continue
                provenance = {"url": url, "fetch_date": _arc_date(date)}
                parsed = _split_http(block)
                if parsed is None:
                    held = shard.doc(
                        locator, payload=block, content_type=mime.lower(), **provenance
                    )
                    continue
                status, headers, body = parsed
                content_type = dict(headers).get("content-type", mime).split(";")[0].strip()
                held = shard.doc(
                    locator,
                    payload=body,
                    http_status=status,
                    http_headers=headers,
                    content_type=content_type.lower(),
                    **provenance,
                )
        except (OSError, EOFError, zlib.error) as exc:
            # The damaged member, not the record before it whose end was still being read.
            if isinstance(stream, _GzipMembers):
                position = (stream.member_start, 0)
            locator = _arc_locator(position)
            if held is not None and held.source_record != locator:
                yield held
            yield shard.error(
                locator, f"unreadable data ({type(exc).__name__}); rest of file skipped"
            )


def _decompressed(raw: IO[bytes], name: str) -> IO[bytes]:
    lower = name.lower()
    if lower.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if lower.endswith((".zst", ".zstd")):
        import zstandard

        # Frame by frame: lines before damage are kept, garbage after the last frame and a
        # frame cut short are errors (zstandard's stream reader drops or ignores both).
        return _GzipMembers(raw, lambda: zstandard.ZstdDecompressor().decompressobj())  # type: ignore[return-value]
    return raw


_MISSING = object()


def _lookup(row: dict[str, Any], path: str | None) -> Any:
    """A field by dotted path (`metadata.url`), or `_MISSING`."""
    if path is None:
        return _MISSING
    node: Any = row
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _optional_str(value: Any) -> str | None:
    if value is _MISSING or value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _record_fields(
    shard: _Shard, locator: str, row: dict[str, Any], settings: InputSettings
) -> Doc:
    text = _lookup(row, settings.text_field)
    if text is _MISSING:
        return shard.error(locator, f"record has no '{settings.text_field}' field")
    if text is None:
        text = ""
    if not isinstance(text, str):
        return shard.error(
            locator, f"field '{settings.text_field}' is {type(text).__name__}, expected a string"
        )
    crawl = _optional_str(_lookup(row, settings.crawl_field))
    doc = shard.doc(
        locator,
        text=text,
        source_id=_optional_str(_lookup(row, settings.id_field)),
        url=_optional_str(_lookup(row, settings.url_field)),
        fetch_date=_optional_str(_lookup(row, settings.date_field)),
        payload_digest=_optional_str(_lookup(row, settings.digest_field)),
    )
    if crawl is not None:
        doc.crawl = crawl
    return doc


def read_jsonl(
    spec: ShardSpec, settings: InputSettings, skip: Callable[[str], None]
) -> Iterator[Doc]:
    """JSON lines, one document per line; a bad line is an error row and reading goes on."""
    shard = _Shard(spec, skip)
    line_number = 0
    with _open(spec.uri) as raw:
        stream = _decompressed(raw, spec.name)
        try:
            while True:
                line = stream.readline(settings.max_record_bytes + 1)
                if not line:
                    return
                line_number += 1
                locator = f"line:{line_number}"
                if len(line) > settings.max_record_bytes and not line.endswith(b"\n"):
                    size = len(line)
                    while line and not line.endswith(b"\n"):
                        line = stream.readline(_CHUNK)
                        size += len(line)
                    yield shard.error(
                        locator, f"line of {size} bytes exceeds input.max_record_bytes"
                    )
                    continue
                if not line.strip():
                    skip("blank_line")
                    continue
                try:
                    decoded = line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield shard.error(locator, f"line is not valid UTF-8 at byte {exc.start}")
                    continue
                try:
                    row = json.loads(decoded)
                except json.JSONDecodeError as exc:
                    yield shard.error(locator, f"invalid JSON at column {exc.colno}")
                    continue
                if not isinstance(row, dict):
                    yield shard.error(locator, "line is not a JSON object")
                    continue
                yield _record_fields(shard, locator, row, settings)
        except (OSError, EOFError, zlib.error) as exc:
            yield shard.error(
                f"line:{line_number + 1}",
                f"unreadable compressed data ({type(exc).__name__}); rest of file skipped",
            )
        except Exception as exc:  # zstandard raises its own error type
            if type(exc).__name__ != "ZstdError":
                raise
            yield shard.error(
                f"line:{line_number + 1}", "unreadable zstd data; rest of file skipped"
            )


def read_parquet(
    spec: ShardSpec, settings: InputSettings, skip: Callable[[str], None]
) -> Iterator[Doc]:
    """Parquet rows, streamed in record batches of the needed columns only."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shard = _Shard(spec, skip)
    with _open(spec.uri) as raw:
        try:
            parquet = pq.ParquetFile(raw)
        except (pa.ArrowException, OSError) as exc:
            yield shard.error("file", f"not a readable Parquet file ({type(exc).__name__})")
            return
        names = parquet.schema_arrow.names
        if settings.text_field not in names:
            yield shard.error("file", f"Parquet file has no '{settings.text_field}' column")
            return
        text_type = parquet.schema_arrow.field(settings.text_field).type
        if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type)):
            yield shard.error(
                "file", f"column '{settings.text_field}' is {text_type}, expected a string"
            )
            return
        fields = (
            settings.text_field,
            settings.id_field,
            settings.url_field,
            settings.date_field,
            settings.digest_field,
            settings.crawl_field,
        )
        wanted = sorted({f.split(".")[0] for f in fields if f and f.split(".")[0] in names})
        row_number = 0
        try:
            for batch in parquet.iter_batches(batch_size=1024, columns=wanted):
                for row in batch.to_pylist():
                    yield _record_fields(shard, f"row:{row_number}", row, settings)
                    row_number += 1
        except (pa.ArrowException, OSError) as exc:
            yield shard.error(
                f"row:{row_number}", f"unreadable Parquet data ({type(exc).__name__}); rest skipped"
            )


READERS = {
    "warc": read_warc,
    "wet": read_warc,
    "arc": read_arc,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
}


class _Progress:
    """Throttled progress lines on stderr; never mentions document content."""

    def __init__(self, every_seconds: float, total_shards: int) -> None:
        self.every = every_seconds
        self.total_shards = total_shards
        self.started = time.monotonic()
        self.last = self.started
        self.shards = 0
        self.records = 0

    def tick(self, records: int = 1) -> None:
        self.records += records
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.report(now)

    def report(self, now: float) -> None:
        rate = self.records / max(now - self.started, 1e-9)
        print(
            f"curate: shards {self.shards}/{self.total_shards} done, {self.records:,} records "
            f"read, {rate:,.0f} records/s",
            file=sys.stderr,
            flush=True,
        )


class ReadShard(beam.DoFn):
    """Read one shard into documents; its `ShardStats` go to the `shard_stats` output."""

    STATS = "shard_stats"

    def __init__(self, settings: InputSettings, total_shards: int, progress_seconds: float | None):
        self.settings = settings
        self.total_shards = total_shards
        self.progress_seconds = progress_seconds
        self._progress: _Progress | None = None

    def setup(self) -> None:
        if self.progress_seconds is not None:
            self._progress = _Progress(self.progress_seconds, self.total_shards)

    def process(self, spec: ShardSpec) -> Iterator[Any]:
        stats = ShardStats(index=spec.index, uri=spec.uri, format=spec.format)
        skipped: Counter[str] = Counter()

        def skip(reason: str) -> None:
            skipped[reason] += 1

        last = None
        for doc in READERS[spec.format](spec, self.settings, skip):
            stats.documents += 1
            stats.errors += doc.status is Status.ERROR
            if self._progress is not None:
                self._progress.tick()
            if last is not None:
                yield last
            last = doc
        stats.skipped = dict(sorted(skipped.items()))
        stats.records = stats.documents + sum(skipped.values())
        stats.sha256, stats.bytes = file_sha256(spec.uri)
        if self._progress is not None:
            self._progress.shards += 1
        if last is not None:
            # Held back one document so that the shard's last one carries its statistics.
            last.shard_stats = stats
            yield last
        yield beam.pvalue.TaggedOutput(self.STATS, stats)
