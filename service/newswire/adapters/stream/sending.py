"""Sends with delivery confirmation, and the dead-letter record every failure becomes.

A stage acknowledges its input only after Kafka has confirmed (acks=all) every record it sent
for it, so a crash at any point replays the input rather than losing its outcome. Faust's own
commit only flushes the producer: a record whose delivery failed would be lost behind the
commit. Failed deliveries are sent again (with backoff) until they succeed; the input stays
unacknowledged meanwhile, so nothing is committed past it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from newswire.adapters.stream.metrics import StreamMetrics
from newswire.core import serde
from newswire.core.envelopes import DeadLetter, Origin
from newswire.core.records import Rejected, dlq_record, key_of
from newswire.core.stages import utc_now
from newswire.logs import NO_COLLAPSE

log = logging.getLogger("newswire")
_MAX_BACKOFF = 30.0


def origin_of(event: Any) -> Origin:
    """Where a consumed record came from: topic, partition, offset, timestamp (ms)."""
    message = event.message
    timestamp = message.timestamp
    return Origin(
        message.topic,
        message.partition,
        message.offset,
        int(timestamp * 1000) if timestamp else None,
    )


class Sends:
    """The records sent for one batch of inputs; `delivered()` returns once Kafka has them."""

    def __init__(
        self, dlq_topic: Any, dlq_original_max_bytes: int, metrics: StreamMetrics | None = None
    ) -> None:
        self._dlq = dlq_topic
        self._dlq_max = dlq_original_max_bytes
        self._metrics = metrics
        self._pending: list[tuple[Any, bytes | None, bytes, asyncio.Future[Any]]] = []
        # Outcomes sent, counted once Kafka has them: (outcome, status, reason, raw ts ms).
        self._outcomes: list[tuple[str, str, str, int | None]] = []

    def outcome(
        self, outcome: str, *, status: str = "", reason: str = "", raw_timestamp: int | None
    ) -> None:
        """Count an outcome sent in this batch (enriched, duplicate, dlq) once delivered."""
        self._outcomes.append((outcome, status, reason, raw_timestamp))

    async def send(self, topic: Any, key: bytes | None, value: bytes) -> None:
        future = await topic.send(key=key, value=value)
        self._pending.append((topic, key, value, future))

    async def dead_letter(self, letter: DeadLetter) -> None:
        rejected = _printable(letter.rejected)
        raw_origin = letter.raw_origin
        record = dlq_record(
            rejected,
            letter.original,
            origin=letter.origin.as_record(),
            raw_origin=None if raw_origin is None else raw_origin.as_record(),
            processed_at=utc_now(),
            max_original_bytes=self._dlq_max,
        )
        origin = letter.origin
        log.warning(
            "dlq: %s %s (%s)",
            rejected.reason,
            rejected.id,
            origin.key,
            extra={
                "article_id": rejected.id,
                "stage": rejected.stage,
                "reason": rejected.reason,
                "topic": origin.topic,
                "partition": origin.partition,
                "offset": origin.offset,
                **NO_COLLAPSE,  # one line per dead letter, whatever the flood
            },
        )
        await self.send(self._dlq, key_of(rejected.id), serde.dumps(record))
        raw = raw_origin or letter.origin
        self.outcome("dlq", reason=rejected.reason, raw_timestamp=raw.timestamp)

    async def delivered(self) -> None:
        await self._delivered()
        outcomes, self._outcomes = self._outcomes, []
        if self._metrics is not None:
            now_ms = time.time() * 1000
            for outcome, status, reason, raw_timestamp in outcomes:
                self._metrics.outcome(outcome, status=status, reason=reason)
                if raw_timestamp:
                    seconds = max(0.0, (now_ms - raw_timestamp) / 1000)
                    self._metrics.end_to_end_seconds.observe(seconds)

    async def _delivered(self) -> None:
        attempt = 0
        while self._pending:
            pending, self._pending = self._pending, []
            results = await asyncio.gather(*(f for *_, f in pending), return_exceptions=True)
            failed = [
                (topic, key, value, result)
                for (topic, key, value, _), result in zip(pending, results, strict=True)
                if isinstance(result, BaseException)
            ]
            if not failed:
                continue
            attempt += 1
            delay = min(_MAX_BACKOFF, 0.5 * 2**attempt)
            log.warning(
                "%d records not delivered (%s); sending them again in %.0f s",
                len(failed),
                failed[0][3],
                delay,
            )
            await asyncio.sleep(delay)
            for topic, key, value, _ in failed:
                await self.send(topic, key, value)


def _printable(rejected: Rejected) -> Rejected:
    """An error text that can always be encoded (exception texts may carry lone surrogates
    from the input)."""
    error = rejected.error.encode("utf-8", "replace").decode("utf-8")
    article_id = rejected.id
    if article_id is not None:
        article_id = article_id.encode("utf-8", "replace").decode("utf-8")
    if error == rejected.error and article_id == rejected.id:
        return rejected
    return Rejected(rejected.reason, error, rejected.stage, article_id)
