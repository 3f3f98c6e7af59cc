"""Record models: the one source of truth for what travels on every topic.

Names borrow from IPTC ninjs and schema.org NewsArticle where they fit. The JSON Schema files
beside this module are generated from these models (`python -m schemas.generate`).
On the wire every record is orjson bytes of `model.model_dump()`.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EntityType = Literal["PER", "ORG", "LOC", "MISC"]
Decision = Literal["approve", "review", "reject"]
InputFormat = Literal["text", "json", "ninjs", "newsml", "html"]
MODERATION_ATTRIBUTES = ("toxicity", "insult", "threat", "identity_attack", "profanity")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RawComment(BaseModel):
    """A reader comment as a source sends it."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=500)
    text: str
    published_at: str | None = Field(default=None, max_length=100)
    parent: str | None = Field(default=None, max_length=200)


class RawArticle(BaseModel):
    """What a producer puts on `articles.raw`. Either a structured article, `headline` + `body`
    (+ optional `comments`), or an envelope around a whole source document in `text`: raw text as
    on a news site (parsed like the seed), an HTML page, a NewsML-G2 `newsItem` or an IPTC ninjs
    object. The document's format is sniffed from its content; `format` overrides the sniffing.
    Envelope fields (`id`, `version`, `source`, `url`, `published_at`, `byline`) win over what
    the document itself says. A message may also be the bare document itself (an HTML page, a
    NewsML XML file, a ninjs JSON object or plain text) without any envelope."""

    model_config = ConfigDict(extra="ignore")

    format: InputFormat | None = Field(
        default=None,
        description="format of `text` (or of this object, for ninjs); sniffed if absent",
    )
    id: str | None = Field(default=None, max_length=200)
    version: int | None = Field(default=None, ge=1)
    source: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=4000)
    published_at: str | None = Field(default=None, max_length=100)
    byline: str | None = Field(default=None, max_length=500)
    headline: str | None = None
    body: str | None = None
    comments: list[RawComment] = Field(default_factory=list)
    text: str | None = Field(default=None, description="a whole source document, see `format`")


class Trace(_Record):
    """Where a record was read from, one entry per stage that handled it."""

    stage: str
    topic: str
    partition: int
    offset: int


class LanguageTag(_Record):
    code: str = Field(description="BCP 47 primary tag; 'und' when unknown")
    confidence: float = Field(ge=0, le=1)
    detector: str


class Entity(_Record):
    text: str
    type: EntityType
    start: int = Field(ge=0, description="character offset into body")
    end: int = Field(ge=0, description="character offset into body (exclusive)")
    confidence: float = Field(ge=0, le=1)
    canonical: str
    creator: str = Field(description="component@version")


class Moderation(_Record):
    decision: Decision
    scores: dict[str, float | None] = Field(
        description="0–1 per attribute (toxicity, insult, threat, identity_attack, profanity); "
        "null where the component cannot judge it"
    )
    reasons: list[str]
    creator: str


class Comment(_Record):
    id: str
    author: str | None = None
    published_at: str | None = Field(
        default=None, description="ISO 8601 with a UTC offset; null unless the source gave one"
    )
    published_label: str | None = Field(
        default=None, description="the time as the source showed it, e.g. '2 hours ago'"
    )
    parent: str | None = Field(default=None, description="id of the comment replied to")
    text: str
    language: LanguageTag | None = None
    moderation: Moderation | None = None


class Article(_Record):
    """The record on every topic after parsing; later stages fill `language`, `entities` and
    the comments' `language` and `moderation`."""

    id: str
    version: int = Field(ge=1)
    content_hash: str
    source: str
    agency: str | None = None
    url: str | None = None
    canonical_url: str | None = Field(
        default=None, description="the page's own preferred URL (link rel=canonical, og:url)"
    )
    input_format: InputFormat | None = Field(
        default=None, description="the format the raw message was parsed from"
    )
    headline: str
    dateline: str | None = None
    byline: str | None = None
    body: str
    paragraphs: list[str]
    word_count: int = Field(ge=0)
    fingerprint: str = Field(description="64-bit SimHash of the body, hex: near-duplicate key")
    published_at: str | None = Field(
        default=None,
        description="ISO 8601 with a UTC offset; null when the source gave none, or no zone",
    )
    ingested_at: datetime
    processed_at: dict[str, datetime] = Field(default_factory=dict)
    trace: list[Trace] = Field(default_factory=list)
    language: LanguageTag | None = Field(default=None, description="language of the body")
    headline_language: LanguageTag | None = None
    languages: list[str] = Field(
        default_factory=list,
        description="distinct languages detected with confidence across the paragraphs",
    )
    multilingual: bool = Field(default=False, description="paragraphs in several languages")
    entities: list[Entity] | None = None
    comments: Sequence[Comment] = Field(default_factory=list)


class EnrichedComment(Comment):
    language: LanguageTag
    moderation: Moderation


class EnrichedArticle(Article):
    """What lands on `articles.enriched`: every stage has run."""

    language: LanguageTag
    headline_language: LanguageTag
    entities: list[Entity]
    comments: Sequence[EnrichedComment] = Field(default_factory=list)


class FlaggedComment(_Record):
    """A comment needing a moderator (`review`) or removed (`reject`), on `comments.flagged`."""

    article_id: str
    article_version: int
    headline: str
    article_language: str
    comment: EnrichedComment
    flagged_at: datetime


class DeadLetter(_Record):
    """A record a stage could not handle, with everything needed to replay it."""

    stage: str
    error: str = Field(description="error class")
    message: str
    original: str = Field(description="the original message value, base64")
    key: str | None = None
    topic: str
    partition: int
    offset: int
    failed_at: datetime
