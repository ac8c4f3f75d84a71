"""Dateline dates ("May 23", "Nov. 5", "June 3, 2024") as calendar dates (dateparser).

A wire dateline rarely states the year: it is the year of the article's publication time when
the input has one, else of the processing time (the caller says which). A date is never more
than a day after that time (a dateline in a time zone ahead of the reader's may be "tomorrow"):
a yearless date further ahead is last year's ("Dec 31" read on Jan 1), a stated one is left
unresolved rather than trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

# A dateline's date is a few words; anything longer is not parsed (dateparser's cost grows
# with the text, and the text is untrusted).
MAX_DATE_CHARS = 40
AHEAD = timedelta(days=1)
_STATED_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")

YearFrom = Literal["text", "published_at", "processing_time"]


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    iso: str  # YYYY-MM-DD
    year_from: YearFrom


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 time (the raw schema's published_at) as aware UTC, or None."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def resolve(text: str | None, base: datetime, base_is: YearFrom) -> ResolvedDate | None:
    """The calendar date `text` names, the year filled from `base` (aware) when not stated."""
    if not text or len(text) > MAX_DATE_CHARS:
        return None
    import dateparser  # slow to import (~0.3 s): only where datelines are resolved

    naive_base = base.astimezone(UTC).replace(tzinfo=None)
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "RELATIVE_BASE": naive_base,
            "REQUIRE_PARTS": ["day", "month"],
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        return None
    day = parsed.date()
    if _STATED_YEAR.search(text):
        return None if day > (naive_base + AHEAD).date() else ResolvedDate(day.isoformat(), "text")
    latest = (naive_base + AHEAD).date()
    for year in range(latest.year, latest.year - 9, -1):  # Feb 29 may need a few years back
        try:
            candidate = day.replace(year=year)
        except ValueError:  # Feb 29 in a common year
            continue
        if candidate <= latest:
            return ResolvedDate(candidate.isoformat(), base_is)
    return None
