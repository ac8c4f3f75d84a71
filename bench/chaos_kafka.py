"""Chaos suite Kafka plumbing: per-phase topics, the producer that records where every input
landed, and the readers of outputs, stage topics, leaders and committed offsets.

The worker is a black box: only the topics the README documents are read (raw, the three
outputs, `<app_id>.dedupe` and `<app_id>.annotate`, keyed by article id) and the offsets its
consumer group (the app id) commits. Nothing from `newswire.adapters.stream` is imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from chaos_evidence import Input, Record

MAX_MESSAGE_BYTES = 10_485_760  # the worker's default NEWSWIRE_MAX_MESSAGE_BYTES
OUTPUT_KINDS = ("enriched", "duplicate", "dlq")


def now_ms() -> int:
    return int(time.time() * 1000)


# --------------------------------------------------------------------------- topics


@dataclass(frozen=True)
class Topics:
    """One phase's topic names and app id (fresh consumer group, internal topics, tables)."""

    bootstrap: str  # "h1:p1,h2:p2"
    app_id: str
    raw: str
    enriched: str
    duplicates: str
    dlq: str
    partitions: int
    replication: int = 1

    @classmethod
    def fresh(cls, bootstrap: str, phase: str, partitions: int, replication: int = 1) -> Topics:
        tag = f"{phase}-{uuid.uuid4().hex[:8]}"
        return cls(
            bootstrap,
            f"nwchaos-{tag}",
            f"nwchaos-{tag}.raw",
            f"nwchaos-{tag}.enriched",
            f"nwchaos-{tag}.duplicates",
            f"nwchaos-{tag}.dlq",
            partitions,
            replication,
        )

    @property
    def outputs(self) -> dict[str, str]:
        """topic → outcome kind."""
        return {self.enriched: "enriched", self.duplicates: "duplicate", self.dlq: "dlq"}

    @property
    def stage_topics(self) -> list[str]:
        """The internal stage topics the README documents (`<app_id>.dedupe`, `.annotate`)."""
        return [f"{self.app_id}.dedupe", f"{self.app_id}.annotate"]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
        env.update(
            NEWSWIRE_BROKER=";".join(f"kafka://{b}" for b in self.bootstrap.split(",")),
            NEWSWIRE_APP_ID=self.app_id,
            NEWSWIRE_RAW_TOPIC=self.raw,
            NEWSWIRE_ENRICHED_TOPIC=self.enriched,
            NEWSWIRE_DUPLICATES_TOPIC=self.duplicates,
            NEWSWIRE_DLQ_TOPIC=self.dlq,
            NEWSWIRE_PARTITIONS=str(self.partitions),
            NEWSWIRE_REPLICATION_FACTOR=str(self.replication),
        )
        return env


def _admin(topics: Topics) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(bootstrap_servers=topics.bootstrap, request_timeout_ms=30_000)


async def create_topics(topics: Topics) -> None:
    """Raw and output topics, made before any worker starts (the backlog is published first)."""
    admin = _admin(topics)
    await admin.start()
    try:
        for name in (topics.raw, *topics.outputs):
            config = {"max.message.bytes": str(MAX_MESSAGE_BYTES)}
            new = NewTopic(name, topics.partitions, topics.replication, topic_configs=config)
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([new])
    finally:
        await admin.close()
    # Until every partition has a leader in the metadata (a cluster takes a moment).
    names = [topics.raw, *topics.outputs]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        leaders = await partition_leaders(topics.bootstrap, names)
        if len([n for n in leaders.values() if n >= 0]) == len(names) * topics.partitions:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"topics {names} have no leaders after 60 s")


async def delete_topics(topics: Topics) -> None:
    admin = _admin(topics)
    await admin.start()
    try:
        prefix = topics.app_id
        names = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def partition_leaders(bootstrap: str, names: Sequence[str]) -> dict[tuple[str, int], int]:
    """(topic, partition) → node id of its leader, from a Metadata request."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await admin.start()
    try:
        described = await admin.describe_topics(list(names))
    finally:
        await admin.close()
    return {(t["topic"], p["partition"]): p["leader"] for t in described for p in t["partitions"]}


async def committed_offsets(topics: Topics) -> dict[tuple[str, int], int]:
    """The worker group's committed offsets ((topic, partition) → next offset to read)."""
    admin = _admin(topics)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(topics.app_id)
    finally:
        await admin.close()
    return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()}


