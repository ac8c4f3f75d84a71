"""What an article gives the annotator (plain data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AnnotateInput:
    id: str
    headline: str
    body: str
    language: str
    byline_names: tuple[str, ...] = ()
    dateline_country: str | None = None
    dateline_location: str | None = None
