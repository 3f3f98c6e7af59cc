"""Build agents/ner/data/zipf_cased.npz, the word-frequency table of the cased CRF, from the
wordfreq 3.1.1 package (training only: pip install -e '.[train]'). Byte-reproducible.

wordfreq: code Apache-2.0; its frequency data (Exquisite Corpus: Wikipedia, subtitles, news,
books, web text, Twitter, Reddit) CC BY-SA 4.0 — so is this derived table (see NOTICE.md).

    python -m training.ner.build_zipf
"""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np

from agents.ner.gazetteer import ZipfTable
from training.ner.common import MODEL_DIR

LANGS = ("en", "de", "pt", "sv")
MIN_ZIPF = 2.0  # tune_val (5-fold CV over TUNE): 2.0 > 3.0 (pooled F1 .645 vs .638)


def build(langs: tuple[str, ...] = LANGS, min_zipf: float = MIN_ZIPF) -> dict[int, int]:
    import wordfreq

    table: dict[int, int] = {}
    for lang in langs:
        for word, freq in wordfreq.get_frequency_dict(lang, wordlist="large").items():
            zipf = math.log10(freq) + 9
            if zipf >= min_zipf:
                key = ZipfTable.key(lang, word)
                table[key] = max(table.get(key, 0), int(zipf))  # a hash collision: keep max
    return table


def save(table: dict[int, int], langs: tuple[str, ...] = LANGS) -> bytes:
    keys = np.array(sorted(table), dtype=np.uint32)
    values = np.array([table[int(k)] for k in keys], dtype=np.uint8)
    names = np.frombuffer(",".join(langs).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in (("keys", keys), ("zipf", values), ("langs", names)):
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w") as out:
                np.lib.format.write_array(out, array, allow_pickle=False)
    return buffer.getvalue()


def main() -> None:
    table = build()
    path = MODEL_DIR / "zipf_cased.npz"
    path.write_bytes(save(table))
    print(
        f"{path.name}: {len(table)} words ({', '.join(LANGS)}), {path.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
