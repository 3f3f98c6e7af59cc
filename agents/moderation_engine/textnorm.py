"""Text normalisation, script detection and hashed-feature strings for comment moderation.

Training (training/moderation/) and the moderator import this one module, so both featurise a
comment identically. Standard library only: it is also what the word lists are stored in.
"""

import re
import unicodedata

# --- script detection ------------------------------------------------------------------------

_SCRIPTS: dict[str, re.Pattern[str]] = {
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "devanagari": re.compile(r"[\u0900-\u097f]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "kana_hangul": re.compile(r"[\u3040-\u30ff\uac00-\ud7af]"),
}


def dominant_script(text: str) -> str:
    """The most frequent script among the letters, or "other" when it is under 30 % of them (one
    loan word does not decide), or "none" when there are no letters of a known script."""
    counts = {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS.items()}
    best = max(counts, key=counts.__getitem__)
    if counts[best] == 0:
        return "none"
    letters = sum(1 for ch in text if ch.isalpha())
    return best if counts[best] >= 0.3 * max(letters, 1) else "other"


# --- normalisation ---------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_URL = re.compile(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"(?<![\w@])@\w+")
_AR_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_AR_LETTER_VARIANTS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ک": "ك",
        "ی": "ي",
        "ـ": None,  # tatweel
        "،": ",",
        "؟": "?",
        "؛": ";",
    }
)
# Arabizi digits used INSIDE Arabic words (HateCheck "spell_char_eng_replace": ب7اجة, وا6ين).
_ARABIZI = str.maketrans({"2": "ا", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "غ", "9": "ق"})
_AR_WORD_WITH_DIGIT = re.compile(r"[\u0600-\u06ff'0-9]*[\u0600-\u06ff][\u0600-\u06ff'0-9]*")
# Leetspeak INSIDE Latin words only, so "2014" and "3 people" stay numbers.
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "€": "e",
        "8": "b",
    }
)
_LATIN_WORD_WITH_LEET = re.compile(
    r"(?<![\w@$!€])(?=[\w@$!€]*[a-z])(?=[\w@$!€]*[0-9@$!€])[\w@$!€]*[\w$€]"
)
_AR_LONG_RUN = re.compile(r"([\u0600-\u06ff])\1{2,}")
_LONG_RUN = re.compile(r"(\w)\1{2,}")
_ALEF_RUN = re.compile(r"ا{2,}")
# >= 3 single letters separated by spaces/dots/dashes/underscores/asterisks: "f u c k", "k.i.l.l"
_SPACED = re.compile(r"(?<!\w)(?:\w[ .\-_*·]+){2,}\w(?!\w)")
_SPACED_SEPARATOR = re.compile(r"[ .\-_*·]+")
# One-letter words that stay apart when they lead a spaced run ("a f u c k" -> "a fuck").
_STANDALONE = frozenset({"a", "i", "y", "o", "e", "u", "à", "é", "w", "z", "و"})
_WHITESPACE = re.compile(r"\s+")


def _strip_latin_accents(text: str) -> str:
    """Remove combining marks after Latin letters only (Devanagari vowel signs are marks too)."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _fix_arabizi(match: re.Match[str]) -> str:
    word = match.group(0)
    if not any(c.isdigit() or c == "'" for c in word):
        return word
    return word.replace("3'", "غ").replace("'3", "غ").translate(_ARABIZI).replace("'", "")


def _fix_leet(match: re.Match[str]) -> str:
    word = match.group(0)
    return word if word.isdigit() else word.translate(_LEET)


def _join_spaced(match: re.Match[str]) -> str:
    parts = [p for p in _SPACED_SEPARATOR.split(match.group(0)) if p]
    if len(parts) >= 4 and parts[0] in _STANDALONE:
        return parts[0] + " " + "".join(parts[1:])
    return "".join(parts)


def normalise(text: str) -> str:
    """Language-agnostic normalisation for word lists and features.

    NFKC (full-width forms, ligatures), zero-width characters removed, casefold, URL and
    @mention placeholders. Arabic: diacritics and tatweel removed, alef/hamza/ya/ta-marbuta
    variants folded, Arabizi digits inside words mapped to letters, runs of >= 3 identical
    letters and any repeated alef shortened to one ("كلاااب" -> "كلاب": Arabic writes a doubled
    consonant with shadda, never twice). Latin: accents stripped, leetspeak inside words undone.
    All scripts: spaced letters joined ("f u c k"), other runs of >= 3 identical letters
    shortened to two ("fuuuuck" -> "fuuck"; the word lists also try the one-letter form).
    """
    t = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).casefold()
    t = _URL.sub(" url ", t)
    t = _MENTION.sub(" xxuser ", t)
    t = _AR_DIACRITICS.sub("", t).translate(_AR_LETTER_VARIANTS)
    t = _AR_WORD_WITH_DIGIT.sub(_fix_arabizi, t)
    t = _strip_latin_accents(t)
    t = _SPACED.sub(_join_spaced, t)
    t = _LATIN_WORD_WITH_LEET.sub(_fix_leet, t)
    t = _AR_LONG_RUN.sub(r"\1", t)
    t = _LONG_RUN.sub(r"\1\1", t)
    t = _ALEF_RUN.sub("ا", t)
    return _WHITESPACE.sub(" ", t).strip()


# --- tokens and features ---------------------------------------------------------------------

_TOKEN = re.compile(r"[\u3400-\u9fff]+|[^\W_]+")
_CJK_RUN = re.compile(r"^[\u3400-\u9fff]+$")
CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


def tokens(norm: str) -> list[str]:
    return _TOKEN.findall(norm)


def features(norm: str) -> list[str]:
    """Word unigrams and bigrams plus char 2-5-grams inside space-padded words; a CJK run (no
    spaces in Chinese) gives char 1-3-grams instead. Strings, hashed by the model."""
    feats: list[str] = []
    prev = "<s>"
    for word in tokens(norm):
        if _CJK_RUN.match(word):
            feats.extend(word[i : i + n] for n in (1, 2, 3) for i in range(len(word) - n + 1))
            prev = "<cjk>"
            continue
        feats.append("w:" + word)
        feats.append("b:" + prev + " " + word)
        prev = word
        padded = " " + word + " "
        for n in (2, 3, 4, 5):
            if n > len(padded):
                break
            feats.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return feats