async def commit_lag(topics: Topics) -> dict[str, int]:
    """Per consumed topic (raw and stages): messages the worker group has not committed."""
    names = [topics.raw, *topics.stage_topics]
    parts = [
        TopicPartition(t, p) for t, p in sorted(await partition_leaders(topics.bootstrap, names))
    ]
    consumer = _consumer(topics.bootstrap, [])
    await consumer.start()
    try:
        ends = await consumer.end_offsets(parts)
    finally:
        await consumer.stop()
    committed = await committed_offsets(topics)
    lag: dict[str, int] = {}
    for tp in parts:
        done = max(committed.get((tp.topic, tp.partition), 0), 0)
        name = tp.topic.rsplit(".", 1)[-1]
        lag[name] = lag.get(name, 0) + max(ends[tp] - done, 0)
    return lag


# --------------------------------------------------------------------------- produce


class Publisher:
    """Idempotent acks=all producer. Long request timeout: batches must survive a broker
    outage of ~30 s instead of expiring (a re-send would put a second copy on raw)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            enable_idempotence=True,
            max_request_size=MAX_MESSAGE_BYTES,
            request_timeout_ms=180_000,
            linger_ms=5,
        )

    async def __aenter__(self) -> Publisher:
        await self.producer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.producer.stop()

    async def publish(
        self, inputs: Sequence[Input], rate: float | None = None, stop: asyncio.Event | None = None
    ) -> None:
        """Send in order (`rate` per second, else at once); fills partition/offset/ts."""
        started = time.monotonic()
        pending: list[tuple[Input, asyncio.Future[Any]]] = []
        last_ts = 0
        for number, item in enumerate(inputs):
            if stop is not None and stop.is_set():
                break
            if rate:
                await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
            # Strictly increasing timestamps, as `newswire replay` stamps them: publish order is
            # (timestamp, partition, offset), so with equal timestamps an article sent later to a
            # lower partition would count as the earlier one and the expectations (send order)
            # would be wrong, not the service.
            ts = last_ts = max(now_ms(), last_ts + 1)
            future = await self.producer.send(self.topic, item.value, key=item.key, timestamp_ms=ts)
            pending.append((item, future))
        for item, future in pending:
            try:
                meta = await future
            except KafkaError as exc:
                item.error = repr(exc)
                continue
            item.partition, item.offset, item.ts = meta.partition, meta.offset, meta.timestamp


# --------------------------------------------------------------------------- read


def _consumer(bootstrap: str, names: Sequence[str]) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *names,
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_bytes=MAX_MESSAGE_BYTES * 2,
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
        request_timeout_ms=30_000,
    )


def _record(kind: str, m: Any) -> Record:
    try:
        value = orjson.loads(m.value) if m.value is not None else {}
    except orjson.JSONDecodeError:
        value = {"_undecodable": True}
    if not isinstance(value, dict):
        value = {"_value": value}
    key = m.key.decode("utf-8", "replace") if m.key is not None else None
    return Record(m.topic, kind, m.partition, m.offset, m.timestamp, key, value)


class Collector:
    """Reads the three output topics from the beginning, in the background, for a phase."""

    def __init__(self, topics: Topics) -> None:
        self.topics = topics
        self.records: list[Record] = []
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None

    async def __aenter__(self) -> Collector:
        # Assigned, not subscribed: no group, and no failure while a new topic's metadata
        # is still spreading through a cluster.
        self._consumer = _consumer(self.topics.bootstrap, [])
        await self._consumer.start()
        parts = [
            TopicPartition(t, p) for t in self.topics.outputs for p in range(self.topics.partitions)
        ]
        self._consumer.assign(parts)
        await self._consumer.seek_to_beginning(*parts)
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        kinds = self.topics.outputs
        consumer = self._consumer
        assert consumer is not None
        try:
            while not self._stop.is_set():
                batch = await consumer.getmany(timeout_ms=200)
                for tp, messages in batch.items():
                    self.records.extend(_record(kinds[tp.topic], m) for m in messages)
        finally:
            await consumer.stop()


async def read_topics(bootstrap: str, names: Sequence[str]) -> list[Record]:
    """Everything on `names` (those that exist) up to their current end."""
    # The partitions from a Metadata request (a group-less consumer's own cluster view only
    # knows the topics it was subscribed to).
    leaders = await partition_leaders(bootstrap, names)
    parts = [TopicPartition(t, p) for t, p in sorted(leaders)]
    records: list[Record] = []
    if not parts:
        return records
    consumer = _consumer(bootstrap, [])
    await consumer.start()
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            positions = [await consumer.position(tp) for tp in parts]
            if all(pos >= ends[tp] for pos, tp in zip(positions, parts, strict=True)):
                break
            batch = await consumer.getmany(timeout_ms=500)
            for _tp, messages in batch.items():
                records.extend(_record("stage", m) for m in messages)
    finally:
        await consumer.stop()
    return records
