"""`wirestream feed --watch DIR`: a drop folder, the way agencies deliver over FTP/SFTP.

Every scan lists the regular files at the top of DIR (dotfiles and upload temporaries such as
`*.part`/`*.tmp` are not ours yet). A file is taken once its size and mtime held across two
consecutive scans (the writer has finished), read with a size cap, checked with the parse
stage's own `parse_article`, published, and only after the broker acknowledged every article
moved to `DIR/done/`. A file that cannot go goes to `DIR/failed/` beside `<name>.reason.txt`.

The files are the state: what is still in DIR has not been (fully) confirmed. A crash between
the broker's acknowledgement and the rename re-sends that one file on the next start: a
duplicate with the same keys and ids, which consumers dedupe. Nothing is ever lost.
"""

import asyncio
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from agents.errors import StageError
from agents.parse import Limits, parse_article
from pipeline.feed import SUPPORTED, Payload, payloads_of, sleep_unless_stopped
from pipeline.settings import Settings

log = logging.getLogger(__name__)
DONE, FAILED = "done", "failed"
LOCK_NAME = ".wirestream-watch.lock"
# Upload temporaries of common FTP/SFTP clients and servers (WinSCP writes `.filepart`).
TEMPORARY_SUFFIXES = (".part", ".tmp", ".filepart", ".partial", ".crdownload")
SEND_ATTEMPTS = 3  # scans a file may fail to send before it is given up to failed/
REASON_LINES_SHOWN = 20

SendFn = Callable[[Sequence[Payload]], Awaitable[list[BaseException | None]]]


class WatchError(Exception):
    """The drop folder cannot be watched (missing, not a directory, already watched)."""


@dataclass(frozen=True, slots=True)
class FileState:
    size: int
    mtime_ns: int


def is_candidate(name: str) -> bool:
    """A file the watcher may take: not hidden, not an upload still in progress."""
    return not name.startswith(".") and not name.lower().endswith(TEMPORARY_SUFFIXES)


def scan(directory: Path) -> dict[str, FileState]:
    """Candidate regular files directly in `directory` (done/ and failed/ are directories)."""
    found: dict[str, FileState] = {}
    with os.scandir(directory) as entries:
        for entry in entries:
            if not is_candidate(entry.name):
                continue
            try:
                if entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    found[entry.name] = FileState(stat.st_size, stat.st_mtime_ns)
            except FileNotFoundError:  # removed between listing and stat
                continue
    return found


class StabilityTracker:
    """Says which files are complete: same size and mtime as at the previous scan."""

    def __init__(self) -> None:
        self._previous: dict[str, FileState] = {}

    def ready(self, snapshot: Mapping[str, FileState]) -> list[str]:
        stable = sorted(
            name for name, state in snapshot.items() if self._previous.get(name) == state
        )
        self._previous = dict(snapshot)
        return stable

    def forget(self, name: str) -> None:
        """Start over for `name`: it must be seen stable across two more scans."""
        self._previous.pop(name, None)


@dataclass(slots=True)
class WatchReport:
    sent_files: int = 0
    sent_articles: int = 0
    failed_files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = f"sent {self.sent_articles} article(s) from {self.sent_files} file(s)"
        if self.failed_files:
            line += f"; {len(self.failed_files)} file(s) moved to failed/: " + ", ".join(
                self.failed_files[:5]
            )
        return line


