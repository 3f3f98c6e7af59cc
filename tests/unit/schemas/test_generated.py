from pipeline.topics import ALL_TOPICS
from schemas.generate import TOPIC_MODELS, main, schema_path


def test_every_topic_has_a_published_schema() -> None:
    assert set(TOPIC_MODELS) == set(ALL_TOPICS)
    assert all(schema_path(topic).exists() for topic in ALL_TOPICS)


def test_schema_files_are_up_to_date() -> None:
    assert main(["--check"]) == 0, "run: python -m schemas.generate"
