"""Whole-word lexicons (profanity, insult, identity attack, threat) and the counter-speech guard.

Entries are stored normalised (textnorm.normalise) in agents/data/moderation_lexicons.json,
built by training/moderation/build_lexicons.py. Latin words match whole tokens only, so "culo"
never matches "artículo"; Arabic tokens are also tried without their proclitics (و ف ب ل ال…)
so "والكلاب" matches "كلاب"; Chinese entries match as substrings (no spaces between words).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from agents.moderation_engine.textnorm import CJK_CHAR, tokens

# A lexicon hit alone scores this on its attribute. With the default thresholds (0.5 / 0.8)
# every hit lands in the review band, never reject: only the model's own score can reject.
LEXICON_SCORE = {"profanity": 0.90, "insult": 0.75, "identity_attack": 0.75, "threat": 0.75}
# A quoted, reported or condemned hit (and the model's scores in a comment with counter-speech
# cues) is multiplied by this, which puts a word-list hit under the review threshold.
GUARD_FACTOR = 0.5

_AR_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_ARABIC_START = re.compile(r"[\u0600-\u06ff]")
_REPEATS = re.compile(r"(.)\1+")
_QUOTED = re.compile(r"[\"“”«»„‟]([^\"“”«»„‟]{3,})[\"“”«»„‟]")


@lru_cache(maxsize=65536)
def _variants(token: str) -> tuple[str, ...]:
    """The token plus the forms a list entry may have: Arabic without a proclitic, Latin with
    repeated letters collapsed ("fuuck" -> "fuck"; the normaliser keeps doubles)."""
    out = [token]
    if _ARABIC_START.match(token):
        out += [
            token[len(p) :]
            for p in _AR_PROCLITICS
            if token.startswith(p) and len(token) - len(p) >= 3
        ]
    elif token.isascii():
        single = _REPEATS.sub(r"\1", token)
        if single != token:
            out.append(single)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class LexiconHit:
    attribute: str
    words: list[str]
    score: float
    guarded_by: str  # why the hit was discounted ("" when it was not)


class Lexicon:
    """One language's lists (normalised): each attribute's words and phrases, plus the cues of
    counter-speech: "condemn" ("ندين", "unacceptable") and "report" ("تقول ان", "you said")."""

    def __init__(self, lang: str, lists: Mapping[str, Iterable[str]]) -> None:
        self.lang = lang
        entries = {name: list(words) for name, words in lists.items() if name in LEXICON_SCORE}
        self._phrases: dict[str, tuple[str, ...]] = {}
        for attribute, words in entries.items():
            for word in words:
                self._phrases[word] = (*self._phrases.get(word, ()), attribute)
        self._max_words = max((len(p.split()) for p in self._phrases), default=1)
        self._cjk = {
            attribute: [w for w in words if CJK_CHAR.search(w)]
            for attribute, words in entries.items()
        }
        self._cues = [*lists.get("condemn", []), *lists.get("report", [])]
        self._cue_patterns = [re.compile(rf"(?<!\w){re.escape(cue)}") for cue in self._cues]

    def match(self, norm: str) -> dict[str, list[str]]:
        """attribute -> the list entries found in the normalised text, in order of appearance."""
        toks = tokens(norm)
        hits: dict[str, list[str]] = {}
        for i in range(len(toks)):
            for n in range(1, self._max_words + 1):
                if i + n > len(toks):
                    break
                rest = " ".join(toks[i + 1 : i + n])
                for first in _variants(toks[i]):
                    phrase = f"{first} {rest}" if rest else first
                    for attribute in self._phrases.get(phrase, ()):
                        found = hits.setdefault(attribute, [])
                        if phrase not in found:
                            found.append(phrase)
        for attribute, words in self._cjk.items():
            for word in words:
                found = hits.setdefault(attribute, [])
                if word in norm and word not in found:
                    found.append(word)
        return {attribute: words for attribute, words in hits.items() if words}

    def counter_speech(self, norm: str) -> list[str]:
        """The condemnation and reported-speech cues in the text."""
        return [
            cue
            for cue, pattern in zip(self._cues, self._cue_patterns, strict=True)
            if pattern.search(norm)
        ]

    def score(self, norm: str, cues: list[str]) -> list[LexiconHit]:
        """Scored hits. Counter-speech guard: a threat, insult or slur inside quotation marks, or
        in a comment with counter-speech `cues`, is discounted: quoting, reporting or condemning
        hate is not hate. Profanity is never discounted (it is there either way)."""
        quoted = " ".join(m.group(1) for m in _QUOTED.finditer(norm))
        scored = []
        for attribute, words in self.match(norm).items():
            guard = ""
            if attribute != "profanity":
                if cues:
                    guard = ", ".join(cues)
                elif all(w in quoted for w in words):
                    guard = "in quotes"
            factor = GUARD_FACTOR if guard else 1.0
            scored.append(LexiconHit(attribute, words, LEXICON_SCORE[attribute] * factor, guard))
        return scored
