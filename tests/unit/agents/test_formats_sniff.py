"""Recognising payloads: format sniffing, the envelope and its `format` hint, encodings."""

import codecs

import orjson
import pytest

from agents.errors import (
    BinaryData,
    InvalidEncoding,
    InvalidShape,
    StageError,
    TooDeep,
    UnsupportedFormat,
)
from agents.formats.sniff import MAX_JSON_DEPTH, open_payload, sniff_text
from agents.parse import message_key
from tests.conftest import FIXTURES, SEEDS, parse

FORMATS = FIXTURES / "formats"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ((SEEDS / "010_ninjs_ap.json").read_bytes(), "ninjs"),
        ((SEEDS / "011_newsml_afp.xml").read_bytes(), "newsml"),
        ((SEEDS / "012_html_site.html").read_bytes(), "html"),
        ((SEEDS / "002_fr_greve.json").read_bytes(), "json"),
        ((SEEDS / "001_en_floods.txt").read_bytes(), "text"),
        (orjson.dumps({"text": (SEEDS / "000_93d7d80b8f23babd.txt").read_text()}), "text"),
        (orjson.dumps({"text": (SEEDS / "012_html_site.html").read_text()}), "html"),
        ((FORMATS / "newsml_message.xml").read_bytes(), "newsml"),
        ((FORMATS / "ninjs_1x.json").read_bytes(), "ninjs"),
        ((FORMATS / "ninjs_3x.json").read_bytes(), "ninjs"),
        (b"<3 this team\n\nWhat a season it was for the club.", "text"),
    ],
)
def test_formats_are_sniffed_from_the_bytes(payload: bytes, expected: str) -> None:
    assert open_payload(payload).format == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<!DOCTYPE html><html><body>", "html"),
        ('<?xml version="1.0"?>\n<!-- c --><html xmlns="http://www.w3.org/1999/xhtml">', "html"),
        ("<div class='story'><p>Text</p></div>", "html"),
        ('<?xml version="1.0"?><nar:newsItem xmlns:nar="x">', "newsml"),
        ("<newsMessage>", "newsml"),
        ("Plain text", "text"),
    ],
)
def test_markup_roots(head: str, expected: str) -> None:
    assert sniff_text(head) == expected


@pytest.mark.parametrize(
    "head",
    [
        '<?xml version="1.0"?><rss version="2.0"><channel>',
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">',
        '<?xml version="1.0"?><packageItem guid="p">',
    ],
)
def test_other_xml_is_refused_with_its_name(head: str) -> None:
    with pytest.raises(UnsupportedFormat, match=r"<(rss|feed|packageItem)>"):
        parse(head.encode())


def test_format_hint_overrides_sniffing() -> None:
    page = (SEEDS / "012_html_site.html").read_text()
    as_text = parse(orjson.dumps({"format": "text", "text": "Headline\n\nBody line here."}))
    assert as_text.input_format == "text"
    hinted = parse(orjson.dumps({"format": "html", "text": "\n\n" + page}))
    assert hinted.input_format == "html"
    # Markup told to be text is read as text: the tags stay, nothing is extracted.
    literal = parse(orjson.dumps({"format": "text", "text": "<b>Bold</b> claim\n\nBody text."}))
    assert literal.headline == "<b>Bold</b> claim"


def test_envelope_fields_win_over_the_document() -> None:
    newsml = (SEEDS / "011_newsml_afp.xml").read_text()
    envelope = {
        "format": "newsml",
        "text": newsml,
        "id": "ingest-42",
        "source": "AFP-FR",
        "url": "https://example.org/afp/42",
        "version": 7,
    }
    payload = orjson.dumps(envelope)
    article = parse(payload)
    assert (article.id, article.source, article.url, article.version) == (
        "ingest-42",
        "AFP-FR",
        "https://example.org/afp/42",
        7,
    )
    assert message_key(payload) == "ingest-42"


