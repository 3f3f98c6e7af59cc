import pytest

from pipeline.settings import Settings, SettingsError


def test_defaults_without_environment() -> None:
    settings = Settings.from_env({})
    assert settings.broker == "kafka://127.0.0.1:9092"
    assert settings.bootstrap_servers == ["127.0.0.1:9092"]
    assert settings.topic("articles.raw") == "articles.raw"


def test_environment_overrides_and_types() -> None:
    settings = Settings.from_env(
        {
            "WIRESTREAM_BROKER": "kafka://k1:9093,k2",
            "WIRESTREAM_PARTITIONS": "12",
            "WIRESTREAM_BATCH_WITHIN_S": "0.2",
            "WIRESTREAM_TOPIC_PREFIX": "staging.",
            "WIRESTREAM_MAX_ARTICLE_BYTES": "8_000_000",
            "WIRESTREAM_NER_ARABIC_BARE_NAMES": "Yes",
        }
    )
    assert settings.ner_arabic_bare_names is True
    assert Settings.from_env({}).ner_arabic_bare_names is False
    assert settings.bootstrap_servers == ["k1:9093", "k2:9092"]
    assert (settings.partitions, settings.batch_within_s) == (12, 0.2)
    assert settings.max_article_bytes == 8_000_000
    assert settings.topic("articles.dlq") == "staging.articles.dlq"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WIRESTREAM_PARTITIONS": "many"}, "WIRESTREAM_PARTITIONS must be a int"),
        ({"WIRESTREAM_BROKER": "localhost:9092"}, "must look like kafka://"),
        ({"WIRESTREAM_PARTITIONS": "0"}, "at least 1"),
        ({"WIRESTREAM_NER_ARABIC_BARE_NAMES": "maybe"}, "must be a bool"),
        (
            {
                "WIRESTREAM_MODERATION_REVIEW_THRESHOLD": "0.9",
                "WIRESTREAM_MODERATION_REJECT_THRESHOLD": "0.5",
            },
            "review <= reject",
        ),
    ],
)
def test_bad_values_fail_clearly(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_secrets_are_masked_in_logs() -> None:
    settings = Settings.from_env({"WIRESTREAM_SASL_PASSWORD": "hunter2"})
    assert settings.describe()["sasl_password"] == "***"
    assert "hunter2" not in str(settings.describe())
