"""natasha back-end: our lean slovnet forward pass gives slovnet's own labels."""

import pytest

from agents.ner import EntityTagger, external
from agents.ner.external import _RU_TOKEN, RussianNatasha

RUSSIAN = [
    "Владимир Путин прибыл в Москву в понедельник.",
    "Председатель правления ПАО «Газпром» Алексей Миллер провёл встречу в Санкт-Петербурге.",
    "В Нью-Йорке г-н Смит встретился с представителями ООН и NATO 12 марта 2019 года.",
    "Министерство иностранных дел России (МИД РФ) заявило, что Сергей Лавров посетит Берлин!",
    'СИЗО-6, 2011-2020, ... ?! **** — «Ъ» ООО "Ромашка" Екатеринбург',
    "Да.",
    "",
    "Глава Сбербанка Герман Греф и мэр Москвы Сергей Собянин открыли форум на ВДНХ. " * 12,
]


def reference_labels(natasha: RussianNatasha, sentences: list[list[str]]) -> list[list[str]]:
    """slovnet's own encoder, network and CRF decoder, 8 texts per batch as natasha runs it."""
    infer = natasha.reference
    out: list[list[str]] = []
    for i in range(0, len(sentences), 8):
        batch = [s for s in sentences[i : i + 8] if s]
        labels = iter(infer.decoder(infer.process(infer.encoder(batch))) if batch else [])
        out.extend(list(next(labels)) if s else [] for s in sentences[i : i + 8])
    return out


@pytest.fixture(scope="module")
def natasha(tagger: EntityTagger) -> RussianNatasha:
    assert tagger._natasha is not None
    return tagger._natasha


def test_lean_network_gives_slovnet_labels(natasha: RussianNatasha) -> None:
    sentences = [[m.group() for m in _RU_TOKEN.finditer(t)] for t in RUSSIAN]
    expected = reference_labels(natasha, sentences)
    assert any(label != "O" for labels in expected for label in labels)
    assert natasha.network.labels(sentences) == expected
    natasha.clear_cache()
    assert [natasha.network.labels([s])[0] for s in sentences] == expected


def test_long_batches_are_split(natasha: RussianNatasha, monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = [[m.group() for m in _RU_TOKEN.finditer(t)] for t in RUSSIAN]
    expected = natasha.network.labels(sentences)
    monkeypatch.setattr(external, "_MAX_TOKENS", 20)
    assert natasha.network.labels(sentences) == expected


def test_spans_are_token_offsets(natasha: RussianNatasha) -> None:
    spans = natasha.spans(RUSSIAN[:2])
    assert [RUSSIAN[0][a:b] for a, b, _, _ in spans[0]] == ["Владимир Путин", "Москву"]
    assert ("ПАО «Газпром»", "ORG") in {(RUSSIAN[1][a:b], kind) for a, b, kind, _ in spans[1]}
