"""The dedupe agent: judges articles in publish order.

Articles arrive on the single-partition dedupe topic from every raw partition, interleaved by
timing. They wait in a reorder buffer (core/reorder.py), fed by the articles themselves and by
the clean stage's progress marks (stream/progress.py), and are judged in the order they were
published to the raw topic: by raw record timestamp, then partition, then offset. So the result
is the same as `newswire process` over the same files, whatever the replay speed, partition
count or number of workers, as long as no raw partition stays silent for longer than
NEWSWIRE_DEDUPE_GRACE_SECONDS; an article that arrives after later-published ones were judged
is judged on arrival and flagged `late`.

Held articles stay unacknowledged (and parked: a rebalance does not wait for them), so a crash
or a rebalance reads them again; the buffer starts afresh with each consumer generation. What
is read again but was answered already (its outcome delivered: the `answered` table) is not
answered twice.
"""

from __future__ import annotations

import dataclasses
import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newswire.core import serde
from newswire.core.pipeline import internal_error, utc_now
from newswire.core.records import CleanArticle, duplicate_record, key_of
from newswire.core.reorder import Key, Released, ReorderBuffer
from newswire.stream.batching import is_copy
from newswire.stream.progress import is_mark
from newswire.stream.sending import Sends, origin_key, origin_of

log = logging.getLogger("newswire")


@dataclass(frozen=True, slots=True)
class Held:
    event: Any
    payload: dict[str, Any]
    article: CleanArticle
    raw_origin: dict[str, Any]


def raw_key(raw_origin: dict[str, Any]) -> Key:
    return (int(raw_origin.get("timestamp") or 0), raw_origin["partition"], raw_origin["offset"])


_RELEASED = b"released"
_KEY = struct.Struct(">qiq")


class OrderState:
    """The greatest key judged so far, kept in a changelog-backed table: a new buffer (after a
    rebalance, on another worker) still knows what arrives late."""

    def __init__(self, table: Any) -> None:
        self._table = table
        self._saved: Key | None = None

    def load(self) -> Key | None:
        data = self._table.get(_RELEASED) if self._table is not None else None
        self._saved = _KEY.unpack(data) if data else None
        return self._saved

    def save(self, released: Key | None) -> None:
        if self._table is not None and released is not None and released != self._saved:
            self._table[_RELEASED] = _KEY.pack(*released)
            self._saved = released


class StageClock:
    """The reorder buffer's clock: wall time, minus how far behind the dedupe topic this
    consumer reads. A partition is silent when no mark for it was *sent* for the grace, not
    when this consumer has not *read* one: a dedupe consumer that stalls or reads a backlog
    must not take every other partition for silent (the marks that prove them alive are in the
    part of the topic it has not read yet)."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._monotonic, self._wall = monotonic, wall
        self._last = float("-inf")

    def at(self, sent: float | None) -> float:
        """Now, for a record sent at `sent` (epoch seconds, the sender's clock; None: unknown).
        Never goes back; a sender clock ahead of ours counts as no lag."""
        lag = max(0.0, self._wall() - sent) if sent else 0.0
        self._last = max(self._last, self._monotonic() - lag)
        return self._last


def register_dedupe(service: Any, sends: Callable[[], Sends]) -> None:
    app, topics, settings, index = service.app, service.topics, service.settings, service.index
    clock = time.monotonic
    stage_clock = StageClock()
    state = OrderState(getattr(index.store, "order", None))

    @app.agent(topics.dedupe, name="dedupe")
    async def dedupe(stream: Any) -> None:
        events = stream.noack()
        buffer: ReorderBuffer[Held] | None = None
        generation: int | None = None
        next_expiry = clock() + settings.dedupe_expire_interval_seconds
        # Per event, not in batches: Faust allows table writes only while an event is current.
        async for event in events.events():
            if is_copy(app.consumer, event):  # read again after a seek: done already
                await events.ack(event)
                continue
            now = stage_clock.at(getattr(event.message, "timestamp", None))
            if buffer is None or event.message.generation_id != generation:
                # A new consumer generation reads every held article again.
                generation = event.message.generation_id
                buffer = ReorderBuffer(
                    grace=settings.dedupe_grace_seconds,
                    partitions=settings.partitions,
                    now=now,
                    released=state.load(),
                )
            out = sends()
            acks = []
            try:
                held = _take(event, buffer, now)
            except Exception as exc:  # not a stage record we can read
                held = False
                await out.dead_letter(internal_error("dedupe", exc), event.value, origin_of(event))
            if not held:
                acks.append(event)
            answered: set[str] = set()
            releasable = buffer.release(now)
            for partition, since in buffer.passed_over.items():
                log.warning(
                    "dedupe: raw partition %d silent for %.1f s (no progress mark, no article):"
                    " judging later-published articles without waiting for it",
                    partition,
                    now - since,
                )
            buffer.passed_over.clear()
            for released in releasable:
                origin = origin_key(released.item.raw_origin)
                if origin in answered or index.answered(origin):  # read again (rebalance, crash)
                    log.debug("dedupe: %s already answered", origin)
                else:
                    await _judge(released, out)
                    answered.add(origin)
                acks.append(released.item.event)
            await out.delivered()
            for origin in answered:  # only now: a crash before this answers it again
                index.mark_answered(origin)
            state.save(buffer.released)
            for done in acks:
                await events.ack(done)
            if clock() >= next_expiry:
                next_expiry = clock() + settings.dedupe_expire_interval_seconds
                forgotten = index.expire()
                log.info("dedupe: forgot %d articles older than the window", forgotten)

    def _take(event: Any, buffer: ReorderBuffer[Held], now: float) -> bool:
        """Feed one dedupe-topic record to the buffer; True if it is held there."""
        payload = serde.loads(event.value)
        if is_mark(payload):
            if payload.get("partitions"):
                buffer.partitions(int(payload["partitions"]), now)
            for timestamp, partition, offset in payload["marks"]:
                buffer.progress(int(partition), (int(timestamp), int(partition), int(offset)), now)
            return False
        article = serde.clean_from_dict(payload["article"])
        raw_origin = payload["raw_origin"]
        buffer.add(raw_key(raw_origin), Held(event, payload, article, raw_origin), now)
        app.consumer.park(event.message)
        return True

    async def _judge(released: Released[Held], out: Sends) -> None:
        held = released.item
        article, raw_origin = held.article, held.raw_origin
        try:
            origin = origin_key(raw_origin)
            verdict = index.judge(article.id, article.body, origin, late=released.late)
            if verdict.status == "duplicate":
                record = duplicate_record(article, verdict, processed_at=utc_now())
                await out.send(topics.duplicates, key_of(article.id), serde.dumps(record))
            else:
                payload = dict(held.payload, verdict=dataclasses.asdict(verdict))
                await out.send(topics.annotate, key_of(article.id), serde.dumps(payload))
        except Exception as exc:
            error = internal_error("dedupe", exc, article.id)
            await out.dead_letter(error, held.event.value, origin_of(held.event), raw_origin)
        if released.late:
            log.warning(
                "dedupe: %s judged on arrival, after later-published articles (%s)",
                article.id,
                origin_key(raw_origin),
            )
