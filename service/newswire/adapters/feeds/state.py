"""The poller's memory: a compacted Kafka topic (NEWSWIRE_POLL_STATE_TOPIC, one partition).

Two kinds of record, JSON values:
- key = an item's id (`feed-…`): `{"kind": "item", "feed", "guid", "at"}`, written once the raw
  record of that item is acknowledged; its presence means "published, never again".
- key = `feed:<url>`: `{"kind": "feed", "etag", "last_modified", "at"}`, the validators of the
  feed's last response, written only after every new item of that response is recorded (so a
  304 can never hide an item that was not published).

Compaction keeps the newest record per key; the topic also deletes records older than
NEWSWIRE_POLL_STATE_RETENTION_DAYS (`compact,delete`), so the memory does not grow for ever.
An item a feed still lists is recorded again once its record is half that age (`stale`), so
only items no feed lists any more are forgotten. On start the poller reads the topic to its
end to rebuild `Memory`.

Crash window (at-least-once): a raw record acknowledged but its state record not yet written
is published again by the next poll: the worker's dedupe stage sees the same id and text
again (a duplicate, not a second article). The window is one send round trip.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newswire.adapters.kafka.security import client_options
from newswire.settings import Settings

FEED_KEY_PREFIX = "feed:"
LOAD_TIMEOUT = 120.0
DAY = 86_400.0


def topic_config(retention_days: float) -> dict[str, str]:
    """The state topic's config: compacted (the newest record per key), and records older than
    the retention deleted (items no feed lists any more)."""
    return {
        "cleanup.policy": "compact,delete",
        "retention.ms": str(int(retention_days * DAY * 1000)),
    }


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str | None
    last_modified: str | None


@dataclass
class Memory:
    # item id → when its state record was written (epoch seconds)
    items: dict[str, float] = field(default_factory=dict)
    validators: dict[str, Validators] = field(default_factory=dict)
    # Ids being published right now: two feeds carrying one item publish it once.
    claimed: set[str] = field(default_factory=set)

    def claim(self, item_id: str) -> bool:
        if item_id in self.items or item_id in self.claimed:
            return False
        self.claimed.add(item_id)
        return True

    def stale(self, item_id: str, before: float) -> bool:
        """A known item whose record was written before `before`: to be recorded again while
        a feed still lists it (else the topic's retention would forget it, and the next poll
        publish it again)."""
        return self.items.get(item_id, before) < before

    def recorded(self, item_ids: list[str], at: float) -> None:
        self.items.update(dict.fromkeys(item_ids, at))

    def forget_before(self, horizon: float) -> int:
        """Drop items recorded before `horizon` (the topic's retention deletes them too)."""
        old = [item_id for item_id, at in self.items.items() if at < horizon]
        for item_id in old:
            del self.items[item_id]
        return len(old)

    def apply(self, key: str, value: bytes | None) -> None:
        """One state record (a tombstone, value None, forgets)."""
        if key.startswith(FEED_KEY_PREFIX):
            url = key.removeprefix(FEED_KEY_PREFIX)
            record = _loads(value)
            if record is None:
                self.validators.pop(url, None)
            else:
                self.validators[url] = Validators(
                    _str(record.get("etag")), _str(record.get("last_modified"))
                )
        elif value is None:
            self.items.pop(key, None)
        else:
            self.items[key] = _epoch((_loads(value) or {}).get("at"))


def _loads(value: bytes | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError:
        return {}  # unreadable: treated as a record without validators
    return record if isinstance(record, dict) else {}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _epoch(value: object) -> float:
    """A record's `at` in epoch seconds; a record without a readable one counts as new (it is
    then recorded again after half the retention, rather than forgotten early)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            pass
    return time.time()


async def load_memory(settings: Settings) -> Memory:
    """Read the state topic from its beginning to the end offsets seen at start."""
    topic = settings.poll_state_topic
    memory = Memory()
    # Subscribed without a group: the consumer takes every partition once it has the topic's
    # metadata, and starts each at its beginning (nothing committed, offset reset earliest).
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap_servers,
        **client_options(settings),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + LOAD_TIMEOUT
        while not (assigned := sorted(consumer.assignment())):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no partitions of {topic} in {LOAD_TIMEOUT:g} s")
            await asyncio.sleep(0.1)
        ends = await consumer.end_offsets(assigned)
        pending = {tp for tp in assigned if ends[tp] > 0}
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end in {LOAD_TIMEOUT:g} s")
            batch = await consumer.getmany(*pending, timeout_ms=500)
            for messages in batch.values():
                for message in messages:
                    if message.key is not None:
                        memory.apply(message.key.decode("utf-8", "replace"), message.value)
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
    finally:
        await consumer.stop()
    return memory


class StateWriter:
    def __init__(self, producer: AIOKafkaProducer, topic: str, memory: Memory) -> None:
        self._producer, self._topic, self.memory = producer, topic, memory

    async def items_published(self, published: list[tuple[str, str, str | None]]) -> None:
        """(item id, feed url, guid) of acknowledged raw records → state records, awaited."""
        futures = []
        for item_id, feed_url, guid in published:
            value = {"kind": "item", "feed": feed_url, "guid": guid, "at": _now()}
            futures.append(
                await self._producer.send(
                    self._topic, orjson.dumps(value), key=item_id.encode("utf-8", "surrogatepass")
                )
            )
        await asyncio.gather(*futures)

    async def feed_validators(self, url: str, validators: Validators) -> None:
        value = {
            "kind": "feed",
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "at": _now(),
        }
        key = f"{FEED_KEY_PREFIX}{url}".encode("utf-8", "surrogatepass")
        await (await self._producer.send(self._topic, orjson.dumps(value), key=key))
        self.memory.validators[url] = validators
