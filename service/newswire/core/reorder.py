"""Publish order for the dedupe stage: a reorder buffer over raw-partition progress.

Articles reach the dedupe stage from several raw partitions: each partition in order, but the
partitions interleave by timing (which worker started first, how fetches were batched). Dedupe
verdicts depend on what came "before", so the buffer releases articles in publish order: by
the key (timestamp ms, partition, offset) of their raw record.

An article is held until no raw partition can still deliver an earlier one. Every partition
reports `low`, the smallest key a record it has not yet delivered can have:

- after delivering the record (ts, p, o): (ts, p, o + 1), as a partition is read in order;
- when its reader has caught up with the log at wall-clock time F: (F - margin, p, highwater),
  since a record appended later was published after F - margin (the margin covers producer
  linger and network time).

A partition is waited for while it is alive and moving:
- *silent*, not waited for: nothing heard of it (no article, no report) for `grace` seconds
  (its worker died, a rebalance moves it). Every owner reports each of its partitions often,
  also while it cleans their records, so a slow partition is not a silent one;
- *stuck*, not waited for: heard of, but its low has not advanced for `stuck` seconds (a stage
  that does not get through a record); a bound, so that one partition cannot stall the rest.
A partition read again after a rebalance delivers copies below its low, and that counts as
alive and moving. What a partition delivers
later than an article already released is released at once and flagged late: judged on
arrival, not in publish order. `released` (the greatest key released) outlives the buffer, so
that a new buffer after a rebalance still knows what is late.

Pure: plain values in, plain values out; the caller supplies the clock.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

Key = tuple[int, int, int]  # (timestamp ms, partition, offset) of a raw record


@dataclass(frozen=True, slots=True)
class Released(Generic[T]):
    item: T
    key: Key
    late: bool


class ReorderBuffer(Generic[T]):
    def __init__(
        self,
        *,
        grace: float,
        partitions: int,
        now: float,
        released: Key | None = None,
        stuck: float | None = None,
    ) -> None:
        self.grace = grace
        self.stuck = 3 * grace if stuck is None else stuck
        self._heard: dict[int, float] = {}
        self._heap: list[tuple[Key, int, T]] = []
        self._late: list[Released[T]] = []
        self._low: dict[int, Key] = {}
        self._advanced: dict[int, float] = {}
        self._released = released
        self._seq = 0
        # Partitions an article was released without waiting for: {partition: (why, since)}
        # ("silent" or "stuck"), for the caller to report: an ordering promise given up must
        # show in the log.
        self.passed_over: dict[int, tuple[str, float]] = {}
        self.partitions(partitions, now)

    def __len__(self) -> int:
        return len(self._heap) + len(self._late)

    @property
    def released(self) -> Key | None:
        """The greatest key released so far."""
        return self._released

    def partitions(self, count: int, now: float) -> None:
        """The raw topic has (at least) `count` partitions; new ones get a full grace."""
        for partition in range(count):
            self._advanced.setdefault(partition, now)
            self._heard.setdefault(partition, now)

    def add(self, key: Key, item: T, now: float) -> None:
        timestamp, partition, offset = key
        self._advance(partition, (timestamp, partition, offset + 1), now)
        self._advanced[partition] = self._heard[partition] = now  # alive, even when read again
        if self._released is not None and key < self._released:
            self._late.append(Released(item, key, late=True))
            return
        heapq.heappush(self._heap, (key, self._seq, item))
        self._seq += 1

    def progress(self, partition: int, low: Key, now: float) -> None:
        """The partition cannot deliver anything below `low` any more (and is alive)."""
        self._advance(partition, low, now)
        self._heard[partition] = now

    def release(self, now: float) -> list[Released[T]]:
        """Everything that can be judged now, in the order to judge it."""
        out, self._late = self._late, []
        while self._heap and self._ready(self._heap[0][0], now):
            key, _, item = heapq.heappop(self._heap)
            for q in self._advanced:
                if q != key[1] and self._low_blocks(q, key):  # ready: q is silent or stuck
                    self.passed_over.setdefault(q, self._given_up(q, now))
            out.append(Released(item, key, late=False))
            self._released = key if self._released is None else max(self._released, key)
        return out

    def _advance(self, partition: int, low: Key, now: float) -> None:
        current = self._low.get(partition)
        if current is None or low > current:
            self._low[partition] = low
            self._advanced[partition] = now
        else:
            self._advanced.setdefault(partition, now)
        self._heard.setdefault(partition, now)

    def _ready(self, key: Key, now: float) -> bool:
        return not any(self._blocks(q, key, now) for q in self._advanced)

    def _blocks(self, partition: int, key: Key, now: float) -> bool:
        if partition == key[1]:
            return False  # a partition is delivered in order: nothing earlier can follow
        if self._given_up(partition, now) is not None:
            return False  # silent or stuck: not waited for any longer
        return self._low_blocks(partition, key)

    def _given_up(self, partition: int, now: float) -> tuple[str, float] | None:
        if now - self._heard[partition] >= self.grace:
            return ("silent", self._heard[partition])
        if now - self._advanced[partition] >= self.stuck:
            return ("stuck", self._advanced[partition])
        return None

    def _low_blocks(self, partition: int, key: Key) -> bool:
        low = self._low.get(partition)
        return low is None or low <= key
