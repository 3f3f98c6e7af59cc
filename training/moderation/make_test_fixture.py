"""Write tests/fixtures/moderation/regression.jsonl: a fixed sample of TEST-part cases with the
shipped model's scores and decisions, so a test notices when features, hashing (a scikit-learn
upgrade) or the model file drift apart. Re-run after retraining on purpose.

    python -m training.moderation.make_test_fixture [--data ../shared/data]
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agents.moderation_engine import CommentModerator
from training.moderation.data_split import DEFAULT_DATA, load_labelled

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "moderation"
PER_FILE = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    moderator = CommentModerator(review_threshold=0.5, reject_threshold=0.8)
    by_file: dict[str, list[tuple[int, dict[str, object]]]] = {}
    line_of: dict[str, int] = {}
    for example in load_labelled(args.data):
        line = line_of[example.source] = line_of.get(example.source, -1) + 1
        if example.split == "test":
            case = {"text": example.text, "lang": example.lang, "toxic": example.toxic}
            by_file.setdefault(example.source, []).append((line, case))
    rows = []
    for source, cases in by_file.items():
        step = max(1, len(cases) // PER_FILE)
        for line, case in cases[::step][:PER_FILE]:
            (verdict,) = moderator.moderate_batch([(str(case["text"]), str(case["lang"]))])
            rows.append(
                {
                    **case,
                    "source": f"{source}:{line + 1}",
                    "decision": verdict.decision,
                    "scores": verdict.scores,
                }
            )
    path = FIXTURE / "regression.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    print(f"wrote {len(rows)} cases -> {path}")


if __name__ == "__main__":
    main()
