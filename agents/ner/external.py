"""Off-the-shelf back-ends whose models ship inside PyPI wheels: natasha (Russian).

natasha's slovnet NER is a 3-layer 1-D CNN over navec word vectors + word-shape vectors, with
a CRF head. We load its weights from the wheels and run the same arithmetic in a leaner numpy
form (`SlovnetNER`): slovnet pads every batch of 8 texts to the longest, works channels-first
and copies the activations several times per layer (im2col, transposes, pads). Here all the
tokens of a call are one channels-last sequence with a zero row between texts (the CNN's own
zero padding), each layer is one matrix product whose three kernel taps are added shifted, the
first layer is computed once per distinct word, and one Viterbi loop decodes every text. Only
the order of float32 additions differs from slovnet; the labels are the same (checked on every
ru dev sentence and the seed-size articles; tests/unit/agents/test_ner_external.py pins it).
"""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.ner.crf import bio_spans
from agents.ner.gazetteer import Span

F32 = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]

_NATASHA_TYPES = frozenset({"PER", "ORG", "LOC"})
# Words with inner hyphens stay whole («Нью-Йорк», «г-н»), as razdel (natasha's tokeniser)
# has them. Feeding slovnet these tokens instead of razdel's: F1 .706 vs .699 on the ru TUNE
# half, 17 % less CPU (razdel is pure Python).
_RU_TOKEN = re.compile(r"\w+(?:[-‐]\w+)*|\S")
# Tokens per forward pass: bounds the activations (~10 MB at 4,096 tokens); larger matrix
# products gain nothing measurable.
_MAX_TOKENS = 4096
_WORD_CACHE_MAX = 100_000  # word -> (navec id, shape id); starts afresh when full


