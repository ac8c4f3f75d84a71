"""Commit offsets never pass an unfinished message (own the invariant faust-streaming 0.15.3
breaks: faust-streaming #606, robinhood/faust #355/#682)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import faust
import pytest
from faust.transport.drivers import aiokafka as driver
from faust.types import TP
from faust.types.tuples import ConsumerMessage, Message

from newswire.adapters.stream import offsets, transport

TOPIC = "t.annotate"
tp = TP(TOPIC, 2)


def make_app(guarded: bool) -> faust.App:
    app = faust.App(f"offsets-{uuid.uuid4().hex[:8]}", broker="kafka://127.0.0.1:1")
    if guarded:
        transport.install(app)
    app.topics._acking_topics.add(TOPIC)  # as the conductor does once an agent subscribes
    app.consumer_generation_id = 3
    return app


def message(offset: int, generation: int = 3) -> Message:
    return ConsumerMessage(
        TOPIC, tp.partition, offset, 0.0, 0, [], b"k", b"v", None, generation_id=generation
    )


class Partition:
    """A partition's messages as a stream sees them: taken in order, acked when finished."""

    def __init__(self, consumer: driver.Consumer) -> None:
        self.consumer = consumer
        self.messages: dict[int, Message] = {}

    def take(self, *numbers: int, generation: int = 3) -> list[Message]:
        taken = []
        for offset in numbers:
            m = message(offset, generation)
            m.tracked = True  # as Stream.__aiter__ does, inlining Consumer.track_message
            self.consumer._unacked_messages.add(m)
            self.messages[offset] = m
            taken.append(m)
        return taken

    def finish(self, *numbers: int) -> None:
        for offset in numbers:
            self.messages[offset].ack(self.consumer)

    def commit_offset(self) -> int | None:
        return self.consumer._filter_committable_offsets({tp}).get(tp)


@pytest.fixture
def partition() -> Iterator[Partition]:
    app = make_app(guarded=True)
    consumer = app.consumer
    assert isinstance(consumer, offsets.GuardedConsumer)
    consumer._committed_offset[tp] = 10
    yield Partition(consumer)


def test_a_single_unfinished_message_at_the_head_holds_the_commit(partition: Partition) -> None:
    partition.take(10, 11, 12, 13, 14)
    partition.finish(11, 12, 13, 14)  # a later batch finished first
    assert partition.commit_offset() is None  # 0.15.3 commits 15 here: offset 10 is lost
    partition.finish(10)
    assert partition.commit_offset() == 15


def test_gaps_anywhere_hold_the_commit_at_the_first_unfinished(partition: Partition) -> None:
    partition.take(*range(10, 30))
    partition.finish(*range(10, 14), *range(15, 20), *range(21, 30))
    assert partition.commit_offset() == 14
    partition.finish(14)
    assert partition.commit_offset() == 20
    partition.finish(20)
    assert partition.commit_offset() == 30


def test_nothing_committed_yet_still_waits_for_the_first_message() -> None:
    app = make_app(guarded=True)
    partition = Partition(app.consumer)  # a new group: no committed offset
    partition.take(0, 1, 2, 3)
    partition.finish(1, 2, 3)
    assert (partition.commit_offset() or 0) == 0  # 0.15.3 commits 4: offset 0 is lost
    partition.finish(0)
    assert partition.commit_offset() == 4


def test_messages_of_an_earlier_generation_count_for_nothing(partition: Partition) -> None:
    stale = partition.take(10, 11, generation=2)  # fetched before a rebalance
    partition.take(10, 11, 12, 13)  # read again from the committed offset in generation 3
    for m in stale:  # the generation-2 deliveries finish first...
        m.ack(partition.consumer)
    assert partition.commit_offset() is None  # ...which says nothing about the new ones
    partition.finish(10, 11, 12, 13)
    assert partition.commit_offset() == 14


async def test_a_rebalance_does_not_wait_for_parked_messages(partition: Partition) -> None:
    partition.take(10, 11)
    partition.consumer.park(partition.messages[10])
    partition.finish(11)
    await asyncio.wait_for(partition.consumer.wait_empty(), timeout=5)
    assert partition.commit_offset() is None  # still unfinished for the commit


def test_upstream_faust_still_commits_past_an_unfinished_message() -> None:
    """Documents the upstream bug this module works around. When this fails, faust-streaming
    has fixed #606: check the fix and consider dropping GuardedConsumer._new_offset."""
    app = make_app(guarded=False)
    consumer = app.consumer
    assert type(consumer) is driver.Consumer
    consumer._committed_offset[tp] = 10
    partition = Partition(consumer)
    partition.take(10, 11, 12, 13, 14)
    partition.finish(11, 12, 13, 14)
    assert partition.commit_offset() == 15  # past offset 10, which is not finished


def revoke_as_faust_does(consumer: driver.Consumer) -> None:
    """What Faust's Consumer.on_partitions_revoked does to a revoked partition before the app
    waits for the work in progress and makes the last commit of the rebalance."""
    for table in (consumer._acked, consumer._acked_index, consumer._committed_offset):
        table.pop(tp, None)


def last_commit_of_a_rebalance(consumer: driver.Consumer) -> dict[TP, int]:
    return consumer._filter_committable_offsets(set(consumer._filter_tps_with_pending_acks()))


def test_the_last_commit_of_a_rebalance_covers_the_partitions_given_away(
    partition: Partition,
) -> None:
    partition.take(10, 11, 12)
    partition.finish(10, 11, 12)
    revoke_as_faust_does(partition.consumer)
    assert last_commit_of_a_rebalance(partition.consumer) == {tp: 13}


