"""`wirestream feed`: publish raw articles from files, directories, JSON lines or stdin.

Payloads go to `articles.raw` unchanged (the parse stage is the one place that validates, so
bad input ends on the dead-letter topic with a reason). The key is the article id the parse
stage will assign, so every version of an article lands on one partition.

Also the pieces the long-running ingest paths share: `payloads_of` (one file's bytes → its
payloads, as `read_payloads` reads them), `Publisher` (one producer, per-payload confirmed
sends) for `feed --watch` (pipeline/watch.py), `feed --poll` (pipeline/poll.py) and
`POST /ingest` (pipeline/ingest.py), which check each article with `parse_article` first.
"""

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson
from aiokafka import AIOKafkaProducer
from tqdm import tqdm

from agents.parse import message_key
from pipeline.settings import Settings
from pipeline.topics import RAW

log = logging.getLogger(__name__)
TEXT_SUFFIXES = {".txt"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
DOCUMENT_SUFFIXES = {".xml", ".html", ".htm"}  # published as they are; the parse stage sniffs them
SUPPORTED = TEXT_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | DOCUMENT_SUFFIXES
PROGRESS_FROM = 20  # show a progress bar from this many payloads on
IN_FLIGHT = 500


class FeedError(Exception):
    """The input cannot be read at all (missing path, unreadable file)."""


@dataclass(frozen=True, slots=True)
class Payload:
    value: bytes
    origin: str  # "path" or "path:line", for messages
    given_key: str | None = None  # when the caller already knows the article id

    @property
    def key(self) -> str:
        return self.given_key or message_key(self.value)


@dataclass(slots=True)
class FeedReport:
    sent: int = 0
    failed: int = 0
    skipped_files: list[str] = field(default_factory=list)
    oversized: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self, topic: str) -> str:
        rate = self.sent / self.seconds if self.seconds else 0.0
        parts = [f"sent {self.sent} article(s) to {topic} in {self.seconds:.2f} s ({rate:.0f}/s)"]
        if self.failed:
            parts.append(f"{self.failed} failed to send")
        if self.oversized:
            parts.append(
                f"{len(self.oversized)} over the size cap, not sent: "
                + ", ".join(self.oversized[:5])
            )
        if self.skipped_files:
            parts.append(
                f"{len(self.skipped_files)} file(s) of unsupported type skipped: "
                + ", ".join(self.skipped_files[:5])
            )
        return "; ".join(parts)


def read_payloads(path: str, stdin: BinaryIO | None = None) -> tuple[list[Payload], list[str]]:
    """All payloads under `path` ("-" = stdin) and the files skipped for their type."""
    if path == "-":
        data = (stdin or sys.stdin.buffer).read()
        return list(_split_stream(data, "stdin")), []
    root = Path(path)
    if not root.exists():
        raise FeedError(f"no such file or directory: {path}")
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    payloads: list[Payload] = []
    skipped: list[str] = []
    for file in files:
        suffix = file.suffix.lower()
        if suffix not in SUPPORTED:
            if not file.name.startswith("."):
                skipped.append(str(file))
            continue
        try:
            data = file.read_bytes()
        except OSError as error:
            raise FeedError(f"cannot read {file}: {error.strerror}") from None
        payloads.extend(payloads_of(data, suffix, str(file)))
    return payloads, skipped


def payloads_of(data: bytes, suffix: str, origin: str) -> list[Payload]:
    """The payloads in one file's bytes, by its (lower-case) suffix; [] for an unsupported one.
    Shared by `read_payloads` and the drop-folder watcher, so both read files alike."""
    if suffix in TEXT_SUFFIXES:
        return [Payload(_as_text_article(data), origin)]
    if suffix in JSONL_SUFFIXES:
        return list(_lines(data, origin))
    if suffix in SUPPORTED:  # .json, and any document type the parse stage reads as bytes
        return (
            list(_json_file(data, origin)) if suffix in JSON_SUFFIXES else [Payload(data, origin)]
        )
    return []


def _as_text_article(data: bytes) -> bytes:
    """A .txt file is `{"text": <contents>}`; undecodable bytes go on as they are and are
    dead-lettered by the parse stage with the reason."""
    try:
        return orjson.dumps({"text": data.decode("utf-8")})
    except UnicodeDecodeError:
        return data


