"""The moderation training script's experiment switches (synthetic rows: tests never read the
shared data)."""

import sys

import numpy as np
import pytest

from agents.moderation_engine.hashed_linear import make_vectorizer
from training.moderation import train_moderation
from training.moderation.data_split import Example


def rows(split: str) -> list[Example]:
    texts = [("you are a dog", 1), ("thanks for the report", 0), ("dogs like you", 1)]
    texts += [("nice article", 0), ("go away dog", 1), ("good morning", 0)]
    return [Example(t, "en", y, "mlma", split, "offensive" if y else "normal") for t, y in texts]


def test_news_rows_are_extra_negatives_and_leave_the_idf_alone() -> None:
    vectorizer = make_vectorizer(2**12)
    labelled = rows("train")
    news = [Example("the council met on tuesday", "en", 0, "news", "train")]
    idf, models = train_moderation.fit_on(vectorizer, labelled, [])
    idf_news, models_news = train_moderation.fit_on(vectorizer, labelled, news)
    np.testing.assert_array_equal(idf, idf_news)  # the IDF comes from the labelled rows only
    coef, _ = models["en"]["toxicity"]
    coef_news, _ = models_news["en"]["toxicity"]
    assert not np.array_equal(coef, coef_news)  # the news row did train the head


def test_news_negatives_are_refused_outside_an_experiment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "argv", ["train_moderation", "--news-negatives"])
    with pytest.raises(SystemExit):
        train_moderation.main()
