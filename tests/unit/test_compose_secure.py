"""The compose override for a secured Kafka (deploy/compose/secure.yml), checked as data (there
is no Docker engine here): valid Compose on its own and merged with docker-compose.yml, a
broker configured like the tested local secured broker (devbroker.secure), certificates from
`newswire broker certs` that name every advertised SASL_SSL host, and worker settings that
load with the files the README's command writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from cryptography import x509

from newswire.devbroker.pki import Pki
from newswire.devbroker.secure import SCRAM_MECHANISM, USERNAME, secure_properties
from newswire.entrypoints.cli import main as cli_main
from newswire.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "docker-compose.yml"
OVERRIDE = REPO / "deploy" / "compose" / "secure.yml"
SCHEMA = REPO / "deploy" / "compose" / "compose-spec.json"


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _merge(base: Any, over: Any, key: str = "") -> Any:
    """Compose's merge of an override file: mappings merge, ports/volumes/secrets append."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for k, v in over.items():
            merged[k] = _merge(base[k], v, k) if k in base else v
        return merged
    if isinstance(base, list) and isinstance(over, list) and key in ("ports", "volumes", "secrets"):
        return base + [v for v in over if v not in base]
    return over


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    return _merge(_load(BASE), _load(OVERRIDE))


def _kafka_properties(env: dict[str, Any]) -> dict[str, str]:
    """KAFKA_* variables as the apache/kafka image turns them into server properties."""
    return {
        k.removeprefix("KAFKA_").lower().replace("_", "."): str(v)
        for k, v in env.items()
        if k.startswith("KAFKA_") and k not in ("KAFKA_OPTS", "KAFKA_HEAP_OPTS")
    }


def _listeners(value: str) -> dict[str, str]:
    return dict(item.split("://", 1) for item in value.split(","))


def test_the_override_and_the_merged_file_are_valid_compose(merged: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.validate(_load(OVERRIDE), schema)
    jsonschema.validate(merged, schema)


def test_the_broker_is_configured_like_the_tested_local_secured_broker(
    merged: dict[str, Any],
) -> None:
    env = merged["services"]["kafka"]["environment"]
    props = _kafka_properties(env)
    local = secure_properties("127.0.0.1", 9092, 9093, Pki(Path("/x")))
    for key in ("sasl.enabled.mechanisms", "ssl.keystore.type", "ssl.truststore.type"):
        assert props[key] == local[key], key
    pki = Pki(Path("/etc/kafka/secrets"))
    assert props["ssl.keystore.location"] == str(pki.broker_keystore)
    assert props["ssl.truststore.location"] == str(pki.ca)
    protocols = dict(p.split(":") for p in props["listener.security.protocol.map"].split(","))
    listeners, advertised = (
        _listeners(props["listeners"]),
        _listeners(props["advertised.listeners"]),
    )
    assert set(listeners) == set(protocols)
    assert set(advertised) == set(listeners) - {"CONTROLLER"}
    assert {protocols[name] for name in ("SECURE", "SECURE_HOST")} == {"SASL_SSL"}
    assert "PLAINTEXT_HOST" not in listeners  # no plaintext path from the host
    # The image's start script wants JKS files as soon as it sees "SSL://" in this variable.
    assert "SSL://" not in env["KAFKA_ADVERTISED_LISTENERS"]
    assert advertised["SECURE_HOST"] == "localhost:29094"
    assert "127.0.0.1:29094:29094" in merged["services"]["kafka"]["ports"]
    # The JAAS file named in KAFKA_OPTS is the one mounted, and it has the SCRAM module.
    jaas = re.search(r"java\.security\.auth\.login\.config=(\S+)", env["KAFKA_OPTS"])
    assert jaas is not None
    volumes = [v.split(":") for v in merged["services"]["kafka"]["volumes"]]
    mounts = {parts[1]: parts[0] for parts in volumes}  # target -> source
    source = REPO / mounts[jaas.group(1)]
    assert "ScramLoginModule required" in source.read_text("utf-8")
    assert mounts["/etc/kafka/secrets"] == "./deploy/secrets"


def test_the_user_is_made_before_the_clients_start(merged: dict[str, Any]) -> None:
    services = merged["services"]
    script = services["kafka-user"]["command"][0]
    assert f"--entity-name {USERNAME}" in script
    assert f"{SCRAM_MECHANISM}=[password=$$(cat /run/secrets/kafka_password)]" in script
    for name in ("worker", "replay", "poller"):
        assert services[name]["depends_on"]["kafka-user"] == {
            "condition": "service_completed_successfully"
        }
        env = services[name]["environment"]
        assert env["NEWSWIRE_SASL_USERNAME"] == USERNAME
        assert env["NEWSWIRE_SASL_MECHANISM"] == SCRAM_MECHANISM
        for secret in services[name]["secrets"]:
            assert secret in merged["secrets"]


def test_certs_from_the_readme_command_fit_the_override(
    merged: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "deploy" / "secrets"
    result = CliRunner().invoke(cli_main, ["broker", "certs", str(folder)])
    assert result.exit_code == 0, result.output
    pki = Pki(folder)
    for secret in merged["secrets"].values():  # every secret file the override names
        assert (tmp_path / secret["file"]).is_file(), secret["file"]
    # The broker certificate names every host a client reaches a SASL_SSL listener by.
    leaf = x509.load_pem_x509_certificates(pki.broker_keystore.read_bytes())[0]
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = set(sans.get_values_for_type(x509.DNSName))
    env = merged["services"]["kafka"]["environment"]
    for name, address in _listeners(env["KAFKA_ADVERTISED_LISTENERS"]).items():
        if name.startswith("SECURE"):
            assert address.rsplit(":", 1)[0] in names, address
    # The worker's settings load with these files where compose mounts them.
    worker = merged["services"]["worker"]["environment"]
    for key, value in worker.items():
        if "${" in str(value):
            continue  # interpolated from the shell with a default: checked by test_compose
        if str(value).startswith("/run/secrets/"):
            source = merged["secrets"][Path(value).name]["file"]
            value = str(tmp_path / source)
        monkeypatch.setenv(key, str(value))
    settings = load_settings()
    assert settings.security_protocol == "SASL_SSL"
    assert settings.bootstrap_servers == ["kafka:9094"]
    assert settings.sasl_secret() == pki.password_file.read_text().strip()
