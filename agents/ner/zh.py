"""Chinese: dictionary word segmentation and a fast emission path for the character CRF.

WordSegmenter: forward maximum matching (longest dictionary word first, left to right) over
jieba's dictionary (agents/ner/data/zh_words.json.gz, built by training/ner/build_gazetteer.py),
giving every character its position in the word (B/M/E/S) and the word's coarse POS class
(nr person, ns place, nt organisation, n, v, ...), plus each character's name-likeness bucket
(ct=0..3): zh tune_val F1 .576 → .670 (training/README.md). jieba.cut(HMM=False) itself took
4.0 ms per 2,000 characters here (CPU); this takes ~0.75 ms: the look-ups are numpy
(agents/ner/han.py), and the name matcher searches the same packed keys of the text.

The post-rules after the CRF are in agents/ner/zh_rules.py.

ZhEmitter: the same emission scores as LinearCRF.emissions on zh_types() strings, without
building one type string per character. The zh features of a character split into parts that
repeat: the character's own features (cached per character), the bigram/trigram features
(packed code points searched in sorted arrays; by string next to multi-character tokens) and
the categorical gazetteer/segmentation tags (cached per tag). Each part's (offset slot, label)
matrix is gathered for all positions at once.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Collection, Container
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.ner.crf import FloatArray, LinearCRF
from agents.ner.features import PAD_BOS, PAD_EOS, zh_char_features, zh_tag_features
from agents.ner.gazetteer import NameHit, NameMatcher
from agents.ner.han import HAN_FIRST, HAN_LAST, HanKeys, HanLexicon, han_codes, is_han
from agents.ner.int_table import IntTable
from agents.ner.text import Offsets


class WordSegmenter:
    """Forward maximum matching over a word list → a segmentation tag per token."""

    def __init__(self, raw_gzip: bytes) -> None:
        data: dict[str, dict[str, str]] = json.loads(gzip.decompress(raw_gzip))
        table = data["words"]
        self.classes = sorted(table)
        self.lexicon = HanLexicon(
            (word, class_id)
            for class_id, kind in enumerate(self.classes)
            for word in table[kind].split("\n")
            if len(word) >= 2 and is_han(word)
        )
        # the dictionary's party names («共和党», «工党»), for zh_rules.party_names
        self.parties = frozenset(
            word for words in table.values() for word in words.split("\n") if word[-1:] == "党"
        )
        # tag strings as features_zh reads them: position in the word (B/M/E, S = no word) +
        # class (x = a Han character outside any word, p = anything else)
        segments = ["sg=S|sp=Sp", "sg=S|sp=Sx"] + [
            f"sg={position}|sp={position}{kind}" for kind in self.classes for position in "BME"
        ]
        # + the character's name-likeness bucket ('ct=3'; none for characters not listed)
        buckets = sorted(data["chars"])
        self._bucket_of = np.zeros(HAN_LAST - HAN_FIRST + 2, dtype=np.int64)  # [-1]: not Han
        for i, bucket in enumerate(buckets, start=1):
            self._bucket_of[han_codes(data["chars"][bucket])] = i
        self._n_buckets = len(buckets) + 1
        self.tag_names = [
            segment + (f"|ct={bucket}" if bucket else "")
            for segment in segments
            for bucket in ["", *buckets]
        ]

    def _words(
        self, text: str | HanKeys
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """First character, length and class id of each dictionary word chosen."""
        longest, word_class = self.lexicon.longest(text)
        starts: list[int] = []
        lengths = longest.tolist()
        i = 0
        # The greedy left-to-right choice is sequential, but outside words it moves one
        # character at a time, so only the characters that start a word need a step.
        for at in np.flatnonzero(longest > 1).tolist():
            if at >= i:
                starts.append(at)
                i = at + lengths[at]
        first = np.array(starts, dtype=np.int64)
        return first, longest[first], word_class[first]

    def words(self, text: str | HanKeys) -> list[tuple[int, int, int]]:
        """(start, end, class id) of the dictionary words chosen, left to right."""
        first, length, kind = self._words(text)
        return list(zip(first.tolist(), (first + length).tolist(), kind.tolist(), strict=True))

    def codes(
        self, text: str | HanKeys, token_starts: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Per token, the index of its tag in `tag_names` (Han characters are one token each,
        and words are Han only, so a token's tag is the tag of its first character)."""
        keys = text if isinstance(text, HanKeys) else HanKeys(text)
        codes = keys.codes
        per_char = (codes >= 0).astype(np.int64)  # 1: Han outside a word, 0: other
        first, length, kind = self._words(keys)
        begin = 2 + 3 * kind
        per_char[first] = begin
        per_char[first + length - 1] = begin + 2
        inner = length - 2
        if inner.any():
            offsets_in_word = np.arange(int(inner.sum())) - np.repeat(
                np.cumsum(inner) - inner, inner
            )
            per_char[np.repeat(first + 1, inner) + offsets_in_word] = np.repeat(begin + 1, inner)
        at = codes[token_starts]
        return per_char[token_starts] * self._n_buckets + self._bucket_of[at]

    def tags(self, text: str, offsets: Offsets) -> list[str]:
        """Per token 'sg=B|sp=Bnr|ct=2'-style tags; tokens outside a word are S + x (Han) / p."""
        starts = np.array([a for a, _ in offsets], dtype=np.int64)
        names = self.tag_names
        return [names[c] for c in self.codes(text, starts).tolist()]


