"""Chinese: dictionary word segmentation and a fast emission path for the character CRF.

WordSegmenter: forward maximum matching (longest dictionary word first, left to right) over
jieba's dictionary (agents/ner/data/zh_words.json.gz, built by training/ner/build_gazetteer.py),
giving every character its position in the word (B/M/E/S) and the word's coarse POS class
(nr person, ns place, nt organisation, n, v, ...): +.05 F1 on zh tune_val. Running jieba itself
per article would cost ~15 ms; here the look-ups are numpy: a word of 2-4 Han characters is
packed exactly into one int64 (15 bits per character) and searched in a sorted array; the few
5-8 character words are checked in a set where their 4-character prefix occurs.

ZhEmitter: the same emission scores as LinearCRF.emissions on zh_types() strings, without
building one type string per character. The zh features of a character split into parts that
repeat: the character's own features (cached per character), the bigram/trigram features
(looked up directly by string) and the categorical gazetteer/segmentation tags (cached per
tag). Each part's (offset slot, label) matrix is gathered for all positions at once.
"""

from __future__ import annotations

import gzip
import itertools
import json

import numpy as np
import numpy.typing as npt

from agents.ner.crf import FloatArray, LinearCRF
from agents.ner.features import PAD_BOS, PAD_EOS, zh_char_features, zh_tag_features
from agents.ner.text import Offsets

_HAN_FIRST, _HAN_LAST = 0x4E00, 0x9FFF
_BITS = 15  # 0x9FFF - 0x4E00 < 2**15: four characters fit in one int64
_SHORT = (2, 3, 4)
_LONG_MAX = 8


def _codes(text: str) -> npt.NDArray[np.int64]:
    """Han characters as 0..20991, everything else as -1 (one entry per character)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    han = (points >= _HAN_FIRST) & (points <= _HAN_LAST)
    return np.where(han, points - _HAN_FIRST, -1)


def _pack(
    codes: npt.NDArray[np.int64], length: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Key of the `length` characters starting at each position, and whether all are Han."""
    n = len(codes) - length + 1
    key = np.zeros(max(n, 0), dtype=np.int64)
    valid = np.ones(max(n, 0), dtype=bool)
    for j in range(length):
        part = codes[j : j + n]
        key = (key << _BITS) | np.maximum(part, 0)
        valid &= part >= 0
    return key, valid


