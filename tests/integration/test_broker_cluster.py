"""The local three-node KRaft cluster (``newswire.devbroker.cluster``) when a broker crashes.

A topic with replication factor 3 and min.insync.replicas 2 gets records from an idempotent
acks=all producer while the leader of its partition is SIGKILLed, then restarted; later the
whole cluster is stopped and started. Every record is checked: none lost, none duplicated, in
order. How long the failover takes is printed (run with -s), never asserted.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from click.testing import CliRunner
from nw_harness import port_in_use  # loaded by conftest.py

from newswire import devbroker as broker_cluster
from newswire.devbroker import ClusterStatus
from newswire.devbroker import probe as kafka_wire
from newswire.entrypoints.cli import main

pytestmark = pytest.mark.timeout(300)  # a hang guard only


async def _wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> float:
    """Poll a blocking ``check`` until it holds; return the seconds it took."""
    start = time.monotonic()
    while not await asyncio.to_thread(check):
        if time.monotonic() - start > timeout:
            pytest.fail(f"{what}: not reached within {timeout:.0f} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


def _isr(cluster: ClusterStatus, topic: str) -> list[int]:
    state = broker_cluster.partitions(cluster.port, topic).get(0)
    return sorted(state.isr) if state is not None and state.leader is not None else []


def _known_to_all(cluster: ClusterStatus, topic: str) -> bool:
    for port in cluster.ports:
        state = kafka_wire.metadata(cluster.host, port, [topic]).partitions.get((topic, 0))
        if state is None or state.leader is None or len(state.isr) != 3:
            return False
    return True


async def _create_topic(cluster: ClusterStatus, topic: str) -> None:
    """Create ``topic`` (1 partition, RF 3, min.insync.replicas 2); return once every node
    knows it with three replicas in sync and its min.insync.replicas reads back as 2."""
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(topic, 1, 3, topic_configs={"min.insync.replicas": "2"})]
        )
        # Each broker applies the new topic from the metadata log on its own time.
        await _wait_for(lambda: _known_to_all(cluster, topic), "the topic on every node")
        [answer] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    [resource] = answer.to_object()["resources"]
    assert resource["error_code"] == 0, resource
    configs = {e["config_names"]: e["config_value"] for e in resource["config_entries"]}
    assert configs["min.insync.replicas"] == "2"


async def _produce(producer: AIOKafkaProducer, topic: str, values: list[bytes]) -> None:
    pending = [await producer.send(topic, value) for value in values]
    await asyncio.gather(*pending)


async def _consume(consumer: AIOKafkaConsumer, count: int, timeout: float = 60.0) -> list[bytes]:
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        batches = await consumer.getmany(timeout_ms=500)
        got += [r.value for records in batches.values() for r in records if r.value is not None]
    return got


@pytest.fixture
async def producer(kafka_cluster: ClusterStatus) -> AsyncIterator[AIOKafkaProducer]:
    client = AIOKafkaProducer(
        bootstrap_servers=kafka_cluster.bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
    )
    await client.start()
    yield client
    await client.stop()


def _values(prefix: str, count: int) -> list[bytes]:
    return [f"{prefix}-{i:04d}".encode() for i in range(count)]


async def test_sigkilled_leader_loses_and_duplicates_nothing(
    kafka_cluster: ClusterStatus, producer: AIOKafkaProducer
) -> None:
    cluster = kafka_cluster
    home, port = cluster.home, cluster.port
    assert broker_cluster.cluster_status(home, port).running
    assert broker_cluster.controller_leader(port) in {1, 2, 3}
    topic = f"nwc-{uuid.uuid4().hex[:8]}"
    await _create_topic(cluster, topic)

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=cluster.bootstrap_servers,
        group_id=f"{topic}-readers",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        before, during, after, rejoined = (
            _values("before", 200),
            _values("during", 20),
            _values("after", 200),
            _values("rejoined", 50),
        )
        await _produce(producer, topic, before)
        assert await _consume(consumer, len(before)) == before
        await consumer.commit()

        victim = broker_cluster.partition_leader(port, topic, 0)
        controller = broker_cluster.controller_leader(port)
        assert victim in {1, 2, 3}
        survivors = sorted({1, 2, 3} - {victim})
        killed_at = time.monotonic()
        await asyncio.to_thread(broker_cluster.kill_node, home, port, victim)
        assert not broker_cluster.cluster_status(home, port).node(victim).running

        def moved() -> bool:
            return broker_cluster.partition_leader(port, topic, 0) in survivors

        watch_started = time.monotonic() - killed_at
        leader_moved = asyncio.create_task(_wait_for(moved, "a new partition leader"))
        await producer.send_and_wait(topic, during[0])  # retried until the new leader takes it
        first_ack = time.monotonic() - killed_at
        moved_after = watch_started + await leader_moved
        for value in during[1:]:
            await producer.send_and_wait(topic, value)
        await _produce(producer, topic, after)
        assert broker_cluster.partition_leader(port, topic, 0) in survivors
        assert _isr(cluster, topic) == survivors  # min.insync.replicas 2 still met

        got = await _consume(consumer, len(during) + len(after))
        assert got == during + after
        await consumer.commit()

        restart_started = time.monotonic()
        await asyncio.to_thread(broker_cluster.restart_node, home, port, victim)
        restarted = time.monotonic() - restart_started
        in_sync = await _wait_for(lambda: _isr(cluster, topic) == [1, 2, 3], "ISR of three again")

        await _produce(producer, topic, rejoined)
        assert await _consume(consumer, len(rejoined)) == rejoined
        await consumer.commit()
        total = len(before) + len(during) + len(after) + len(rejoined)
        assert await consumer.committed(next(iter(consumer.assignment()))) == total
    finally:
        await consumer.stop()

    print(
        f"\nSIGKILL of node {victim} (leader of {topic}-0; controller leader: node {controller}): "
        f"new leader in metadata after {moved_after:.2f} s, first acks=all write acknowledged "
        f"after {first_ack:.2f} s; node restarted in {restarted:.1f} s, back in the ISR "
        f"{in_sync:.1f} s later"
    )


async def test_cluster_stops_and_starts_again_with_its_data(kafka_cluster: ClusterStatus) -> None:
    cluster = kafka_cluster
    home, port = cluster.home, cluster.port
    topic = f"nwc-{uuid.uuid4().hex[:8]}"
    await _create_topic(cluster, topic)
    values = _values("kept", 100)
    producer = AIOKafkaProducer(
        bootstrap_servers=cluster.bootstrap_servers, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        await _produce(producer, topic, values)
    finally:
        await producer.stop()

    started = time.monotonic()
    stopped = await asyncio.to_thread(broker_cluster.stop_cluster, home, port)
    stop_seconds = time.monotonic() - started
    assert [n.running for n in stopped.nodes] == [False, False, False]
    for node in stopped.nodes:
        assert not port_in_use(node.port) and not port_in_use(node.controller_port or 0)
        assert not (node.log_file.parent / "kafka.pid").exists()
    killed = [n.node_id for n in stopped.nodes if "newswire: SIGKILL" in n.log_file.read_text()]

    started = time.monotonic()
    again = await asyncio.to_thread(broker_cluster.start_cluster, home, port, 3, timeout=180.0)
    start_seconds = time.monotonic() - started
    assert again.running and again.url == cluster.url
    assert again.cluster_id == cluster.cluster_id

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=again.bootstrap_servers,
        group_id=f"{topic}-readers",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        assert await _consume(consumer, len(values)) == values
    finally:
        await consumer.stop()
    print(
        f"\ncluster stopped in {stop_seconds:.1f} s (SIGKILL needed for nodes {killed or 'none'}), "
        f"started again in {start_seconds:.1f} s"
    )


def test_the_cli_sees_the_running_cluster(kafka_cluster: ClusterStatus) -> None:
    cluster = kafka_cluster
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("NEWSWIRE_")}
    env.update(NEWSWIRE_BROKER=cluster.url, NEWSWIRE_KAFKA_HOME=str(cluster.home))
    runner = CliRunner()

    status = runner.invoke(main, ["broker", "status"], env=env)
    assert status.exit_code == 0, status.output
    assert f"cluster on {cluster.bootstrap_servers}: 3/3 nodes running" in status.output
    assert re.search(r"controller leader: node [123]\b", status.output)

    again = runner.invoke(main, ["broker", "start", "--nodes", "3"], env=env)  # a no-op
    assert again.exit_code == 0, again.output
    assert f"export NEWSWIRE_BROKER='{cluster.url}'" in again.output.splitlines()

    single = runner.invoke(main, ["broker", "start"], env=env)
    assert single.exit_code != 0
    assert "--nodes" in single.output
    assert broker_cluster.cluster_status(cluster.home, cluster.port).running
