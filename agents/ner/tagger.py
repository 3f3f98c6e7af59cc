"""The multilingual entity tagger: PER / ORG / LOC (+ Arabic MISC on request) with character
offsets into the input text, a confidence, a canonical name and the component that found it.

Back-ends (all offline, loaded once per worker, models in agents/ner/data/ or in wheels):
  ar              linear-chain CRF, Arabic features (normalisation, proclitics, gazetteer,
                  transliteration score); trained on CLEANANERCorp (GPL-3.0 data)
  en de pt sv     CRFs for cased alphabets with language-conjoined features and each word's
                  frequency in its language (wordfreq, CC BY-SA 4.0), trained on the TUNE
                  halves of UNER PUD (CC BY-SA 4.0): one pooled model (sv), and for en, de and
                  pt their own (the pooled data + mention-replaced copies of the language)
  ru              natasha (slovnet); `russian="crf"` uses the pooled CRF instead
  zh              character CRF with dictionary word-segmentation features (agents/ner/zh.py);
                  Traditional and Simplified (mapped 1:1, offsets unchanged); demonyms
                  dropped, wire datelines split into agency + place, and after the aliases:
                  place + organisation head → ORG, untagged countries, parties, Latin acronyms
                  and Latin names (agents/ner/zh_rules.py)
  anything else   no entities: better nothing than junk
After the model: curated aliases (organisations, places, well-known people: one canonical in
every script), span rules per script (agents/ner/spans.py, org_rules.py, context_rules.py: the
speaker beside a reporting verb, a country in the possessive), and capitalised words that name
no PER/ORG/LOC (events, peoples and faiths, «the Paris agreement»: agents/ner/non_entities.py)
leave.
Figures and how they were measured: bench/ner_eval.py, training/README.md.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Sequence
from importlib.resources import files

import numpy as np
from threadpoolctl import ThreadpoolController

from agents.ner.context_rules import possessive_countries, speaker_names
from agents.ner.crf import FloatArray, LinearCRF
from agents.ner.external import RussianNatasha
from agents.ner.features import FeatureSet
from agents.ner.gazetteer import AliasTable, CharNB, Gazetteer, NameHit, Span, ZipfTable
from agents.ner.han import HanKeys
from agents.ner.known_names import KnownNames
from agents.ner.mentions import Mention, link_name_parts
from agents.ner.non_entities import drop_demonyms, drop_event_names, drop_modifiers
from agents.ner.org_rules import (
    named_after_org_compound,
    org_head_runs,
    org_heads,
    org_run_heads,
    person_with_org_head,
)
from agents.ner.spans import (
    JOINS_PLACE_REGION,
    clean_quotes,
    extend_to_known_name,
    join_place_region,
    merge_person_tail,
    person_consistency,
    person_with_place_head,
    strip_known_proclitics,
    strip_leading_article,
    tidy_cased,
    trim_lowercase_lead,
)
from agents.ner.text import (
    Tokens,
    lookup_key,
    sentence_chunks,
    t2s_table,
)
from agents.ner.zh import WordSegmenter, ZhEmitter, ZhNameMatcher
from agents.ner.zh_rules import (
    latin_acronym_orgs,
    latin_names,
    party_names,
    place_org_runs,
    split_datelines,
    tidy_zh,
    untagged_countries,
)

VERSION = "1.0.0"  # of the shipped models + rules; part of every entity's `creator`


def _data(name: str) -> bytes:
    return files("agents.ner.data").joinpath(name).read_bytes()


def primary_language(code: str) -> str:
    """BCP-47 → our key: 'pt-BR' → 'pt', 'zh-Hant-TW' → 'zh', 'AR' → 'ar'."""
    return code.replace("_", "-").split("-")[0].lower() if code else ""


def load_cased_gazetteer() -> Gazetteer:
    latin = Gazetteer.from_gzip(_data("gaz_latin.json.gz"))
    cyrillic = Gazetteer.from_gzip(_data("gaz_cyr.json.gz"))
    return Gazetteer({**latin.words, **cyrillic.words}, {**latin.names, **cyrillic.names})


def load_arabic_gazetteer() -> Gazetteer:
    gazetteer = Gazetteer.from_gzip(_data("gaz_ar.json.gz"))
    gazetteer.nb = CharNB.from_gzip(_data("translit_ar.json.gz"))
    return gazetteer


def load_t2s() -> dict[int, str]:
    return t2s_table(_data("zh_t2s.json").decode("utf-8"))


class EntityTagger:
    """Load once, then `tag_batch([(text, language), ...])` → one list of Mentions per text."""

    CASED = ("en", "de", "pt", "sv", "ru")
    # Cased languages with a CRF of their own: those whose crf_cased_<lang>.npz ships (OWN_MODELS
    # in training/ner/train_cased.py builds them); the others share crf_cased.npz
    OWN_MODELS = frozenset(
        lang
        for lang in CASED
        if files("agents.ner.data").joinpath(f"crf_cased_{lang}.npz").is_file()
    )
    SUPPORTED = frozenset({"ar", "zh", *CASED})

    def __init__(
        self, russian: str = "natasha", include_misc: bool = False, keep_proclitics: bool = True
    ) -> None:
        """russian: 'natasha' (F1 .73, ~250 seed-size articles per CPU-second) or 'crf' (F1 .53,
        ~590/s on unseen text).
        include_misc: also return Arabic MISC (nationalities, events: the ANERcorp scheme).
        keep_proclitics: Arabic spans cover the whole written word with its attached و/ب/ل…,
        as ANERcorp's gold does («وسوريا»); False: a known name loses them («سوريا»). Either
        way canonical is "Syria" (setting WIRESTREAM_NER_ARABIC_BARE_NAMES)."""
        self.include_misc = include_misc
        self.keep_proclitics = keep_proclitics
        self._gaz_ar = load_arabic_gazetteer()
        self._crf_ar = LinearCRF(_data("crf_ar.npz"), FeatureSet("ar", self._gaz_ar))
        self._gaz_cased = load_cased_gazetteer()
        self._countries = frozenset(json.loads(_data("countries.json")))
        # Country and first-level subdivision names: a mention of one is a place (tidy_cased)
        self._places = self._countries | frozenset(json.loads(_data("regions.json")))
        self._org_heads = org_heads(self._gaz_cased.words)
        self._org_run_heads = org_run_heads(self._gaz_cased.words)
        self._org_compound_heads = tuple(h for h in self._org_run_heads if len(h) >= 5)
        zipf = self._zipf = ZipfTable(_data("zipf_cased.npz"))
        pooled = LinearCRF(_data("crf_cased.npz"), FeatureSet("latin", self._gaz_cased))
        self._crf_cased = {
            lang: (
                LinearCRF(_data(f"crf_cased_{lang}.npz"), pooled.features)
                if lang in self.OWN_MODELS
                else pooled
            ).with_features(FeatureSet("latin", self._gaz_cased, lang, zipf))
            for lang in self.CASED
        }
        self._gaz_zh = Gazetteer.from_gzip(_data("gaz_zh.json.gz"))
        self._crf_zh = LinearCRF(_data("crf_zh.npz"), FeatureSet("zh", self._gaz_zh))
        self._zh_names = ZhNameMatcher(self._gaz_zh.names, min_len=2)
        self._zh_words = WordSegmenter(_data("zh_words.json.gz"))
        self._zh_names.share_keys(self._zh_words)  # one search of a text for both
        kinds = sorted({entry[0] for entry in self._gaz_zh.names.values()})
        self._zh_emitter = ZhEmitter(self._crf_zh, kinds, self._zh_words.tag_names)
        self._t2s = load_t2s()
        self._aliases = AliasTable(_data("aliases.json").decode("utf-8"), self._t2s)
        self.names = KnownNames(
            {"ar": self._gaz_ar, "zh": self._gaz_zh, "cased": self._gaz_cased},
            self._aliases,
            self._t2s,
            self._countries,
            json.loads(_data("place_homographs.json")),
        )
        self._natasha = RussianNatasha() if russian == "natasha" else None
        # Made once: threadpool_limits() re-scans the loaded libraries on every call (~0.3-3 ms)
        self._threadpools = ThreadpoolController()
        # The tables loaded above (~400k objects) live as long as the worker: out of the
        # collector's sight, a full collection costs ~0.1 ms instead of ~100 ms (one every few
        # batches, measured in bench/ner_eval.py).
        gc.freeze()
        self._creators = {
            "ar": f"crf-ar@{VERSION}",
            "zh": f"crf-zh@{VERSION}",
            "cased": f"crf-cased@{VERSION}",
        }

    def clear_caches(self) -> None:
        """Forget every cached token-type score (benchmarks: time text as if never seen)."""
        for crf in (self._crf_ar, self._crf_zh, *self._crf_cased.values()):
            crf.clear_cache()
        if self._natasha is not None:
            self._natasha.clear_cache()
        self._zh_emitter.clear_cache()
        self.names.clear_cache()

    def supported(self, language: str) -> bool:
        return primary_language(language) in self.SUPPORTED

    def tag_batch(self, items: Sequence[tuple[str, str]]) -> list[list[Mention]]:
        """Texts are grouped by language and each group is decoded as one batch. numpy runs on
        one BLAS thread here: with two, natasha's small matrix products burn more CPU for the
        same work (slovnet's own code: 59 → 117 articles per CPU-second with one; our lean
        path: 140 → 250, measured); a worker scales by processes, not threads."""
        with self._threadpools.limit(limits=1, user_api="blas"):
            return self._tag_batch(items)

    def _tag_batch(self, items: Sequence[tuple[str, str]]) -> list[list[Mention]]:
        out: list[list[Mention]] = [[] for _ in items]
        groups: dict[str, list[int]] = {}
        for i, (text, language) in enumerate(items):
            key = primary_language(language)
            if key in self.SUPPORTED and text and not text.isspace():
                groups.setdefault(key, []).append(i)
        for key, indices in groups.items():
            texts = [items[i][0] for i in indices]
            for i, mentions in zip(indices, self._tag_group(key, texts), strict=True):
                out[i] = mentions
        return out

    def _tag_group(self, language: str, texts: list[str]) -> list[list[Mention]]:
        tokens = [Tokens.of(t, cjk=language == "zh") for t in texts]
        offsets = [t.offsets for t in tokens]
        norms: list[str | None] = [None] * len(texts)  # as the alias table matches, if known
        countries: list[list[tuple[int, int]]] = [[] for _ in texts]  # zh: found in the text
        if language == "ru" and self._natasha is not None:
            spans = self._natasha.spans(texts)
            creator = self._natasha.creator
            profile = "cased"
        elif language == "ar":
            types = [[t[a:b] for a, b in offs] for t, offs in zip(texts, offsets, strict=True)]
            spans = self._crf_spans(self._crf_ar, texts, tokens, types)
            creator, profile = self._creators["ar"], "ar"
        elif language == "zh":
            simplified = [t.translate(self._t2s) for t in texts]  # char for char: same offsets
            names: list[list[NameHit]] = [[] for _ in texts]
            emissions = [
                self._zh_emissions(t, toks, found)
                for t, toks, found in zip(simplified, tokens, names, strict=True)
            ]
            is_country = self._countries.__contains__
            countries = [
                [(h[0], h[1]) for h in found if h[2] == "LOC" and is_country(str(h[3]).lower())]
                for found in names
            ]
            found_zh = self._crf_spans(self._crf_zh, texts, tokens, emissions)
            spans = [
                split_datelines(
                    norm, tidy_zh(text, found), self.names.zh_is_org, self.names.zh_is_place
                )
                for text, norm, found in zip(texts, simplified, found_zh, strict=True)
            ]
            creator, profile = self._creators["zh"], "zh"
            norms = list(simplified)
        else:
            types = [[t[a:b] for a, b in offs] for t, offs in zip(texts, offsets, strict=True)]
            crf = self._crf_cased[language]
            spans = [
                strip_leading_article(text, found)
                for text, found in zip(
                    texts, self._crf_spans(crf, texts, tokens, types), strict=True
                )
            ]
            if language in JOINS_PLACE_REGION:
                spans = [
                    join_place_region(text, found, self._countries)
                    for text, found in zip(texts, spans, strict=True)
                ]
            creator, profile = self._creators["cased"], "cased"
        return [
            self._finish(text, profile, toks, found, creator, norm, language, places)
            for text, toks, found, norm, places in zip(
                texts, tokens, spans, norms, countries, strict=True
            )
        ]

    def _zh_emissions(
        self, simplified: str, tokens: Tokens, names: list[NameHit] | None = None
    ) -> FloatArray:
        """The scores crf_zh would give zh_types(...) (what training sees), from the parts;
        simplified: the text mapped to Simplified characters; names, if given, receives the
        gazetteer names found (leftmost-longest)."""
        keys = HanKeys(simplified)  # packed once for the name and the word look-ups
        hits = self._zh_names.find(simplified, tokens.first, tokens.last, keys)
        if names is not None:
            names.extend(hits)
        first, last = tokens.first, tokens.last
        emitter = self._zh_emitter
        starts = np.fromiter(first, dtype=np.int64, count=len(first))  # in token order
        return emitter.emissions(
            keys,
            tokens.offsets,
            starts,
            np.fromiter(last, dtype=np.int64, count=len(last)),
            emitter.gazetteer_codes(len(first), [(first[a], last[b], k) for a, b, k, _ in hits]),
            self._zh_words.codes(keys, starts),
        )

    @staticmethod
    def _crf_spans(
        crf: LinearCRF,
        texts: list[str],
        tokens: list[Tokens],
        types: Sequence[list[str] | FloatArray],  # token types, or their emissions (zh)
    ) -> list[list[Span]]:
        """Spans per text; confidence = the lowest token posterior inside the span. Emissions
        are computed once per text (one numpy gather) and sliced into sentence chunks, so the
        ±2-token context also sees the neighbouring sentence."""
        chunks: list[tuple[int, int, int]] = []  # (text index, first token, end token)
        for index, (text, toks) in enumerate(zip(texts, tokens, strict=True)):
            chunks.extend((index, a, b) for a, b in sentence_chunks(text, toks))
        emissions = [t if isinstance(t, np.ndarray) else crf.emissions(t) for t in types]
        decoded = crf.decode_spans([emissions[i][a:b] for i, a, b in chunks])
        spans: list[list[Span]] = [[] for _ in texts]
        for (index, first, _), found in zip(chunks, decoded, strict=True):
            if found:
                offs = tokens[index].offsets
                spans[index].extend(
                    (offs[first + a][0], offs[first + b][1], kind, lowest)
                    for a, b, kind, lowest in found
                )
        return spans

    def _finish(
        self,
        text: str,
        profile: str,
        tokens: Tokens,
        spans: list[Span],
        creator: str,
        norm: str | None = None,
        language: str = "",
        countries: Sequence[tuple[int, int]] = (),
    ) -> list[Mention]:
        """Quote clean-up, curated aliases, MISC filter, person-name consistency, canonical.
        norm: the text as the alias table matches it, if the caller has it; countries: where
        the gazetteer found a country's name (Chinese)."""
        spans = clean_quotes(text, tokens, spans)
        spans = self._aliases.apply(text, profile, tokens, spans, norm)
        if not self.include_misc:
            spans = [s for s in spans if s[2] != "MISC"]
        if profile == "zh" and norm is not None:  # after the aliases: they cut «美国» out
            spans = untagged_countries(norm, spans, countries)
            spans = place_org_runs(norm, spans)
            spans = party_names(norm, spans, self._zh_words.parties)
            spans = latin_acronym_orgs(text, spans, self.names.is_known_org)
            spans = latin_names(text, norm, spans, self.names.is_known_cased)
        spans = merge_person_tail(text, tokens, spans)
        spans = person_consistency(text, profile, spans)
        if profile == "cased":
            spans = trim_lowercase_lead(text, tokens, spans)
            spans = extend_to_known_name(text, tokens, spans, self._gaz_cased.names)
            spans = tidy_cased(text, tokens, spans, self._places)
            spans = person_with_org_head(text, tokens, spans, self._org_heads)
            spans = person_with_place_head(text, tokens, spans, self._gaz_cased.words)
            spans = org_head_runs(text, tokens, spans, self._org_run_heads)
            spans = named_after_org_compound(
                text, tokens, spans, self._org_compound_heads, self.names.is_known_place
            )
            spans = drop_event_names(text, tokens, spans, self.names.is_known_place)
            spans = drop_demonyms(text, spans)
            if language == "en":
                spans = drop_modifiers(text, tokens, spans, self._countries)
                spans = possessive_countries(text, tokens, spans, self._countries)
            spans = speaker_names(
                text,
                tokens,
                spans,
                language,
                self._is_rare(language),
                self.names.is_known_org_or_place,
            )
            spans = [self._capitals_place(text, span) for span in spans]
        if profile == "ar" and not self.keep_proclitics:
            spans = strip_known_proclitics(text, spans, self.names.arabic_name_type)
        names = self.names
        mentions = [
            Mention(text[a:b], kind, a, b, round(c, 4), names.canonical(text[a:b], kind), creator)
            for a, b, kind, c in spans
        ]
        return names.read_homographs(link_name_parts(mentions, profile))

    def _is_rare(self, language: str) -> Callable[[str], bool]:
        """Whether a word is rarer than Zipf 4 in the language (a name, not a word)."""
        return lambda word: self._zipf.zipf(language, word) < 4

    def _capitals_place(self, text: str, span: Span) -> Span:
        """A dateline's place in capitals at the start of a line is a place («ISLAMABAD
        (Reuters) -», «NAIROBI, Nov. 24 (AP) -»): the model reads it as an acronym, hence ORG.
        Only there: elsewhere capitals are acronyms, some of which GeoNames also has (CNN)."""
        start, end, kind, confidence = span
        surface = text[start:end]
        if kind == "LOC" or len(surface) < 3 or not surface.isupper():
            return span
        if text[text.rfind("\n", 0, start) + 1 : start].strip():  # not first on its line
            return span
        hit = self._gaz_cased.names.get(lookup_key(surface, "cased"))
        return (start, end, "LOC", confidence) if hit and hit[0] == "LOC" else span
