"""Prometheus metrics on one registry we own (never the global default).

Names: `wirestream_` prefix, base units, `_total` counters, `_seconds` histograms. Labels are
bounded: stage, outcome, reason, decision, entity type, a fixed set of languages, partition.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Languages get their own label value; everything else is "other" (bounded cardinality).
LANGUAGE_LABELS = frozenset(
    "ar en fr es de ru zh tr fa ur pt it nl sv pl hi ja ko id he und".split()
)
OUTCOMES = ("in", "ok", "dead_letter")

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
_STAGE_BUCKETS = (0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)


def language_label(code: str) -> str:
    return code if code in LANGUAGE_LABELS else "other"


class Metrics:
    # aiohttp refuses a charset inside content_type; the exposition is ASCII/UTF-8 anyway.
    content_type = CONTENT_TYPE_LATEST.replace("; charset=utf-8", "")

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.articles = Counter(
            "wirestream_articles_total",
            "Records seen per stage: in = read, ok = written on, dead_letter = failed",
            ["stage", "outcome"],
            registry=r,
        )
        self.stage_duration = Histogram(
            "wirestream_stage_duration_seconds",
            "Processing time per record in a stage (batch time / batch size)",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=r,
        )
        self.batch_size = Histogram(
            "wirestream_stage_batch_size",
            "Records per processed batch",
            ["stage"],
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
            registry=r,
        )
        self.enrich_latency = Histogram(
            "wirestream_ingest_to_enriched_seconds",
            "Time from ingestion (parse) to the enriched record being produced",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.dead_letters = Counter(
            "wirestream_dead_letters_total",
            "Records sent to the dead-letter topic",
            ["stage", "reason"],
            registry=r,
        )
        self.comments = Counter(
            "wirestream_comments_total",
            "Moderated comments by decision and language",
            ["decision", "language"],
            registry=r,
        )
        self.entities = Counter(
            "wirestream_entities_total", "Entities tagged by type", ["type"], registry=r
        )
        self.articles_by_language = Counter(
            "wirestream_articles_by_language_total",
            "Articles by detected body language",
            ["language"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "wirestream_consumer_lag_records",
            "High-water mark minus the committed offset, per assigned partition",
            ["topic", "partition"],
            registry=r,
        )
        self.consumer_stalled = Gauge(
            "wirestream_consumer_stalled",
            "1 when a partition has lag but its committed offset has not moved for 60 s",
            ["topic", "partition"],
            registry=r,
        )
        self.event_loop_lag = Gauge(
            "wirestream_event_loop_lag_seconds",
            "How late the worker's event loop woke up for a scheduled tick (last sample)",
            registry=r,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
