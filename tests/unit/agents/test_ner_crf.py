"""The numpy CRF decoder against brute force on a tiny model, and the model file format."""

import itertools
from importlib.resources import files

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.ner.crf import LinearCRF, bio_spans, save_model
from agents.ner.features import FeatureSet
from agents.ner.gazetteer import Gazetteer, ZipfTable

LABELS = ["B-PER", "I-PER", "O"]


def tiny_model(seed: int) -> LinearCRF:
    rng = np.random.default_rng(seed)
    attrs = ["0:w=a", "0:w=b", "-1:w=a", "1:w=b", "0:cap", "0:pad=BOS"]
    weights = rng.normal(size=(len(attrs), len(LABELS))).astype(np.float32)
    transitions = rng.normal(size=(len(LABELS), len(LABELS))).astype(np.float32)
    npz = save_model(LABELS, attrs, weights, transitions, {"profile": "latin"})
    return LinearCRF(npz, FeatureSet("latin", Gazetteer({}, {})))


def path_score(path: list[int], em: np.ndarray, transitions: np.ndarray) -> float:
    total = sum(em[i, p] for i, p in enumerate(path))
    return float(total + sum(transitions[a, b] for a, b in itertools.pairwise(path)))


def brute_force(em: np.ndarray, transitions: np.ndarray) -> tuple[float, np.ndarray]:
    """The best path's score and every token's label marginals, by enumerating all paths."""
    n, n_labels = em.shape
    scores = {
        path: path_score(list(path), em, transitions)
        for path in itertools.product(range(n_labels), repeat=n)
    }
    z = np.logaddexp.reduce(np.array(list(scores.values())))
    marginals = np.zeros((n, n_labels))
    for path, total in scores.items():
        for i, p in enumerate(path):
            marginals[i, p] += np.exp(total - z)
    return max(scores.values()), marginals


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(["a", "b", "A", "c"]), min_size=1, max_size=5), max_size=4),
    st.integers(0, 10),
)
def test_batched_decoder_matches_brute_force(sentences: list[list[str]], seed: int) -> None:
    crf = tiny_model(seed)
    decoded = crf.decode(sentences)
    assert len(decoded) == len(sentences)
    for tokens, (path, posterior) in zip(sentences, decoded, strict=True):
        em = crf.emissions(tokens)
        best, marginals = brute_force(em, crf.transitions)
        # Repeated tokens can make two paths score exactly the same: compare scores, not paths.
        assert np.isclose(path_score(list(path), em, crf.transitions), best)
        assert np.allclose(posterior, marginals[np.arange(len(path)), path])


def test_emissions_sum_the_weights_of_each_offset() -> None:
    crf = tiny_model(1)
    row = {a: i for i, a in enumerate(["0:w=a", "0:w=b", "-1:w=a", "1:w=b", "0:cap", "0:pad=BOS"])}
    weights = crf.weights
    em = crf.emissions(["a", "b"])
    # token 0 ("a"): w=a at 0, its right neighbour "b" fires 1:w=b
    assert np.allclose(em[0], weights[row["0:w=a"]] + weights[row["1:w=b"]])
    # token 1 ("b"): w=b at 0, its left neighbour "a" fires -1:w=a
    assert np.allclose(em[1], weights[row["0:w=b"]] + weights[row["-1:w=a"]])


def test_model_files_are_reproducible() -> None:
    weights = np.ones((2, 3), dtype=np.float32)
    transitions = np.zeros((3, 3), dtype=np.float32)
    first = save_model(LABELS, ["0:w=a", "0:w=b"], weights, transitions, {"b": 1, "a": 2})
    second = save_model(LABELS, ["0:w=a", "0:w=b"], weights, transitions, {"a": 2, "b": 1})
    assert first == second


def test_bio_spans() -> None:
    assert bio_spans(["B-PER", "I-PER", "O", "I-LOC", "B-ORG", "B-ORG"]) == [
        (0, 1, "PER"),
        (3, 3, "LOC"),
        (4, 4, "ORG"),
        (5, 5, "ORG"),
    ]


def test_bio_spans_an_inside_label_after_an_outside_one_starts_a_span() -> None:
    assert bio_spans(["B-LOC", "O", "I-LOC", "I-LOC"]) == [(0, 0, "LOC"), (2, 3, "LOC")]
    assert bio_spans(["I-PER", "O", "O", "I-PER"]) == [(0, 0, "PER"), (3, 3, "PER")]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(["a", "b", "A", "c"]), min_size=0, max_size=7), max_size=6),
    st.integers(0, 10),
)
def test_entities_only_skips_just_the_entity_free_posteriors(
    sentences: list[list[str]], seed: int
) -> None:
    crf = tiny_model(seed)
    batch = [crf.emissions(s) if s else np.zeros((0, len(LABELS))) for s in sentences]
    full = crf.decode_emissions(batch)
    lean = crf.decode_emissions(batch, entities_only=True)
    for (path, posterior), (lean_path, lean_posterior) in zip(full, lean, strict=True):
        assert np.array_equal(path, lean_path)
        if (path != crf.outside).any():
            assert np.allclose(posterior, lean_posterior, rtol=0, atol=1e-12)
        else:
            assert np.isnan(lean_posterior).all()


def test_type_scores_are_the_running_sum_of_their_feature_matrices() -> None:
    crf = tiny_model(3)
    types = ["a", "b", "A", "c", "ab", "\x02"]
    crf.clear_cache()
    crf.emissions(types)
    for token_type in types:
        ids = [crf._feature_ids[f] for f in crf.features.base(token_type) if f in crf._feature_ids]
        expected = np.zeros((crf.n_offsets, crf.n_labels))
        for i in ids:
            expected = expected + crf._feature_scores[i]
        assert np.array_equal(crf._scores[crf._type_ids[token_type]], expected)


