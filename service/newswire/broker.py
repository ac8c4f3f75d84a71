"""Run a real single-node Apache Kafka broker (KRaft mode) on the loopback interface.

The broker's jars come from Maven Central through ``deploy/kafka/pom.xml`` (which pins the
Kafka version) and run with the JDK on the machine: no Docker, no Kafka distribution tarball.

Everything lives under a *home* folder chosen by the caller (the project uses ``<repo>/.kafka``)::

    home/lib/                      jars (ensure_kafka_jars), shared by every port
    home/config/server-<port>.properties
    home/data-<port>/              KRaft metadata and topic data (formatted once)
    home/logs/kafka-<port>.log     the broker's stdout and stderr
    home/kafka-<port>.pid

Typical use::

    status = broker.start(Path(".kafka"), 9092)   # no-op when already running
    ...  # kafka://127.0.0.1:9092
    broker.stop(Path(".kafka"), 9092)

Nothing here reads environment variables: every setting is an argument. The functions block
(start waits for the broker, ~4 s on a fresh home); from async code use ``asyncio.to_thread``.
Tested with Kafka 4.1.1, aiokafka 0.14.0 and faust-streaming 0.15.3.

A local multi-node cluster (``start_cluster``, ``stop_cluster``, ``cluster_status``,
``kill_node``, ``restart_node``, ``partition_leader``, ...) lives in ``newswire.broker_cluster``;
its names can be reached from this module too (``broker.start_cluster``).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from newswire import kafka_wire

__all__ = [
    "DEFAULT_POM",
    "BrokerError",
    "Status",
    "ensure_kafka_jars",
    "start",
    "status",
    "stop",
]

#: ``deploy/kafka/pom.xml`` of this repository (service/newswire/broker.py -> repo root).
DEFAULT_POM = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "pom.xml"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_HEAP = "512m"

_STAMP = ".pom-sha256"
_JAR_VERSION = re.compile(r"^kafka_2\.\d+-(?P<version>.+)\.jar$")
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
    node_id: int | None = None  # set for the nodes of a cluster (newswire.broker_cluster)

    @property
    def bootstrap_servers(self) -> str:
        """``host:port``, for aiokafka's ``bootstrap_servers``."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """``kafka://host:port``, for faust's ``broker`` setting."""
        return f"kafka://{self.host}:{self.port}"


# --------------------------------------------------------------------------- jars


def ensure_kafka_jars(
    home: Path, pom: Path = DEFAULT_POM, *, mvn: str = "mvn", timeout: float = 900.0
) -> Path:
    """Copy the broker's jars from Maven into ``home/lib`` once and return that folder.

    Idempotent: the folder carries the SHA-256 of the pom it came from and is fetched again
    only when the pom changes (e.g. a new pinned Kafka version). The copy goes to a temporary
    folder that is renamed into place, so an interrupted fetch never leaves a half folder.
    """
    home = Path(home).resolve()
    pom = Path(pom).resolve()
    lib = home / "lib"
    if not pom.is_file():
        if _kafka_jar_version(lib):  # e.g. an installed package without deploy/: keep the jars
            return lib
        raise BrokerError(f"Kafka pom not found: {pom}")
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if _lib_is_current(lib, digest):
        return lib
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home / ".lib.lock"):
        if _lib_is_current(lib, digest):  # another process fetched meanwhile
            return lib
        exe = shutil.which(mvn)
        if exe is None:
            raise BrokerError(
                f"Maven ({mvn!r}) is not on PATH; it is needed once to fetch the Kafka jars "
                f"from {pom}. Install Maven 3.6.3+ and a JDK 17+ (Debian: apt-get install "
                "maven openjdk-17-jdk-headless)."
            )
        staging = home / f"lib.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [
            exe,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
        ]
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
            shutil.rmtree(staging, ignore_errors=True)
            raise BrokerError(f"mvn did not finish within {timeout:.0f}s: {' '.join(cmd)}") from exc
        if proc.returncode != 0 or not _kafka_jar_version(staging):
            shutil.rmtree(staging, ignore_errors=True)
            output = (proc.stdout + proc.stderr).strip()[-4000:]
            raise BrokerError(
                f"mvn failed (exit {proc.returncode}) fetching the Kafka jars: "
                f"{' '.join(cmd)}\n{output}"
            )
        (staging / _STAMP).write_text(digest + "\n")
        old = home / f"lib.old-{os.getpid()}"
        if lib.exists():
            lib.rename(old)
        staging.rename(lib)
        shutil.rmtree(old, ignore_errors=True)
    return lib


def _lib_is_current(lib: Path, digest: str) -> bool:
    stamp = lib / _STAMP
    return stamp.is_file() and stamp.read_text().strip() == digest and bool(_kafka_jar_version(lib))


def _kafka_jar_version(lib: Path) -> str | None:
    if not lib.is_dir():
        return None
    for jar in lib.iterdir():
        match = _JAR_VERSION.match(jar.name)
        if match:
            return match.group("version")
    return None


# --------------------------------------------------------------------------- paths


def _pid_file(home: Path, port: int) -> Path:
    return home / f"kafka-{port}.pid"


def _config_file(home: Path, port: int) -> Path:
    return home / "config" / f"server-{port}.properties"


def _log_file(home: Path, port: int) -> Path:
    return home / "logs" / f"kafka-{port}.log"


def _data_dir(home: Path, port: int) -> Path:
    return home / f"data-{port}"


# --------------------------------------------------------------------------- status


def status(home: Path, port: int, host: str = DEFAULT_HOST) -> Status:
    """Say whether the broker started under ``home`` for ``port`` is running.

    Cheap: it looks at the pid file and the process only (see ``start`` for readiness).
    """
    home = Path(home).resolve()
    pid = _read_pid(_pid_file(home, port))
    running = pid is not None and _is_our_broker(pid, _config_file(home, port))
    return Status(
        running=running,
        pid=pid if running else None,
        host=host,
        port=port,
        controller_port=_read_controller_port(_config_file(home, port)),
        version=_kafka_jar_version(home / "lib"),
        home=home,
        log_file=_log_file(home, port),
        data_dir=_data_dir(home, port),
    )


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


def _read_controller_port(config: Path) -> int | None:
    try:
        text = config.read_text()
    except OSError:
        return None
    match = re.search(r"^controller\.quorum\.voters=\d+@[^:\s]+:(\d+)\s*$", text, re.M)
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------- start


def start(
    home: Path,
    port: int,
    host: str = DEFAULT_HOST,
    timeout: float = 60.0,
    *,
    controller_port: int | None = None,
    heap: str = DEFAULT_HEAP,
    properties: Mapping[str, str] | None = None,
    pom: Path = DEFAULT_POM,
    java: str = "java",
    mvn: str = "mvn",
) -> Status:
    """Start a single-node KRaft broker listening on ``host:port`` and wait until it serves.

    Returns once a TCP connection to ``host:port`` is accepted and a Kafka Metadata request
    lists this broker. A no-op (apart from that readiness check) when the broker of this home
    and port is already running.

    - Jars: ``ensure_kafka_jars(home, pom)`` (fetched with mvn the first time only).
    - Controller listener: ``controller_port``, else ``port + 1`` when free, else a free port.
    - Storage: ``home/data-<port>``, formatted with a random cluster id the first time only,
      so topics and offsets survive a stop and start.
    - ``properties`` override or extend the server.properties written for every start.
    - The JVM runs detached (its own session) with ``-Xmx<heap>``; its output goes to
      ``home/logs/kafka-<port>.log`` and its pid to ``home/kafka-<port>.pid``.

    Raises BrokerError if java or mvn is missing, the port is taken by something else,
    or the broker exits or is not ready within ``timeout`` seconds (the log tail is included).
    """
    home = Path(home).resolve()
    deadline = time.monotonic() + timeout
    current = status(home, port, host)
    if current.running:
        _wait_ready(host, port, deadline, current.pid, _log_file(home, port))
        return current

    java_exe = shutil.which(java)
    if java_exe is None:
        raise BrokerError(
            f"Java ({java!r}) is not on PATH; Kafka needs a JDK 17+ "
            "(Debian: apt-get install openjdk-17-jdk-headless)."
        )
    lib = ensure_kafka_jars(home, pom, mvn=mvn)

    with _locked(home / f".kafka-{port}.lock"):
        current = status(home, port, host)
        if current.running:  # started by another process meanwhile
            _wait_ready(host, port, deadline, current.pid, _log_file(home, port))
            return current
        _pid_file(home, port).unlink(missing_ok=True)
        if not _port_is_free(host, port):
            raise BrokerError(f"{host}:{port} is already in use by another process")
        if controller_port is None:
            controller_port = port + 1 if _port_is_free(host, port + 1) else _free_port(host)
        elif not _port_is_free(host, controller_port):
            raise BrokerError(f"controller port {host}:{controller_port} is already in use")

        config = _config_file(home, port)
        log_file = _log_file(home, port)
        data_dir = _data_dir(home, port)
        config.parent.mkdir(parents=True, exist_ok=True)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(_server_properties(host, port, controller_port, data_dir, properties))
        classpath = f"{lib}{os.sep}*"

        if not (data_dir / "meta.properties").is_file():
            _format_storage(java_exe, classpath, config, log_file, deadline)

        child = _launch(java_exe, classpath, heap, config, log_file, _pid_file(home, port), home)

    try:
        _wait_ready(host, port, deadline, child.pid, log_file)
    except BrokerError:
        stop(home, port)
        raise
    return status(home, port, host)


def _launch(
    java_exe: str,
    classpath: str,
    heap: str,
    config: Path,
    log_file: Path,
    pid_file: Path,
    cwd: Path,
    extra_flags: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """Run ``kafka.Kafka config`` detached (own session), log to ``log_file``, write its pid."""
    cmd = [
        java_exe,
        f"-Xmx{heap}",
        "-Xms64m",
        *_JVM_FLAGS,
        *extra_flags,
        f"-Dkafka.logs.dir={log_file.parent}",
        "-cp",
        classpath,
        _MAIN_CLASS,
        str(config),
    ]
    with log_file.open("ab") as out:
        out.write(
            f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(cmd)}\n".encode()
        )
        out.flush()
        child = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _CHILDREN[child.pid] = child
    pid_file.write_text(f"{child.pid}\n")
    return child


def _server_properties(
    host: str,
    port: int,
    controller_port: int,
    data_dir: Path,
    extra: Mapping[str, str] | None,
) -> str:
    props: dict[str, str] = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{host}:{controller_port}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        **_DEFAULT_PROPERTIES,
        **(extra or {}),
    }
    lines = ["# Written by newswire.broker on every start; edit start(properties=...) instead."]
    lines += [f"{key}={value}" for key, value in props.items()]
    return "\n".join(lines) + "\n"


def _random_cluster_id() -> str:
    """A Kafka Uuid in its base64 form, as ``kafka-storage.sh random-uuid`` prints it."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):  # Kafka avoids ids that look like a CLI option
            return text


