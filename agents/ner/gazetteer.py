"""Name lists: the per-script gazetteers (CRF features and canonical names), the Arabic
transliteration score, a name matcher, and the curated alias table."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Collection, Container, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.ner.text import Tokens, lookup_key, same_length_norm, script_profile

# normalised full name -> [type, canonical]
NameTable = dict[str, list[str]]
# (start, end, type, confidence)
Span = tuple[int, int, str, float]


@dataclass(slots=True)
class Gazetteer:
    """`words`: normalised word → comma-joined tags ('LOC', 'LOCm' = part of a multi-word LOC,
    'PERf' first name, 'TTL' title word), used as CRF features. `names`: normalised full name →
    [type, canonical], used for canonical values and the Chinese gazetteer feature."""

    words: dict[str, str]
    names: NameTable
    nb: CharNB | None = None

    @classmethod
    def from_gzip(cls, data: bytes) -> Gazetteer:
        table = json.loads(gzip.decompress(data))
        return cls(table["words"], table["names"])

    def tags(self, key: str) -> str:
        return self.words.get(key, "")


@lru_cache(maxsize=256)
def _gram_slices(length: int) -> list[slice]:
    """The slices of CharNB's 1-4-grams of a padded word of `length` characters, in order."""
    return [slice(i, i + n) for n in (1, 2, 3, 4) for i in range(length - n + 1)]


@dataclass(slots=True)
class CharNB:
    """Naive-Bayes 'looks like a transliterated foreign name' score from char 1–4-grams, trained
    (training/ner/train_ar.py) on GeoNames' Arabic-script names against non-entity words. One
    generalising feature for unseen foreign names (Duisenberg → دويسنبرج) instead of thousands of
    sparse char-n-gram features, which over-fitted (measured)."""

    log_ratio: dict[str, float]
    prior: float
    cuts: list[float] = field(default_factory=list)

    @classmethod
    def from_gzip(cls, data: bytes) -> CharNB:
        table = json.loads(gzip.decompress(data))
        return cls(table["lr"], table["prior"], table["cuts"])

    @staticmethod
    def grams(word: str) -> list[str]:
        padded = f"^{word}$"
        return list(map(padded.__getitem__, _gram_slices(len(padded))))

    def score(self, word: str) -> float:
        grams = self.grams(word)
        total = sum(map(self.log_ratio.get, grams, repeat(0.0)))  # same order: same sum
        return self.prior + total / max(1, len(grams)) * 4

    def bucket(self, word: str) -> int:
        value = self.score(word)
        return sum(1 for cut in self.cuts if value > cut)


class ZipfTable:
    """How common a word is in each language: the integer part of its Zipf frequency (log10 of
    uses per billion words + 9; 'the' 7, 'berlin' 4) from wordfreq 3.1.1's 'large' lists, words
    at Zipf >= 2 only (0 = rarer or unknown). Built by training/ner/build_zipf.py. A capitalised
    word that is also common in lower case ('Regierung', 'The') is rarely a name by itself.

    Stored as sorted 32-bit hashes of 'lang\tword' + one byte per word: ~470k words in ~2.5 MB
    of RSS, where a dict would take ~60 MB."""

    def __init__(self, npz: bytes) -> None:
        with np.load(io.BytesIO(npz), allow_pickle=False) as z:
            self.keys: npt.NDArray[np.uint32] = z["keys"]
            self.values: npt.NDArray[np.uint8] = z["zipf"]
            self.langs = frozenset(bytes(z["langs"]).decode().split(","))

    @staticmethod
    def key(lang: str, word: str) -> int:
        """wordfreq's keys are casefolded ('strasse' for 'Straße')."""
        digest = hashlib.blake2b(f"{lang}\t{word.casefold()}".encode(), digest_size=4).digest()
        return int.from_bytes(digest, "little")

    def zipf(self, lang: str, word: str) -> int:
        return self.zipf_many(lang, [word])[0]

    def zipf_many(self, lang: str, words: list[str]) -> list[int]:
        """zipf() of each word, with one numpy search for all (a search per word costs ~3 µs
        of numpy call overhead; new word types are scored in batches)."""
        keys = np.fromiter((self.key(lang, w) for w in words), np.uint32, len(words))
        at = np.searchsorted(self.keys, keys)
        inside = at < len(self.keys)
        found = np.zeros(len(words), dtype=bool)
        found[inside] = self.keys[at[inside]] == keys[inside]
        values = np.zeros(len(words), dtype=np.int64)
        values[found] = self.values[at[found]]
        out: list[int] = values.tolist()
        return out


# A match: (start, end, type, canonical, *extra fields of the entry)
NameHit = tuple[Any, ...]


def _pair_key(pair: str) -> int:
    """Two characters as one int (code points have 21 bits)."""
    return (ord(pair[0]) << 21) | ord(pair[1])


_SCREEN_FROM = 256  # tokens: from here NameMatcher may screen candidate starts with numpy


