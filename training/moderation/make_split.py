"""Write training/moderation/split.json: the fixed train/dev/test assignment of every moderation
data file (definition in data_split.py), with each file's sha256. `--check` recomputes it and
fails if it differs from the committed file.

    python -m training.moderation.make_split [--data ../shared/data] [--check]
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from training.moderation.data_split import (
    DEFAULT_DATA,
    SEED,
    SPLIT_FILE,
    compute_parts,
    sha256,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    parts = compute_parts(args.data)
    split = {
        "seed": SEED,
        "codes": {"r": "train", "d": "dev", "t": "test", "-": "not used"},
        "files": {
            name: {"sha256": sha256(args.data / name), "parts": letters}
            for name, letters in sorted(parts.items())
        },
    }
    text = json.dumps(split, indent=1) + "\n"
    for name, letters in sorted(parts.items()):
        print(f"{name}: {dict(sorted(Counter(letters).items()))}")
    if args.check:
        same = SPLIT_FILE.read_text(encoding="utf-8") == text
        print("split.json is up to date" if same else "split.json DIFFERS from the definition")
        sys.exit(0 if same else 1)
    SPLIT_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SPLIT_FILE}")


if __name__ == "__main__":
    main()
