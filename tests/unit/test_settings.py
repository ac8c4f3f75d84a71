"""settings: NEWSWIRE_* environment variables, frozen, failing fast with the variable's name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from newswire.settings import ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("NEWSWIRE_"):
            monkeypatch.delenv(key)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.broker == "kafka://127.0.0.1:9092"
    assert settings.bootstrap_servers == ["127.0.0.1:9092"]
    assert settings.broker_port == 9092
    assert settings.partitions == 4
    assert settings.model == "en_core_web_sm"
    assert settings.max_article_bytes == 2_000_000
    assert settings.dedupe_window_hours == 72.0
    assert (
        len(
            {
                settings.raw_topic,
                settings.enriched_topic,
                settings.duplicates_topic,
                settings.dlq_topic,
            }
        )
        == 4
    )


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_PARTITIONS", "8")
    monkeypatch.setenv("NEWSWIRE_BROKER", "kafka://k1:9093;kafka://k2:9094")
    monkeypatch.setenv("NEWSWIRE_RAW_TOPIC", "wire.in")
    monkeypatch.setenv("NEWSWIRE_MODEL", "en_core_web_md")
    monkeypatch.setenv("NEWSWIRE_DEDUPE_WINDOW_HOURS", "1.5")
    monkeypatch.setenv("NEWSWIRE_STORE", "memory")
    monkeypatch.setenv("NEWSWIRE_DATA_DIR", "/tmp/newswire-data")
    monkeypatch.setenv("NEWSWIRE_APP_ID", "nw-test")
    settings = load_settings()
    assert settings.partitions == 8
    assert settings.bootstrap_servers == ["k1:9093", "k2:9094"]
    assert settings.broker_port == 9093
    assert settings.raw_topic == "wire.in"
    assert settings.model == "en_core_web_md"
    assert settings.dedupe_window_hours == 1.5
    assert settings.store == "memory"
    assert settings.data_dir == Path("/tmp/newswire-data")
    assert settings.dedupe_topic == "nw-test.dedupe"
    assert settings.annotate_topic == "nw-test.annotate"


def test_environment_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("newswire_partitions", "6")
    assert load_settings().partitions == 6


def test_other_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTITIONS", "9")
    monkeypatch.setenv("NEWSWIRE_NOT_A_SETTING", "x")
    assert load_settings().partitions == 4


def test_explicit_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_PARTITIONS", "8")
    assert load_settings(partitions=2).partitions == 2


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.partitions = 3
    assert settings.partitions == 4


def test_config_error_is_a_system_exit() -> None:
    assert issubclass(ConfigError, SystemExit)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSWIRE_PARTITIONS", "0"),
        ("NEWSWIRE_PARTITIONS", "many"),
        ("NEWSWIRE_BROKER", "nonsense"),
        ("NEWSWIRE_BROKER", "kafka://host:port"),
        ("NEWSWIRE_BROKER", "kafka://h1:9092;h2"),
        ("NEWSWIRE_WEB_PORT", "70000"),
        ("NEWSWIRE_STORE", "postgres"),
        ("NEWSWIRE_LOG_LEVEL", "loud"),
        ("NEWSWIRE_MAX_ARTICLE_BYTES", "10"),
        ("NEWSWIRE_DEDUPE_WINDOW_HOURS", "0"),
        ("NEWSWIRE_DUPLICATE_MAX_NEW", "1.5"),
        ("NEWSWIRE_NLP_BATCH_SIZE", "0"),
    ],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert name in message
    assert message.startswith("newswire: configuration error:")
    assert info.value.code == message  # SystemExit prints it and exits non-zero


def test_several_bad_values_are_all_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_PARTITIONS", "0")
    monkeypatch.setenv("NEWSWIRE_BROKER", "nonsense")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "NEWSWIRE_PARTITIONS" in str(info.value)
    assert "NEWSWIRE_BROKER" in str(info.value)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("NEWSWIRE_RAW_TOPIC", "NEWSWIRE_ENRICHED_TOPIC"),
        ("NEWSWIRE_DUPLICATES_TOPIC", "NEWSWIRE_DLQ_TOPIC"),
        ("NEWSWIRE_RAW_TOPIC", "NEWSWIRE_DLQ_TOPIC"),
    ],
)
def test_equal_topics_are_rejected(
    monkeypatch: pytest.MonkeyPatch, first: str, second: str
) -> None:
    monkeypatch.setenv(first, "newswire.same")
    monkeypatch.setenv(second, "newswire.same")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert first in str(info.value) and second in str(info.value)
    assert "newswire.same" in str(info.value)


def test_a_topic_equal_to_its_default_elsewhere_is_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSWIRE_DLQ_TOPIC", Settings().raw_topic)
    with pytest.raises(ConfigError):
        load_settings()


def test_a_comma_separated_broker_list_is_several_brokers() -> None:
    """It used to pass validation as one host `k1:9092,k2`."""
    settings = Settings(broker="k1:9092, k2:9093")
    assert settings.bootstrap_servers == ["k1:9092", "k2:9093"]
    assert settings.broker == "kafka://k1:9092;kafka://k2:9093"  # Faust's form
    assert Settings(broker="kafka://[::1]:9092").bootstrap_servers == ["[::1]:9092"]


@pytest.mark.parametrize("broker", ["k1:9092,k2", "k1", "", ";", "kafka://a:b:9092"])
def test_a_broker_list_with_a_bad_entry_is_refused(broker: str) -> None:
    with pytest.raises(ValidationError):
        Settings(broker=broker)


def test_log_levels_in_any_case() -> None:
    assert Settings(log_level="WARNING").log_level == "warning"
