"""Raw text like the seed, and our own structured raw-article JSON → `Document`."""

from agents import rawtext
from agents.formats.dates import normalise_datetime
from agents.formats.document import Document, DraftComment, Identity
from agents.formats.text_comments import split_comments
from schemas.records import RawArticle, RawComment


def identity(text: str, envelope: RawArticle) -> Identity:
    return Identity(envelope.id, envelope.source, envelope.url, rawtext.headline_of(text))


def read(text: str, envelope: RawArticle) -> Document:
    layout = rawtext.parse_layout(text)
    return Document(
        format="text",
        identity=identity(text, envelope),
        headline=layout.headline,
        paragraphs=layout.paragraphs,
        comments=split_comments(layout.comment_lines),
        version=envelope.version,
        source=envelope.source,
        url=envelope.url,
        published_at=normalise_datetime(envelope.published_at) or layout.published_at,
        byline=envelope.byline or layout.byline,
    )


def json_identity(envelope: RawArticle) -> Identity:
    return Identity(envelope.id, envelope.source, envelope.url, envelope.headline or "")


def read_json(envelope: RawArticle) -> Document:
    return Document(
        format="json",
        identity=json_identity(envelope),
        headline=envelope.headline or "",
        paragraphs=(envelope.body or "").splitlines(),
        comments=[_draft(comment) for comment in envelope.comments],
        version=envelope.version,
        source=envelope.source,
        url=envelope.url,
        published_at=normalise_datetime(envelope.published_at),
        byline=envelope.byline,
    )


def _draft(comment: RawComment) -> DraftComment:
    published = normalise_datetime(comment.published_at)
    return DraftComment(
        text=comment.text,
        id=comment.id,
        author=comment.author,
        published_at=published,
        published_label=None if published else comment.published_at,
        parent=comment.parent,
    )
