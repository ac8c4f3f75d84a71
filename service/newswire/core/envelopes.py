"""What travels between the stages of the stream, typed: where a record came from, the stage
message, the dedupe stage's progress marks, and a dead letter. Encoded and decoded in one place,
core/serde.py.

A dead letter is an error as a value that keeps its message (the original bytes and where they
were read), so whoever sends it needs nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newswire.core.records import CleanArticle, Rejected, Verdict
from newswire.core.reorder import Key


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a consumed record was read: topic, partition, offset and timestamp (ms, the
    producer's; None when the record has none)."""

    topic: str
    partition: int
    offset: int
    timestamp: int | None = None

    @property
    def key(self) -> str:
        """The record's identity, as the dedupe index remembers what it answered."""
        return f"{self.topic}/{self.partition}/{self.offset}"

    @property
    def order(self) -> Key:
        """Publish order (core/reorder.py): timestamp, then partition, then offset."""
        return (int(self.timestamp or 0), self.partition, self.offset)

    def as_record(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "timestamp": self.timestamp,
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Origin:
        timestamp = data.get("timestamp")
        return cls(
            topic=str(data["topic"]),
            partition=int(data["partition"]),
            offset=int(data["offset"]),
            timestamp=None if timestamp is None else int(timestamp),
        )


@dataclass(frozen=True, slots=True)
class StageMessage:
    """A clean article on its way from one stage to the next, with the raw record it came
    from; from the dedupe stage on, with its verdict."""

    article: CleanArticle
    raw_origin: Origin
    verdict: Verdict | None = None

    def judged(self, verdict: Verdict) -> StageMessage:
        return StageMessage(self.article, self.raw_origin, verdict)


@dataclass(frozen=True, slots=True)
class ProgressMarks:
    """How far a worker's raw partitions are (stream/progress.py): for each, the smallest key a
    record not yet passed on can have; `partitions`: the raw topic's partition count."""

    marks: tuple[Key, ...]
    partitions: int | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An input that ends in the DLQ: why (`rejected`), the bytes that could not go on, where
    they were read, and the raw record they came from (for stage messages)."""

    rejected: Rejected
    original: bytes
    origin: Origin
    raw_origin: Origin | None = None
