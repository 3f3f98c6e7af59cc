"""Shared fixtures: the seeds and the loaded engines (loaded once per test session)."""

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from agents.langid import LanguageIdentifier
from agents.moderation_engine import CommentModerator
from agents.ner import EntityTagger
from agents.parse import Limits, parse_article
from agents.stage import now
from schemas import Article

# CI runs the same examples every time: a red build must be reproducible, not a dice roll.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ARTICLE = SEEDS / "000_93d7d80b8f23babd.txt"
FIXTURES = Path(__file__).parent / "fixtures"
LIMITS = Limits(max_article_bytes=1_000_000, max_comments=100, max_comment_chars=10_000)


def parse(payload: bytes) -> Article:
    return parse_article(payload, limits=LIMITS, ingested_at=now())


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED_ARTICLE.read_bytes()


@pytest.fixture(scope="session")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


@pytest.fixture(scope="session")
def tagger() -> EntityTagger:
    return EntityTagger()


@pytest.fixture(scope="session")
def moderator() -> CommentModerator:
    return CommentModerator(review_threshold=0.5, reject_threshold=0.8)
