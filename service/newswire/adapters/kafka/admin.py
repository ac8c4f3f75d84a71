"""Topic set-up and the broker check of the commands (plain aiokafka admin client)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError

from newswire.adapters.kafka.security import client_options, explain_failure
from newswire.settings import Settings


async def ensure_topics(
    settings: Settings,
    topics: Mapping[str, int],
    configs: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Create the topics (name → partitions) that are missing; returns those created.
    `configs`: extra topic configs by name (e.g. the poller's compacted state topic).

    The worker creates all its topics before it subscribes: a consumer group does not pick up
    a topic created after its assignment until a metadata refresh (minutes)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, **client_options(settings)
    )
    await admin.start()
    try:
        factor, min_insync = settings.replication(await _broker_count(admin))
        existing = set(await admin.list_topics())
        missing = [name for name in topics if name not in existing]
        for name in missing:
            config = {
                "max.message.bytes": str(settings.max_message_bytes),
                "min.insync.replicas": str(min_insync),
            }
            if name.endswith("-changelog"):
                config["cleanup.policy"] = "compact"  # as Faust makes table changelogs
            config.update((configs or {}).get(name, {}))
            new = NewTopic(name, topics[name], factor, topic_configs=config)
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([new])
        return missing
    finally:
        await admin.close()


async def topic_config(settings: Settings, topic: str) -> dict[str, str]:
    """A topic's configuration as the broker reports it (name → value)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, **client_options(settings)
    )
    await admin.start()
    try:
        [answer] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    [resource] = answer.to_object()["resources"]
    return {e["config_names"]: e["config_value"] for e in resource["config_entries"]}


class StateTopicError(RuntimeError):
    pass


async def check_state_topic(settings: Settings) -> None:
    """The poller's state topic must be compacted: with plain deletion its memory of what was
    published would be lost after the retention time, and every item still in a feed sent
    again. A topic made by hand (or by an older version) is checked, not trusted."""
    topic = settings.poll_state_topic
    policy = (await topic_config(settings, topic)).get("cleanup.policy") or ""
    if "compact" not in policy.split(","):
        raise StateTopicError(
            f"the poller's state topic {topic} has cleanup.policy={policy or '?'}: it must be "
            f"compacted. Set it with `kafka-configs --alter --entity-type topics --entity-name "
            f"{topic} --add-config cleanup.policy=[compact,delete]`, or choose a new "
            "NEWSWIRE_POLL_STATE_TOPIC"
        )


async def _broker_count(admin: AIOKafkaAdminClient) -> int:
    cluster = await admin.describe_cluster()
    return len(cluster["brokers"])


class BrokerUnreachable(RuntimeError):
    pass


async def check_broker(settings: Settings, timeout: float = 15.0) -> int:
    """Fail fast with a helpful message when Kafka is not reachable; returns how many brokers
    the cluster has."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers,
        request_timeout_ms=int(timeout * 1000),
        **client_options(settings),
    )
    try:
        with _client_log() as seen:
            await asyncio.wait_for(admin.start(), timeout)
            await asyncio.wait_for(admin.list_topics(), timeout)
            brokers = await asyncio.wait_for(_broker_count(admin), timeout)
    except Exception as exc:
        cause = explain_failure(seen.messages, settings)
        if cause is not None:
            raise BrokerUnreachable(
                f"cannot connect to Kafka at {settings.broker}: {cause}"
            ) from None
        raise BrokerUnreachable(
            f"cannot reach Kafka at {settings.broker} ({type(exc).__name__}: {exc}). Start the "
            "local broker with `newswire broker start`, or set NEWSWIRE_BROKER to a reachable "
            "kafka://host:port."
        ) from None
    finally:
        await admin.close()
    factor, _ = settings.replication(brokers)
    if factor > brokers:
        raise BrokerUnreachable(
            f"NEWSWIRE_REPLICATION_FACTOR is {factor} but the Kafka cluster at {settings.broker} "
            f"has {brokers} broker(s): lower it, or set it to auto"
        )
    return brokers


class _Seen(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _client_log() -> Iterator[_Seen]:
    """aiokafka's warnings while the broker is checked: kept (they name the cause of a failed
    connection) instead of printed (a page per retry), and given back as one line."""
    logger, seen = logging.getLogger("aiokafka"), _Seen()
    propagate, logger.propagate = logger.propagate, False
    logger.addHandler(seen)
    try:
        yield seen
    finally:
        logger.removeHandler(seen)
        logger.propagate = propagate
