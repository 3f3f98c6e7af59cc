import contextlib
import dataclasses
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import errors
from agents.errors import (
    DEAD_LETTER_REASONS,
    EmptyArticle,
    InvalidEncoding,
    InvalidJson,
    InvalidShape,
    StageError,
    TooLarge,
)
from agents.parse import (
    STAGE,
    Limits,
    ParseModel,
    VersionTracker,
    count_words,
    message_key,
    parse_article,
)
from agents.stage import now, process_batch
from schemas import Article
from tests.conftest import FIXTURES, LIMITS, SEEDS, parse

# Every sample document, each as the payload a producer would send (a .txt file is wrapped in
# {"text": …} by the feeder; every other file goes as it is).
SAMPLE_FILES = sorted(
    p
    for p in [*SEEDS.iterdir(), *(FIXTURES / "formats").iterdir()]
    if p.suffix in {".txt", ".json", ".xml", ".html"} and "no_article" not in p.name
)


def as_payload(path: Path) -> bytes:
    data = path.read_bytes()
    return orjson.dumps({"text": data.decode()}) if path.suffix == ".txt" else data


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


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_parses_and_its_message_key_is_its_id(path: Path) -> None:
    payload = as_payload(path)
    article = parse(payload)
    assert article.headline and article.paragraphs and article.word_count > 10
    assert article.id == message_key(payload)
    assert article.input_format in {"text", "json", "ninjs", "newsml", "html"}


ENVELOPES = [
    (
        {"text": (SEEDS / "012_html_site.html").read_text(), "url": "https://x.example/a?u=1"},
        "html",
    ),
    ({"format": "html", "text": (FIXTURES / "formats" / "html_ar_site.html").read_text()}, "html"),
    ({"text": (SEEDS / "011_newsml_afp.xml").read_text(), "source": "AFP-FR"}, "newsml"),
    ({"text": (SEEDS / "010_ninjs_ap.json").read_text()}, "ninjs"),  # wrapped as it came
    (
        {"format": "ninjs", "text": (SEEDS / "010_ninjs_ap.json").read_text(), "id": "given"},
        "ninjs",
    ),
    ({"text": orjson.dumps({"headline": "Inner", "body": "Inner body."}).decode()}, "json"),
    (
        {"text": (SEEDS / "013_tr_raw.txt").read_text(), "source": "AA", "url": "https://aa/1"},
        "text",
    ),
]


@pytest.mark.parametrize(("envelope", "kind"), ENVELOPES, ids=[kind for _, kind in ENVELOPES])
def test_message_key_is_the_id_for_every_envelope(envelope: dict[str, str], kind: str) -> None:
    payload = orjson.dumps(envelope)
    article = parse(payload)
    assert article.input_format == kind
    assert article.id == message_key(payload) == envelope.get("id", article.id)


def test_every_stage_error_has_a_dead_letter_reason() -> None:
    classes, pending = [], [StageError]
    while pending:
        cls = pending.pop()
        classes.append(cls)
        pending.extend(cls.__subclasses__())
    declared = {c for c in vars(errors).values() if isinstance(c, type)}
    assert {c.reason for c in classes if c in declared} <= set(DEAD_LETTER_REASONS)
    assert len(set(DEAD_LETTER_REASONS)) == len(DEAD_LETTER_REASONS)


def test_word_count_counts_each_han_and_kana_character() -> None:
    assert count_words("Kenya expands drought aid") == 4
    assert count_words("国家统计局发布数据") == 9
    assert (
        count_words("東京でCPIは2.5%上昇") == 4 + 1 + 1 + 1 + 2
    )  # 東京で / CPI / は / 2 / 5 / 上昇


# --- versions ----------------------------------------------------------------------------------


def test_tracker_counts_changed_content_and_repeats_unchanged() -> None:
    tracker = VersionTracker(capacity=10)
    assert tracker.assign("a", "h1", None) == 1
    assert tracker.assign("a", "h1", None) == 1  # a redelivery: same version
    assert tracker.assign("a", "h2", None) == 2
    assert tracker.assign("b", "h1", None) == 1
    assert tracker.assign("a", "h3", None) == 3


def test_source_version_wins_and_the_count_continues_from_it() -> None:
    tracker = VersionTracker()
    assert tracker.assign("a", "h1", 5) == 5
    assert tracker.assign("a", "h2", None) == 6
    assert tracker.assign("a", "h3", 2) == 2  # the source's word, even going back


def test_tracker_is_bounded_and_forgets_the_least_recently_seen() -> None:
    tracker = VersionTracker(capacity=2)
    tracker.assign("a", "h1", None)
    tracker.assign("b", "h1", None)
    tracker.assign("a", "h1", None)  # "a" is now the most recent
    tracker.assign("c", "h1", None)  # evicts "b"
    assert len(tracker) == 2
    assert tracker.assign("b", "h2", None) == 1  # forgotten: starts again (as after a restart)
    assert tracker.assign("c", "h2", None) == 2  # "a" went when "b" came back; "c" stayed


