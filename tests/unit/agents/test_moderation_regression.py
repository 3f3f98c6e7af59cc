"""The shipped model still gives the scores it gave when it was built (tests/fixtures/moderation/
README.md): catches a normaliser or feature change without retraining, a model file that does not
match the code, or a scikit-learn upgrade that hashes features differently."""

import json

import pytest

from agents.moderation_engine import CommentModerator
from tests.conftest import FIXTURES

CASES = [
    json.loads(line)
    for line in (FIXTURES / "moderation" / "regression.jsonl").read_text("utf-8").splitlines()
]


def test_the_fixture_covers_every_data_set() -> None:
    files = {case["source"].split(":")[0].rsplit("/", 1)[-1] for case in CASES}
    assert len(files) == 13 and len(CASES) == 65


def test_scores_and_decisions_are_unchanged(moderator: CommentModerator) -> None:
    verdicts = moderator.moderate_batch([(c["text"], c["lang"]) for c in CASES])
    for case, verdict in zip(CASES, verdicts, strict=True):
        assert verdict.decision == case["decision"], case["source"]
        for attribute, expected in case["scores"].items():
            got = verdict.scores[attribute]
            assert (got is None) == (expected is None), (case["source"], attribute)
            if expected is not None:
                assert got == pytest.approx(expected, abs=1e-3), (case["source"], attribute)
