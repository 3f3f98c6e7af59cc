"""End-to-end benchmark: in-process enrich vs. a worker on the embedded broker, in the chain
topology (one agent per stage, four hops) and the fused one (all stages in one agent).

Prints, from one run on one machine (so the ratios are comparable):
  * in-process `enrich` throughput (the speed limit of the stage functions),
  * per topology: worker throughput and its ratio to in-process, feed → enriched latency of the
    seed (first article) and p50/p99 at a low rate, worker RSS (current and peak).

    python bench/pipeline_bench.py [--articles 600] [--rate 20] [--latency-articles 100]
"""

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from pipeline.broker import EmbeddedBroker, free_port
from pipeline.enrich import InProcessPipeline
from pipeline.feed import Payload, publish, read_payloads
from pipeline.settings import TOPOLOGIES, Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_93d7d80b8f23babd.txt"


def corpus(n: int, tag: str) -> list[Payload]:
    """`n` articles cycling through the seeds, each with its own id (so none is deduplicated)."""
    seeds, _ = read_payloads(str(SEEDS))
    out = []
    for i in range(n):
        # The envelope's id wins in every format (JSON, ninjs, NewsML, HTML, raw text).
        document = seeds[i % len(seeds)].value.decode()
        record = {"id": f"bench-{tag}-{i}", "text": document}
        out.append(Payload(orjson.dumps(record), f"bench:{i}"))
    return out


def in_process_rate(payloads: list[Payload], settings: Settings) -> float:
    pipeline = InProcessPipeline(settings)
    pipeline.run([p.value for p in payloads[:16]])  # warm-up
    started = time.perf_counter()
    for i in range(0, len(payloads), settings.batch_size):
        pipeline.run([p.value for p in payloads[i : i + settings.batch_size]])
    return len(payloads) / (time.perf_counter() - started)


