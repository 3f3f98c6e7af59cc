"""Hashed n-gram TF-IDF features and per-language logistic-regression heads, stored without
pickle in one `.npz`.

Why hashing: there is no vocabulary to ship or version. A feature string's column is its
murmurhash3 (seed 0, utf-8; the `mmh3` package), as scikit-learn's HashingVectorizer computes it
(the models were trained with it, tests pin the two together), so the model file depends on no
scikit-learn release (a joblib pickle would). `FeatureCounts` does that vectorizer's work here:
importing scikit-learn costs a worker ~64 MB of RSS.

File layout (`np.savez_compressed`, deterministic bytes): `n_features`, `idf`, `heads`, `langs`,
and per (language m, head h): `coef_idx_{m}_{h}` (int32 columns), `coef_val_{m}_{h}` (float32),
`bias_{m}_{h}`, and the calibration `a_{m}_{h}`, `b_{m}_{h}`: p = sigmoid(a * logit + b).
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from mmh3 import hash as murmurhash3_32
from scipy import sparse  # type: ignore[import-untyped]

from agents.moderation_engine.textnorm import features, tokens

N_FEATURES = 2**20
FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]
# scipy ships no type information: a CSR matrix is `Any` to mypy.
Csr = Any


class Head(NamedTuple):
    """One fitted head as the training script hands it over."""

    coef: FloatArray
    bias: float
    scale: float  # calibration a
    shift: float  # calibration b


class FeatureCounts:
    """Per text, the count of each feature column: the matrix HashingVectorizer(analyzer=features,
    n_features=n, alternate_sign=False, norm=None, dtype=float32).transform(texts) gives
    (float32 counts, indices sorted and summed per row)."""

    def __init__(self, n_features: int = N_FEATURES) -> None:
        self.n_features = n_features

    def transform(self, texts: Sequence[str]) -> Csr:
        n = self.n_features
        columns: list[int] = []
        row_ends = [0]
        for text in texts:
            columns.extend(feature_column(f, n) for f in features(text))
            row_ends.append(len(columns))
        counts = sparse.csr_matrix(
            (
                np.ones(len(columns), dtype=np.float32),
                np.array(columns, dtype=np.int32),
                np.array(row_ends, dtype=np.int32),
            ),
            shape=(len(texts), n),
        )
        counts.sum_duplicates()
        return counts


def make_vectorizer(n_features: int = N_FEATURES) -> FeatureCounts:
    return FeatureCounts(n_features)


def tfidf(counts: Csr, idf: FloatArray) -> Csr:
    """Sublinear tf, idf weighting, L2 row norm (as TfidfTransformer(sublinear_tf=True))."""
    x = counts.tocsr(copy=True)
    np.log(x.data, out=x.data)
    x.data += 1.0
    x.data *= idf[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms).dot(x).tocsr()


def fit_idf(counts: Csr) -> FloatArray:
    n_rows = counts.shape[0]
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf: FloatArray = (np.log((1 + n_rows) / (1 + document_frequency)) + 1.0).astype(np.float32)
    return idf


def feature_column(feature: str, n_features: int) -> int:
    """Column of a feature string exactly as HashingVectorizer computes it."""
    h = murmurhash3_32(feature, 0)
    return (abs(h) if h != -(2**31) else 2**31) % n_features


class HashedLinearModel:
    """Scores normalised texts with per-language linear heads over shared hashed features."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as z:
            self.n_features = int(z["n_features"])
            self.idf: FloatArray = z["idf"].astype(np.float32)
            self.heads: list[str] = [str(h) for h in z["heads"]]
            self.langs: list[str] = [str(m) for m in z["langs"]]
            self._weights: dict[str, Csr] = {}  # language -> (n_features x heads)
            self._bias: dict[str, FloatArray] = {}
            self._calibration: dict[str, tuple[FloatArray, FloatArray]] = {}
            for lang in self.langs:
                rows = [z[f"coef_idx_{lang}_{h}"] for h in self.heads]
                cols = [np.full(len(r), j, dtype=np.int32) for j, r in enumerate(rows)]
                values = [z[f"coef_val_{lang}_{h}"] for h in self.heads]
                self._weights[lang] = sparse.csr_matrix(
                    (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                    shape=(self.n_features, len(self.heads)),
                    dtype=np.float32,
                )
                self._bias[lang] = self._per_head(z, "bias", lang)
                self._calibration[lang] = (
                    self._per_head(z, "a", lang),
                    self._per_head(z, "b", lang),
                )
        self._vectorizer = make_vectorizer(self.n_features)
        self._sorted_heads: dict[tuple[str, str], tuple[IntArray, FloatArray]] = {}

    def _per_head(self, z: Mapping[str, Any], name: str, lang: str) -> FloatArray:
        return np.array([float(z[f"{name}_{lang}_{h}"]) for h in self.heads], dtype=np.float32)

    def transform(self, norm_texts: Sequence[str]) -> Csr:
        return tfidf(self._vectorizer.transform(norm_texts), self.idf)

    def proba(self, x: Csr, lang: str) -> FloatArray:
        """(rows x heads) calibrated probabilities."""
        logits = np.asarray((x @ self._weights[lang]).todense()) + self._bias[lang]
        scale, shift = self._calibration[lang]
        probabilities: FloatArray = 1.0 / (1.0 + np.exp(-(scale * logits + shift)))
        return probabilities

    def top_words(self, x_row: Csr, norm_text: str, lang: str, head: str, k: int = 3) -> list[str]:
        """The words whose unigram and char n-grams add most to this head's logit (for the
        reasons). `x_row` is the comment's TF-IDF row from its batch."""
        idx, val = self._sorted_head(lang, head)
        cols = x_row.indices
        pos = np.minimum(np.searchsorted(idx, cols), len(idx) - 1)
        weights = np.where(idx[pos] == cols, val[pos], 0.0)
        contribution = dict(zip(cols.tolist(), (x_row.data * weights).tolist(), strict=True))
        scored = []
        for word in dict.fromkeys(tokens(norm_text)):
            columns = {
                feature_column(f, self.n_features) for f in features(word) if not f.startswith("b:")
            }
            scored.append((sum(contribution.get(c, 0.0) for c in columns), word))
        scored.sort(reverse=True)
        return [word for score, word in scored[:k] if score > 0]

    def _sorted_head(self, lang: str, head: str) -> tuple[IntArray, FloatArray]:
        key = (lang, head)
        if key not in self._sorted_heads:
            column = self._weights[lang][:, self.heads.index(head)].tocoo()
            order = np.argsort(column.row)
            self._sorted_heads[key] = (column.row[order], column.data[order])
        return self._sorted_heads[key]


def save_model(
    path: Path, idf: FloatArray, heads: Sequence[str], per_lang: Mapping[str, Mapping[str, Head]]
) -> None:
    """Write the model file; only non-zero weights are stored."""
    arrays: dict[str, Any] = {
        "n_features": np.array(len(idf)),
        "idf": idf.astype(np.float32),
        "heads": np.array(list(heads)),
        "langs": np.array(sorted(per_lang)),
    }
    for lang, fitted in per_lang.items():
        for head, (coef, bias, scale, shift) in fitted.items():
            nonzero = np.flatnonzero(np.abs(coef) > 1e-6).astype(np.int32)
            arrays[f"coef_idx_{lang}_{head}"] = nonzero
            arrays[f"coef_val_{lang}_{head}"] = coef[nonzero].astype(np.float32)
            arrays[f"bias_{lang}_{head}"] = np.array(bias, dtype=np.float32)
            arrays[f"a_{lang}_{head}"] = np.array(scale, dtype=np.float32)
            arrays[f"b_{lang}_{head}"] = np.array(shift, dtype=np.float32)
    np.savez_compressed(path, **arrays)
