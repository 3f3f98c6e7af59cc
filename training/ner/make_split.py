"""Write training/ner/split.json: the fixed-seed 50/50 TUNE/TEST split of every NER dev file
(sentence indices + sentence count + the file's sha256). The same split the research component
was measured on; committed so that training and bench/ner_eval.py cannot drift apart.

    python -m training.ner.make_split [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from training.ner.corpus import DEFAULT_DATA, DEV_FILES, SPLIT_FILE, SPLIT_SEED, load, split_indices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    split: dict[str, object] = {"seed": SPLIT_SEED}
    for lang, relative in DEV_FILES.items():
        n = len(load(lang, args.data))
        tune, test = split_indices(n, lang)
        digest = hashlib.sha256((args.data / relative).read_bytes()).hexdigest()
        split[lang] = {"file": relative, "sha256": digest, "n": n, "tune": tune, "test": test}
        print(f"{lang}: {n} sentences → tune {len(tune)}, test {len(test)}")
    SPLIT_FILE.write_text(json.dumps(split, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
