"""Stage 1, parse: raw bytes from `articles.raw` → a clean `Article` on `articles.parsed`.

Accepted payloads (see `agents.formats.sniff` for how each is recognised): our raw-article JSON
(`schemas.RawArticle`: structured, or an envelope `{"format": …, "text": <document>}`), plain
raw text like the seed, an HTML page, a NewsML-G2 `newsItem` and an IPTC ninjs item. Each
format's reader yields a `Document`; everything after that (cleaning, attribution, ids, hashes,
word count, comment threading) is shared here, so every format gets the same treatment.

`parse_article` is pure. The one piece of state, the version tracker, lives in the stage model
and is applied in `_run`.
"""

import hashlib
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Self

from agents import rawtext
from agents.errors import EmptyArticle, StageError, TooLarge
from agents.fingerprint import fingerprint
from agents.formats.document import Document, Identity
from agents.formats.reader import identify, read_document
from agents.formats.sniff import open_payload
from agents.stage import Stage, now
from pipeline.settings import Settings
from schemas import Article, Comment

_WORD = re.compile(r"\w+")
# Han ideographs and kana: each counts as one word (Chinese and Japanese put no spaces between
# words; one character per word is the usual convention, and close to the average length).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_MAX_ID_LENGTH = 200  # longer source ids (a ninjs uri can be any length) are hashed
_MAX_LABEL_LENGTH = 100
VERSION_TRACKER_CAPACITY = 100_000  # ids remembered per worker: ~20 MB


@dataclass(frozen=True, slots=True)
class Limits:
    max_article_bytes: int
    max_comments: int
    max_comment_chars: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings.max_article_bytes, settings.max_comments, settings.max_comment_chars)


class Parsed(NamedTuple):
    article: Article
    has_source_version: bool  # the version came from the source (ninjs, NewsML, envelope)


def parse_article(payload: bytes, *, limits: Limits, ingested_at: datetime) -> Article:
    """The pure parse function. Raises a typed `StageError` for input it cannot accept."""
    return parse_payload(payload, limits=limits, ingested_at=ingested_at).article


def parse_payload(payload: bytes, *, limits: Limits, ingested_at: datetime) -> Parsed:
    if len(payload) > limits.max_article_bytes:
        raise TooLarge(f"{len(payload)} bytes, over the cap of {limits.max_article_bytes}")
    document = read_document(open_payload(payload))
    return Parsed(build_article(document, limits, ingested_at), document.version is not None)


def build_article(document: Document, limits: Limits, ingested_at: datetime) -> Article:
    headline = rawtext.normalise(document.headline)
    cleaned = (rawtext.normalise(p) for p in document.paragraphs)
    attribution = rawtext.extract_attribution(
        [p for p in cleaned if p and not rawtext.is_boilerplate(p)]
    )
    paragraphs = attribution.paragraphs
    if not headline or not paragraphs:
        raise EmptyArticle("no headline or no body text after cleaning")
    if len(document.comments) > limits.max_comments:
        raise TooLarge(f"{len(document.comments)} comments, over the cap of {limits.max_comments}")
    article_id = derive_id(document.identity)
    body = "\n\n".join(paragraphs)
    comments = build_comments(document, article_id, limits)
    agency = document.agency or attribution.agency
    return Article(
        id=article_id,
        version=document.version or 1,
        content_hash=content_hash(headline, body, [c.text for c in comments]),
        source=_clean(document.source) or agency or "unknown",
        agency=agency,
        url=document.url,
        canonical_url=document.canonical_url,
        input_format=document.format,
        headline=headline,
        dateline=_clean(document.dateline) or attribution.dateline,
        byline=_byline(document.byline) or attribution.byline,
        body=body,
        paragraphs=paragraphs,
        word_count=count_words(body),
        fingerprint=fingerprint(body),
        published_at=document.published_at,
        ingested_at=ingested_at,
        comments=comments,
    )


def build_comments(document: Document, article_id: str, limits: Limits) -> list[Comment]:
    """Clean each comment like the body (keeping the commenter's line breaks), give it an id,
    and point replies at their parent's final id. Comments left empty by cleaning are dropped;
    a reply to a dropped comment becomes a top-level comment."""
    ids: list[str | None] = []
    comments: list[Comment] = []
    for n, draft in enumerate(document.comments, start=1):
        lines = (rawtext.normalise(line) for line in draft.text.splitlines())
        text = "\n".join(line for line in lines if line and not rawtext.is_boilerplate(line))
        if len(text) > limits.max_comment_chars:
            raise TooLarge(
                f"comment {n} has {len(text)} characters, cap {limits.max_comment_chars}"
            )
        if not text:
            ids.append(None)
            continue
        comment_id = draft.id or f"{article_id}-c{n}"
        ids.append(comment_id)
        parent = draft.parent
        if draft.parent_index is not None and 0 <= draft.parent_index < len(ids):
            parent = ids[draft.parent_index]
        comments.append(
            Comment(
                id=comment_id,
                author=_clean(draft.author),
                published_at=draft.published_at,
                published_label=(_clean(draft.published_label) or "")[:_MAX_LABEL_LENGTH] or None,
                parent=parent,
                text=text,
            )
        )
    return comments


