"""The three ingest paths on the real embedded broker: POST /ingest on a real worker process,
the drop folder (in-process and through the CLI, stopped with Ctrl-C), and feed polling from a
local HTTP server."""

import asyncio
import functools
import http.client
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from agents.parse import message_key
from pipeline.feed import Publisher
from pipeline.settings import Settings
from pipeline.watch import watch
from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import running_worker
from tests.integration.kafka import Record, by_id, raw_records, read_until

pytestmark = pytest.mark.integration
TOKEN = f"tok-{uuid.uuid4().hex}"
RSS_IDS = ("https://gazette.example/news/ferry-resumes", "https://gazette.example/gallery/lights")


def wait_until_exists(path: Path, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def keyed(records: list[Record], key: str) -> list[bytes]:
    return [value for k, value in records if k == key]


def post(
    base: str, body: bytes, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/ingest", body=body, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, dict(reply.headers), orjson.loads(reply.read())
    finally:
        connection.close()


def metric(base: str, status: str) -> float:
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
        text = response.read().decode()
    prefix = f'wirestream_ingest_requests_total{{status="{status}"}} '
    line = next(line for line in text.splitlines() if line.startswith(prefix))
    return float(line.removeprefix(prefix))


# ---------------------------------------------------------------- POST /ingest


async def test_ingest_accepts_an_article_and_it_comes_out_enriched(
    settings: Settings, worker: str
) -> None:
    before = metric(worker, "202")
    article_id = f"ingest-{uuid.uuid4().hex[:8]}"
    body = orjson.dumps(
        {"id": article_id, "headline": "Harbour reopens", "body": "Ships sailed again in Oslo."}
    )
    status, _, answer = await asyncio.to_thread(
        post, worker, body, {"Content-Type": "application/json"}
    )
    assert (status, answer) == (202, {"id": article_id, "topic": "articles.raw"})
    enriched = await read_until(settings, "articles.enriched", lambda rs: article_id in by_id(rs))
    assert by_id(enriched)[article_id]["headline"] == "Harbour reopens"
    records = await raw_records(settings, until=lambda rs: bool(keyed(rs, article_id)))
    assert keyed(records, article_id) == [body]  # the original bytes, keyed by the id
    assert metric(worker, "202") == before + 1


async def test_ingest_plain_text_gets_the_derived_id(settings: Settings, worker: str) -> None:
    text = f"Storm {uuid.uuid4().hex[:6]} closes the ferry port\n\nNo ferries sailed.".encode()
    status, _, answer = await asyncio.to_thread(post, worker, text, {"Content-Type": "text/plain"})
    assert (status, answer["id"]) == (202, message_key(text))
    enriched = await read_until(settings, "articles.enriched", lambda rs: answer["id"] in by_id(rs))
    assert answer["id"] in by_id(enriched)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe\xfa binary", "invalid_encoding"),
        (b'{"headline": "no body"}', "invalid_shape"),
        (b"", "empty_article"),
    ],
)
async def test_ingest_refuses_garbage_now(worker: str, body: bytes, reason: str) -> None:
    before = metric(worker, "400")
    status, _, answer = await asyncio.to_thread(post, worker, body)
    assert status == 400
    assert answer["error"].split("_")[0] == reason.split("_")[0] and answer["message"]
    assert metric(worker, "400") == before + 1


def test_ingest_refuses_an_oversized_body_from_its_content_length(
    settings: Settings, worker: str
) -> None:
    host, port = worker.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        # Headers only: the worker must answer without waiting for (or reading) the 4 MB.
        connection.putrequest("POST", "/ingest")
        connection.putheader("Content-Length", str(settings.max_article_bytes + 1))
        connection.endheaders()
        reply = connection.getresponse()
        assert reply.status == 413
        assert orjson.loads(reply.read())["error"] == "too_large"
    finally:
        connection.close()


