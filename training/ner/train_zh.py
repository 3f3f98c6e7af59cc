"""Train the Chinese character CRF → agents/ner/data/crf_zh.npz (~6 s).

Data: the TUNE half (training/ner/split.json) of UNER zh_pud (Traditional Chinese,
CC BY-SA 4.0). Features: character, bigrams, trigram, surname flag, gazetteer match, the
dictionary word-segmentation tag (B/M/E/S + jieba POS class of the word) and the character's
name-likeness bucket (agents/ner/zh.py): tune_val F1 .576 → .670 (5-fold CV on TUNE
.572 → .635). c1/c2 and o_bias: the grid in training/README.md; the defaults stayed best.
Mention replacement (`augment`): 16 extra copies of each sentence with entities, each mention
replaced by another Han-script mention of its type from the same training sentences: 5-fold CV
over TUNE .637 → .656 (training/README.md). 5-fold CV over TUNE through the tagger (with its
post-rules): python -m training.ner.tune_zh.

    python -m training.ner.train_zh [--data ../shared/data] [--part tune|tune_fit] [--copies 16]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agents.ner.features import FeatureSet, zh_types
from agents.ner.gazetteer import Gazetteer, NameMatcher
from agents.ner.han import is_han
from agents.ner.text import Offsets, t2s_table
from agents.ner.zh import WordSegmenter
from training.ner.common import MODEL_DIR, Labelled, augment, project, train_crf
from training.ner.corpus import DEFAULT_DATA, Sentence, load, part

TYPES = ("PER", "ORG", "LOC")
C1, C2 = 0.05, 0.05
O_BIAS = 0.0
COPIES = 16  # augmented copies per sentence with entities (8: CV .651 over 4 seeds; 16: .654)
AUGMENT_SEED = 20261125


def sentence_types(
    text: str,
    offsets: Offsets,
    matcher: NameMatcher,
    segmenter: WordSegmenter,
    t2s: dict[int, str],
) -> list[str]:
    simplified = text.translate(t2s)  # same length: offsets stay valid
    hits = matcher.find(simplified, {a for a, _ in offsets}, {b for _, b in offsets})
    spans = [(a, b, kind) for a, b, kind, _ in hits]
    return zh_types(simplified, offsets, spans, segmenter.tags(simplified, offsets))


def mention_pools(sentences: list[Sentence]) -> dict[str, list[str]]:
    """The gold PER/ORG/LOC mentions of the training sentences by type, Han characters (and
    «·») only: Latin mentions spread into Han contexts taught the CRF to tag any Latin word
    there (Facebook, Spotify as people), the junk training/README.md rules out."""
    pools: dict[str, list[str]] = {kind: [] for kind in TYPES}
    for sentence in sentences:
        for start, end, kind in sentence.spans:
            mention = sentence.text[start:end]
            if kind in pools and is_han(mention.replace("·", "")):
                pools[kind].append(mention)
    return pools


def train(
    sentences: list[Sentence],
    out: Path,
    c1: float,
    c2: float,
    o_bias: float,
    name: str = "",
    copies: int = COPIES,
) -> None:
    gazetteer = Gazetteer.from_gzip((MODEL_DIR / "gaz_zh.json.gz").read_bytes())
    sentences = sentences + augment(sentences, mention_pools(sentences), copies, AUGMENT_SEED)
    t2s = t2s_table((MODEL_DIR / "zh_t2s.json").read_text(encoding="utf-8"))
    matcher = NameMatcher(gazetteer.names)
    segmenter = WordSegmenter((MODEL_DIR / "zh_words.json.gz").read_bytes())
    data: list[Labelled] = []
    for sentence in sentences:
        _, labels, offsets, _ = project(sentence, TYPES)
        data.append((sentence_types(sentence.text, offsets, matcher, segmenter, t2s), labels))
    meta = {
        "data": f"UNER zh_pud {name} + {copies} mention-replaced copies",
        "licence": "CC BY-SA 4.0 (UNER)",
        "o_bias": o_bias,
    }
    train_crf(FeatureSet("zh", gazetteer), data, out, c1, c2, max_iter=200, meta=meta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--part", default="tune", choices=["tune", "tune_fit"])
    parser.add_argument("--out", type=Path, default=MODEL_DIR / "crf_zh.npz")
    parser.add_argument("--c1", type=float, default=C1)
    parser.add_argument("--c2", type=float, default=C2)
    parser.add_argument("--o-bias", type=float, default=O_BIAS)
    parser.add_argument("--copies", type=int, default=COPIES, help="augmented copies")
    args = parser.parse_args()
    sentences = part(load("zh", args.data), "zh", args.part)
    print(f"zh: {len(sentences)} {args.part} sentences", file=sys.stderr)
    train(sentences, args.out, args.c1, args.c2, args.o_bias, args.part, args.copies)


if __name__ == "__main__":
    main()