def derive_id(identity: Identity) -> str:
    """The source's id; else a stable hash of source + url, else of source + headline."""
    given = (identity.id or "").strip()
    if given:
        return given if len(given) <= _MAX_ID_LENGTH else _hash_id(given)
    source = identity.source or ""
    if identity.url:
        return _hash_id(f"{source}\n{identity.url}")
    return _hash_id(f"{source}\n{rawtext.normalise(identity.headline)}")


def _hash_id(basis: str | bytes) -> str:
    data = basis.encode() if isinstance(basis, str) else basis
    return "ws-" + hashlib.sha256(data).hexdigest()[:20]


def message_key(payload: bytes) -> str:
    """The Kafka key a producer should use for a raw payload: the article id it will get, so
    every version of one article lands on one partition. Cheap: recognises the format and reads
    only what the id is derived from. Input the parse stage will refuse gets a hash of its
    bytes."""
    try:
        return derive_id(identify(open_payload(payload)))
    except StageError:
        return _hash_id(payload)


def content_hash(headline: str, body: str, comment_texts: Sequence[str]) -> str:
    digest = hashlib.sha256(headline.encode())
    for part in (body, *comment_texts):
        digest.update(b"\x1f" + part.encode())
    return digest.hexdigest()


def count_words(text: str) -> int:
    """Words in space-separated scripts, plus one per Han/kana character."""
    cjk = len(_CJK.findall(text))
    return cjk + len(_WORD.findall(_CJK.sub(" ", text) if cjk else text))


def _byline(value: str | None) -> str | None:
    """«By DANIEL OKAFOR» / «Von Anna Becker, dpa» → the name; anything else as it is."""
    cleaned = _clean(value)
    return rawtext.byline_of(cleaned) or cleaned if cleaned else None


def _clean(value: str | None) -> str | None:
    return rawtext.normalise(value)[:500] or None if value else None


class VersionTracker:
    """Versions for sources that send none: the same id with a changed content hash is the next
    version. In memory, LRU-bounded to `capacity` ids, per worker process — keys route every
    version of an id to one partition, so to one worker while the assignment holds.

    Deliberately not a Faust table (table recovery is unreliable on the embedded broker, see
    ARCHITECTURE.md): after a restart or a rebalance versions start again from the source's own
    version, or 1, so consumers must dedupe by `id` + `content_hash`, never by version alone. A
    source's own version (ninjs, NewsML, the envelope) always wins over the tracker's count.
    Not thread-safe: the stage runs its batches one at a time in its own thread."""

    def __init__(self, capacity: int = VERSION_TRACKER_CAPACITY) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, tuple[str, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def assign(self, article_id: str, digest: str, source_version: int | None) -> int:
        seen = self._seen.pop(article_id, None)
        if source_version is not None:
            version = source_version
        elif seen is None:
            version = 1
        else:
            last_digest, last_version = seen
            version = last_version if last_digest == digest else last_version + 1
        self._seen[article_id] = (digest, version)
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return version


@dataclass(frozen=True, slots=True)
class ParseModel(Limits):
    """What the parse stage keeps between batches: its limits, and the version tracker."""

    versions: VersionTracker = field(default_factory=VersionTracker, compare=False)


def _run(model: Limits, payloads: Sequence[bytes]) -> list[Article]:
    """Parse a batch and number versions. Bare `Limits` (tests, one-off calls) get a fresh
    tracker: versions then only count within the batch."""
    versions = model.versions if isinstance(model, ParseModel) else VersionTracker()
    received = now()
    parsed = [parse_payload(p, limits=model, ingested_at=received) for p in payloads]
    # Versions are assigned only once the whole batch parsed: if it raises, the runner retries
    # item by item, and the tracker must not have counted the first attempt.
    for article, has_source_version in parsed:
        source_version = article.version if has_source_version else None
        article.version = versions.assign(article.id, article.content_hash, source_version)
    return [article for article, _ in parsed]


def _identity(payload: bytes) -> bytes:
    return payload


STAGE: Stage[Limits, bytes] = Stage(
    name="parse",
    source="articles.raw",
    sink="articles.parsed",
    load=ParseModel.from_settings,
    decode=_identity,
    run=_run,
)
