"""The one settings object. Built once at start-up (``load_settings``) and passed down.

Nothing else in the package reads environment variables.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from newswire import __version__


class ConfigError(SystemExit):
    """Raised for bad configuration: exits with a message that says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(f"newswire: configuration error: {message}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_", frozen=True, extra="ignore")

    # Kafka
    broker: str = Field("kafka://127.0.0.1:9092", description="Kafka bootstrap URL(s)")
    raw_topic: str = "newswire.raw"
    enriched_topic: str = "newswire.enriched"
    duplicates_topic: str = "newswire.duplicates"
    dlq_topic: str = "newswire.dlq"
    partitions: int = Field(4, ge=1, le=1024)
    replication_factor: int | Literal["auto"] = Field(
        "auto", description="of the topics the service creates; auto: min(3, brokers)"
    )
    app_id: str = "newswire"

    # Kafka security (managed and company clusters)
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_username_file: Path | None = None  # Docker/Kubernetes secrets: read at start
    sasl_password_file: Path | None = None
    ssl_cafile: Path | None = None  # PEM; the system's CAs when not set
    ssl_certfile: Path | None = None  # mutual TLS: the client certificate (PEM)
    ssl_keyfile: Path | None = None  # and its key, unless in the certificate file
    ssl_check_hostname: bool = True

    # Worker
    web_host: str = "127.0.0.1"
    web_port: int = Field(6066, ge=1, le=65535)
    data_dir: Path = Path(".newswire")
    store: Literal["rocksdb", "memory"] = "rocksdb"
    nlp_processes: int = Field(2, ge=0, le=64)
    clean_processes: int = Field(1, ge=1, le=64)
    nlp_batch_size: int = Field(16, ge=1, le=1024)
    nlp_batch_timeout: float = Field(0.05, gt=0, le=10)
    nlp_inflight_batches: int = Field(4, ge=1, le=64)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = "text"
    session_timeout_seconds: float = Field(
        8.0, ge=6, le=300, description="how soon a dead worker's partitions move to others"
    )
    article_time_budget_seconds: float = Field(
        5.0, gt=0, le=3600, description="CPU time an article may take per stage"
    )

    max_message_bytes: int = Field(
        10_485_760, ge=1_048_576, description="Largest Kafka message topics/clients accept"
    )
    dlq_original_max_bytes: int = Field(524_288, ge=1_024)

    # Processing
    model: str = "en_core_web_sm"
    max_article_bytes: int = Field(2_000_000, ge=1_000)
    nlp_max_chars: int = Field(100_000, ge=1_000, description="characters of a body annotated")
    dedupe_grace_seconds: float = Field(
        5.0, ge=0, le=3600, description="longest wait for a silent raw partition"
    )
    dedupe_order_margin_ms: int = Field(
        300,
        ge=0,
        le=60_000,
        description="how much earlier than the moment a raw partition was read to its end a record"
        " appended after it may be stamped (producer linger and send time)",
    )
    dedupe_window_hours: float = Field(72.0, gt=0)
    duplicate_max_new: float = Field(0.10, gt=0, lt=1)
    update_min_containment: float = Field(0.6, gt=0, le=1)
    dedupe_expire_interval_seconds: float = Field(600.0, gt=0)

    # Local development broker
    kafka_home: Path = Path(".kafka")

    # Feed poller (`newswire poll`)
    poll_interval: float = Field(300.0, ge=1, le=86_400, description="seconds between polls")
    poll_state_topic: str = Field(
        "newswire.poll-state", description="compacted topic: items published, feed validators"
    )
    poll_state_retention_days: float = Field(
        30.0,
        ge=1,
        le=3650,
        description="how long the poller remembers an item no feed lists any more",
    )
    poll_timeout: float = Field(20.0, gt=0, le=600, description="seconds for one request")
    poll_retries: int = Field(2, ge=0, le=10, description="retries after a failed request")
    poll_backoff: float = Field(
        1.0, ge=0, le=60, description="first retry delay in seconds, doubled each retry"
    )
    poll_host_concurrency: int = Field(2, ge=1, le=64, description="requests at once per host")
    poll_host_delay: float = Field(
        1.0, ge=0, le=600, description="seconds between the starts of two requests to a host"
    )
    poll_max_redirects: int = Field(5, ge=0, le=30)
    poll_max_feed_bytes: int = Field(5_000_000, ge=10_000, description="feed size cap")
    poll_parse_timeout: float = Field(
        10.0, gt=0, le=600, description="seconds a feed's parsing may take"
    )
    poll_max_page_bytes: int = Field(1_000_000, ge=10_000, description="article page size cap")
    poll_fetch_pages: bool = Field(True, description="fetch the page of summary-only items")
    poll_metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="port of the poller's /metrics (on NEWSWIRE_WEB_HOST); 0: off",
    )
    poll_user_agent: str = Field(f"newswire-poll/{__version__}", min_length=1, max_length=256)

    @field_validator("replication_factor")
    @classmethod
    def _replication(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 1:
            raise ValueError("must be auto or a whole number of replicas, at least 1")
        return value

    @field_validator("broker")
    @classmethod
    def _broker_url(cls, value: str) -> str:
        """One or several brokers, separated by `;` (Faust's form) or `,` (Kafka's); written
        back as Faust's `kafka://h1:9092;kafka://h2:9092`."""
        parts = [p.strip() for p in re.split(r"[;,]", value) if p.strip()]
        if not parts:
            raise ValueError("names no broker (e.g. kafka://127.0.0.1:9092)")
        for part in parts:
            hostport = part.removeprefix("kafka://")
            host, _, port = hostport.rpartition(":")
            ipv6 = host.startswith("[") and host.endswith("]")
            if not host or (":" in host and not ipv6) or not port.isdigit():
                raise ValueError(
                    f"{part!r} is not host:port (e.g. kafka://127.0.0.1:9092; several: "
                    "kafka://h1:9092;kafka://h2:9092 or h1:9092,h2:9092)"
                )
        return ";".join(p if p.startswith("kafka://") else f"kafka://{p}" for p in parts)

    @field_validator("security_protocol", "sasl_mechanism", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        """Any case; SCRAM_SHA_512 as well as SCRAM-SHA-512."""
        if not isinstance(value, str):
            return value
        value = value.strip().upper()
        return value.replace("_", "-") if value.startswith("SCRAM") else value

    @field_validator(
        "sasl_username",
        "sasl_password",
        "sasl_username_file",
        "sasl_password_file",
        "ssl_cafile",
        "ssl_certfile",
        "ssl_keyfile",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_any_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _poll_consistent(self) -> Settings:
        if self.poll_state_topic in self.public_topics:
            raise ValueError(
                f"NEWSWIRE_POLL_STATE_TOPIC is {self.poll_state_topic!r}, the name of another "
                "topic: the poller's state needs its own (compacted) topic"
            )
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.max_message_bytes <= self.max_article_bytes:
            raise ValueError(
                "NEWSWIRE_MAX_MESSAGE_BYTES must be larger than NEWSWIRE_MAX_ARTICLE_BYTES, so "
                "that a too-large article still reaches the worker and gets a DLQ record"
            )
        self._check_security()
        seen: dict[str, str] = {}
        for field in ("raw_topic", "enriched_topic", "duplicates_topic", "dlq_topic"):
            name = getattr(self, field)
            if name in seen:
                raise ValueError(
                    f"NEWSWIRE_{seen[name].upper()} and NEWSWIRE_{field.upper()} are both "
                    f"{name!r}: each topic needs its own name"
                )
            seen[name] = field
        return self

    def _check_security(self) -> None:
        for field in (
            "sasl_username_file",
            "sasl_password_file",
            "ssl_cafile",
            "ssl_certfile",
            "ssl_keyfile",
        ):
            path = getattr(self, field)
            if path is not None and not path.is_file():
                raise ValueError(f"NEWSWIRE_{field.upper()}: no readable file at {path}")
        if self.ssl_keyfile is not None and self.ssl_certfile is None:
            raise ValueError("NEWSWIRE_SSL_KEYFILE needs NEWSWIRE_SSL_CERTFILE (mutual TLS)")
        tls = self.security_protocol in ("SSL", "SASL_SSL")
        if not tls and (self.ssl_cafile or self.ssl_certfile):
            raise ValueError(
                f"NEWSWIRE_SSL_* files are set but NEWSWIRE_SECURITY_PROTOCOL is "
                f"{self.security_protocol}: use SSL or SASL_SSL"
            )
        sasl = self.security_protocol.startswith("SASL")
        if sasl and (self.sasl_user() is None or self.sasl_secret() is None):
            raise ValueError(
                f"NEWSWIRE_SECURITY_PROTOCOL={self.security_protocol} needs a user and a "
                "password: NEWSWIRE_SASL_USERNAME and NEWSWIRE_SASL_PASSWORD (or their _FILE)"
            )

    def sasl_user(self) -> str | None:
        if self.sasl_username_file is not None:
            return self.sasl_username_file.read_text("utf-8").strip() or None
        return self.sasl_username or None

    def sasl_secret(self) -> str | None:
        if self.sasl_password_file is not None:
            return self.sasl_password_file.read_text("utf-8").rstrip("\n") or None
        return self.sasl_password.get_secret_value() if self.sasl_password else None

    @property
    def bootstrap_servers(self) -> list[str]:
        return [p.removeprefix("kafka://") for p in self.broker.split(";")]

    @property
    def broker_port(self) -> int:
        return int(self.bootstrap_servers[0].rpartition(":")[2])

    def replication(self, brokers: int) -> tuple[int, int]:
        """(replication factor, min.insync.replicas) of the topics the service creates, on a
        cluster of `brokers`: auto takes min(3, brokers); two replicas must acknowledge a
        write wherever there are three."""
        factor = min(3, brokers) if self.replication_factor == "auto" else self.replication_factor
        return factor, 2 if factor >= 3 else 1

    @property
    def public_topics(self) -> list[str]:
        return [self.raw_topic, self.enriched_topic, self.duplicates_topic, self.dlq_topic]

    @property
    def dedupe_topic(self) -> str:
        return f"{self.app_id}.dedupe"

    @property
    def annotate_topic(self) -> str:
        return f"{self.app_id}.annotate"


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment (plus explicit overrides), failing fast."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            env = f"NEWSWIRE_{field.upper()}" if err["loc"] else "settings"
            problems.append(f"{env}: {err['msg']}")
        raise ConfigError("; ".join(problems)) from None
