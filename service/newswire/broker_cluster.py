"""A local multi-node Apache Kafka cluster (KRaft, combined broker+controller nodes) on one host.

For tests, demos and broker-failover chaos tests. Same jars, JDK and home folder as the
single broker of ``newswire.broker``; every node is one ``kafka.Kafka`` JVM. Layout for base
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
server.properties come from ``newswire.cluster_layout``.

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

import contextlib
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from newswire import broker as _b
from newswire import kafka_wire
from newswire.broker import DEFAULT_HOST, DEFAULT_POM, BrokerError, Status
from newswire.cluster_layout import (
    CONTROLLER_PORT_OFFSET,
    ClusterStatus,
    check_layout,
    cluster_dir,
    cluster_properties,
    node_dir,
    node_ports,
    write_config,
)
from newswire.kafka_wire import PartitionState

__all__ = [
    "CONTROLLER_PORT_OFFSET",
    "DEFAULT_CLUSTER_HEAP",
    "ClusterStatus",
    "cluster_properties",
    "cluster_status",
    "controller_leader",
    "kill_node",
    "node_ports",
    "partition_leader",
    "partitions",
    "remove_cluster",
    "restart_node",
    "start_cluster",
    "stop_cluster",
]

DEFAULT_CLUSTER_HEAP = "384m"  # x3 JVMs on a 2-core dev box that also runs workers and spaCy
# C1 only: three JVMs warming up at once on 2 cores start in ~8 s instead of ~17 s (C2's
# compiler threads compete for the cores); peak throughput matters little for a test cluster.
_JVM_FLAGS = ("-XX:TieredStopAtLevel=1",)
QUORUM_LOSS_GRACE = 6.0  # > the 5 s a controller may spend handing over its quorum leadership
_T = TypeVar("_T")
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
        version=_b._kafka_jar_version(home / "lib"),
    )


def _node_count(home: Path, port: int) -> int:
    folder = cluster_dir(home, port)
    if not folder.is_dir():
        return 0
    ids = [int(m.group(1)) for p in folder.iterdir() if (m := _NODE_DIR.match(p.name))]
    return max(ids, default=0)


def _node_status(home: Path, port: int, node_id: int, host: str) -> Status:
    folder = node_dir(home, port, node_id)
    config = folder / "server.properties"
    pid = _b._read_pid(folder / "kafka.pid")
    running = pid is not None and _b._is_our_broker(pid, config)
    broker_port, controller_port = node_ports(port, node_id)
    return Status(
        running=running,
        pid=pid if running else None,
        host=host,
        port=broker_port,
        controller_port=controller_port,
        version=_b._kafka_jar_version(home / "lib"),
        home=home,
        log_file=folder / "kafka.log",
        data_dir=folder / "data",
        node_id=node_id,
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
    classpath = f"{_b.ensure_kafka_jars(home, pom, mvn=mvn)}/*"
    launched: dict[int, subprocess.Popen[bytes]] = {}
    try:
        with _b._locked(cluster_dir(home, port) / ".lock"):
            existing = _node_count(home, port)
            if existing and existing != nodes:
                raise BrokerError(
                    f"{cluster_dir(home, port)} holds a cluster of {existing} nodes, not {nodes}: "
                    "start it with that count, or stop it and remove that folder"
                )
            if _b.status(home, port, host).running:
                raise BrokerError(f"the single-node broker of {home} runs on port {port}")
            current = cluster_status(home, port, nodes, host)
            down = [n.node_id for n in current.nodes if not n.running and n.node_id]
            _check_ports_free(host, port, down)
            cluster_id = current.cluster_id or _b._random_cluster_id()
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


def _check_ports_free(host: str, port: int, node_ids: list[int]) -> None:
    for node_id in node_ids:
        for kind, p in zip(("broker", "controller"), node_ports(port, node_id), strict=True):
            if not _b._port_is_free(host, p):
                raise BrokerError(
                    f"{kind} port {host}:{p} of node {node_id} is already in use by another process"
                )


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
        cmd = _b._format_command(java_exe, classpath, folder / "server.properties", cluster_id)
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
            failed.append(f"node {node_id} (exit {code}):\n{_b._tail(log, 20)}")
    if failed:
        raise BrokerError("formatting Kafka storage failed for " + "\n".join(failed))


def _launch_node(
    java_exe: str, classpath: str, heap: str, home: Path, port: int, node_id: int
) -> subprocess.Popen[bytes]:
    folder = node_dir(home, port, node_id)
    return _b._launch(
        java_exe,
        classpath,
        heap,
        folder / "server.properties",
        folder / "kafka.log",
        folder / "kafka.pid",
        folder,
        extra_flags=_JVM_FLAGS,
    )


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
                    f"{_b._tail(node.log_file)}"
                )
        try:
            missing = {p: ports - _b._listed_ports(host, p) for p in sorted(ports)}
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
        + _b._tail(node_dir(home, port, i) / "kafka.log", lines)
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


def _stop_nodes(home: Path, port: int, node_ids: list[int], timeout: float) -> list[int]:
    """SIGTERM ``node_ids`` and wait; returns the nodes that had to be SIGKILLed."""
    nodes = _node_count(home, port)
    waiting: dict[int, int] = {}
    for node_id in node_ids:
        status = _node_status(home, port, node_id, DEFAULT_HOST)
        if status.running and status.pid is not None:
            _b._signal(status.pid, signal.SIGTERM)
            waiting[node_id] = status.pid
    deadline = time.monotonic() + timeout
    quorum_lost: float | None = None
    killed: list[int] = []
    while waiting:
        for node_id in [
            n for n in waiting if not _node_status(home, port, n, DEFAULT_HOST).running
        ]:
            _forget(waiting.pop(node_id))
        alive = sum(_node_status(home, port, i, DEFAULT_HOST).running for i in range(1, nodes + 1))
        if waiting and alive <= nodes // 2 and quorum_lost is None:
            quorum_lost = time.monotonic()
        now = time.monotonic()
        stuck = quorum_lost is not None and now - quorum_lost >= QUORUM_LOSS_GRACE
        if waiting and (stuck or now >= deadline):
            why = "no controller quorum left" if stuck else f"{timeout:.0f} s"
            for node_id, pid in waiting.items():
                folder = node_dir(home, port, node_id)
                with (folder / "kafka.log").open("a") as log:
                    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
                    log.write(f"\n==== {stamp} newswire: SIGKILL after SIGTERM ({why})\n")
                _kill(pid, folder)
                _forget(pid)
                killed.append(node_id)
            waiting.clear()
        time.sleep(0.1)
    for node_id in node_ids:
        (node_dir(home, port, node_id) / "kafka.pid").unlink(missing_ok=True)
    return killed


def _kill(pid: int, folder: Path) -> None:
    _b._signal(pid, signal.SIGKILL)
    if not _b._wait_gone(pid, folder / "server.properties", time.monotonic() + 10.0):
        raise BrokerError(f"Kafka (pid {pid}) did not die after SIGKILL")


def _forget(pid: int | None) -> None:
    """Reap a child of this process, so that it leaves no zombie behind."""
    child = _b._CHILDREN.pop(pid, None) if pid is not None else None
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1.0)


def kill_node(home: Path, port: int, node_id: int) -> Status:
    """SIGKILL one node (no controlled shutdown: a crash) and wait until it is gone.

    Raises BrokerError if that node does not run.
    """
    home = Path(home).resolve()
    node = _node_status(home, port, node_id, DEFAULT_HOST)
    if not node.running or node.pid is None:
        raise BrokerError(f"node {node_id} of the cluster on port {port} does not run")
    folder = node_dir(home, port, node_id)
    _kill(node.pid, folder)
    _forget(node.pid)
    (folder / "kafka.pid").unlink(missing_ok=True)
    return _node_status(home, port, node_id, node.host)


def restart_node(
    home: Path,
    port: int,
    node_id: int,
    host: str = DEFAULT_HOST,
    timeout: float = 60.0,
    *,
    heap: str = DEFAULT_CLUSTER_HEAP,
    java: str = "java",
) -> Status:
    """Start one node again (stopping it first, with SIGTERM, if it runs) with its last config.

    Returns once the node lists itself in its metadata, i.e. the active controller has
    unfenced it; its replicas may still be catching up (watch ``partitions(...)`` ISRs).
    """
    home = Path(home).resolve()
    folder = node_dir(home, port, node_id)
    if not (folder / "server.properties").is_file():
        raise BrokerError(f"no node {node_id} under {cluster_dir(home, port)}: start_cluster first")
    java_exe = shutil.which(java)
    if java_exe is None:
        raise BrokerError(f"Java ({java!r}) is not on PATH")
    deadline = time.monotonic() + timeout
    _stop_nodes(home, port, [node_id], timeout=30.0)
    _check_ports_free(host, port, [node_id])
    _launch_node(java_exe, f"{home / 'lib'}/*", heap, home, port, node_id)
    status = _node_status(home, port, node_id, host)
    try:
        _b._wait_ready(host, status.port, deadline, status.pid, status.log_file)
    except BrokerError:
        _stop_nodes(home, port, [node_id], timeout=10.0)
        raise
    return _node_status(home, port, node_id, host)


def remove_cluster(home: Path, port: int) -> None:
    """Delete the folder of a stopped cluster (configs, data, logs). Refuses while a node runs."""
    home = Path(home).resolve()
    status = cluster_status(home, port)
    if status.running_nodes:
        raise BrokerError(f"nodes {status.running_nodes} of the cluster on port {port} still run")
    shutil.rmtree(cluster_dir(home, port), ignore_errors=True)


# --------------------------------------------------------------------------- probes


def partitions(
    port: int, topic: str, *, nodes: int = 3, host: str = DEFAULT_HOST
) -> dict[int, PartitionState]:
    """Leader, replicas and ISR of each partition of ``topic``, from the first node that answers.

    Empty if the topic is unknown. Raises BrokerError if no node answers.
    """
    meta = _ask_any(port, nodes, host, lambda p: kafka_wire.metadata(host, p, [topic]))
    return {index: state for (name, index), state in meta.partitions.items() if name == topic}


def partition_leader(
    port: int, topic: str, partition: int = 0, *, nodes: int = 3, host: str = DEFAULT_HOST
) -> int | None:
    """The node id leading ``topic``/``partition`` (None: unknown topic, or no leader now).

    As the cluster's metadata says: a SIGKILLed leader stays the leader until the controller
    fences it (about broker.session.timeout.ms, 3 s, later).
    """
    state = partitions(port, topic, nodes=nodes, host=host).get(partition)
    return state.leader if state is not None else None


def controller_leader(port: int, *, nodes: int = 3, host: str = DEFAULT_HOST) -> int | None:
    """The node id of the active controller, or None while the quorum has no leader."""
    try:
        quorum = _ask_any(port, nodes, host, lambda p: kafka_wire.describe_quorum(host, p))
    except BrokerError:
        return None
    return quorum.leader


def _ask_any(port: int, nodes: int, host: str, ask: Callable[[int], _T]) -> _T:
    errors: list[str] = []
    for node_id in range(1, nodes + 1):
        broker_port = node_ports(port, node_id)[0]
        try:
            return ask(broker_port)
        except (OSError, ValueError) as exc:
            errors.append(f"{broker_port}: {type(exc).__name__}: {exc}")
    raise BrokerError("no node of the cluster answered: " + "; ".join(errors))
