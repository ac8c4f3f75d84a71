"""Static checks of the container setup: docker-compose.yml, deploy/Dockerfile, .dockerignore.

There is no Docker engine to build or run anything here, so the files are checked as data: the
Compose file against the Compose Specification JSON Schema (vendored in deploy/compose/), and
both files against the project itself (settings fields, CLI commands, extras, paths, the pinned
Kafka version).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import pytest
import yaml

from newswire.adapters.files import find_files
from newswire.entrypoints.cli import main as cli_main
from newswire.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
SCHEMA_FILE = REPO / "deploy" / "compose" / "compose-spec.json"
POM = REPO / "service" / "newswire" / "devbroker" / "pom.xml"

NEWSWIRE_SERVICES = ("worker", "replay", "poller")
EXTERNAL_TOPIC_VARS = (
    "NEWSWIRE_RAW_TOPIC",
    "NEWSWIRE_ENRICHED_TOPIC",
    "NEWSWIRE_DUPLICATES_TOPIC",
    "NEWSWIRE_DLQ_TOPIC",
)


# --- Compose: loading and variable interpolation ----------------------------------------------

_VAR = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Compose's variable substitution: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        op, arg = match["op"], match["arg"]
        current = env.get(name)
        if op in (":-", ":?") and not current:
            current = None
        if current is not None:
            return current
        if op in (":-", "-"):
            return arg
        if op in (":?", "?"):
            raise ValueError(f"required variable {name} is missing: {arg}")
        return ""

    return _VAR.sub(substitute, value)


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def compose(raw_compose: dict[str, Any]) -> dict[str, Any]:
    """The Compose file as `docker compose config` sees it with no variables set (defaults)."""
    return interpolate(raw_compose, {})


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def env_of(service: Mapping[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {k: "" if v is None else str(v) for k, v in environment.items()}


def depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec["condition"] for name, spec in deps.items()}


def listeners_of(value: str) -> dict[str, str]:
    """A Kafka listener list ("NAME://host:port,...") as {name: "host:port"}."""
    return dict(item.split("://", 1) for item in value.split(","))


def command_script(service: Mapping[str, Any]) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


# --- Dockerfile parsing ----------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    args: str
    stage: int
    workdir: str


@dataclass
class Dockerfile:
    instructions: list[Instruction]
    stage_names: dict[str, int] = field(default_factory=dict)

    @property
    def final_stage(self) -> int:
        return max(i.stage for i in self.instructions)

    def of(self, keyword: str, stage: int | None = None) -> list[Instruction]:
        return [
            i
            for i in self.instructions
            if i.keyword == keyword and (stage is None or i.stage == stage)
        ]

    def env(self, stage: int) -> dict[str, str]:
        values: dict[str, str] = {}
        for instruction in self.of("ENV", stage):
            for token in shlex.split(instruction.args):
                assert "=" in token, f"ENV without key=value: {instruction.args!r}"
                key, _, value = token.partition("=")
                values[key] = value
        return values


def parse_dockerfile(text: str) -> Dockerfile:
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and pending):
            continue  # comments (and blank lines) inside a continued instruction are dropped
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        if pending or stripped:
            logical.append(pending + stripped)
        pending = ""
    assert not pending, "Dockerfile ends inside a continued instruction"

    result = Dockerfile([])
    stage, workdir = -1, "/"
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            stage += 1
            workdir = "/"
            parts = args.split()
            if len(parts) == 3 and parts[1].upper() == "AS":
                result.stage_names[parts[2]] = stage
        elif keyword == "WORKDIR":
            workdir = str(PurePosixPath(workdir, args))
        assert stage >= 0 or keyword == "ARG", f"{keyword} before FROM"
        result.instructions.append(Instruction(keyword, args, stage, workdir))
    return result


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return parse_dockerfile(DOCKERFILE.read_text("utf-8"))


def copy_parts(instruction: Instruction) -> tuple[dict[str, str], list[str], str]:
    """COPY/ADD: (--options, sources, destination resolved against WORKDIR)."""
    tokens = shlex.split(instruction.args)
    options = {}
    while tokens and tokens[0].startswith("--"):
        key, _, value = tokens.pop(0)[2:].partition("=")
        options[key] = value
    *sources, dest = tokens
    assert sources, instruction.args
    resolved = str(PurePosixPath(instruction.workdir, dest))
    if dest.endswith("/"):
        resolved += "/"
    return options, sources, resolved


def image_paths_of(dockerfile: Dockerfile, source: str) -> list[str]:
    """Where the final stage puts a build-context folder (e.g. seeds/)."""
    found = []
    for instruction in dockerfile.of("COPY", dockerfile.final_stage):
        options, sources, dest = copy_parts(instruction)
        if "from" not in options and source.rstrip("/") in (s.rstrip("/") for s in sources):
            found.append(dest.rstrip("/"))
    return found


def python_snippets(command: str) -> list[str]:
    """The code of every `python -c CODE` in a shell command line."""
    tokens = shlex.split(command)
    return [
        tokens[i + 1]
        for i, token in enumerate(tokens[:-1])
        if token == "-c" and i > 0 and re.fullmatch(r"(.*/)?python3?(\.\d+)?", tokens[i - 1])
    ]


# --- .dockerignore ----------------------------------------------------------------------------


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text("utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def is_dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: a path is out of the context if it or a parent matches (last match wins)."""
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _pattern_regex(pattern.removeprefix("!"))
        if any(regex.fullmatch(p) for p in prefixes):
            ignored = not negate
    return ignored


