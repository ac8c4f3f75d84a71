"""The stage sequence, written once: decode + clean → judge → annotate → finish.

Each stage is a plain function that returns a value or a `Rejected`; an unexpected exception
inside a stage becomes a `Rejected` with reason ``internal_error`` and the stage's name, so no
input can crash a runner. The offline runner (core/pipeline.py) and the stream agents
(stream/agents.py, stream/dedupe_order.py, and the CPU processes of cpu_pool.py) only move
data between these functions: a change here reaches both.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from newswire.core.annotate import AnnotateInput, Annotator
from newswire.core.clean import Cleaner
from newswire.core.decode import decode_raw
from newswire.core.dedupe import DedupeIndex
from newswire.core.dedupe_agency import agency_identity
from newswire.core.records import (
    CleanArticle,
    Rejected,
    Verdict,
    duplicate_record,
    enriched_record,
    rejected_record,
)

OutcomeKind = Literal["enriched", "duplicate", "rejected"]
Annotation = dict[str, Any]
# Kafka's record and batch overhead: an output record may take the message limit less this.
RECORD_HEADROOM = 4096


@dataclass(frozen=True, slots=True)
class Outcome:
    """An input's outcome: its kind, the article id (its key) and the record, encoded once."""

    kind: OutcomeKind
    key: str | None
    record: dict[str, Any]
    value: bytes


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def internal_error(stage: str, exc: BaseException, article_id: str | None = None) -> Rejected:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno}" if last else ""
    return Rejected(
        "internal_error", f"{type(exc).__name__}: {exc}{where}", stage=stage, id=article_id
    )


# ------------------------------------------------------------------ 1. decode + clean


def prepare(data: bytes, cleaner: Cleaner, *, max_bytes: int) -> CleanArticle | Rejected:
    """Raw bytes → clean article, or why not."""
    try:
        raw = decode_raw(data, max_bytes=max_bytes)
    except Exception as exc:
        return internal_error("parse", exc)
    if isinstance(raw, Rejected):
        return raw
    try:
        return cleaner.clean(raw)
    except Exception as exc:
        return internal_error("clean", exc, raw.id)


# ------------------------------------------------------------------ 2. judge


def judge(
    index: DedupeIndex, article: CleanArticle, origin: str, *, late: bool = False
) -> Verdict | Rejected:
    """Unique, duplicate or update, against what the index remembers. `origin` names the
    input, so an input judged again (a replay) gets the verdict it got the first time."""
    try:
        return index.judge(
            article.id,
            article.body,
            origin,
            late=late,
            agency=agency_identity(article.raw.metadata),
        )
    except Exception as exc:
        return internal_error("dedupe", exc, article.id)


# ------------------------------------------------------------------ 3. annotate


def annotate_input(article: CleanArticle) -> AnnotateInput:
    return AnnotateInput(
        id=article.id,
        headline=article.headline,
        body=article.body,
        language=article.language,
        byline_names=tuple(sorted(article.byline.names())),
        dateline_country=article.dateline.country_code if article.dateline else None,
        dateline_location=article.dateline.location if article.dateline else None,
    )


def annotate(annotator: Annotator, items: list[AnnotateInput]) -> list[Annotation | Rejected]:
    """Annotate a batch; if the batch fails, retry one by one so only the bad item is rejected."""
    try:
        return list(annotator.annotate(items))
    except Exception:
        results: list[Annotation | Rejected] = []
        for item in items:
            try:
                results.append(annotator.annotate([item])[0])
            except Exception as exc:
                results.append(internal_error("annotate", exc, item.id))
        return results


# ------------------------------------------------------------------ 4. finish


def finish_duplicate(article: CleanArticle, verdict: Verdict, *, processed_at: str) -> Outcome:
    record = duplicate_record(article, verdict, processed_at=processed_at)
    return Outcome("duplicate", article.id, record, orjson.dumps(record))


def finish_enriched(
    article: CleanArticle,
    verdict: Verdict,
    annotation: Annotation,
    *,
    model: str | None,
    processed_at: str,
    max_message_bytes: int,
) -> Outcome | Rejected:
    """The enriched record, or why it cannot be published (too large for a Kafka message)."""
    try:
        record = enriched_record(
            article, verdict, annotation, model=model, processed_at=processed_at
        )
        value = orjson.dumps(record)
    except Exception as exc:
        return internal_error("publish", exc, article.id)
    if len(value) > max_message_bytes - RECORD_HEADROOM:
        return Rejected(
            "too_large",
            f"enriched record is {len(value)} bytes, over NEWSWIRE_MAX_MESSAGE_BYTES",
            stage="publish",
            id=article.id,
        )
    return Outcome("enriched", article.id, record, value)


def finish_rejected(
    rejected: Rejected, *, processed_at: str, origin: dict[str, Any] | None
) -> Outcome:
    record = rejected_record(rejected, processed_at=processed_at, origin=origin)
    return Outcome("rejected", rejected.id, record, orjson.dumps(record))
