import io
from pathlib import Path

import orjson
import pytest

from agents.parse import message_key
from pipeline.feed import FeedError, read_payloads
from tests.conftest import SEEDS


def test_seed_directory_every_supported_format() -> None:
    payloads, skipped = read_payloads(str(SEEDS))
    origins = [p.origin for p in payloads]
    assert skipped == []
    # one payload per file, except the .jsonl file: one per line
    files = sorted(p for p in SEEDS.iterdir() if p.suffix != ".jsonl")
    lines = (SEEDS / "003_multi.jsonl").read_text().splitlines()
    assert len(payloads) == len(files) + len(lines)
    assert {Path(o).name for o in origins} >= {f.name for f in files}
    assert any(o.endswith("003_multi.jsonl:3") for o in origins)
    html = next(p for p in payloads if p.origin.endswith(".html"))
    assert html.value == (SEEDS / "012_html_site.html").read_bytes()  # documents go as they are
    seed = next(p for p in payloads if p.origin.endswith("000_93d7d80b8f23babd.txt"))
    assert orjson.loads(seed.value) == {"text": (SEEDS / "000_93d7d80b8f23babd.txt").read_text()}
    assert seed.key == message_key(seed.value)


def test_json_array_and_unsupported_files(tmp_path: Path) -> None:
    (tmp_path / "batch.json").write_text('[{"headline": "a", "body": "b"}, {"text": "c"}]')
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    payloads, skipped = read_payloads(str(tmp_path))
    assert [orjson.loads(p.value) for p in payloads] == [
        {"headline": "a", "body": "b"},
        {"text": "c"},
    ]
    assert skipped == [str(tmp_path / "photo.jpg")]


def test_broken_files_are_still_published_for_the_dead_letter_topic(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_bytes(b'{"headline": ')
    (tmp_path / "latin1.txt").write_bytes("Café".encode("latin-1"))
    payloads, _ = read_payloads(str(tmp_path))
    assert sorted(p.value for p in payloads) == sorted([b'{"headline": ', "Café".encode("latin-1")])


def test_stdin_json_lines_or_one_text_article() -> None:
    lines, _ = read_payloads("-", io.BytesIO(b'{"text": "a"}\n\n{"text": "b"}\n'))
    assert [p.value for p in lines] == [b'{"text": "a"}', b'{"text": "b"}']
    text, _ = read_payloads("-", io.BytesIO(b"Headline\n\nBody"))
    assert [orjson.loads(p.value) for p in text] == [{"text": "Headline\n\nBody"}]


def test_missing_path_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="no such file"):
        read_payloads("/nonexistent/wire")