def _format_storage(
    java_exe: str,
    classpath: str,
    config: Path,
    log_file: Path,
    deadline: float,
    cluster_id: str | None = None,
) -> None:
    """Format the storage named in ``config`` (a random cluster id unless one is given)."""
    cmd = _format_command(java_exe, classpath, config, cluster_id or _random_cluster_id())
    with log_file.open("ab") as out:
        out.write(f"\n==== formatting storage: {' '.join(cmd)}\n".encode())
        out.flush()
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=max(deadline - time.monotonic(), 5.0),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BrokerError(f"formatting Kafka storage timed out; see {log_file}") from exc
    if proc.returncode != 0:
        raise BrokerError(
            f"formatting Kafka storage failed (exit {proc.returncode}):\n{_tail(log_file)}"
        )


def _format_command(java_exe: str, classpath: str, config: Path, cluster_id: str) -> list[str]:
    return [
        java_exe,
        "-Xmx256m",
        *_JVM_FLAGS,
        "-cp",
        classpath,
        _STORAGE_TOOL,
        "format",
        "--ignore-formatted",
        "--cluster-id",
        cluster_id,
        "--config",
        str(config),
    ]


# --------------------------------------------------------------------------- readiness


def _wait_ready(host: str, port: int, deadline: float, pid: int | None, log_file: Path) -> None:
    last_error = "not tried"
    while True:
        child = _CHILDREN.get(pid) if pid is not None else None
        if child is not None and child.poll() is not None:
            raise BrokerError(
                f"Kafka exited with code {child.returncode} before it was ready:\n{_tail(log_file)}"
            )
        try:
            if _broker_listed(host, port):
                return
            last_error = "metadata did not list this broker yet"
        except (OSError, ValueError) as exc:  # kafka_wire.WireError is a ValueError
            last_error = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise BrokerError(
                f"Kafka on {host}:{port} was not ready in time ({last_error}):\n{_tail(log_file)}"
            )
        time.sleep(0.2)


