"""The moderation data and its fixed split (the research split, kept as it was defined).

Every labelled file is split ONCE, before any training or tuning, by md5 of a group key and a
fixed seed: train 60 % / dev 20 % / test 20 %. Models are fitted on train, settings are chosen
on dev, the shipped model is refitted on train+dev, and every reported figure is on test.
  * MLMA: group key = the tweet without @user, URLs, punctuation and case, so retweets and
    duplicates never straddle the split.
  * Multilingual HateCheck: group key = TEMPLATE. Target-group words are mined from the data
    (the span that differs between consecutive cases of one functionality, seen >= 2 times) and
    masked; cases whose masked texts are near-identical (char-3-gram Jaccard >= 0.5) or whose
    raw texts without spaces are (>= 0.7: spelling-perturbed copies) are merged by union-find,
    and a whole component goes to one side.
  * Clean news/web sentences (langid Leipzig sentences + NER corpus sentences): no labels, only
    to measure how often text that is not a toxic comment gets flagged. 50/50 dev/test.

`make_split.py` writes the assignment to split.json (one letter per line or sentence, with the
file's sha256): training and bench/moderation_eval.py read that file, so the split does not
depend on this code staying the same, and a changed data file is refused.
"""

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SPLIT_FILE = HERE / "split.json"
SEED = "wirestream-moderation-2026"
MLMA_LANGS = ("ar", "en", "fr")
HATECHECK_LANGS = ("ar", "de", "es", "fr", "hi", "it", "nl", "pl", "pt", "zh")
MODEL_LANGS = ("ar", "en", "fr", "de", "es", "hi", "it", "nl", "pl", "pt", "zh")
INSULT_TAGS = ("offensive", "abusive", "disrespectful")
PART_CODES = {"r": "train", "d": "dev", "t": "test"}
UNUSED = "-"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    lang: str
    toxic: int
    dataset: str  # mlma | hatecheck | clean
    split: str  # train | dev | test
    label: str = ""
    functionality: str = ""
    source: str = ""  # data file, relative to the data root

    @property
    def insult(self) -> int:
        """MLMA offensive/abusive/disrespectful tags; HateCheck hateful cases, not threats."""
        if self.dataset == "mlma":
            return int(self.toxic == 1 and any(t in self.label for t in INSULT_TAGS))
        if self.dataset == "hatecheck":
            return int(self.toxic == 1 and not self.functionality.startswith("threat_"))
        return 0

    @property
    def identity_attack(self) -> int:
        """MLMA's "hateful" tag; every HateCheck hateful case targets a protected group."""
        if self.dataset == "mlma":
            return int(self.toxic == 1 and "hateful" in self.label)
        if self.dataset == "hatecheck":
            return int(self.toxic == 1)
        return 0

    @property
    def threat(self) -> int:
        """Only HateCheck marks threats (threat_dir_h, threat_norm_h); MLMA has no threat tag."""
        return int(self.dataset == "hatecheck" and self.functionality.startswith("threat_"))


def mlma_file(lang: str) -> str:
    return f"dev/toxicity/mlma_{lang}.jsonl"


def hatecheck_file(lang: str) -> str:
    return f"dev/toxicity/hatecheck_{lang}.jsonl"


LANGID_FILE = "dev/langid/sentences.jsonl"


def conll_files(data: Path) -> list[str]:
    return sorted(
        str(p.relative_to(data))
        for p in (data / "dev" / "ner").glob("*.conll")
        if p.name[:2] in MODEL_LANGS
    )


# --- the split definition -------------------------------------------------------------------


def _bucket(key: str) -> str:
    h = int(hashlib.md5(f"{SEED}|{key}".encode()).hexdigest(), 16) % 10
    return "r" if h < 6 else ("d" if h < 8 else "t")


def _half(text: str) -> str:
    return "d" if int(hashlib.md5((SEED + text).encode()).hexdigest(), 16) % 2 else "t"


def _tweet_key(text: str) -> str:
    t = re.sub(r"@\w+|https?://\S+|\brt\b", " ", text.lower())
    t = "".join(ch for ch in t if not unicodedata.category(ch).startswith(("P", "S", "Z")))
    return re.sub(r"\s+", "", t)


# CJK ideographs are single tokens (Chinese has no spaces); other scripts split on word chars.
_TOK = re.compile(r"[\u3400-\u9fff]|[^\W\u3400-\u9fff]+|[^\w\s]")


def _diff_span(a: list[str], b: list[str]) -> tuple[list[str], list[str]] | None:
    """The differing middle spans of two token lists that share a prefix and/or suffix."""
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    j = 0
    while j < min(len(a), len(b)) - i and a[-1 - j] == b[-1 - j]:
        j += 1
    span_a, span_b = a[i : len(a) - j], b[i : len(b) - j]
    if 0 < len(span_a) <= 3 and 0 < len(span_b) <= 3 and (i + j) >= 1:
        return span_a, span_b
    return None


def _mine_group_terms(rows: list[dict[str, Any]]) -> list[str]:
    terms: dict[str, int] = defaultdict(int)
    for prev, cur in pairwise(rows):
        if prev["functionality"] != cur["functionality"]:
            continue
        diff = _diff_span(_TOK.findall(prev["text"].lower()), _TOK.findall(cur["text"].lower()))
        if diff:
            for span in diff:
                terms[" ".join(span)] += 1
    # a span seen at least twice is a group word, not a one-off template edit
    return sorted((t for t, c in terms.items() if c >= 2), key=len, reverse=True)


