"""The whole pipeline on the real embedded broker, through a real worker process."""

import base64
import json
import re
import subprocess
import sys
import time
import urllib.request
import uuid

import orjson
import pytest
from jsonschema import Draft202012Validator

from agents.parse import message_key
from pipeline.feed import publish, read_payloads
from pipeline.settings import Settings
from schemas.generate import schema_path
from tests.conftest import ROOT, SEED_ARTICLE, SEEDS
from tests.integration.kafka import by_id, produce, read_until

pytestmark = pytest.mark.integration


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
        return body


def metric(base: str, name: str, **labels: str) -> float:
    text = fetch(f"{base}/metrics").decode()
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(name + (f"{{{wanted}}}" if labels else "")) + r" ([0-9.e+-]+)"
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


async def test_seeds_come_out_enriched(settings: Settings, worker: str) -> None:
    payloads, _ = read_payloads(str(SEEDS))
    report = await publish(settings, payloads, total=len(payloads), progress=False)
    assert report.sent == len(payloads)
    ids = {p.key for p in payloads}
    records = await read_until(settings, "articles.enriched", lambda rs: ids <= set(by_id(rs)))
    enriched = by_id(records)
    assert ids <= set(enriched)

    schema = Draft202012Validator(json.loads(schema_path("articles.enriched").read_text()))
    for record in enriched.values():
        schema.validate(record)

    seed = enriched[message_key(orjson.dumps({"text": SEED_ARTICLE.read_text()}))]
    assert seed["headline"].startswith("تنظيم ” داعش ” يعلن الطوارىء")
    assert seed["language"]["code"] == "ar"
    assert "[ads3]" not in seed["body"]
    found = {(e["text"], e["type"]) for e in seed["entities"]}
    assert {("الرقة", "LOC"), ("ستيف وارين", "PER"), ("داعش", "ORG")} <= found
    for entity in seed["entities"]:
        assert seed["body"][entity["start"] : entity["end"]] == entity["text"]
    (comment,) = seed["comments"]
    assert comment["moderation"]["decision"] in {"review", "reject"}
    assert [t["stage"] for t in seed["trace"]] == ["parse", "language", "entities", "moderation"]
    assert seed["trace"][0]["topic"] == "articles.raw"


async def test_flagged_comments_reach_the_moderation_queue(settings: Settings, worker: str) -> None:
    article_id = f"flag-{uuid.uuid4().hex[:8]}"
    raw = {
        "id": article_id,
        "headline": "Match report",
        "body": "The home side won 2-1 in Leeds.",
        "comments": [
            {"id": "ok", "text": "Great match, well deserved win."},
            {"id": "bad", "text": "The referee is a fucking moron."},
        ],
    }
    await produce(settings, "articles.raw", orjson.dumps(raw), key=article_id.encode())
    flagged = await read_until(
        settings, "comments.flagged", lambda rs: any(r["article_id"] == article_id for r in rs)
    )
    ours = [r for r in flagged if r["article_id"] == article_id]
    assert [r["comment"]["id"] for r in ours] == ["bad"]
    assert ours[0]["headline"] == "Match report"
    Draft202012Validator(json.loads(schema_path("comments.flagged").read_text())).validate(ours[0])


async def test_malformed_message_is_dead_lettered_and_the_next_one_passes(
    settings: Settings, worker: str
) -> None:
    dead_before = metric(
        worker, "wirestream_dead_letters_total", stage="parse", reason="invalid_encoding"
    )
    garbage = b"\xff\xfe\xfa not utf-8 " + uuid.uuid4().bytes
    good_id = f"good-{uuid.uuid4().hex[:8]}"
    good = orjson.dumps({"id": good_id, "headline": "Rates held", "body": "The bank held rates."})
    await produce(settings, "articles.raw", garbage, good, key=b"same-partition")

    letters = await read_until(
        settings,
        "articles.dlq",
        lambda rs: any(base64.b64decode(r["original"]) == garbage for r in rs),
    )
    (letter,) = [r for r in letters if base64.b64decode(r["original"]) == garbage]
    assert (letter["stage"], letter["error"], letter["topic"]) == (
        "parse",
        "InvalidEncoding",
        "articles.raw",
    )
    assert "not UTF-8" in letter["message"]
    Draft202012Validator(json.loads(schema_path("articles.dlq").read_text())).validate(letter)

    enriched = await read_until(settings, "articles.enriched", lambda rs: good_id in by_id(rs))
    assert good_id in by_id(enriched)
    assert (
        metric(worker, "wirestream_dead_letters_total", stage="parse", reason="invalid_encoding")
        == dead_before + 1
    )


