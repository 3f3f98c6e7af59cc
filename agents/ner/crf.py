"""A linear-chain CRF decoder in numpy for models trained with CRFsuite and exported to npz.

Why our own decoder: python-crfsuite needs one list of feature strings per token, built in
Python, which caps speed near ~20k tokens/s. Our features depend only on the token type at a
fixed offset (agents/ner/features.py), so the emission score of token i is
sum_k E_k[type(i+k)], where E_k[type] is a label-score vector computed once per type and cached.
Decoding is then a few numpy gathers plus a batched Viterbi / forward-backward. The weights are
CRFsuite's own, so scores are identical (training checks the export on 200 sequences).
"""

from __future__ import annotations

import io
import json
import zipfile
from itertools import filterfalse
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]

from agents.ner.features import PAD_BOS, PAD_EOS, FeatureSet

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def save_model(
    labels: list[str],
    attrs: list[str],
    weights: npt.NDArray[np.float32],
    transitions: npt.NDArray[np.float32],
    meta: dict[str, Any],
) -> bytes:
    """The npz bytes of a model. np.savez stamps each member with the current time; a fixed
    timestamp makes a rebuild byte-for-byte identical (checked by sha256)."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "labels": np.frombuffer("\n".join(labels).encode(), dtype=np.uint8),
        "attrs": np.frombuffer("\n".join(attrs).encode(), dtype=np.uint8),
        "W": weights.astype(np.float32),
        "T": transitions.astype(np.float32),
        "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w") as out:
                np.lib.format.write_array(out, array, allow_pickle=False)
    return buffer.getvalue()


class LinearCRF:
    """Decoder for an exported CRFsuite model (labels, attrs, W[attr, label], T[from, to])."""

    CACHE_MAX = 30_000  # token types per model (<= 11 MB each); starts afresh when full

    def __init__(self, npz: bytes, features: FeatureSet) -> None:
        with np.load(io.BytesIO(npz), allow_pickle=False) as z:
            self.labels: list[str] = bytes(z["labels"]).decode().split("\n")
            attrs = bytes(z["attrs"]).decode().split("\n")
            self.weights: FloatArray = z["W"].astype(np.float64)
            self.transitions: FloatArray = z["T"].astype(np.float64)
            self.meta: dict[str, Any] = json.loads(bytes(z["meta"]).decode())
        self.features = features
        self.n_labels = len(self.labels)
        self.n_offsets = len(features.offsets)
        self.before = -features.offsets[0]
        self.after = features.offsets[-1]
        self.outside = self.labels.index("O")
        # per label id, for decode_spans: its type (an index into _kind_names) and B- or not
        self._kind_names = sorted({label[2:] for label in self.labels})
        self._kinds = np.array([self._kind_names.index(x[2:]) for x in self.labels], np.int64)
        self._begins = np.array([x.startswith("B-") for x in self.labels], dtype=bool)
        # >0 trades precision for recall (chosen per model on validation data, stored in meta)
        self.o_bias = float(self.meta.get("o_bias", 0.0))
        # Base feature -> its (offset slot, label) weights as one dense matrix: a new token type
        # costs one dict look-up per base feature and a sum of a few matrices. Same scores as
        # the template filter, because only template-allowed attributes have weights.
        # Ids start at 1 (row 0 stays zero), so that filter(None, ...) drops only unknown features.
        slot = {k: j for j, k in enumerate(features.offsets)}
        self._feature_ids: dict[str, int] = {}
        slots: list[int] = []
        feature_of_row: list[int] = []
        for attr in attrs:
            offset, feature = attr.split(":", 1)
            feature_of_row.append(self._feature_ids.setdefault(feature, len(self._feature_ids) + 1))
            slots.append(slot[int(offset)])
        self._feature_scores = np.zeros((len(self._feature_ids) + 1, self.n_offsets, self.n_labels))
        np.add.at(self._feature_scores, (feature_of_row, slots), self.weights)
        self.clear_cache()

    def with_features(self, features: FeatureSet) -> LinearCRF:
        """Same weights (shared arrays), another feature set (e.g. another language code)."""
        clone = object.__new__(LinearCRF)
        clone.__dict__.update(self.__dict__)
        clone.features = features
        clone.clear_cache()
        return clone

    def clear_cache(self) -> None:
        # type -> row of _scores; row r holds the (offset slot, label) scores of that type
        self._type_ids: dict[str, int] = {}
        self._scores: FloatArray = np.zeros((1024, self.n_offsets, self.n_labels))

    def _add_types(self, new_types: list[str]) -> None:
        """Score new token types in one go: each type's row of the table is the sum of its
        features' matrices, as one sparse (types x features) 0/1 matrix times the dense
        feature table. scipy's CSR product adds each row's entries in the order stored, i.e.
        feature order, so the sums are bit-identical to adding the matrices one by one (what
        np.add.reduceat over a gathered copy did, at 2-7x the CPU: measured on unseen text)."""
        first = len(self._type_ids)
        needed = first + len(new_types)
        if needed > len(self._scores):
            grown = np.zeros((max(needed, 2 * len(self._scores)), self.n_offsets, self.n_labels))
            grown[:first] = self._scores[:first]
            self._scores = grown
        feature_ids: list[int] = []
        row_ends: list[int] = []
        id_of = self._feature_ids.get
        for i, (token_type, features) in enumerate(
            zip(new_types, self.features.base_many(new_types), strict=True), start=first
        ):
            self._type_ids[token_type] = i
            feature_ids.extend(filter(None, map(id_of, features)))
            row_ends.append(len(feature_ids))
        incidence = sparse.csr_matrix(
            (np.ones(len(feature_ids)), np.array(feature_ids, np.int64), np.array([0, *row_ends])),
            shape=(len(new_types), len(self._feature_scores)),
        )
        table = self._feature_scores.reshape(len(self._feature_scores), -1)
        self._scores[first:needed] = (incidence @ table).reshape(-1, self.n_offsets, self.n_labels)

    def emissions(self, types: list[str]) -> FloatArray:
        """(n_tokens, n_labels) emission scores of one token sequence."""
        n = len(types)
        padded = [PAD_BOS] * self.before + types + [PAD_EOS] * self.after
        known = self._type_ids
        new_types = list(dict.fromkeys(filterfalse(known.__contains__, padded)))
        if len(known) + len(new_types) > self.CACHE_MAX:  # bounded memory: start afresh
            self.clear_cache()
            new_types = list(dict.fromkeys(padded))
        if new_types:
            self._add_types(new_types)
            known = self._type_ids
        ids = np.fromiter(map(known.__getitem__, padded), dtype=np.int64, count=len(padded))
        per_token = self._scores[ids]  # (n + padding, K, L)
        emissions = np.zeros((n, self.n_labels))
        for j, k in enumerate(self.features.offsets):
            emissions += per_token[self.before + k : self.before + k + n, j]
        if self.o_bias:
            emissions[:, self.outside] -= self.o_bias
        return emissions

    def decode(self, sequences: list[list[str]]) -> list[tuple[IntArray, FloatArray]]:
        """Label ids and the posterior of each chosen label, per token sequence."""
        return self.decode_emissions(
            [self.emissions(s) if s else np.zeros((0, self.n_labels)) for s in sequences]
        )

    def decode_emissions(
        self, batch: list[FloatArray], entities_only: bool = False
    ) -> list[tuple[IntArray, FloatArray]]:
        """Batched Viterbi + forward-backward: one numpy loop over positions for all sequences,
        so the per-step numpy overhead is paid once per batch, not once per sentence. Arrays
        are position-major, so that each step reads and writes one contiguous block.
        entities_only: posteriors only for sequences whose best path has an entity label (the
        tagger needs them for span confidences only); the others get NaN."""
        empty: tuple[IntArray, FloatArray] = (np.zeros(0, np.int64), np.zeros(0))
        out = [empty] * len(batch)
        decoded = self._decode(batch, entities_only)
        if decoded is None:
            return out
        order, sorted_lengths, path, chosen = decoded
        for j, b in enumerate(order.tolist()):
            out[b] = (path[: sorted_lengths[j], j], chosen[: sorted_lengths[j], j])
        return out

    def decode_spans(self, batch: list[FloatArray]) -> list[list[tuple[int, int, str, float]]]:
        """Per sequence, bio_spans of its best path as (first token, last token inclusive, type,
        lowest posterior of the span's tokens): decode_emissions(entities_only=True) + bio_spans,
        the same spans, but read off the whole batch with numpy, so that Python steps once per
        span and not once per token (most tokens are O)."""
        out: list[list[tuple[int, int, str, float]]] = [[] for _ in batch]
        decoded = self._decode(batch, entities_only=True)
        if decoded is None:
            return out
        order, sorted_lengths, path, chosen = decoded
        inside = np.arange(len(path))[:, None] < sorted_lengths[None, :]
        sequence, position = np.nonzero(((path != self.outside) & inside).T)  # by sequence
        if not len(sequence):
            return out
        labels = path[position, sequence]
        kinds = self._kinds[labels]
        # bio_spans, token by token: a label continues the span of the token before it when
        # that token is the one just before it in the same sequence, of the same type, and the
        # label is not a B- label; any other entity label starts a span.
        same = np.zeros(len(labels), dtype=bool)
        same[1:] = (
            (sequence[1:] == sequence[:-1])
            & (position[1:] == position[:-1] + 1)
            & ~self._begins[labels[1:]]
            & (kinds[1:] == kinds[:-1])
        )
        starts = np.flatnonzero(~same)
        lasts = np.append(starts[1:], len(labels)) - 1
        lowest = np.minimum.reduceat(chosen[position, sequence], starts)
        names = self._kind_names
        for j, first, last, kind, confidence in zip(
            order[sequence[starts]].tolist(),
            position[starts].tolist(),
            position[lasts].tolist(),
            kinds[starts].tolist(),
            lowest.tolist(),
            strict=True,
        ):
            out[j].append((first, last, names[kind], confidence))
        return out

    def _decode(
        self, batch: list[FloatArray], entities_only: bool
    ) -> tuple[IntArray, IntArray, IntArray, FloatArray] | None:
        """(order, sorted lengths, best paths, posteriors of the chosen labels), the last two
        (position, sorted sequence); sequences sorted longest first. None if all are empty."""
        size = len(batch)
        lengths = np.array([len(x) for x in batch], dtype=np.int64)
        longest = int(lengths.max()) if size else 0
        if longest == 0:
            return None
        # longest first, so that at step i the sequences still running are a prefix [:k]
        order = np.argsort(-lengths, kind="stable")
        sorted_lengths = lengths[order]
        em = np.zeros((longest, size, self.n_labels))  # position, sequence, label
        # one scatter instead of a numpy assignment per sequence
        positions = np.arange(int(sorted_lengths.sum())) - np.repeat(
            np.cumsum(sorted_lengths) - sorted_lengths, sorted_lengths
        )
        sequences = np.repeat(np.arange(size), sorted_lengths)
        em[positions, sequences] = np.concatenate([batch[b] for b in order])
        path = self._viterbi(em, sorted_lengths, self._active(sorted_lengths, longest))
        chosen = np.full((longest, size), np.nan)
        needed = np.arange(size)
        if entities_only:
            inside = np.arange(longest)[:, None] < sorted_lengths[None, :]
            needed = np.flatnonzero(((path != self.outside) & inside).any(axis=0))
        if len(needed):
            sub_lengths = sorted_lengths[needed]
            sub_longest = int(sub_lengths[0])
            posterior = self._posteriors(
                em[:sub_longest, needed], self._active(sub_lengths, sub_longest)
            )
            picked = path[:sub_longest, needed, None]
            chosen[:sub_longest, needed] = np.take_along_axis(posterior, picked, axis=2)[:, :, 0]
        return order, sorted_lengths, path, chosen

    @staticmethod
    def _active(sorted_lengths: IntArray, longest: int) -> list[int]:
        """Sequences still running at each position (lengths sorted longest first)."""
        return [int(k) for k in np.searchsorted(-sorted_lengths, -np.arange(longest), "left")]

    def _viterbi(self, em: FloatArray, lengths: IntArray, active: list[int]) -> IntArray:
        """Best paths, (position, sequence). Candidates are laid out (sequence, to, from), so the
        max over the previous label is over the contiguous last axis; ties go to the lowest
        label, as before."""
        longest, size, n_labels = em.shape
        from_to = np.ascontiguousarray(self.transitions.T)  # [to, from]
        back = np.zeros((longest, size, n_labels), dtype=np.intp)
        score = em[0].copy()
        candidates = np.empty((size, n_labels, n_labels))  # reused: no allocation per step
        # flat index of (sequence, to, from=0): + the best 'from' picks the winning candidate
        row_starts = np.arange(size * n_labels) * n_labels
        for i in range(1, longest):
            k = active[i]
            step = np.add(score[:k, None, :], from_to, out=candidates[:k])
            best = step.argmax(axis=2)
            back[i, :k] = best
            score[:k] = step.reshape(-1)[row_starts[: k * n_labels] + best.reshape(-1)].reshape(
                k, n_labels
            )
            score[:k] += em[i, :k]
        path = np.zeros((longest, size), dtype=np.int64)
        rows = np.arange(size)
        path[lengths - 1, rows] = score.argmax(axis=1)
        for i in range(longest - 1, 0, -1):
            k = active[i]
            path[i - 1, :k] = back[i, rows[:k], path[i, :k]]
        return path

    def _posteriors(self, em: FloatArray, active: list[int]) -> FloatArray:
        """Token marginals (position, sequence, label): forward-backward in the probability
        domain, scaled per step. Small-axis reductions are spelt out (an elementwise maximum per
        label; sums as products with a vector of ones): numpy's reductions over a 7-9-wide axis
        cost several times more."""
        longest, n_labels = em.shape[0], em.shape[2]
        ones = np.ones(n_labels)
        exp_t = np.exp(self.transitions - self.transitions.max())
        exp_t_back = exp_t.T
        top = em[:, :, 0].copy()
        for label in range(1, n_labels):
            np.maximum(top, em[:, :, label], out=top)
        e = np.exp(em - top[:, :, None])
        alpha = np.zeros_like(e)
        a = e[0] / (e[0] @ ones)[:, None]
        alpha[0] = a
        for i in range(1, longest):
            k = active[i]
            step = (a[:k] @ exp_t) * e[i, :k]
            a[:k] = step / (step @ ones)[:, None]
            alpha[i, :k] = a[:k]
        beta = np.full_like(e, 1.0 / n_labels)
        for i in range(longest - 2, -1, -1):
            k = active[i + 1]
            step = (e[i + 1, :k] * beta[i + 1, :k]) @ exp_t_back
            beta[i, :k] = step / (step @ ones)[:, None]
        posterior: FloatArray = alpha * beta
        with np.errstate(invalid="ignore", divide="ignore"):  # padding: 0/0, discarded
            posterior /= (posterior @ ones)[:, :, None]
        return posterior


def bio_spans(labels: list[str]) -> list[tuple[int, int, str]]:
    """(first token, last token inclusive, type) from BIO labels; a stray I- starts an entity,
    also after an O («B-LOC O I-LOC» is two spans)."""
    spans: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for i, label in enumerate([*labels, "O"]):
        if start < 0 or label == "O" or label.startswith("B-") or label[2:] != kind:
            if start >= 0:
                spans.append((start, i - 1, kind))
                start = -1
            if label != "O":
                start, kind = i, label[2:]
    return spans