# --- The Compose file ------------------------------------------------------------------------


def test_compose_file_is_valid_against_the_compose_schema(raw_compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    assert schema["title"] == "Compose Specification"
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(raw_compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_interpolated_compose_file_is_valid_too(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    jsonschema.Draft7Validator(schema).validate(compose)


def test_vendored_schema_carries_its_licence() -> None:
    licence = (SCHEMA_FILE.parent / "LICENSE").read_text("utf-8")
    assert "Apache License" in licence
    assert "Version 2.0" in licence


def test_compose_has_no_obsolete_version_key(raw_compose: dict[str, Any]) -> None:
    assert "version" not in raw_compose


def test_expected_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {
        *("kafka", "topics", "worker", "replay", "poller", "kafka-ui"),
        *("prometheus", "grafana"),
    }


def test_build_contexts_and_dockerfiles_exist(services: dict[str, dict[str, Any]]) -> None:
    built = {name: s["build"] for name, s in services.items() if "build" in s}
    assert set(built) == set(NEWSWIRE_SERVICES)
    for name, build in built.items():
        if isinstance(build, str):
            build = {"context": build}
        context = (REPO / build["context"]).resolve()
        assert context.is_dir(), f"{name}: build context {context} missing"
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} missing"
        assert dockerfile.resolve() == DOCKERFILE.resolve()


def test_newswire_services_share_one_image(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    for name in ("replay", "poller"):
        assert services[name]["build"] == worker["build"], name
        assert services[name]["image"] == worker["image"], name


def _pom_kafka_version() -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ET.parse(POM).getroot().findtext("m:properties/m:kafka.version", namespaces=ns)
    assert version and re.fullmatch(r"\d+\.\d+\.\d+", version), version
    return version


def test_every_image_is_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service.get("image")
        assert image, f"{name}: no image"
        reference, _, digest = image.partition("@")
        last = reference.rsplit("/", 1)[-1]
        tag = last.partition(":")[2]
        assert tag or digest, f"{name}: image {image} has no tag"
        assert tag != "latest", f"{name}: image {image} is not pinned"
        if "build" not in service:
            assert re.search(r"\d", tag) or digest, f"{name}: {image} is not a version tag"


def test_kafka_image_is_the_pom_version(services: dict[str, dict[str, Any]]) -> None:
    expected = f"apache/kafka:{_pom_kafka_version()}"
    assert services["kafka"]["image"] == expected
    assert services["topics"]["image"] == expected


def test_kafka_runs_single_node_kraft(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    env = env_of(kafka)
    assert "container_name" not in kafka or kafka["container_name"] == "kafka"
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    node_id = env["KAFKA_NODE_ID"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{node_id}@kafka:9093"
    listeners = listeners_of(env["KAFKA_LISTENERS"])
    assert listeners == {"PLAINTEXT": ":9092", "PLAINTEXT_HOST": ":29092", "CONTROLLER": ":9093"}
    assert listeners_of(env["KAFKA_ADVERTISED_LISTENERS"]) == {
        "PLAINTEXT": "kafka:9092",
        "PLAINTEXT_HOST": "localhost:29092",
    }
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    assert env["KAFKA_INTER_BROKER_LISTENER_NAME"] == "PLAINTEXT"
    protocol_map = dict(
        p.split(":") for p in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    )
    assert protocol_map == {
        "CONTROLLER": "PLAINTEXT",
        "PLAINTEXT": "PLAINTEXT",
        "PLAINTEXT_HOST": "PLAINTEXT",
    }
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ):
        assert env[key] == "1", key
    assert env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    # The broker accepts what the topics and clients are configured for (10 MiB messages).
    assert int(env["KAFKA_MESSAGE_MAX_BYTES"]) == 16_777_216
    assert int(env["KAFKA_MESSAGE_MAX_BYTES"]) >= Settings().max_message_bytes


def _published_ports(service: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(host_ip, published, target) of each port, short ("ip:published:target") or long form."""
    result = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            result.append(
                (port.get("host_ip", ""), str(port.get("published", "")), str(port["target"]))
            )
        else:
            parts = str(port).split("/")[0].rsplit(":", 2)
            host_ip, published, target = ["", "", *parts][-3:]
            result.append((host_ip, published, target))
    return result


def test_kafka_has_a_host_listener(services: dict[str, dict[str, Any]]) -> None:
    """Programs on the host reach the broker on localhost:29092: a listener of its own, advertised
    as the host sees it, in the protocol map, published on the loopback interface only. (The
    containers keep kafka:9092: a client is told to reconnect to the advertised address of the
    listener it came in on.)"""
    kafka = services["kafka"]
    env = env_of(kafka)
    listeners = listeners_of(env["KAFKA_LISTENERS"])
    advertised = listeners_of(env["KAFKA_ADVERTISED_LISTENERS"])
    protocols = dict(p.split(":") for p in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))

    assert listeners.get("PLAINTEXT_HOST") == ":29092"
    assert advertised.get("PLAINTEXT_HOST") == "localhost:29092"
    assert protocols.get("PLAINTEXT_HOST") == "PLAINTEXT"
    # Every listener has a protocol, and every advertised one is a real listener.
    assert set(listeners) <= set(protocols)
    assert set(advertised) <= set(listeners) - {env["KAFKA_CONTROLLER_LISTENER_NAMES"]}
    # Each advertised port is the port its listener binds in the container.
    for name, address in advertised.items():
        assert address.rsplit(":", 1)[1] == listeners[name].rsplit(":", 1)[1], name
    # Published on 127.0.0.1 only, same port as advertised (a client connects to exactly that).
    assert ("127.0.0.1", "29092", "29092") in _published_ports(kafka)
    for host_ip, published, target in _published_ports(kafka):
        assert host_ip == "127.0.0.1", f"kafka port {published}:{target} is open to the network"
        assert published == target
    # The internal listener is not published: containers use it, the host has its own.
    assert "9092" not in [target for _, _, target in _published_ports(kafka)]
    # The header comment tells people the host address.
    assert "localhost:29092" in COMPOSE_FILE.read_text("utf-8").split("\nname:", 1)[0]


def test_readme_consumers_use_the_host_listener(services: dict[str, dict[str, Any]]) -> None:
    """The README's consumer examples point at the address the compose broker advertises."""
    advertised = listeners_of(env_of(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"])
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"BROKER={advertised['PLAINTEXT_HOST']}" in readme


def test_kafka_keeps_its_log_in_a_named_volume(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    log_dir = env_of(kafka)["KAFKA_LOG_DIRS"]
    mounts = [v.split(":") for v in kafka["volumes"]]
    assert [m[1] for m in mounts] == [log_dir]
    assert mounts[0][0] in compose["volumes"]


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if not source.startswith((".", "/", "~")):
                used.add(source)
    assert used <= declared
    assert declared <= used, f"declared but unused: {declared - used}"


def test_kafka_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    check = services["kafka"]["healthcheck"]
    test = check["test"]
    assert test[0] in ("CMD", "CMD-SHELL")
    command = " ".join(test[1:])
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in command
    assert "--bootstrap-server localhost:9092" in command
    for key in ("interval", "timeout", "retries", "start_period"):
        assert key in check, key


def test_depends_on_conditions(services: dict[str, dict[str, Any]]) -> None:
    assert depends_on(services["kafka"]) == {}
    assert depends_on(services["topics"]) == {"kafka": "service_healthy"}
    assert depends_on(services["worker"]) == {
        "kafka": "service_healthy",
        "topics": "service_completed_successfully",
    }
    assert depends_on(services["replay"]) == {
        "topics": "service_completed_successfully",
        "worker": "service_healthy",
    }
    assert depends_on(services["kafka-ui"]) == {"kafka": "service_healthy"}


def test_services_waited_on_as_healthy_have_a_healthcheck(
    services: dict[str, dict[str, Any]], dockerfile: Dockerfile
) -> None:
    image_check = dockerfile.of("HEALTHCHECK", dockerfile.final_stage)
    for service in services.values():
        for name, condition in depends_on(service).items():
            if condition != "service_healthy":
                continue
            own = services[name].get("healthcheck")
            assert not (own or {}).get("disable"), f"{name}: healthcheck disabled"
            assert own or ("build" in services[name] and image_check), name


def test_restart_policies(services: dict[str, dict[str, Any]]) -> None:
    assert services["kafka"]["restart"] == "unless-stopped"
    assert services["worker"]["restart"] == "unless-stopped"
    assert services["topics"]["restart"] == "no"
    assert services["replay"]["restart"] == "no"
    assert services["poller"]["restart"] == "unless-stopped"


def test_worker_is_scalable(services: dict[str, dict[str, Any]], dockerfile: Dockerfile) -> None:
    worker = services["worker"]
    for key in ("container_name", "ports", "hostname"):
        assert key not in worker, f"worker sets {key}: `--scale worker=N` would clash"
    data_dir = dockerfile.env(dockerfile.final_stage)["NEWSWIRE_DATA_DIR"]
    for volume in worker.get("volumes", []):
        target = volume["target"] if isinstance(volume, dict) else volume.split(":")[1]
        assert PurePosixPath(target) != PurePosixPath(data_dir), "replicas would share RocksDB"


def test_only_the_ui_monitoring_and_poller_are_in_profiles(
    services: dict[str, dict[str, Any]],
) -> None:
    ui = services["kafka-ui"]
    assert ui["profiles"] == ["ui"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"], name
    assert services["poller"]["profiles"] == ["feeds"]
    for name, service in services.items():
        if name not in ("kafka-ui", "prometheus", "grafana", "poller"):
            assert "profiles" not in service, name
    env = env_of(ui)
    assert env["KAFKA_CLUSTERS_0_NAME"]
    assert env["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == "kafka:9092"
    assert [p.rsplit(":", 2)[-2:] for p in ui["ports"]] == [["8080", "8080"]]


# --- Settings consistency --------------------------------------------------------------------


def _newswire_vars(env: Mapping[str, str]) -> set[str]:
    return {k for k in env if k.startswith("NEWSWIRE_")}


def test_every_newswire_variable_is_a_settings_field(
    raw_compose: dict[str, Any], dockerfile: Dockerfile
) -> None:
    fields = {f"NEWSWIRE_{name.upper()}" for name in Settings.model_fields}
    names: set[str] = set()
    for service in raw_compose["services"].values():
        names |= _newswire_vars(env_of(service))
    # ${NEWSWIRE_...} interpolation variables must name settings too.
    names |= set(re.findall(r"\$\{?(NEWSWIRE_[A-Z0-9_]+)", COMPOSE_FILE.read_text("utf-8")))
    for stage in range(dockerfile.final_stage + 1):
        names |= _newswire_vars(dockerfile.env(stage))
    assert names, "no NEWSWIRE_ variables found"
    assert names <= fields, f"not settings fields: {sorted(names - fields)}"


def _settings_for(
    service: str,
    raw_compose: dict[str, Any],
    dockerfile: Dockerfile,
    monkeypatch: pytest.MonkeyPatch,
    shell_env: Mapping[str, str] | None = None,
) -> Settings:
    """The settings a container of `service` builds: image ENV, then the service's environment
    (interpolated from `shell_env`), read from the real environment the way the CLI reads it."""
    for key in list(os.environ):
        if key.startswith("NEWSWIRE_"):
            monkeypatch.delenv(key)
    container_env = dockerfile.env(dockerfile.final_stage)
    container_env |= interpolate(env_of(raw_compose["services"][service]), shell_env or {})
    for key, value in container_env.items():
        if key.startswith("NEWSWIRE_"):
            monkeypatch.setenv(key, value)
    return load_settings()


@pytest.mark.parametrize("service", NEWSWIRE_SERVICES)
def test_container_environment_builds_valid_settings(
    service: str,
    raw_compose: dict[str, Any],
    dockerfile: Dockerfile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings_for(service, raw_compose, dockerfile, monkeypatch)
    defaults = Settings.model_fields
    assert settings.broker == "kafka://kafka:9092"
    assert settings.bootstrap_servers == ["kafka:9092"]
    assert settings.web_host == "0.0.0.0"
    assert settings.web_port == defaults["web_port"].default
    assert settings.data_dir == Path("/data")
    assert settings.partitions == 4
    assert settings.replication_factor == 1
    assert settings.max_message_bytes == 10_485_760
    for name in ("raw_topic", "enriched_topic", "duplicates_topic", "dlq_topic"):
        assert getattr(settings, name) == defaults[name].default


def test_compose_variables_reach_the_worker(
    raw_compose: dict[str, Any], dockerfile: Dockerfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell = {
        "NEWSWIRE_PARTITIONS": "8",
        "NEWSWIRE_RAW_TOPIC": "wire.in",
        "NEWSWIRE_NLP_PROCESSES": "3",
        "NEWSWIRE_LOG_LEVEL": "debug",
    }
    settings = _settings_for("worker", raw_compose, dockerfile, monkeypatch, shell)
    assert settings.partitions == 8
    assert settings.raw_topic == "wire.in"
    assert settings.nlp_processes == 3
    assert settings.log_level == "debug"


def test_kafka_advertises_what_the_clients_use(
    services: dict[str, dict[str, Any]],
) -> None:
    # The containers' listener; PLAINTEXT_HOST (localhost:29092) is for the host.
    advertised = listeners_of(env_of(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"])["PLAINTEXT"]
    for name in NEWSWIRE_SERVICES:
        assert env_of(services[name])["NEWSWIRE_BROKER"] == f"kafka://{advertised}"
    assert f"--bootstrap-server {advertised}" in command_script(services["topics"])


# --- The topic creator -----------------------------------------------------------------------


def test_topics_service_creates_the_external_topics(
    services: dict[str, dict[str, Any]],
) -> None:
    topics = services["topics"]
    script = command_script(topics)
    assert "kafka-topics.sh" in script
    assert "--create" in script
    assert "--if-not-exists" in script
    env = env_of(topics)
    worker_env = env_of(services["worker"])
    for var in (*EXTERNAL_TOPIC_VARS, "NEWSWIRE_PARTITIONS", "NEWSWIRE_MAX_MESSAGE_BYTES"):
        assert f"${{{var}}}" in script, var
        assert env[var] == worker_env[var], f"{var}: topics and worker disagree"


def test_topics_script_runs_the_expected_commands(
    services: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """Run the script with sh and a stand-in kafka-topics.sh that records its arguments."""
    topics = services["topics"]
    assert topics["entrypoint"][:2] == ["/bin/sh", "-c"]
    log = tmp_path / "calls.jsonl"
    stub = tmp_path / "kafka-topics.sh"
    stub.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    stub.chmod(0o755)
    script = command_script(topics).replace("/opt/kafka/bin/kafka-topics.sh", str(stub))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")} | env_of(topics)
    subprocess.run(["/bin/sh", "-c", script], env=env, check=True, timeout=30)
    calls = [json.loads(line) for line in log.read_text().splitlines()]

    def option(call: list[str], name: str) -> str:
        return call[call.index(name) + 1]

    creates = [c for c in calls if "--create" in c]
    assert [option(c, "--topic") for c in creates] == [
        "newswire.raw",
        "newswire.enriched",
        "newswire.duplicates",
        "newswire.dlq",
    ]
    for call in creates:
        assert "--if-not-exists" in call
        assert option(call, "--bootstrap-server") == "kafka:9092"
        assert option(call, "--partitions") == "4"
        assert option(call, "--replication-factor") == "1"
        assert option(call, "--config") == "max.message.bytes=10485760"


# --- The replay ------------------------------------------------------------------------------


def test_replay_publishes_the_seeds_baked_into_the_image(
    services: dict[str, dict[str, Any]], dockerfile: Dockerfile
) -> None:
    command = services["replay"]["command"]
    assert command == ["replay", "/app/seeds"]  # full speed: verdicts follow publish order
    assert image_paths_of(dockerfile, "seeds/") == ["/app/seeds"]
    seeds = REPO / "seeds"
    assert seeds.is_dir()
    assert find_files([seeds]), "seeds/ holds nothing replayable"


@pytest.mark.parametrize("service", NEWSWIRE_SERVICES)
def test_compose_commands_are_accepted_by_the_cli(
    service: str, services: dict[str, dict[str, Any]], dockerfile: Dockerfile
) -> None:
    command = services[service].get("command")
    if command is None:
        command = json.loads(dockerfile.of("CMD", dockerfile.final_stage)[-1].args)
    name, *args = command
    assert name in cli_main.commands, f"`newswire {name}` does not exist"
    if name == "poll":  # the feeds file is mounted from the repo: parse with its source
        [mount] = services[service]["volumes"]
        source, target = mount.split(":")[:2]
        assert args[args.index("--feeds") + 1] == target
        args = [str(REPO / source) if a == target else a for a in args]
        urls = [line for line in (REPO / source).read_text("utf-8").splitlines()]
        assert [u for u in urls if u.strip() and not u.startswith("#")], "no feed in the list"
    ctx = cli_main.commands[name].make_context(name, list(args))
    if name == "replay":
        assert ctx.params["paths"] == ("/app/seeds",)
        assert ctx.params["rate"] is None
        assert ctx.params["loop"] == 1


# --- The Dockerfile --------------------------------------------------------------------------


def test_dockerfile_is_based_on_python_slim(dockerfile: Dockerfile) -> None:
    # The base image is named once, in `ARG PYTHON_IMAGE=...` (tests/unit/test_dockerfile.py).
    (default,) = [i.args for i in dockerfile.of("ARG") if i.args.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim\S*", default), default
    for instruction in dockerfile.of("FROM"):
        image = instruction.args.split()[0]
        assert image == "${PYTHON_IMAGE}" or image in dockerfile.stage_names, image
    assert dockerfile.of("FROM")[-1].args.split()[0] == "${PYTHON_IMAGE}"


def test_dockerfile_installs_the_project_with_the_model_extra(dockerfile: Dockerfile) -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert "model" in pyproject["project"]["optional-dependencies"]
    # The dependencies and the model come from requirements/runtime.lock (its `model` extra:
    # tests/unit/test_lockfile.py), the project itself with --no-deps.
    installs = [i for i in dockerfile.of("RUN") if re.search(r"\bpip install\b", i.args)]
    assert len(installs) == 2
    deps, install = installs
    assert "--require-hashes -r requirements/runtime.lock" in deps.args
    assert re.search(r"pip install --no-deps\b.* \.(\s|$)", install.args)
    assert deps.stage == install.stage
    copied = set()
    for instruction in dockerfile.of("COPY", install.stage):
        if dockerfile.instructions.index(instruction) < dockerfile.instructions.index(install):
            copied |= {s.rstrip("/") for s in copy_parts(instruction)[1]}
    assert {"pyproject.toml", "service"} <= copied
    # The final stage gets the installed environment from the install stage.
    if install.stage != dockerfile.final_stage:
        names = {v: k for k, v in dockerfile.stage_names.items()}
        sources = {
            copy_parts(i)[0].get("from") for i in dockerfile.of("COPY", dockerfile.final_stage)
        }
        assert names[install.stage] in sources


def test_dockerfile_runs_newswire_worker(dockerfile: Dockerfile) -> None:
    final = dockerfile.final_stage
    entrypoint = json.loads(dockerfile.of("ENTRYPOINT", final)[-1].args)
    cmd = json.loads(dockerfile.of("CMD", final)[-1].args)
    assert entrypoint == ["newswire"]
    assert cmd == ["worker"]
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["scripts"]["newswire"] == "newswire.entrypoints.cli:main"
    assert "worker" in cli_main.commands


def test_dockerfile_runs_as_a_non_root_user(dockerfile: Dockerfile) -> None:
    final = dockerfile.final_stage
    users = dockerfile.of("USER", final)
    assert users, "no USER in the final stage"
    user = users[-1].args.split(":")[0]
    assert user not in ("root", "0")
    created = " ".join(i.args for i in dockerfile.of("RUN", final))
    assert re.search(rf"useradd\b.*\b{re.escape(user)}\b", created)
    assert dockerfile.of("WORKDIR", final)


def test_dockerfile_environment_defaults(dockerfile: Dockerfile) -> None:
    env = dockerfile.env(dockerfile.final_stage)
    assert env["NEWSWIRE_WEB_HOST"] == "0.0.0.0"
    assert env["NEWSWIRE_DATA_DIR"] == "/data"
    port = env.get("NEWSWIRE_WEB_PORT", str(Settings.model_fields["web_port"].default))
    assert port == str(Settings.model_fields["web_port"].default)
    exposed = [p for i in dockerfile.of("EXPOSE", dockerfile.final_stage) for p in i.args.split()]
    assert port in exposed
    # The data directory exists and belongs to the runtime user.
    setup = " ".join(i.args for i in dockerfile.of("RUN", dockerfile.final_stage))
    assert re.search(r"mkdir -p [^&]*/data\b", setup)
    assert re.search(r"chown [^&]*/data\b", setup)


def test_dockerfile_healthcheck_asks_the_worker_if_it_is_ready(dockerfile: Dockerfile) -> None:
    checks = dockerfile.of("HEALTHCHECK", dockerfile.final_stage)
    assert len(checks) == 1
    options, _, command = checks[0].args.partition(" CMD ")
    assert command, "HEALTHCHECK without CMD"
    for option in ("--interval", "--timeout", "--start-period", "--retries"):
        assert option in options
    argv = json.loads(command)  # exec form (hadolint DL3025)
    snippets = python_snippets(shlex.join(argv))
    assert len(snippets) == 1
    code = snippets[0]
    compile(code, "<healthcheck>", "exec")
    assert "urllib.request" in code
    assert "NEWSWIRE_WEB_PORT" in code
    assert str(Settings.model_fields["web_port"].default) in code
    assert "/ready'" in code  # readiness, not Faust's / (up before partitions and tables)


def test_dockerfile_python_snippets_import_what_exists(dockerfile: Dockerfile) -> None:
    """`python -c` build steps compile, and what they import from newswire exists."""
    snippets = [s for i in dockerfile.of("RUN") for s in python_snippets(i.args)]
    assert snippets
    for code in snippets:
        tree = ast.parse(code)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("newswire"):
                module = __import__(node.module, fromlist=["_"])
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{node.module}.{alias.name}"


def test_dockerfile_copies_existing_unignored_files(dockerfile: Dockerfile) -> None:
    patterns = dockerignore_patterns()
    for instruction in dockerfile.of("COPY") + dockerfile.of("ADD"):
        options, sources, _ = copy_parts(instruction)
        if "from" in options:
            assert options["from"] in dockerfile.stage_names, options["from"]
            continue
        matched = [p for s in sources for p in REPO.glob(s.rstrip("/"))]
        required = [s for s in sources if not re.search(r"[*?\[]", s)]
        for source in required:
            assert (REPO / source).exists(), f"COPY source {source} missing"
        assert matched, f"nothing matches {sources}"
        for path in matched:
            relative = path.relative_to(REPO).as_posix()
            assert not is_dockerignored(relative, patterns), f"{relative} is in .dockerignore"


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    patterns = dockerignore_patterns()
    for path in (
        ".venv/bin/python",
        ".kafka/lib/x.jar",
        "out/enriched.jsonl",
        ".git/HEAD",
        ".pytest_cache/v",
        ".ruff_cache/x",
        ".mypy_cache/x",
        ".hypothesis/x",
        "service/newswire/__pycache__/cli.cpython-311.pyc",
        "service/newswire.egg-info/PKG-INFO",
    ):
        assert is_dockerignored(path, patterns), path
    for path in ("pyproject.toml", "service/newswire/cli.py", "seeds/000_x.txt"):
        assert not is_dockerignored(path, patterns), path


def test_monitoring_mounts_the_shipped_files(services: dict[str, dict[str, Any]]) -> None:
    for name in ("prometheus", "grafana"):
        for volume in services[name]["volumes"]:
            source = volume.split(":", 1)[0]
            assert (REPO / source).exists(), f"{name} mounts {source}, which is not in the repo"
    prometheus = (REPO / "deploy/prometheus/prometheus.yml").read_text()
    assert "names: [worker]" in prometheus and "port: 6066" in prometheus  # every replica
