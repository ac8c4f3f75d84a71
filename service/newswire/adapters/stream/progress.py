"""Raw-partition progress, from the clean stage to the dedupe stage's reorder buffer.

The clean stage passes articles on in each raw partition's order. Besides the articles, every
worker sends a progress mark to the dedupe topic every `MARK_INTERVAL` seconds: for each raw
partition it owns, the smallest key (timestamp, partition, offset) a record it has not yet
passed on can have (see core/reorder.py). Every owned partition is reported every time: also
while its records are being cleaned (the first of them is the low), and while nothing is known
of it yet (the least key: anything may still come, from a live owner). The dedupe stage must
tell a partition that is slow from one nobody reads. A mark is sent on the same producer and
partition after the articles it covers, so it never overtakes them. Marks also wake the dedupe
stage up regularly, so a held article is released even when no new article arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from newswire.core.envelopes import Origin
from newswire.core.reorder import Key

MARK_INTERVAL = 0.1
# With nothing passed on for ACTIVE_SECONDS nothing of this worker is held downstream for long,
# and a mark a second keeps its partitions from looking silent (the grace is seconds): a mark
# costs the dedupe stage an event and a table write, ten a second were 4 % of a core idle.
QUIET_MARK_INTERVAL = 1.0
ACTIVE_SECONDS = 3.0
# A partition read up to its end at wall-clock time F can still get records stamped before F:
# a producer stamps a record when it is handed over, and linger, batching, a first connection
# or a loaded machine delay its append. Its low is F minus a margin
# (NEWSWIRE_DEDUPE_ORDER_MARGIN_MS). The margin is the least time every article is held, so it
# is the floor of end-to-end latency: 1 s made p99 1.7 s at half the maximum rate. A record
# that comes in under a low already reported is counted (`stamped_late`) and judged on arrival.
DEFAULT_MARGIN_MS = 300


class RawProgress:
    def __init__(
        self,
        margin_ms: int = DEFAULT_MARGIN_MS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.margin_ms = margin_ms
        self._low: dict[int, Key] = {}
        self._reported: dict[int, Key] = {}  # partition → the low last sent in a mark
        self._taken: dict[int, dict[int, Key]] = {}  # partition → offset → key, being cleaned
        self._monotonic = monotonic
        self._last_passed_on = float("-inf")

    def interval(self) -> float:
        """Seconds until the next mark: often while articles pass, seldom when quiet."""
        active = self._monotonic() - self._last_passed_on < ACTIVE_SECONDS or any(
            self._taken.values()
        )
        return MARK_INTERVAL if active else QUIET_MARK_INTERVAL

    def taken(self, origin: Origin) -> int:
        """The clean stage took the raw record at `origin` up (its outcome is not sent yet).
        Returns by how many ms its stamp undercuts the low already reported for it (0 when it
        does not): such a record was stamped more than the margin before it was appended, or
        by a producer whose clock is behind, and the dedupe stage will judge it on arrival."""
        self._taken.setdefault(origin.partition, {})[origin.offset] = origin.order
        reported = self._reported.get(origin.partition)
        timestamp, _, offset = origin.order
        if reported is None or offset < reported[2]:  # read again after a rebalance: a copy
            return 0
        return max(0, reported[0] - timestamp)

    def passed_on(self, origin: Origin) -> None:
        """The raw record at `origin` has its outcome sent (article or dead letter)."""
        timestamp, partition, offset = origin.order
        self._last_passed_on = self._monotonic()
        self._taken.get(partition, {}).pop(offset, None)
        low = (timestamp, partition, offset + 1)
        if low > self._low.get(partition, (-1, -1, -1)):
            self._low[partition] = low

    def marks(
        self,
        owned: Iterable[int],
        finished: Mapping[int, int],
        highwaters: Mapping[int, int],
        polled_ms: int,
    ) -> list[Key]:
        """The lows of the partitions this worker owns, one each. `finished[p]`: every record
        below it has its outcome delivered; `highwaters[p]`: the log end, read at `polled_ms`
        (missing when it could not be read)."""
        marks = []
        owned = set(owned)
        for partition in list(self._taken):
            if partition not in owned:  # revoked: its records are read again by the next owner
                del self._taken[partition]
        for partition in list(self._reported):
            if partition not in owned:
                del self._reported[partition]
        for partition in sorted(owned):
            mark = self._low_of(partition, finished, highwaters, polled_ms)
            self._reported[partition] = mark
            marks.append(mark)
        return marks

    def _low_of(
        self,
        partition: int,
        finished: Mapping[int, int],
        highwaters: Mapping[int, int],
        polled_ms: int,
    ) -> Key:
        in_flight = self._taken.get(partition)
        if in_flight:  # read in order: the first record being cleaned is the low
            return min(in_flight.values())
        low = self._low.get(partition)
        end = highwaters.get(partition)
        if end is not None and finished.get(partition, 0) >= end:  # caught up
            idle = (polled_ms - self.margin_ms, partition, end)
            low = idle if low is None else max(low, idle)
        return low if low is not None else (0, partition, 0)  # alive, low unknown
