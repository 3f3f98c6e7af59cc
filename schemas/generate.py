"""Write the JSON Schema of every topic's records: `python -m schemas.generate [--check]`."""

import argparse
import sys
from pathlib import Path

import orjson
from pydantic import BaseModel

from schemas.records import Article, DeadLetter, EnrichedArticle, FlaggedComment, RawArticle

SCHEMA_DIR = Path(__file__).parent / "json"

TOPIC_MODELS: dict[str, type[BaseModel]] = {
    "articles.raw": RawArticle,
    "articles.parsed": Article,
    "articles.lang": Article,
    "articles.tagged": Article,
    "articles.enriched": EnrichedArticle,
    "comments.flagged": FlaggedComment,
    "articles.dlq": DeadLetter,
}


def schema_bytes(topic: str) -> bytes:
    schema = TOPIC_MODELS[topic].model_json_schema(mode="serialization")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": topic, **schema}
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def schema_path(topic: str) -> Path:
    return SCHEMA_DIR / f"{topic}.schema.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for topic in TOPIC_MODELS:
        path = schema_path(topic)
        wanted = schema_bytes(topic)
        if path.exists() and path.read_bytes() == wanted:
            continue
        if args.check:
            stale.append(path.name)
        else:
            SCHEMA_DIR.mkdir(exist_ok=True)
            path.write_bytes(wanted)
            print(f"wrote {path}")
    if stale:
        print(f"out of date (run python -m schemas.generate): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
