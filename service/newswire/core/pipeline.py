"""The offline runner: the stages of core/stages.py in stream order, in one process.

Each input has exactly one outcome: enriched, duplicate or rejected. This module only moves
data between the stages (and batches the annotation); what a stage does lives in
core/stages.py, which the stream agents call too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from newswire.core import stages
from newswire.core.annotate import Annotator
from newswire.core.clean import Cleaner
from newswire.core.dedupe import DedupeIndex
from newswire.core.records import CleanArticle, Rejected, Verdict
from newswire.core.stages import Outcome, utc_now

DEFAULT_MAX_MESSAGE_BYTES = 10_485_760  # the settings' default Kafka message limit


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One input: its bytes (raw-topic JSON) and where it came from."""

    origin: str
    data: bytes


class Pipeline:
    """Decode + clean → judge → annotate → finish, in stream order, in one process."""

    def __init__(
        self,
        cleaner: Cleaner,
        index: DedupeIndex,
        annotator: Annotator,
        *,
        max_bytes: int,
        batch_size: int = 16,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        now: Callable[[], str] = utc_now,
    ) -> None:
        self.cleaner = cleaner
        self.index = index
        self.annotator = annotator
        self.max_bytes = max_bytes
        self.batch_size = batch_size
        self.max_message_bytes = max_message_bytes
        self.now = now

    def run(self, inputs: Iterable[InputRecord]) -> Iterator[Outcome]:
        pending: list[tuple[CleanArticle, Verdict, str]] = []
        for item in inputs:
            article = stages.prepare(item.data, self.cleaner, max_bytes=self.max_bytes)
            if isinstance(article, Rejected):
                yield self.rejected(article, item.origin)
                continue
            verdict = stages.judge(self.index, article, item.origin)
            if isinstance(verdict, Rejected):
                yield self.rejected(verdict, item.origin)
            elif verdict.status == "duplicate":
                yield stages.finish_duplicate(article, verdict, processed_at=self.now())
            else:
                pending.append((article, verdict, item.origin))
                if len(pending) >= self.batch_size:
                    yield from self.flush(pending)
                    pending = []
        yield from self.flush(pending)

    def flush(self, pending: list[tuple[CleanArticle, Verdict, str]]) -> Iterator[Outcome]:
        if not pending:
            return
        inputs = [stages.annotate_input(article) for article, _, _ in pending]
        annotations = stages.annotate(self.annotator, inputs)
        for (article, verdict, origin), annotation in zip(pending, annotations, strict=True):
            if isinstance(annotation, Rejected):
                yield self.rejected(annotation, origin)
                continue
            finished = stages.finish_enriched(
                article,
                verdict,
                annotation,
                model=self.annotator.model,
                processed_at=self.now(),
                max_message_bytes=self.max_message_bytes,
            )
            if isinstance(finished, Rejected):
                yield self.rejected(finished, origin)
            else:
                yield finished

    def rejected(self, rejected: Rejected, origin: str | None) -> Outcome:
        return stages.finish_rejected(
            rejected,
            processed_at=self.now(),
            origin={"source": origin} if origin else None,
        )
