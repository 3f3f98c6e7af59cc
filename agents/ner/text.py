"""Tokeniser and script-specific normalisation, shared by training and run time.

Training text is rebuilt from CoNLL tokens and re-tokenised with this same tokeniser, so the
models see identical tokens in training and on raw articles; every offset here is a character
offset into the input string.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

Offsets = list[tuple[int, int]]


def _combining_class() -> str:
    """All combining marks of the BMP (Python's \\w excludes them: Arabic harakat, Indic vowel
    signs, ...), plus tatweel and zero-width joiners, so that they stay inside words."""
    chars = [
        chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")
    ]
    chars += ["\u0640", "\u200c", "\u200d"]
    return "".join(re.escape(c) for c in chars)


_MARKS = _combining_class()
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# A word is a run of letters/digits/marks; CJK characters are excluded (one token per character).
_WORD = rf"(?:[^\W{_CJK}]|[{_MARKS}])+"
TOKEN_RE = re.compile(rf"{_WORD}|[{_CJK}]|\S")


def _single_cjk_class() -> str:
    """The CJK characters that are always a token of their own: all of _CJK but the combining
    marks inside it (U+3099, U+309A), which TOKEN_RE lets join a word."""
    marks = set(_MARKS.replace("\\", ""))
    ranges = [(0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
    ranges.append((0xAC00, 0xD7AF))
    chars = [chr(c) for a, b in ranges for c in range(a, b + 1) if chr(c) not in marks]
    return "".join(re.escape(c) for c in chars)


_SINGLE_CJK = _single_cjk_class()
# TOKEN_RE's tokens, but a run of single-character CJK tokens is one match (expanded by
# Tokens.of with range()): a Chinese article is ~2,000 tokens and 1 match object each cost
# ~0.45 µs. No token can span such a character, so the other tokens are TOKEN_RE's.
_RUN_RE = re.compile(rf"([{_SINGLE_CJK}]{{2,}})|{_WORD}|[{_CJK}]|\S")


def tokenize(text: str) -> Offsets:
    """Character spans of the tokens: words, single CJK characters, single other symbols.
    Punctuation is always its own token (raw text has “داعش”، Obama's, l'Union ...)."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of one text, with their index by start and by end character (built once per
    text: matchers and span clean-ups look boundaries up there)."""

    offsets: Offsets
    first: dict[int, int]  # start character → token index
    last: dict[int, int]  # end character → token index
    ends: list[int]  # end characters, ascending

    @classmethod
    def of(cls, text: str, cjk: bool = False) -> Tokens:
        """tokenize(text) with its indexes. cjk (a speed hint, same tokens either way): take
        runs of CJK characters a run per regex match and build the lists with range/zip/dict in
        C: 0.72 → 0.60 ms per 2,000-character Chinese article, but ~10 % slower on words."""
        if not cjk:
            offsets = tokenize(text)
            first = {a: i for i, (a, _) in enumerate(offsets)}
            last = {b: i for i, (_, b) in enumerate(offsets)}
            return cls(offsets, first, last, list(last))
        starts: list[int] = []
        ends: list[int] = []
        for match in _RUN_RE.finditer(text):
            a, b = match.span()
            if match.lastindex:  # a run of CJK characters: one token each
                starts.extend(range(a, b))
                ends.extend(range(a + 1, b + 1))
            else:
                starts.append(a)
                ends.append(b)
        n = len(starts)
        return cls(
            list(zip(starts, ends, strict=True)),
            dict(zip(starts, range(n), strict=True)),
            dict(zip(ends, range(n), strict=True)),
            ends,
        )


# --- Arabic ---------------------------------------------------------------------------------

_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_LETTERS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
_AR_MAP = str.maketrans({**_AR_LETTERS, "ک": "ك", "ی": "ي", "ہ": "ه", "ە": "ه", "ـ": ""})
# Letter-for-letter subset of the normalisation: keeps offsets valid for matching raw text.
_AR_SAME_LEN = str.maketrans(_AR_LETTERS)
# Longest first: 'وبال' before 'و'. 'لل' is ل + ال with the alef elided.
AR_PROCLITICS = (
    *("وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال"),
    *("وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك"),
)


def ar_norm(word: str) -> str:
    """Orthographic normalisation: drop harakat/tatweel, unify alef/ya/ta-marbuta/hamza seats."""
    return _AR_DIACRITICS.sub("", word).translate(_AR_MAP)


# AR_PROCLITICS by length, longest first (as listed): at most one of each length can match.
_AR_PROCLITICS_BY_LENGTH = [
    (n, frozenset(p for p in AR_PROCLITICS if len(p) == n))
    for n in sorted({len(p) for p in AR_PROCLITICS}, reverse=True)
]
assert [p for _, ps in _AR_PROCLITICS_BY_LENGTH for p in AR_PROCLITICS if p in ps] == list(
    AR_PROCLITICS
), "AR_PROCLITICS must be listed longest first"


def ar_strip(normalised: str) -> tuple[str, str]:
    """(proclitics, stem) of a normalised word, keeping stems of >= 2 letters. A feature, not a
    segmentation: over-stripping a name that starts with و is tolerated by the model.
    The first of AR_PROCLITICS that fits, found with one set look-up per length."""
    for n, prefixes in _AR_PROCLITICS_BY_LENGTH:
        if len(normalised) - n >= 2 and normalised[:n] in prefixes:
            return normalised[:n], normalised[n:]
    return "", normalised


# --- Chinese --------------------------------------------------------------------------------


def t2s_table(raw_json: str) -> dict[int, str]:
    """Traditional→Simplified character table for str.translate (1:1, so offsets hold)."""
    mapping: dict[str, str] = json.loads(raw_json)
    return str.maketrans(mapping)


# --- shared ---------------------------------------------------------------------------------


_ARABIC_LETTERS = re.compile("[\u0621-\u064a]+")  # all caseless letters (str.isalpha)


def shape(token: str) -> str:
    """Collapsed character classes of the first 12 characters: 'Obama' → 'Xx', 'F-16' → 'X-d'.
    (A translate table + a regex to collapse runs cost 3x this loop: measured.) Most words are
    one of four shapes, answered without the loop (unit-tested against it on every dev token)."""
    word = token[:12]
    if word.isascii():
        if word.isalpha():  # every character a cased letter
            if word.islower():
                return "x"
            if word.isupper():
                return "X"
            if word[0].isupper() and word[1:].islower():
                return "Xx"
    elif _ARABIC_LETTERS.fullmatch(word):
        return "a"
    return _shape_of_characters(word)


def _shape_of_characters(word: str) -> str:
    out: list[str] = []
    for ch in word:
        if ch.isupper():
            cls = "X"
        elif ch.islower():
            cls = "x"
        elif ch.isdigit():
            cls = "d"
        elif ch.isalpha():
            cls = "a"  # caseless letter (Arabic, CJK, ...)
        else:
            cls = ch
        if not out or out[-1] != cls:
            out.append(cls)
    return "".join(out)


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_CJK_SCRIPT = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


def script_profile(text: str) -> str:
    """Which alias/gazetteer table a surface form belongs to: 'ar', 'zh' or 'cased'."""
    if _ARABIC_SCRIPT.search(text):
        return "ar"
    if _CJK_SCRIPT.search(text):
        return "zh"
    return "cased"


@lru_cache(maxsize=65536)  # entity surfaces repeat: canonical, consistency and links ask again
def lookup_key(text: str, profile: str) -> str:
    """Normalised token sequence used for every gazetteer and alias look-up of `profile`."""
    tokens = [text[a:b] for a, b in tokenize(text)]
    if profile == "ar":
        return " ".join(ar_norm(t) for t in tokens)
    if profile == "zh":
        return "".join(tokens)
    return " ".join(t.lower() for t in tokens)


# Russian case endings → the nominative endings they may come from (Москвы/Москве/Москву →
# Москва, России → Россия, Лондона/Лондоне → Лондон, Казани → Казань), for canonical look-ups
# only: a candidate counts only if the gazetteer knows it with the same entity type.
_RU_CASE_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ией", ("ия",)),
    ("ию", ("ия",)),
    ("ии", ("ия", "ий")),
    ("ой", ("а", "ая")),
    ("ей", ("я", "ь")),
    ("ом", ("",)),
    ("ем", ("й", "ь", "")),
    ("ью", ("ь",)),
    ("ы", ("а",)),
    ("и", ("а", "я", "ь")),
    ("е", ("а", "я", "", "ь", "й")),
    ("у", ("а", "")),
    ("ю", ("я", "й", "ь")),
    ("а", ("", "ь")),
    ("я", ("й", "ь")),
)
_CYRILLIC_WORD = re.compile(r"[а-яё]+")


def russian_nominative_keys(key: str) -> list[str]:
    """Candidate nominative forms of a lower-cased Russian look-up key, by its last word."""
    head, _, last = key.rpartition(" ")
    if len(last) < 4 or not _CYRILLIC_WORD.fullmatch(last):
        return []
    prefix = f"{head} " if head else ""
    return [
        prefix + last[: -len(ending)] + nominative
        for ending, nominatives in _RU_CASE_ENDINGS
        if last.endswith(ending)
        for nominative in nominatives
    ]


def same_length_norm(text: str, profile: str, t2s: dict[int, str]) -> str:
    """Length-preserving normalisation, so that matcher offsets are offsets into `text`."""
    if profile == "ar":
        return text.translate(_AR_SAME_LEN)
    if profile == "zh":
        return text.translate(t2s)
    return text  # case-sensitive for cased scripts: 'US'/'AP' must not match 'us'/'ap'


_SENTENCE_END = frozenset(".!?؟。！？;؛")
_BOUNDARY_CANDIDATE = re.compile(r"[.!?؟。！？;؛]|\n")
MAX_CHUNK_TOKENS = 120


def sentence_chunks(text: str, tokens: Tokens) -> list[tuple[int, int]]:
    """Token ranges [a, b): cut after sentence-final punctuation (at least 3 tokens in) or at a
    line break, and every MAX_CHUNK_TOKENS. The models were trained on sentences, and the
    batched decoder loops over positions, so many short sequences cost less than a few long
    ones. Only the tokens at candidate characters are examined (a regex finds them)."""
    offsets = tokens.offsets
    n = len(offsets)
    candidates: list[int] = []  # token indices after which a cut may come, ascending
    for match in _BOUNDARY_CANDIDATE.finditer(text):
        at = match.start()
        if text[at] == "\n":
            i = bisect_right(tokens.ends, at) - 1  # last token ending before the break
            if 0 <= i < n - 1 and (not candidates or candidates[-1] != i):
                candidates.append(i)
        elif at in tokens.first:
            i = tokens.first[at]
            if not candidates or candidates[-1] != i:
                candidates.append(i)
    chunks: list[tuple[int, int]] = []
    first = 0
    for i in candidates:
        while i + 1 - first > MAX_CHUNK_TOKENS:
            chunks.append((first, first + MAX_CHUNK_TOKENS))
            first += MAX_CHUNK_TOKENS
        if i < first:
            continue
        token = text[offsets[i][0] : offsets[i][1]]
        end_here = token in _SENTENCE_END and i + 1 - first >= 3 and i + 1 < n
        if end_here and token == ".":
            # Not after an initial or abbreviation ('U.S.', 'J. Smith'), not before lower case.
            previous = text[offsets[i - 1][0] : offsets[i - 1][1]]
            following = text[offsets[i + 1][0]]
            end_here = len(previous) > 1 and not following.islower() and not following.isdigit()
        line_break = i + 1 < n and "\n" in text[offsets[i][1] : offsets[i + 1][0]]
        if end_here or line_break or i + 1 - first >= MAX_CHUNK_TOKENS:
            chunks.append((first, i + 1))
            first = i + 1
    while n - first > MAX_CHUNK_TOKENS:
        chunks.append((first, first + MAX_CHUNK_TOKENS))
        first += MAX_CHUNK_TOKENS
    if first < n:
        chunks.append((first, n))
    return chunks
