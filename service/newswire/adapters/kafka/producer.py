"""The producer of the commands that write the raw topic (`replay`, `poll`), made one way."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer, TopicPartition

from newswire.adapters.kafka.security import client_options
from newswire.settings import Settings


async def start_raw_producer(settings: Settings, topic: str) -> AIOKafkaProducer:
    """Started, idempotent, acks=all, and connected to every partition leader of `topic`.

    The leaders are connected before the first record is stamped: the dedupe stage orders by
    timestamps and assumes a record is appended soon after it is stamped
    (NEWSWIRE_DEDUPE_ORDER_MARGIN_MS); a first connection (with TLS and SASL, several round
    trips) made after stamping would eat into that margin."""
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        **client_options(settings),
        acks="all",
        enable_idempotence=True,
        max_request_size=settings.max_message_bytes,
        linger_ms=5,
    )
    await producer.start()
    try:
        partitions = await producer.partitions_for(topic)
        client = producer.client
        leaders = {
            client.cluster.leader_for_partition(TopicPartition(topic, p)) for p in partitions
        }
        for node in leaders - {None, -1}:
            await client.ready(node)
    except BaseException:
        await producer.stop()
        raise
    return producer