def test_ninjs_and_json_documents_inside_an_envelope() -> None:
    ninjs = (SEEDS / "010_ninjs_ap.json").read_text()
    wrapped = parse(orjson.dumps({"format": "ninjs", "text": ninjs, "source": "AP-wire"}))
    assert wrapped.input_format == "ninjs" and wrapped.source == "AP-wire"
    inner = orjson.dumps({"headline": "Inner", "body": "Inner body."}).decode()
    nested = parse(orjson.dumps({"format": "json", "text": inner, "id": "outer"}))
    assert (nested.headline, nested.id) == ("Inner", "outer")
    too_nested = inner
    for _ in range(3):
        too_nested = orjson.dumps({"format": "json", "text": too_nested}).decode()
    with pytest.raises(InvalidShape, match="envelope inside an envelope"):
        parse(too_nested.encode())


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        (b'{"format": "pdf", "text": "x"}', InvalidShape, "format"),
        (b'{"format": "html", "headline": "H", "body": "B"}', InvalidShape, "needs the document"),
        (b'{"format": "ninjs", "text": "[1, 2]"}', InvalidShape, "JSON object"),
        (b'{"format": "ninjs", "text": "{"}', StageError, "invalid JSON"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06",
            None,
            None,
        ),
    ],
)
def test_wrong_shapes_are_typed_errors(
    payload: bytes, error: type[StageError] | None, message: str | None
) -> None:
    with pytest.raises(error or StageError, match=message):
        parse(payload)


def test_binary_garbage_is_binary_data() -> None:
    with pytest.raises(BinaryData):
        parse(bytes(range(32)) * 20)


def test_deep_json_is_refused_before_anything_walks_it() -> None:
    just_too_deep = b'{"headline": "x", "body": "y", "x": ' + b"[" * MAX_JSON_DEPTH
    just_too_deep += b"]" * MAX_JSON_DEPTH + b"}"
    with pytest.raises(TooDeep):
        parse(just_too_deep)
    with pytest.raises(TooDeep):
        parse(b"[" * 100_000 + b"]" * 100_000)
    within = b'{"headline": "x", "body": "y", "x": [[[["ok"]]]]}'
    assert parse(within).headline == "x"


def test_encodings_declared_by_the_document_are_honoured() -> None:
    latin1 = (FORMATS / "newsml_latin1.xml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        latin1.decode("utf-8")  # the fixture really is ISO-8859-1
    assert parse(latin1).headline.startswith("Grève générale à Bruxelles")

    page = (SEEDS / "012_html_site.html").read_text().replace('charset="utf-8"', 'charset="cp1252"')
    page = page.replace("Felixstowe after", "Felixstowe – after")
    assert parse(page.encode("cp1252")).headline.startswith("Harbour cranes return")

    says_utf16 = (SEEDS / "012_html_site.html").read_text().replace('"utf-8"', '"utf-16"')
    assert parse(says_utf16.encode()).input_format == "html"  # bytes we read are not UTF-16

    utf16 = codecs.BOM_UTF16_LE + (SEEDS / "011_newsml_afp.xml").read_text().encode("utf-16-le")
    assert parse(utf16).input_format == "newsml"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"Caf\xe9 owners protest\n\nBody", "not UTF-8"),
        (b'<?xml version="1.0" encoding="klingon"?><newsItem/>', "unknown encoding"),
        (b'<?xml version="1.0" encoding="rot13"?><newsItem/>', "unknown encoding"),
        (b'<?xml version="1.0" encoding="utf-8"?><newsItem>\xff</newsItem>', "utf-8"),
        (b"\xff\xfe\xfa not utf-8 \x00\xd8", "not UTF-8"),  # a UTF-16 BOM on non-markup
    ],
)
def test_undecodable_bytes_are_invalid_encoding(payload: bytes, message: str) -> None:
    with pytest.raises(InvalidEncoding, match=message):
        parse(payload)
