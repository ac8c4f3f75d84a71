"""The local Kafka cluster's layout and server.properties, the wire probes (against a fake broker
on a loopback socket that answers with bytes laid out by hand from Kafka's message schemas) and
the `newswire broker` commands that need no JVM."""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newswire import devbroker as broker
from newswire import devbroker as broker_cluster
from newswire.devbroker import probe as kafka_wire
from newswire.entrypoints.cli import main

HOST = "127.0.0.1"


# --------------------------------------------------------------------------- ports and layout


def test_default_ports_follow_the_documented_scheme() -> None:
    assert [broker_cluster.node_ports(9092, i) for i in (1, 2, 3)] == [
        (9092, 9192),
        (9093, 9193),
        (9094, 9194),
    ]


@pytest.mark.parametrize("port", [9092, 19092, 39492, 65300])
@pytest.mark.parametrize("nodes", [2, 3, 5])
def test_no_two_listeners_share_a_port(port: int, nodes: int) -> None:
    ports = [p for i in range(1, nodes + 1) for p in broker_cluster.node_ports(port, i)]
    assert len(set(ports)) == 2 * nodes
    assert all(1024 <= p <= 65535 for p in ports)


@pytest.mark.parametrize(("port", "nodes"), [(9092, 1), (9092, 10), (9092, 0), (65435, 3), (80, 3)])
def test_impossible_layouts_are_refused(port: int, nodes: int) -> None:
    with pytest.raises(broker.BrokerError):
        broker_cluster.cluster_properties(HOST, port, nodes, 1, Path("/tmp/x"))


@pytest.mark.parametrize("node_id", [0, 4])
def test_node_ids_outside_the_cluster_are_refused(node_id: int) -> None:
    with pytest.raises(broker.BrokerError):
        broker_cluster.cluster_properties(HOST, 9092, 3, node_id, Path("/tmp/x"))


# --------------------------------------------------------------------------- server.properties


def _props(node_id: int, **extra: str) -> dict[str, str]:
    return broker_cluster.cluster_properties(
        HOST, 9092, 3, node_id, Path(f"/k/node-{node_id}/data"), extra or None
    )


def test_each_node_is_a_combined_broker_and_controller_on_its_own_ports() -> None:
    for node_id in (1, 2, 3):
        props = _props(node_id)
        assert props["process.roles"] == "broker,controller"
        assert props["node.id"] == str(node_id)
        port, controller = 9091 + node_id, 9191 + node_id
        assert props["listeners"] == f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller}"
        assert props["advertised.listeners"] == f"PLAINTEXT://{HOST}:{port}"
        assert props["controller.listener.names"] == "CONTROLLER"
        assert props["log.dirs"] == f"/k/node-{node_id}/data"


def test_all_nodes_name_the_same_three_voters() -> None:
    voters = {_props(i)["controller.quorum.voters"] for i in (1, 2, 3)}
    assert voters == {f"1@{HOST}:9192,2@{HOST}:9193,3@{HOST}:9194"}


def test_three_nodes_replicate_everything_three_times_and_ack_with_two() -> None:
    props = _props(2)
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "share.coordinator.state.topic.replication.factor",
        "default.replication.factor",
    ):
        assert props[key] == "3", key
    for key in (
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.min.isr",
        "min.insync.replicas",
    ):
        assert props[key] == "2", key
    assert props["unclean.leader.election.enable"] == "false"


def test_two_nodes_still_survive_the_loss_of_one() -> None:
    props = broker_cluster.cluster_properties(HOST, 9092, 2, 1, Path("/k"))
    assert props["default.replication.factor"] == "2"
    assert props["min.insync.replicas"] == "1"
    assert props["controller.quorum.voters"] == f"1@{HOST}:9192,2@{HOST}:9193"


def test_a_dead_broker_is_fenced_within_seconds() -> None:
    props = _props(1)
    session = int(props["broker.session.timeout.ms"])
    heartbeat = int(props["broker.heartbeat.interval.ms"])
    assert session <= 3000  # Kafka's default is 9000
    assert heartbeat * 4 <= session  # several heartbeats per session: one lost is no fencing
    assert int(props["replica.lag.time.max.ms"]) < 30000


def test_caller_properties_win() -> None:
    props = _props(3, **{"min.insync.replicas": "3", "log.retention.ms": "1000"})
    assert props["min.insync.replicas"] == "3"
    assert props["log.retention.ms"] == "1000"


# --------------------------------------------------------------------------- status without a JVM


def test_status_of_a_home_without_a_cluster(tmp_path: Path) -> None:
    status = broker_cluster.cluster_status(tmp_path, 41092)
    assert status.nodes == ()
    assert not status.running
    assert status.cluster_id is None


def test_status_names_every_node_its_ports_and_files(tmp_path: Path) -> None:
    status = broker.cluster_status(
        tmp_path, 41092, 3
    )  # reached through newswire.devbroker.node too
    assert [n.node_id for n in status.nodes] == [1, 2, 3]
    assert not status.running and status.running_nodes == []
    assert status.bootstrap_servers == f"{HOST}:41092,{HOST}:41093,{HOST}:41094"
    assert status.url == f"kafka://{HOST}:41092;kafka://{HOST}:41093;kafka://{HOST}:41094"
    node = status.node(3)
    assert (node.port, node.controller_port) == (41094, 41194)
    assert node.log_file == tmp_path.resolve() / "cluster-41092" / "node-3" / "kafka.log"
    assert node.data_dir == tmp_path.resolve() / "cluster-41092" / "node-3" / "data"


