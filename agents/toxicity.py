"""Comment moderation engine, loaded once per worker; routed by the comment's language.
Arabic: `arabic-toxic` (TF-IDF + linear); English: `alt-profanity-check`. Other languages get
null scores, reason "unsupported language" and `review` — never a silent approve."""

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version

ATTRIBUTES = ("toxicity", "insult", "threat", "identity_attack", "profanity")
# arabic-toxic labels (percentages) feeding each attribute.
_ARABIC_LABELS = {
    "toxicity": ("Appearance", "Cussing", "Hatred", "Racial", "Sexual", "Violence"),
    "insult": ("Cussing", "Appearance"),
    "threat": ("Violence",),
    "identity_attack": ("Hatred", "Racial"),
    "profanity": ("Cussing", "Sexual"),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: str
    scores: dict[str, float | None]
    reasons: list[str]
    creator: str


class CommentModerator:
    def __init__(self, review_threshold: float = 0.5, reject_threshold: float = 0.8) -> None:
        self.review_threshold = review_threshold
        self.reject_threshold = reject_threshold
        with warnings.catch_warnings():
            # The wheel's model was pickled by scikit-learn 1.8; 1.7.2 loads it correctly
            # (1.9 does not), so the version warning is noise here.
            warnings.simplefilter("ignore")
            import arabic_toxic
            from profanity_check import predict_prob

            arabic_toxic.predict_proba(["تحميل"])
        self._arabic = arabic_toxic.predict_proba
        self._english = predict_prob
        self._arabic_creator = f"arabic-toxic@{version('arabic-toxic')}"
        self._english_creator = f"alt-profanity-check@{version('alt-profanity-check')}"

    def supported(self, lang: str) -> bool:
        return lang in {"ar", "en"}

    def moderate_batch(self, items: Sequence[tuple[str, str]]) -> list[Verdict]:
        verdicts: list[Verdict | None] = [None] * len(items)
        arabic = [i for i, (_, lang) in enumerate(items) if lang == "ar"]
        english = [i for i, (_, lang) in enumerate(items) if lang == "en"]
        if arabic:
            for i, probs in zip(arabic, self._arabic([items[i][0] for i in arabic]), strict=True):
                scores = {
                    attribute: round(max(probs[label] for label in labels) / 100, 4)
                    for attribute, labels in _ARABIC_LABELS.items()
                }
                verdicts[i] = self._decide(scores, self._arabic_creator)
        if english:
            probs = self._english([items[i][0] for i in english])
            for i, p in zip(english, probs, strict=True):
                scores = dict.fromkeys(ATTRIBUTES, None) | {
                    "toxicity": round(float(p), 4),
                    "profanity": round(float(p), 4),
                }
                verdicts[i] = self._decide(scores, self._english_creator)
        return [v or self._unsupported(items[i][1]) for i, v in enumerate(verdicts)]

    def _decide(self, scores: dict[str, float | None], creator: str) -> Verdict:
        judged = {k: v for k, v in scores.items() if v is not None}
        worst = max(judged.values())
        if worst >= self.reject_threshold:
            decision = "reject"
        elif worst >= self.review_threshold:
            decision = "review"
        else:
            decision = "approve"
        reasons = [
            f"{attribute} {score:.2f} ({creator})"
            for attribute, score in sorted(judged.items(), key=lambda kv: -kv[1])
            if score >= self.review_threshold
        ]
        return Verdict(decision, scores, reasons, creator)

    def _unsupported(self, lang: str) -> Verdict:
        return Verdict(
            "review",
            dict.fromkeys(ATTRIBUTES, None),
            [f"unsupported language: {lang}"],
            f"wirestream@{version('wirestream')}",
        )
