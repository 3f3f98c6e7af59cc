"""Topic names and their creation. Every source and sink topic is created up front with its
final partition count: partitions cannot be added later on the embedded broker."""

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from pipeline.settings import Settings

RAW = "articles.raw"
PARSED = "articles.parsed"
LANG = "articles.lang"
TAGGED = "articles.tagged"
ENRICHED = "articles.enriched"
FLAGGED = "comments.flagged"
DLQ = "articles.dlq"
ALL_TOPICS = (RAW, PARSED, LANG, TAGGED, ENRICHED, FLAGGED, DLQ)

log = logging.getLogger(__name__)


async def ensure_topics(settings: Settings) -> list[str]:
    """Create the missing topics; return the names created."""
    admin = AIOKafkaAdminClient(**settings.kafka_client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [settings.topic(t) for t in ALL_TOPICS if settings.topic(t) not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(name, settings.partitions, settings.replication) for name in missing]
            )
            log.info(
                "event=topics_created topics=%s partitions=%d",
                ",".join(missing),
                settings.partitions,
            )
        return missing
    finally:
        await admin.close()
