"""The chaos suite's own brokers, from `newswire.devbroker.node`: a single node on 39192 (controller
39193) and a three-node cluster on base port 39292, under <repo>/.kafka. Never 9092 (the
demo's) or 39092 (the test suite's). SIGKILL is a crash: no controlled shutdown."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from newswire import devbroker as broker

REPO = Path(__file__).resolve().parents[1]
KAFKA_HOME = REPO / ".kafka"
SINGLE_PORT = 39192
CLUSTER_PORT = 39292
CLUSTER_NODES = 3


@contextlib.contextmanager
def exclusive(home: Path = KAFKA_HOME) -> Iterator[None]:
    """One chaos run at a time on this host: the phases kill the brokers they use."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / "chaos.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another chaos run holds {home / 'chaos.lock'}; waiting", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SingleBroker:
    def __init__(self, home: Path = KAFKA_HOME, port: int = SINGLE_PORT) -> None:
        self.home, self.port = home, port

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return broker.status(self.home, self.port).log_file

    def start(self) -> None:
        broker.start(self.home, self.port, timeout=180.0, controller_port=self.port + 1)

    def kill(self) -> None:
        pid = broker.status(self.home, self.port).pid
        if pid is None:
            raise RuntimeError(f"the broker on {self.port} does not run")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while broker.status(self.home, self.port).running:  # status() reaps our child
            if time.monotonic() > deadline:
                raise RuntimeError(f"broker pid {pid} survived SIGKILL")
            time.sleep(0.05)

    def stop(self) -> None:
        broker.stop(self.home, self.port)


class Cluster:
    """Three nodes through the cluster API of newswire.devbroker.node (start_cluster, kill_node,
    restart_node, stop_cluster, cluster_status)."""

    def __init__(self, home: Path = KAFKA_HOME, port: int = CLUSTER_PORT) -> None:
        self.home, self.port = home, port
        missing = [
            n
            for n in (
                "start_cluster",
                "stop_cluster",
                "kill_node",
                "restart_node",
                "cluster_status",
            )
            if not hasattr(broker, n)
        ]
        if missing:
            raise RuntimeError(
                f"newswire.devbroker.node has no cluster API yet (missing: {missing})"
            )

    @property
    def bootstrap(self) -> str:
        ports = [self.port + i for i in range(CLUSTER_NODES)]
        return ",".join(f"127.0.0.1:{p}" for p in ports)

    @property
    def log_dir(self) -> Path:
        return self.home / f"cluster-{self.port}"

    def start(self) -> None:
        broker.start_cluster(self.home, self.port, nodes=CLUSTER_NODES, timeout=240.0)

    def kill(self, node_id: int) -> None:
        broker.kill_node(self.home, self.port, node_id)

    def restart(self, node_id: int) -> None:
        broker.restart_node(self.home, self.port, node_id, timeout=120.0)

    def stop(self) -> None:
        broker.stop_cluster(self.home, self.port)
