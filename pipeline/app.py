"""The Faust app: one thin agent per stage, /metrics and /health on the worker's web server."""

import asyncio
import logging
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import faust
from faust.types import TP

from agents import STAGES
from agents.errors import reason_of
from agents.stage import AnyStage, StageFailure, StageStats, run_chain
from pipeline.codec import dumps
from pipeline.deadletter import dead_letter
from pipeline.ingest import register_ingest
from pipeline.metrics import OUTCOMES, Metrics
from pipeline.settings import Settings
from pipeline.topics import DLQ
from pipeline.transport import Transport
from schemas import Article, Trace

log = logging.getLogger(__name__)
EVENT_LOOP_TICK_S = 0.25
LAG_INTERVAL_S = 5.0
STALL_AFTER_S = 60.0
RECORD_SIZE_FACTOR = 4  # an enriched record holds the text twice (body + paragraphs) plus data


@dataclass(slots=True)
class Message:
    """One consumed record, as the stage thread needs it."""

    key: str | None
    value: bytes
    topic: str
    partition: int
    offset: int


@dataclass(slots=True)
class Outcome:
    """What to publish for one consumed record."""

    article: Article | None
    failure: StageFailure | None
    sends: list[tuple[str, str, bytes]] = field(default_factory=list)  # (logical topic, key, value)


class WirestreamApp(faust.App):
    def __init__(self, settings: Settings, metrics: Metrics, **options: Any) -> None:
        self.settings = settings
        self.metrics = metrics
        # One thread runs every stage of this worker: the stage functions hold the GIL, and
        # four threads contending for it gave ~20 % less throughput than one (measured).
        self.stage_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stages")
        super().__init__(settings.app_id, **options)

    def _new_transport(self) -> Transport:
        return Transport(self.conf.broker_consumer, self)


def create_app(settings: Settings, metrics: Metrics | None = None) -> WirestreamApp:
    metrics = metrics or Metrics()
    app = WirestreamApp(
        settings,
        metrics,
        broker=[f"kafka://{server}" for server in settings.bootstrap_servers],
        broker_credentials=_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        web_enabled=True,
        web_bind=settings.web_bind,
        web_host=settings.web_bind,
        web_port=settings.web_port,
        broker_session_timeout=10,
        broker_heartbeat_interval=1,
        consumer_auto_offset_reset="earliest",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        producer_linger=settings.producer_linger_ms / 1000,
        # A record grows as it is enriched (body + paragraphs + entities): size the requests
        # and fetches for the largest raw article we accept, not Kafka's 1 MB default.
        producer_max_request_size=RECORD_SIZE_FACTOR * settings.max_article_bytes,
        consumer_max_fetch_size=RECORD_SIZE_FACTOR * settings.max_article_bytes,
        store="memory://",
        # Faust wants a data directory even with no tables; keep it out of the working tree.
        datadir=Path(tempfile.gettempdir()) / f"wirestream-{settings.app_id}",
    )
    app.conf.wirestream_fetch_max_wait_ms = settings.fetch_max_wait_ms
    for stages in routes(settings):
        _register_route(app, stages)
    _register_views(app)
    register_ingest(app)  # POST /ingest
    _register_monitors(app)
    return app


def _credentials(settings: Settings) -> faust.SASLCredentials | faust.SSLCredentials | None:
    if settings.security_protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password,
            mechanism=settings.sasl_mechanism,
            ssl_context=settings.ssl_context(),
        )
    if settings.security_protocol == "SSL":
        return faust.SSLCredentials(settings.ssl_context())
    return None


def routes(settings: Settings) -> list[tuple[AnyStage, ...]]:
    """Which stages run together in one agent: one each (the chain: every stage on its own
    topic, scaled and replayed on its own), or all four in one agent (fused: no hops between
    stages, for throughput; only articles.raw, articles.enriched, comments.flagged and
    articles.dlq carry records)."""
    if settings.topology == "fused":
        return [tuple(STAGES)]
    return [(stage,) for stage in STAGES]


def handle_batch(
    stages: Sequence[AnyStage], models: Sequence[object], messages: Sequence[Message]
) -> tuple[list[Outcome], list[StageStats]]:
    """Decode, run the stages, trace and serialise. Runs in the stage thread, off the loop."""
    chain = run_chain(stages, models, [message.value for message in messages])
    outcomes = []
    for message, result in zip(messages, chain.results, strict=True):
        if isinstance(result, StageFailure):
            letter = dead_letter(
                result.stage,
                result.error,
                message.value,
                key=message.key,
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            )
            outcomes.append(Outcome(None, result, [(DLQ, message.key or "", dumps(letter))]))
            continue
        for stage in stages:
            trace = Trace(
                stage=stage.name,
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            )
            result.trace.append(trace)
        sends = [(stages[-1].sink, result.id, dumps(result))]
        for stage in stages:
            sends += [
                (topic, key, dumps(record)) for topic, key, record in stage.side_outputs(result)
            ]
        outcomes.append(Outcome(result, None, sends))
    return outcomes, chain.stats