async def test_revoking_commits_the_work_finished_while_it_waited(partition: Partition) -> None:
    partition.take(10, 11, 12)
    partition.finish(10, 11)
    committed: dict[TP, int] = {}

    async def app_revokes(revoked: set[TP]) -> None:
        # What the app does in a rebalance: wait for work in progress, then commit.
        partition.finish(12)
        committed.update(last_commit_of_a_rebalance(partition.consumer))

    partition.consumer._on_partitions_revoked = app_revokes
    await partition.consumer.on_partitions_revoked({tp})
    assert committed == {tp: 13}
    assert partition.consumer.finished_offset(tp) is None  # forgotten only afterwards


def test_upstream_faust_forgets_the_partitions_given_away_at_the_last_commit() -> None:
    """Documents the upstream behaviour worked around above: with plain Faust the next owner
    of a revoked partition redoes what was finished since the previous periodic commit."""
    app = make_app(guarded=False)
    consumer = app.consumer
    consumer._committed_offset[tp] = 10
    partition = Partition(consumer)
    partition.take(10, 11, 12)
    partition.finish(10, 11)
    revoke_as_faust_does(consumer)
    assert last_commit_of_a_rebalance(consumer) == {}


async def test_skipped_offsets_hold_the_commit_and_are_read_again(
    partition: Partition, monkeypatch: pytest.MonkeyPatch
) -> None:
    consumer = partition.consumer
    seeks: list[tuple[TP, int]] = []

    async def seek(tp_: TP, offset: int) -> None:
        seeks.append((tp_, offset))

    monkeypatch.setattr(consumer, "seek", seek)
    partition.take(10, 11)
    partition.take(14)  # 12 and 13 were dropped on the way to the stream
    partition.finish(10, 11, 14)
    await asyncio.sleep(0)
    assert seeks == [(tp, 12)]  # the partition is read again from the first skipped offset
    assert partition.commit_offset() == 12  # 0.15.3 (and a naive guard) commit 15 here
    again = partition.take(12, 13, 14)
    assert [consumer.is_copy(m) for m in again] == [False, False, True]
    again[2].ack(consumer)  # the copy of 14 is acknowledged without doing the work again
    partition.finish(12, 13)
    assert partition.commit_offset() == 15


async def test_skipped_offsets_that_do_not_come_are_read_again_and_never_given_up(
    partition: Partition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in the chaos suite: after a read again, part of a gap never arrived; giving it
    up after a patience committed past 34 messages that Kafka still had (lost)."""
    consumer = partition.consumer
    clock = [1000.0]
    monkeypatch.setattr(offsets.time, "monotonic", lambda: clock[0])
    seeks: list[tuple[TP, int]] = []
    earliest = {tp: 0}

    async def seek(tp_: TP, offset: int) -> None:
        seeks.append((tp_, offset))

    async def earliest_offsets(*tps: TP) -> dict[TP, int]:
        return {t: earliest[t] for t in tps}

    monkeypatch.setattr(consumer, "seek", seek)
    monkeypatch.setattr(consumer, "earliest_offsets", earliest_offsets)
    partition.take(10, 11)
    partition.take(16)  # 12-15 skipped
    partition.finish(10, 11, 16)
    await asyncio.sleep(0)
    assert seeks == [(tp, 12)]
    partition.take(12, 13)  # the read again brings 12 and 13, never 14 and 15
    partition.finish(12, 13)
    for minutes in (1, 2, 5):
        clock[0] = 1000.0 + 60 * minutes
        assert partition.commit_offset() == 14  # held, however long it takes
        for _ in range(3):
            await asyncio.sleep(0)
    assert seeks[1:] == [(tp, 14)] * 3  # read again from the first missing, again and again
    earliest[tp] = 15  # retention deleted 14: that one is gone for good, 15 is not
    clock[0] += 60
    partition.commit_offset()
    for _ in range(3):
        await asyncio.sleep(0)
    assert partition.commit_offset() == 15
    assert seeks[-1] == (tp, 15)
    partition.take(15)
    partition.finish(15)
    assert partition.commit_offset() == 17


async def test_after_a_rebalance_every_partition_is_read_from_a_known_position(
    partition: Partition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiokafka leaves a partition without a committed offset where its fetch position was,
    and the streams skip what is fetched before the flow resumes: when it resumes, every
    partition is read from its committed offset, or its beginning if it has none."""
    consumer = partition.consumer
    fresh = TP(TOPIC, 5)
    seeks: list[tuple[TP, int]] = []

    async def seek_to_committed() -> dict[TP, int | None]:
        return {tp: 10, fresh: None}

    async def earliest_offsets(*tps: TP) -> dict[TP, int]:
        return dict.fromkeys(tps, 0)

    monkeypatch.setattr(consumer, "seek_to_committed", seek_to_committed)
    monkeypatch.setattr(consumer, "earliest_offsets", earliest_offsets)
    monkeypatch.setattr(consumer, "assignment", lambda: {tp, fresh})
    monkeypatch.setattr(consumer._thread, "seek", lambda tp_, offset: seeks.append((tp_, offset)))
    await consumer.perform_seek()
    assert seeks == []  # not while the streams still skip what is fetched
    consumer.resume_flow()
    assert sorted(seeks) == [(tp, 10), (fresh, 0)]
    assert consumer.finished_offset(fresh) == 0
    assert consumer.finished_offset(tp) == 10
