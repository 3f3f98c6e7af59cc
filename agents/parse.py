"""Stage 1, parse: raw bytes from `articles.raw` → a clean `Article` on `articles.parsed`.

Accepted payloads (UTF-8): a raw-article JSON object (see `schemas.RawArticle`), or plain
raw text like the seed, which is the same as `{"text": <payload>}`.
"""

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from pydantic import ValidationError

from agents import rawtext
from agents.errors import EmptyArticle, InvalidEncoding, InvalidJson, InvalidShape, TooLarge
from agents.fingerprint import fingerprint
from agents.stage import Stage, now
from pipeline.settings import Settings
from schemas import Article, Comment, RawArticle

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w+")
_ID_FIELDS = {"source", "url", "text", "headline"}


@dataclass(frozen=True, slots=True)
class Limits:
    max_article_bytes: int
    max_comments: int
    max_comment_chars: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(settings.max_article_bytes, settings.max_comments, settings.max_comment_chars)


def parse_article(payload: bytes, *, limits: Limits, ingested_at: datetime) -> Article:
    """The pure parse function. Raises a typed `StageError` for input it cannot accept."""
    raw = decode_raw(payload, limits)
    if raw.text is not None:
        layout = rawtext.parse_layout(raw.text)
        headline, paragraphs = layout.headline, layout.paragraphs
        comments = layout.comments
        agency, dateline = layout.agency, layout.dateline
    else:
        headline = rawtext.normalise(raw.headline or "")
        paragraphs, agency, dateline = rawtext.extract_attribution(
            rawtext.split_paragraphs(raw.body or "")
        )
        comments = raw.comments
    if not headline or not paragraphs:
        raise EmptyArticle("no headline or no body text after cleaning")
    if len(comments) > limits.max_comments:
        raise TooLarge(f"{len(comments)} comments, over the cap of {limits.max_comments}")

    article_id = raw.id.strip() if raw.id and raw.id.strip() else derive_id(raw)
    body = "\n\n".join(paragraphs)
    parsed_comments = []
    for n, raw_comment in enumerate(comments, start=1):
        # Keep the commenter's line breaks; clean each line like the body.
        lines = (rawtext.normalise(line) for line in raw_comment.text.splitlines())
        text = "\n".join(line for line in lines if line)
        if len(text) > limits.max_comment_chars:
            raise TooLarge(
                f"comment {n} has {len(text)} characters, cap {limits.max_comment_chars}"
            )
        parsed_comments.append(
            Comment(
                id=raw_comment.id or f"{article_id}-c{n}",
                author=raw_comment.author,
                published_at=raw_comment.published_at,
                parent=raw_comment.parent,
                text=text,
            )
        )
    return Article(
        id=article_id,
        version=raw.version or 1,
        content_hash=content_hash(headline, body, [c.text for c in parsed_comments]),
        source=raw.source or agency or "unknown",
        agency=agency,
        url=raw.url,
        headline=headline,
        dateline=dateline,
        body=body,
        paragraphs=paragraphs,
        word_count=len(_WORD.findall(body)),
        fingerprint=fingerprint(body),
        published_at=raw.published_at,
        ingested_at=ingested_at,
        comments=parsed_comments,
    )


def decode_raw(payload: bytes, limits: Limits) -> RawArticle:
    """Bytes → validated `RawArticle`, or a typed error saying why not."""
    if len(payload) > limits.max_article_bytes:
        raise TooLarge(f"{len(payload)} bytes, over the cap of {limits.max_article_bytes}")
    try:
        text = payload.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise InvalidEncoding(f"not UTF-8: {error.reason} at byte {error.start}") from None
    stripped = text.strip()
    if not stripped:
        raise EmptyArticle("empty payload")
    if len(_CONTROL.findall(text[:4096])) > 8:
        raise InvalidShape("binary data: control characters in the payload")
    if stripped[0] not in "{[":
        return RawArticle(text=text)
    try:
        data = orjson.loads(stripped)
    except orjson.JSONDecodeError as error:
        raise InvalidJson(f"invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise InvalidShape(f"expected one JSON object per message, got {type(data).__name__}")
    try:
        raw = RawArticle.model_validate(data)
    except ValidationError as error:
        raise InvalidShape(f"not a raw article: {_first_error(error)}") from None
    if raw.text is None and not (raw.headline and raw.body):
        raise InvalidShape("a raw article needs 'text', or 'headline' and 'body'")
    return raw


def derive_id(raw: RawArticle | Mapping[str, Any]) -> str:
    """A stable id when the source gives none: hash of source + url, else source + headline."""
    fields = raw if isinstance(raw, Mapping) else raw.model_dump(include=_ID_FIELDS)
    source, url = fields.get("source") or "", fields.get("url") or ""
    if url:
        return _hash_id(f"{source}\n{url}")
    text, headline = fields.get("text"), fields.get("headline")
    if isinstance(text, str):
        headline = rawtext.headline_of(text)
    return _hash_id(f"{source}\n{rawtext.normalise(str(headline or ''))}")


def _hash_id(basis: str | bytes) -> str:
    data = basis.encode() if isinstance(basis, str) else basis
    return "ws-" + hashlib.sha256(data).hexdigest()[:20]


def message_key(payload: bytes) -> str:
    """The Kafka key a producer should use for a raw payload: the article id it will get, so
    every version of one article lands on one partition. Garbage gets a hash of its bytes."""
    try:
        text = payload.decode("utf-8").removeprefix("\ufeff").strip()
        data = orjson.loads(text) if text[:1] == "{" else {"text": text}
        if isinstance(data, dict):
            given = data.get("id")
            if isinstance(given, str) and given.strip():
                return given.strip()
            if isinstance(data.get("text"), str) or isinstance(data.get("headline"), str):
                return derive_id(data)
    except (UnicodeDecodeError, orjson.JSONDecodeError):
        pass
    return _hash_id(payload)


def content_hash(headline: str, body: str, comment_texts: Sequence[str]) -> str:
    digest = hashlib.sha256(headline.encode())
    for part in (body, *comment_texts):
        digest.update(b"\x1f" + part.encode())
    return digest.hexdigest()


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    return f"{where}: {first['msg']}"


def _run(limits: Limits, payloads: Sequence[bytes]) -> list[Article]:
    received = now()
    return [parse_article(p, limits=limits, ingested_at=received) for p in payloads]


def _identity(payload: bytes) -> bytes:
    return payload


STAGE: Stage[Limits, bytes] = Stage(
    name="parse",
    source="articles.raw",
    sink="articles.parsed",
    load=Limits.from_settings,
    decode=_identity,
    run=_run,
)
