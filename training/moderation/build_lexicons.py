"""Rebuild agents/data/moderation_lexicons.json, the moderator's word lists.

    pip install -e '.[train]'      # glin-profanity, better-profanity (read here, not at run time)
    python -m training.moderation.build_lexicons

profanity = the word lists of glin-profanity 4.1.0 (MIT) for ar de en es fr hi it nl pl pt zh
and better-profanity 0.7.0 (MIT) for en, minus the `exclude` entries of wordlists.tsv (ordinary
words and news vocabulary, chosen by reading the lists, not by looking at evaluation errors) and
minus Latin entries under 3 letters (abbreviations, noise). insult / identity_attack / threat
and the counter-speech cues condemn / report = the hand-written entries of wordlists.tsv. All
stored normalised exactly as the moderator normalises comments; deterministic output (sorted).
"""

import csv
import json
import sys
from collections import defaultdict
from importlib.resources import files
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agents.moderation_engine.moderator import LEXICON_FILE
from agents.moderation_engine.textnorm import normalise

WORDLISTS = Path(__file__).resolve().parent / "wordlists.tsv"
GLIN_NAMES = {
    "ar": "arabic",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "hi": "hindi",
    "it": "italian",
    "nl": "dutch",
    "pl": "polish",
    "pt": "portuguese",
    "zh": "chinese",
}
HAND_WRITTEN = ("insult", "identity_attack", "threat", "condemn", "report")


def read_wordlists() -> dict[tuple[str, str], list[str]]:
    """(language, list) -> entries, in file order."""
    lists: dict[tuple[str, str], list[str]] = defaultdict(list)
    with WORDLISTS.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        for row in rows:
            lists[(row["lang"], row["list"])].append(row["entry"])
    return lists


def third_party_profanity(lang: str) -> list[str]:
    source = files("glin_profanity").joinpath(f"data/dictionaries/{GLIN_NAMES[lang]}.json")
    words: list[str] = json.loads(source.read_text(encoding="utf-8"))["words"]
    if lang == "en":
        english = files("better_profanity").joinpath("profanity_wordlist.txt")
        words += english.read_text(encoding="utf-8").split("\n")
    return words


def profanity(lang: str, exclude: list[str]) -> set[str]:
    excluded = {normalise(w) for w in exclude}
    kept = set()
    for word in third_party_profanity(lang):
        norm = normalise(word)
        if not norm or norm in excluded or (norm.isascii() and len(norm.replace(" ", "")) < 3):
            continue
        kept.add(norm)
    return kept


def main() -> None:
    lists = read_wordlists()
    lexicons: dict[str, dict[str, list[str]]] = {}
    for lang in GLIN_NAMES:
        hand = {name: {normalise(w) for w in lists.get((lang, name), [])} for name in HAND_WRITTEN}
        lexicons[lang] = {
            # a slur is reported as an identity attack, not also as generic profanity
            "profanity": sorted(
                profanity(lang, lists.get((lang, "exclude"), [])) - hand["identity_attack"]
            ),
            **{name: sorted(words) for name, words in hand.items()},
        }
    meta = {
        "_sources": "profanity: glin-profanity 4.1.0 (MIT) + better-profanity 0.7.0 (MIT, en) "
        "minus training/moderation/wordlists.tsv exclude; insult/identity_attack/threat: "
        "training/moderation/wordlists.tsv (written for wirestream)",
        "_normalised_with": "agents.moderation_engine.textnorm.normalise",
    }
    text = json.dumps({**meta, **lexicons}, ensure_ascii=False, indent=0, sort_keys=True)
    LEXICON_FILE.write_text(text, encoding="utf-8")
    sizes = ", ".join(f"{k}:{sum(len(v) for v in d.values())}" for k, d in lexicons.items())
    print(f"wrote {LEXICON_FILE}: {sizes}")


if __name__ == "__main__":
    main()
