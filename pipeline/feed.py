"""`wirestream feed`: publish raw articles from files, directories, JSON lines or stdin.

Payloads go to `articles.raw` unchanged (the parse stage is the one place that validates, so
bad input ends on the dead-letter topic with a reason). The key is the article id the parse
stage will assign, so every version of an article lands on one partition.
"""

import asyncio
import logging
import sys
import time
from collections.abc import Iterable, Iterator
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
SUPPORTED = TEXT_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES
PROGRESS_FROM = 20  # show a progress bar from this many payloads on
IN_FLIGHT = 500


class FeedError(Exception):
    """The input cannot be read at all (missing path, unreadable file)."""


@dataclass(frozen=True, slots=True)
class Payload:
    value: bytes
    origin: str  # "path" or "path:line", for messages

    @property
    def key(self) -> str:
        return message_key(self.value)


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
        if suffix in TEXT_SUFFIXES:
            payloads.append(Payload(_as_text_article(data), str(file)))
        elif suffix in JSONL_SUFFIXES:
            payloads.extend(_lines(data, str(file)))
        else:
            payloads.extend(_json_file(data, str(file)))
    return payloads, skipped


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
    producer = AIOKafkaProducer(
        **settings.kafka_client_options(),
        linger_ms=settings.producer_linger_ms,
        max_request_size=settings.max_article_bytes + 65_536,
        acks="all",
    )
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


async def _settle(pending: list["asyncio.Future[object]"], report: FeedReport, bar: tqdm) -> None:
    for result in await asyncio.gather(*pending, return_exceptions=True):
        if isinstance(result, BaseException):
            report.failed += 1
            log.error("event=send_failed error=%s", type(result).__name__)
        else:
            report.sent += 1
    bar.update(len(pending))
    pending.clear()
