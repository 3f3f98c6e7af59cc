"""Off-the-shelf back-ends whose models ship inside PyPI wheels: natasha (Russian)."""

from __future__ import annotations

import re
from importlib.metadata import version
from typing import Any

from agents.ner.crf import bio_spans
from agents.ner.gazetteer import Span

_NATASHA_TYPES = frozenset({"PER", "ORG", "LOC"})
# Words with inner hyphens stay whole («Нью-Йорк», «г-н»), as razdel (natasha's tokeniser)
# has them. Feeding slovnet these tokens instead of razdel's: F1 .706 vs .699 on the ru TUNE
# half, 17 % less CPU (razdel is pure Python).
_RU_TOKEN = re.compile(r"\w+(?:[-‐]\w+)*|\S")
_BATCH = 8  # texts per slovnet call (padding to the longest; 8 and 32 measured the same)


class RussianNatasha:
    """natasha's slovnet NER (news model, navec embeddings; both inside the wheels). F1 .72 on
    the ru TEST half against .53 for the pooled CRF; the slowest back-end (bench/ner_eval.py)."""

    def __init__(self) -> None:
        from natasha import NewsEmbedding, NewsNERTagger

        self._infer: Any = NewsNERTagger(NewsEmbedding()).infer
        self.creator = f"natasha-slovnet-ner-news@{version('natasha')}"

    def spans(self, texts: list[str]) -> list[list[Span]]:
        out: list[list[Span]] = []
        for i in range(0, len(texts), _BATCH):
            chunk = texts[i : i + _BATCH]
            offsets = [[m.span() for m in _RU_TOKEN.finditer(text)] for text in chunk]
            words = [
                [text[a:b] for a, b in offs] for text, offs in zip(chunk, offsets, strict=True)
            ]
            tags = self._infer.decoder(self._infer.process(self._infer.encoder(words)))
            for offs, labels in zip(offsets, tags, strict=True):
                out.append(
                    [
                        (offs[a][0], offs[b][1], kind, 0.8)
                        for a, b, kind in bio_spans(list(labels))
                        if kind in _NATASHA_TYPES
                    ]
                )
        return out
