"""Kafka transport with the delivery guarantees we promise, whatever Faust's defaults do.

**Commits never pass an unfinished message.** faust-streaming 0.15.3's
`Consumer._new_offset` commits past a single unfinished message at the head of the acked run
(`min(acked) - committed > 1` lets a gap of exactly one through; faust-streaming issue #606,
PR #707 unreleased; robinhood/faust #355 and #682), and commits any acked run while no offset
was committed yet. With batches finishing out of order, a SIGKILL then loses the unfinished
message for good. Here a partition's commit offset is the lowest offset a stream has taken and
not finished (streams take a partition's messages in order), else one past the highest
finished one. Messages of an earlier consumer generation (before a rebalance) count for
nothing: after every rebalance Faust reads each partition again from its committed offset.

**The last commit of a rebalance.** Faust forgets a revoked partition's acks before it waits
for the work in progress and commits, so that commit never covered the partitions being given
away; their next owner redid everything since the previous periodic commit. Here finished
work is remembered until the commit is done.

**Parked messages.** The dedupe stage holds messages in its reorder buffer. A rebalance must
not wait for them (Faust's `wait_empty` would wait forever, since they are released only by
later messages); they stay unfinished for commits and are read again after the rebalance.

**Idempotent producer.** acks=all with `enable_idempotence`, so retries after a broker
failover neither duplicate nor reorder stage records.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from faust.transport.drivers import aiokafka as driver
from faust.types import TP, Message


class _TrackedSet(weakref.WeakSet):
    """Faust's set of messages being processed; adding one also reports it to `on_add`.
    (Streams add to it directly, inlining `Consumer.track_message`.)"""

    def __init__(self, on_add: Callable[[Message], None]) -> None:
        super().__init__()
        self._on_add = on_add

    def add(self, item: Message) -> None:
        super().add(item)
        self._on_add(item)


class GuardedConsumer(driver.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unacked_messages = _TrackedSet(self._on_taken)
        self._taken: dict[TP, set[int]] = defaultdict(set)
        self._finished: dict[TP, int] = {}
        self._parked: weakref.WeakSet[Message] = weakref.WeakSet()

    # ------------------------------------------------------------------ bookkeeping
    def _current(self, message: Message) -> bool:
        return message.generation_id == self.app.consumer_generation_id

    def _on_taken(self, message: Message) -> None:
        if self._current(message):
            self._taken[message.tp].add(message.offset)

    def track_message(self, message: Message) -> None:
        super().track_message(message)  # adds to _unacked_messages, hence _on_taken

    def ack(self, message: Message) -> bool:
        if not message.acked and message.tracked and self._current(message):
            taken = self._taken[message.tp]
            if message.offset in taken:
                taken.discard(message.offset)
                done = self._finished.get(message.tp)
                if done is None or message.offset > done:
                    self._finished[message.tp] = message.offset
        self._parked.discard(message)
        acked = super().ack(message)
        # Faust keeps a message it judges stale (below the committed offset) in the unacked
        # set, where a rebalance would wait for it; it is finished either way.
        self._unacked_messages.discard(message)
        return acked

    def finished_offset(self, tp: TP) -> int | None:
        """The offset below which every message of `tp` is finished (None: not known)."""
        taken = self._taken.get(tp)
        if taken:
            return min(taken)
        done = self._finished.get(tp)
        if done is not None:
            return done + 1
        return self._committed_offset.get(tp)

    def _new_offset(self, tp: TP) -> int | None:
        offset = self.finished_offset(tp)
        # Faust's own record of acked offsets only feeds its upstream computation; trim it.
        acked = self._acked[tp]
        if acked and offset is not None:
            acked[:] = [o for o in acked if o >= offset]
            self._acked_index[tp].intersection_update(acked)
        return offset

    # ------------------------------------------------------------------ rebalances
    def park(self, message: Message) -> None:
        """A message held on purpose (reorder buffer): a rebalance does not wait for it."""
        self._parked.add(message)

    async def wait_empty(self) -> None:
        for message in list(self._parked):
            self._unacked_messages.discard(message)
        self._parked = weakref.WeakSet()
        await super().wait_empty()

    def _filter_tps_with_pending_acks(self, topics: Any = None) -> Iterator[TP]:
        # Faust drops a revoked partition's acks before the last commit of a rebalance, so
        # that commit never covered what was finished while it waited: every rebalance made
        # the next owner redo it. Our own record of finished work survives until after it.
        tps = set(self._acked) | set(self._finished) | set(self._taken)
        return (tp for tp in tps if topics is None or tp in topics or tp.topic in topics)

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        await super().on_partitions_revoked(revoked)  # waits for work in progress, commits it
        self._forget(revoked)

    async def on_partitions_assigned(self, assigned: set[TP], generation_id: int = 0) -> None:
        # Every assigned partition is read again from its committed offset.
        self._forget(set(self._taken) | set(self._finished) | assigned)
        await super().on_partitions_assigned(assigned, generation_id)

    def _forget(self, tps: Iterable[TP]) -> None:
        for tp in tps:
            self._taken.pop(tp, None)
            self._finished.pop(tp, None)


class IdempotentProducer(driver.Producer):
    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class Transport(driver.Transport):
    Consumer = GuardedConsumer
    Producer = IdempotentProducer


def install(app: Any) -> None:
    """Use this transport for the app's consumer and producer (before the worker starts)."""
    app.transport = Transport(app.conf.broker_consumer, app)
    app._producer_transport = Transport(app.conf.broker_producer, app)
