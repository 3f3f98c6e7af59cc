"""`wirestream feed --poll URL --every 60s`: publish each new entry of an RSS/Atom feed once.

Only the given URL is fetched: http(s) only, redirects are reported instead of followed, with
a size cap and a total timeout; `feedparser` is handed the fetched bytes as a stream, never a
URL or a string it could take for a file name. Each entry becomes a raw-article JSON
(`id`, `headline`, `body` as plain text, `url`, `published_at`, `source` = the feed's title),
is checked with the parse stage's own `parse_article`, and is published keyed by its id.

The ids already handled live in a small JSON state file (bounded), saved after the broker
acknowledged the sends: a crash in between sends those entries once more, with the same ids and
keys, which consumers dedupe. A failed send is not remembered, so the next poll retries it.
"""

import asyncio
import calendar
import hashlib
import io
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import orjson

from agents.errors import StageError
from agents.formats.dates import normalise_datetime
from agents.formats.markup import html_paragraphs
from agents.parse import Limits, parse_article
from pipeline.feed import Payload, sleep_unless_stopped
from pipeline.settings import Settings
from pipeline.watch import SendFn

SEEN_LIMIT = 5_000  # remembered ids per feed: far more than any feed lists at once
STATE_MAX_BYTES = 4_000_000  # 5,000 ids of at most 200 characters, with room to spare
MAX_ID_CHARS = 200  # RawArticle.id's limit
CHUNK_BYTES = 65_536
USER_AGENT = "wirestream-feed-poller/0.1"
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class PollError(Exception):
    """This poll failed as a whole (unreachable, HTTP error, too large, not a feed)."""


def parse_interval(text: str) -> float:
    """ "60s", "5m", "1h", "500ms" or a bare number of seconds → seconds (more than 0)."""
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"not an interval: {text!r} (use e.g. 30s, 5m, 1h)")
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError(f"the interval must be more than 0, got {text!r}")
    return seconds


@dataclass(frozen=True, slots=True)
class Fetched:
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError 30x, which we report with the Location


def check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PollError(f"not an http(s) URL: {url!r}")