def _register_route(app: WirestreamApp, stages: tuple[AnyStage, ...]) -> None:
    settings, metrics = app.settings, app.metrics
    models = [stage.load(settings) for stage in stages]
    name = "+".join(stage.name for stage in stages)
    topics: dict[str, faust.TopicT] = {}

    def topic(logical: str) -> faust.TopicT:
        if logical not in topics:
            topics[logical] = app.topic(settings.topic(logical))
        return topics[logical]

    for stage in stages:
        for outcome in OUTCOMES:
            metrics.articles.labels(stage.name, outcome)
        metrics.stage_duration.labels(stage.name)

    async def agent(stream: faust.StreamT[bytes]) -> None:
        loop = asyncio.get_running_loop()
        # take_events is on the concrete Stream, not on the StreamT interface.
        async for events in cast(faust.Stream[bytes], stream).take_events(
            settings.batch_size, within=settings.batch_within_s
        ):
            messages = [_message(event) for event in events]
            outcomes, stats = await loop.run_in_executor(
                app.stage_executor, handle_batch, stages, models, messages
            )
            for stat in stats:
                metrics.articles.labels(stat.stage, "in").inc(stat.items_in)
                metrics.articles.labels(stat.stage, "ok").inc(stat.ok)
                metrics.batch_size.labels(stat.stage).observe(stat.items_in)
                for _ in range(stat.items_in):
                    metrics.stage_duration.labels(stat.stage).observe(stat.seconds / stat.items_in)
            for message, outcome in zip(messages, outcomes, strict=True):
                for logical, key, value in outcome.sends:
                    await topic(logical).send(key=key.encode(), value=value)
                if outcome.article is not None:
                    for stage in stages:
                        stage.observe(metrics, outcome.article)
                elif outcome.failure is not None:
                    _count_dead_letter(metrics, outcome.failure, message)

    app.agent(topic(stages[0].source), name=f"wirestream.{name}")(agent)


def _count_dead_letter(metrics: Metrics, failure: StageFailure, message: Message) -> None:
    reason = reason_of(failure.error)
    metrics.articles.labels(failure.stage, "dead_letter").inc()
    metrics.dead_letters.labels(failure.stage, reason).inc()
    log.warning(
        "event=dead_letter stage=%s reason=%s error=%s offset=%s:%d:%d",
        failure.stage,
        reason,
        type(failure.error).__name__,
        message.topic,
        message.partition,
        message.offset,
    )


def _message(event: faust.EventT[bytes]) -> Message:
    msg = event.message
    key = msg.key.decode("utf-8", "replace") if isinstance(msg.key, bytes) else None
    return Message(key, bytes(event.value or b""), msg.topic, msg.partition, msg.offset)


def _register_views(app: WirestreamApp) -> None:
    @app.page("/metrics")
    async def metrics_view(web: faust.web.View, request: faust.web.Request) -> Any:
        return web.bytes(app.metrics.exposition(), content_type=app.metrics.content_type)

    @app.page("/live")
    async def live_view(web: faust.web.View, request: faust.web.Request) -> Any:
        """Liveness: the process and its event loop answer. /health may be 503 during a
        rebalance, which must not get a worker restarted."""
        return web.json({"status": "alive"})

    @app.page("/health")
    async def health_view(web: faust.web.View, request: faust.web.Request) -> Any:
        assigned = len(app.consumer.assignment()) if app.consumer else 0
        ready = assigned > 0 and not app.rebalancing
        return web.json(
            {
                "status": "ok" if ready else "starting",
                "assigned_partitions": assigned,
                "stages": [stage.name for stage in STAGES],
            },
            status=200 if ready else 503,
        )


def _register_monitors(app: WirestreamApp) -> None:
    async def event_loop_lag() -> None:
        loop = asyncio.get_running_loop()
        while not app.should_stop:
            expected = loop.time() + EVENT_LOOP_TICK_S
            await asyncio.sleep(EVENT_LOOP_TICK_S)
            app.metrics.event_loop_lag.set(max(0.0, loop.time() - expected))

    progress: dict[TP, tuple[int, float]] = {}  # partition → (committed, when it last moved)
    reported: set[TP] = set()

    async def consumer_lag() -> None:
        """Lag = high-water mark (from fetches: right on Tansu, unlike ListOffsets) minus the
        committed offset Faust keeps; stalled = lag while the committed offset stands still."""
        now = asyncio.get_running_loop().time()
        assigned = app.consumer.assignment()
        for tp in reported - assigned:  # revoked: their values now belong to another worker
            for gauge in (app.metrics.consumer_lag, app.metrics.consumer_stalled):
                gauge.remove(tp.topic, str(tp.partition))
            progress.pop(tp, None)
        reported.intersection_update(assigned)
        # Faust's own bookkeeping of what it committed; no public accessor exists.
        committed_offsets = cast(
            Mapping[TP, int | None], getattr(app.consumer, "_committed_offset", {})
        )
        for tp in assigned:
            highwater = app.consumer.highwater(tp)
            if highwater is None:
                continue
            committed = committed_offsets.get(tp) or 0
            lag = max(0, highwater - committed)
            labels = (tp.topic, str(tp.partition))
            app.metrics.consumer_lag.labels(*labels).set(lag)
            if progress.get(tp, (None, 0.0))[0] != committed:
                progress[tp] = (committed, now)
            stalled = lag > 0 and now - progress[tp][1] > STALL_AFTER_S
            app.metrics.consumer_stalled.labels(*labels).set(1 if stalled else 0)
            reported.add(tp)

    app.task(event_loop_lag)
    app.timer(interval=LAG_INTERVAL_S)(consumer_lag)
