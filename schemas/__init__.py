"""Record models and the JSON Schema files published per topic."""

from schemas.records import (
    MODERATION_ATTRIBUTES,
    Article,
    Comment,
    DeadLetter,
    Decision,
    EnrichedArticle,
    EnrichedComment,
    Entity,
    EntityType,
    FlaggedComment,
    LanguageTag,
    Moderation,
    RawArticle,
    RawComment,
    Trace,
)

__all__ = [
    "MODERATION_ATTRIBUTES",
    "Article",
    "Comment",
    "DeadLetter",
    "Decision",
    "EnrichedArticle",
    "EnrichedComment",
    "Entity",
    "EntityType",
    "FlaggedComment",
    "LanguageTag",
    "Moderation",
    "RawArticle",
    "RawComment",
    "Trace",
]
