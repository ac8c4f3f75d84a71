"""The partition ledger: a commit never passes a message that was skipped or is unfinished."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.adapters.stream.ledger import Ledger, Take


def test_in_order_deliveries_commit_behind_the_first_unfinished() -> None:
    ledger = Ledger(expect=10)
    assert [ledger.take(o, o, 0.0) for o in (10, 11, 12)] == [Take.NEW] * 3
    assert ledger.commit_offset() == 10
    ledger.finish(11, 11)
    assert ledger.commit_offset() == 10
    ledger.finish(10, 10)
    ledger.finish(12, 12)
    assert ledger.commit_offset() == 13


def test_a_skipped_offset_holds_the_commit_until_it_is_read_again() -> None:
    ledger = Ledger(expect=10)
    ledger.take(10, 10, 0.0)
    assert ledger.take(13, 13, 0.0) is Take.GAP  # 11 and 12 never reached the stream
    assert ledger.first_missing() == 11
    ledger.finish(10, 10)
    ledger.finish(13, 13)
    assert ledger.commit_offset() == 11  # not 14
    # read again from 11: 11 and 12 are new, 13 is a copy of what is done
    assert [ledger.take(o, 100 + o, 1.0) for o in (11, 12, 13)] == [Take.NEW, Take.NEW, Take.COPY]
    ledger.finish(11, 111)
    ledger.finish(12, 112)
    assert ledger.commit_offset() == 14


def test_a_copy_cannot_finish_the_delivery_that_does_the_work() -> None:
    ledger = Ledger(expect=0)
    ledger.take(0, token=1, now=0.0)
    assert ledger.take(0, token=2, now=0.0) is Take.COPY
    assert not ledger.finish(0, token=2)
    assert ledger.commit_offset() == 0
    assert ledger.finish(0, token=1)
    assert ledger.commit_offset() == 1


def test_without_a_known_start_the_first_delivery_is_the_start() -> None:
    ledger = Ledger()
    assert ledger.commit_offset() is None
    ledger.take(42, 42, 0.0)
    ledger.finish(42, 42)
    assert ledger.commit_offset() == 43


def test_gaps_that_do_not_fill_are_overdue_after_the_patience_and_again_after_that() -> None:
    ledger = Ledger(expect=0)
    ledger.take(5, 5, now=100.0)  # 0-4 skipped on the way to the stream
    ledger.finish(5, 5)
    assert ledger.overdue(now=105.0, patience=10.0) == []
    (gap,) = ledger.overdue(now=110.0, patience=10.0)
    assert (gap.start, gap.end) == (0, 5)
    assert ledger.overdue(now=115.0, patience=10.0) == []  # its clock started over
    assert len(ledger.overdue(now=120.0, patience=10.0)) == 1
    assert ledger.commit_offset() == 0  # never given up for being late


def test_only_offsets_kafka_no_longer_has_are_given_up() -> None:
    ledger = Ledger(expect=0)
    ledger.take(5, 5, now=100.0)
    ledger.take(9, 9, now=100.0)  # 6-8 skipped too
    ledger.finish(5, 5)
    ledger.finish(9, 9)
    (dropped,) = ledger.drop_below(3)  # retention deleted 0-2
    assert (dropped.start, dropped.end) == (0, 3)
    assert ledger.commit_offset() == 3  # 3 and 4 exist: still held for them
    assert [(g.start, g.end) for g in ledger.drop_below(7)] == [(3, 5), (6, 7)]
    assert ledger.commit_offset() == 7


@settings(max_examples=300, deadline=None)
@given(
    count=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
    drop=st.floats(0, 0.4),
    duplicate=st.floats(0, 0.3),
)
def test_the_commit_never_passes_work_not_done(
    count: int, seed: int, drop: float, duplicate: float
) -> None:
    """Deliveries in order but with messages dropped (then read again) and duplicated, finished
    in any order: the commit offset never passes an offset whose first delivery is not done."""
    rng = random.Random(seed)
    ledger = Ledger(expect=0)
    done: set[int] = set()
    pending: list[tuple[int, int]] = []
    token = 0
    queue = list(range(count))
    while queue or pending:
        if queue and (not pending or rng.random() < 0.6):
            offset = queue.pop(0)
            if rng.random() < drop and offset not in done:
                queue.append(offset)  # skipped now, read again later
                continue
            token += 1
            if ledger.take(offset, token, 0.0) is not Take.COPY:
                pending.append((offset, token))
            if rng.random() < duplicate:
                queue.insert(0, offset)  # delivered twice
        else:
            offset, tok = pending.pop(rng.randrange(len(pending)))
            assert ledger.finish(offset, tok)
            done.add(offset)
        commit = ledger.commit_offset() or 0
        assert all(o in done for o in range(commit)), (commit, sorted(done))
    assert ledger.commit_offset() == count
