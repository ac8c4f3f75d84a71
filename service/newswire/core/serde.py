"""JSON (orjson) forms of the stage records passed between agents."""

from __future__ import annotations

from typing import Any

import orjson

from newswire.core.records import Byline, CleanArticle, Dateline, RawArticle, Verdict


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def loads(data: bytes) -> Any:
    return orjson.loads(data)


def clean_to_dict(article: CleanArticle) -> dict[str, Any]:
    """The clean article as sent between stages. The raw body (possibly a whole HTML page) is
    left out: later stages use the clean body, and the raw fields only for their metadata."""
    data = orjson.loads(orjson.dumps(article))
    data["raw"]["body"] = ""
    return data


def clean_from_dict(data: dict[str, Any]) -> CleanArticle:
    dateline = data.get("dateline")
    byline = data.get("byline") or {}
    return CleanArticle(
        raw=RawArticle(**data["raw"]),
        headline=data["headline"],
        body=data["body"],
        dateline=Dateline(**dateline) if dateline else None,
        byline=Byline(
            tuple(byline.get("authors", ())),
            tuple(byline.get("contributors", ())),
            tuple(byline.get("editors", ())),
        ),
        language=data["language"],
        language_confidence=data["language_confidence"],
        word_count=data["word_count"],
        reading_time_minutes=data["reading_time_minutes"],
        chrome_removed=tuple(data.get("chrome_removed", ())),
    )


def verdict_from_dict(data: dict[str, Any]) -> Verdict:
    return Verdict(**data)
