"""The nodes of a local cluster, one by one: their status, launch, stop, and a SIGKILL (a crash)
and restart for failover tests and the chaos suite."""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from newswire.devbroker.common import (
    _CHILDREN,
    DEFAULT_HOST,
    BrokerError,
    Status,
    _is_our_broker,
    _port_is_free,
    _read_pid,
    _signal,
    _wait_gone,
)
from newswire.devbroker.jars import _kafka_jar_version
from newswire.devbroker.layout import (
    cluster_dir,
    node_dir,
    node_ports,
)
from newswire.devbroker.node import _launch, _wait_ready

DEFAULT_CLUSTER_HEAP = "384m"  # x3 JVMs on a 2-core dev box that also runs workers and spaCy
# C1 only: three JVMs warming up at once on 2 cores start in ~8 s instead of ~17 s (C2's
# compiler threads compete for the cores); peak throughput matters little for a test cluster.
_JVM_FLAGS = ("-XX:TieredStopAtLevel=1",)
QUORUM_LOSS_GRACE = 6.0  # > the 5 s a controller may spend handing over its quorum leadership
_NODE_DIR = re.compile(r"^node-(\d+)$")


DEFAULT_CLUSTER_HEAP = "384m"  # x3 JVMs on a 2-core dev box that also runs workers and spaCy
# C1 only: three JVMs warming up at once on 2 cores start in ~8 s instead of ~17 s (C2's
# compiler threads compete for the cores); peak throughput matters little for a test cluster.
_JVM_FLAGS = ("-XX:TieredStopAtLevel=1",)


def _node_count(home: Path, port: int) -> int:
    folder = cluster_dir(home, port)
    if not folder.is_dir():
        return 0
    ids = [int(m.group(1)) for p in folder.iterdir() if (m := _NODE_DIR.match(p.name))]
    return max(ids, default=0)


def _node_status(home: Path, port: int, node_id: int, host: str) -> Status:
    folder = node_dir(home, port, node_id)
    config = folder / "server.properties"
    pid = _read_pid(folder / "kafka.pid")
    running = pid is not None and _is_our_broker(pid, config)
    broker_port, controller_port = node_ports(port, node_id)
    return Status(
        running=running,
        pid=pid if running else None,
        host=host,
        port=broker_port,
        controller_port=controller_port,
        version=_kafka_jar_version(home / "lib"),
        home=home,
        log_file=folder / "kafka.log",
        data_dir=folder / "data",
        node_id=node_id,
    )


def _check_ports_free(host: str, port: int, node_ids: list[int]) -> None:
    for node_id in node_ids:
        for kind, p in zip(("broker", "controller"), node_ports(port, node_id), strict=True):
            if not _port_is_free(host, p):
                raise BrokerError(
                    f"{kind} port {host}:{p} of node {node_id} is already in use by another process"
                )


def _launch_node(
    java_exe: str, classpath: str, heap: str, home: Path, port: int, node_id: int
) -> subprocess.Popen[bytes]:
    folder = node_dir(home, port, node_id)
    return _launch(
        java_exe,
        classpath,
        heap,
        folder / "server.properties",
        folder / "kafka.log",
        folder / "kafka.pid",
        folder,
        extra_flags=_JVM_FLAGS,
    )


def _stop_nodes(home: Path, port: int, node_ids: list[int], timeout: float) -> list[int]:
    """SIGTERM ``node_ids`` and wait; returns the nodes that had to be SIGKILLed."""
    nodes = _node_count(home, port)
    waiting: dict[int, int] = {}
    for node_id in node_ids:
        status = _node_status(home, port, node_id, DEFAULT_HOST)
        if status.running and status.pid is not None:
            _signal(status.pid, signal.SIGTERM)
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
    _signal(pid, signal.SIGKILL)
    if not _wait_gone(pid, folder / "server.properties", time.monotonic() + 10.0):
        raise BrokerError(f"Kafka (pid {pid}) did not die after SIGKILL")


def _forget(pid: int | None) -> None:
    """Reap a child of this process, so that it leaves no zombie behind."""
    child = _CHILDREN.pop(pid, None) if pid is not None else None
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
        _wait_ready(host, status.port, deadline, status.pid, status.log_file)
    except BrokerError:
        _stop_nodes(home, port, [node_id], timeout=10.0)
        raise
    return _node_status(home, port, node_id, host)
