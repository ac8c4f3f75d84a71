"""JSON (orjson) forms of what travels between the stages, encoded and decoded here only.

Stage topics carry a `StageMessage` ({"article", "raw_origin"} and, after the dedupe stage,
"verdict"); the dedupe topic carries `ProgressMarks` ({"marks", "partitions"}) too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from newswire.core.envelopes import Origin, ProgressMarks, StageMessage
from newswire.core.records import Byline, CleanArticle, Dateline, RawArticle, Verdict


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def loads(data: bytes) -> Any:
    return orjson.loads(data)


# ------------------------------------------------------------------ stage messages


def encode_stage(message: StageMessage) -> bytes:
    value: dict[str, Any] = {
        "article": clean_to_dict(message.article),
        "raw_origin": message.raw_origin.as_record(),
    }
    if message.verdict is not None:
        value["verdict"] = dataclasses.asdict(message.verdict)
    return orjson.dumps(value)


def decode_stage(data: bytes) -> StageMessage:
    return stage_from_dict(orjson.loads(data))


def stage_from_dict(value: dict[str, Any]) -> StageMessage:
    verdict = value.get("verdict")
    return StageMessage(
        article=clean_from_dict(value["article"]),
        raw_origin=Origin.from_record(value["raw_origin"]),
        verdict=None if verdict is None else verdict_from_dict(verdict),
    )


def encode_marks(marks: ProgressMarks) -> bytes:
    return orjson.dumps(
        {"marks": [list(mark) for mark in marks.marks], "partitions": marks.partitions}
    )


def decode_dedupe_input(data: bytes) -> StageMessage | ProgressMarks:
    """A dedupe-topic record: an article from the clean stage, or a worker's progress marks."""
    value = orjson.loads(data)
    if isinstance(value, dict) and "marks" in value:
        partitions = value.get("partitions")
        return ProgressMarks(
            marks=tuple((int(t), int(p), int(o)) for t, p, o in value["marks"]),
            partitions=int(partitions) if partitions else None,
        )
    return stage_from_dict(value)


# ------------------------------------------------------------------ articles


def clean_to_dict(article: CleanArticle) -> dict[str, Any]:
    """The clean article as sent between stages. The raw body (possibly a whole HTML page) is
    left out: later stages use the clean body, and the raw fields only for their metadata."""
    data = orjson.loads(orjson.dumps(article))
    data["raw"]["body"] = ""
    return data


def _known(cls: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The fields of `data` that `cls` has: a stage record from a newer worker (a rolling
    upgrade) may carry fields this one does not know, and must still be read."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def clean_from_dict(data: dict[str, Any]) -> CleanArticle:
    dateline = data.get("dateline")
    byline = data.get("byline") or {}
    return CleanArticle(
        raw=RawArticle(**_known(RawArticle, data["raw"])),
        headline=data["headline"],
        body=data["body"],
        dateline=Dateline(**_known(Dateline, dateline)) if dateline else None,
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
    return Verdict(**_known(Verdict, data))