async def test_metrics_count_what_flows(settings: Settings, worker: str) -> None:
    before = metric(worker, "wirestream_articles_total", stage="moderation", outcome="ok")
    article_id = f"metrics-{uuid.uuid4().hex[:8]}"
    raw = orjson.dumps(
        {"id": article_id, "headline": "Wheat prices", "body": "Prices rose in Chicago."}
    )
    await produce(settings, "articles.raw", raw, key=article_id.encode())
    await read_until(settings, "articles.enriched", lambda rs: article_id in by_id(rs))
    assert (
        metric(worker, "wirestream_articles_total", stage="moderation", outcome="ok") >= before + 1
    )
    assert metric(worker, "wirestream_ingest_to_enriched_seconds_count") >= 1
    assert metric(worker, "wirestream_stage_duration_seconds_count", stage="entities") >= 1
    assert orjson.loads(fetch(f"{worker}/health"))["status"] == "ok"
    assert orjson.loads(fetch(f"{worker}/live"))["status"] == "alive"


def test_lag_and_stall_are_reported_per_partition(worker: str) -> None:
    deadline = time.monotonic() + 15  # the lag timer ticks every 5 s
    while time.monotonic() < deadline:
        text = fetch(f"{worker}/metrics").decode()
        if 'wirestream_consumer_lag_records{partition="0",topic="articles.raw"}' in text:
            break
        time.sleep(0.5)
    else:
        pytest.fail("no lag gauge for articles.raw")
    assert 'wirestream_consumer_stalled{partition="0",topic="articles.raw"} 0.0' in text


def test_cli_feed_and_tail(settings: Settings, worker: str) -> None:
    env = {"WIRESTREAM_BROKER": settings.broker, "PATH": ""}
    fed = subprocess.run(
        [sys.executable, "-m", "pipeline", "feed", str(SEEDS / "004_ar_economy.json")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fed.returncode == 0, fed.stderr
    assert "sent 1 article(s) to articles.raw" in fed.stderr
    tailed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "tail",
            "--from-beginning",
            "--max",
            "1",
            "--timeout",
            "30",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert tailed.returncode == 0, tailed.stderr
    (line,) = tailed.stdout.splitlines()
    assert "language" in orjson.loads(line)
    nothing_new = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "tail",
            "--topic",
            "articles.dlq",
            "--max",
            "1",
            "--timeout",
            "2",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (nothing_new.returncode, nothing_new.stdout) == (1, "")


async def test_an_article_near_the_size_cap_goes_through(settings: Settings, worker: str) -> None:
    """The enriched record holds the text twice: producer and fetch sizes must allow it."""
    article_id = f"big-{uuid.uuid4().hex[:8]}"
    sentence = "Helsingin kaupunki ilmoitti maanantaina uusista liikennejärjestelyistä. "
    body = sentence * (1_900_000 // len(sentence))
    raw = orjson.dumps({"id": article_id, "headline": "Liikenne", "body": body})
    assert len(raw) < settings.max_article_bytes
    await produce(settings, "articles.raw", raw, key=article_id.encode())
    enriched = await read_until(settings, "articles.enriched", lambda rs: article_id in by_id(rs))
    assert len(by_id(enriched)[article_id]["body"]) == len(body.strip())