def _lookup(table: npt.NDArray[np.int64], keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Where each key is or would be in the sorted table (clipped to a valid index). Keys are
    searched in sorted order: numpy then narrows each search from the previous one, and the
    table's cache lines are visited in order (several times faster on a busy machine)."""
    order = np.argsort(keys, kind="stable")
    at = np.empty(len(keys), dtype=np.int64)
    at[order] = np.searchsorted(table, keys[order])
    return at.clip(max=len(table) - 1)


class WordSegmenter:
    """Forward maximum matching over a word list → a segmentation tag per token."""

    def __init__(self, raw_gzip: bytes) -> None:
        table: dict[str, str] = json.loads(gzip.decompress(raw_gzip))
        self.classes = sorted(table)
        keys: dict[int, list[tuple[int, int]]] = {n: [] for n in _SHORT}
        self._long: dict[str, int] = {}
        long_prefixes: set[int] = set()
        for class_id, kind in enumerate(self.classes):
            for word in table[kind].split("\n"):
                codes = _codes(word)
                if len(word) <= _SHORT[-1]:
                    keys[len(word)].append((int(_pack(codes, len(word))[0][0]), class_id))
                else:
                    self._long[word] = class_id
                    long_prefixes.add(int(_pack(codes[:4], 4)[0][0]))
        self._keys: dict[int, npt.NDArray[np.int64]] = {}
        self._class_of: dict[int, npt.NDArray[np.int64]] = {}
        for n, pairs in keys.items():
            pairs.sort()  # a word under two classes (none now) would keep the higher class id
            unique = {k: c for k, c in pairs}
            self._keys[n] = np.array(sorted(unique), dtype=np.int64)
            self._class_of[n] = np.array([unique[k] for k in sorted(unique)], dtype=np.int64)
        self._long_prefixes = np.array(sorted(long_prefixes), dtype=np.int64)
        # tag strings as features_zh reads them: position in the word (B/M/E, S = no word) +
        # class (x = a Han character outside any word, p = anything else)
        self.tag_names = ["sg=S|sp=Sp", "sg=S|sp=Sx"] + [
            f"sg={position}|sp={position}{kind}" for kind in self.classes for position in "BME"
        ]

    def _words(
        self, text: str
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """First character, length and class id of each dictionary word chosen."""
        codes = _codes(text)
        n = len(codes)
        longest = np.ones(n, dtype=np.int64)
        word_class = np.full(n, -1, dtype=np.int64)
        for length in _SHORT:
            if n < length:
                break
            key, valid = _pack(codes, length)
            table = self._keys[length]
            if not len(table):
                continue
            at = _lookup(table, key)
            hit = np.flatnonzero(valid & (table[at] == key))
            longest[hit] = length
            word_class[hit] = self._class_of[length][at[hit]]
        if n >= 5 and len(self._long_prefixes):
            key, valid = _pack(codes, 4)
            at = _lookup(self._long_prefixes, key)
            for i in np.flatnonzero(valid & (self._long_prefixes[at] == key)).tolist():
                for length in range(min(_LONG_MAX, n - i), 4, -1):
                    class_id = self._long.get(text[i : i + length])
                    if class_id is not None:
                        longest[i], word_class[i] = length, class_id
                        break
        starts: list[int] = []
        lengths = longest.tolist()
        i = 0
        while i < n:  # the greedy left-to-right choice: inherently sequential, one step a word
            if lengths[i] > 1:
                starts.append(i)
            i += lengths[i]
        first = np.array(starts, dtype=np.int64)
        return first, longest[first], word_class[first]

    def words(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, class id) of the dictionary words chosen, left to right."""
        first, length, kind = self._words(text)
        return list(zip(first.tolist(), (first + length).tolist(), kind.tolist(), strict=True))

    def codes(self, text: str, token_starts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Per token, the index of its tag in `tag_names` (Han characters are one token each,
        and words are Han only, so a token's tag is the tag of its first character)."""
        per_char = (_codes(text) >= 0).astype(np.int64)  # 1: Han outside a word, 0: other
        first, length, kind = self._words(text)
        begin = 2 + 3 * kind
        per_char[first] = begin
        per_char[first + length - 1] = begin + 2
        inner = length - 2
        if inner.any():
            offsets_in_word = np.arange(int(inner.sum())) - np.repeat(
                np.cumsum(inner) - inner, inner
            )
            per_char[np.repeat(first + 1, inner) + offsets_in_word] = np.repeat(begin + 1, inner)
        return per_char[token_starts]

    def tags(self, text: str, offsets: Offsets) -> list[str]:
        """Per token 'sg=B|sp=Bnr'-style tags; tokens outside a word are S + x (Han) / p."""
        starts = np.array([a for a, _ in offsets], dtype=np.int64)
        names = self.tag_names
        return [names[c] for c in self.codes(text, starts).tolist()]


class ZhEmitter:
    """Emission scores of the zh CRF from characters and tag codes (see the module docstring)."""

    def __init__(self, crf: LinearCRF, gazetteer_kinds: list[str], segment_tags: list[str]) -> None:
        self.crf = crf
        ids = crf._feature_ids
        # bigram/trigram features by their bare value: one dict get per position, no prefixing
        self._groups: dict[str, dict[str, int]] = {"bl": {}, "br": {}, "tri": {}}
        for feature, fid in ids.items():
            group, _, value = feature.partition("=")
            if group in self._groups:
                self._groups[group][value] = fid
        self._pads = (ids.get("pad=BOS", 0), ids.get("pad=EOS", 0))
        # every (gazetteer tag, segmentation tag) pair scored once: row = gz code * S + seg code
        self.gazetteer_tags = ["", *(f"{bio}-{kind}" for kind in gazetteer_kinds for bio in "BI")]
        self._gazetteer_code = {kind: 1 + 2 * i for i, kind in enumerate(gazetteer_kinds)}
        self._n_segment = len(segment_tags)
        self._tag_table = np.stack(
            [
                self._score(zh_tag_features(f"{gazetteer}\t{segment}"))
                for gazetteer in self.gazetteer_tags
                for segment in segment_tags
            ]
        )
        self.clear_cache()

    def _score(self, features: list[str]) -> FloatArray:
        """(offset slot, label) scores of a list of base features (unknown ones score 0)."""
        fids = [f for f in map(self.crf._feature_ids.get, features) if f]
        total: FloatArray = self.crf._feature_scores[[0, *fids]].sum(axis=0)
        return total

    def clear_cache(self) -> None:
        self._rows: dict[str, int] = {}  # character → row of _table
        self._table: FloatArray = np.zeros((256, self.crf.n_offsets, self.crf.n_labels))

    def gazetteer_codes(self, n: int, hits: list[tuple[int, int, str]]) -> npt.NDArray[np.int64]:
        """Per token, the index of its gazetteer tag (zh_gazetteer_tags as codes); hits are
        (first token, last token inclusive, type)."""
        codes = np.zeros(n, dtype=np.int64)
        for first, last, kind in hits:
            begin = self._gazetteer_code[kind]
            codes[first] = begin
            codes[first + 1 : last + 1] = begin + 1
        return codes

    def _char_rows(self, chars: list[str]) -> npt.NDArray[np.int64]:
        """Rows of _table for the characters, scoring the new ones."""
        rows = self._rows
        new = [c for c in dict.fromkeys(chars) if c not in rows]
        if new:
            if len(rows) + len(new) > LinearCRF.CACHE_MAX:  # bounded memory: start afresh
                self.clear_cache()
                rows = self._rows
                new = list(dict.fromkeys(chars))
            first = len(rows)
            if first + len(new) > len(self._table):
                grown = np.zeros((2 * (first + len(new)), *self._table.shape[1:]))
                grown[:first] = self._table[:first]
                self._table = grown
            for i, char in enumerate(new, start=first):
                self._table[i] = self._score(zh_char_features(char))
                rows[char] = i
        return np.fromiter(map(rows.__getitem__, chars), dtype=np.int64, count=len(chars))

    def emissions(
        self,
        chars: list[str],
        gazetteer_codes: npt.NDArray[np.int64],
        segment_codes: npt.NDArray[np.int64],
    ) -> FloatArray:
        """(n_tokens, n_labels) scores, equal to crf.emissions(zh_types(...)) up to rounding."""
        crf = self.crf
        n = len(chars)
        if not n:
            return np.zeros((0, crf.n_labels))
        scores = crf._feature_scores
        padded = ["^", *chars, "$"]
        bigrams = [a + b for a, b in itertools.pairwise(padded)]
        bl, br, tri = self._groups["bl"], self._groups["br"], self._groups["tri"]
        left = np.fromiter(map(bl.get, bigrams[:-1], itertools.repeat(0)), np.int64, n)
        right = np.fromiter(map(br.get, bigrams[1:], itertools.repeat(0)), np.int64, n)
        trigrams = map(str.__add__, bigrams, [*chars[1:], "$"])
        triple = np.fromiter(map(tri.get, trigrams, itertools.repeat(0)), np.int64, n)
        rows = self._char_rows(chars)  # before reading self._table: it may grow
        per_position = self._table[rows]
        per_position += self._tag_table[gazetteer_codes * self._n_segment + segment_codes]
        per_position += scores[left]
        per_position += scores[right]
        per_position += scores[triple]
        before, after = crf.before, crf.after
        full = np.empty((n + before + after, crf.n_offsets, crf.n_labels))
        full[:before] = scores[self._pads[0]]
        full[before : before + n] = per_position
        full[before + n :] = scores[self._pads[1]]
        emissions = np.zeros((n, crf.n_labels))
        for j, k in enumerate(crf.features.offsets):
            emissions += full[before + k : before + k + n, j]
        if crf.o_bias:
            emissions[:, crf.outside] -= crf.o_bias
        return emissions


__all__ = ["PAD_BOS", "PAD_EOS", "WordSegmenter", "ZhEmitter"]
