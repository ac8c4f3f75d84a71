"""The secured local broker (``newswire broker start --secure``): the single node of
``node.py`` with two more listeners, as a managed cluster would have them:

- SASL_SSL on ``port + 2``: SCRAM-SHA-512 over TLS (user ``newswire``, a generated password);
- SSL on ``port + 3``: mutual TLS (the client must show a certificate signed by the local CA).

The plaintext listener on ``port`` stays (inter-broker and controller traffic, and the admin
command that adds the SCRAM user). TLS material comes from ``pki.py`` under
``home/secure-<port>/``; ``exports`` gives the ``NEWSWIRE_*`` settings a client needs.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from dataclasses import dataclass
from pathlib import Path

from newswire.devbroker.common import _JVM_FLAGS, DEFAULT_HOST, BrokerError, Status, run_tool
from newswire.devbroker.jars import DEFAULT_POM, ensure_kafka_jars
from newswire.devbroker.node import _config_file, start, status
from newswire.devbroker.pki import Pki, ensure_pki

SASL_PORT_OFFSET = 2
MTLS_PORT_OFFSET = 3
SCRAM_MECHANISM = "SCRAM-SHA-512"
USERNAME = "newswire"
_CONFIG_COMMAND = "kafka.admin.ConfigCommand"


@dataclass(frozen=True)
class SecureBroker:
    status: Status
    host: str
    port: int
    pki: Pki

    @property
    def sasl_port(self) -> int:
        return self.port + SASL_PORT_OFFSET

    @property
    def mtls_port(self) -> int:
        return self.port + MTLS_PORT_OFFSET

    def sasl_settings(self) -> dict[str, str]:
        """Client settings for the SASL_SSL listener (SCRAM-SHA-512, hostname verified)."""
        return {
            "NEWSWIRE_BROKER": f"kafka://{self.host}:{self.sasl_port}",
            "NEWSWIRE_SECURITY_PROTOCOL": "SASL_SSL",
            "NEWSWIRE_SASL_MECHANISM": SCRAM_MECHANISM,
            "NEWSWIRE_SASL_USERNAME": USERNAME,
            "NEWSWIRE_SASL_PASSWORD_FILE": str(self.pki.password_file),
            "NEWSWIRE_SSL_CAFILE": str(self.pki.ca),
        }

    def mtls_settings(self) -> dict[str, str]:
        """Client settings for the mutual-TLS listener."""
        return {
            "NEWSWIRE_BROKER": f"kafka://{self.host}:{self.mtls_port}",
            "NEWSWIRE_SECURITY_PROTOCOL": "SSL",
            "NEWSWIRE_SSL_CAFILE": str(self.pki.ca),
            "NEWSWIRE_SSL_CERTFILE": str(self.pki.client_cert),
            "NEWSWIRE_SSL_KEYFILE": str(self.pki.client_key),
        }


def secure_folder(home: Path, port: int) -> Path:
    return Path(home).resolve() / f"secure-{port}"


def secure_properties(host: str, port: int, controller_port: int, pki: Pki) -> dict[str, str]:
    """The server properties that add the SASL_SSL and mutual-TLS listeners."""
    sasl, mtls = port + SASL_PORT_OFFSET, port + MTLS_PORT_OFFSET
    return {
        "listeners": (
            f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port},"
            f"SASL_SSL://{host}:{sasl},SSL://{host}:{mtls}"
        ),
        "advertised.listeners": f"PLAINTEXT://{host}:{port},SASL_SSL://{host}:{sasl},"
        f"SSL://{host}:{mtls}",
        "listener.security.protocol.map": (
            "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL"
        ),
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        ),
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(pki.broker_keystore),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(pki.ca),
        "listener.name.ssl.ssl.client.auth": "required",
    }


def start_secure(
    home: Path,
    port: int,
    host: str = DEFAULT_HOST,
    timeout: float = 90.0,
    *,
    pom: Path = DEFAULT_POM,
    java: str = "java",
) -> SecureBroker:
    """Start (or find running) the secured broker of ``home`` and ``port`` and make sure its
    SCRAM user exists. Refuses a broker already running on ``port`` without the listeners."""
    home = Path(home).resolve()
    deadline = time.monotonic() + timeout
    current = status(home, port, host)
    if current.running and "SASL_SSL://" not in _config_text(home, port):
        raise BrokerError(
            f"a broker without TLS/SASL listeners already runs on {host}:{port}: "
            "`newswire broker stop` first, then `newswire broker start --secure`"
        )
    pki = ensure_pki(secure_folder(home, port))
    controller = port + 1
    state = start(
        home,
        port,
        host,
        timeout=max(deadline - time.monotonic(), 5.0),
        controller_port=controller,
        properties=secure_properties(host, port, controller, pki),
        pom=pom,
        java=java,
    )
    broker = SecureBroker(state, host, port, pki)
    _add_scram_user(home, broker, java, pom, deadline)
    (secure_folder(home, port) / "listeners.json").write_text(
        json.dumps({"port": port, "sasl_ssl": broker.sasl_port, "ssl": broker.mtls_port}) + "\n"
    )
    return broker


def base_port(home: Path, port: int) -> int:
    """The plaintext port of the secured broker that has ``port`` as its SASL_SSL or SSL
    listener (so that `newswire broker stop` works with the exported settings), else ``port``."""
    for listeners in Path(home).resolve().glob("secure-*/listeners.json"):
        try:
            known = json.loads(listeners.read_text())
        except (OSError, ValueError):
            continue
        if port in (known.get("sasl_ssl"), known.get("ssl")):
            return int(known["port"])
    return port


def exports(settings: dict[str, str]) -> list[str]:
    """``export`` lines for a POSIX shell (eval "$(newswire broker start --secure)")."""
    return [f"export {key}={shlex.quote(value)}" for key, value in settings.items()]


def _config_text(home: Path, port: int) -> str:
    try:
        return _config_file(home, port).read_text()
    except OSError:
        return ""


def _add_scram_user(
    home: Path, broker: SecureBroker, java: str, pom: Path, deadline: float
) -> None:
    """Add (or reset) the SCRAM credential over the plaintext listener. KRaft keeps it in the
    metadata log; doing it on every start keeps it equal to the password file. The password
    goes in a file of its own (0600), not on the command line, where `ps` would show it."""
    lib = ensure_kafka_jars(home, pom)
    password = broker.pki.password_file.read_text().strip()
    config = secure_folder(home, broker.port) / "scram-user.properties"
    config.touch(mode=0o600)
    config.chmod(0o600)
    # A properties file: no [ ] around the value (that is --add-config quoting); the password
    # is token_urlsafe, nothing a properties file would escape.
    config.write_text(f"{SCRAM_MECHANISM}=password={password}\n")
    cmd = [
        java,
        "-Xmx256m",
        *_JVM_FLAGS,
        "-cp",
        f"{lib}{os.sep}*",
        _CONFIG_COMMAND,
        "--bootstrap-server",
        f"{broker.host}:{broker.port}",
        "--alter",
        "--add-config-file",
        str(config),
        "--entity-type",
        "users",
        "--entity-name",
        USERNAME,
    ]
    try:
        run_tool(
            cmd,
            what="adding the SCRAM user to the local broker",
            timeout=max(deadline - time.monotonic(), 20.0),
            redact=(password,),
        )
    finally:
        config.unlink(missing_ok=True)
