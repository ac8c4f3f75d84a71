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
    """Seen in CI: a replay's first record was appended more than 250 ms after its producer
    stamped it. A partition read to its end must not claim that no record stamped in the last
    second can still come, or that record is judged after later-published ones."""
    progress = RawProgress()
    polled = 50_000
    (low,) = progress.marks([2], finished={2: 0}, highwaters={2: 0}, polled_ms=polled)
    stamped_late = (polled - 900, 2, 0)  # stamped 0.9 s before the poll, appended after it
    assert stamped_late >= low


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
