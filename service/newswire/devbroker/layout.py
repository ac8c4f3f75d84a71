"""Ports, folders and server.properties of the local multi-node Kafka cluster.

Pure (no processes, no sockets): ``newswire.devbroker.cluster`` runs the nodes. Base port P, node
i in 1..N: broker listener ``P + i - 1``, controller listener ``P + 100 + i - 1``; files under
``home/cluster-P/node-<i>/``. See ``newswire.devbroker.cluster`` for the whole picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from newswire.devbroker.common import _DEFAULT_PROPERTIES, BrokerError, Status

__all__ = [
    "CONTROLLER_PORT_OFFSET",
    "MAX_NODES",
    "ClusterStatus",
    "check_layout",
    "cluster_dir",
    "cluster_properties",
    "node_dir",
    "node_ports",
    "write_config",
]

CONTROLLER_PORT_OFFSET = 100
MAX_NODES = 9

# Broker settings for a throwaway local cluster, on top of the single broker's defaults.
# Replication factors and min ISRs are derived from the node count (3 nodes: RF 3, min ISR 2).
_FAILOVER_PROPERTIES: dict[str, str] = {
    # A SIGKILLed broker is fenced (and loses its leaderships) when the active controller has
    # not heard from it for broker.session.timeout.ms (checked every 1/8 of it): 3 s instead
    # of 9 s. Heartbeats every 0.5 s keep six chances per session to get through.
    "broker.session.timeout.ms": "3000",
    "broker.heartbeat.interval.ms": "500",
    # Only an in-sync replica may become leader: never trade acknowledged writes for uptime.
    "unclean.leader.election.enable": "false",
    # A dead follower leaves the ISR as soon as it is fenced; this only bounds how long a live
    # but stuck follower (SIGSTOP, long GC) holds up acks=all writes: 10 s instead of 30 s,
    # still far above the pauses of a loaded 2-core machine, so the ISR does not flap.
    "replica.lag.time.max.ms": "10000",
}
# Left at Kafka's defaults on purpose: controller.quorum.fetch.timeout.ms (2 s) and
# controller.quorum.election.timeout.ms (1 s). When the killed node is also the active
# controller, a new one takes over within ~2 s and fences the dead broker one session later
# (~5.5 s measured in all); shorter would risk needless elections on a busy 2-core host.
# auto.leader.rebalance.enable stays on: leadership goes back to a restarted node's preferred
# replicas at the next check (leader.imbalance.check.interval.seconds, 300 s).


@dataclass(frozen=True)
class ClusterStatus:
    """What is known about the cluster of one base port under one home."""

    host: str
    port: int
    home: Path  # the Kafka home (pass it to kill_node, restart_node, ...)
    nodes: tuple[Status, ...]  # one per node, node_id 1..N
    cluster_id: str | None
    version: str | None

    @property
    def folder(self) -> Path:
        """home/cluster-<port>: the nodes' configs, data, logs and pid files."""
        return cluster_dir(self.home, self.port)

    @property
    def running(self) -> bool:
        """True if every node runs."""
        return bool(self.nodes) and all(n.running for n in self.nodes)

    @property
    def running_nodes(self) -> list[int]:
        return [n.node_id for n in self.nodes if n.running and n.node_id is not None]

    @property
    def ports(self) -> list[int]:
        return [n.port for n in self.nodes]

    @property
    def bootstrap_servers(self) -> str:
        """``host:p1,host:p2,...``, for aiokafka's ``bootstrap_servers``."""
        return ",".join(n.bootstrap_servers for n in self.nodes)

    @property
    def url(self) -> str:
        """``kafka://host:p1;kafka://host:p2;...``, for NEWSWIRE_BROKER and faust."""
        return ";".join(n.url for n in self.nodes)

    def node(self, node_id: int) -> Status:
        for status in self.nodes:
            if status.node_id == node_id:
                return status
        raise KeyError(f"no node {node_id} in the cluster of port {self.port}")


# --------------------------------------------------------------------------- layout


def node_ports(port: int, node_id: int) -> tuple[int, int]:
    """(broker port, controller port) of ``node_id`` (1-based) in the cluster of base ``port``."""
    return port + node_id - 1, port + CONTROLLER_PORT_OFFSET + node_id - 1


def cluster_dir(home: Path, port: int) -> Path:
    return home / f"cluster-{port}"


def node_dir(home: Path, port: int, node_id: int) -> Path:
    return cluster_dir(home, port) / f"node-{node_id}"


def check_layout(port: int, nodes: int) -> None:
    if not 2 <= nodes <= MAX_NODES:
        raise BrokerError(f"a local cluster has 2 to {MAX_NODES} nodes, not {nodes}")
    if port < 1024 or node_ports(port, nodes)[1] > 65535:
        raise BrokerError(f"base port {port} leaves no room for {nodes} nodes (ports 1024-65535)")


def cluster_properties(
    host: str,
    port: int,
    nodes: int,
    node_id: int,
    data_dir: Path,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The server.properties of one node (``extra`` overrides or extends them)."""
    check_layout(port, nodes)
    if not 1 <= node_id <= nodes:
        raise BrokerError(f"node id {node_id} is not in 1..{nodes}")
    broker_port, controller_port = node_ports(port, node_id)
    voters = ",".join(f"{i}@{host}:{node_ports(port, i)[1]}" for i in range(1, nodes + 1))
    replication = min(nodes, 3)
    min_isr = max(replication - 1, 1)  # acks=all survives one lost replica
    return {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{host}:{broker_port},CONTROLLER://{host}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{host}:{broker_port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        # As for the single broker, one partition per internal topic: quick to create, and a
        # chaos test finds the group coordinator with partition_leader(.., "__consumer_offsets").
        **_DEFAULT_PROPERTIES,
        "offsets.topic.replication.factor": str(replication),
        "transaction.state.log.replication.factor": str(replication),
        "transaction.state.log.min.isr": str(min_isr),
        "share.coordinator.state.topic.replication.factor": str(replication),
        "share.coordinator.state.topic.min.isr": str(min_isr),
        "default.replication.factor": str(replication),
        "min.insync.replicas": str(min_isr),
        **_FAILOVER_PROPERTIES,
        **(extra or {}),
    }


def write_config(path: Path, props: Mapping[str, str]) -> None:
    lines = ["# Written by newswire.devbroker.cluster on every cluster start."]
    lines += [f"{key}={value}" for key, value in props.items()]
    path.write_text("\n".join(lines) + "\n")