class ZhNameMatcher:
    """NameMatcher.find for Chinese text, same hits: leftmost-longest non-overlapping names on
    token boundaries. Names of Han characters only (93 %) go through a HanLexicon (numpy), the
    rest (kana, '·', Latin) through a NameMatcher (prefix look-ups from token starts)."""

    def __init__(self, names: dict[str, list[Any]], min_len: int = 2) -> None:
        self._names = names
        han = [key for key in names if len(key) >= min_len and is_han(key)]
        self._han = HanLexicon((key, 0) for key in han)
        others = {key: value for key, value in names.items() if len(key) >= min_len}
        for key in han:
            del others[key]
        self._others = NameMatcher(others, min_len=min_len)

    def share_keys(self, segmenter: WordSegmenter) -> None:
        """Search the segmenter's word tables and the names at once (HanLexicon.share_keys)."""
        self._han.share_keys(segmenter.lexicon)

    def find(
        self,
        norm_text: str,
        starts: Collection[int],
        ends: Container[int],
        keys: HanKeys | None = None,
    ) -> list[NameHit]:
        """keys: norm_text's HanKeys, when another look-up shares them."""
        longest = self._han.longest(keys or norm_text)[0]
        best = dict.fromkeys(np.flatnonzero(longest > 1).tolist(), 0)
        for start in best:
            best[start] = start + int(longest[start])  # Han characters are tokens: aligned
        for start, end, *_ in self._others.all_hits(norm_text, starts, ends):
            if end > best.get(start, 0):
                best[start] = end
        chosen: list[NameHit] = []
        taken_until = -1
        for start in sorted(best):
            if start >= taken_until:
                end = best[start]
                chosen.append((start, end, *self._names[norm_text[start:end]]))
                taken_until = end
        return chosen


class _GramIds:
    """A dict from n-gram strings (bigrams or trigrams of tokens) to feature ids, looked up for
    every position of a text at once. An n-gram of one-character tokens is exactly n characters,
    so it is packed into one int64 (21 bits a code point) and searched in a hash table
    (agents/ner/int_table.py); the rare n-grams with a longer token (digits, Latin words) are
    looked up in the dict. Same ids as one dict get per position, at ~1/5 of the CPU."""

    def __init__(self, ids: dict[str, int], n: int) -> None:
        self._ids = ids
        packed = {
            _pack_points([ord(c) for c in key]): fid for key, fid in ids.items() if len(key) == n
        }
        keys = np.fromiter(packed, np.int64, len(packed))
        self._table = IntTable(keys)
        self._values = self._table.values_for(keys, np.fromiter(packed.values(), np.int64), 0)

    def lookup(
        self, keys: npt.NDArray[np.int64], packable: npt.NDArray[np.bool_], grams: _Grams
    ) -> npt.NDArray[np.int64]:
        """Ids (0: unknown) of the n-grams whose packed keys are given; where not packable,
        of the string grams[i] (made only there)."""
        out = self._values[self._table.slots(keys)]
        others = np.flatnonzero(~packable)
        if len(others):  # one comprehension: ~70 per article next to digits and Latin words
            get = self._ids.get
            out[others] = [get(grams[i], 0) for i in others.tolist()]
        return out


class _Grams:
    """The n-gram of padded tokens i .. i + n - 1 ('^', the text's tokens, '$'), made only when
    asked for (a rare fallback)."""

    def __init__(self, text: str, offsets: Offsets, n: int, shift: int = 0) -> None:
        self._text, self._offsets, self._n, self._shift = text, offsets, n, shift

    def shifted(self, by: int) -> _Grams:
        return _Grams(self._text, self._offsets, self._n, self._shift + by)

    def _token(self, padded: int) -> str:
        if padded == 0:
            return "^"
        if padded > len(self._offsets):
            return "$"
        start, end = self._offsets[padded - 1]
        return self._text[start:end]

    def __getitem__(self, i: int) -> str:
        return "".join(map(self._token, range(i + self._shift, i + self._shift + self._n)))


