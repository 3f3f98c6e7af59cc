"""The comment moderator: language routing, model + word-list scores, decision, reasons.

Per comment: `decision` approve|review|reject, `scores` for toxicity, insult, threat,
identity_attack, profanity (0-1, None where no component judges the attribute), human-readable
`reasons` (which attribute, which words or which model) and `creator` (component@version).

- Route by the primary language subtag (aliases such as arz/apc -> ar, cmn -> zh). A model is
  used only on the script it was trained on (the Hindi data is romanised, so Devanagari Hindi is
  unsupported). "und" is routed by script where one script means one model (Arabic, Han).
- Model `linear-<lang>`: hashed n-gram logistic-regression heads (toxicity, insult,
  identity_attack, threat; English has no threat data, so threat comes from its word list only).
- Lexicon `lexicon-<lang>`: whole-word lists; a hit alone reaches review, never reject.
- Counter-speech guard: in a comment with a condemnation or reported-speech cue ("ندين",
  "تقول ان", "unacceptable", "you said"), the model's scores are halved and a threat, insult or
  slur from the word lists (also one inside quotation marks) is discounted below review:
  quoting, reporting or condemning hate or violence is not hate or a threat.
- Decision on m = max(toxicity, insult, threat, identity_attack): m >= reject threshold ->
  reject, m >= review threshold -> review; profanity without any other signal -> at most review.
- Unsupported language or script: all scores None, decision review, reason "unsupported
  language: xx" - never a silent approve. A comment without letters (emoji, digits) is approved
  with a reason saying so.
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agents.moderation_engine.hashed_linear import Csr, FloatArray, HashedLinearModel
from agents.moderation_engine.lexicon import GUARD_FACTOR, Lexicon
from agents.moderation_engine.textnorm import dominant_script, normalise
from schemas import MODERATION_ATTRIBUTES, Decision

MODEL_VERSION = "1.1.0"
CREATOR_PREFIX = "wirestream.moderation"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MODEL_FILE = DATA_DIR / "moderation_linear.npz"
LEXICON_FILE = DATA_DIR / "moderation_lexicons.json"

# The scripts each language's model was trained on.
MODEL_SCRIPTS: dict[str, tuple[str, ...]] = {
    "ar": ("arabic",),
    "zh": ("han",),
    "hi": ("latin",),  # HateCheck hi is romanised
    **{lang: ("latin",) for lang in ("en", "fr", "de", "es", "it", "nl", "pl", "pt")},
}
# ISO 639-2/3 codes and Arabic macro-language members that detectors may report.
_ALIASES = {
    **dict.fromkeys(("ara", "arb", "arz", "apc", "ajp", "ary", "arq", "acm", "afb", "aeb"), "ar"),
    **dict.fromkeys(("zho", "chi", "cmn"), "zh"),
    **{"eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "hin": "hi"},
    **{"ita": "it", "nld": "nl", "dut": "nl", "pol": "pl", "por": "pt"},
}
_UNDETERMINED = frozenset({"und", "mul", "zxx", ""})
# An undetermined language is routed by script only where one script means one model.
_SCRIPT_ONLY = {"arabic": "ar", "han": "zh"}
_MODEL_HEADS = ("toxicity", "insult", "identity_attack", "threat")
_LANGUAGES_WITHOUT_THREAT_DATA = frozenset({"en"})  # MLMA has no threat label
_NO_LETTERS = "no letters"


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    scores: dict[str, float | None]
    reasons: list[str]
    creator: str


def primary_language(code: str) -> str:
    """BCP-47 (or ISO 639-2/3, or "en_US") -> lower-case primary subtag, aliases resolved."""
    primary = re.split(r"[-_]", (code or "").strip().lower(), maxsplit=1)[0]
    return _ALIASES.get(primary, primary) or "und"


def creator(component: str) -> str:
    return f"{CREATOR_PREFIX}.{component}@{MODEL_VERSION}"


class CommentModerator:
    """Moderates batches of (comment text, BCP-47 language) pairs. Offline; load once per worker
    (about 0.1 s, ~60 MB)."""

    def __init__(self, review_threshold: float = 0.5, reject_threshold: float = 0.8) -> None:
        if not 0.0 < review_threshold <= reject_threshold <= 1.0:
            raise ValueError("need 0 < review_threshold <= reject_threshold <= 1")
        self.review_threshold = review_threshold
        self.reject_threshold = reject_threshold
        self._model = HashedLinearModel(MODEL_FILE)
        raw = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
        self._lexicons = {
            lang: Lexicon(lang, lists) for lang, lists in raw.items() if not lang.startswith("_")
        }
        self._head_index = {head: i for i, head in enumerate(self._model.heads)}
        self.languages = tuple(lang for lang in MODEL_SCRIPTS if lang in self._model.langs)

    def supported(self, lang: str) -> bool:
        """True if the language has a model (text in another script still goes to review)."""
        return primary_language(lang) in self.languages

    def moderate_batch(self, items: Sequence[tuple[str, str]]) -> list[Verdict]:
        """One verdict per (text, language) item, in order; one model call per language."""
        norms = [normalise(text or "") for text, _ in items]
        routes = [self._route(norm, lang) for norm, (_, lang) in zip(norms, items, strict=True)]
        by_lang: dict[str, list[int]] = {}
        for i, (lang, _) in enumerate(routes):
            if lang:
                by_lang.setdefault(lang, []).append(i)
        scored: dict[int, tuple[FloatArray, Csr]] = {}
        for lang, indices in by_lang.items():
            x = self._model.transform([norms[i] for i in indices])
            probabilities = self._model.proba(x, lang)
            for row, i in enumerate(indices):
                scored[i] = (probabilities[row], x[row])
        verdicts = []
        for i, (lang, why) in enumerate(routes):
            if lang is None:
                verdicts.append(self._unjudged(why))
            else:
                probabilities, x_row = scored[i]
                verdicts.append(self._judge(norms[i], lang, probabilities, x_row))
        return verdicts

    def _route(self, norm: str, lang: str) -> tuple[str | None, str]:
        """(model language or None, why). The script decides for "und" and guards mismatches."""
        code = primary_language(lang)
        script = dominant_script(norm)
        if script == "none":
            return None, _NO_LETTERS
        if code in _UNDETERMINED:
            routed = _SCRIPT_ONLY.get(script)
            if routed:
                return routed, f"language undetermined, routed by {script} script"
            return None, f"unsupported language: undetermined language in {script} script"
        if code not in self.languages:
            return None, f"unsupported language: {code}"
        if script not in MODEL_SCRIPTS[code]:
            known = "/".join(MODEL_SCRIPTS[code])
            return None, (
                f"unsupported language: {code} text in {script} script (model knows {known} only)"
            )
        return code, ""

    def _unjudged(self, why: str) -> Verdict:
        if why == _NO_LETTERS:
            return Verdict(
                "approve",
                dict.fromkeys(MODERATION_ATTRIBUTES, 0.0),
                ["no words to judge (only digits, emoji or punctuation)"],
                creator("none"),
            )
        return Verdict("review", dict.fromkeys(MODERATION_ATTRIBUTES, None), [why], creator("none"))

    def _judge(self, norm: str, lang: str, probabilities: FloatArray, x_row: Csr) -> Verdict:
        scores: dict[str, float | None] = dict.fromkeys(MODERATION_ATTRIBUTES, None)
        for head in _MODEL_HEADS:
            if head == "threat" and lang in _LANGUAGES_WITHOUT_THREAT_DATA:
                continue
            scores[head] = float(probabilities[self._head_index[head]])
        reasons: list[str] = []
        lexicon = self._lexicons.get(lang)
        cues = lexicon.counter_speech(norm) if lexicon is not None else []
        if cues:
            for head in _MODEL_HEADS:
                if (score := scores[head]) is not None:
                    scores[head] = score * GUARD_FACTOR
            reasons.append(
                f"model scores halved: counter-speech or reported speech ({', '.join(cues[:3])})"
            )
        if lexicon is not None:
            scores["profanity"] = 0.0
            for hit in lexicon.score(norm, cues):
                scores[hit.attribute] = max(scores[hit.attribute] or 0.0, hit.score)
                note = f" - discounted ({hit.guarded_by})" if hit.guarded_by else ""
                words = ", ".join(hit.words[:5])
                reasons.append(
                    f"{hit.attribute} {scores[hit.attribute]:.2f} by lexicon-{lang} "
                    f"(words: {words}){note}"
                )
        model_name = f"linear-{lang}"
        reasons += self._model_reasons(norm, lang, scores, reasons, x_row)
        decision = self._decide(scores)
        if decision == "approve":
            judged = {a: s for a, s in scores.items() if s is not None}
            top = max(judged, key=judged.__getitem__)
            reasons.insert(
                0,
                f"no attribute reaches review threshold {self.review_threshold:.2f} (highest: "
                f"{top} {judged[top]:.2f}; model {model_name} + lexicon-{lang})",
            )
        rounded = {a: None if s is None else round(s, 4) for a, s in scores.items()}
        return Verdict(decision, rounded, reasons, creator(f"{model_name}+lexicon-{lang}"))

    def _model_reasons(
        self,
        norm: str,
        lang: str,
        scores: dict[str, float | None],
        lexicon_reasons: list[str],
        x_row: Csr,
    ) -> list[str]:
        """One reason per model head at or above review that no word list explained, naming
        the words that pushed the strongest of them (computed once per comment: it costs)."""
        flagged = [
            head
            for head in ("identity_attack", "threat", "insult", "toxicity")
            if (score := scores[head]) is not None
            and score >= self.review_threshold
            and not any(r.startswith(head) for r in lexicon_reasons)
        ]
        if not flagged:
            return []
        strongest = max(flagged, key=lambda head: scores[head] or 0.0)
        words = self._model.top_words(x_row, norm, lang, strongest)
        named = f" (words: {', '.join(words)})" if words else ""
        return [
            f"{head} {scores[head] or 0.0:.2f} by model linear-{lang}{named}" for head in flagged
        ]

    def _decide(self, scores: dict[str, float | None]) -> Decision:
        main = max((scores[a] or 0.0) for a in _MODEL_HEADS)
        if main >= self.reject_threshold:
            return "reject"
        if main >= self.review_threshold:
            return "review"
        # Profanity alone (no insult, slur, threat or toxic model score) is worth a look, but
        # swearing is not by itself a reason to remove a comment.
        if (scores["profanity"] or 0.0) >= self.review_threshold:
            return "review"
        return "approve"