def test_ingest_refuses_an_oversized_chunked_body_while_reading(
    settings: Settings, worker: str
) -> None:
    host, port = worker.removeprefix("http://").split(":")
    chunk = b"x" * 1_000_000
    chunks = iter([chunk] * (settings.max_article_bytes // len(chunk) + 1))
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/ingest", body=chunks, encode_chunked=True)
        assert connection.getresponse().status == 413
    finally:
        connection.close()


@pytest.fixture(scope="module")
def token_worker(
    broker: object, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A second worker with WIRESTREAM_INGEST_TOKEN, on its own topics and consumer group."""
    log = tmp_path_factory.mktemp("token-worker") / "worker.log"
    env = {
        "WIRESTREAM_BROKER": settings.broker,
        "WIRESTREAM_PARTITIONS": "1",
        "WIRESTREAM_TOPIC_PREFIX": "tok.",
        "WIRESTREAM_APP_ID": "wirestream-token-test",
        "WIRESTREAM_INGEST_TOKEN": TOKEN,
    }
    with running_worker(env, log) as base:
        yield base, log


async def test_ingest_token_is_enforced_and_never_logged(
    settings: Settings, token_worker: tuple[str, Path]
) -> None:
    base, log = token_worker
    article_id = f"tok-{uuid.uuid4().hex[:8]}"
    body = orjson.dumps({"id": article_id, "headline": "Token", "body": "Only with a token."})
    missing = await asyncio.to_thread(post, base, body)
    wrong = await asyncio.to_thread(post, base, body, {"Authorization": "Bearer guess"})
    right = await asyncio.to_thread(post, base, body, {"Authorization": f"Bearer {TOKEN}"})
    assert (missing[0], wrong[0], right[0]) == (401, 401, 202)
    assert missing[1]["WWW-Authenticate"].startswith("Bearer")
    assert right[2] == {"id": article_id, "topic": "tok.articles.raw"}
    prefixed = settings.replace(topic_prefix="tok.")
    records = await raw_records(prefixed, until=lambda rs: bool(keyed(rs, article_id)))
    assert keyed(records, article_id) == [body]  # exactly once: the refused ones never went
    assert (metric(base, "401"), metric(base, "202")) == (2, 1)
    assert TOKEN not in log.read_text(errors="replace")


# ---------------------------------------------------------------- drop folder


async def test_drop_folder_publishes_once_and_not_again_after_a_restart(
    settings: Settings, worker: str, tmp_path: Path
) -> None:
    article_id = f"drop-{uuid.uuid4().hex[:8]}"
    article = orjson.dumps(
        {"id": article_id, "headline": "Wire drop", "body": "Delivered by SFTP in Paris."}
    )
    (tmp_path / "upload.json.part").write_bytes(article)  # still uploading: left alone

    async def run_watcher(wait_for: Path | None) -> list[str]:
        said: list[str] = []
        stop = asyncio.Event()
        async with Publisher(settings) as publisher:
            task = asyncio.create_task(
                watch(
                    tmp_path,
                    settings,
                    publisher.send,
                    topic=publisher.topic,
                    interval_s=0.05,
                    stop=stop,
                    say=said.append,
                )
            )
            if wait_for is not None:
                await asyncio.to_thread(wait_until_exists, wait_for)
            await asyncio.sleep(0.3)  # a few more scans: a second send would happen now
            stop.set()
            await task
        return said

    # The uploader renames the finished file into place, as FTP clients do.
    os.replace(tmp_path / "upload.json.part", tmp_path / "story.json")
    said = await run_watcher(tmp_path / "done" / "story.json")
    assert (tmp_path / "done" / "story.json").read_bytes() == article
    assert any(line.startswith("sent story.json: 1 article(s)") for line in said)

    await run_watcher(None)  # restarted: nothing new to send
    records = await raw_records(settings, until=lambda rs: bool(keyed(rs, article_id)))
    assert keyed(records, article_id) == [article]
    enriched = await read_until(settings, "articles.enriched", lambda rs: article_id in by_id(rs))
    assert article_id in by_id(enriched)


def test_cli_watch_reports_each_file_and_stops_cleanly_on_ctrl_c(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "good.txt").write_text("Flood warning lifted\n\nThe river fell overnight.\n")
    (tmp_path / "bad.json").write_bytes(b'{"headline": ')
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "feed", "--watch", str(tmp_path), "--every", "100ms"],
        cwd=ROOT,
        env={**os.environ, "WIRESTREAM_BROKER": settings.broker},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            (tmp_path / "done" / "good.txt").exists()
            and (tmp_path / "failed" / "bad.json").exists()
        ):
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "sent good.txt: 1 article(s) → articles.raw, moved to done/good.txt" in stderr
    assert "failed bad.json: invalid:" in stderr
    assert "stopped: sent 1 article(s) from 1 file(s); 1 file(s) moved to failed/" in stderr
    assert "reason: invalid" in (tmp_path / "failed" / "bad.json.reason.txt").read_text()


# ---------------------------------------------------------------- feed polling


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The fixture feeds, served from a copy by http.server (it answers If-Modified-Since)."""
    served = tmp_path / "www"
    shutil.copytree(FIXTURES / "feeds", served)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_polling_a_feed_twice_publishes_each_entry_once(
    settings: Settings, worker: str, feed_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, served = feed_server
    state = tmp_path / "state.json"
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "feed",
        "--poll",
        f"{base}/rss.xml",
        "--once",
        "--state",
        str(state),
    ]
    env = {**os.environ, "WIRESTREAM_BROKER": settings.broker}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    first = await asyncio.to_thread(run)
    assert first.returncode == 0, first.stderr
    assert "3 entries: 2 new sent, 0 already seen, 1 skipped, 0 failed to send" in first.stderr
    assert f"skipped {RSS_IDS[1]}: " in first.stderr  # the text-less gallery, reported

    os.utime(served / "rss.xml", (time.time() + 60, time.time() + 60))  # "changed": a full GET
    second = await asyncio.to_thread(run)
    assert second.returncode == 0, second.stderr
    assert "3 entries: 0 new sent, 3 already seen, 0 skipped" in second.stderr

    records = await raw_records(settings, until=lambda rs: bool(keyed(rs, RSS_IDS[0])))
    (ferry,) = keyed(records, RSS_IDS[0])
    assert orjson.loads(ferry)["source"] == "Harbour Gazette & Wire"
    assert keyed(records, RSS_IDS[1]) == []
    assert len([k for k, _ in records if k.startswith("feed-")]) == 1  # the fish market, once
    enriched = await read_until(settings, "articles.enriched", lambda rs: RSS_IDS[0] in by_id(rs))
    assert by_id(enriched)[RSS_IDS[0]]["headline"] == "Ferry service resumes after storm"
