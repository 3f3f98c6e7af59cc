"""The fused topology: all four stages in one agent on articles.raw, same records out."""

import base64
import json
import uuid
from collections.abc import Iterator

import orjson
import pytest
from jsonschema import Draft202012Validator

from pipeline.settings import Settings
from schemas.generate import schema_path
from tests.integration.conftest import running_worker
from tests.integration.kafka import by_id, produce, read_until

pytestmark = pytest.mark.integration
PREFIX = "fused."


@pytest.fixture(scope="module")
def fused(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    env = {
        "WIRESTREAM_BROKER": settings.broker,
        "WIRESTREAM_TOPOLOGY": "fused",
        "WIRESTREAM_TOPIC_PREFIX": PREFIX,
        "WIRESTREAM_APP_ID": "wirestream-fused-test",
        "WIRESTREAM_PARTITIONS": "2",
    }
    with running_worker(env, tmp_path_factory.mktemp("fused") / "worker.log"):
        yield settings.replace(topic_prefix=PREFIX)


async def test_fused_worker_enriches_flags_and_dead_letters(fused: Settings) -> None:
    article_id = f"fused-{uuid.uuid4().hex[:8]}"
    raw = {
        "id": article_id,
        "headline": "Floods in Valencia",
        "body": "Heavy rain flooded streets in Valencia on Monday, officials said.",
        "comments": [{"id": "c1", "text": "Stay safe everyone."},
                     {"id": "c2", "text": "You people are fucking idiots."}],
    }  # fmt: skip
    garbage = b"\xff\xfe not utf-8 " + uuid.uuid4().bytes
    await produce(fused, "articles.raw", garbage, orjson.dumps(raw), key=article_id.encode())

    enriched = by_id(
        await read_until(fused, "articles.enriched", lambda rs: article_id in by_id(rs))
    )
    record = enriched[article_id]
    Draft202012Validator(json.loads(schema_path("articles.enriched").read_text())).validate(record)
    stages = ["parse", "language", "entities", "moderation"]
    assert [t["stage"] for t in record["trace"]] == stages
    assert {t["topic"] for t in record["trace"]} == {f"{PREFIX}articles.raw"}
    assert set(record["processed_at"]) == set(stages)
    assert record["language"]["code"] == "en"

    flagged = await read_until(
        fused, "comments.flagged", lambda rs: any(r["article_id"] == article_id for r in rs)
    )
    assert [r["comment"]["id"] for r in flagged if r["article_id"] == article_id] == ["c2"]

    letters = await read_until(
        fused,
        "articles.dlq",
        lambda rs: any(base64.b64decode(r["original"]) == garbage for r in rs),
    )
    (letter,) = [r for r in letters if base64.b64decode(r["original"]) == garbage]
    assert (letter["stage"], letter["error"]) == ("parse", "InvalidEncoding")
