"""What the streams have done with one partition in one consumer generation (pure).

Kafka's at-least-once contract holds only if a committed offset never passes a message whose
work is unfinished, or one that was never delivered to a stream at all. The ledger knows, for
one topic partition, from the position it was (re)read from:

- `taken`: offsets a stream has taken and not finished yet;
- `expect`: the next offset the stream should take (everything below it was delivered);
- `missing`: offsets the stream skipped (a later one arrived first). Faust can drop fetched
  messages around a rebalance; a skipped offset must be read again, never committed past.

A delivery of an offset below `expect` that is not missing is a *copy* (the partition was read
again after a seek): it is not ours to finish, the first delivery is. The commit offset is the
lowest of the taken, the missing and `expect`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Take(Enum):
    NEW = "new"  # a delivery to process
    COPY = "copy"  # an offset taken or finished already: skip it
    GAP = "gap"  # a delivery to process, after offsets that never came: read them again


@dataclass
class Gap:
    start: int
    end: int  # exclusive
    since: float


@dataclass
class Ledger:
    expect: int | None = None
    taken: dict[int, int] = field(default_factory=dict)  # offset -> token of the message
    gaps: list[Gap] = field(default_factory=list)

    @property
    def fresh(self) -> bool:
        """Nothing delivered yet since the position it was (re)read from."""
        return not self.taken and not self.gaps

    def holding(self) -> str:
        """What holds the commit offset, in words (for logs)."""
        missing = self.first_missing()
        first_taken = min(self.taken, default=None)
        if missing is not None and (first_taken is None or missing < first_taken):
            return f"offset {missing} was skipped and has not been read again"
        if first_taken is not None:
            return f"offset {first_taken} is still being processed"
        return "nothing"

    def take(self, offset: int, token: int, now: float) -> Take:
        if self.expect is None:
            self.expect = offset  # no known start: the first delivery defines it
        if self._fill(offset):
            self.taken[offset] = token
            return Take.NEW
        if offset < self.expect:
            return Take.COPY
        result = Take.NEW
        if offset > self.expect:
            self.gaps.append(Gap(self.expect, offset, now))
            result = Take.GAP
        self.taken[offset] = token
        self.expect = offset + 1
        return result

    def finish(self, offset: int, token: int) -> bool:
        """The work on `offset` is done; False if `token` is not the delivery that took it."""
        if self.taken.get(offset) != token:
            return False
        del self.taken[offset]
        return True

    def commit_offset(self) -> int | None:
        """Every message below this offset was delivered and its work is finished."""
        candidates = [*self.taken, *(gap.start for gap in self.gaps)]
        if self.expect is not None:
            candidates.append(self.expect)
        return min(candidates) if candidates else None

    def first_missing(self) -> int | None:
        return min((gap.start for gap in self.gaps), default=None)

    def overdue(self, now: float, patience: float) -> list[Gap]:
        """Gaps not filled within `patience` seconds since they were found or last read again
        (their clock starts over: the caller reads them again)."""
        late = [gap for gap in self.gaps if now - gap.since >= patience]
        for gap in late:
            gap.since = now
        return [Gap(gap.start, gap.end, gap.since) for gap in late]

    def drop_below(self, offset: int) -> list[Gap]:
        """Forget the missing offsets below `offset` (Kafka no longer has them: retention,
        compaction); returns what was forgotten. Offsets that still exist are never given up."""
        dropped = [Gap(g.start, min(g.end, offset), g.since) for g in self.gaps if g.start < offset]
        self.gaps = [Gap(max(g.start, offset), g.end, g.since) for g in self.gaps if g.end > offset]
        return dropped

    def _fill(self, offset: int) -> bool:
        for index, gap in enumerate(self.gaps):
            if gap.start <= offset < gap.end:
                pieces = [Gap(gap.start, offset, gap.since), Gap(offset + 1, gap.end, gap.since)]
                self.gaps[index : index + 1] = [p for p in pieces if p.start < p.end]
                return True
        return False
