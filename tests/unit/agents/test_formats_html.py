"""HTML pages: the story without the site around it, metadata, and the comment thread."""

import socket
from collections.abc import Iterator

import orjson
import pytest
import trafilatura
from trafilatura.settings import Document

from agents.errors import NoArticleContent
from agents.formats.html import parse_page
from agents.formats.html_comments import comment_thread
from tests.conftest import FIXTURES, SEEDS, parse

FORMATS = FIXTURES / "formats"
SITE = (SEEDS / "012_html_site.html").read_text()
ARABIC_SITE = (FORMATS / "html_ar_site.html").read_text()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the HTML reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield


def test_site_page_story_metadata_and_nothing_of_the_site(no_network: None) -> None:
    envelope = {"format": "html", "text": SITE, "url": "https://feeds.example/r/123?utm=x"}
    article = parse(orjson.dumps(envelope))
    assert article.headline == "Harbour cranes return to Felixstowe after week-long strike"
    assert article.source == "The Coastal Courier"
    assert article.byline == "Helen Marsh"
    assert article.published_at == "2026-11-24T09:15:00+00:00"
    assert article.canonical_url == (
        "https://www.coastalcourier.example/business/2026/11/24/felixstowe-strike-ends"
    )
    assert article.url == "https://feeds.example/r/123?utm=x"
    assert article.dateline == "FELIXSTOWE"
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("FELIXSTOWE — Container ships began docking")
    for junk in (
        "Subscribe", "Advertisement", "Share on", "cookies", "Related stories", "Most read",
        "newsletter", "All rights reserved", "Tags:", "Leave a Reply", "Greedy idiots",
    ):  # fmt: skip
        assert junk not in article.body, junk


def test_site_comment_thread_is_split_threaded_and_attributed() -> None:
    article = parse(SITE.encode())
    assert [(c.id, c.author, c.parent) for c in article.comments] == [
        ("comment-5811", "DockerDave", None),
        ("comment-5814", "Sue from Ipswich", "comment-5811"),
        ("comment-5820", "R. Patel", None),
        ("comment-5827", "anon123", None),
    ]
    assert [c.published_at for c in article.comments] == [
        "2026-11-24T10:02:00+00:00",
        "2026-11-24T10:20:00+00:00",
        "2026-11-24T10:41:00+00:00",
        "2026-11-24T11:15:00+00:00",
    ]
    patel = article.comments[2]
    assert patel.text.splitlines() == [
        "My business has had three containers stuck out there since the 16th. Ten more days is "
        "a long time for a small importer.",
        "Will the port be compensating anyone?",
    ]
    for comment in article.comments:
        assert "Reply" not in comment.text and "says" not in comment.text


def test_trafilatura_alone_loses_comment_boundaries() -> None:
    """Why `html_comments` exists: measured on the two sample pages."""
    english = trafilatura.bare_extraction(SITE, include_comments=True, with_metadata=True)
    arabic = trafilatura.bare_extraction(ARABIC_SITE, include_comments=True, with_metadata=True)
    assert isinstance(english, Document) and isinstance(arabic, Document)
    assert len((english.comments or "").splitlines()) == 5  # 4 comments, one of 2 paragraphs
    assert "مشروع ممتاز" not in (arabic.comments or "")  # only the «التعليقات (3)» heading
    assert len(comment_thread(parse_page(SITE))) == 4
    assert len(comment_thread(parse_page(ARABIC_SITE))) == 3


def test_arabic_page_microdata_comments_with_relative_times() -> None:
    article = parse(ARABIC_SITE.encode())
    assert article.headline == "افتتاح أكبر محطة لتحلية المياه في الأردن"
    assert article.source == "شبكة الخليج الإخبارية"
    assert article.published_at == "2026-11-23T16:30:00+03:00"
    assert article.dateline == "العقبة"
    assert "إعلان" not in article.body and "اقرأ أيضاً" not in article.body
    first, reply, third = article.comments
    assert (first.id, first.author, first.published_label) == ("c-9001", "أبو خالد", "منذ ساعتين")
    assert first.published_at is None  # relative: never turned into an invented timestamp
    assert (reply.parent, reply.author) == ("c-9001", "سارة")
    assert (third.published_at, third.published_label) == ("2026-11-23T19:05:00+03:00", None)


def test_relative_canonical_link_resolves_against_the_envelope_url() -> None:
    envelope = {"text": ARABIC_SITE, "url": "https://gulf.example/ar/amp/aqaba?ref=rss"}
    article = parse(orjson.dumps(envelope))
    assert article.canonical_url == "https://gulf.example/ar/economy/2026/11/23/aqaba-desalination"


def test_one_story_reached_through_two_links_keeps_one_id() -> None:
    first = parse(orjson.dumps({"text": SITE, "url": "https://x.example/a?utm_source=rss"}))
    second = parse(orjson.dumps({"text": SITE, "url": "https://x.example/a?utm_source=mail"}))
    assert first.id == second.id


def test_published_time_needs_a_zone() -> None:
    naive = SITE.replace("+00:00", "")
    assert parse(naive.encode()).published_at is None  # a day or a naive time is not enough


def test_comment_fallback_uses_trafilatura_text() -> None:
    page = SITE.replace('class="comment depth-1"', 'class="post-reaction"')
    page = page.replace('class="comment depth-2"', 'class="post-reaction"')
    page = page.replace('id="comment-', 'id="reaction-')
    article = parse(page.encode())
    assert 4 <= len(article.comments) <= 5 and all(c.author is None for c in article.comments)


@pytest.mark.parametrize(
    "page",
    [
        (FORMATS / "html_no_article.html").read_text(),
        "<html><head><title>Empty</title></head><body></body></html>",
        "<html><body><p>Too short.</p></body></html>",
        "<html><body><script>var story = 'not text';</script></body></html>",
    ],
)
def test_pages_without_an_article(page: str) -> None:
    with pytest.raises(NoArticleContent):
        parse(page.encode())
