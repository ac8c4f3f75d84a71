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

**Nothing skipped.** Around a rebalance Faust's fetch loop drops messages whose offset is below
the last one it delivered, and skips stale ones in its streams; aiokafka does not rewind a
partition that has no committed offset yet. Both let a later message reach the stream first,
and committing it then passes messages that were never processed. Every message now reaches
the streams (Newswire's stages tell a re-read copy from a new message), each partition is read
from a known position after a rebalance, and a partition ledger (stream/ledger.py) notices
offsets that were skipped: commits stop below them and the partition is read again from there.

**Parked messages.** The dedupe stage holds messages in its reorder buffer. A rebalance must
not wait for them (Faust's `wait_empty` would wait forever, since they are released only by
later messages); they stay unfinished for commits and are read again after the rebalance.

**Idempotent producer.** acks=all with `enable_idempotence`, so retries after a broker
failover neither duplicate nor reorder stage records.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from faust.transport.drivers import aiokafka as driver
from faust.types import TP, Message

from newswire.adapters.stream.ledger import Ledger, Take

log = logging.getLogger("newswire")
# Skipped offsets not delivered this long after they were read again are read again (they are
# given up only once Kafka no longer has them).
GAP_RETRY_SECONDS = 10.0
# A commit offset that has not moved for this long while later messages were finished is
# logged once, with what holds it.
HELD_COMMIT_WARNING_SECONDS = 30.0


class _TrackedSet(weakref.WeakSet):
    """Faust's set of messages being processed; adding one also reports it to `on_add`.
    (Streams add to it directly, inlining `Consumer.track_message`.)"""

    def __init__(self, on_add: Callable[[Message], None]) -> None:
        super().__init__()
        self._on_add = on_add

    def add(self, item: Message) -> None:
        super().add(item)
        self._on_add(item)


class _DeliverAll(defaultdict):
    """Faust's last-read offset per partition. Its fetch loop drops a fetched message whose
    offset is below the last one delivered; answering None to that lookup delivers every
    message (the ledger tells copies apart)."""

    def __getitem__(self, key: Any) -> Any:
        return None


class GuardedConsumer(driver.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unacked_messages = _TrackedSet(self._on_taken)
        self._read_offset = _DeliverAll(lambda: None)
        self._ledgers: dict[TP, Ledger] = {}
        self._copies: weakref.WeakSet[Message] = weakref.WeakSet()
        self._parked: weakref.WeakSet[Message] = weakref.WeakSet()
        self._rereads: set[asyncio.Future[None]] = set()
        self._restart_at: dict[TP, int] = {}
        self._held: dict[TP, tuple[int, float, bool]] = {}  # offset, since, warned
        self._revoke_hooks: dict[str, Callable[[], None]] = {}
        self._assign_hooks: dict[str, Callable[[], None]] = {}

    # ------------------------------------------------------------------ bookkeeping
    def _current(self, message: Message) -> bool:
        return message.generation_id == self.app.consumer_generation_id

    def stale(self, message: Message) -> bool:
        """Fetched before the last rebalance: it is read again, its work is not ours now.
        (Messages that no consumer fetched, as in Faust's agent tests, have no generation.)"""
        return message.generation_id is not None and not self._current(message)

    def _on_taken(self, message: Message) -> None:
        if not self._current(message):
            return
        ledger = self._ledgers.get(message.tp)
        if ledger is None:  # perform_seek did not start one: read from the committed offset
            ledger = self._ledgers[message.tp] = Ledger(self._committed_offset.get(message.tp))
        result = ledger.take(message.offset, id(message), time.monotonic())
        if result is Take.COPY:
            self._copies.add(message)
        elif result is Take.GAP:
            start = ledger.first_missing()
            log.error(
                "offsets %s-%d of %s were skipped on the way to the stream; reading them again",
                start,
                message.offset - 1,
                message.tp,
            )
            if start is not None:
                task = asyncio.ensure_future(self._read_again(message.tp, start))
                self._rereads.add(task)
                task.add_done_callback(self._rereads.discard)

    async def _read_again(self, tp: TP, offset: int) -> None:
        try:
            await self.seek(tp, offset)
        except Exception as exc:  # the partition moved meanwhile: its next owner reads it
            log.warning("could not read %s again from %d: %r", tp, offset, exc)
        else:
            log.info("reading %s again from offset %d", tp, offset)

    async def _recover_gaps(self, tp: TP, ledger: Ledger) -> None:
        """Skipped offsets still missing after a read again: give up those Kafka no longer
        has, read the partition again from the first one it has."""
        try:
            earliest = (await self.earliest_offsets(tp)).get(tp)
        except Exception as exc:  # the broker is away: try again at the next retry
            log.warning("could not look up the earliest offset of %s: %r", tp, exc)
            return
        if self._ledgers.get(tp) is not ledger:
            return  # a rebalance started the partition over meanwhile
        for gap in ledger.drop_below(earliest) if earliest is not None else []:
            log.error(
                "offsets %d-%d of %s no longer exist in Kafka (retention); going on without them",
                gap.start,
                gap.end - 1,
                tp,
            )
        start = ledger.first_missing()
        if start is not None:
            log.warning("offsets of %s from %d still missing; reading them again", tp, start)
            await self._read_again(tp, start)

    def is_copy(self, message: Message) -> bool:
        """A message read again after a seek: its first delivery does the work."""
        return message in self._copies

    def track_message(self, message: Message) -> None:
        super().track_message(message)  # adds to _unacked_messages, hence _on_taken

    def ack(self, message: Message) -> bool:
        first = message.tracked and message not in self._copies and self._current(message)
        if first and not message.acked and (ledger := self._ledgers.get(message.tp)):
            ledger.finish(message.offset, id(message))
        self._copies.discard(message)
        self._parked.discard(message)
        acked = super().ack(message)
        # Faust keeps a message it judges stale (below the committed offset) in the unacked
        # set, where a rebalance would wait for it; it is finished either way.
        self._unacked_messages.discard(message)
        return acked

    def finished_offset(self, tp: TP) -> int | None:
        """The offset below which every message of `tp` is finished (None: not known)."""
        ledger = self._ledgers.get(tp)
        offset = ledger.commit_offset() if ledger is not None else None
        return offset if offset is not None else self._committed_offset.get(tp)

    def _new_offset(self, tp: TP) -> int | None:
        ledger = self._ledgers.get(tp)
        if ledger is not None and ledger.overdue(time.monotonic(), GAP_RETRY_SECONDS):
            task = asyncio.ensure_future(self._recover_gaps(tp, ledger))
            self._rereads.add(task)
            task.add_done_callback(self._rereads.discard)
        offset = self.finished_offset(tp)
        if ledger is not None and offset is not None:
            self._watch_held(tp, ledger, offset)
        # Faust's own record of acked offsets only feeds its upstream computation; trim it.
        acked = self._acked[tp]
        if acked and offset is not None:
            acked[:] = [o for o in acked if o >= offset]
            self._acked_index[tp].intersection_update(acked)
        return offset

    def _watch_held(self, tp: TP, ledger: Ledger, offset: int) -> None:
        now = time.monotonic()
        held, since, warned = self._held.get(tp, (offset, now, False))
        if held != offset or ledger.expect is None or ledger.expect <= offset + 1:
            self._held[tp] = (offset, now, False)  # moving, or nothing beyond it to commit
        elif not warned and now - since >= HELD_COMMIT_WARNING_SECONDS:
            log.warning(
                "commits of %s held at offset %d for %.0f s (read up to %d): %s",
                tp,
                offset,
                now - since,
                ledger.expect - 1,
                ledger.holding(),
            )
            self._held[tp] = (held, since, True)

    def _filter_tps_with_pending_acks(self, topics: Any = None) -> Iterator[TP]:
        # Faust drops a revoked partition's acks before the last commit of a rebalance, so
        # that commit never covered what was finished while it waited: every rebalance made
        # the next owner redo it. Our ledgers survive until after it.
        tps = set(self._acked) | set(self._ledgers)
        return (tp for tp in tps if topics is None or tp in topics or tp.topic in topics)

    # ------------------------------------------------------------------ rebalances
    async def perform_seek(self) -> None:
        """After a rebalance: every stream partition from a known position. aiokafka leaves a
        partition without a committed offset wherever its fetch position was, which can be
        past messages an earlier generation fetched and never processed."""
        await super().perform_seek()
        streams = [tp for tp in self.assignment() if self.app.topics.acks_enabled_for(tp.topic)]
        fresh = [tp for tp in streams if not self._committed_offset.get(tp)]
        starts = dict(await self.earliest_offsets(*fresh)) if fresh else {}
        for tp in streams:
            start = self._committed_offset.get(tp) or starts.get(tp)
            self._ledgers[tp] = Ledger(expect=start)
            if start is not None:
                self._restart_at[tp] = start

    def resume_flow(self) -> None:
        """Streams take messages again. Whatever was fetched between the seek above and now
        was skipped by the streams (flow suspended) and dropped from their queues: read
        every partition again from its start, so that the first message they take is the
        first one due."""
        super().resume_flow()
        restart, self._restart_at = self._restart_at, {}
        for tp, offset in restart.items():
            ledger = self._ledgers.get(tp)
            if ledger is None or not ledger.fresh:
                continue
            try:
                self._thread.seek(tp, offset)
            except Exception as exc:  # revoked meanwhile
                log.debug("no restart of %s at %d: %r", tp, offset, exc)

    def park(self, message: Message) -> None:
        """A message held on purpose (reorder buffer): a rebalance does not wait for it."""
        self._parked.add(message)

    def park_topic(self, topic: str, keep: Iterable[Message]) -> None:
        """Park every message of `topic` being processed, but those in `keep`."""
        kept = {id(message) for message in keep}
        for message in list(self._unacked_messages):
            if message.topic == topic and id(message) not in kept:
                self._parked.add(message)

    def on_revoke(self, name: str, hook: Callable[[], None]) -> None:
        """`hook` runs when a rebalance starts to wait for work in progress (to call work
        that has not begun off and park its messages)."""
        self._revoke_hooks[name] = hook

    def on_assign(self, name: str, hook: Callable[[], None]) -> None:
        """`hook` runs when partitions are assigned again."""
        self._assign_hooks[name] = hook

    async def wait_empty(self) -> None:
        for hook in self._revoke_hooks.values():
            hook()
        for message in list(self._parked):
            self._unacked_messages.discard(message)
        self._parked = weakref.WeakSet()
        await super().wait_empty()

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        await super().on_partitions_revoked(revoked)  # waits for work in progress, commits it
        self._forget(revoked)

    async def on_partitions_assigned(self, assigned: set[TP], generation_id: int = 0) -> None:
        # Every assigned partition is read again (perform_seek starts its ledger).
        self._forget(set(self._ledgers) | assigned)
        for hook in self._assign_hooks.values():
            hook()
        await super().on_partitions_assigned(assigned, generation_id)

    def _forget(self, tps: Iterable[TP]) -> None:
        for tp in tps:
            self._ledgers.pop(tp, None)
            self._restart_at.pop(tp, None)
            self._held.pop(tp, None)
