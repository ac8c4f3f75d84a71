"""Consumer lag in messages and in seconds, for `/metrics`.

Lag in seconds is the age of the oldest record not yet processed, estimated as
kafka-lag-exporter does: the worker samples each partition's log end now and then, and the
time at which the log end passed the worker's position is read off those samples
(interpolated between two of them). Records are not fetched for it, and the producers' clocks
do not matter.
"""

from __future__ import annotations

import asyncio
import logging
import time
from bisect import bisect_right
from collections import deque
from typing import Any

from newswire.adapters.stream.service import Service

log = logging.getLogger("newswire")
LAG_INTERVAL = 5.0
SAMPLES = 120  # per partition: ten minutes at one sample every 5 s


class LagHistory:
    """(log end, time) samples of one partition, and the lag of a position against them."""

    def __init__(self, size: int = SAMPLES) -> None:
        self._samples: deque[tuple[int, float]] = deque(maxlen=size)

    def observe(self, end: int, now: float) -> None:
        if not self._samples or end > self._samples[-1][0]:
            self._samples.append((end, now))

    def seconds(self, position: int, now: float) -> float:
        """How long ago the log end passed `position` (0 when caught up)."""
        if not self._samples or position >= self._samples[-1][0]:
            return 0.0
        ends = [end for end, _ in self._samples]
        i = bisect_right(ends, position)  # the first sample whose end is past the position
        if i == 0:  # older than every sample: at least as old as the oldest
            return now - self._samples[0][1]
        (end0, t0), (end1, t1) = self._samples[i - 1], self._samples[i]
        passed = t0 + (t1 - t0) * (position - end0 + 1) / (end1 - end0)
        return max(0.0, now - passed)


class LagWatch:
    """Samples the partitions this worker owns and sets the lag gauges."""

    def __init__(self, service: Service) -> None:
        self.app, self.metrics, self.log_ends = service.app, service.metrics, service.log_ends
        settings = service.settings
        self.topics = (settings.raw_topic, settings.dedupe_topic, settings.annotate_topic)
        self._history: dict[Any, LagHistory] = {}

    def register(self) -> None:
        self.app.task(self.run)

    async def run(self) -> None:
        while not self.app.should_stop:
            try:
                await self.sample()
            except Exception as exc:  # broker unreachable, a rebalance: next time
                log.debug("lag not sampled: %r", exc)
            await asyncio.sleep(LAG_INTERVAL)

    async def sample(self) -> None:
        consumer = self.app.consumer
        owned = [tp for tp in consumer.assignment() if tp.topic in self.topics]
        now = time.monotonic()
        # On the log-end reader's own connection: the consumer's would answer behind its
        # long-polling fetch (stream/log_ends.py).
        ends = await self.log_ends.read(owned, timeout=5.0)
        worst: dict[str, float] = dict.fromkeys(self.topics, 0.0)
        self.metrics.lag_messages.clear()
        for tp in owned:
            end = ends.get(tp)
            if end is None:
                continue
            history = self._history.setdefault(tp, LagHistory())
            history.observe(end, now)
            position = consumer.finished_offset(tp) or 0
            self.metrics.lag_messages.labels(tp.topic, str(tp.partition)).set(
                max(0, end - position)
            )
            worst[tp.topic] = max(worst[tp.topic], history.seconds(position, now))
        for topic, seconds in worst.items():
            self.metrics.lag_seconds.labels(topic).set(round(seconds, 3))
        for tp in set(self._history) - set(owned):
            del self._history[tp]
