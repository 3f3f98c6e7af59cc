"""`wirestream up`: the embedded broker and one worker in one command, feeding a path and
printing every enriched article as it arrives (what `make run` calls). Ctrl-C stops the worker
first, then the broker, and leaves no process behind."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import orjson

from pipeline.broker import BrokerError, EmbeddedBroker, free_port, port_open
from pipeline.settings import Settings
from pipeline.topics import ENRICHED

WORKER_START_TIMEOUT_S = 180.0


def summary_line(value: bytes | None, key: bytes | None) -> str:
    """One line per enriched article: headline, language, entities, comment decisions."""
    try:
        record = orjson.loads(value or b"")
        language = record["language"]
        entities = ", ".join(f"{e['type']}:{e['text']}" for e in record["entities"][:12])
        more = len(record["entities"]) - 12
        decisions = [c["moderation"]["decision"] for c in record["comments"]]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return f"(not an enriched record: {(value or b'')[:80]!r})"
    counted = (
        ", ".join(
            f"{decisions.count(d)} {d}" for d in ("approve", "review", "reject") if d in decisions
        )
        or "none"
    )
    return (
        f"● {record['headline'][:90]}\n"
        f"  id={record['id']} language={language['code']} ({language['confidence']:.2f}) "
        f"words={record['word_count']}\n"
        f"  entities: {entities or 'none'}{f' (+{more} more)' if more > 0 else ''}\n"
        f"  comments: {counted}"
    )


def run_up(settings: Settings, feed: str | None, port: int | None) -> int:
    port = port or (9092 if not port_open("127.0.0.1", 9092) else free_port())
    web_port = settings.web_port if not port_open("127.0.0.1", settings.web_port) else free_port()
    broker = EmbeddedBroker(port=port).start()
    settings = settings.replace(broker=broker.url, web_port=web_port)
    env = {**os.environ, "WIRESTREAM_BROKER": broker.url, "WIRESTREAM_WEB_PORT": str(web_port)}
    print(f"broker: {broker.url}", flush=True)
    # Own session, like the broker: on Ctrl-C we stop the worker before the broker.
    worker = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "worker"], env=env, start_new_session=True
    )
    try:
        metrics_url = f"http://{settings.web_bind}:{web_port}/metrics"
        print(f"worker: starting (pid {worker.pid}), loading models…", flush=True)
        _wait_healthy(f"http://{settings.web_bind}:{web_port}/health", worker)
        print(f"worker: ready. metrics: {metrics_url}", flush=True)
        return asyncio.run(_follow(settings, feed))
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    finally:
        _stop(worker)
        broker.stop()
        print("stopped: worker and broker", flush=True)


async def _follow(settings: Settings, feed_path: str | None) -> int:
    from pipeline.feed import publish, read_payloads
    from pipeline.tail import tail

    ready = asyncio.Event()
    printer = asyncio.create_task(
        tail(settings, ENRICHED, sys.stdout, render=summary_line, from_beginning=True, ready=ready)
    )
    await ready.wait()
    if feed_path:
        payloads, skipped = read_payloads(feed_path)
        report = await publish(settings, payloads, total=len(payloads))
        report.skipped_files = skipped
        print(report.summary(settings.topic("articles.raw")), flush=True)
    print("following articles.enriched — Ctrl-C to stop", flush=True)
    await printer
    return 0


def _wait_healthy(url: str, worker: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise BrokerError(f"the worker exited with code {worker.returncode} during start")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise BrokerError(f"the worker was not healthy within {WORKER_START_TIMEOUT_S:.0f} s")


def _stop(process: subprocess.Popen[bytes], timeout_s: float = 15.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
