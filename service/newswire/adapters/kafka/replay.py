"""`newswire replay`: publish a folder of articles to the raw topic."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer, TopicPartition
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newswire.adapters.files import read_inputs
from newswire.adapters.kafka.admin import ensure_topics
from newswire.adapters.kafka.security import client_options
from newswire.core.decode import decode_raw
from newswire.core.pipeline import InputRecord
from newswire.core.records import key_of
from newswire.settings import Settings


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


async def _warm_up(producer: AIOKafkaProducer, topic: str) -> None:
    """Metadata and a connection to every partition leader before the first stamp: the dedupe
    stage orders by timestamps and assumes a record is appended soon after it is stamped
    (NEWSWIRE_DEDUPE_ORDER_MARGIN_MS); a first connection (with TLS and SASL, several round
    trips) made after stamping would eat into that margin."""
    partitions = await producer.partitions_for(topic)
    client = producer.client
    leaders = {client.cluster.leader_for_partition(TopicPartition(topic, p)) for p in partitions}
    for node in leaders - {None, -1}:
        await client.ready(node)


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
        **client_options(settings),
        acks="all",
        enable_idempotence=True,
        max_request_size=settings.max_message_bytes,
        linger_ms=5,
    )
    await producer.start()
    await _warm_up(producer, topic)
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
