"""Log ends (high watermarks) read on a connection of their own.

The worker's consumer long-polls its fetches (Faust asks Kafka to hold a fetch up to 1.5 s
while no new record arrives), and Kafka answers the requests of one connection in order: a
ListOffsets request sent behind such a fetch waits for it. Read that way, an idle partition's
log end came back up to 1.5 s late, so the dedupe stage saw idle raw partitions late and held
every article about 2 s more than the idle margin (an article alone took 3.3 s end to end
instead of 1.4 s). This client has no fetches, so its answers come at once. One per worker,
shared by the progress marks and the lag gauges (stream/lag.py), closed at shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from newswire.adapters.kafka.security import client_options
from newswire.settings import Settings


class LogEnds:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: AIOKafkaConsumer | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    async def read(self, partitions: Iterable[Any], timeout: float) -> dict[TopicPartition, int]:
        """(topic, partition) → log end, for the given (topic, partition)s (Faust's or
        aiokafka's: both are named tuples, equal field by field)."""
        tps = [TopicPartition(tp.topic, tp.partition) for tp in partitions]
        if not tps:
            return {}
        client = await asyncio.wait_for(self._started(), timeout)
        ends = await asyncio.wait_for(client.end_offsets(tps), timeout)
        return {tp: end for tp, end in ends.items() if end is not None}

    async def _started(self) -> AIOKafkaConsumer:
        async with self._lock:
            if self._closed:  # a task still running at shutdown must not open a new client
                raise RuntimeError("log ends closed: the worker is stopping")
            if self._client is None:
                client = AIOKafkaConsumer(
                    bootstrap_servers=self._settings.bootstrap_servers,
                    group_id=None,
                    enable_auto_commit=False,
                    client_id=f"{self._settings.app_id}-log-ends",
                    **client_options(self._settings),
                )
                await client.start()
                self._client = client
            return self._client

    async def close(self) -> None:
        self._closed = True
        if self._client is not None:
            client, self._client = self._client, None
            await client.stop()