def test_killing_a_node_that_does_not_run_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(broker.BrokerError, match="does not run"):
        broker_cluster.kill_node(tmp_path, 41092, 2)


# --------------------------------------------------------------------------- wire probes


def _i16(v: int) -> bytes:
    return struct.pack(">h", v)


def _i32(v: int) -> bytes:
    return struct.pack(">i", v)


def _str(s: str) -> bytes:
    return _i16(len(s)) + s.encode()


def _metadata_v4() -> bytes:
    """Three brokers; topic t with partition 0 (leader 2) and 1 (no leader); topic u unknown."""
    brokers = [(1, 41092), (2, 41093), (3, 41094)]
    body = _i32(0) + _i32(len(brokers))  # throttle, brokers
    body += b"".join(_i32(n) + _str(HOST) + _i32(p) + _i16(-1) for n, p in brokers)
    body += _str("cluster-x") + _i32(3)  # cluster id, controller id
    body += _i32(2)  # topics
    body += _i16(0) + _str("t") + b"\x00" + _i32(2)
    body += _i16(0) + _i32(0) + _i32(2) + _i32(3) + _i32(2) + _i32(1) + _i32(3)
    body += _i32(2) + _i32(2) + _i32(3)  # replicas [2, 1, 3], isr [2, 3]
    body += _i16(5) + _i32(1) + _i32(-1) + _i32(1) + _i32(1) + _i32(0)  # leader not available
    body += _i16(3) + _str("u") + b"\x00" + _i32(0)
    return body


def _describe_quorum_v0() -> bytes:
    """Leader 3 at epoch 7, voters 1, 2, 3, no observers. Compact arrays count n + 1."""
    voters = b"".join(_i32(v) + struct.pack(">q", 100) + b"\x00" for v in (1, 2, 3))
    partition = _i32(0) + _i16(0) + _i32(3) + _i32(7) + struct.pack(">q", 100)
    partition += b"\x04" + voters + b"\x01" + b"\x00"
    topic = b"\x13" + b"__cluster_metadata" + b"\x02" + partition + b"\x00"
    return b"\x00\x00" + b"\x02" + topic + b"\x00"


@pytest.fixture
def fake_broker() -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """A loopback server answering ApiVersions v0, Metadata v4 and DescribeQuorum v0 with the
    bytes above; yields its port and the (api key, version) of every request it got."""
    server = socket.create_server((HOST, 0))
    seen: list[tuple[int, int]] = []
    bodies: dict[int, Callable[[], bytes]] = {
        18: lambda: _i16(0) + _i32(0),
        3: _metadata_v4,
        55: _describe_quorum_v0,
    }

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                while head := conn.recv(4, socket.MSG_WAITALL):
                    request = conn.recv(struct.unpack(">i", head)[0], socket.MSG_WAITALL)
                    key, version, correlation = struct.unpack_from(">hhi", request)
                    seen.append((key, version))
                    header = _i32(correlation) + (b"\x00" if key == 55 else b"")
                    answer = header + bodies[key]()
                    conn.sendall(_i32(len(answer)) + answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    server.close()


def test_metadata_reads_brokers_leaders_and_isrs(fake_broker: tuple[int, list]) -> None:
    port, seen = fake_broker
    meta = kafka_wire.metadata(HOST, port, ["t", "u"])
    assert seen == [(18, 0), (3, 4)]
    assert meta.brokers == {1: (HOST, 41092), 2: (HOST, 41093), 3: (HOST, 41094)}
    assert meta.partitions["t", 0].leader == 2
    assert meta.partitions["t", 0].replicas == (2, 1, 3)
    assert meta.partitions["t", 0].isr == (2, 3)
    assert meta.partitions["t", 1].leader is None
    assert meta.partitions["t", 1].error_code == 5
    assert meta.topic_errors == {"u": 3}


def test_describe_quorum_reads_the_active_controller(fake_broker: tuple[int, list]) -> None:
    port, seen = fake_broker
    quorum = kafka_wire.describe_quorum(HOST, port)
    assert seen == [(55, 0)]
    assert (quorum.leader, quorum.leader_epoch, quorum.voters) == (3, 7, (1, 2, 3))


def test_a_truncated_answer_is_a_wire_error() -> None:
    reader = kafka_wire._Reader(b"\x00\x00\x00")
    with pytest.raises(kafka_wire.WireError):
        reader.int32()


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str | None]:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("NEWSWIRE_")}
    env.update(NEWSWIRE_BROKER="kafka://127.0.0.1:41092", NEWSWIRE_KAFKA_HOME=str(tmp_path))
    return env


def test_status_of_a_cluster_that_does_not_run(cli_env: dict[str, str | None]) -> None:
    result = CliRunner().invoke(main, ["broker", "status", "--nodes", "3"], env=cli_env)
    assert result.exit_code == 1, result.output
    assert "0/3 nodes running" in result.output
    for port in (41092, 41093, 41094):
        assert f"127.0.0.1:{port}: not running" in result.output


def test_a_remote_address_in_the_broker_list_is_refused(cli_env: dict[str, str | None]) -> None:
    cli_env["NEWSWIRE_BROKER"] = "kafka://127.0.0.1:41092;kafka://10.0.0.7:9092"
    result = CliRunner().invoke(main, ["broker", "start", "--nodes", "3"], env=cli_env)
    assert result.exit_code != 0
    assert "10.0.0.7" in result.output
