import dataclasses
from collections.abc import Sequence

import orjson

from agents.errors import EmptyArticle
from agents.parse import STAGE as PARSE
from agents.parse import Limits
from agents.stage import process_batch
from schemas import Article
from tests.conftest import LIMITS


def test_one_bad_record_does_not_sink_its_batch() -> None:
    good = orjson.dumps({"headline": "H", "body": "Body text."})
    results = process_batch(PARSE, LIMITS, [good, b"", good])
    assert [type(r).__name__ for r in results] == ["Article", "EmptyArticle", "Article"]
    assert isinstance(results[1], EmptyArticle)
    for result in (results[0], results[2]):
        assert not isinstance(result, Exception) and "parse" in result.processed_at


def test_a_bug_in_a_stage_is_returned_not_raised() -> None:
    def broken(model: Limits, items: Sequence[bytes]) -> list[Article]:
        raise ZeroDivisionError("boom")

    stage = dataclasses.replace(PARSE, run=broken)
    (result,) = process_batch(stage, LIMITS, [b"x"])
    assert isinstance(result, ZeroDivisionError)
