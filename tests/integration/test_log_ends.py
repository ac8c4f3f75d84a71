"""Log ends for the progress marks, read on a connection of their own (stream/log_ends.py):
the right offsets from a real broker, also while the worker-style consumer of the same topic
holds a long-polling fetch open."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from nw_harness import Deployment, Message, produce

from newswire.adapters.stream.log_ends import LogEnds
from newswire.settings import Settings

pytestmark = pytest.mark.integration


async def _ends_during_a_long_poll(
    pipeline: Deployment,
) -> tuple[dict[TopicPartition, int], float]:
    settings = Settings(broker=pipeline.kafka.url, app_id=pipeline.app_id)
    poller = AIOKafkaConsumer(
        bootstrap_servers=pipeline.bootstrap, group_id=None, fetch_max_wait_ms=1500
    )
    await poller.start()
    tps = [TopicPartition(pipeline.raw, p) for p in range(pipeline.partitions)]
    poller.assign(tps)
    await poller.seek_to_end(*tps)
    fetching = asyncio.create_task(poller.getmany(timeout_ms=3000))  # an idle long poll
    await asyncio.sleep(0.3)
    ends = LogEnds(settings)
    try:
        started = time.monotonic()
        read = await ends.read(tps, timeout=5.0)
        took = time.monotonic() - started
    finally:
        await ends.close()
        fetching.cancel()
        await poller.stop()
    return read, took


async def _create(pipeline: Deployment) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(pipeline.raw, pipeline.partitions, 1)])
    finally:
        await admin.close()


def test_log_ends_are_read_right_beside_a_long_polling_consumer(pipeline: Deployment) -> None:
    asyncio.run(_create(pipeline))
    produce(pipeline, [Message(b"x", None, 0)] * 3 + [Message(b"y", None, 1)])
    read, took = asyncio.run(_ends_during_a_long_poll(pipeline))
    assert read == {TopicPartition(pipeline.raw, 0): 3, TopicPartition(pipeline.raw, 1): 1}
    assert took < 5.0  # answered (the timeout would raise)


def test_log_ends_closed_refuse_to_open_a_new_client() -> None:
    """A marks or lag task still running at shutdown must not leave a new connection behind."""
    ends = LogEnds(Settings())

    async def after_close() -> None:
        await ends.close()
        with pytest.raises(RuntimeError, match="closed"):
            await ends.read([TopicPartition("t", 0)], timeout=1.0)

    asyncio.run(after_close())
