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

A local multi-node cluster lives in ``newswire.devbroker.cluster``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from newswire.devbroker import probe as kafka_wire
from newswire.devbroker.common import (
    _CHILDREN,
    _JVM_FLAGS,
    _MAIN_CLASS,
    DEFAULT_HEAP,
    DEFAULT_HOST,
    BrokerError,
    Status,
    _free_port,
    _is_our_broker,
    _locked,
    _port_is_free,
    _read_pid,
    _signal,
    _tail,
    _wait_gone,
)
from newswire.devbroker.jars import DEFAULT_POM, _kafka_jar_version, ensure_kafka_jars
from newswire.devbroker.kraft import _format_storage, _server_properties


def _pid_file(home: Path, port: int) -> Path:
    return home / f"kafka-{port}.pid"


def _config_file(home: Path, port: int) -> Path:
    return home / "config" / f"server-{port}.properties"


def _log_file(home: Path, port: int) -> Path:
    return home / "logs" / f"kafka-{port}.log"


def _data_dir(home: Path, port: int) -> Path:
    return home / f"data-{port}"


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


def _read_controller_port(config: Path) -> int | None:
    try:
        text = config.read_text()
    except OSError:
        return None
    match = re.search(r"^controller\.quorum\.voters=\d+@[^:\s]+:(\d+)\s*$", text, re.M)
    return int(match.group(1)) if match else None


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
