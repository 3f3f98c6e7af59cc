"""The drop folder without a broker: stability, moves, reasons, retries, the crash window."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.feed import Payload
from pipeline.settings import Settings
from pipeline.watch import (
    SEND_ATTEMPTS,
    DropFolder,
    FileState,
    StabilityTracker,
    WatchError,
    is_candidate,
    scan,
)

ARTICLE = orjson.dumps({"id": "w-1", "headline": "Storm closes harbour", "body": "Ships wait."})


class FakeSend:
    """Records what would be published; answers per payload like `Publisher.send`."""

    def __init__(self, fail: int = 0) -> None:
        self.batches: list[list[Payload]] = []
        self.fail = fail  # how many calls fail every payload

    async def __call__(self, payloads: Sequence[Payload]) -> list[BaseException | None]:
        self.batches.append(list(payloads))
        if self.fail:
            self.fail -= 1
            return [TimeoutError("no ack")] * len(payloads)
        return [None] * len(payloads)

    @property
    def keys(self) -> list[str]:
        return [p.key for batch in self.batches for p in batch]


def folder(
    path: Path, send: FakeSend, said: list[str] | None = None, **settings: object
) -> DropFolder:
    lines = said if said is not None else []
    drop = DropFolder(
        path, Settings().replace(**settings), send, topic="articles.raw", say=lines.append
    )
    drop.open()
    return drop


async def scans(drop: DropFolder, n: int = 2) -> None:
    for _ in range(n):
        await drop.scan_once()


def test_candidates_exclude_hidden_files_and_uploads_in_progress() -> None:
    assert is_candidate("story.json")
    for name in (".story.json", "story.json.part", "story.TMP", "x.filepart", ".lock"):
        assert not is_candidate(name), name


def test_a_file_is_ready_only_when_unchanged_across_two_scans() -> None:
    tracker = StabilityTracker()
    assert tracker.ready({"a": FileState(10, 1)}) == []
    assert tracker.ready({"a": FileState(20, 2)}) == []  # still growing
    assert tracker.ready({"a": FileState(20, 2), "b": FileState(5, 1)}) == ["a"]
    assert tracker.ready({"a": FileState(20, 2), "b": FileState(5, 1)}) == ["a", "b"]
    tracker.forget("a")
    assert tracker.ready({"a": FileState(20, 2)}) == []
    assert tracker.ready({"a": FileState(20, 3)}) == []  # touched: mtime counts too


def test_scan_lists_top_level_candidate_files_only(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"{}")
    (tmp_path / "b.json.part").write_bytes(b"{")
    (tmp_path / ".hidden").write_bytes(b"x")
    (tmp_path / "done").mkdir()
    (tmp_path / "done" / "old.json").write_bytes(b"{}")
    assert set(scan(tmp_path)) == {"a.json"}


async def test_sent_once_moved_to_done_and_not_again_after_a_restart(tmp_path: Path) -> None:
    send = FakeSend()
    (tmp_path / "story.json").write_bytes(ARTICLE)
    (tmp_path / "upload.json.part").write_bytes(b'{"half')
    said: list[str] = []
    drop = folder(tmp_path, send, said)
    await drop.scan_once()
    assert send.batches == []  # seen once: maybe still being written
    await scans(drop, 3)
    assert send.keys == ["w-1"]
    assert (tmp_path / "done" / "story.json").read_bytes() == ARTICLE
    assert not (tmp_path / "story.json").exists()
    assert (tmp_path / "upload.json.part").exists()  # never touched
    assert drop.report.sent_files == drop.report.sent_articles == 1
    assert any(line.startswith("sent story.json: 1 article(s)") for line in said)
    drop.close()

    again = folder(tmp_path, send)
    await scans(again, 3)
    assert send.keys == ["w-1"]


async def test_crash_after_the_ack_before_the_move_resends_with_the_same_keys(
    tmp_path: Path,
) -> None:
    (tmp_path / "batch.jsonl").write_bytes(
        b'{"id": "a", "headline": "A", "body": "x"}\n{"headline": "B", "body": "y"}\n'
    )

    class Crash(BaseException):
        pass

    class AckedThenKilled(FakeSend):
        async def __call__(self, payloads: Sequence[Payload]) -> list[BaseException | None]:
            await super().__call__(payloads)
            raise Crash  # the process dies between the broker's ack and the rename

    first = AckedThenKilled()
    drop = folder(tmp_path, first)
    with pytest.raises(Crash):
        await scans(drop)
    drop.close()
    assert (tmp_path / "batch.jsonl").exists()

    second = FakeSend()
    await scans(folder(tmp_path, second))
    assert second.keys == first.keys  # a duplicate consumers dedupe, nothing lost
    assert (tmp_path / "done" / "batch.jsonl").exists()


@pytest.mark.parametrize(
    ("name", "data", "settings", "reason"),
    [
        ("photo.jpg", b"\xff\xd8", {}, "unsupported_type"),
        ("big.json", ARTICLE, {"watch_max_file_bytes": 10}, "too_large"),
        ("broken.json", b'{"headline": ', {}, "invalid"),
        ("empty.jsonl", b"\n\n", {}, "empty"),
    ],
)
async def test_files_that_cannot_go_are_moved_to_failed_with_a_reason(
    tmp_path: Path, name: str, data: bytes, settings: dict[str, object], reason: str
) -> None:
    send = FakeSend()
    (tmp_path / name).write_bytes(data)
    said: list[str] = []
    drop = folder(tmp_path, send, said, **settings)
    await scans(drop)
    assert send.batches == []
    assert (tmp_path / "failed" / name).read_bytes() == data
    text = (tmp_path / "failed" / f"{name}.reason.txt").read_text()
    assert f"reason: {reason}\n" in text and f"file: {name}\n" in text
    assert drop.report.failed_files == [name]
    assert any(line.startswith(f"failed {name}: {reason}") for line in said)


async def test_one_bad_line_fails_the_whole_file_and_says_which(tmp_path: Path) -> None:
    send = FakeSend()
    (tmp_path / "batch.jsonl").write_bytes(ARTICLE + b"\n\xff\xfe\n" + ARTICLE + b"\n")
    await scans(folder(tmp_path, send))
    assert send.batches == []
    text = (tmp_path / "failed" / "batch.jsonl.reason.txt").read_text()
    assert "1 of 3 article(s) not valid for the parser, none sent" in text
    assert "batch.jsonl:2: invalid_encoding:" in text


async def test_unreadable_file_fails_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.json"
    locked.write_bytes(ARTICLE)
    drop = folder(tmp_path, FakeSend())
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked:  # chmod 000 does not stop root, so refuse it here
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    await scans(drop)
    reason = (tmp_path / "failed" / "locked.json.reason.txt").read_text()
    assert "reason: unreadable\ncannot read: Permission denied" in reason


async def test_send_failures_are_retried_then_given_up(tmp_path: Path) -> None:
    send = FakeSend(fail=SEND_ATTEMPTS)
    (tmp_path / "story.json").write_bytes(ARTICLE)
    drop = folder(tmp_path, send)
    await scans(drop, 1 + SEND_ATTEMPTS - 1)
    assert (tmp_path / "story.json").exists()  # still waiting for a retry
    await scans(drop, 1)
    assert len(send.batches) == SEND_ATTEMPTS
    reason = (tmp_path / "failed" / "story.json.reason.txt").read_text()
    assert "reason: send_failed" in reason and "TimeoutError" in reason


async def test_a_send_failure_then_success_goes_to_done(tmp_path: Path) -> None:
    send = FakeSend(fail=1)
    (tmp_path / "story.json").write_bytes(ARTICLE)
    said: list[str] = []
    await scans(folder(tmp_path, send, said), 3)
    assert send.keys == ["w-1", "w-1"]
    assert (tmp_path / "done" / "story.json").exists()
    assert any("retry 2 of 3" in line for line in said)


async def test_broker_down_leaves_the_file_waiting_without_using_up_attempts(
    tmp_path: Path,
) -> None:
    async def down(payloads: Sequence[Payload]) -> list[BaseException | None]:
        raise ConnectionError("broker down")

    (tmp_path / "story.json").write_bytes(ARTICLE)
    drop = folder(tmp_path, FakeSend())
    drop.send = down
    await scans(drop, SEND_ATTEMPTS + 2)
    assert (tmp_path / "story.json").exists()
    assert not (tmp_path / "failed" / "story.json").exists()


async def test_a_file_changed_while_being_sent_is_sent_again_later(tmp_path: Path) -> None:
    path = tmp_path / "story.json"
    path.write_bytes(ARTICLE)

    class WriterStillGoing(FakeSend):
        async def __call__(self, payloads: Sequence[Payload]) -> list[BaseException | None]:
            if not self.batches:
                path.write_bytes(ARTICLE + b" ")  # the uploader was not done after all
            return await super().__call__(payloads)

    send = WriterStillGoing()
    drop = folder(tmp_path, send)
    await scans(drop)
    assert path.exists() and len(send.batches) == 1
    await scans(drop)
    assert len(send.batches) == 2
    assert (tmp_path / "done" / "story.json").read_bytes() == ARTICLE + b" "


async def test_a_reused_name_does_not_overwrite_an_earlier_delivery(tmp_path: Path) -> None:
    (tmp_path / "done").mkdir()
    (tmp_path / "done" / "latest.json").write_bytes(b"earlier")
    (tmp_path / "latest.json").write_bytes(ARTICLE)
    await scans(folder(tmp_path, FakeSend()))
    done = sorted(p.name for p in (tmp_path / "done").iterdir())
    assert len(done) == 2 and "latest.json" in done
    assert (tmp_path / "done" / "latest.json").read_bytes() == b"earlier"


def test_a_second_watcher_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    first = folder(tmp_path, FakeSend())
    with pytest.raises(WatchError, match="another watcher"):
        folder(tmp_path, FakeSend())
    first.close()
    folder(tmp_path, FakeSend()).close()


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WatchError, match="not a directory"):
        folder(tmp_path / "nope", FakeSend())
