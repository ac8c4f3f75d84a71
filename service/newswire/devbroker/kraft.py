"""KRaft set-up of a node: its server properties, a cluster id, and formatting its storage."""

from __future__ import annotations

import base64
import subprocess
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from newswire.devbroker.common import (
    _DEFAULT_PROPERTIES,
    _JVM_FLAGS,
    _STORAGE_TOOL,
    BrokerError,
    _tail,
)


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
    lines = [
        "# Written by newswire.devbroker.node on every start; edit start(properties=...) instead."
    ]
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