def _broker_listed(host: str, port: int, timeout: float = 2.0) -> bool:
    """Connect, ask ApiVersions, then Metadata v4; True if this broker is in the answer."""
    return port in _listed_ports(host, port, timeout)


def _listed_ports(host: str, port: int, timeout: float = 2.0) -> set[int]:
    """The ports of the (unfenced) brokers that the broker on ``port`` lists in its metadata."""
    return {p for _, p in kafka_wire.metadata(host, port, timeout=timeout).brokers.values()}


# --------------------------------------------------------------------------- stop


def stop(home: Path, port: int, timeout: float = 30.0) -> Status:
    """Stop the broker of ``home`` and ``port``: SIGTERM, wait ``timeout`` s, then SIGKILL.

    Removes the pid file. A no-op when it is not running. Data stays in ``home/data-<port>``.
    """
    home = Path(home).resolve()
    pid_file = _pid_file(home, port)
    config = _config_file(home, port)
    pid = _read_pid(pid_file)
    if pid is not None and _is_our_broker(pid, config):
        _signal(pid, signal.SIGTERM)
        if not _wait_gone(pid, config, time.monotonic() + timeout):
            _signal(pid, signal.SIGKILL)
            if not _wait_gone(pid, config, time.monotonic() + 10.0):
                raise BrokerError(f"Kafka (pid {pid}) did not die after SIGKILL")
    if pid is not None:
        child = _CHILDREN.pop(pid, None)
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=1.0)
    pid_file.unlink(missing_ok=True)
    return status(home, port)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_gone(pid: int, config: Path, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if not _is_our_broker(pid, config):
            return True
        time.sleep(0.1)
    return not _is_our_broker(pid, config)


# --------------------------------------------------------------------------- helpers


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


# The cluster API is written in newswire.broker_cluster (which imports this module); importing
# it lazily here lets callers use ``broker.start_cluster`` without an import cycle.
_CLUSTER_NAMES = frozenset(
    {
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
    }
)


def __getattr__(name: str) -> object:
    if name in _CLUSTER_NAMES:
        from newswire import broker_cluster

        return getattr(broker_cluster, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