def _json_file(data: bytes, origin: str) -> Iterator[Payload]:
    """A .json file holds one raw-article object, or an array of them."""
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        yield Payload(data, origin)  # the parse stage dead-letters it with the reason
        return
    if isinstance(parsed, list):
        for n, item in enumerate(parsed, start=1):
            yield Payload(orjson.dumps(item), f"{origin}[{n}]")
    else:
        yield Payload(data, origin)


def _lines(data: bytes, origin: str) -> Iterator[Payload]:
    for n, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield Payload(line.strip(), f"{origin}:{n}")


def _split_stream(data: bytes, origin: str) -> Iterator[Payload]:
    """stdin: JSON lines when it starts with `{`, else one raw text article."""
    if data.lstrip()[:1] == b"{":
        yield from _lines(data, origin)
    elif data.strip():
        yield Payload(_as_text_article(data), origin)


async def publish(
    settings: Settings,
    payloads: Iterable[Payload],
    *,
    total: int | None = None,
    rate: float | None = None,
    topic: str = RAW,
    progress: bool | None = None,
) -> FeedReport:
    """Send every payload; a progress bar on stderr when there are many and stderr is a tty."""
    report = FeedReport()
    name = settings.topic(topic)
    producer = new_producer(settings)
    show = progress if progress is not None else (total is None or total >= PROGRESS_FROM)
    bar = tqdm(total=total, unit="article", disable=not show or None, file=sys.stderr)
    started = time.monotonic()
    await producer.start()
    try:
        pending: list[asyncio.Future[object]] = []
        for n, payload in enumerate(payloads):
            if len(payload.value) > settings.max_article_bytes:
                report.oversized.append(payload.origin)
                continue
            if rate:
                await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
            pending.append(await producer.send(name, payload.value, key=payload.key.encode()))
            if len(pending) >= IN_FLIGHT:
                await _settle(pending, report, bar)
        await _settle(pending, report, bar)
    finally:
        await producer.stop()
        bar.close()
        report.seconds = time.monotonic() - started
    return report


def new_producer(settings: Settings) -> AIOKafkaProducer:
    """The producer every feeder uses: acknowledged by all in-sync replicas, with room for the
    largest article the size cap allows (aiokafka's default request cap is 1 MB)."""
    return AIOKafkaProducer(
        **settings.kafka_client_options(),
        linger_ms=settings.producer_linger_ms,
        max_request_size=settings.max_article_bytes + 65_536,
        acks="all",
    )


class OversizedPayload(ValueError):
    """A payload over `WIRESTREAM_MAX_ARTICLE_BYTES`: refused before it reaches the broker."""


class Publisher:
    """One started producer for many small confirmed sends: the drop-folder watcher, feed
    polling and `POST /ingest` each keep one for their lifetime instead of one per file."""

    def __init__(self, settings: Settings, topic: str = RAW) -> None:
        self.settings = settings
        self.topic = settings.topic(topic)
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        if self._producer is None:
            producer = new_producer(self.settings)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()  # release its connections; nothing is kept
                raise
            self._producer = producer

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def __aenter__(self) -> "Publisher":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def send(self, payloads: Sequence[Payload]) -> list[BaseException | None]:
        """Send every payload and wait for the broker's acknowledgements. One entry per payload:
        None once confirmed, else the error (nothing is retried here: the caller decides)."""
        if not payloads:
            return []
        await self.start()
        assert self._producer is not None
        futures: list[asyncio.Future[object] | BaseException] = []
        for payload in payloads:
            if len(payload.value) > self.settings.max_article_bytes:
                futures.append(
                    OversizedPayload(
                        f"{payload.origin}: {len(payload.value)} bytes, over the cap of "
                        f"{self.settings.max_article_bytes}"
                    )
                )
                continue
            try:
                futures.append(
                    await self._producer.send(self.topic, payload.value, key=payload.key.encode())
                )
            except Exception as error:  # e.g. KafkaTimeoutError waiting for metadata
                futures.append(error)
        results: list[BaseException | None] = []
        for future in futures:
            if isinstance(future, BaseException):
                results.append(future)
                continue
            try:
                await future
                results.append(None)
            except Exception as error:
                results.append(error)
        return results


async def sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less when `stop` is set meanwhile (Ctrl-C between scans or polls)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _settle(pending: list["asyncio.Future[object]"], report: FeedReport, bar: tqdm) -> None:
    for result in await asyncio.gather(*pending, return_exceptions=True):
        if isinstance(result, BaseException):
            report.failed += 1
            log.error("event=send_failed error=%s", type(result).__name__)
        else:
            report.sent += 1
    bar.update(len(pending))
    pending.clear()
