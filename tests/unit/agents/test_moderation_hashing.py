"""The run-time feature counts are the matrix scikit-learn's HashingVectorizer gives (the shipped
models were trained with it), without a worker importing scikit-learn."""

import subprocess
import sys

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from agents.moderation_engine.hashed_linear import FeatureCounts, feature_column
from agents.moderation_engine.textnorm import features, normalise

TEXTS = [
    "You are a disgrace, go back where you came from!!!",
    "أنت غبي جدا ولا تفهم شيئا",
    "Das ist doch völlig idiotisch",
    "这是什么垃圾评论",
    "s t u p i d   1d10t 😀",
    "",
    "ok ok ok ok",
]


def test_counts_equal_scikit_learns_hashing_vectorizer() -> None:
    norm = [normalise(t) for t in TEXTS]
    n = 2**18
    expected = HashingVectorizer(
        analyzer=features, n_features=n, alternate_sign=False, norm=None, dtype=np.float32
    ).transform(norm)
    got = FeatureCounts(n).transform(norm)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)
    assert got.data.max() > 1  # repeated features are summed into one entry


def test_feature_column_is_scikit_learns_murmurhash_column() -> None:
    for feature in ["abc", "مرحبا", "w:idiot", "c3:😀x", ""]:
        assert feature_column(feature, 2**20) == abs(murmurhash3_32(feature, seed=0)) % 2**20


def test_a_worker_does_not_import_scikit_learn() -> None:
    code = "import sys, agents; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
