"""NewsML-G2: the fields of a newsItem, and XML that must be refused (bombs, XXE, junk)."""

import time

import pytest

from agents.errors import InvalidShape, InvalidXml, StageError, UnsafeXml
from tests.conftest import FIXTURES, SEEDS, parse

FORMATS = FIXTURES / "formats"


def test_afp_news_item_seed() -> None:
    article = parse((SEEDS / "011_newsml_afp.xml").read_bytes())
    assert article.id == "urn:newsml:afp.com:20261124T064500Z:TX-PAR-KLM42:1"
    assert article.version == 3
    assert article.headline == "Grève dans les transports lyonnais : un métro sur trois mardi"
    assert (article.source, article.agency, article.dateline) == ("AFP", "AFP", "LYON")
    assert article.byline == "Claire Martin"
    assert article.published_at == "2026-11-24T07:45:00+01:00"  # firstCreated, zone kept
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("LYON, 24 nov 2026 (AFP) - Le réseau")
    assert "Grève dans les transports lyonnais" not in article.body  # the XHTML <title>
    assert "labour dispute" not in article.body and "France-transport" not in article.body


def test_news_message_prefixes_compact_dates_and_line_breaks() -> None:
    article = parse((FORMATS / "newsml_message.xml").read_bytes())
    assert article.id == "urn:newsml:reuters.example:20261124:nL8N3ABC"
    assert article.version == 5
    assert article.headline == "Oil prices rise after OPEC+ extends output cuts"  # not role sub
    assert article.published_at == "2026-11-24T10:30:00+00:00"
    assert (article.dateline, article.agency, article.byline) == (
        "SINGAPORE",
        "Reuters",
        "Reuters Staff",
    )
    assert article.paragraphs[1:] == [
        "Brent crude futures were up 1.1% at $78.40 a barrel by 1045 GMT.",
        "U.S. West Texas Intermediate crude rose 1.2%.",
    ]


def test_plain_inline_data_in_a_declared_encoding() -> None:
    article = parse((FORMATS / "newsml_latin1.xml").read_bytes())
    assert article.headline == "Grève générale à Bruxelles : métro et trams à l'arrêt"
    assert article.paragraphs == [
        "BRUXELLES, 24 nov (Belga) - Le métro et la plupart des trams ne circuleront pas lundi "
        "à Bruxelles en raison de la grève générale.",
        "La STIB prévoit une reprise progressive du service mardi matin.",
    ]
    assert (article.source, article.version) == ("Belga", 2)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b']>\n<newsItem guid="bomb"><contentMeta><headline>&lol9;</headline></contentMeta>'
    + b"<contentSet><inlineData>&lol9;</inlineData></contentSet></newsItem>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<newsItem guid="xxe"><contentMeta><headline>&xxe;</headline></contentMeta>'
    b"<contentSet><inlineData>&xxe; and more text here</inlineData></contentSet></newsItem>"
)
EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE newsItem SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
    b'<newsItem guid="dtd"><contentMeta><headline>H</headline></contentMeta></newsItem>'
)
QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE n [<!ENTITY a "'
    + b"x" * 100_000
    + b'">]><newsItem guid="q">'
    + b"&a;" * 100_000
    + b"</newsItem>"
)


@pytest.mark.parametrize(
    "payload",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, QUADRATIC_BLOWUP],
    ids=["billion-laughs", "external-entity", "external-dtd", "quadratic-blowup"],
)
def test_xml_attacks_are_refused_fast(payload: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeXml, match="DTDs and entities"):
        parse(payload)
    assert time.perf_counter() - started < 0.5  # refused before expanding anything


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        (b'<newsItem guid="x"><contentMeta><headline>H</headline>', InvalidXml, "malformed"),
        (b'<?xml version="1.0"?><newsItem><a></b></newsItem>', InvalidXml, "mismatched"),
        (
            b"<newsMessage><itemSet><newsItem/><newsItem/></itemSet></newsMessage>",
            InvalidShape,
            "2 newsItems",
        ),
        (b'<newsItem guid="empty"/>', StageError, "no headline"),
    ],
)
def test_broken_news_items(payload: bytes, error: type[StageError], message: str) -> None:
    with pytest.raises(error, match=message):
        parse(payload)


def test_deep_xml_costs_a_loop_not_a_recursion_error() -> None:
    deep = b'<newsItem guid="d"><contentMeta><headline>Deep</headline></contentMeta>'
    deep += b"<contentSet><inlineXML>" + b"<div>" * 50_000 + b"<p>Deep text.</p>"
    deep += b"</div>" * 50_000 + b"</inlineXML></contentSet></newsItem>"
    assert parse(deep).paragraphs == ["Deep text."]
