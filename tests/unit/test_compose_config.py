"""The compose files as Docker Compose itself reads them: `docker compose config` (the real v2
plugin; `make test-tools` builds it from the Go module proxy where it is missing) must accept
docker-compose.yml alone, with its profiles, and merged with the secured-Kafka override, and
the merged model must be what the override promises. No Docker engine is needed for `config`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SECURE = "deploy/compose/secure.yml"


def compose_config(*args: str) -> dict[str, Any]:
    if shutil.which("docker") is None:
        pytest.fail("the docker client is missing (Debian: docker.io, or docker-ce-cli)")
    version = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if version.returncode != 0:
        pytest.fail("docker compose v2 is missing: `make test-tools` (deploy/install-compose.sh)")
    done = subprocess.run(
        ["docker", "compose", "-f", "docker-compose.yml", *args, "config", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(Path.home())},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_compose_accepts_the_file_and_its_profiles() -> None:
    plain = compose_config()
    assert plain["name"] == "newswire"
    assert set(plain["services"]) == {"kafka", "topics", "worker", "replay"}
    everything = compose_config("--profile", "ui", "--profile", "monitoring")
    assert {"kafka-ui", "prometheus", "grafana"} <= set(everything["services"])
    ports = {(p["host_ip"], p["published"]) for p in plain["services"]["kafka"]["ports"]}
    assert ports == {("127.0.0.1", "29092")}


def test_compose_merges_the_secured_override_as_intended() -> None:
    merged = compose_config("-f", SECURE)
    services = merged["services"]
    for name in ("worker", "replay"):
        env = services[name]["environment"]
        assert env["NEWSWIRE_BROKER"] == "kafka://kafka:9094"
        assert env["NEWSWIRE_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert env["NEWSWIRE_RAW_TOPIC"] == "newswire.raw"  # the base settings are kept
        assert services[name]["depends_on"]["kafka-user"]["condition"] == (
            "service_completed_successfully"
        )
        assert {s["source"] for s in services[name]["secrets"]} == {"kafka_password", "kafka_ca"}
    kafka = services["kafka"]
    assert {p["published"] for p in kafka["ports"]} == {"29092", "29094"}
    targets = {v["target"] for v in kafka["volumes"]}
    assert {"/var/lib/kafka/data", "/etc/kafka/secrets"} <= targets
    assert kafka["environment"]["CLUSTER_ID"]  # the base broker settings are kept
    assert Path(merged["secrets"]["kafka_password"]["file"]) == REPO / "deploy/secrets/password"