class SlovnetNER:
    """slovnet's NER network (CNN + CRF), weights taken from a loaded natasha NewsNERTagger."""

    def __init__(self, infer: Any) -> None:
        from slovnet.shape import word_shape

        self._word_shape = word_shape
        encoder, model = infer.encoder, infer.model
        self._word_ids: dict[str, int] = encoder.words_vocab.item_ids
        self._unk = int(encoder.words_vocab.unk_id)
        self._shape_ids: dict[str, int] = encoder.shapes_vocab.item_ids
        self._shape_unk = encoder.shapes_vocab.unk_id
        self.tags: list[str] = list(infer.decoder.tags_vocab.items)
        navec = model.emb.word
        self._pq_indexes: npt.NDArray[np.uint8] = navec.indexes.array  # (words, qdim)
        codes = navec.codes.array  # (qdim, centroids, chunk)
        self._qdim, self._centroids, _ = codes.shape
        # (qdim * centroids, chunk): row q * centroids + c is centroid c of sub-vector q
        self._codes: F32 = codes.reshape(-1, codes.shape[2])
        self._navec_dim = self._qdim * codes.shape[2]
        # Per layer: kernel taps side by side, (in, 3 * filters), so a layer is one product;
        # BatchNorm folded into one scale and shift.
        self._layers: list[tuple[F32, F32, F32, F32]] = []
        for layer in model.encoder.layers:
            weight = layer.conv.weight.array  # (filters, in, kernel)
            if weight.shape[2] != 3 or layer.conv.padding != 1:
                raise ValueError("slovnet NER layout changed: kernel 3, padding 1 expected")
            taps = np.concatenate([weight[:, :, k].T for k in range(3)], axis=1)
            norm = layer.norm
            scale = norm.weight.array / norm.std.array
            shift = norm.bias.array - norm.mean.array * scale
            self._layers.append((np.ascontiguousarray(taps), layer.conv.bias.array, scale, shift))
        first = self._layers[0][0]
        # The first layer of a word is its navec part (once per distinct word) plus its shape
        # part (a table: 66 shapes).
        self._first_navec: F32 = np.ascontiguousarray(first[: self._navec_dim])
        self._first_shape: F32 = model.emb.shape.weight.array @ first[self._navec_dim :]
        self._proj: F32 = model.head.proj.weight.array  # (64, tags)
        self._proj_bias: F32 = model.head.proj.bias.array
        self._transitions: F32 = model.head.crf.transitions.array  # (from, to)
        self._words: dict[str, tuple[int, int]] = {}

    def clear_cache(self) -> None:
        self._words = {}

    def _ids(self, words: list[str]) -> list[tuple[int, int]]:
        """(navec id, shape id) per word, as slovnet's encoder computes them."""
        cache = self._words
        if len(cache) > _WORD_CACHE_MAX:
            cache.clear()
        out = []
        for word in words:
            ids = cache.get(word)
            if ids is None:
                ids = (
                    self._word_ids.get(word.lower(), self._unk),
                    self._shape_ids.get(self._word_shape(word), self._shape_unk),
                )
                cache[word] = ids
            out.append(ids)
        return out

    def labels(self, sentences: list[list[str]]) -> list[list[str]]:
        """BIO labels per word of each sentence (words as natasha's tokeniser would give)."""
        out: list[list[str]] = []
        start = 0
        while start < len(sentences):
            end, size = start, 0
            while end < len(sentences) and (
                end == start or size + len(sentences[end]) <= _MAX_TOKENS
            ):
                size += len(sentences[end])
                end += 1
            out.extend(self._labels(sentences[start:end]))
            start = end
        return out

    def _labels(self, sentences: list[list[str]]) -> list[list[str]]:
        lengths = [len(s) for s in sentences]
        ids = np.array(self._ids([w for s in sentences for w in s]), dtype=np.int64).reshape(-1, 2)
        # Row layout: a zero row, sentence 1, a zero row, sentence 2, ..., a zero row.
        rows = len(ids) + len(sentences) + 1
        # token t of sentence s sits after s + 1 zero rows
        token_rows = np.arange(len(ids)) + np.repeat(np.arange(len(lengths)), lengths) + 1
        pad = np.ones(rows, dtype=bool)
        pad[token_rows] = False
        hidden = self._first_layer(ids, token_rows, rows)
        hidden = self._finish_layer(hidden, self._layers[0], pad)
        for layer in self._layers[1:]:
            hidden = self._finish_layer(hidden @ layer[0], layer, pad)
        emissions = hidden[token_rows] @ self._proj + self._proj_bias
        paths = self._viterbi(emissions, lengths)
        return [[self.tags[t] for t in path] for path in paths]

    def _first_layer(self, ids: Ints, token_rows: Ints, rows: int) -> F32:
        """(rows, 3 * filters) tap outputs of the first layer; zero rows between sentences."""
        unique, inverse = np.unique(ids[:, 0], return_inverse=True)
        flat = self._pq_indexes[unique].astype(np.int64) + np.arange(self._qdim) * self._centroids
        vectors = self._codes[flat].reshape(len(unique), self._navec_dim)
        taps = np.zeros((rows, self._first_navec.shape[1]), dtype=np.float32)
        taps[token_rows] = (vectors @ self._first_navec)[inverse] + self._first_shape[ids[:, 1]]
        return taps

    @staticmethod
    def _finish_layer(
        taps: F32, layer: tuple[F32, F32, F32, F32], pad: npt.NDArray[np.bool_]
    ) -> F32:
        """Sum the three shifted taps (+ bias), ReLU, BatchNorm; zero rows stay zero."""
        _, bias, scale, shift = layer
        filters = len(bias)
        out = np.zeros((len(taps), filters), dtype=np.float32)
        out[1:-1] = (
            taps[:-2, :filters] + taps[1:-1, filters : 2 * filters] + taps[2:, 2 * filters :]
        )
        out += bias
        np.maximum(out, 0, out=out)
        out *= scale
        out += shift
        out[pad] = 0
        return out

    def _viterbi(self, emissions: F32, lengths: list[int]) -> list[list[int]]:
        """slovnet's CRF decode (same float32 arithmetic and tie-breaking), all sentences in
        one loop over positions: longest first, so the running ones are a prefix. Candidates
        are (sentence, to, from) in a reused buffer: the max over 'from' is then a contiguous
        argmax plus a gather (numpy's max over a short middle axis is several times slower)."""
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        starts = np.cumsum([0, *lengths])
        longest = lengths[order[0]] if lengths else 0
        size, n_tags = len(lengths), len(self.tags)
        em = np.zeros((longest, size, n_tags), dtype=np.float32)  # position, sentence, tag
        for j, i in enumerate(order):
            em[: lengths[i], j] = emissions[starts[i] : starts[i + 1]]
        sorted_lengths = [lengths[i] for i in order]
        active = [sum(1 for n in sorted_lengths if n > p) for p in range(longest)]
        back = np.zeros((longest, size, n_tags), dtype=np.intp)
        score = em[0].copy() if longest else np.zeros((size, n_tags), np.float32)
        to_from = np.ascontiguousarray(self._transitions.T)
        candidates = np.empty((size, n_tags, n_tags), dtype=np.float32)
        row_starts = np.arange(size * n_tags) * n_tags
        for p in range(1, longest):
            k = active[p]
            # (score[from] + transitions[from, to]) + emission[to], as slovnet adds them
            step = np.add(score[:k, None, :], to_from, out=candidates[:k])
            step += em[p, :k, :, None]
            best = step.argmax(axis=2)
            back[p, :k] = best
            score[:k] = step.reshape(-1)[row_starts[: k * n_tags] + best.reshape(-1)].reshape(
                k, n_tags
            )
        out: list[list[int]] = [[] for _ in lengths]
        for j, i in enumerate(order):
            n = lengths[i]
            if not n:
                continue
            best_tag = int(score[j].argmax())
            path = [best_tag]
            for p in range(n - 1, 0, -1):
                best_tag = int(back[p, j, best_tag])
                path.append(best_tag)
            path.reverse()
            out[i] = path
        return out


class RussianNatasha:
    """natasha's slovnet NER (news model, navec embeddings; both inside the wheels). F1 .73 on
    the ru TEST half against .53 for the pooled CRF; ~250 seed-size articles per CPU-second
    (slovnet's own code: ~120), bench/ner_eval.py."""

    def __init__(self) -> None:
        from natasha import NewsEmbedding, NewsNERTagger

        self.reference: Any = NewsNERTagger(NewsEmbedding()).infer  # slovnet's own code path
        self.network = SlovnetNER(self.reference)
        self.creator = f"natasha-slovnet-ner-news@{version('natasha')}"

    def clear_cache(self) -> None:
        self.network.clear_cache()

    def spans(self, texts: list[str]) -> list[list[Span]]:
        offsets = [[m.span() for m in _RU_TOKEN.finditer(text)] for text in texts]
        words = [[text[a:b] for a, b in offs] for text, offs in zip(texts, offsets, strict=True)]
        return [
            [
                (offs[a][0], offs[b][1], kind, 0.8)
                for a, b, kind in bio_spans(labels)
                if kind in _NATASHA_TYPES
            ]
            for offs, labels in zip(offsets, self.network.labels(words), strict=True)
        ]
