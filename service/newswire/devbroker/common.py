"""What the single broker and the cluster share: the error, the status, broker settings for a
throwaway development cluster, and process helpers (pid files, signals, ports, locks, logs)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"

DEFAULT_HEAP = "512m"

_MAIN_CLASS = "kafka.Kafka"

_STORAGE_TOOL = "kafka.tools.StorageTool"

# Broker settings for a throwaway single-node development / test cluster. Callers may
# override or add any of them through ``start(..., properties={...})``.
_DEFAULT_PROPERTIES: dict[str, str] = {
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    "auto.create.topics.enable": "true",
    "num.partitions": "1",
    "default.replication.factor": "1",
    "min.insync.replicas": "1",
}

_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
    # slf4j-simple (see the pom) writes to stderr, which goes to logs/kafka-<port>.log.
    "-Dorg.slf4j.simpleLogger.showDateTime=true",
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss,SSS",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
)

# Brokers this process launched, kept so that they can be reaped (no zombies, no
# "subprocess is still running" ResourceWarning).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class BrokerError(RuntimeError):
    """The broker or its jars could not be set up, started or stopped."""


@dataclass(frozen=True)
class Status:
    """What is known about the broker of one port under one home."""

    running: bool
    pid: int | None
    host: str
    port: int
    controller_port: int | None
    version: str | None
    home: Path
    log_file: Path
    data_dir: Path
    node_id: int | None = None  # set for the nodes of a cluster (newswire.devbroker.cluster)

    @property
    def bootstrap_servers(self) -> str:
        """``host:port``, for aiokafka's ``bootstrap_servers``."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """``kafka://host:port``, for faust's ``broker`` setting."""
        return f"kafka://{self.host}:{self.port}"


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _is_our_broker(pid: int, config: Path) -> bool:
    """True if ``pid`` is alive (not a zombie) and is kafka.Kafka run with ``config``."""
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True  # our own child, not exited (so not reaped: its pid is not reused)
        del _CHILDREN[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, but someone else's
    proc = Path("/proc") / str(pid)
    if not proc.is_dir():  # no procfs: trust the pid file
        return True
    for _ in range(20):
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            return False
        if argv != [b""] or state == "Z":
            break
        # An empty command line: the process is inside execve() (the java launcher may exec
        # itself again at start-up); seen when polling a node that has just been started.
        time.sleep(0.05)
    return state != "Z" and _MAIN_CLASS.encode() in argv and str(config).encode() in argv


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_gone(pid: int, config: Path, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if not _is_our_broker(pid, config):
            return True
        time.sleep(0.1)
    return not _is_our_broker(pid, config)


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def run_tool(cmd: list[str], *, what: str, timeout: float, redact: tuple[str, ...] = ()) -> str:
    """Run a command-line tool (Maven, a Kafka admin class) to its end and return its output;
    a time-out or a failure is a BrokerError saying `what` failed, with the end of the output
    (`redact`ed: the tool may echo a secret it was given)."""

    def clean(text: str) -> str:
        for secret in redact:
            text = text.replace(secret, "***")
        return text

    try:
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BrokerError(
            f"{what} did not finish within {timeout:.0f} s: {clean(' '.join(cmd))}"
        ) from exc
    output = clean(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        tail = output.strip()[-4000:]
        raise BrokerError(f"{what} failed (exit {proc.returncode}): {clean(' '.join(cmd))}\n{tail}")
    return output