def _mask(text: str, terms: list[str]) -> str:
    toks = " ".join(_TOK.findall(text.lower()))
    for term in terms:
        toks = re.sub(rf"(?<!\S){re.escape(term)}(?!\S)", "<G>", toks)
    return toks


def _grams(s: str) -> set[str]:
    s = re.sub(r"\s+", " ", s)
    return {s[i : i + 3] for i in range(max(1, len(s) - 2))}


def _similar_pairs(texts: list[str], threshold: float) -> list[tuple[int, int]]:
    """Index pairs whose char-3-gram Jaccard >= threshold (one sparse product)."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, text in enumerate(texts):
        for gram in _grams(text):
            rows.append(i)
            cols.append(vocab.setdefault(gram, len(vocab)))
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocab)))
    inter = (x @ x.T).tocoo()
    sizes = np.asarray(x.sum(axis=1)).ravel()
    return [
        (int(i), int(j))
        for i, j, v in zip(inter.row, inter.col, inter.data, strict=True)
        if i < j and v / (sizes[i] + sizes[j] - v) >= threshold
    ]


def _template_components(masked: list[str], raw: list[str]) -> list[int]:
    parent = list(range(len(masked)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[str, int] = {}
    for i, m in enumerate(masked):
        parent[find(i)] = find(first.setdefault(m, i))
    unique = list(first)
    for a, b in _similar_pairs(unique, 0.5):
        parent[find(first[unique[a]])] = find(first[unique[b]])
    squeezed = [re.sub(r"\s+", "", t.lower()) for t in raw]
    for a, b in _similar_pairs(squeezed, 0.7):
        parent[find(a)] = find(b)
    # component id = smallest member index: independent of union order (set iteration order
    # follows PYTHONHASHSEED, and a root-based id made the split change between processes)
    roots = [find(i) for i in range(len(masked))]
    smallest: dict[int, int] = {}
    for i, root in enumerate(roots):
        smallest.setdefault(root, i)
    return [smallest[r] for r in roots]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def conll_sentences(path: Path) -> list[str]:
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
        elif not line.startswith("#"):
            current.append(line.split("\t")[0])
    if current:
        sentences.append(current)
    joiner = "" if path.name.startswith("zh") else " "
    return [joiner.join(s) for s in sentences]


def compute_parts(data: Path) -> dict[str, str]:
    """data file -> one part letter per line (or sentence): r(train) d(dev) t(test) -(unused)."""
    parts: dict[str, str] = {}
    for lang in MLMA_LANGS:
        rows = _jsonl(data / mlma_file(lang))
        parts[mlma_file(lang)] = "".join(
            _bucket("mlma" + lang + _tweet_key(r["text"])) for r in rows
        )
    for lang in HATECHECK_LANGS:
        rows = _jsonl(data / hatecheck_file(lang))
        terms = _mine_group_terms(rows)
        masked = [_mask(r["text"], terms) for r in rows]
        components = _template_components(masked, [r["text"] for r in rows])
        parts[hatecheck_file(lang)] = "".join(_bucket(f"hc{lang}{c}") for c in components)
    parts[LANGID_FILE] = "".join(
        _half(r["text"]) if r["lang"] in MODEL_LANGS else UNUSED for r in _jsonl(data / LANGID_FILE)
    )
    for name in conll_files(data):
        parts[name] = "".join(_half(s) for s in conll_sentences(data / name))
    return parts


# --- reading the committed split -------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_split(data: Path) -> dict[str, str]:
    """split.json's parts, after checking every data file is byte-for-byte the one it was made
    from (a changed data set would silently move cases between train and test)."""
    split = json.loads(SPLIT_FILE.read_text(encoding="utf-8"))
    for name, entry in split["files"].items():
        if sha256(data / name) != entry["sha256"]:
            raise SystemExit(f"{data / name} differs from the file split.json was made from")
    return {name: entry["parts"] for name, entry in split["files"].items()}


def _labelled(data: Path, name: str, dataset: str, parts: str) -> Iterator[Example]:
    rows = _jsonl(data / name)
    if len(rows) != len(parts):
        raise SystemExit(f"{name}: {len(rows)} lines, split.json has {len(parts)}")
    for row, part in zip(rows, parts, strict=True):
        yield Example(
            text=row["text"],
            lang=row["lang"],
            toxic=int(row["toxic"]),
            dataset=dataset,
            split=PART_CODES[part],
            label=row.get("label", ""),
            functionality=row.get("functionality", ""),
            source=name,
        )


def load_labelled(data: Path = DEFAULT_DATA) -> list[Example]:
    """MLMA ar/en/fr then HateCheck, every part (filter on `split`)."""
    parts = read_split(data)
    out: list[Example] = []
    for lang in MLMA_LANGS:
        out += _labelled(data, mlma_file(lang), "mlma", parts[mlma_file(lang)])
    for lang in HATECHECK_LANGS:
        out += _labelled(data, hatecheck_file(lang), "hatecheck", parts[hatecheck_file(lang)])
    return out


def load_clean(data: Path = DEFAULT_DATA) -> list[Example]:
    """Clean news/web sentences of the model languages, dev and test halves."""
    parts = read_split(data)
    out: list[Example] = []
    rows = _jsonl(data / LANGID_FILE)
    for row, part in zip(rows, parts[LANGID_FILE], strict=True):
        if part != UNUSED:
            out.append(Example(row["text"], row["lang"], 0, "clean", PART_CODES[part], "leipzig"))
    for name in conll_files(data):
        sentences = conll_sentences(data / name)
        for text, part in zip(sentences, parts[name], strict=True):
            out.append(Example(text, name.split("/")[-1][:2], 0, "clean", PART_CODES[part], name))
    return out
