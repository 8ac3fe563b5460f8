"""Turn raw payloads into text.

Reads: `payload`, `content_type`, `http_headers` of WARC/ARC documents (WET, JSONL and Parquet
documents arrive with text already).
Writes: `text`. Drops the raw payload once no later stage needs markup.
Drop reasons: `http_status` (not a 2xx response), `unsupported_content_type` (not a text MIME
type), `no_text` (nothing left after extraction).

Version history: 1 - resiliparse main-content extraction, trafilatura as an alternative.
"""

from __future__ import annotations

from enum import StrEnum

from schemas.config import ExtractSettings
from schemas.document import Doc
from transforms.base import AnnotateDocs

STAGE = "extract"
VERSION = "1"


class DropReason(StrEnum):
    HTTP_STATUS = "http_status"
    UNSUPPORTED_CONTENT_TYPE = "unsupported_content_type"
    NO_TEXT = "no_text"


def declared_charset(headers: tuple[tuple[str, str], ...]) -> str | None:
    for name, value in headers:
        if name == "content-type":
            for part in value.split(";")[1:]:
                key, _, charset = part.strip().partition("=")
                if key.strip().lower() == "charset" and charset:
                    return charset.strip().strip("\"'")
    return None


def decode_payload(payload: bytes, charset: str | None) -> str:
    """Decode markup with the declared charset, else the detected one; never raises on bad bytes."""
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    detected = detect_encoding(payload) or "utf-8"
    try:
        return bytes_to_str(payload, charset or detected, errors="replace")
    except LookupError:  # an unknown charset label in the page
        return bytes_to_str(payload, detected, errors="replace")


def html_to_text(html: str, settings: ExtractSettings) -> str:
    if settings.backend == "trafilatura":
        import trafilatura

        return trafilatura.extract(html, include_comments=False, favor_precision=True) or ""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    return extract_plain_text(tree, main_content=settings.main_content, alt_texts=False)


def is_text_type(content_type: str | None, settings: ExtractSettings) -> bool:
    return content_type is not None and content_type.lower() in settings.text_content_types


def extract_text(doc: Doc, settings: ExtractSettings) -> str:
    """The text of a markup document, or "" when its type is not text."""
    if doc.payload is None or not is_text_type(doc.content_type, settings):
        return doc.text
    decoded = decode_payload(doc.payload, declared_charset(doc.http_headers))
    if doc.content_type == "text/plain":
        return decoded.replace("\x00", "")
    return html_to_text(decoded, settings).replace("\x00", "")


def check(doc: Doc, settings: ExtractSettings) -> list[str]:
    reasons = []
    if doc.http_status is not None and not 200 <= doc.http_status < 300:
        reasons.append(DropReason.HTTP_STATUS.value)
    if doc.source_format in ("warc", "arc") and not is_text_type(doc.content_type, settings):
        reasons.append(DropReason.UNSUPPORTED_CONTENT_TYPE.value)
    if not doc.text.strip():
        reasons.append(DropReason.NO_TEXT.value)
    return reasons


class ExtractText(AnnotateDocs):
    stage = STAGE

    def __init__(self, settings: ExtractSettings, keep_payload: bool = False) -> None:
        self.settings = settings
        # Stages that read markup (licence and opt-out tags) need the payload after extraction.
        self.keep_payload = keep_payload

    def annotate(self, doc: Doc) -> None:
        if doc.source_format in ("warc", "arc"):
            doc.text = extract_text(doc, self.settings)
        if not self.keep_payload:
            doc.payload = None