def test_stage_numbers_versions_across_batches() -> None:
    model = ParseModel(*dataclasses.astuple(LIMITS))
    first = orjson.dumps({"id": "v-1", "headline": "Rates held", "body": "The bank held."})
    changed = orjson.dumps({"id": "v-1", "headline": "Rates held", "body": "The bank held rates."})
    versions = []
    for batch in ([first], [first], [changed], [first]):
        (result,) = process_batch(STAGE, model, batch)
        assert isinstance(result, Article)
        versions.append(result.version)
    assert versions == [1, 1, 2, 3]


def test_a_failed_batch_does_not_count_versions_twice() -> None:
    model = ParseModel(*dataclasses.astuple(LIMITS))
    good = orjson.dumps({"id": "v-2", "headline": "H", "body": "Body one."})
    results = process_batch(STAGE, model, [good, b"\xff"])  # the batch fails, then item by item
    assert isinstance(results[0], Article) and results[0].version == 1
    changed = orjson.dumps({"id": "v-2", "headline": "H", "body": "Body two."})
    (again,) = process_batch(STAGE, model, [changed])
    assert isinstance(again, Article) and again.version == 2


def test_newsml_and_ninjs_versions_come_from_the_source() -> None:
    model = ParseModel(*dataclasses.astuple(LIMITS))
    payloads = [as_payload(SEEDS / "011_newsml_afp.xml"), as_payload(SEEDS / "010_ninjs_ap.json")]
    results = process_batch(STAGE, model, payloads)
    assert [r.version for r in results if isinstance(r, Article)] == [3, 2]
    (repeat,) = process_batch(STAGE, model, payloads[:1])
    assert isinstance(repeat, Article) and repeat.version == 3


# --- fuzzing: random input of every family never raises anything but a StageError ------------

SEED_DOCUMENTS = [as_payload(p) for p in SAMPLE_FILES]
MARKUP_TOKENS = [
    "<",
    ">",
    "</p>",
    "<p>",
    "<div class='comment' id='comment-1'>",
    "<!DOCTYPE x [<!ENTITY a 'b'>]>",
    "&a;",
    "&amp;",
    "<?xml version='1.0' encoding='latin-1'?>",
    "<newsItem guid='g'>",
    "<headline>",
    "<html>",
    "<script>",
    "<![CDATA[",
    "]]>",
    "\x00",
    "\n",
    "3 comments\n1. ",
    "<meta charset='utf-16'>",
]


def _must_be_a_stage_error_or_an_article(payload: bytes) -> None:
    try:
        article = parse_article(payload, limits=LIMITS, ingested_at=now())
    except StageError:
        pass
    else:
        assert article.headline and article.body
    message_key(payload)  # never raises


@st.composite
def mutated_documents(draw: st.DrawFn) -> bytes:
    """A real sample (XML, HTML, ninjs, raw text) with cuts, insertions and flipped bytes."""
    data = bytearray(draw(st.sampled_from(SEED_DOCUMENTS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "flip"]))
        if action == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(MARKUP_TOKENS) | st.text(max_size=20)).encode()
        elif data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(str.encode),
        st.text(max_size=200).map(lambda t: f"<html><body><p>{t}</p></body></html>".encode()),
        st.text(max_size=200).map(lambda t: f'<newsItem guid="g">{t}</newsItem>'.encode()),
    )
)
def test_parser_never_raises_anything_but_a_stage_error(payload: bytes) -> None:
    _must_be_a_stage_error_or_an_article(payload)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_parser_survives_mutated_xml_html_ninjs_and_text(payload: bytes) -> None:
    _must_be_a_stage_error_or_an_article(payload)


JSON_KEYS = [
    "id", "headline", "body", "text", "comments", "source", "url", "format", "version",
    "published_at", "uri", "headlines", "bodies", "body_html", "body_text", "versioncreated",
    "value", "contenttype", "role", "by", "located", "infosources", "name", "parent",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.text(max_size=30)
        | st.sampled_from(["html", "newsml", "ninjs", "text", "json", "<p>x</p>", "2"]),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.sampled_from(JSON_KEYS), children, max_size=6)
        ),
        max_leaves=25,
    )
)
def test_parser_survives_random_json(document: object) -> None:
    with contextlib.suppress(StageError):
        parse_article(orjson.dumps(document), limits=LIMITS, ingested_at=now())
    message_key(orjson.dumps(document))


@pytest.mark.parametrize(
    ("last_paragraph", "agency"),
    [
        ("Les prix ont augmenté. (AFP)", "AFP"),
        ("قال المتحدث إن الوضع هادئ. (الأناضول)", "الأناضول"),
        ("Die Preise stiegen. (dpa)", "dpa"),
        ("Chateaubriand : dim 8 aout (marché couvert)", None),
        ("BENOIST HERVÉ Pr2 Immunologie Toulouse 3 (UFR pharmacie)", None),
    ],
)
def test_only_agency_credits_are_taken_off_the_body(
    last_paragraph: str, agency: str | None
) -> None:
    article = parse(orjson.dumps({"headline": "H", "body": f"First.\n\n{last_paragraph}"}))
    assert article.agency == agency
    assert article.paragraphs[-1] == (
        last_paragraph if agency is None else last_paragraph.rsplit(" ", 1)[0]
    )
