"""Reading topics in tests, straight from the broker."""

import time
from collections.abc import Callable
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from pipeline.settings import Settings


async def read_until(
    settings: Settings,
    topic: str,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout_s: float = 60.0,
) -> list[dict[str, Any]]:
    """Every JSON record of `topic` from the beginning, until `done(records)` or the timeout."""
    consumer = AIOKafkaConsumer(
        settings.topic(topic),
        **settings.kafka_client_options(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=100,
    )
    await consumer.start()
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while not done(records) and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(orjson.loads(message.value) for message in batch)
    finally:
        await consumer.stop()
    return records


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


__all__ = ["by_id", "produce", "read_until"]
