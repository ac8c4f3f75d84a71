"""Annotation batches by size: a long article goes through the model alone."""

from __future__ import annotations

from dataclasses import dataclass

from newswire.adapters.stream.batching import by_size


@dataclass
class Event:
    value: bytes | None


def sizes(runs: list[list[Event]]) -> list[list[int]]:
    return [[len(e.value or b"") for e in run] for run in runs]


def test_short_events_stay_together_in_order() -> None:
    events = [Event(b"x" * n) for n in (10, 20, 30)]
    assert by_size(events, 100) == [events]


def test_a_long_event_is_alone_and_order_is_kept() -> None:
    events = [Event(b"x" * n) for n in (10, 20, 500, 30, 40)]
    assert sizes(by_size(events, 100)) == [[10, 20], [500], [30, 40]]


def test_runs_close_at_the_limit() -> None:
    events = [Event(b"x" * 40) for _ in range(5)]
    assert sizes(by_size(events, 100)) == [[40, 40], [40, 40], [40]]


def test_empty_values_and_no_events() -> None:
    assert by_size([], 100) == []
    assert sizes(by_size([Event(None), Event(b"")], 100)) == [[0, 0]]


def test_by_size_counts_what_it_is_told_to() -> None:
    """The clean stage splits raw values (bytes) by their length."""
    datas = [b"a" * 60, b"b" * 60, b"c" * 30, b"d" * 200]
    assert by_size(datas, 100, len) == [[datas[0]], [datas[1], datas[2]], [datas[3]]]