class NameMatcher:
    """Every name of the table that starts and ends on a token boundary of the normalised text,
    then the leftmost-longest non-overlapping ones. Candidates are looked up from the token
    starts only, by the lengths of the names that begin with the same two characters: the same
    hits as the Aho-Corasick automaton filtered by token boundaries that this replaces, for ~25 %
    less CPU on Chinese (1.1 → 0.8 ms per 2,000-char article; memory about the same)."""

    def __init__(self, names: dict[str, list[Any]], min_len: int = 2) -> None:
        self._names = names  # shared, not copied
        self._prefix = max(1, min(2, min_len))
        lengths: dict[str, set[int]] = {}
        for key in names:
            if len(key) >= min_len:
                lengths.setdefault(key[: self._prefix], set()).add(len(key))
        self._lengths = {prefix: sorted(ns) for prefix, ns in lengths.items()}
        # the two-character prefixes as sorted int keys, to find candidate starts with numpy
        self._prefix_keys = np.array(
            sorted(_pair_key(p) for p in self._lengths if len(p) == 2), dtype=np.int64
        )

    def _candidates(self, norm_text: str, starts: Collection[int]) -> Iterable[int]:
        """The token starts worth a look-up. A long text with a token per character or so
        (Chinese) is screened with numpy for the positions where a name's two-character prefix
        occurs: 0.23 → 0.06 ms per 2,000-character Chinese article (aliases). Not worth it for a
        short text, nor for words (Arabic: 0.16 → 0.19 ms, as «ال» starts most words)."""
        n = len(starts)
        if self._prefix != 2 or n < _SCREEN_FROM or 2 * n < len(norm_text):
            return starts
        if not len(self._prefix_keys):
            return []
        raw = norm_text.encode("utf-32-le", "surrogatepass")  # code points, as ord() gives
        points = np.frombuffer(raw, dtype=np.uint32).astype(np.int64)
        pairs = (points[:-1] << 21) | points[1:]
        table = self._prefix_keys
        at = np.searchsorted(table, pairs).clip(max=len(table) - 1)
        return [i for i in np.flatnonzero(table[at] == pairs).tolist() if i in starts]

    def all_hits(
        self, norm_text: str, starts: Collection[int], ends: Container[int]
    ) -> list[NameHit]:
        """Every match on token boundaries, overlapping ones included (by start, then length,
        when `starts` is ordered)."""
        hits: list[NameHit] = []
        prefix, lengths_of, names = self._prefix, self._lengths.get, self._names
        for start in self._candidates(norm_text, starts):
            lengths = lengths_of(norm_text[start : start + prefix])
            if lengths is None:
                continue
            for n in lengths:
                end = start + n
                if end in ends:
                    value = names.get(norm_text[start:end])
                    if value is not None:
                        hits.append((start, end, *value))
        return hits

    def find(self, norm_text: str, starts: Collection[int], ends: Container[int]) -> list[NameHit]:
        hits = self.all_hits(norm_text, starts, ends)
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        chosen: list[NameHit] = []
        taken_until = -1
        for hit in hits:
            if hit[0] >= taken_until:
                chosen.append(hit)
                taken_until = hit[1]
        return chosen


PROFILES = ("ar", "cased", "zh")


class AliasTable:
    """Curated aliases (data/aliases.json): one canonical name for an entity written differently
    (داعش / تنظيم الدولة / ISIS → Islamic State), and high-precision spans that override the
    statistical model's boundaries and type where they overlap ('التحالف الدولي' inside
    'التحالف الدولي العقيد')."""

    def __init__(self, raw_json: str, t2s: dict[int, str]) -> None:
        raw = json.loads(raw_json)
        self.canon: dict[str, NameTable] = {p: {} for p in PROFILES}
        surface_keys: dict[str, dict[str, list[Any]]] = {p: {} for p in PROFILES}
        for canonical, entry in raw.items():
            if canonical.startswith("_"):
                continue
            ambiguous = set(entry.get("ambiguous", []))
            for form in [canonical, *entry["forms"]]:
                profile = script_profile(form)
                self.canon[profile][lookup_key(form, profile)] = [entry["type"], canonical]
                # third field: may this form be added where the model found nothing?
                key = same_length_norm(form, profile, t2s)
                surface_keys[profile][key] = [entry["type"], canonical, form not in ambiguous]
        self._matchers = {p: NameMatcher(keys, min_len=2) for p, keys in surface_keys.items()}
        self._t2s = t2s

    def apply(
        self, text: str, profile: str, tokens: Tokens, spans: list[Span], norm: str | None = None
    ) -> list[Span]:
        """Alias spans replace the model spans they overlap, but not a wider name around a person
        («布什大樓» around «布什»), nor, in cased scripts, a wider person or organisation name
        (capitalised words only) the model found around them. They
        are also added where the model found nothing, except single-word forms marked ambiguous
        (القاعدة is also 'the base'), which only correct spans the model found unless alone in
        brackets («(AP)»). norm: same_length_norm(text, profile), when the caller has it (the
        Chinese path translates every text to Simplified already)."""
        if norm is None:
            norm = same_length_norm(text, profile, self._t2s)
        first_token, last_token = tokens.first, tokens.last
        hits = self._matchers[profile].find(norm, first_token, last_token)
        if not hits:
            return spans
        out = list(spans)
        for start, end, kind, _, addable in hits:
            overlap = [s for s in out if s[0] < end and start < s[1]]
            wider = [s for s in overlap if s[0] <= start and end <= s[1] and s[:2] != (start, end)]
            if any(
                kind == "PER"  # a fuller name around a person's: «唐納·川普», «布什大樓»
                or (
                    profile == "cased"
                    and s[2] in ("PER", "ORG")
                    and all(w[:1].isupper() for w in text[s[0] : s[1]].split())
                )
                for s in wider
            ):
                continue  # inside a wider name: «BBC World Service», «Nikola Tesla»
            # a form alone in brackets is a credit or an abbreviation: «NAIROBI (AP) —»
            bracketed = text[start - 1 : start] == "(" and text[end : end + 1] == ")"
            if overlap or addable or bracketed or last_token[end] > first_token[start]:
                confidence = max([s[3] for s in overlap], default=0.9)
                out = [s for s in out if s not in overlap] + [(start, end, kind, confidence)]
        return sorted(out)
