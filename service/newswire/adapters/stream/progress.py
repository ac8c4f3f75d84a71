"""Raw-partition progress, from the clean stage to the dedupe stage's reorder buffer.

The clean stage passes articles on in each raw partition's order. Besides the articles, every
worker sends a progress mark to the dedupe topic every `MARK_INTERVAL` seconds: for each raw
partition it owns, the smallest key (timestamp, partition, offset) a record it has not yet
passed on can have (see core/reorder.py). A mark is sent on the same producer and partition
after the articles it covers, so it never overtakes them. Marks also wake the dedupe stage up
regularly, so a held article is released even when no new article arrives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from newswire.core.envelopes import Origin
from newswire.core.reorder import Key

MARK_INTERVAL = 0.1
# A partition read up to its end at wall-clock time F can still get records stamped before F:
# a producer stamps a record when it is handed over, and linger, batching, a first metadata or
# producer-id round trip or a loaded machine delay its append. Its low is F minus this margin
# (250 ms was too little on a loaded CI machine: a replay's first record was appended more
# than 250 ms after its stamp, and a later-published article was judged before it).
IDLE_MARGIN_MS = 1_000


class RawProgress:
    def __init__(self) -> None:
        self._low: dict[int, Key] = {}

    def passed_on(self, origin: Origin) -> None:
        """The raw record at `origin` has its outcome sent (article or dead letter)."""
        timestamp, partition, offset = origin.order
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
        """The lows of the partitions this worker owns. `finished[p]`: every record below it
        has its outcome delivered; `highwaters[p]`: the log end, read at `polled_ms`."""
        marks = []
        for partition in sorted(owned):
            low = self._low.get(partition)
            end = highwaters.get(partition)
            if end is not None and finished.get(partition, 0) >= end:  # caught up
                idle = (polled_ms - IDLE_MARGIN_MS, partition, end)
                low = idle if low is None else max(low, idle)
            if low is not None:
                marks.append(low)
        return marks
