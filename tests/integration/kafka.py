"""Reading topics in tests, straight from the broker."""

import time
from collections.abc import Callable
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from pipeline.settings import Settings

Record = tuple[str, bytes]  # (key, value)


async def raw_records(
    settings: Settings,
    topic: str = "articles.raw",
    until: Callable[[list[Record]], bool] = lambda _: False,
    idle_s: float = 1.0,
    timeout_s: float = 30.0,
) -> list[Record]:
    """Every record of `topic` from the beginning (any bytes), read until `until(records)` holds
    and nothing new arrived for `idle_s` (enough to see a duplicate if one was sent), or the
    timeout."""
    consumer = AIOKafkaConsumer(
        settings.topic(topic),
        **settings.kafka_client_options(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    records: list[Record] = []
    deadline, quiet_since = time.monotonic() + timeout_s, time.monotonic()
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            fresh = [
                ((m.key or b"").decode("utf-8", "replace"), m.value or b"")
                for batch in batches.values()
                for m in batch
            ]
            records.extend(fresh)
            if fresh:
                quiet_since = time.monotonic()
            if until(records) and time.monotonic() - quiet_since >= idle_s:
                break
    finally:
        await consumer.stop()
    return records


async def read_until(
    settings: Settings,
    topic: str,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout_s: float = 60.0,
) -> list[dict[str, Any]]:
    """Every JSON record of `topic` from the beginning, until `done(records)` or the timeout."""
    decoded: list[dict[str, Any]] = []

    def until(records: list[Record]) -> bool:
        decoded.extend(orjson.loads(value) for _, value in records[len(decoded) :])
        return done(decoded)

    records = await raw_records(settings, topic, until, idle_s=0, timeout_s=timeout_s)
    until(records)
    return decoded


async def produce(settings: Settings, topic: str, *values: bytes, key: bytes = b"k") -> None:
    producer = AIOKafkaProducer(**settings.kafka_client_options(), max_request_size=16_000_000)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(settings.topic(topic), value, key=key)
    finally:
        await producer.stop()


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in records}


__all__ = ["Record", "by_id", "produce", "raw_records", "read_until"]
