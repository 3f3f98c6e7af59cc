"""What the curated aliases and the gazetteers know about a name, in every script: its type
and its canonical value («داعش», «ISIS», «Islamic State» → one value), and which country's
name is also a big foreign city's (عمان: Oman and Amman)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from agents.ner.gazetteer import AliasTable, Gazetteer
from agents.ner.mentions import Mention
from agents.ner.text import ar_strip, lookup_key, russian_nominative_keys, script_profile

_SPACE = re.compile(r"\s+")
CANONICAL_CACHE_MAX = 16_384  # (surface, kind) pairs, ~3 MB at most


class KnownNames:
    def __init__(
        self,
        gazetteers: dict[str, Gazetteer],  # by script profile: 'ar', 'zh', 'cased'
        aliases: AliasTable,
        t2s: dict[int, str],
        countries: frozenset[str],
        homographs: dict[str, list[Any]],
    ) -> None:
        self._gazetteers = gazetteers
        self._aliases = aliases
        self._t2s = t2s
        self._countries = countries
        self._homographs = homographs
        self._homograph_countries = frozenset(e[0] for e in homographs.values())
        # canonical() by (surface, kind): a name comes back many times in a text and a feed
        self._canonicals: dict[tuple[str, str], str] = {}

    def known(self, profile: str, key: str) -> list[str] | None:
        """[type, canonical] of a known name by its key: the alias table, else the gazetteer."""
        return self._aliases.canon[profile].get(key) or self._gazetteers[profile].names.get(key)

    def name_type(self, profile: str, key: str) -> str | None:
        hit = self.known(profile, key)
        return str(hit[0]) if hit else None

    def is_known_org_or_place(self, surface: str) -> bool:
        return self.name_type("cased", lookup_key(surface, "cased")) in ("LOC", "ORG")

    def is_known_cased(self, surface: str) -> bool:
        return self.known("cased", lookup_key(surface, "cased")) is not None

    def is_known_org(self, surface: str) -> bool:
        return self.name_type("cased", lookup_key(surface, "cased")) == "ORG"

    def is_known_place(self, surface: str) -> bool:
        return self.name_type("cased", lookup_key(surface, "cased")) == "LOC"

    def zh_is_org(self, simplified: str) -> bool:
        return self.name_type("zh", simplified) == "ORG"

    def zh_is_place(self, simplified: str) -> bool:
        return self.name_type("zh", simplified) == "LOC"

    def arabic_name_type(self, surface: str) -> str | None:
        return self.name_type("ar", lookup_key(surface, "ar"))

    def canonical(self, surface: str, kind: str) -> str:
        """The known entity's value (`known_canonical`), else the normalised surface."""
        value = self._canonicals.get((surface, kind))
        if value is None:
            if len(self._canonicals) >= CANONICAL_CACHE_MAX:  # bounded memory: start afresh
                self._canonicals.clear()
            value = self._canonicals[surface, kind] = self._canonical(surface, kind)
        return value

    def clear_cache(self) -> None:
        self._canonicals.clear()

    def _canonical(self, surface: str, kind: str) -> str:
        known = self.known_canonical(surface, kind)
        if known is not None:
            return known
        if script_profile(surface) == "ar":
            return lookup_key(surface, "ar")
        return _SPACE.sub(" ", surface.strip())

    def known_canonical(self, surface: str, kind: str) -> str | None:
        """One value per entity however it is written: curated alias, else the gazetteer's
        English name (types must agree); None if neither knows it."""
        profile, keys = self.lookup_keys(surface, kind)
        for key in keys:
            hit = self.known(profile, key)
            if hit and (hit[0] == kind or (kind == "ORG" and key in self._countries)):
                return str(hit[1])  # a country acting as a state is still that country
        return None

    def lookup_keys(self, surface: str, kind: str) -> tuple[str, list[str]]:
        """The profile and the normalised keys a surface is looked up by, best first. Arabic
        also tries the forms without proclitics (والرقة → الرقة, وسوريا → سوريا), Russian the
        nominative of the last word (Москвы, Москве → Москва; ru TEST gold LOC mentions with a
        canonical value .129 → .409, bench/ner_eval.py)."""
        profile = script_profile(surface)
        keys = [lookup_key(surface, profile)]
        if profile == "ar":
            words = keys[0].split(" ")
            proclitics, stem = ar_strip(words[0])
            if proclitics:
                keys += [" ".join([stem, *words[1:]]), " ".join(["ال" + stem, *words[1:]])]
        elif profile == "zh":
            keys = [surface.translate(self._t2s)]
        elif kind == "LOC" and "," in surface:  # «Denver, Colorado»: Denver's value
            keys.append(lookup_key(surface.split(",", 1)[0], profile))
        elif keys[0].startswith("the "):  # «the Netherlands»
            keys.append(keys[0][4:])
        elif surface.endswith(":s"):  # Swedish genitive: «EU:s», «VW:s»
            keys.append(lookup_key(surface[:-2], profile))
        else:  # «Москвы», «Москве» → «Москва»: Moscow
            keys += russian_nominative_keys(keys[0])
        return profile, keys

    def read_homographs(self, mentions: list[Mention]) -> list[Mention]:
        """عمان is Oman, and Amman, Jordan's capital; «Salvador» is El Salvador and a Brazilian
        city: a country's name that is also a big foreign city's becomes the city when the text
        names that city's country too (data/place_homographs.json, by build_gazetteer.py)."""
        if not any(m.canonical in self._homograph_countries for m in mentions):
            return mentions
        named = {m.canonical for m in mentions if m.type == "LOC"}
        read = []
        for m in mentions:
            if m.type == "LOC" and m.canonical in self._homograph_countries:
                profile, keys = self.lookup_keys(m.text, m.type)
                entries = [self._homographs.get(f"{profile}:{key}") for key in keys]
                cities = [c for e in entries if e and e[0] == m.canonical for c in e[1:]]
                city = next((name for name, country in cities if country in named), None)
                m = m if city is None else replace(m, canonical=city)
            read.append(m)
        return read
