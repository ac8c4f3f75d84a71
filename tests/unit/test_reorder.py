"""The dedupe stage's reorder buffer: publish order from interleaved, in-order partitions."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.core.reorder import Key, ReorderBuffer


def drain(buffer: ReorderBuffer[str], now: float) -> list[tuple[str, bool]]:
    return [(r.item, r.late) for r in buffer.release(now)]


def test_holds_an_article_until_every_partition_is_past_it() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=5.0, partitions=2, now=0.0)
    buffer.add((200, 1, 0), "b", now=0.1)  # partition 1 is fast
    assert drain(buffer, 0.1) == []  # partition 0 may still deliver something earlier
    buffer.add((100, 0, 0), "a", now=0.2)
    assert drain(buffer, 0.2) == [("a", False)]  # b still waits: 0 may have more before 200
    buffer.progress(0, (300, 0, 1), now=0.3)  # partition 0 caught up at 300 ms
    assert drain(buffer, 0.3) == [("b", False)]


def test_ties_break_by_partition_then_offset() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=5.0, partitions=2, now=0.0)
    buffer.add((100, 1, 7), "p1", now=0.0)
    buffer.add((100, 0, 3), "p0", now=0.0)
    buffer.progress(0, (101, 0, 4), now=0.0)
    buffer.progress(1, (101, 1, 8), now=0.0)
    assert drain(buffer, 0.0) == [("p0", False), ("p1", False)]


def test_same_timestamp_on_a_lower_partition_is_waited_for() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=5.0, partitions=2, now=0.0)
    buffer.add((100, 1, 0), "p1", now=0.0)
    buffer.progress(0, (100, 0, 5), now=0.0)  # partition 0 may still hold (100, 0, 5)
    assert drain(buffer, 0.0) == []
    buffer.progress(0, (100, 2, 0), now=0.1)  # nothing of partition 0 at or before (100, 1, 0)
    assert drain(buffer, 0.1) == [("p1", False)]


def test_a_silent_partition_is_not_waited_for_beyond_the_grace() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=2.0, partitions=3, now=0.0)
    buffer.add((100, 1, 0), "b", now=0.5)
    buffer.progress(2, (900, 2, 0), now=0.5)
    assert drain(buffer, 1.9) == []  # partition 0 has said nothing yet, within the grace
    assert drain(buffer, 2.0) == [("b", False)]  # grace over: judged without partition 0
    # Partition 0 comes back (its worker restarted) with an earlier article: judged on
    # arrival and flagged late; a later one is in order again.
    buffer.progress(1, (940, 1, 1), now=2.9)
    buffer.progress(2, (940, 2, 0), now=2.9)
    buffer.add((50, 0, 0), "a", now=3.0)
    buffer.add((950, 0, 1), "c", now=3.0)
    assert drain(buffer, 3.0) == [("a", True)]  # c waits: 1 and 2 are alive, below 950
    buffer.progress(1, (1000, 1, 1), now=3.1)
    buffer.progress(2, (1000, 2, 0), now=3.1)
    assert drain(buffer, 3.1) == [("c", False)]


def test_a_partition_that_stops_advancing_is_stuck_after_three_graces_even_if_it_reports() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=1.0, partitions=2, now=0.0)
    buffer.progress(0, (10, 0, 3), now=0.0)
    buffer.add((500, 1, 0), "b", now=0.0)
    for tick in range(1, 30):  # a stuck reader repeats the same low
        buffer.progress(0, (10, 0, 3), now=tick / 10)
    assert drain(buffer, 2.9) == []
    assert drain(buffer, 3.0) == [("b", False)]


def test_new_partitions_get_a_full_grace() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=1.0, partitions=1, now=0.0)
    buffer.add((100, 0, 0), "a", now=5.0)
    buffer.partitions(2, now=5.0)
    assert drain(buffer, 5.5) == []
    assert drain(buffer, 6.0) == [("a", False)]
    assert len(buffer) == 0


# --------------------------------------------------------------------------- property


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[list[Key]], list[int], int]:
    """Per-partition records (timestamps non-decreasing within a partition, ties across
    partitions likely) and a random interleaving of their deliveries."""
    partitions = draw(st.integers(1, 5))
    records: list[list[Key]] = []
    for p in range(partitions):
        stamps = sorted(draw(st.lists(st.integers(0, 40), max_size=12)))
        records.append([(ts, p, offset) for offset, ts in enumerate(stamps)])
    order = [p for p, recs in enumerate(records) for _ in recs]
    seed = draw(st.integers(0, 2**32 - 1))
    random.Random(seed).shuffle(order)
    return records, order, seed


@settings(max_examples=300, deadline=None)
@given(schedules())
def test_release_order_is_publish_order_for_any_interleaving(
    schedule: tuple[list[list[Key]], list[int], int],
) -> None:
    records, order, seed = schedule
    rng = random.Random(seed)
    buffer: ReorderBuffer[Key] = ReorderBuffer(grace=1e9, partitions=len(records), now=0.0)
    cursor = [0] * len(records)
    released: list[tuple[Key, bool]] = []
    for step, partition in enumerate(order):
        key = records[partition][cursor[partition]]
        cursor[partition] += 1
        buffer.add(key, key, now=step)
        # Sometimes a reader reports that it has caught up: nothing below what it has
        # delivered so far can come, and (the clock, 41) is past every remaining timestamp
        # only once the partition is really done.
        if rng.random() < 0.3:
            q = rng.randrange(len(records))
            if cursor[q] == len(records[q]):
                buffer.progress(q, (41, q, cursor[q]), now=step)
        released += [(r.item, r.late) for r in buffer.release(now=step)]
    for q in range(len(records)):
        buffer.progress(q, (41, q, cursor[q]), now=len(order))
    released += [(r.item, r.late) for r in buffer.release(now=len(order))]
    everything = sorted(key for recs in records for key in recs)
    assert [key for key, _ in released] == everything
    assert not any(late for _, late in released)
    assert len(buffer) == 0


def test_a_partition_read_again_after_a_rebalance_is_alive_not_silent() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=1.0, partitions=2, now=0.0)
    buffer.add((500, 0, 9), "old-copy", now=0.0)  # partition 0 was read up to (500, 0, 10)
    buffer.add((900, 1, 0), "b", now=0.0)
    assert [r.item for r in buffer.release(0.0)] == ["old-copy"]
    # Its new reader starts again below that low: copies, the low does not move...
    for tick in range(1, 20):
        buffer.add((400 + tick, 0, tick), f"copy{tick}", now=tick / 10)
        buffer.release(tick / 10)
    # ...but it is delivering, so b still waits for it past the grace.
    assert buffer.release(1.9) == [] and len(buffer) == 1


def test_what_was_released_outlives_the_buffer() -> None:
    first: ReorderBuffer[str] = ReorderBuffer(grace=5.0, partitions=1, now=0.0)
    first.add((200, 0, 1), "b", now=0.0)
    assert [r.item for r in first.release(0.0)] == ["b"]
    # A rebalance: a new buffer, told what the old one released.
    second: ReorderBuffer[str] = ReorderBuffer(
        grace=5.0, partitions=2, now=1.0, released=first.released
    )
    second.add((100, 1, 0), "a", now=1.0)  # published before b, arriving after it
    assert [(r.item, r.late) for r in second.release(1.0)] == [("a", True)]


def test_an_article_released_past_a_silent_partition_names_that_partition() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=1.0, partitions=2, now=0.0)
    buffer.add((10, 1, 0), "b", 0.0)
    assert buffer.release(0.5) == []
    assert buffer.passed_over == {}
    assert [r.item for r in buffer.release(1.0)] == ["b"]
    assert buffer.passed_over == {0: ("silent", 0.0)}


def test_no_partition_is_passed_over_when_every_partition_is_past_the_article() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=1.0, partitions=2, now=0.0)
    buffer.add((10, 1, 0), "b", 0.0)
    buffer.progress(0, (11, 0, 0), 0.1)
    assert [r.item for r in buffer.release(0.2)] == ["b"]
    assert buffer.passed_over == {}


def test_a_partition_that_reports_but_does_not_move_is_waited_for_until_it_is_stuck() -> None:
    """Its owner reports it (its first record is being cleaned, slowly): alive, so waited for
    past the grace; but not for ever (stuck after `stuck` seconds without moving)."""
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=1.0, stuck=3.0, partitions=2, now=0.0)
    buffer.progress(0, (100, 0, 5), now=0.0)
    buffer.add((200, 1, 0), "b", now=0.0)
    for tick in range(1, 30):  # reports every 0.1 s: the record at (100, 0, 5) is in the works
        buffer.progress(0, (100, 0, 5), now=tick / 10)
        assert buffer.release(tick / 10) == []
    assert buffer.passed_over == {}
    buffer.progress(0, (100, 0, 5), now=3.0)
    assert [r.item for r in buffer.release(3.0)] == ["b"]
    assert buffer.passed_over == {0: ("stuck", 0.0)}


def test_a_report_that_moves_the_low_past_the_article_releases_it() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer(grace=1.0, partitions=2, now=0.0)
    buffer.add((200, 1, 0), "b", now=0.0)
    buffer.progress(0, (0, 0, 0), now=0.5)  # alive, low unknown: holds nothing back... but b
    assert buffer.release(0.5) == []
    buffer.progress(0, (201, 0, 0), now=0.6)
    assert [r.item for r in buffer.release(0.6)] == ["b"]
