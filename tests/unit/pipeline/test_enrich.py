import io
import json
import subprocess
import sys

import orjson
import pytest
from jsonschema import Draft202012Validator

from pipeline.enrich import InProcessPipeline, enrich_stream
from pipeline.feed import read_payloads
from pipeline.settings import Settings
from schemas.generate import schema_path
from tests.conftest import ROOT, SEEDS


@pytest.fixture(scope="module")
def pipeline() -> InProcessPipeline:
    return InProcessPipeline(Settings())


def validator(topic: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_path(topic).read_text()))


def test_seeds_enrich_and_match_the_published_schema(pipeline: InProcessPipeline) -> None:
    payloads, _ = read_payloads(str(SEEDS))
    result = pipeline.run([p.value for p in payloads])
    assert result.dead_letters == []
    assert len(result.enriched) == len(payloads)
    schema = validator("articles.enriched")
    for article in result.enriched:
        schema.validate(orjson.loads(orjson.dumps(article.model_dump())))
        assert set(article.processed_at) == {"parse", "language", "entities", "moderation"}


def test_bad_records_become_dead_letters_with_their_line(pipeline: InProcessPipeline) -> None:
    good = orjson.dumps({"headline": "Markets rally", "body": "Stocks rose in Tokyo on Monday."})
    result = pipeline.run([good, b"{oops", good], first_offset=1)
    assert len(result.enriched) == 2
    (letter,) = result.dead_letters
    assert (letter.stage, letter.error, letter.offset) == ("parse", "InvalidJson", 2)
    validator("articles.dlq").validate(orjson.loads(orjson.dumps(letter.model_dump())))


def test_enrich_stream_reports_counts(pipeline: InProcessPipeline) -> None:
    source = io.BytesIO(
        b'{"headline": "H", "body": "Rain in Oslo."}\n\nHeadline only, no body {\n'
        b'{"text": "A raw article\\n\\nwith its body"}\n'
    )
    out, errors = io.StringIO(), io.StringIO()
    enriched, failed, _ = enrich_stream(Settings(), source, out, errors)
    assert (enriched, failed) == (2, 1)
    assert len(out.getvalue().splitlines()) == 2
    assert orjson.loads(errors.getvalue())["error"] == "EmptyArticle"


def test_enrich_command_line() -> None:
    seed_line = orjson.dumps({"text": (SEEDS / "000_93d7d80b8f23babd.txt").read_text()})
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "enrich"],
        input=seed_line + b"\n\xff\n",
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # one dead letter
    (record,) = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert record["language"]["code"] == "ar"
    assert record["comments"][0]["moderation"]["decision"] in {"review", "reject"}
    assert b'"error":"InvalidEncoding"' in done.stderr
    assert b"enriched 1, dead-lettered 1" in done.stderr
