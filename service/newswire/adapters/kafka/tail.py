"""Reading output topics: `newswire tail`, and the outcome count `make demo` prints."""

from __future__ import annotations

import sys
from typing import TextIO

from aiokafka import AIOKafkaConsumer

from newswire.adapters.kafka.security import client_options
from newswire.settings import Settings


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
        **client_options(settings),
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
        **client_options(settings),
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
