"""POST /ingest decisions without a web server or broker: status, body, what is published."""

import logging

import orjson
import pytest
from prometheus_client import CollectorRegistry

from agents.parse import message_key
from pipeline.ingest import (
    READ_CHUNK_BYTES,
    Ingestor,
    Reply,
    TooLargeBody,
    declared_length,
    payload_for,
    read_capped,
    token_matches,
)
from pipeline.settings import Settings

ARTICLE = orjson.dumps({"id": "in-1", "headline": "Rates held", "body": "The bank held rates."})
TOKEN = "s3cret-token-value"


class Body:
    """aiohttp's request.content as far as we use it; counts what was read."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.read_bytes = 0

    async def read(self, n: int = -1) -> bytes:
        n = len(self.data) if n < 0 else n
        chunk = self.data[self.read_bytes : self.read_bytes + n]
        self.read_bytes += len(chunk)
        return chunk


class Broker:
    def __init__(self, error: Exception | None = None) -> None:
        self.published: list[tuple[str, bytes]] = []
        self.error = error

    async def __call__(self, key: str, value: bytes) -> None:
        if self.error:
            raise self.error
        self.published.append((key, value))


def ingestor(broker: Broker, **settings: object) -> tuple[Ingestor, CollectorRegistry]:
    registry = CollectorRegistry()
    return Ingestor(Settings().replace(**settings), broker, registry), registry


async def post(ingest: Ingestor, data: bytes, **headers: str) -> tuple[Reply, Body]:
    body = Body(data)
    given = {k.replace("_", "-"): v for k, v in headers.items()}
    given.setdefault("Content-Length", str(len(data)))
    return await ingest.handle(given, body), body


def count(registry: CollectorRegistry, status: str) -> float:
    value = registry.get_sample_value("wirestream_ingest_requests_total", {"status": status})
    return value or 0.0


def test_token_matching() -> None:
    assert token_matches(f"Bearer {TOKEN}", TOKEN)
    assert token_matches(f"bearer  {TOKEN} ", TOKEN)
    for header in (None, "", TOKEN, f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "):
        assert not token_matches(header, TOKEN)


def test_declared_length() -> None:
    assert declared_length({}) is None
    assert declared_length({"Content-Length": "12"}) == 12
    assert declared_length({"Content-Length": "12abc"}) == -1


async def test_read_capped_stops_as_soon_as_the_cap_is_passed() -> None:
    assert await read_capped(Body(b"x" * 100), 100) == b"x" * 100
    big = Body(b"x" * (10 * READ_CHUNK_BYTES))
    with pytest.raises(TooLargeBody):
        await read_capped(big, READ_CHUNK_BYTES + 1)
    assert big.read_bytes == 2 * READ_CHUNK_BYTES  # not the whole 10 chunks


def test_declared_plain_text_is_not_sniffed_as_json_or_markup() -> None:
    assert payload_for(ARTICLE, "application/json") == ARTICLE
    assert payload_for(b"Headline\n\nBody", "text/plain; charset=utf-8") == b"Headline\n\nBody"
    wrapped = orjson.loads(payload_for(b"<b>not</b> markup", "text/plain"))
    assert wrapped == {"format": "text", "text": "<b>not</b> markup"}
    assert payload_for(b"<html></html>", None) == b"<html></html>"  # sniffed by the parser


async def test_a_good_article_is_published_unchanged_and_accepted() -> None:
    broker = Broker()
    ingest, registry = ingestor(broker)
    reply, _ = await post(ingest, ARTICLE, Content_Type="application/json")
    assert (reply.status, reply.body) == (202, {"id": "in-1", "topic": "articles.raw"})
    assert broker.published == [("in-1", ARTICLE)]
    assert count(registry, "202") == 1


async def test_plain_text_gets_the_id_the_parse_stage_derives() -> None:
    broker = Broker()
    ingest, _ = ingestor(broker, topic_prefix="staging.")
    text = b"Harbour reopens\n\nThe harbour reopened on Tuesday after the storm."
    reply, _ = await post(ingest, text, Content_Type="text/plain")
    assert reply.status == 202
    assert reply.body == {"id": message_key(text), "topic": "staging.articles.raw"}
    assert broker.published == [(message_key(text), text)]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe\xfa not utf-8", "invalid_encoding"),
        (b'{"headline": ', "invalid_json"),
        (b'{"headline": "no body"}', "invalid_shape"),
        (b"   ", "empty_article"),
    ],
)
async def test_garbage_is_refused_with_the_parsers_reason(data: bytes, reason: str) -> None:
    broker = Broker()
    ingest, registry = ingestor(broker)
    reply, _ = await post(ingest, data)
    assert reply.status == 400
    assert reply.body["error"].startswith(reason.split("_")[0]) and reply.body["message"]
    assert broker.published == []
    assert count(registry, "400") == 1


async def test_over_the_cap_by_content_length_is_refused_before_reading() -> None:
    ingest, registry = ingestor(Broker(), max_article_bytes=1_000)
    reply, body = await post(ingest, b"x" * 5_000)
    assert (reply.status, reply.body["error"]) == (413, "too_large")
    assert body.read_bytes == 0
    assert count(registry, "413") == 1


async def test_over_the_cap_without_content_length_is_cut_while_reading() -> None:
    ingest, _ = ingestor(Broker(), max_article_bytes=1_000)
    body = Body(b"x" * (4 * READ_CHUNK_BYTES))
    reply = await ingest.handle({"Transfer-Encoding": "chunked"}, body)
    assert reply.status == 413
    assert body.read_bytes <= READ_CHUNK_BYTES


async def test_a_lying_content_length_is_cut_too() -> None:
    ingest, _ = ingestor(Broker(), max_article_bytes=1_000)
    reply, _ = await post(ingest, b"x" * 5_000, Content_Length="10")
    assert reply.status == 413


async def test_a_malformed_content_length_is_a_bad_request() -> None:
    ingest, _ = ingestor(Broker())
    reply, _ = await post(ingest, ARTICLE, Content_Length="lots")
    assert (reply.status, reply.body["error"]) == (400, "bad_request")


async def test_token_is_enforced_when_set_and_never_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker = Broker()
    ingest, registry = ingestor(broker, ingest_token=TOKEN)
    caplog.set_level(logging.DEBUG)
    missing, body = await post(ingest, ARTICLE)
    wrong, _ = await post(ingest, ARTICLE, Authorization="Bearer nope")
    right, _ = await post(ingest, ARTICLE, Authorization=f"Bearer {TOKEN}")
    assert (missing.status, wrong.status, right.status) == (401, 401, 202)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert body.read_bytes == 0  # an unauthenticated body is not even read
    assert len(broker.published) == 1
    assert (count(registry, "401"), count(registry, "202")) == (2, 1)
    assert TOKEN not in caplog.text and "event=ingest status=401" in caplog.text


async def test_no_token_configured_means_open() -> None:
    ingest, _ = ingestor(Broker())
    reply, _ = await post(ingest, ARTICLE, Authorization="Bearer anything")
    assert reply.status == 202


async def test_broker_failure_is_a_503_to_retry() -> None:
    ingest, registry = ingestor(Broker(error=ConnectionError("down")))
    reply, _ = await post(ingest, ARTICLE)
    assert (reply.status, reply.body["error"]) == (503, "publish_failed")
    assert reply.headers["Retry-After"]
    assert count(registry, "503") == 1


def test_counter_labels_are_bounded_and_present_from_the_start() -> None:
    _, registry = ingestor(Broker())
    statuses = {
        sample.labels["status"]
        for metric in registry.collect()
        for sample in metric.samples
        if sample.name == "wirestream_ingest_requests_total"
    }
    assert statuses == {"202", "400", "401", "413", "500", "503"}
