"""What every format reader produces: one `Document`, before the shared cleaning in
`agents.parse` (normalisation, boilerplate, attribution, ids, hashes)."""

from dataclasses import dataclass, field

from schemas.records import InputFormat


@dataclass(frozen=True, slots=True)
class Identity:
    """What an article id is derived from. Computed by the same cheap function for the
    producer's message key (`message_key`) and for the parsed record, so the two always agree."""

    id: str | None
    source: str | None
    url: str | None
    headline: str


@dataclass(slots=True)
class DraftComment:
    text: str
    id: str | None = None
    author: str | None = None
    published_at: str | None = None  # normalised ISO 8601 with offset, or None
    published_label: str | None = None  # the time as shown ("2 hours ago"), when not absolute
    parent: str | None = None  # the id of the comment replied to, as the source gave it
    parent_index: int | None = None  # or its position in the document's comment list


@dataclass(slots=True)
class Document:
    format: InputFormat
    identity: Identity
    headline: str
    paragraphs: list[str]  # raw paragraphs, cleaned by the parse stage
    comments: list[DraftComment] = field(default_factory=list)
    version: int | None = None  # the source's own version, when it sends one
    source: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    published_at: str | None = None  # normalised
    byline: str | None = None
    agency: str | None = None
    dateline: str | None = None


def source_version(value: object) -> int | None:
    """A source's version (NewsML-G2 `version`, ninjs `version`: "2" or 2) as a positive int."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**31 else None
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        return None
    return int(text) or None
