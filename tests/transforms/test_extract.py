from schemas.config import ExtractSettings
from schemas.document import Doc
from transforms.extract import check, declared_charset, decode_payload, extract_text

SETTINGS = ExtractSettings()
PAGE = (
    "<html><head><title>t</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><p>Curated text about rivers and mills, long enough to be the main content of "
    "this page, with a second sentence for good measure.</p></article></body></html>"
)


def page_doc(payload: bytes, content_type: str = "text/html", status: int = 200, **kw) -> Doc:
    return Doc(
        id="x",
        source_uri="u",
        source_record="r",
        source_format="warc",
        payload=payload,
        content_type=content_type,
        http_status=status,
        **kw,
    )


def test_html_main_content_is_extracted() -> None:
    text = extract_text(page_doc(PAGE.encode()), SETTINGS)
    assert "Curated text about rivers" in text
    assert "<p>" not in text


def test_declared_charset_is_used() -> None:
    headers = (("content-type", 'text/html; charset="iso-8859-1"'),)
    assert declared_charset(headers) == "iso-8859-1"
    assert declared_charset((("content-type", "text/html"),)) is None
    assert decode_payload("Café".encode("iso-8859-1"), "iso-8859-1") == "Café"


def test_unknown_charset_label_falls_back_to_detection() -> None:
    assert decode_payload(b"plain words", "no-such-charset") == "plain words"


def test_trafilatura_backend() -> None:
    settings = ExtractSettings(backend="trafilatura")
    assert "Curated text about rivers" in extract_text(page_doc(PAGE.encode()), settings)


def test_checks() -> None:
    ok = page_doc(b"", text="words")
    assert check(ok, SETTINGS) == []
    assert check(page_doc(b"", status=404, text="words"), SETTINGS) == ["http_status"]
    image = page_doc(b"\x89PNG", content_type="image/png")
    assert check(image, SETTINGS) == ["unsupported_content_type", "no_text"]
    assert extract_text(image, SETTINGS) == ""
    assert check(page_doc(b"", text="  \n"), SETTINGS) == ["no_text"]
