"""Leader failover of the local three-node KRaft cluster (newswire.devbroker.cluster).

Each round creates a one-partition topic (RF 3, min.insync.replicas 2) whose leader is chosen,
SIGKILLs that leader and measures, from the kill:

- ``moved``: until the cluster's metadata names a new leader (the dead broker was fenced);
- ``ack``:   until an idempotent acks=all aiokafka producer gets its first write acknowledged.

Rounds alternate between a leader that is not the active controller and one that is (then a
new controller must be elected first). The node is restarted and back in the ISR before the
next round. Numbers only, no thresholds::

    .venv/bin/python bench/bench_failover.py [--rounds 6] [--port 29792] [--json out.json]
        [--set broker.session.timeout.ms=9000 --set broker.heartbeat.interval.ms=2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from newswire import devbroker as broker_cluster

HOME = Path(__file__).resolve().parents[1] / ".kafka"


async def _wait(check: Callable[[], bool], timeout: float = 60.0) -> float:
    start = time.monotonic()
    while not await asyncio.to_thread(check):
        if time.monotonic() - start > timeout:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def _round(cluster: broker_cluster.ClusterStatus, with_controller: bool) -> dict[str, object]:
    port, home = cluster.port, cluster.home
    controller = broker_cluster.controller_leader(port)
    assert controller is not None
    victim = controller if with_controller else (controller % 3) + 1
    others = [n for n in (1, 2, 3) if n != victim]
    topic = f"nwb-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(
                    topic,
                    -1,
                    -1,
                    replica_assignments={0: [victim, *others]},
                    topic_configs={"min.insync.replicas": "2"},
                )
            ]
        )
    finally:
        await admin.close()

    def in_sync() -> bool:
        state = broker_cluster.partitions(port, topic).get(0)
        return state is not None and state.leader == victim and len(state.isr) == 3

    await _wait(in_sync)
    producer = AIOKafkaProducer(
        bootstrap_servers=cluster.bootstrap_servers, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"warm-up")
        killed = time.monotonic()
        await asyncio.to_thread(broker_cluster.kill_node, home, port, victim)
        watch_started = time.monotonic() - killed
        moved_task = asyncio.create_task(
            _wait(lambda: broker_cluster.partition_leader(port, topic, 0) in others)
        )
        await producer.send_and_wait(topic, b"after the kill")
        ack = time.monotonic() - killed
        moved = watch_started + await moved_task
    finally:
        await producer.stop()
    restart = time.monotonic()
    await asyncio.to_thread(broker_cluster.restart_node, home, port, victim)
    restarted = time.monotonic() - restart
    return {
        "victim": victim,
        "was_controller": with_controller,
        "moved_s": round(moved, 2),
        "ack_s": round(ack, 2),
        "restart_s": round(restarted, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--port", type=int, default=29792, help="base port (below 32768)")
    parser.add_argument("--json", type=Path, help="write the rounds here")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a server property, e.g. broker.session.timeout.ms=9000 (Kafka's default)",
    )
    args = parser.parse_args()
    properties = dict(item.split("=", 1) for item in args.set)
    logging.basicConfig(level=logging.CRITICAL)  # aiokafka logs every refused connection
    broker_cluster.stop_cluster(HOME, args.port)
    broker_cluster.remove_cluster(HOME, args.port)
    started = time.monotonic()
    cluster = await asyncio.to_thread(
        lambda: broker_cluster.start_cluster(HOME, args.port, 3, properties=properties)
    )
    print(f"cluster {cluster.bootstrap_servers} started in {time.monotonic() - started:.1f} s")
    rounds = []
    try:
        for i in range(args.rounds):
            result = await _round(cluster, with_controller=bool(i % 2))
            rounds.append(result)
            print(json.dumps(result))
    finally:
        await asyncio.to_thread(broker_cluster.stop_cluster, HOME, args.port)
        broker_cluster.remove_cluster(HOME, args.port)
    for kind in (False, True):
        chosen = [r for r in rounds if r["was_controller"] is kind]
        if chosen:
            name = "leader + active controller" if kind else "leader only"
            for key in ("moved_s", "ack_s"):
                values = [float(r[key]) for r in chosen]  # type: ignore[arg-type]
                print(
                    f"{name:27} {key}: median {statistics.median(values):.2f}, "
                    f"max {max(values):.2f} (n={len(values)})"
                )
    if args.json:
        args.json.write_text(json.dumps(rounds, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
