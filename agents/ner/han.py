"""Han-character word look-ups in numpy, shared by the Chinese word segmenter and name matcher
(agents/ner/zh.py): a word of 2-4 Han characters is packed exactly into one int64 (15 bits per
character) and searched in a hash table (agents/ner/int_table.py); longer words are checked in
a dict where their 4-character prefix occurs. A text's packed keys (HanKeys) are made once and
searched in every lexicon that reads that text."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from agents.ner.int_table import IntTable

HAN_FIRST, HAN_LAST = 0x4E00, 0x9FFF
_BITS = 15  # 0x9FFF - 0x4E00 < 2**15: four characters fit in one int64
_SHORT = (2, 3, 4)


def code_points(text: str) -> npt.NDArray[np.int64]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def han_codes(text: str, points: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.int64]:
    """Han characters as 0..20991, everything else as -1 (one entry per character); points:
    code_points(text), if the caller has them."""
    if points is None:
        points = code_points(text)
    han = (points >= HAN_FIRST) & (points <= HAN_LAST)
    return np.where(han, points - HAN_FIRST, -1)


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


class HanKeys:
    """The packed keys of one text, made once and shared by every HanLexicon that searches it
    (the name matcher and the word segmenter read the same simplified text): the character
    codes, per length the keys and their validity, and per table the slots found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.points = code_points(text)  # also read by the n-gram and character look-ups
        self.codes = han_codes(text, self.points)
        self._packed: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]] = {}
        self._found: dict[int, npt.NDArray[np.int64]] = {}  # id(table) → lookup()

    def packed(self, length: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """_pack's key and validity of the `length` characters at each position."""
        if length not in self._packed:
            self._packed[length] = _pack(self.codes, length)
        return self._packed[length]

    def lookup(self, table: IntTable, length: int) -> npt.NDArray[np.int64]:
        """The slot of each key of `length` in the table (IntTable.slots); searched once per
        table (lexicons that share their tables share the search)."""
        found = self._found.get(id(table))
        if found is None:
            self._found[id(table)] = found = table.slots(self.packed(length)[0])
        return found


def _pack_words(words: list[str], length: int) -> npt.NDArray[np.int64]:
    """_pack's key of each Han word of exactly `length` characters, all at once."""
    codes = han_codes("".join(words)).reshape(len(words), length)
    key = np.zeros(len(words), dtype=np.int64)
    for j in range(length):
        key = (key << _BITS) | codes[:, j]
    return key


class HanLexicon:
    """Words of 2+ Han characters → an int value; finds the longest word starting at each
    character. Words of 2-4 characters are int64 keys in sorted arrays; longer ones are looked
    up in a dict only where their 4-character prefix occurs. Values are >= 0 (-1: no word)."""

    def __init__(self, words: Iterable[tuple[str, int]]) -> None:
        by_length: dict[int, dict[str, int]] = {n: {} for n in _SHORT}
        self._long: dict[str, int] = {}
        for word, value in words:  # a later value for the same word wins, as in a dict
            if value < 0:
                raise ValueError(f"negative value for {word!r}")
            (by_length[len(word)] if len(word) <= _SHORT[-1] else self._long)[word] = value
        self._long_max = max(map(len, self._long), default=4)
        # per length: the words' keys and values (kept to merge with another lexicon), their
        # hash table and the values by slot (-1 in free slots: a miss needs no key compare)
        self._words: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = {}
        self._tables: dict[int, IntTable] = {}
        self._values: dict[int, npt.NDArray[np.int64]] = {}
        for n, table in by_length.items():
            keys = _pack_words(list(table), n)
            self._words[n] = keys, np.fromiter(table.values(), np.int64, len(table))
            self._tables[n] = IntTable(keys)
            self._values[n] = self._tables[n].values_for(*self._words[n], default=-1)
        self._long_prefixes = IntTable(_pack_words([w[:4] for w in self._long], 4))

    def share_keys(self, other: HanLexicon) -> None:
        """Make both lexicons search the same tables (the union of their words; a value of -1
        where a lexicon lacks the word), so that a text's HanKeys searches once for both: the
        same answers, one search per length instead of two."""
        for n in _SHORT:
            union = IntTable(np.union1d(self._words[n][0], other._words[n][0]))
            for lexicon in (self, other):
                lexicon._tables[n] = union
                lexicon._values[n] = union.values_for(*lexicon._words[n], default=-1)
        prefixes = IntTable(np.union1d(self._long_prefixes.members, other._long_prefixes.members))
        self._long_prefixes = other._long_prefixes = prefixes
        self._long_max = other._long_max = max(self._long_max, other._long_max)

    def longest(self, text: str | HanKeys) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Per character: the length of the longest word starting there (1: none) and its
        value (-1: none)."""
        keys = text if isinstance(text, HanKeys) else HanKeys(text)
        text = keys.text
        n = len(keys.codes)
        longest = np.ones(n, dtype=np.int64)
        values = np.full(n, -1, dtype=np.int64)
        for length in _SHORT:
            table = self._tables[length]
            if n < length or not table.size:
                continue
            found = self._values[length][keys.lookup(table, length)]
            hit = np.flatnonzero(keys.packed(length)[1] & (found >= 0))
            longest[hit] = length
            values[hit] = found[hit]
        prefixes = self._long_prefixes
        if n >= 5 and prefixes.size:
            key, valid = keys.packed(4)
            at = keys.lookup(prefixes, 4)
            for i in np.flatnonzero(valid & (prefixes.keys[at] == key)).tolist():
                for length in range(min(self._long_max, n - i), 4, -1):
                    value = self._long.get(text[i : i + length])
                    if value is not None:
                        longest[i], values[i] = length, value
                        break
        return longest, values


def is_han(word: str) -> bool:
    return all(HAN_FIRST <= ord(c) <= HAN_LAST for c in word)