async def wait_enriched(
    settings: Settings, ids: set[str], arrivals: dict[str, float], timeout_s: float = 600
) -> None:
    consumer = AIOKafkaConsumer(
        settings.topic("articles.enriched"),
        **settings.kafka_client_options(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=20,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    deadline = time.monotonic() + timeout_s
    try:
        while not ids <= arrivals.keys() and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for message in batch:
                    record_id = orjson.loads(message.value)["id"]
                    arrivals.setdefault(record_id, now)
    finally:
        await consumer.stop()
    if not ids <= arrivals.keys():
        raise SystemExit(f"timeout: {len(ids - arrivals.keys())} articles never came out")


async def timed_feed(
    settings: Settings, payloads: list[Payload], rate: float | None
) -> dict[str, float]:
    """Publish (paced at `rate` per second when given) and note each article's send time."""
    if rate is None:
        started = time.perf_counter()
        await publish(settings, payloads, progress=False)
        return dict.fromkeys((p.key for p in payloads), started)
    sent: dict[str, float] = {}
    producer = AIOKafkaProducer(**settings.kafka_client_options(), linger_ms=0)
    await producer.start()
    try:
        first = time.perf_counter()
        for i, payload in enumerate(payloads):
            await asyncio.sleep(max(0.0, first + i / rate - time.perf_counter()))
            sent[payload.key] = time.perf_counter()
            await producer.send(
                settings.topic("articles.raw"), payload.value, key=payload.key.encode()
            )
    finally:
        await producer.stop()
    return sent


async def run_chain(settings: Settings, payloads: list[Payload], rate: float | None) -> list[float]:
    arrivals: dict[str, float] = {}
    ids = {p.key for p in payloads}
    waiter = asyncio.create_task(wait_enriched(settings, ids, arrivals))
    await asyncio.sleep(0.5)
    sent = await timed_feed(settings, payloads, rate)
    await waiter
    return [arrivals[key] - sent[key] for key in ids]


def rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def wait_healthy(url: str, worker: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if worker.poll() is not None:
            raise SystemExit("worker died at start")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("worker never became healthy")


worker_done = threading.Event()


def sample_loop_lag(port: int, lags: list[float], worker: subprocess.Popen[bytes]) -> None:
    """Read the worker's own event-loop lag gauge twice a second while the load runs."""
    while not worker_done.is_set() and worker.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                text = response.read().decode()
            match = re.search(r"^wirestream_event_loop_lag_seconds ([0-9.e+-]+)$", text, re.M)
            if match:
                lags.append(float(match.group(1)))
        except OSError:
            pass
        worker_done.wait(0.5)


def measure_worker(
    base: Settings, broker: EmbeddedBroker, topology: str, args: argparse.Namespace, local: float
) -> None:
    """Start one worker with `topology` on its own topics and group, and measure it."""
    settings = base.replace(broker=broker.url, web_port=free_port(), topic_prefix=f"{topology}.")
    env = {
        **os.environ,
        "WIRESTREAM_BROKER": broker.url,
        "WIRESTREAM_WEB_PORT": str(settings.web_port),
        "WIRESTREAM_TOPIC_PREFIX": settings.topic_prefix,
        "WIRESTREAM_APP_ID": f"bench-{topology}",
        "WIRESTREAM_TOPOLOGY": topology,
        "WIRESTREAM_LOG_LEVEL": "warning",
    }
    started = time.perf_counter()
    worker = subprocess.Popen([sys.executable, "-m", "pipeline", "worker"], env=env)
    try:
        wait_healthy(f"http://127.0.0.1:{settings.web_port}/health", worker)
        print(f"[{topology}] worker ready in {time.perf_counter() - started:.1f} s", flush=True)
        seed = Payload(orjson.dumps({"text": SEED.read_text()}), "seed")
        (cold,) = asyncio.run(run_chain(settings, [seed], rate=None))
        print(
            f"[{topology}] seed feed → enriched (first article): {cold * 1000:.0f} ms", flush=True
        )
        latencies = asyncio.run(
            run_chain(settings, corpus(args.latency_articles, "lat"), rate=args.rate)
        )
        q = statistics.quantiles(latencies, n=100)
        print(
            f"[{topology}] latency at {args.rate:g}/s over {len(latencies)} articles: "
            f"p50 {q[49] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms",
            flush=True,
        )
        payloads = corpus(args.articles, "tp")
        lags: list[float] = []
        sampler = threading.Thread(
            target=sample_loop_lag, args=(settings.web_port, lags, worker), daemon=True
        )
        worker_done.clear()
        t0 = time.perf_counter()
        sampler.start()
        asyncio.run(run_chain(settings, payloads, rate=None))
        rate = len(payloads) / (time.perf_counter() - t0)
        worker_done.set()
        sampler.join()
        if lags:
            print(
                f"[{topology}] event-loop lag under full load: max {max(lags) * 1000:.0f} ms, "
                f"median {statistics.median(lags) * 1000:.0f} ms ({len(lags)} samples)",
                flush=True,
            )
        print(
            f"[{topology}] throughput (1 worker): {rate:,.0f} articles/s = "
            f"{rate / local:.2f} × in-process",
            flush=True,
        )
        current, peak = rss_mb(worker.pid)
        print(f"[{topology}] worker RSS: {current:.0f} MB now, {peak:.0f} MB peak", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=600, help="throughput run size")
    parser.add_argument("--rate", type=float, default=20, help="latency run: articles/s")
    parser.add_argument("--latency-articles", type=int, default=100)
    parser.add_argument("--topology", choices=[*TOPOLOGIES, "both"], default="both")
    args = parser.parse_args()

    base = Settings.from_env()
    print(f"in-process: loading models, enriching {args.articles} articles…", flush=True)
    local = in_process_rate(corpus(args.articles, "local"), base)
    print(f"in-process enrich: {local:,.0f} articles/s", flush=True)
    with EmbeddedBroker() as broker:
        for topology in TOPOLOGIES if args.topology == "both" else (args.topology,):
            measure_worker(base, broker, topology, args, local)


if __name__ == "__main__":
    main()