class FileRejected(Exception):
    """A file that goes to failed/; `reason` is a short code for the reason file."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class DropFolder:
    def __init__(
        self,
        directory: Path,
        settings: Settings,
        send: SendFn,
        *,
        topic: str,
        say: Callable[[str], None] = print,
    ) -> None:
        self.inbox = directory
        self.done = directory / DONE
        self.failed = directory / FAILED
        self.settings = settings
        self.limits = Limits.from_settings(settings)
        self.send = send
        self.topic = topic
        self.say = say
        self.tracker = StabilityTracker()
        self.report = WatchReport()
        self._send_failures: dict[str, int] = {}
        self._stuck: set[str] = set()  # files we could not even move: reported once, then left
        self._lock: IO[bytes] | None = None

    def open(self) -> None:
        """Check the folder, create done/ and failed/, and take the folder's lock."""
        if not self.inbox.is_dir():
            raise WatchError(f"not a directory: {self.inbox}")
        try:
            self.done.mkdir(exist_ok=True)
            self.failed.mkdir(exist_ok=True)
            lock = (self.inbox / LOCK_NAME).open("ab")
        except OSError as error:
            raise WatchError(f"cannot prepare {self.inbox}: {error.strerror}") from None
        try:
            # Two watchers on one folder would both send each file: refuse the second.
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            raise WatchError(f"another watcher is already running on {self.inbox}") from None
        self._lock = lock

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    async def scan_once(self, stop: asyncio.Event | None = None) -> None:
        """One scan: take every file that is complete (stable since the previous scan)."""
        snapshot = scan(self.inbox)
        for name in self.tracker.ready(snapshot):
            if stop is not None and stop.is_set():
                return  # the rest stays in the inbox for the next run
            if name not in self._stuck:
                await self.take(name, snapshot[name])

    async def take(self, name: str, seen: FileState) -> None:
        path = self.inbox / name
        try:
            payloads = await asyncio.to_thread(self._read_and_check, path)
        except FileNotFoundError:
            return  # taken away by its writer; nothing of it was sent
        except FileRejected as rejected:
            self._reject(name, rejected)
            return
        try:
            results = await self.send(payloads)
        except Exception as error:  # no producer at all (broker down): not this file's fault
            self.say(f"broker unavailable ({type(error).__name__}: {error}); {name} waits")
            return
        errors = [error for error in results if error is not None]
        if errors:
            self._send_failed(name, len(payloads), errors)
            return
        self._send_failures.pop(name, None)
        if _state(path) != seen:
            # The writer touched the file after it looked complete: what we sent may be a
            # truncated copy. Leave it; once stable again it is sent again (same keys).
            self.tracker.forget(name)
            self.say(f"changed while being sent, will send again: {name}")
            return
        try:
            moved = _move(path, self.done)
        except OSError as error:
            self._stuck.add(name)
            self.say(f"sent but cannot move to done/ ({error.strerror}); left in place: {name}")
            return
        self.report.sent_files += 1
        self.report.sent_articles += len(payloads)
        self.say(f"sent {name}: {len(payloads)} article(s) → {self.topic}, moved to done/{moved}")

    def _read_and_check(self, path: Path) -> list[Payload]:
        """Read with the size cap, split into payloads, check each with the parse stage."""
        cap = self.settings.watch_max_file_bytes
        try:
            with path.open("rb") as file:
                data = file.read(cap + 1)  # never more than the cap, even if it grew
        except FileNotFoundError:
            raise
        except OSError as error:
            raise FileRejected("unreadable", f"cannot read: {error.strerror}") from None
        if len(data) > cap:
            raise FileRejected(
                "too_large", f"over the size cap of {cap} bytes (WIRESTREAM_WATCH_MAX_FILE_BYTES)"
            )
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED:
            raise FileRejected(
                "unsupported_type",
                f"unsupported file type {suffix or '(none)'}; supported: "
                + " ".join(sorted(SUPPORTED)),
            )
        payloads = payloads_of(data, suffix, path.name)
        if not payloads:
            raise FileRejected("empty", "no article in the file")
        problems = []
        received = datetime.now(UTC)
        for payload in payloads:
            try:
                parse_article(payload.value, limits=self.limits, ingested_at=received)
            except StageError as error:
                problems.append(f"{payload.origin}: {error.reason}: {error}")
        if problems:
            # All or nothing: a file in done/ means every article in it was sent.
            shown = problems[:REASON_LINES_SHOWN]
            if len(problems) > len(shown):
                shown.append(f"… and {len(problems) - len(shown)} more")
            raise FileRejected(
                "invalid",
                f"{len(problems)} of {len(payloads)} article(s) not valid for the parser, "
                "none sent:\n" + "\n".join(shown),
            )
        return payloads

    def _send_failed(self, name: str, total: int, errors: list[BaseException]) -> None:
        attempts = self._send_failures.get(name, 0) + 1
        first = f"{type(errors[0]).__name__}: {errors[0]}"
        if attempts < SEND_ATTEMPTS:
            self._send_failures[name] = attempts
            self.say(
                f"send failed for {len(errors)} of {total} article(s) of {name} ({first}); "
                f"retry {attempts + 1} of {SEND_ATTEMPTS} at a later scan"
            )
            return
        self._send_failures.pop(name, None)
        self._reject(
            name,
            FileRejected(
                "send_failed",
                f"send failed for {len(errors)} of {total} article(s) after {SEND_ATTEMPTS} "
                f"attempts ({first}); the others may have been sent, with the same keys",
            ),
        )

    def _reject(self, name: str, rejected: FileRejected) -> None:
        target = _destination(self.failed, name)
        reason_file = self.failed / f"{target.name}.reason.txt"
        when = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            # The reason first: a crash before the rename leaves the file in the inbox, to be
            # judged again at the next start, so every file in failed/ has its reason.
            _write_atomically(
                reason_file,
                f"file: {name}\nfailed_at: {when}\nreason: {rejected.reason}\n{rejected}\n",
            )
            os.replace(self.inbox / name, target)
        except FileNotFoundError:
            reason_file.unlink(missing_ok=True)
            return
        except OSError as error:
            self._stuck.add(name)
            self.say(f"failed ({rejected}) and cannot move to failed/ ({error.strerror}): {name}")
            return
        self.report.failed_files.append(name)
        first_line = str(rejected).splitlines()[0]
        self.say(f"failed {name}: {rejected.reason}: {first_line} → failed/{target.name}")


async def watch(
    directory: Path,
    settings: Settings,
    send: SendFn,
    *,
    topic: str,
    interval_s: float,
    stop: asyncio.Event,
    say: Callable[[str], None] = print,
) -> WatchReport:
    """Scan every `interval_s` until `stop` is set; the file being handled is finished first."""
    folder = DropFolder(directory, settings, send, topic=topic, say=say)
    folder.open()
    try:
        waiting = len(scan(directory))
        say(
            f"watching {directory} every {interval_s:g} s ({waiting} file(s) waiting); "
            f"sent files → {folder.done}, failed → {folder.failed}; Ctrl-C stops"
        )
        while not stop.is_set():
            await folder.scan_once(stop)
            await sleep_unless_stopped(stop, interval_s)
    finally:
        folder.close()
    return folder.report


def _state(path: Path) -> FileState | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return FileState(stat.st_size, stat.st_mtime_ns)


def _move(path: Path, directory: Path) -> str:
    """Rename `path` into `directory` (same file system: atomic); returns its name there."""
    target = _destination(directory, path.name)
    os.replace(path, target)
    return target.name


def _destination(directory: Path, name: str) -> Path:
    """Where `name` goes in `directory` without overwriting an earlier delivery of that name
    (agencies reuse names such as `latest.xml`)."""
    target = directory / name
    if not target.exists():
        return target
    stem, suffix = os.path.splitext(name)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = directory / f"{stem}.{stamp}{suffix}"
    n = 1
    while target.exists():
        target = directory / f"{stem}.{stamp}-{n}{suffix}"
        n += 1
    return target


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
