"""Dateline dates as calendar dates (core/dates.py): the year stated, else inferred from the
base time, never more than a day after it; bounded input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newswire.core.dates import parse_time, resolve

BASE = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "iso", "year_from"),
    [
        ("May 23", "2026-05-23", "processing_time"),
        ("23 May", "2026-05-23", "processing_time"),
        ("Sept. 5", "2026-09-05", "processing_time"),
        ("Nov. 28", "2026-11-28", "processing_time"),  # a day ahead: a dateline east of here
        ("Nov 29", "2025-11-29", "processing_time"),  # two days ahead: last year's
        ("Dec 31", "2025-12-31", "processing_time"),
        ("Feb 29", "2024-02-29", "processing_time"),  # the last leap year
        ("June 3, 2024", "2024-06-03", "text"),
    ],
)
def test_resolved(text: str, iso: str, year_from: str) -> None:
    resolved = resolve(text, BASE, "processing_time")
    assert resolved is not None
    assert (resolved.iso, resolved.year_from) == (iso, year_from)


@pytest.mark.parametrize("text", ["Monday", "June 3, 2027", "", None, "x" * 41, "soon"])
def test_unresolved(text: str | None) -> None:
    assert resolve(text, BASE, "processing_time") is None


def test_the_year_turns_with_the_base() -> None:
    new_year = datetime(2026, 12, 31, 20, tzinfo=UTC)
    assert resolve("Jan 1", new_year, "published_at").iso == "2027-01-01"  # type: ignore[union-attr]
    assert resolve("Dec 31", datetime(2027, 1, 1, tzinfo=UTC), "published_at").iso == "2026-12-31"  # type: ignore[union-attr]


def test_parse_time() -> None:
    assert parse_time("2024-05-23T08:00:00Z") == datetime(2024, 5, 23, 8, tzinfo=UTC)
    assert parse_time("2024-05-23T10:00:00+02:00") == datetime(2024, 5, 23, 8, tzinfo=UTC)
    assert parse_time("2024-05-23") == datetime(2024, 5, 23, tzinfo=UTC)
    assert parse_time("yesterday") is None and parse_time(None) is None