def fetch_feed(
    url: str,
    *,
    max_bytes: int,
    timeout_s: float,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET `url` (conditional when we have its ETag/Last-Modified); blocking, run it in a thread.
    The timeout bounds connecting and every read; the whole download gets `timeout_s` too."""
    check_url(url)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.1",
        "Accept-Encoding": "identity",  # no decompression bombs: the cap applies to real bytes
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    opener = urllib.request.build_opener(_RefuseRedirects)
    deadline = time.monotonic() + timeout_s
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=timeout_s) as reply:
            declared = reply.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise PollError(f"the feed is {declared} bytes, over the cap of {max_bytes}")
            chunks: list[bytes] = []
            size = 0
            while chunk := reply.read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise PollError(f"the feed is over the cap of {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise PollError(f"the download took more than {timeout_s:g} s")
                chunks.append(chunk)
            return Fetched(
                b"".join(chunks),
                reply.headers.get("Content-Type"),
                reply.headers.get("ETag"),
                reply.headers.get("Last-Modified"),
            )
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Fetched(b"", None, etag, last_modified, not_modified=True)
        if 300 <= error.code < 400:
            where = error.headers.get("Location", "?")
            raise PollError(
                f"HTTP {error.code}: redirected to {where}; poll that URL instead "
                "(redirects are not followed)"
            ) from None
        raise PollError(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise PollError(f"cannot fetch {url}: {error.reason}") from None
    except TimeoutError:
        raise PollError(f"no answer within {timeout_s:g} s") from None
    except OSError as error:
        raise PollError(f"cannot fetch {url}: {error}") from None


def parse_feed(data: bytes, content_type: str | None) -> Any:
    """feedparser on bytes we fetched. A stream, so feedparser never opens a URL or a file."""
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.get("version") and not parsed.get("entries"):
        problem = parsed.get("bozo_exception") or "no RSS or Atom elements"
        raise PollError(f"not an RSS/Atom feed: {problem}")
    return parsed


def html_to_text(html: str) -> str:
    """Plain text with paragraphs separated by blank lines (the parse stage's HTML reader)."""
    paragraphs = html_paragraphs(html) if "<" in html else []
    return "\n\n".join(paragraphs) or " ".join(unescape(html).split())


def entry_id(entry: Mapping[str, Any], feed_url: str) -> str:
    """The entry's guid/id, else its link. Used as is when it looks globally unique (a URI such
    as a URL, urn: or tag:) and fits; else hashed with the feed URL so that two feeds'
    `<guid>123</guid>` never collide. Without any, a hash of the title and summary."""
    candidates = (entry.get("id"), entry.get("link"))
    given = next((v.strip() for v in candidates if isinstance(v, str) and v.strip()), None)
    if given and len(given) <= MAX_ID_CHARS and re.match(r"^[a-zA-Z][\w+.-]*:\S+$", given):
        return given
    basis = given or f"{entry.get('title', '')}\n{entry.get('summary', '')}"
    return "feed-" + hashlib.sha256(f"{feed_url}\n{basis}".encode()).hexdigest()[:24]


def _published(entry: Mapping[str, Any]) -> str | None:
    """ISO 8601 keeping the source's own UTC offset; feedparser's parsed times are converted
    to UTC, so they serve only when the source's string is in a form we do not read."""
    for key in ("published", "updated"):
        raw = entry.get(key)
        if isinstance(raw, str) and (zoned := normalise_datetime(raw.strip())):
            return zoned
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:  # a UTC time.struct_time
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    return None


def _body_html(entry: Mapping[str, Any]) -> str:
    contents = [c.get("value", "") for c in entry.get("content") or [] if isinstance(c, Mapping)]
    longest = max(contents, key=len, default="")
    summary = entry.get("summary") or ""
    return longest if len(longest) >= len(summary) else str(summary)


def _short(value: object, limit: int) -> str | None:
    text = " ".join(html_to_text(value).split()) if isinstance(value, str) else ""
    return text[:limit] or None


def feed_source(parsed: Any, feed_url: str) -> str:
    title = html_to_text(str(parsed.get("feed", {}).get("title") or ""))
    return (title or urllib.parse.urlsplit(feed_url).netloc)[:500]


def entry_to_raw(entry: Mapping[str, Any], *, source: str, feed_url: str) -> dict[str, Any]:
    """One feed entry as a raw article (the `articles.raw` contract)."""
    link = entry.get("link")
    raw: dict[str, Any] = {
        "id": entry_id(entry, feed_url),
        "source": source,
        "headline": " ".join(html_to_text(str(entry.get("title") or "")).split()),
        "body": html_to_text(_body_html(entry)),
        "url": link if isinstance(link, str) and 0 < len(link) <= 4000 else None,
        "byline": _short(entry.get("author"), 500),
        "published_at": _published(entry),
    }
    return {k: v for k, v in raw.items() if v is not None}


@dataclass(slots=True)
class PollState:
    url: str
    seen: list[str] = field(default_factory=list)  # oldest first, at most SEEN_LIMIT
    etag: str | None = None
    last_modified: str | None = None
    _index: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self._index = set(self.seen)

    def __contains__(self, entry_id: str) -> bool:
        return entry_id in self._index

    def remember(self, entry_id: str) -> None:
        if entry_id not in self._index:
            self.seen.append(entry_id)
            self._index.add(entry_id)
        if len(self.seen) > SEEN_LIMIT:  # forget the oldest: long gone from the feed
            for old in self.seen[: len(self.seen) - SEEN_LIMIT]:
                self._index.discard(old)
            del self.seen[: len(self.seen) - SEEN_LIMIT]

    @classmethod
    def load(cls, path: Path, url: str) -> "PollState":
        try:
            with path.open("rb") as file:
                data = file.read(STATE_MAX_BYTES + 1)
        except FileNotFoundError:
            return cls(url)
        except OSError as error:
            raise PollError(f"cannot read the state file {path}: {error.strerror}") from None
        try:
            if len(data) > STATE_MAX_BYTES:
                raise ValueError(f"over {STATE_MAX_BYTES} bytes")
            stored = orjson.loads(data)
            seen = [str(i) for i in stored["seen"]][-SEEN_LIMIT:]
            state = cls(stored["url"], seen, stored.get("etag"), stored.get("last_modified"))
        except (ValueError, KeyError, TypeError) as error:
            raise PollError(
                f"the state file {path} is damaged ({error}); move it away to start afresh "
                "(the entries now in the feed would then be sent again)"
            ) from None
        if state.url != url:
            raise PollError(f"the state file {path} belongs to {state.url}, not {url}")
        return state

    def save(self, path: Path) -> None:
        """Atomically: a crash leaves the previous state or the new one, never half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"url": self.url, "etag": self.etag, "last_modified": self.last_modified}
        partial = path.with_name(f".{path.name}.tmp")
        partial.write_bytes(orjson.dumps({**data, "seen": self.seen}, option=orjson.OPT_INDENT_2))
        os.replace(partial, path)


def default_state_path(url: str, settings: Settings) -> Path:
    """One file per feed URL under WIRESTREAM_POLL_STATE_DIR, else the XDG state directory."""
    if settings.poll_state_dir:
        base = Path(settings.poll_state_dir)
    else:
        xdg = os.environ.get("XDG_STATE_HOME")  # the platform's convention, not a setting
        base = (Path(xdg) if xdg else Path.home() / ".local" / "state") / "wirestream"
    host = re.sub(r"[^\w.-]", "_", urllib.parse.urlsplit(url).netloc) or "feed"
    return base / f"poll-{host}-{hashlib.sha256(url.encode()).hexdigest()[:12]}.json"


@dataclass(slots=True)
class PollReport:
    entries: int = 0
    sent: int = 0
    already_seen: int = 0
    skipped: list[str] = field(default_factory=list)  # "id: reason: message", reported once
    failed: list[str] = field(default_factory=list)  # send failures: retried at the next poll
    not_modified: bool = False

    def summary(self) -> str:
        if self.not_modified:
            return "not modified since the last poll"
        return (
            f"{self.entries} entries: {self.sent} new sent, {self.already_seen} already seen, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed to send"
        )


async def poll_once(
    url: str, state: PollState, state_path: Path, send: SendFn, settings: Settings
) -> PollReport:
    fetched = await asyncio.to_thread(
        fetch_feed,
        url,
        max_bytes=settings.poll_max_feed_bytes,
        timeout_s=settings.poll_timeout_s,
        etag=state.etag,
        last_modified=state.last_modified,
    )
    report = PollReport()
    if fetched.not_modified:
        report.not_modified = True
        return report
    parsed = parse_feed(fetched.body, fetched.content_type)
    source = feed_source(parsed, url)
    limits, received = Limits.from_settings(settings), datetime.now(UTC)
    fresh: list[tuple[str, Payload]] = []
    for entry in reversed(parsed.get("entries") or []):  # feeds list newest first
        report.entries += 1
        raw = entry_to_raw(entry, source=source, feed_url=url)
        ident = raw["id"]
        if ident in state or any(ident == i for i, _ in fresh):
            report.already_seen += 1
            continue
        payload = Payload(orjson.dumps(raw), f"{url}#{ident}", given_key=ident)
        try:
            parse_article(payload.value, limits=limits, ingested_at=received)
        except StageError as error:
            report.skipped.append(f"{ident}: {error.reason}: {error}")
            state.remember(ident)  # reported once; it would not get better by retrying
            continue
        fresh.append((ident, payload))
    try:
        results = await send([payload for _, payload in fresh])
    except Exception as error:  # no producer at all (broker down): all of them retried later
        results = [error] * len(fresh)
    for (ident, _), outcome in zip(fresh, results, strict=True):
        if outcome is None:
            state.remember(ident)
            report.sent += 1
        else:
            report.failed.append(f"{ident}: {type(outcome).__name__}: {outcome}")
    if not report.failed:
        # Only then: a 304 next time must not hide an entry whose send failed this time.
        state.etag, state.last_modified = fetched.etag, fetched.last_modified
    state.save(state_path)
    return report


async def poll(
    url: str,
    settings: Settings,
    send: SendFn,
    *,
    every_s: float,
    state_path: Path,
    stop: asyncio.Event,
    once: bool = False,
    say: Callable[[str], None] = print,
) -> int:
    """Poll until `stop` (or once). Exit code: 0, or 1 when the last poll failed or a send did."""
    check_url(url)
    state = PollState.load(state_path, url)
    say(
        f"polling {url} every {every_s:g} s; state {state_path} ({len(state.seen)} seen)"
        + ("" if once else "; Ctrl-C stops")
    )
    code = 0
    while not stop.is_set():
        try:
            report = await poll_once(url, state, state_path, send, settings)
        except PollError as error:
            say(f"poll failed: {error}")
            code = 1
        except OSError as error:  # the state file could not be saved: sent entries come again
            say(f"poll failed: cannot save the state file {state_path}: {error.strerror}")
            code = 1
        else:
            say(f"polled {url}: {report.summary()}")
            for line in report.skipped:
                say(f"skipped {line}")
            for line in report.failed:
                say(f"send failed, will retry: {line}")
            code = 1 if report.failed else 0
        if once:
            break
        await sleep_unless_stopped(stop, every_s)
    return code