def test_zipf_table_shipped_with_the_tagger() -> None:
    """The word-frequency feature table (training/ner/build_zipf.py): casefolded look-up per
    language, 0 for rare/unknown words and for languages it does not cover."""
    table = ZipfTable(files("agents.ner.data").joinpath("zipf_cased.npz").read_bytes())
    assert table.langs == {"en", "de", "pt", "sv"}
    assert table.zipf("en", "The") == 7
    assert table.zipf("de", "Straße") >= 4  # wordfreq's key is 'strasse'
    assert table.zipf("de", "Regierung") >= 4
    assert table.zipf("en", "Regierung") == 0
    assert table.zipf("en", "xqzvwk") == 0
    assert table.zipf("ru", "the") == 0


def test_word_frequency_feature_only_where_the_table_has_the_language() -> None:
    table = ZipfTable(files("agents.ner.data").joinpath("zipf_cased.npz").read_bytes())
    gazetteer = Gazetteer({}, {})
    assert "zf=7" in FeatureSet("latin", gazetteer, "en", table).base("The")
    assert not any(
        f.startswith("zf=") for f in FeatureSet("latin", gazetteer, "ru", table).base("The")
    )
    assert not any(f.startswith("zf=") for f in FeatureSet("latin", gazetteer, "en").base("The"))


def test_own_models_of_the_tagger_are_the_trained_ones() -> None:
    """The languages with a cased CRF of their own are the ones train_cased.py builds, and
    each file ships with the tagger."""
    from agents.ner.tagger import EntityTagger
    from training.ner.train_cased import OWN_MODELS

    assert frozenset(OWN_MODELS) == EntityTagger.OWN_MODELS
    for lang in OWN_MODELS:
        assert files("agents.ner.data").joinpath(f"crf_cased_{lang}.npz").is_file()


def test_cased_mention_pools_keep_each_type_apart() -> None:
    """train_cased's mention replacement: every copy names a PER where the PER was and a LOC
    where the LOC was, drawn from the gold mentions of that language's sentences."""
    from training.ner.common import augment
    from training.ner.corpus import Sentence
    from training.ner.train_cased import mention_pools

    data = [
        Sentence("Merkel besuchte Paris.", [], [], [], [(0, 6, "PER"), (16, 21, "LOC")]),
        Sentence("Scholz reiste nach Rom.", [], [], [], [(0, 6, "PER"), (19, 22, "LOC")]),
        Sentence("Es regnet.", [], [], [], []),
    ]
    copies = augment(data, mention_pools(data), 4, seed=3)
    assert len(copies) == 8
    for copy in copies:
        names = {kind: copy.text[a:b] for a, b, kind in copy.spans}
        assert names["PER"] in {"Merkel", "Scholz"} and names["LOC"] in {"Paris", "Rom"}
        assert copy.text in {
            f"{names['PER']} besuchte {names['LOC']}.",
            f"{names['PER']} reiste nach {names['LOC']}.",
        }


def test_an_averaged_model_scores_the_mean_of_its_members() -> None:
    from training.ner.common import average_models

    rng = np.random.default_rng(3)
    members, crfs = [], []
    for attrs in (["0:w=a", "1:w=b", "0:cap"], ["0:w=b", "0:w=a", "-1:w=a"]):
        weights = rng.normal(size=(len(attrs), len(LABELS))).astype(np.float32)
        transitions = rng.normal(size=(len(LABELS), len(LABELS))).astype(np.float32)
        members.append(save_model(LABELS, attrs, weights, transitions, {"o_bias": 0.0}))
        crfs.append(LinearCRF(members[-1], FeatureSet("latin", Gazetteer({}, {}))))
    mean = LinearCRF(average_models(members), FeatureSet("latin", Gazetteer({}, {})))
    tokens = ["a", "b", "A", "a"]
    expected = (crfs[0].emissions(tokens) + crfs[1].emissions(tokens)) / 2
    assert np.allclose(mean.emissions(tokens), expected, atol=1e-6)
    assert np.allclose(mean.transitions, (crfs[0].transitions + crfs[1].transitions) / 2)
    assert mean.meta["averaged_models"] == 2


MIXED = ["B-LOC", "B-PER", "I-LOC", "I-PER", "O"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=8), st.integers(0, 1000))
def test_decode_spans_equal_bio_spans_of_the_paths(lengths: list[int], seed: int) -> None:
    """The batch-wide span read-out gives bio_spans of every best path (stray I- labels, a type
    change inside a run, back-to-back B- labels) with each span's lowest token posterior."""
    rng = np.random.default_rng(seed)
    attrs = ["0:w=a", "0:pad=BOS"]
    weights = np.zeros((len(attrs), len(MIXED)), dtype=np.float32)
    transitions = rng.normal(size=(len(MIXED), len(MIXED))).astype(np.float32)
    crf = LinearCRF(
        save_model(MIXED, attrs, weights, transitions, {}), FeatureSet("latin", Gazetteer({}, {}))
    )
    batch = [3 * rng.normal(size=(n, len(MIXED))) for n in lengths]
    want = [
        [
            (a, b, kind, min(posterior[a : b + 1].tolist()))
            for a, b, kind in bio_spans([crf.labels[p] for p in path.tolist()])
        ]
        for path, posterior in crf.decode_emissions(batch, entities_only=True)
    ]
    assert crf.decode_spans(batch) == want
