"""IPTC ninjs 1.x, 2.x and 3.x items."""

import orjson
import pytest

from agents.errors import InvalidShape, StageError
from tests.conftest import FIXTURES, SEEDS, parse

FORMATS = FIXTURES / "formats"


def test_ninjs_2_seed() -> None:
    article = parse((SEEDS / "010_ninjs_ap.json").read_bytes())
    assert article.id == "urn:publicid:ap.example:2f1c8e0a9b7d4c6e8f10a2b3c4d5e6f7"
    assert article.version == 2  # the string "2"
    assert article.headline == "Kenya expands drought aid as rains fail for a third season"
    assert (article.source, article.agency, article.byline) == ("AP", "AP", "DANIEL OKAFOR")
    assert article.dateline == "Nairobi"  # `located` is data; the copy's NAIROBI stays in text
    assert article.published_at == "2026-11-24T14:05:00+00:00"  # firstcreated, Z as +00:00
    # The HTML body is preferred over the one-paragraph plain-text one; "___" is a rule.
    assert len(article.paragraphs) == 6
    assert article.paragraphs[0].startswith("NAIROBI, Kenya (AP) — Kenya's government")
    assert "___" not in article.paragraphs


def test_ninjs_1_fields() -> None:
    article = parse((FORMATS / "ninjs_1x.json").read_bytes())
    assert article.id == "http://example.com/ninjs/2026/11/24/rates-decision"
    assert article.canonical_url == article.id  # a web uri is the closest thing to a page URL
    assert (article.headline, article.byline) == (
        "Bank of England holds rates at 3.75%",
        "Sam Carter",
    )
    assert article.published_at == "2026-11-24T12:00:00+00:00"  # only versioncreated given
    assert len(article.paragraphs) == 2 and article.agency == "Reuters"


def test_ninjs_3_camel_case() -> None:
    article = parse((FORMATS / "ninjs_3x.json").read_bytes())
    assert article.version == 4
    assert article.headline == "Hamburger Hafen meldet Rekordumschlag"  # role main, not sub
    assert (article.source, article.byline) == ("dpa", "Anna Becker")
    assert article.published_at == "2026-11-24T06:10:00+01:00"
    assert article.paragraphs[0].startswith("Hamburg (dpa) - Der Hamburger Hafen")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"uri": "u", "headlines": "not a list"}, "headlines"),
        ({"uri": "u", "headlines": [{"value": 3}]}, "string 'value'"),
        ({"uri": "u", "headline": "H", "bodies": [1, 2]}, "bodies"),
        ({"uri": 17, "headline": "H", "body_text": "B"}, "'uri' must be a string"),
    ],
)
def test_wrong_types_are_invalid_shape(item: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidShape, match=message):
        parse(orjson.dumps(item))


@pytest.mark.parametrize(
    "item",
    [
        {"uri": "u", "headlines": [{"role": "main", "value": "Only a headline"}]},
        {"uri": "u", "bodies": [{"value": "<p>Only a body</p>", "contenttype": "text/html"}]},
        {"uri": "u", "type": "picture", "renditions": {"original": {"href": "x.jpg"}}},
    ],
)
def test_items_without_text_are_empty(item: dict[str, object]) -> None:
    with pytest.raises(StageError, match="no headline or no body"):
        parse(orjson.dumps(item))


def test_version_that_is_not_a_positive_integer_is_ignored() -> None:
    item = orjson.loads((FORMATS / "ninjs_1x.json").read_bytes())
    for version in ("1.2", "-3", "0", "", True):
        assert parse(orjson.dumps({**item, "version": version})).version == 1
