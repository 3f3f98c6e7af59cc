"""Raw text in many languages and scripts: layout, boilerplate, comment blocks, dates."""

import orjson
import pytest

from agents import rawtext
from agents.formats.dates import normalise_datetime
from agents.formats.text_comments import split_comments
from schemas import Article
from tests.conftest import FIXTURES, SEEDS, parse


def parse_text(text: str) -> Article:
    return parse(orjson.dumps({"text": text}))


def test_turkish_page_byline_time_line_boilerplate_and_replies() -> None:
    article = parse_text((SEEDS / "013_tr_raw.txt").read_text())
    assert (article.byline, article.published_at) == ("Elif Yıldırım", "2026-11-24T08:40:00+03:00")
    assert (article.dateline, article.agency) == ("İSTANBUL", "AA")
    assert len(article.paragraphs) == 3
    for junk in ("Paylaş", "İlgili Haberler", "Yorumlar okuyucularımıza", "Yorum yap", "[ads1]"):
        assert junk not in article.body
    authors = [(c.author, c.published_label) for c in article.comments]
    assert authors == [
        ("Mehmet K.", "2 saat önce"),
        ("Ayşe", "1 saat önce"),
        ("Selin", "45 dakika önce"),
    ]
    assert article.comments[2].parent == article.comments[1].id
    assert all(c.published_at is None for c in article.comments)  # relative times stay labels


def test_chinese_xinhua_dateline_and_comment_reply_by_name() -> None:
    article = parse_text((SEEDS / "014_zh_raw.txt").read_text())
    assert (article.agency, article.dateline, article.byline) == ("新华社", "北京", "王磊")
    assert "分享到" not in article.body and "责任编辑" not in article.body
    assert article.word_count > 100  # one per character, not one per sentence
    first, _, reply = article.comments
    assert (first.author, first.published_label) == ("网友小王", "2小时前")
    assert reply.parent == first.id and reply.text == "我们这里也是一样。"


def test_russian_numbered_comments_with_says_and_dates() -> None:
    article = parse_text((SEEDS / "015_ru_raw.txt").read_text())
    assert (article.dateline, article.agency, article.byline) == (
        "КАЗАНЬ",
        "ТАСС",
        "Ирина Соколова",
    )
    assert "Реклама" not in article.body and "Читайте также" not in article.body
    assert [(c.author, c.published_label, c.text) for c in article.comments] == [
        ("Дмитрий", None, "Наконец-то! Пробки на дамбе каждый день."),
        ("Гульнара", "вчера", "А велодорожку сделали? В новостях про это ничего нет."),
    ]


def test_arabic_page_with_arabic_indic_count_and_named_reply() -> None:
    article = parse_text((FIXTURES / "formats" / "text_ar_comments.txt").read_text())
    assert (article.byline, article.published_at) == ("محمد العلي", "2026-11-24T11:30:00+03:00")
    assert article.dateline == "دبي"
    assert "اقرأ أيضاً" not in article.body and "شارك الخبر" not in article.body
    first, _, reply = article.comments
    assert (first.author, first.published_label) == ("أبو محمد", "منذ ساعتين")
    assert reply.parent == first.id  # «رد على أبو محمد:» names whom it answers


@pytest.mark.parametrize(
    ("header", "lines"),
    [
        ("12 commentaires", ["Marie (il y a 3 heures)", "Enfin une bonne nouvelle."]),
        ("Kommentare (2)", ["Peter — vor 2 Stunden", "Endlich!"]),
        ("2 comentarios", ["Lucía | hace 5 minutos", "Muy buena noticia."]),
        ("3 thoughts on “Port strike ends”", ["John says:", "Good news for the port."]),
        ("Comments (4)", ["Ahmed - 24/11/2026 10:02", "Interesting."]),
    ],
)
def test_comment_headers_and_author_lines_in_several_languages(
    header: str, lines: list[str]
) -> None:
    text = "\n\n".join(["Headline of the story", "The body of the story.", header, *lines])
    article = parse_text(text)
    assert article.body == "The body of the story."
    (comment,) = article.comments
    assert comment.author == lines[0].split()[0] and comment.text == lines[1]


def test_comment_text_that_merely_mentions_saying_stays_text() -> None:
    (comment,) = split_comments(["1. My father says: don't trust them."])
    assert comment.author is None and comment.text == "My father says: don't trust them."


def test_copy_that_starts_like_boilerplate_is_kept() -> None:
    text = "Markets slide\n\nShare prices fell 3% on Monday.\n\nBy noon the selling had stopped."
    text += "\n\nAsked about the losses, the minister said:\n\nNo comment"
    article = parse_text(text)
    assert article.paragraphs == [
        "Share prices fell 3% on Monday.",
        "By noon the selling had stopped.",
        "Asked about the losses, the minister said:",
        "No comment",  # not a comment-count header: the story goes on
    ]
    assert article.byline is None and article.comments == []


@pytest.mark.parametrize(
    "line",
    [
        "Share this article", "Advertisement", "— Anzeige —", "Publicité", "Реклама", "广告",
        "Lire aussi : la grève continue", "Lesen Sie auch: Bahnstreik", "Читайте также: снег",
        "© 2026 The Courier. All rights reserved.", "Facebook Twitter WhatsApp Email",
        "Sign up to our free business newsletter", "***", "جميع الحقوق محفوظة © 2026",
        "Reply · Like · 3", "رد | إعجاب", "Leave a Reply",
    ],
)  # fmt: skip
def test_site_boilerplate_lines_in_several_languages(line: str) -> None:
    assert rawtext.is_boilerplate(line)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24T07:45:00+01:00", "2026-11-24T07:45:00+01:00"),
        ("2026-11-24T06:45:00Z", "2026-11-24T06:45:00+00:00"),
        ("20261124T064500Z", "2026-11-24T06:45:00+00:00"),
        ("20261124T074500+0100", "2026-11-24T07:45:00+01:00"),
        ("Tue, 24 Nov 2026 07:45:00 GMT", "2026-11-24T07:45:00+00:00"),
        ("Tue, 24 Nov 2026 07:45:00 +0100", "2026-11-24T07:45:00+01:00"),
        ("2026-11-24 07:45 UTC", "2026-11-24T07:45:00+00:00"),
        ("2026-11-24", None),  # a day, not a time
        ("2026-11-24T07:45:00", None),  # no zone: would be a guess
        ("Tue, 24 Nov 2026 07:45:00 -0000", None),  # RFC 2822: "zone unknown"
        ("2 hours ago", None),
        ("", None),
        (None, None),
        (1764000000, None),
    ],
)
def test_dates_are_normalised_or_null(value: object, expected: str | None) -> None:
    assert normalise_datetime(value) == expected


def test_json_comment_times_are_normalised_with_the_original_kept_as_label() -> None:
    raw = {
        "headline": "H",
        "body": "Body text.",
        "published_at": "Tue, 24 Nov 2026 07:45:00 GMT",
        "comments": [
            {"id": "a", "text": "first", "published_at": "2026-11-24T08:00:00Z"},
            {"id": "b", "text": "second", "published_at": "yesterday", "parent": "a"},
        ],
    }
    article = parse(orjson.dumps(raw))
    assert article.published_at == "2026-11-24T07:45:00+00:00"
    first, second = article.comments
    assert (first.published_at, first.published_label) == ("2026-11-24T08:00:00+00:00", None)
    assert (second.published_at, second.published_label, second.parent) == (None, "yesterday", "a")
