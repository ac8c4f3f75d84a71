"""Lag in seconds from (log end, time) samples, as kafka-lag-exporter estimates it."""

from __future__ import annotations

import pytest

from newswire.adapters.stream.lag import LagHistory


def test_caught_up_is_no_lag() -> None:
    history = LagHistory()
    history.observe(10, 100.0)
    assert history.seconds(10, 150.0) == 0.0
    assert LagHistory().seconds(0, 5.0) == 0.0  # nothing sampled yet


def test_the_age_of_the_next_record_is_read_off_the_samples() -> None:
    history = LagHistory()
    history.observe(0, 0.0)
    history.observe(10, 10.0)  # ten records appended in ten seconds: one a second
    history.observe(20, 20.0)
    # the record at offset 4 (the 5th of the first ten) was appended about 5 s after t=0
    assert history.seconds(4, 30.0) == pytest.approx(25.0)
    assert history.seconds(15, 30.0) == pytest.approx(14.0)


def test_a_position_older_than_every_sample_is_at_least_as_old_as_the_oldest() -> None:
    history = LagHistory(size=2)
    for end, at in ((10, 0.0), (20, 10.0), (30, 20.0)):
        history.observe(end, at)
    assert history.seconds(5, 30.0) == pytest.approx(20.0)


def test_a_log_end_that_does_not_move_adds_no_sample() -> None:
    history = LagHistory()
    history.observe(10, 0.0)
    history.observe(10, 50.0)  # nothing new: the record at 9 was still appended by t=0
    assert history.seconds(9, 60.0) == pytest.approx(60.0)
