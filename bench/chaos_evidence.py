"""The evidence of one chaos phase, and which outcome belongs to which input.

An outcome belongs to an input by the record's `id` (ids are unique per phase); DLQ records
are matched by `raw_origin` or `origin` (raw topic, partition, offset) first, so inputs
without a usable id are found too. Times are Kafka record timestamps (ms) of the records, and
wall-clock ms for faults, on the same host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Input:
    """One message published to the raw topic, and where it landed."""

    n: int
    kind: str  # good | original | near_duplicate | update | a hostile kind
    hostile: bool
    id: str | None  # the id its outcomes will carry, when one can be known
    value: bytes | None
    key: bytes | None = None
    expect: tuple[str, str | None] | None = None  # (verdict, id of the earlier article)
    partition: int = -1
    offset: int = -1
    ts: int = 0  # record timestamp (ms)
    error: str | None = None  # the producer gave up on it (so it is not an input)

    @property
    def where(self) -> tuple[int, int]:
        return (self.partition, self.offset)


@dataclass(frozen=True)
class Record:
    """A record read back from an output or stage topic."""

    topic: str
    kind: str
    partition: int
    offset: int
    ts: int
    key: str | None
    value: dict[str, Any]

    @property
    def id(self) -> str | None:
        value = self.value.get("id")
        return value if isinstance(value, str) else None


@dataclass
class Fault:
    kind: str  # worker-kill | broker-kill | leader-kill
    target: str
    at: int  # wall ms
    restarted_at: int | None = None  # when the target was back (broker ready / worker started)
    resume_limit: float | None = None  # seconds, when a criterion applies
    note: str = ""


@dataclass
class PhaseData:
    name: str
    raw_topic: str
    stage_topics: list[str]
    inputs: list[Input]
    outcomes: list[Record]
    stage: list[Record] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    started: int = 0  # wall ms
    ready_at: int = 0  # wall ms, when the first workers were ready
    finished: int = 0  # wall ms, end of the wait for completion
    gap_limit: float | None = None  # seconds
    check_redelivery: bool = False
    # (wall ms, the group's committed offsets) taken about once a second (worker-kill)
    snapshots: list[tuple[int, dict[tuple[str, int], int]]] = field(default_factory=list)
    # (what, from, to) wall ms: while partitions move (workers joining, a kill until the
    # restarted worker has rejoined)
    windows: list[tuple[str, int, int]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


def label(item: Input) -> str:
    return item.id or f"{item.kind}@p{item.partition}:{item.offset}"


def match(data: PhaseData) -> tuple[dict[int, list[Record]], list[Record]]:
    sent = [i for i in data.inputs if i.error is None]
    by_where = {i.where: i for i in sent}
    by_id: dict[str, Input] = {}
    for i in sent:
        if i.id is not None:
            by_id.setdefault(i.id, i)
    per_input: dict[int, list[Record]] = {i.n: [] for i in sent}
    unmatched: list[Record] = []
    for record in sorted(data.outcomes, key=lambda r: r.ts):
        item = None
        if record.kind == "dlq":
            for key in ("raw_origin", "origin"):
                origin = record.value.get(key)
                if isinstance(origin, dict) and origin.get("topic") == data.raw_topic:
                    item = by_where.get((origin.get("partition"), origin.get("offset")))
                    break
        if item is None and record.id is not None:
            item = by_id.get(record.id)
        if item is None:
            unmatched.append(record)
        else:
            per_input[item.n].append(record)
    return per_input, unmatched
