"""Feed polling without a broker: intervals, HTML → text, entry mapping, the state file, and
fetching from a local HTTP server (no internet)."""

import contextlib
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline import poll as poll_module
from pipeline.feed import Payload
from pipeline.poll import (
    PollError,
    PollState,
    default_state_path,
    entry_to_raw,
    feed_source,
    fetch_feed,
    html_to_text,
    parse_feed,
    parse_interval,
    poll_once,
)
from pipeline.settings import Settings
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
RSS = (FEEDS / "rss.xml").read_bytes()
ATOM = (FEEDS / "atom.xml").read_bytes()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    send_length: bool = True


class FeedServer:
    """A local HTTP server in a thread; `routes` decide what each path answers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path, Route(404))
                time.sleep(route.delay_s)
                if (
                    route.headers.get("ETag")
                    and self.headers.get("If-None-Match") == (route.headers["ETag"])
                ):
                    route = Route(304)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                if route.status != 304:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(route.body)  # the client may have given up

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.close()


class FakeSend:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Payload] = []
        self.fail = fail

    async def __call__(self, payloads: Sequence[Payload]) -> list[BaseException | None]:
        if self.fail:
            return [TimeoutError("no ack")] * len(payloads)
        self.sent.extend(payloads)
        return [None] * len(payloads)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60s", 60), ("5m", 300), ("1h", 3600), ("500ms", 0.5), ("90", 90), (" 2M ", 120)],
)
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "0s", "-1s", "1d", "m"])
def test_bad_intervals_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_interval(text)


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = "<h1>Title</h1><p>One &amp; <b>two</b>\n three.</p><script>x()</script>Four<br>five"
    assert html_to_text(html) == "Title\n\nOne & two three.\n\nFour\n\nfive"
    assert html_to_text("plain text") == "plain text"


def test_rss_entries_become_raw_articles() -> None:
    parsed = parse_feed(RSS, "application/rss+xml")
    source = feed_source(parsed, "https://gazette.example/rss")
    first, second, gallery = (
        entry_to_raw(e, source=source, feed_url="https://gazette.example/rss")
        for e in parsed.entries
    )
    assert first == {
        "id": "https://gazette.example/news/ferry-resumes",
        "source": "Harbour Gazette & Wire",
        "headline": "Ferry service resumes after storm",
        "body": "The ferry to the islands sailed again on Tuesday, two days after the storm "
        "closed the harbour.\n\nThe port authority said repairs to the pier cost €40,000."
        "\n\nTimetables are back to normal.",  # <br/>: a line break, kept as a paragraph
        "url": "https://gazette.example/news/ferry-resumes",
        "byline": "desk@gazette.example (Marta Quinn)",
        "published_at": "2026-11-24T07:45:00+00:00",
    }
    # A guid that is not a URI ("4711") is hashed with the feed URL: no clash across feeds.
    assert second["id"].startswith("feed-") and len(second["id"]) == 29
    other = parse_feed(RSS, None).entries[1]
    assert (
        entry_to_raw(other, source="s", feed_url="https://other.example/rss")["id"]
        != (second["id"])
    )
    assert second["published_at"] == "2026-11-23T16:00:00+01:00"  # the source's offset kept
    assert second["body"].endswith("Building starts in spring.")
    assert gallery["body"] == "" and "published_at" not in gallery


def test_atom_entry_and_html_feed_title() -> None:
    parsed = parse_feed(ATOM, "application/atom+xml")
    (entry,) = parsed.entries
    raw = entry_to_raw(entry, source=feed_source(parsed, "u"), feed_url="u")
    assert raw["id"] == "tag:courier.example,2026:dam-inspection"
    assert raw["source"] == "Valley Courier"
    assert raw["body"].startswith("Inspection\n\nEngineers spent three days")
    assert raw["published_at"] == "2026-11-24T08:30:00+01:00"
    assert (raw["url"], raw["byline"]) == ("https://courier.example/dam", "Jonas Berg")


def test_ids_too_long_or_missing_are_derived_stably() -> None:
    long_link = {"link": "https://x.example/" + "a" * 300, "title": "T"}
    assert entry_to_raw(long_link, source="s", feed_url="u")["id"].startswith("feed-")
    anonymous = {"title": "T", "summary": "S"}
    assert (
        entry_to_raw(anonymous, source="s", feed_url="u")["id"]
        == (entry_to_raw(dict(anonymous), source="s", feed_url="u")["id"])
    )


def test_feedparser_only_sees_bytes_never_a_file_name_or_url(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(RSS)
    with pytest.raises(PollError, match="not an RSS/Atom feed"):
        parse_feed(str(secret).encode(), None)
    with pytest.raises(PollError, match="not an RSS/Atom feed"):
        parse_feed(b"<html><body>Not a feed</body></html>", "text/html")


def test_state_round_trip_is_bounded_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(poll_module, "SEEN_LIMIT", 3)
    path = tmp_path / "state" / "feed.json"
    state = PollState.load(path, "https://a.example/rss")
    assert state.seen == []
    for ident in "abcde":
        state.remember(ident)
    state.etag = '"v1"'
    state.save(path)
    again = PollState.load(path, "https://a.example/rss")
    assert again.seen == ["c", "d", "e"] and "c" in again and "a" not in again
    assert again.etag == '"v1"'
    assert [p.name for p in path.parent.iterdir()] == ["feed.json"]  # no temporary left
    with pytest.raises(PollError, match=re.escape("belongs to https://a.example/rss")):
        PollState.load(path, "https://b.example/rss")
    path.write_text("{not json")
    with pytest.raises(PollError, match="damaged"):
        PollState.load(path, "https://a.example/rss")


def test_default_state_path_per_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    one = default_state_path("https://a.example/rss", Settings())
    assert one.parent == tmp_path / "wirestream" and one.name.startswith("poll-a.example-")
    assert one != default_state_path("https://a.example/atom", Settings())
    chosen = Settings(poll_state_dir=str(tmp_path / "mine"))
    assert default_state_path("https://a.example/rss", chosen).parent == tmp_path / "mine"


def test_fetch_with_etag_then_not_modified(server: FeedServer) -> None:
    server.routes["/rss"] = Route(body=RSS, headers={"ETag": '"v1"', "Content-Type": "text/xml"})
    fetched = fetch_feed(f"{server.url}/rss", max_bytes=100_000, timeout_s=5)
    assert (fetched.body, fetched.etag, fetched.content_type) == (RSS, '"v1"', "text/xml")
    again = fetch_feed(f"{server.url}/rss", max_bytes=100_000, timeout_s=5, etag='"v1"')
    assert again.not_modified
    assert server.requests[-1][1]["If-None-Match"] == '"v1"'


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(301, headers={"Location": "https://elsewhere.example/"}), "redirected to https"),
        (Route(500), "HTTP 500"),
        (Route(body=b"x" * 2_000), "over the cap of 1000"),
        (Route(body=b"x" * 2_000, send_length=False), "over the cap of 1000"),
        (Route(body=RSS, delay_s=1.0), "no answer within 0.3 s"),
    ],
)
def test_fetch_failures_are_clear(server: FeedServer, route: Route, message: str) -> None:
    server.routes["/rss"] = route
    with pytest.raises(PollError, match=message):
        fetch_feed(f"{server.url}/rss", max_bytes=1_000, timeout_s=0.3)
    assert len(server.requests) == 1  # the given URL only: no redirect followed


def test_unreachable_and_non_http_urls() -> None:
    with pytest.raises(PollError, match="cannot fetch"):
        fetch_feed("http://127.0.0.1:1/rss", max_bytes=1_000, timeout_s=2)
    with pytest.raises(PollError, match="not an http"):
        fetch_feed("file:///etc/passwd", max_bytes=1_000, timeout_s=2)


async def test_poll_twice_sends_each_entry_once(server: FeedServer, tmp_path: Path) -> None:
    server.routes["/rss"] = Route(body=RSS)
    url, path, send = f"{server.url}/rss", tmp_path / "state.json", FakeSend()
    state = PollState.load(path, url)
    first = await poll_once(url, state, path, send, Settings())
    assert (first.entries, first.sent, first.already_seen) == (3, 2, 0)
    (skipped,) = first.skipped  # the gallery has no text: reported, once
    assert skipped.startswith("https://gazette.example/gallery/lights: ")  # + the parser's why
    # Oldest first, keyed by id, and every payload is a raw article JSON.
    assert [orjson.loads(p.value)["headline"] for p in send.sent] == [
        "Council approves new fish market",
        "Ferry service resumes after storm",
    ]
    assert all(p.key == orjson.loads(p.value)["id"] for p in send.sent)

    restarted = PollState.load(path, url)
    second = await poll_once(url, restarted, path, send, Settings())
    assert (second.sent, second.already_seen, second.skipped) == (0, 3, [])
    assert len(send.sent) == 2


async def test_failed_sends_are_retried_at_the_next_poll(
    server: FeedServer, tmp_path: Path
) -> None:
    server.routes["/rss"] = Route(body=RSS, headers={"ETag": '"v1"'})
    url, path = f"{server.url}/rss", tmp_path / "state.json"
    state = PollState.load(path, url)
    failed = await poll_once(url, state, path, FakeSend(fail=True), Settings())
    assert (failed.sent, len(failed.failed)) == (0, 2)
    assert state.etag is None  # so the next poll is not answered 304
    send = FakeSend()
    retried = await poll_once(url, PollState.load(path, url), path, send, Settings())
    assert retried.sent == 2 and len(send.sent) == 2


async def test_not_modified_sends_nothing(server: FeedServer, tmp_path: Path) -> None:
    server.routes["/rss"] = Route(body=RSS, headers={"ETag": '"v1"'})
    url, path, send = f"{server.url}/rss", tmp_path / "state.json", FakeSend()
    state = PollState.load(path, url)
    await poll_once(url, state, path, send, Settings())
    report = await poll_once(url, state, path, send, Settings())
    assert report.not_modified and report.summary() == "not modified since the last poll"
    assert len(send.sent) == 2
