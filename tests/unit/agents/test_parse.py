import contextlib

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.errors import (
    EmptyArticle,
    InvalidEncoding,
    InvalidJson,
    InvalidShape,
    StageError,
    TooLarge,
)
from agents.parse import Limits, message_key, parse_article
from agents.stage import now
from tests.conftest import LIMITS, SEEDS, parse

SEED_HEADLINE = "تنظيم ” داعش ” يعلن الطوارىء بين صفوفه ترقباً لهجوم التحالف على مدينة الرقة"


def test_seed_headline_body_and_comment(seed_bytes: bytes) -> None:
    article = parse(seed_bytes)
    assert article.headline == SEED_HEADLINE
    assert article.body.startswith("قال التحالف الدولي لمحاربة")
    assert article.body.endswith("تقديم المشورة لقوات محلية في البلدين.")
    assert len(article.paragraphs) == 8
    assert article.body == "\n\n".join(article.paragraphs)
    assert len(article.comments) == 1
    assert article.comments[0].text.startswith("مثلما توجد قاعدة احتلال روسية")
    assert article.comments[0].text.endswith("من أجل اليورو و الدولار.")


def test_seed_boilerplate_removed_and_agency_kept_as_data(seed_bytes: bytes) -> None:
    article = parse(seed_bytes)
    for junk in ("[ads3]", "(ANADOLU)", "التعليقات المنشورة", "تعليق واحد", "عكس السير"):
        assert junk not in article.body
    assert article.agency == "ANADOLU"
    assert article.source == "ANADOLU"


def test_seed_identity_fields_are_stable(seed_bytes: bytes) -> None:
    first, second = parse(seed_bytes), parse(seed_bytes)
    assert first.id == second.id == message_key(seed_bytes)
    assert first.content_hash == second.content_hash
    assert first.fingerprint == second.fingerprint
    assert first.version == 1
    assert first.word_count > 150


def test_text_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301 owners protest\n\nThe cafe\u0301 owners of Lyon marched on Monday."
    article = parse(decomposed.encode())
    assert article.headline == "Café owners protest"
    assert "café" in article.body


def test_english_raw_text_numbered_comments_and_dateline() -> None:
    article = parse((SEEDS / "001_en_floods.txt").read_bytes())
    assert article.headline.startswith("Floods cut off villages")
    assert article.dateline == "ISLAMABAD"
    assert article.agency == "Reuters"
    assert [c.id for c in article.comments] == [f"{article.id}-c{n}" for n in (1, 2, 3)]
    assert "Share this article" not in article.body and "[ads2]" not in article.body


def test_json_article_with_comments_passes_through() -> None:
    raw = {
        "id": "afp-1",
        "source": "AFP",
        "url": "https://example.org/a",
        "published_at": "2026-11-24T07:45:00+01:00",
        "headline": "Grève à la SNCF",
        "body": "PARIS, 24 nov (AFP) - Le trafic sera perturbé.\n\nLes syndicats protestent.",
        "comments": [{"id": "c-1", "author": "Claire", "text": "Encore les usagers qui paient."}],
    }
    article = parse(orjson.dumps(raw))
    assert (article.id, article.source, article.url) == ("afp-1", "AFP", "https://example.org/a")
    assert article.paragraphs == [
        "PARIS, 24 nov (AFP) - Le trafic sera perturbé.",
        "Les syndicats protestent.",
    ]
    assert article.dateline == "PARIS" and article.agency == "AFP"
    assert article.comments[0].model_dump(include={"id", "author", "text"}) == {
        "id": "c-1",
        "author": "Claire",
        "text": "Encore les usagers qui paient.",
    }


def test_derived_id_uses_url_when_there_is_one() -> None:
    base = {"source": "X", "headline": "H", "body": "B"}
    with_url = parse(orjson.dumps({**base, "url": "https://x/1"}))
    other_headline = parse(orjson.dumps({**base, "url": "https://x/1", "headline": "H2"}))
    no_url = parse(orjson.dumps(base))
    assert with_url.id == other_headline.id != no_url.id
    assert message_key(orjson.dumps(base)) == no_url.id


def test_content_hash_changes_with_comments() -> None:
    base = {"id": "a", "headline": "H", "body": "B"}
    plain = parse(orjson.dumps(base))
    commented = parse(orjson.dumps({**base, "comments": [{"text": "first!"}]}))
    assert plain.content_hash != commented.content_hash


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"\xff\xfe\x00garbage", InvalidEncoding),
        (b'{"headline": "x"', InvalidJson),
        (b"[1, 2]", InvalidShape),
        (b'{"foo": 1}', InvalidShape),
        (b'{"headline": "x", "body": 5}', InvalidShape),
        (b'{"headline": "x", "comments": "no"}', InvalidShape),
        (b"", EmptyArticle),
        (b"   \n\n  ", EmptyArticle),
        (b'{"headline": "[ads1]", "body": "[ads2]"}', EmptyArticle),
        (b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f binary", InvalidShape),
        (b"[" * 5000 + b"]" * 5000, InvalidJson),
    ],
)
def test_bad_input_raises_a_typed_error(payload: bytes, error: type[StageError]) -> None:
    with pytest.raises(error):
        parse(payload)


def test_size_caps() -> None:
    tight = Limits(max_article_bytes=100, max_comments=1, max_comment_chars=5)
    with pytest.raises(TooLarge, match="over the cap of 100"):
        parse_article(b"x" * 101, limits=tight, ingested_at=now())
    two_comments = orjson.dumps(
        {"headline": "H", "body": "B", "comments": [{"text": "a"}, {"text": "b"}]}
    )
    with pytest.raises(TooLarge, match="2 comments"):
        parse_article(two_comments, limits=tight, ingested_at=now())
    long_comment = orjson.dumps({"headline": "H", "body": "B", "comments": [{"text": "abcdefgh"}]})
    with pytest.raises(TooLarge, match="comment 1"):
        parse_article(long_comment, limits=tight, ingested_at=now())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_parser_never_raises_anything_but_a_stage_error(payload: bytes) -> None:
    try:
        article = parse_article(payload, limits=LIMITS, ingested_at=now())
    except StageError:
        return
    assert article.headline and article.body


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=30),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["id", "headline", "body", "text", "comments", "source", "url"]),
                children,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_parser_survives_random_json(document: object) -> None:
    with contextlib.suppress(StageError):
        parse_article(orjson.dumps(document), limits=LIMITS, ingested_at=now())
