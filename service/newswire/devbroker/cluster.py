"""A local multi-node Apache Kafka cluster (KRaft, combined broker+controller nodes) on one host.

For tests, demos and broker-failover chaos tests. Same jars, JDK and home folder as the
single broker of ``newswire.devbroker.node``; every node is one ``kafka.Kafka`` JVM. Layout for base
port P (default 9092)::

    home/lib/                                 jars, shared with the single broker
    home/cluster-P/node-<i>/server.properties written on every start of the cluster
    home/cluster-P/node-<i>/data/             metadata log and topic data (formatted once)
    home/cluster-P/node-<i>/kafka.log         the JVM's stdout and stderr
    home/cluster-P/node-<i>/kafka.pid

Ports of node i (1..N): broker listener ``P + i - 1`` (9092, 9093, 9094) and controller
listener ``P + 100 + i - 1`` (9192, 9193, 9194). Fixed rather than picked at random, so that
``controller.quorum.voters`` stays the same across restarts and a killed node comes back on
its own ports; the single broker's controller port (P + 1) is not used by the cluster. Pick
bases below 32768 for tests: above, in Linux's ephemeral range, an outgoing connection may take
a node's port in the ~10 s before a (re)starting node binds it. Ports, folders and the
server.properties come from ``newswire.devbroker.layout``.

Typical use (chaos test)::

    cluster = start_cluster(home, 9092)              # cluster.url: kafka://...:9092;...:9093;...
    leader = partition_leader(9092, "newswire.raw", 0)
    kill_node(home, 9092, leader)                    # SIGKILL
    ...
    restart_node(home, 9092, leader)
    stop_cluster(home, 9092)

The functions block; from async code use ``asyncio.to_thread``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from newswire.devbroker.cluster_nodes import (
    DEFAULT_CLUSTER_HEAP,
    _check_ports_free,
    _launch_node,
    _node_count,
    _node_status,
    _stop_nodes,
)
from newswire.devbroker.common import (
    DEFAULT_HOST,
    BrokerError,
    _locked,
    _tail,
)
from newswire.devbroker.jars import DEFAULT_POM, _kafka_jar_version, ensure_kafka_jars
from newswire.devbroker.kraft import _format_command, _random_cluster_id
from newswire.devbroker.layout import (
    ClusterStatus,
    check_layout,
    cluster_dir,
    cluster_properties,
    node_dir,
    node_ports,
    write_config,
)
from newswire.devbroker.leaders import controller_leader
from newswire.devbroker.node import _listed_ports, status

QUORUM_LOSS_GRACE = 6.0  # > the 5 s a controller may spend handing over its quorum leadership
_NODE_DIR = re.compile(r"^node-(\d+)$")


# --------------------------------------------------------------------------- status


def cluster_status(
    home: Path, port: int, nodes: int | None = None, host: str = DEFAULT_HOST
) -> ClusterStatus:
    """Which nodes of the cluster of ``port`` under ``home`` run (pid files and processes only).

    ``nodes``: the node count; by default the number of node folders (none: no cluster yet).
    """
    home = Path(home).resolve()
    count = _node_count(home, port) if nodes is None else nodes
    statuses = tuple(_node_status(home, port, i, host) for i in range(1, count + 1))
    return ClusterStatus(
        host=host,
        port=port,
        home=home,
        nodes=statuses,
        cluster_id=_existing_cluster_id(home, port, count),
        version=_kafka_jar_version(home / "lib"),
    )


def _existing_cluster_id(home: Path, port: int, nodes: int) -> str | None:
    for node_id in range(1, nodes + 1):
        meta = node_dir(home, port, node_id) / "data" / "meta.properties"
        try:
            match = re.search(r"^cluster\.id=(\S+)$", meta.read_text(), re.M)
        except OSError:
            continue
        if match:
            return match.group(1)
    return None


# --------------------------------------------------------------------------- start


def start_cluster(
    home: Path,
    port: int,
    nodes: int = 3,
    host: str = DEFAULT_HOST,
    timeout: float = 120.0,
    *,
    heap: str = DEFAULT_CLUSTER_HEAP,
    properties: Mapping[str, str] | None = None,
    pom: Path = DEFAULT_POM,
    java: str = "java",
    mvn: str = "mvn",
) -> ClusterStatus:
    """Start the nodes of the cluster of ``port`` that do not run, and wait until it serves.

    Returns once every node's Metadata answer lists all ``nodes`` brokers and the controller
    quorum has a leader. Nodes that already run are left alone (a no-op when all do).
    The storage of every node is formatted once, with one cluster id shared by all nodes;
    topics and offsets survive a stop and start. ``properties`` override or extend the
    generated server.properties (see ``cluster_properties``).

    Raises BrokerError if java or mvn is missing, a port is taken, the node count differs from
    the existing cluster's, a node exits, or the cluster is not ready within ``timeout``
    seconds (the message carries the tail of every node's log). Nodes launched by this call
    are stopped again on failure.
    """
    home = Path(home).resolve()
    check_layout(port, nodes)
    deadline = time.monotonic() + timeout
    java_exe = shutil.which(java)
    if java_exe is None:
        raise BrokerError(
            f"Java ({java!r}) is not on PATH; Kafka needs a JDK 17+ "
            "(Debian: apt-get install openjdk-17-jdk-headless)."
        )
    classpath = f"{ensure_kafka_jars(home, pom, mvn=mvn)}/*"
    launched: dict[int, subprocess.Popen[bytes]] = {}
    try:
        with _locked(cluster_dir(home, port) / ".lock"):
            existing = _node_count(home, port)
            if existing and existing != nodes:
                raise BrokerError(
                    f"{cluster_dir(home, port)} holds a cluster of {existing} nodes, not {nodes}: "
                    "start it with that count, or stop it and remove that folder"
                )
            if status(home, port, host).running:
                raise BrokerError(f"the single-node broker of {home} runs on port {port}")
            current = cluster_status(home, port, nodes, host)
            down = [n.node_id for n in current.nodes if not n.running and n.node_id]
            _check_ports_free(host, port, down)
            cluster_id = current.cluster_id or _random_cluster_id()
            for node_id in down:  # a running node keeps the config it was started with
                folder = node_dir(home, port, node_id)
                folder.mkdir(parents=True, exist_ok=True)
                props = cluster_properties(host, port, nodes, node_id, folder / "data", properties)
                write_config(folder / "server.properties", props)
            _format_nodes(java_exe, classpath, home, port, down, cluster_id, deadline)
            for node_id in down:
                launched[node_id] = _launch_node(java_exe, classpath, heap, home, port, node_id)
        _wait_cluster_ready(home, port, nodes, host, deadline, launched)
    except BaseException:
        if launched:
            _stop_nodes(home, port, list(launched), timeout=10.0)
        raise
    return cluster_status(home, port, nodes, host)


def _format_nodes(
    java_exe: str,
    classpath: str,
    home: Path,
    port: int,
    node_ids: list[int],
    cluster_id: str,
    deadline: float,
) -> None:
    """Format the storage of the nodes that have none yet, all at once (one JVM each)."""
    procs: list[tuple[int, subprocess.Popen[bytes]]] = []
    for node_id in node_ids:
        folder = node_dir(home, port, node_id)
        if (folder / "data" / "meta.properties").is_file():
            continue
        cmd = _format_command(java_exe, classpath, folder / "server.properties", cluster_id)
        with (folder / "kafka.log").open("ab") as out:
            out.write(f"\n==== formatting storage: {' '.join(cmd)}\n".encode())
            out.flush()
            procs.append(
                (
                    node_id,
                    subprocess.Popen(
                        cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
                    ),
                )
            )
    failed: list[str] = []
    for node_id, proc in procs:
        try:
            code = proc.wait(timeout=max(deadline - time.monotonic(), 5.0))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = None
        if code != 0:
            log = node_dir(home, port, node_id) / "kafka.log"
            failed.append(f"node {node_id} (exit {code}):\n{_tail(log, 20)}")
    if failed:
        raise BrokerError("formatting Kafka storage failed for " + "\n".join(failed))


def _wait_cluster_ready(
    home: Path,
    port: int,
    nodes: int,
    host: str,
    deadline: float,
    launched: Mapping[int, subprocess.Popen[bytes]],
) -> None:
    ports = {node_ports(port, i)[0] for i in range(1, nodes + 1)}
    last = "not tried"
    while True:
        for node in cluster_status(home, port, nodes, host).nodes:
            child = launched.get(node.node_id or 0)
            code = child.poll() if child is not None else None
            if not node.running or code is not None:
                how = f"exited with code {code}" if code is not None else "stopped running"
                raise BrokerError(
                    f"Kafka node {node.node_id} {how} before the cluster was ready:\n"
                    f"{_tail(node.log_file)}"
                )
        try:
            missing = {p: ports - _listed_ports(host, p) for p in sorted(ports)}
            missing = {p: m for p, m in missing.items() if m}
            if missing:
                last = "; ".join(f"{p} does not list {sorted(m)} yet" for p, m in missing.items())
            elif controller_leader(port, nodes=nodes, host=host) is None:
                last = "the controller quorum has no leader yet"
            else:
                return
        except (OSError, ValueError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise BrokerError(
                f"the Kafka cluster on {host}:{port} was not ready in time ({last})"
                + _log_tails(home, port, nodes)
            )
        time.sleep(0.25)


def _log_tails(home: Path, port: int, nodes: int, lines: int = 15) -> str:
    return "".join(
        f"\n--- node {i} ({node_dir(home, port, i) / 'kafka.log'}):\n"
        + _tail(node_dir(home, port, i) / "kafka.log", lines)
        for i in range(1, nodes + 1)
    )


# --------------------------------------------------------------------------- stop / chaos


def stop_cluster(home: Path, port: int, timeout: float = 30.0) -> ClusterStatus:
    """Stop every node: SIGTERM to all at once; SIGKILL to those still up after ``timeout``.

    A node shuts its broker down first and asks the active controller to approve (controlled
    shutdown); once most nodes have exited there is no controller quorum left to approve, so
    nodes still waiting then are SIGKILLed after ``QUORUM_LOSS_GRACE`` seconds, as Kafka's
    own system tests do for co-located controllers (the kill is noted in their log; their next
    start recovers the logs). A no-op for nodes that do not run. Data stays (``remove_cluster``).
    """
    home = Path(home).resolve()
    nodes = _node_count(home, port)
    _stop_nodes(home, port, list(range(1, nodes + 1)), timeout)
    return cluster_status(home, port, nodes)


def remove_cluster(home: Path, port: int) -> None:
    """Delete the folder of a stopped cluster (configs, data, logs). Refuses while a node runs."""
    home = Path(home).resolve()
    status = cluster_status(home, port)
    if status.running_nodes:
        raise BrokerError(f"nodes {status.running_nodes} of the cluster on port {port} still run")
    shutil.rmtree(cluster_dir(home, port), ignore_errors=True)


# --------------------------------------------------------------------------- probes
