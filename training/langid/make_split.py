"""Fixed, stratified 50/50 split of the language-ID dev set into TUNE (training, thresholds,
weights) and TEST (reported by bench/langid_eval.py, never used while tuning). Writes split.json
(line indices). Same seed, same split, on every machine.

    python training/langid/make_split.py [--data PATH]
"""

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2] / "shared" / "data" / "dev" / "langid" / "sentences.jsonl"
SPLIT = HERE / "split.json"
SEED = 20261125


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    by_lang: dict[str, list[int]] = defaultdict(list)
    with args.data.open(encoding="utf-8") as lines:
        for i, line in enumerate(lines):
            by_lang[json.loads(line)["lang"]].append(i)
    rng = random.Random(SEED)
    tune: list[int] = []
    test: list[int] = []
    for lang in sorted(by_lang):
        indices = by_lang[lang][:]
        rng.shuffle(indices)
        half = len(indices) // 2
        tune += indices[:half]
        test += indices[half:]
    SPLIT.write_text(json.dumps({"seed": SEED, "tune": sorted(tune), "test": sorted(test)}))
    print(f"tune={len(tune)} test={len(test)} -> {SPLIT}")


if __name__ == "__main__":
    main()
