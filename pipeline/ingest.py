"""`POST /ingest` on the worker's web server: one article per request, refused now if it is
garbage instead of being dead-lettered later.

The body is any format the parse stage reads (raw-article JSON, plain text, ninjs, NewsML-G2,
HTML); the parse stage sniffs it, so the bytes are published unchanged, keyed by the id the
parse stage gives the article. One exception: `Content-Type: text/plain` whose text starts
like JSON or markup is wrapped as `{"format": "text", "text": ...}` (the parse stage's format
hint), so the declared type wins over sniffing.

Answers: 202 {"id", "topic"} once the broker acknowledged; 400 {"error": reason, "message"}
for what `parse_article` refuses; 401 without the bearer token (when WIRESTREAM_INGEST_TOKEN is
set); 413 over WIRESTREAM_MAX_ARTICLE_BYTES (from Content-Length before reading, else while
reading: never more than the cap is held); 503 when the broker did not take it.
"""

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

import faust
import orjson
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

from agents.errors import StageError
from agents.parse import Limits, parse_article
from pipeline.feed import Payload, Publisher
from pipeline.settings import Settings
from pipeline.topics import RAW

if TYPE_CHECKING:
    from pipeline.app import WirestreamApp

log = logging.getLogger(__name__)
PATH = "/ingest"
STATUSES = ("202", "400", "401", "413", "500", "503")  # the only label values: bounded
READ_CHUNK_BYTES = 65_536
PUBLISH_TIMEOUT_S = 30.0
_MARKUP_OR_JSON = ("{", "[", "<")

PublishFn = Callable[[str, bytes], Awaitable[None]]  # (key, value) → acknowledged, or raises


class BodyStream(Protocol):
    """What we need of aiohttp's request.content: bounded reads."""

    async def read(self, n: int = -1) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


class TooLargeBody(Exception):
    pass


def token_matches(authorization: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def declared_length(headers: Mapping[str, str]) -> int | None:
    """Content-Length as a number; None when absent (chunked); -1 when it is not a number."""
    value = headers.get("Content-Length")
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else -1


async def read_capped(body: BodyStream, cap: int) -> bytes:
    """The whole body, or TooLargeBody as soon as it passes `cap` bytes."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await body.read(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > cap:
            raise TooLargeBody
        chunks.append(chunk)
    return b"".join(chunks)


def payload_for(body: bytes, content_type: str | None) -> bytes:
    """What to publish: the body unchanged, except declared plain text that would otherwise
    be sniffed as JSON or markup."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type == "text/plain":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body  # the parse stage says why
        if text.lstrip("\ufeff \t\r\n")[:1] in _MARKUP_OR_JSON:
            return orjson.dumps({"format": "text", "text": text})
    return body


class Ingestor:
    """The decisions of POST /ingest, free of the web framework (unit-tested as they are)."""

    def __init__(
        self,
        settings: Settings,
        publish: PublishFn,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.limits = Limits.from_settings(settings)
        self.topic = settings.topic(RAW)
        self.publish = publish
        self.requests = Counter(
            "wirestream_ingest_requests_total",
            "POST /ingest requests by HTTP status of the answer",
            ["status"],
            registry=registry,
        )
        for status in STATUSES:
            self.requests.labels(status)

    async def handle(self, headers: Mapping[str, str], body: BodyStream) -> Reply:
        reply, article_id = await self._decide(headers, body)
        self.requests.labels(str(reply.status)).inc()
        # One line per request; never the token, never the body.
        log.info(
            "event=ingest status=%d id=%s error=%s",
            reply.status,
            article_id or "-",
            reply.body.get("error", "-"),
        )
        return reply

    async def _decide(self, headers: Mapping[str, str], body: BodyStream) -> tuple[Reply, str]:
        token = self.settings.ingest_token
        if token and not token_matches(headers.get("Authorization"), token):
            return (
                Reply(
                    401,
                    _error("unauthorized", "send Authorization: Bearer <WIRESTREAM_INGEST_TOKEN>"),
                    {"WWW-Authenticate": 'Bearer realm="wirestream"'},
                ),
                "",
            )
        cap = self.limits.max_article_bytes
        too_large = Reply(413, _error("too_large", f"the article is over the cap of {cap} bytes"))
        length = declared_length(headers)
        if length == -1:
            return Reply(400, _error("bad_request", "Content-Length is not a number")), ""
        if length is not None and length > cap:
            return too_large, ""  # refused before reading a byte of it
        try:
            data = await read_capped(body, cap)
        except TooLargeBody:
            return too_large, ""
        payload = payload_for(data, headers.get("Content-Type"))
        try:
            # Off the event loop: the worker's agents and /metrics share it.
            article = await asyncio.to_thread(
                parse_article, payload, limits=self.limits, ingested_at=datetime.now(UTC)
            )
        except StageError as error:
            return Reply(400, _error(error.reason, str(error))), ""
        except Exception as error:  # a parser bug: the pipeline would dead-letter it as well
            log.exception("event=ingest_parser_error error=%s", type(error).__name__)
            return Reply(500, _error("internal_error", "the parser failed on this article")), ""
        try:
            await asyncio.wait_for(self.publish(article.id, payload), PUBLISH_TIMEOUT_S)
        except Exception as error:
            log.error("event=ingest_publish_failed error=%s", type(error).__name__)
            message = f"the broker did not take it ({type(error).__name__}); retry later"
            return Reply(503, _error("publish_failed", message), {"Retry-After": "5"}), article.id
        return Reply(202, {"id": article.id, "topic": self.topic}), article.id


def _error(reason: str, message: str) -> dict[str, str]:
    return {"error": reason, "message": message}


def register_ingest(app: "WirestreamApp") -> None:
    """Add POST /ingest to the worker's web server, with its own producer (started at the
    first request, stopped with the app) sized for WIRESTREAM_MAX_ARTICLE_BYTES."""
    publisher = Publisher(app.settings)
    starting = asyncio.Lock()

    async def publish(key: str, value: bytes) -> None:
        async with starting:
            await publisher.start()
        (outcome,) = await publisher.send([Payload(value, PATH, given_key=key)])
        if outcome is not None:
            raise outcome

    ingestor = Ingestor(app.settings, publish, app.metrics.registry)

    class IngestView(faust.web.View):
        async def post(self, request: faust.web.Request, **kwargs: Any) -> faust.web.Response:
            native = cast(web.Request, request)
            reply = await ingestor.handle(native.headers, native.content)
            return self.json(reply.body, status=reply.status, headers=dict(reply.headers))

    async def stop_publisher(*args: Any, **kwargs: Any) -> None:
        await publisher.stop()

    app.page(PATH)(IngestView)
    app.on_before_shutdown.connect(stop_publisher)
