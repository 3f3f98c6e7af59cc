"""The `wirestream` command. Every subcommand reads its settings from `WIRESTREAM_*`."""

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Sequence

import orjson

from pipeline.broker import BrokerError, EmbeddedBroker
from pipeline.settings import Settings, SettingsError
from pipeline.topics import ALL_TOPICS, ENRICHED

log = logging.getLogger("wirestream")


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
        help="publish raw articles to articles.raw: files, a drop folder, an RSS/Atom feed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""Publish raw articles to articles.raw from one of three sources:

  PATH         a .txt file (a whole raw article), a .json file (one object or an array),
               a .jsonl file, a directory of those, or '-' for stdin (JSON lines, or one
               raw text article); sent once.
  --watch DIR  a drop folder, as agencies deliver over FTP/SFTP. Each new file is sent
               once its upload is complete (size and mtime unchanged across two scans;
               dotfiles, *.part and *.tmp are left alone), then moved to DIR/done/ -- or
               to DIR/failed/ beside <name>.reason.txt saying why. Runs until Ctrl-C.
  --poll URL   an RSS/Atom feed. Each new entry is sent once as a raw article; what was
               sent is remembered in a state file across restarts. Runs until Ctrl-C.

Every article is checked with the parse stage first (--watch, --poll): what it would
refuse is reported, not sent. Progress lines go to stderr.""",
        epilog="""examples:
  wirestream feed seeds/ --rate 50
  wirestream feed --watch /srv/wire/inbox --every 5s
  wirestream feed --poll https://example.org/news.rss --every 5m""",
    )
    feed.add_argument("path", metavar="PATH|-", nargs="?", help="files to publish once")
    feed.add_argument("--rate", type=float, help="with PATH: at most this many articles per second")
    feed.add_argument("--watch", metavar="DIR", help="watch this drop folder until Ctrl-C")
    feed.add_argument("--poll", metavar="URL", help="poll this RSS/Atom feed until Ctrl-C")
    feed.add_argument(
        "--every",
        metavar="INTERVAL",
        type=_interval,
        help="time between scans (--watch; default WIRESTREAM_WATCH_INTERVAL_S, 2s) or polls "
        "(--poll; default WIRESTREAM_POLL_INTERVAL_S, 5m): e.g. 500ms, 30s, 5m, 1h",
    )
    feed.add_argument(
        "--state",
        metavar="FILE",
        help="with --poll: the seen-entries file (default: one per URL under "
        "WIRESTREAM_POLL_STATE_DIR, else $XDG_STATE_HOME/wirestream or ~/.local/state/wirestream)",
    )
    feed.add_argument("--once", action="store_true", help="with --poll: poll once, then exit")
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


def _interval(text: str) -> float:
    from pipeline.poll import parse_interval

    try:
        return parse_interval(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _feed_usage_error(args: argparse.Namespace) -> str | None:
    sources = [name for name in ("path", "watch", "poll") if getattr(args, name) is not None]
    if len(sources) != 1:
        return "give exactly one of PATH, --watch DIR or --poll URL"
    if args.rate is not None and args.path is None:
        return "--rate goes with PATH"
    if args.every is not None and args.path is not None:
        return "--every goes with --watch or --poll"
    if (args.state is not None or args.once) and args.poll is None:
        return "--state and --once go with --poll"
    return None


def run_feed(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.feed import FeedError, publish, read_payloads

    if problem := _feed_usage_error(args):
        print(f"wirestream feed: {problem} (see wirestream feed --help)", file=sys.stderr)
        return 2
    if args.path is None:
        return _run_feed_source(args, settings)
    try:
        payloads, skipped = read_payloads(args.path)
    except FeedError as error:
        print(f"wirestream feed: {error}", file=sys.stderr)
        return 2
    report = asyncio.run(publish(settings, payloads, total=len(payloads), rate=args.rate))
    report.skipped_files = skipped
    print(report.summary(settings.topic("articles.raw")), file=sys.stderr)
    return 1 if report.failed or report.oversized else 0


def _run_feed_source(args: argparse.Namespace, settings: Settings) -> int:
    """`feed --watch DIR` / `feed --poll URL`: run until Ctrl-C (or SIGTERM), then stop after
    the file or poll in hand, so the folder and the state file stay consistent."""
    from pathlib import Path

    from aiokafka.errors import KafkaConnectionError

    from pipeline.feed import Publisher
    from pipeline.poll import PollError, check_url, default_state_path, poll
    from pipeline.watch import WatchError, watch

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stop_requested() -> None:
            say("stopping after the current item… (Ctrl-C again to quit at once)")
            stop.set()
            loop.remove_signal_handler(signal.SIGINT)  # a second Ctrl-C interrupts for real

        loop.add_signal_handler(signal.SIGINT, stop_requested)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        async with Publisher(settings) as publisher:
            if args.watch is not None:
                report = await watch(
                    Path(args.watch),
                    settings,
                    publisher.send,
                    topic=publisher.topic,
                    interval_s=args.every or settings.watch_interval_s,
                    stop=stop,
                    say=say,
                )
                say(f"stopped: {report.summary()}")
                return 0
            state = Path(args.state) if args.state else default_state_path(args.poll, settings)
            code = await poll(
                args.poll,
                settings,
                publisher.send,
                every_s=args.every or settings.poll_interval_s,
                state_path=state,
                stop=stop,
                once=args.once,
                say=say,
            )
            say("stopped" if not args.once else "done")
            return code

    try:
        # The usual mistakes first, before connecting to the broker.
        if args.watch is not None and not Path(args.watch).is_dir():
            raise WatchError(f"not a directory: {args.watch}")
        if args.poll is not None:
            check_url(args.poll)
        return asyncio.run(main())
    except (WatchError, PollError) as error:
        print(f"wirestream feed: {error}", file=sys.stderr)
        return 2
    except KafkaConnectionError as error:
        print(f"wirestream feed: broker {settings.broker} unreachable: {error}", file=sys.stderr)
        return 2


def run_up(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.up import run_up as up

    return up(settings, args.feed, args.port)


def run_tail(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.tail import TailError, as_json_line, tail
    from pipeline.up import summary_line

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
