"""Plain aiokafka clients for the user commands: topic set-up, `replay` and `tail`."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newswire.core.parse import decode_raw
from newswire.core.pipeline import InputRecord
from newswire.core.records import key_of
from newswire.inputs import read_inputs
from newswire.settings import Settings


async def ensure_topics(settings: Settings, topics: Mapping[str, int]) -> list[str]:
    """Create the topics (name → partitions) that are missing; returns those created.

    The worker creates all its topics before it subscribes: a consumer group does not pick up
    a topic created after its assignment until a metadata refresh (minutes)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
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
            new = NewTopic(name, topics[name], factor, topic_configs=config)
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([new])
        return missing
    finally:
        await admin.close()


async def _broker_count(admin: AIOKafkaAdminClient) -> int:
    cluster = await admin.describe_cluster()
    return len(cluster["brokers"])


def message_key(record: InputRecord) -> bytes | None:
    """Key = the article id the pipeline gives the message (core/parse, one rule), so a replay
    of the same article lands on the same partition and outputs keyed the same way are
    idempotent. A message the pipeline rejects keeps a valid id of its own if it has one;
    otherwise it has no key."""
    raw = decode_raw(record.data, max_bytes=sys.maxsize)  # size is the worker's to judge
    return key_of(raw.id)


@dataclass
class ReplayResult:
    sent: int
    seconds: float


async def replay(
    settings: Settings,
    paths: Sequence[str],
    *,
    rate: float | None = None,
    loop: int = 1,
    topic: str | None = None,
    progress: bool | None = None,
) -> ReplayResult:
    records = list(read_inputs(paths))
    topic = topic or settings.raw_topic
    await ensure_topics(settings, {topic: settings.partitions})
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        max_request_size=settings.max_message_bytes,
        linger_ms=5,
    )
    await producer.start()
    # Metadata before the first stamp: timestamps should be close to when records are appended
    # (the dedupe stage orders by them).
    await producer.partitions_for(topic)
    console = Console(stderr=True)
    show = console.is_terminal if progress is None else progress
    total = len(records) * loop
    started = time.monotonic()
    sent = 0
    try:
        columns = (TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, disable=not show) as bar:
            task = bar.add_task("replay", total=total)
            futures = []
            stamp = 0
            for _ in range(loop):
                for record in records:
                    if rate:
                        delay = started + sent / rate - time.monotonic()
                        if delay > 0:
                            await asyncio.sleep(delay)
                    # Strictly increasing timestamps: the dedupe stage judges in timestamp
                    # order, so even a burst within one millisecond keeps the files' order.
                    stamp = max(int(time.time() * 1000), stamp + 1)
                    futures.append(
                        await producer.send(
                            topic, record.data, key=message_key(record), timestamp_ms=stamp
                        )
                    )
                    sent += 1
                    bar.advance(task)
            await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return ReplayResult(sent, time.monotonic() - started)


async def tail(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool,
    limit: int | None,
    timeout: float,
    out: TextIO = sys.stdout,
) -> int:
    """Print records as JSON lines; stop after `limit` records or `timeout` seconds idle."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
        fetch_max_bytes=settings.max_message_bytes,
        max_partition_fetch_bytes=settings.max_message_bytes,
    )
    await consumer.start()
    printed = 0
    try:
        while limit is None or printed < limit:
            batch = await consumer.getmany(timeout_ms=int(timeout * 1000))
            if not batch:
                break
            messages = [m for partition in batch.values() for m in partition]
            for message in messages[: None if limit is None else limit - printed]:
                out.write(message.value.decode("utf-8", "replace") + "\n")
                printed += 1
            out.flush()
    finally:
        await consumer.stop()
    return printed


class BrokerUnreachable(RuntimeError):
    pass


async def check_broker(settings: Settings, timeout: float = 15.0) -> int:
    """Fail fast with a helpful message when Kafka is not reachable; returns how many brokers
    the cluster has."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, request_timeout_ms=int(timeout * 1000)
    )
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.list_topics(), timeout)
        brokers = await asyncio.wait_for(_broker_count(admin), timeout)
    except Exception as exc:
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


async def count_outcomes(settings: Settings, since_ms: int, timeout: float = 2.0) -> dict[str, int]:
    """Records per output topic written at or after `since_ms` (Kafka timestamp)."""
    topics = {
        "enriched": settings.enriched_topic,
        "duplicates": settings.duplicates_topic,
        "dlq": settings.dlq_topic,
    }
    consumer = AIOKafkaConsumer(
        *topics.values(),
        bootstrap_servers=settings.bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_bytes=settings.max_message_bytes,
        max_partition_fetch_bytes=settings.max_message_bytes,
    )
    counts = dict.fromkeys(topics, 0)
    by_topic = {name: kind for kind, name in topics.items()}
    await consumer.start()
    try:
        while batch := await consumer.getmany(timeout_ms=int(timeout * 1000)):
            for tp, messages in batch.items():
                counts[by_topic[tp.topic]] += sum(m.timestamp >= since_ms for m in messages)
    finally:
        await consumer.stop()
    return counts