def _pack_points(points: list[int]) -> int:
    key = 0
    for point in points:
        key = (key << 21) | point
    return key


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
        self._left = _GramIds(self._groups["bl"], 2)
        self._right = _GramIds(self._groups["br"], 2)
        self._triple = _GramIds(self._groups["tri"], 3)
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
        self._rows: dict[str, int] = {}  # token → row of _table
        # the same for one-character tokens of the BMP, by code point (-1: not scored yet), so
        # that most tokens find their row in one numpy gather, without a token string
        self._point_rows = np.full(0x10000, -1, dtype=np.int64)
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

    def _char_rows(
        self,
        text: str,
        offsets: Offsets,
        first: npt.NDArray[np.int64],
        single: npt.NDArray[np.bool_],
        fresh: bool = False,
    ) -> npt.NDArray[np.int64]:
        """Rows of _table for the tokens (first: each token's first code point; single: it is
        the whole token), scoring the new ones."""
        bmp = single & (first < len(self._point_rows))
        rows = np.full(len(first), -1, dtype=np.int64)
        rows[bmp] = self._point_rows[first[bmp]]
        missing = np.flatnonzero(rows < 0).tolist()
        if not missing:
            return rows
        tokens = [text[a:b] for a, b in map(offsets.__getitem__, missing)]
        new = [c for c in dict.fromkeys(tokens) if c not in self._rows]
        if not fresh and len(self._rows) + len(new) > LinearCRF.CACHE_MAX:
            self.clear_cache()  # bounded memory: start afresh, with every token of this text
            return self._char_rows(text, offsets, first, single, fresh=True)
        if new:
            self._add_rows(new)
        rows[missing] = list(map(self._rows.__getitem__, tokens))
        return rows

    def _add_rows(self, new: list[str]) -> None:
        """Score new tokens (their zh_char_features) into fresh rows of _table."""
        rows = self._rows
        first = len(rows)
        if first + len(new) > len(self._table):
            grown = np.zeros((2 * (first + len(new)), *self._table.shape[1:]))
            grown[:first] = self._table[:first]
            self._table = grown
        # all new tokens in one go: feature ids (0 first, so no sum is empty) → reduceat
        id_of = self.crf._feature_ids.get
        feature_ids: list[int] = []
        starts: list[int] = []
        for i, token in enumerate(new, start=first):
            rows[token] = i
            if len(token) == 1 and ord(token) < len(self._point_rows):
                self._point_rows[ord(token)] = i
            starts.append(len(feature_ids))
            feature_ids.append(0)
            feature_ids.extend(filter(None, map(id_of, zh_char_features(token))))
        self._table[first : first + len(new)] = np.add.reduceat(
            self.crf._feature_scores[feature_ids], starts, axis=0
        )

    def _gram_ids(
        self,
        text: str,
        offsets: Offsets,
        first: npt.NDArray[np.int64],
        single: npt.NDArray[np.bool_],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Per token, the feature ids of bl=<previous><this>, br=<this><next> and
        tri=<previous><this><next> ('^'/'$' at the edges), 0 where unknown; first: each
        token's first code point, single: it is the whole token."""
        n = len(first)
        points = np.empty(n + 2, dtype=np.int64)
        points[0], points[1:-1], points[-1] = ord("^"), first, ord("$")
        whole = np.ones(n + 2, dtype=bool)
        whole[1:-1] = single
        pair = (points[:-1] << 21) | points[1:]  # n + 1 bigrams, from ('^', first token)
        pair_ok = whole[:-1] & whole[1:]
        bigrams = _Grams(text, offsets, 2)
        left = self._left.lookup(pair[:-1], pair_ok[:-1], bigrams)
        right = self._right.lookup(pair[1:], pair_ok[1:], bigrams.shifted(1))
        triple = self._triple.lookup(
            (pair[:-1] << 21) | points[2:], pair_ok[:-1] & whole[2:], _Grams(text, offsets, 3)
        )
        return left, right, triple

    def emissions(
        self,
        keys: HanKeys,
        offsets: Offsets,
        starts: npt.NDArray[np.int64],
        ends: npt.NDArray[np.int64],
        gazetteer_codes: npt.NDArray[np.int64],
        segment_codes: npt.NDArray[np.int64],
    ) -> FloatArray:
        """(n_tokens, n_labels) scores, equal to crf.emissions(zh_types(...)) up to rounding.
        keys: the text's; offsets: its tokens, starts and ends: the same as arrays. Tokens are
        read by code point (no string per token but for new ones and the rare fallbacks)."""
        crf = self.crf
        n = len(offsets)
        if not n:
            return np.zeros((0, crf.n_labels))
        scores = crf._feature_scores
        first, single = keys.points[starts], ends - starts == 1
        left, right, triple = self._gram_ids(keys.text, offsets, first, single)
        rows = self._char_rows(keys.text, offsets, first, single)  # may grow self._table
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
