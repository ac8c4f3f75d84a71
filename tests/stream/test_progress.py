"""Raw-partition progress marks: how far the clean stage has passed each raw partition on."""

from __future__ import annotations

from newswire.adapters.stream.progress import RawProgress
from newswire.core.envelopes import Origin


def test_a_partition_with_work_left_reports_its_last_passed_record() -> None:
    progress = RawProgress()
    progress.passed_on(Origin("raw", 0, 4, 1_000))
    marks = progress.marks([0], finished={0: 5}, highwaters={0: 9}, polled_ms=50_000)
    assert marks == [(1_000, 0, 5)]


def test_a_partition_never_read_and_not_at_its_end_reports_the_least_key() -> None:
    """Nothing known of it yet, but it has a live owner: the least key (anything may still
    come) tells the dedupe stage the partition is not silent."""
    progress = RawProgress()
    assert progress.marks([1], finished={1: 0}, highwaters={1: 3}, polled_ms=50_000) == [(0, 1, 0)]
    assert progress.marks([1], finished={1: 0}, highwaters={}, polled_ms=50_000) == [(0, 1, 0)]


def test_a_partition_being_cleaned_reports_its_first_record_in_the_works() -> None:
    """CI saw the dedupe stage give a partition up as silent while its owner, just started,
    was cleaning its first records and reported nothing: it reports them now."""
    progress = RawProgress()
    progress.taken(Origin("raw", 0, 0, 1_000))
    progress.taken(Origin("raw", 0, 1, 1_001))
    assert progress.marks([0], finished={0: 0}, highwaters={0: 2}, polled_ms=50_000) == [
        (1_000, 0, 0)
    ]
    progress.passed_on(Origin("raw", 0, 0, 1_000))
    assert progress.marks([0], finished={}, highwaters={}, polled_ms=50_000) == [(1_001, 0, 1)]
    progress.passed_on(Origin("raw", 0, 1, 1_001))
    assert progress.marks([0], finished={}, highwaters={}, polled_ms=50_000) == [(1_001, 0, 2)]


def test_a_revoked_partition_forgets_what_it_was_cleaning() -> None:
    progress = RawProgress()
    progress.taken(Origin("raw", 4, 7, 1_000))
    assert progress.marks([], finished={}, highwaters={}, polled_ms=50_000) == []
    progress.passed_on(Origin("raw", 4, 3, 900))  # an earlier batch of the old owner ends
    assert progress.marks([4], finished={}, highwaters={}, polled_ms=50_000) == [(900, 4, 4)]


def test_a_partition_read_to_its_end_leaves_room_for_records_still_on_their_way() -> None:
    """Seen in CI: a replay's first record was appended 250 ms and more after its producer
    stamped it. A partition read to its end claims only that no record stamped more than the
    margin before the read can still come."""
    progress = RawProgress(margin_ms=300)
    polled = 50_000
    (low,) = progress.marks([2], finished={2: 0}, highwaters={2: 0}, polled_ms=polled)
    assert (polled - 299, 2, 0) >= low  # stamped within the margin, appended after the read
    assert (polled - 301, 2, 0) < low
    wider = RawProgress(margin_ms=1_000)
    (low,) = wider.marks([2], finished={2: 0}, highwaters={2: 0}, polled_ms=polled)
    assert (polled - 900, 2, 0) >= low


def test_a_record_stamped_before_the_reported_low_is_told_apart() -> None:
    """It breaks the promise its partition's mark made: the worker counts it and says which
    setting to raise. Records read again below the reported end are copies, not counted."""
    progress = RawProgress(margin_ms=300)
    progress.marks([2], finished={2: 5}, highwaters={2: 5}, polled_ms=50_000)  # low 49_700
    assert progress.taken(Origin("raw", 2, 5, 49_800)) == 0
    assert progress.taken(Origin("raw", 2, 6, 49_500)) == 200
    assert progress.taken(Origin("raw", 2, 3, 10_000)) == 0  # a copy of an earlier record
    assert progress.taken(Origin("raw", 7, 0, 1)) == 0  # nothing reported for it yet


def test_a_partition_at_its_end_reports_the_greater_of_last_passed_and_idle_bound() -> None:
    progress = RawProgress()
    progress.passed_on(Origin("raw", 3, 6, 49_999))
    marks = progress.marks([3], finished={3: 7}, highwaters={3: 7}, polled_ms=50_000)
    assert marks == [(49_999, 3, 7)]


def test_marks_are_frequent_while_articles_pass_and_seldom_when_quiet() -> None:
    from newswire.adapters.stream.progress import (
        ACTIVE_SECONDS,
        MARK_INTERVAL,
        QUIET_MARK_INTERVAL,
    )

    now = [100.0]
    progress = RawProgress(monotonic=lambda: now[0])
    assert progress.interval() == QUIET_MARK_INTERVAL  # nothing seen yet
    origin = Origin("raw", 0, 7, 1_000)
    progress.taken(origin)
    now[0] += 60
    assert progress.interval() == MARK_INTERVAL  # a record is being cleaned
    progress.passed_on(origin)
    assert progress.interval() == MARK_INTERVAL
    now[0] += ACTIVE_SECONDS + 0.1
    assert progress.interval() == QUIET_MARK_INTERVAL
    assert QUIET_MARK_INTERVAL < 5  # well inside the dedupe stage's default grace
