"""The one settings object. Every value comes from a `WIRESTREAM_*` environment variable.

`Settings.from_env()` is the only place the environment is read; everything else receives a
`Settings`. Field `foo_bar` is read from `WIRESTREAM_FOO_BAR`.
"""

import dataclasses
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import get_type_hints

ENV_PREFIX = "WIRESTREAM_"
TOPOLOGIES = ("chain", "fused")


class SettingsError(ValueError):
    """A `WIRESTREAM_*` variable holds a value that cannot be used."""


@dataclass(frozen=True, slots=True)
class Settings:
    # Broker: `kafka://host:port`, several bootstrap servers separated by commas.
    broker: str = "kafka://127.0.0.1:9092"
    topic_prefix: str = ""
    partitions: int = 4
    replication: int = 1
    app_id: str = "wirestream"
    # chain: one agent per stage, each on its own topic (scale, replay, observe per stage);
    # fused: all stages in one agent on articles.raw (no hops; see README for the measurement).
    topology: str = "chain"
    # Pass-through security for a production Kafka (PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL).
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    sasl_username: str = ""
    sasl_password: str = ""
    ssl_cafile: str = ""
    # Worker web server (/metrics, /health).
    web_bind: str = "127.0.0.1"
    web_port: int = 6066
    # Batching: a stage takes up to `batch_size` events or what arrived within `batch_within_s`.
    batch_size: int = 64
    batch_within_s: float = 0.05
    # Faust hard-codes 1500 ms; Tansu does not answer a waiting fetch early, so every idle hop
    # would cost up to that long (measured, ARCHITECTURE.md).
    fetch_max_wait_ms: int = 100
    producer_linger_ms: int = 5
    # Size caps on everything that comes from outside.
    max_article_bytes: int = 4_000_000
    max_comments: int = 1_000
    max_comment_chars: int = 20_000
    # Moderation: the largest of toxicity/insult/threat/identity_attack decides; `review` is the
    # band between. A word-list hit alone scores 0.75 and profanity alone is at most review, so at
    # 0.8 only a model score rejects (reject precision per data set: bench/moderation_eval.py).
    moderation_review_threshold: float = 0.5
    moderation_reject_threshold: float = 0.8
    # Arabic entity spans cover the whole written word, as ANERcorp's gold does («وسوريا», "and
    # Syria"; canonical is "Syria" either way). True: a known name loses an attached و/ب/ل/ف/ك
    # («سوريا»); Arabic dev-set F1 .73 → .68, the span convention alone (bench/ner_eval.py).
    ner_arabic_bare_names: bool = False
    log_level: str = "info"
    # Ingest paths (README "Ingest paths"). POST /ingest on the worker: when a token is set,
    # requests need `Authorization: Bearer <token>`. A secret: masked in describe(), never logged.
    ingest_token: str = ""
    # `feed --watch DIR`: seconds between scans; a file is sent once its size and mtime held
    # across two scans. The file cap bounds one delivered file (a .jsonl may hold many articles;
    # each article still obeys max_article_bytes).
    watch_interval_s: float = 2.0
    watch_max_file_bytes: int = 64_000_000
    # `feed --poll URL`: default --every, total time and size allowed for one fetch, and where
    # the seen-entries state lives (empty: $XDG_STATE_HOME/wirestream or ~/.local/state/wirestream).
    poll_interval_s: float = 300.0
    poll_timeout_s: float = 30.0
    poll_max_feed_bytes: int = 10_000_000
    poll_state_dir: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, object] = {}
        for field in fields(cls):
            name = ENV_PREFIX + field.name.upper()
            if name in env:
                values[field.name] = _convert(name, env[name], hints[field.name])
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def replace(self, **changes: object) -> "Settings":
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> None:
        if not self.broker.startswith("kafka://") or not self.bootstrap_servers:
            raise SettingsError(
                f"WIRESTREAM_BROKER must look like kafka://host:port, got {self.broker!r}"
            )
        if self.topology not in TOPOLOGIES:
            raise SettingsError(
                f"WIRESTREAM_TOPOLOGY must be one of {', '.join(TOPOLOGIES)}, got {self.topology!r}"
            )
        for name in ("partitions", "replication", "batch_size", "max_article_bytes"):
            if getattr(self, name) < 1:
                raise SettingsError(f"WIRESTREAM_{name.upper()} must be at least 1")
        for name in ("watch_max_file_bytes", "poll_max_feed_bytes"):
            if getattr(self, name) < 1:
                raise SettingsError(f"WIRESTREAM_{name.upper()} must be at least 1")
        for name in ("watch_interval_s", "poll_interval_s", "poll_timeout_s"):
            if not getattr(self, name) > 0:
                raise SettingsError(f"WIRESTREAM_{name.upper()} must be more than 0")
        if not 0 < self.moderation_review_threshold <= self.moderation_reject_threshold <= 1:
            raise SettingsError(
                "moderation thresholds must satisfy 0 < review <= reject <= 1, got "
                f"{self.moderation_review_threshold} / {self.moderation_reject_threshold}"
            )

    @property
    def bootstrap_servers(self) -> list[str]:
        """`kafka://a:9092,b:9092` → `["a:9092", "b:9092"]` (port 9092 when omitted)."""
        hosts = self.broker.removeprefix("kafka://").strip("/")
        return [h if ":" in h else f"{h}:9092" for h in hosts.split(",") if h]

    def topic(self, logical_name: str) -> str:
        return self.topic_prefix + logical_name

    def kafka_client_options(self) -> dict[str, object]:
        """Options shared by every aiokafka client (security pass-through)."""
        options: dict[str, object] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol.startswith("SASL"):
            options.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password,
            )
        if (context := self.ssl_context()) is not None:
            options["ssl_context"] = context
        return options

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.security_protocol.endswith("SSL"):
            return None
        from aiokafka.helpers import create_ssl_context

        context: ssl.SSLContext = create_ssl_context(cafile=self.ssl_cafile or None)
        return context

    def describe(self) -> dict[str, object]:
        """Settings for logs: secrets masked."""
        shown = dataclasses.asdict(self)
        for secret in ("sasl_password", "ingest_token"):
            if shown[secret]:
                shown[secret] = "***"
        return shown


_BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _convert(name: str, raw: str, kind: object) -> object:
    try:
        if kind is bool:
            if raw.strip().lower() not in _BOOLEANS:
                raise ValueError(raw)
            return _BOOLEANS[raw.strip().lower()]
        if kind is int:
            return int(raw.replace("_", ""))
        if kind is float:
            return float(raw)
        return raw
    except ValueError:
        kind_name = getattr(kind, "__name__", str(kind))
        raise SettingsError(f"{name} must be a {kind_name}, got {raw!r}") from None
