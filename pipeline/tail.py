"""`wirestream tail`: print a topic's records as JSON lines.

Without `--from-beginning` only records produced from now on are printed. The embedded broker
answers ListOffsets "latest" with a count of batches, not records (ARCHITECTURE.md), so the end
of each partition is taken from a fetch's high-water mark, which is right on every broker.
"""

import asyncio
import base64
import time
from collections.abc import Callable
from typing import TextIO

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from pipeline.settings import Settings

METADATA_TIMEOUT_S = 10.0


class TailError(Exception):
    """The topic does not exist or the broker cannot be reached."""


def as_json_line(value: bytes | None, key: bytes | None) -> str:
    """JSON records print as they are; anything else is wrapped so every line is JSON."""
    if value is not None:
        try:
            return orjson.dumps(orjson.loads(value)).decode()
        except orjson.JSONDecodeError:
            pass
    wrapped: dict[str, str | None] = {"key": key.decode("utf-8", "replace") if key else None}
    try:
        wrapped["text"] = value.decode("utf-8") if value is not None else None
    except UnicodeDecodeError:
        wrapped["base64"] = base64.b64encode(value or b"").decode()
    return orjson.dumps(wrapped).decode()


async def tail(
    settings: Settings,
    topic: str,
    out: TextIO,
    *,
    from_beginning: bool = False,
    max_records: int | None = None,
    idle_timeout_s: float | None = None,
    render: Callable[[bytes | None, bytes | None], str] = as_json_line,
    ready: asyncio.Event | None = None,
) -> int:
    """Print records until `max_records`, `idle_timeout_s` without a record, or cancellation.
    Returns how many were printed. `ready` is set once the start position is known."""
    name = settings.topic(topic)
    consumer = AIOKafkaConsumer(
        **settings.kafka_client_options(),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        max_partition_fetch_bytes=2 * settings.max_article_bytes + 1_048_576,
    )
    await consumer.start()
    try:
        partitions = await _partitions(consumer, name)
        consumer.assign(partitions)
        if not from_beginning:
            await _seek_to_high_water(consumer, partitions)
        if ready is not None:
            ready.set()
        printed = 0
        last_record = time.monotonic()
        while max_records is None or printed < max_records:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    print(render(record.value, record.key), file=out, flush=True)
                    printed += 1
                    last_record = time.monotonic()
                    if max_records is not None and printed >= max_records:
                        return printed
            if idle_timeout_s is not None and time.monotonic() - last_record > idle_timeout_s:
                break
        return printed
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, name: str) -> list[TopicPartition]:
    deadline = time.monotonic() + METADATA_TIMEOUT_S
    while True:
        found = consumer.partitions_for_topic(name)
        if found:
            return [TopicPartition(name, p) for p in sorted(found)]
        if time.monotonic() > deadline:
            raise TailError(f"topic {name!r} does not exist (is a worker running?)")
        await asyncio.sleep(0.2)
        await consumer.topics()  # refreshes the cluster metadata


async def _seek_to_high_water(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
    await consumer.seek_to_beginning(*partitions)
    deadline = time.monotonic() + METADATA_TIMEOUT_S
    while any(consumer.highwater(tp) is None for tp in partitions):
        if time.monotonic() > deadline:
            raise TailError("could not learn the end of the topic from the broker")
        await consumer.getmany(*partitions, timeout_ms=200, max_records=1)
    for tp in partitions:
        consumer.seek(tp, consumer.highwater(tp))
