"""The stages as plain functions, and the in-process pipeline the offline command runs.

Each input has exactly one outcome: enriched, duplicate or rejected. Expected failures are
`Rejected` values; an unexpected exception in a stage is caught here and becomes a rejection
with reason ``internal_error`` and the stage, so no input can crash the run.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from newswire.core.annotate import AnnotateInput, Annotator
from newswire.core.clean import Cleaner
from newswire.core.dedupe import DedupeIndex
from newswire.core.parse import decode_raw
from newswire.core.records import (
    CleanArticle,
    Rejected,
    Verdict,
    duplicate_record,
    enriched_record,
    rejected_record,
)

OutcomeKind = Literal["enriched", "duplicate", "rejected"]


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    key: str | None
    record: dict[str, Any]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def internal_error(stage: str, exc: BaseException, article_id: str | None = None) -> Rejected:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno}" if last else ""
    return Rejected(
        "internal_error", f"{type(exc).__name__}: {exc}{where}", stage=stage, id=article_id
    )


def prepare(data: bytes, cleaner: Cleaner, *, max_bytes: int) -> CleanArticle | Rejected:
    """Raw bytes → clean article (parse + clean), or a rejection."""
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


def annotate_input(article: CleanArticle) -> AnnotateInput:
    return AnnotateInput(
        id=article.id,
        headline=article.headline,
        body=article.body,
        language=article.language,
        byline_names=tuple(sorted(article.byline.names())),
        dateline_country=article.dateline.country_code if article.dateline else None,
    )


def annotate_safely(annotator: Annotator, items: list[AnnotateInput]) -> list[dict | Rejected]:
    """Annotate a batch; if the batch fails, retry one by one so only the bad item is rejected."""
    try:
        return list(annotator.annotate(items))
    except Exception:
        results: list[dict | Rejected] = []
        for item in items:
            try:
                results.append(annotator.annotate([item])[0])
            except Exception as exc:
                results.append(internal_error("annotate", exc, item.id))
        return results


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One input: its bytes (raw-topic JSON) and where it came from."""

    origin: str
    data: bytes


class Pipeline:
    """Parse → clean → dedupe → annotate, in stream order, in one process."""

    def __init__(
        self,
        cleaner: Cleaner,
        index: DedupeIndex,
        annotator: Annotator,
        *,
        max_bytes: int,
        batch_size: int = 16,
        now: Callable[[], str] = utc_now,
    ) -> None:
        self.cleaner = cleaner
        self.index = index
        self.annotator = annotator
        self.max_bytes = max_bytes
        self.batch_size = batch_size
        self.now = now

    def judge(self, article: CleanArticle, origin: str) -> Verdict | Rejected:
        try:
            return self.index.judge(article.id, article.body, origin)
        except Exception as exc:
            return internal_error("dedupe", exc, article.id)

    def run(self, inputs: Iterable[InputRecord]) -> Iterator[Outcome]:
        pending: list[tuple[CleanArticle, Verdict, str]] = []
        for item in inputs:
            prepared = prepare(item.data, self.cleaner, max_bytes=self.max_bytes)
            if isinstance(prepared, Rejected):
                yield self.rejected(prepared, item.origin)
                continue
            verdict = self.judge(prepared, item.origin)
            if isinstance(verdict, Rejected):
                yield self.rejected(verdict, item.origin)
            elif verdict.status == "duplicate":
                yield Outcome(
                    "duplicate",
                    prepared.id,
                    duplicate_record(prepared, verdict, processed_at=self.now()),
                )
            else:
                pending.append((prepared, verdict, item.origin))
                if len(pending) >= self.batch_size:
                    yield from self.flush(pending)
                    pending = []
        yield from self.flush(pending)

    def flush(self, pending: list[tuple[CleanArticle, Verdict, str]]) -> Iterator[Outcome]:
        if not pending:
            return
        annotations = annotate_safely(self.annotator, [annotate_input(a) for a, _, _ in pending])
        for (article, verdict, origin), annotation in zip(pending, annotations, strict=True):
            if isinstance(annotation, Rejected):
                yield self.rejected(annotation, origin)
            else:
                record = enriched_record(
                    article,
                    verdict,
                    annotation,
                    model=self.annotator.model,
                    processed_at=self.now(),
                )
                yield Outcome("enriched", article.id, record)

    def rejected(self, rejected: Rejected, origin: str | None) -> Outcome:
        origin_record = {"source": origin} if origin else None
        return Outcome(
            "rejected",
            rejected.id,
            rejected_record(rejected, processed_at=self.now(), origin=origin_record),
        )
