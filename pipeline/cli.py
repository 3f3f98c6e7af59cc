"""The `wirestream` command. Every subcommand reads its settings from `WIRESTREAM_*`."""

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence

import orjson

from pipeline.broker import BrokerError, EmbeddedBroker, free_port, port_open
from pipeline.settings import Settings, SettingsError
from pipeline.topics import ALL_TOPICS, ENRICHED

log = logging.getLogger("wirestream")
WORKER_START_TIMEOUT_S = 180.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        code: int = args.run(args, settings)
        return code
    except (SettingsError, BrokerError) as error:
        print(f"wirestream: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirestream",
        description="Real-time news enrichment: raw articles in, parsed, language-tagged, "
        "entity-tagged and comment-moderated records out. Settings come from WIRESTREAM_* "
        "environment variables (see README); the broker is WIRESTREAM_BROKER "
        "(default kafka://127.0.0.1:9092).",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    broker = commands.add_parser(
        "broker",
        help="run the embedded Kafka-compatible broker",
        description="Run the embedded broker (Tansu, memory only) in "
        "the foreground on 127.0.0.1 and print its bootstrap address. "
        "Nothing is kept on disk: a restart loses every topic.",
    )
    broker.add_argument("--port", type=int, default=9092, help="listen port (default 9092)")
    broker.set_defaults(run=run_broker)

    worker = commands.add_parser(
        "worker",
        help="run a Faust worker with every stage agent",
        description="Run one worker with all stage agents against "
        "WIRESTREAM_BROKER. Serves /metrics and /health on "
        "WIRESTREAM_WEB_BIND:WIRESTREAM_WEB_PORT. Start more workers "
        "to scale: they share the partitions.",
    )
    worker.set_defaults(run=run_worker)

    up = commands.add_parser(
        "up",
        help="broker + worker in one command, printing results",
        description="Start the embedded broker and one worker, optionally "
        "feed PATH, and print every enriched article as it arrives. "
        "Ctrl-C stops everything.",
    )
    up.add_argument("--feed", metavar="PATH", help="publish these raw articles once running")
    up.add_argument("--port", type=int, help="broker port (default 9092, or a free one)")
    up.set_defaults(run=run_up)

    feed = commands.add_parser(
        "feed",
        help="publish raw articles to articles.raw",
        description="Publish raw articles: a .txt file (a whole raw "
        "article), a .json file (one object or an array), a .jsonl "
        "file, a directory of those, or '-' for stdin (JSON lines, or "
        "one raw text article).",
    )
    feed.add_argument("path", metavar="PATH|-")
    feed.add_argument("--rate", type=float, help="at most this many articles per second")
    feed.set_defaults(run=run_feed)

    tail = commands.add_parser(
        "tail",
        help="print a topic's records as JSON lines",
        description="Print records of a topic as JSON lines on stdout. "
        "Without --from-beginning, only records produced from now on.",
    )
    tail.add_argument(
        "--topic", default=ENRICHED, choices=ALL_TOPICS, help=f"topic to read (default {ENRICHED})"
    )
    tail.add_argument("--from-beginning", action="store_true", help="start at the oldest record")
    tail.add_argument("--max", type=int, metavar="N", help="stop after N records")
    tail.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="stop after S seconds without a record; exit 1 if --max N was not reached",
    )
    tail.add_argument(
        "--summary",
        action="store_true",
        help="one human-readable line per enriched article instead of JSON",
    )
    tail.set_defaults(run=run_tail)

    enrich = commands.add_parser(
        "enrich",
        help="batch mode: raw JSON lines → enriched, no broker",
        description="Read raw-article JSON lines on stdin, write enriched "
        "JSON lines on stdout, through the same stage functions as the "
        "agents. Records that fail go to stderr as dead-letter JSON "
        "lines; the exit code is 1 if any did.",
    )
    enrich.add_argument("--progress", action="store_true", help="progress bar on stderr")
    enrich.set_defaults(run=run_enrich)
    return parser


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="ts=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
        stream=sys.stderr,
    )
    # aiokafka narrates every subscription and group change at INFO; keep it for the worker only.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, logging.getLogger().level))


def run_broker(args: argparse.Namespace, settings: Settings) -> int:
    broker = EmbeddedBroker(port=args.port).start()
    print(f"broker listening: {broker.url}  (export WIRESTREAM_BROKER={broker.url})", flush=True)
    try:
        return broker.wait()
    finally:
        broker.stop()


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    import faust

    from pipeline.app import create_app
    from pipeline.topics import ensure_topics

    asyncio.run(_retry_until_reachable(settings))
    created = asyncio.run(ensure_topics(settings))
    if created:
        log.info("event=topics_ready created=%d", len(created))
    log.info("event=worker_starting settings=%s", orjson.dumps(settings.describe()).decode())
    app = create_app(settings)
    worker = faust.Worker(app, loglevel=settings.log_level.upper(), redirect_stdouts=False)
    worker.execute_from_commandline()
    return 0


async def _retry_until_reachable(settings: Settings, timeout_s: float = 30.0) -> None:
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaConnectionError

    deadline = time.monotonic() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(**settings.kafka_client_options())
        try:
            await admin.start()
            await admin.close()
            return
        except KafkaConnectionError:
            if time.monotonic() > deadline:
                raise BrokerError(
                    f"broker {settings.broker} unreachable for {timeout_s} s"
                ) from None
            await asyncio.sleep(1)


def run_feed(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.feed import FeedError, publish, read_payloads

    try:
        payloads, skipped = read_payloads(args.path)
    except FeedError as error:
        print(f"wirestream feed: {error}", file=sys.stderr)
        return 2
    report = asyncio.run(publish(settings, payloads, total=len(payloads), rate=args.rate))
    report.skipped_files = skipped
    print(report.summary(settings.topic("articles.raw")), file=sys.stderr)
    return 1 if report.failed or report.oversized else 0


def run_tail(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.tail import TailError, as_json_line, tail

    render = summary_line if args.summary else as_json_line
    try:
        printed = asyncio.run(
            tail(
                settings,
                args.topic,
                sys.stdout,
                from_beginning=args.from_beginning,
                max_records=args.max,
                idle_timeout_s=args.timeout,
                render=render,
            )
        )
    except TailError as error:
        print(f"wirestream tail: {error}", file=sys.stderr)
        return 2
    return 1 if args.max is not None and printed < args.max else 0


def run_enrich(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.enrich import enrich_stream

    enriched, failed, seconds = enrich_stream(
        settings, sys.stdin.buffer, sys.stdout, sys.stderr, progress=args.progress
    )
    rate = enriched / seconds if seconds else 0.0
    print(
        f"enriched {enriched}, dead-lettered {failed} in {seconds:.2f} s ({rate:.0f}/s)",
        file=sys.stderr,
    )
    return 1 if failed else 0


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


def run_up(args: argparse.Namespace, settings: Settings) -> int:
    port = args.port or (9092 if not port_open("127.0.0.1", 9092) else free_port())
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
        return asyncio.run(_follow(settings, args.feed))
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
