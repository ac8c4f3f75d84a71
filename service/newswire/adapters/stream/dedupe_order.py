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

import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newswire.adapters.stream.batching import is_copy
from newswire.adapters.stream.sending import Sends, origin_of
from newswire.adapters.stream.service import Service
from newswire.core import serde, stages
from newswire.core.envelopes import DeadLetter, ProgressMarks, StageMessage
from newswire.core.records import Rejected, key_of
from newswire.core.reorder import Key, Released, ReorderBuffer

log = logging.getLogger("newswire")


@dataclass(frozen=True, slots=True)
class Held:
    event: Any
    message: StageMessage


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


class DedupeAgent:
    """The dedupe agent of one worker: a reorder buffer per consumer generation, the dedupe
    index's verdicts, and the order state kept across rebalances."""

    def __init__(self, service: Service, sends: Callable[[], Sends]) -> None:
        self.app, self.topics, self.settings = service.app, service.topics, service.settings
        self.index = service.index
        self.metrics = service.metrics
        self.sends = sends
        self.clock = StageClock()
        self.state = OrderState(getattr(self.index.store, "order", None))
        self.buffer: ReorderBuffer[Held] | None = None
        self.generation: int | None = None

    def register(self) -> None:
        self.app.agent(self.topics.dedupe, name="dedupe")(self.dedupe)

    async def dedupe(self, stream: Any) -> None:
        events = stream.noack()
        interval = self.settings.dedupe_expire_interval_seconds
        next_expiry = time.monotonic() + interval
        # Per event, not in batches: Faust allows table writes only while an event is current.
        async for event in events.events():
            if is_copy(self.app.consumer, event):  # read again after a seek: done already
                await events.ack(event)
                continue
            for done in await self._handle(event):
                await events.ack(done)
            if time.monotonic() >= next_expiry:
                next_expiry = time.monotonic() + interval
                forgotten = self.index.expire()
                log.info("dedupe: forgot %d articles older than the window", forgotten)
                self.metrics.remembered.set(self.index.remembered())  # recount, now and then

    def _buffer_for(self, event: Any, now: float) -> ReorderBuffer[Held]:
        """The buffer of the event's consumer generation: a new generation reads every held
        article again, so it starts afresh (but knows what was judged: the order state)."""
        if self.buffer is None or event.message.generation_id != self.generation:
            self.generation = event.message.generation_id
            self.buffer = ReorderBuffer(
                grace=self.settings.dedupe_grace_seconds,
                partitions=self.settings.partitions,
                now=now,
                released=self.state.load(),
            )
        return self.buffer

    async def _handle(self, event: Any) -> list[Any]:
        """Feed one event to the buffer, judge what it releases; the events to acknowledge."""
        now = self.clock.at(getattr(event.message, "timestamp", None))
        buffer = self._buffer_for(event, now)
        out = self.sends()
        acks = []
        try:
            held = self._take(event, buffer, now)
        except Exception as exc:  # not a stage record we can read
            held = False
            error = stages.internal_error("dedupe", exc)
            await out.dead_letter(DeadLetter(error, event.value, origin_of(event)))
        if not held:
            acks.append(event)
        answered: set[str] = set()
        releasable = buffer.release(now)
        for partition, (why, since) in buffer.passed_over.items():
            log.warning(
                "dedupe: raw partition %d %s for %.1f s (%s): judging later-published articles"
                " without waiting for it",
                partition,
                why,
                now - since,
                "no progress mark, no article" if why == "silent" else "its low does not move",
            )
        buffer.passed_over.clear()
        for released in releasable:
            origin = released.item.message.raw_origin.key
            if origin in answered or self.index.answered(origin):  # read again (rebalance, crash)
                log.debug("dedupe: %s already answered", origin)
            else:
                await self._judge(released, out)
                answered.add(origin)
            acks.append(released.item.event)
        await out.delivered()
        for origin in answered:  # only now: a crash before this answers it again
            self.index.mark_answered(origin)
        self.state.save(buffer.released)
        return acks

    def _take(self, event: Any, buffer: ReorderBuffer[Held], now: float) -> bool:
        """Feed one dedupe-topic record to the buffer; True if it is held there."""
        decoded = serde.decode_dedupe_input(event.value)
        if isinstance(decoded, ProgressMarks):
            if decoded.partitions:
                buffer.partitions(decoded.partitions, now)
            for low in decoded.marks:
                buffer.progress(low[1], low, now)
            return False
        buffer.add(decoded.raw_origin.order, Held(event, decoded), now)
        self.app.consumer.park(event.message)
        return True

    async def _judge(self, released: Released[Held], out: Sends) -> None:
        held = released.item
        article, raw_origin = held.message.article, held.message.raw_origin
        started = time.monotonic()
        verdict = stages.judge(self.index, article, raw_origin.key, late=released.late)
        self.metrics.stage_seconds.labels("dedupe").observe(time.monotonic() - started)
        if not isinstance(verdict, Rejected):
            try:
                if verdict.status == "duplicate":
                    outcome = stages.finish_duplicate(
                        article, verdict, processed_at=stages.utc_now()
                    )
                    await out.send(self.topics.duplicates, key_of(article.id), outcome.value)
                    out.outcome("duplicate", status="duplicate", raw_timestamp=raw_origin.timestamp)
                else:
                    self.metrics.remembered.inc()  # unique and updates are remembered
                    value = serde.encode_stage(held.message.judged(verdict))
                    await out.send(self.topics.annotate, key_of(article.id), value)
            except Exception as exc:
                verdict = stages.internal_error("dedupe", exc, article.id)
        if isinstance(verdict, Rejected):
            origin = origin_of(held.event)
            await out.dead_letter(DeadLetter(verdict, held.event.value, origin, raw_origin))
        if released.late:
            log.warning(
                "dedupe: %s judged on arrival, after later-published articles (%s)",
                article.id,
                raw_origin.key,
            )
