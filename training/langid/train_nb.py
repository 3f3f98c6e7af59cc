"""Rebuild agents/data/langid_charnb.npz: the character n-gram naive Bayes second opinion of the
language identifier, trained on the TUNE half of the dev set only (split.json), so the TEST half
stays held out for bench/langid_eval.py. Deterministic; ~5 s.

    python training/langid/train_nb.py [--data PATH]
"""

import argparse
import json
from pathlib import Path

from agents.langid import MODEL_FILE, CharNB

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2] / "shared" / "data" / "dev" / "langid" / "sentences.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    split = json.loads((HERE / "split.json").read_text())
    with args.data.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    tune = [rows[i] for i in split["tune"]]
    model = CharNB.train([r["text"] for r in tune], [r["lang"] for r in tune])
    model.save(MODEL_FILE)
    print(
        f"trained on {len(tune)} TUNE sentences, {len(model.vocab)} features, "
        f"{len(model.langs)} languages -> {MODEL_FILE} ({MODEL_FILE.stat().st_size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
