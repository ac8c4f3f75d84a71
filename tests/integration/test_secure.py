"""Secured Kafka, end to end: `newswire broker start --secure` (a real broker with a SASL_SSL
listener, SCRAM-SHA-512, and a mutual-TLS listener, certificates from a CA it makes), then the
seed stream through `replay`, a worker and `tail` over each; and the failures a user meets
first (wrong password, a CA the client does not trust, a plaintext client on the TLS port, no
broker at all) each end `worker`, `replay` and `tail` within 30 s with one line naming it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from nw_harness import Deployment, Kafka, collect, free_port, has_ids, port_in_use

from newswire import devbroker

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
KAFKA_HOME = (REPO / ".kafka").resolve()
# Plaintext 29692, controller 29693, SASL_SSL 29694, mutual TLS 29695: below the ephemeral
# range, apart from the session broker and the three-node cluster.
SECURE_PORT = 29692
FAIL_FAST_SECONDS = 30.0


def _newswire(args: list[str], env: dict[str, str], timeout: float = 120.0, **kw):
    return subprocess.run(
        [sys.executable, "-m", "newswire", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kw,
    )


def _exports(text: str, commented: bool) -> dict[str, str]:
    """The `export K=V` lines the command printed (the `# export` ones for mutual TLS)."""
    prefix = "# export " if commented else "export "
    found = [line.removeprefix(prefix) for line in text.splitlines() if line.startswith(prefix)]
    return {k: v.strip("'") for k, v in (line.split("=", 1) for line in found)}


class Secured:
    def __init__(self, stdout: str) -> None:
        self.sasl = _exports(stdout, commented=False)
        self.mtls = _exports(stdout, commented=True)


@pytest.fixture(scope="module")
def secured() -> Iterator[Secured]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    base |= {"NEWSWIRE_KAFKA_HOME": str(KAFKA_HOME)}
    plain = base | {"NEWSWIRE_BROKER": f"kafka://127.0.0.1:{SECURE_PORT}"}
    _newswire(["broker", "stop"], plain)  # left over by an interrupted session
    if any(port_in_use(SECURE_PORT + i) for i in range(4)):
        pytest.fail(f"ports {SECURE_PORT}-{SECURE_PORT + 3} are taken by something else")
    started = _newswire(["broker", "start", "--secure"], plain, timeout=240)
    assert started.returncode == 0, started.stderr
    assert "SASL_SSL" in started.stderr and "mutual TLS" in started.stderr
    secured = Secured(started.stdout)
    assert secured.sasl["NEWSWIRE_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert secured.mtls["NEWSWIRE_SECURITY_PROTOCOL"] == "SSL"
    try:
        yield secured
    finally:
        # `broker stop` with the exported settings finds the broker behind the TLS port.
        stopped = _newswire(["broker", "stop"], base | secured.sasl)
        assert stopped.returncode == 0, stopped.stderr
        assert not devbroker.status(KAFKA_HOME, SECURE_PORT).running


def _pipeline(tmp_path: Path, client_env: dict[str, str]) -> Deployment:
    tag = uuid.uuid4().hex[:8]
    return Deployment(
        kafka=Kafka(SECURE_PORT),
        app_id=f"nws-{tag}",
        raw=f"nws-{tag}.raw",
        enriched=f"nws-{tag}.enriched",
        duplicates=f"nws-{tag}.duplicates",
        dlq=f"nws-{tag}.dlq",
        partitions=1,
        tmp=tmp_path,
        client_env=tuple(client_env.items()),
    )


def _readme_sasl_kcat() -> str:
    """The README's SASL_SSL kcat one-liner ("Consuming the enriched topic"), as written."""
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("\n## Consuming the enriched topic\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", section, flags=re.S | re.M)
    (line,) = [b.strip() for b in blocks if b.startswith("kcat ") and "SASL_SSL" in b]
    return line


def _librdkafka(env: dict[str, str]) -> tuple[int, ...]:
    shown = subprocess.run(["kcat", "-V"], env=env, capture_output=True, text=True, check=False)
    found = re.search(r"librdkafka (\d+)\.(\d+)\.(\d+)", shown.stdout + shown.stderr)
    assert found, shown.stdout + shown.stderr
    return tuple(int(n) for n in found.groups())


SCRAM_ON_KAFKA_4 = (2, 6, 1)  # the first librdkafka whose SCRAM login Kafka 4.x accepts


def _kcat_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """kcat on a librdkafka Kafka 4.x accepts for SCRAM: the system's if new enough, else the
    one bundled in the confluent-kafka wheel (the README's workaround for Debian 12's kcat)."""
    if shutil.which("kcat") is None:
        pytest.fail("kcat is not installed: `make test-tools` (deploy/install-kcat.sh)")
    if _librdkafka(env) >= SCRAM_ON_KAFKA_4:
        return env
    import confluent_kafka

    libs = Path(confluent_kafka.__file__).resolve().parent.parent / "confluent_kafka.libs"
    (bundled,) = libs.glob("librdkafka*.so.1")
    folder = tmp_path / "rdkafka"
    folder.mkdir(exist_ok=True)
    (folder / "librdkafka.so.1").symlink_to(bundled)
    env = env | {"LD_LIBRARY_PATH": str(folder)}
    assert _librdkafka(env) >= SCRAM_ON_KAFKA_4
    return env


def _consumers_read_back(pipeline: Deployment, enriched: set[str]) -> None:
    """The enriched records over the secured listener, as downstream consumers read them:
    the README's kcat line (SASL_SSL only: it has no mutual-TLS variant) and the example."""
    env = pipeline.cli_env()
    secret = env.get("NEWSWIRE_SASL_PASSWORD_FILE")
    if secret:  # the example and kcat take the password itself
        env["NEWSWIRE_SASL_PASSWORD"] = Path(secret).read_text().strip()
        env |= {"BROKER": env["NEWSWIRE_BROKER"].removeprefix("kafka://")}
        env |= {"TOPIC": pipeline.enriched}
        kcat = subprocess.run(
            ["bash", "-c", _readme_sasl_kcat()],
            env=_kcat_env(env, pipeline.tmp),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert kcat.returncode == 0, kcat.stderr
        keys = {line.split("\t", 1)[0] for line in kcat.stdout.splitlines()}
        assert keys == enriched, kcat.stdout[:1000]
    example = subprocess.run(
        [
            sys.executable,
            str(REPO / "examples" / "consume_enriched.py"),
            "--from-beginning",
            "--idle-seconds",
            "5",
        ],
        env=env | {"NEWSWIRE_ENRICHED_TOPIC": pipeline.enriched},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert example.returncode == 0, example.stderr
    assert example.stdout.startswith(f"{len(enriched)} valid, 0 invalid records"), example.stdout


def _seed_stream(pipeline: Deployment, start_worker, seed_paths) -> None:
    worker = start_worker(pipeline)
    seeds = seed_paths["000"].parent
    replay = _newswire(["replay", str(seeds), "--no-progress"], pipeline.cli_env())
    assert replay.returncode == 0, replay.stderr
    ids = {p.stem for p in seed_paths.values()}
    outcomes = collect(pipeline, has_ids(ids), settle=1.0, workers=[worker], what="all seeds")
    kinds = {o.id: o.kind for o in outcomes}
    assert len(outcomes) == len(ids), outcomes.summary()
    assert kinds == {p.stem: "enriched" for p in seed_paths.values()} | {
        seed_paths["004"].stem: "duplicate"
    }
    # The enriched records read back over the secured listener, as a consumer would.
    tail = _newswire(
        ["tail", "--topic", "enriched", "--from-beginning", "--limit", "8", "--timeout", "30"],
        pipeline.cli_env(),
    )
    assert tail.returncode == 0, tail.stderr
    tailed = {orjson.loads(line)["id"] for line in tail.stdout.splitlines()}
    assert tailed == {i for i, kind in kinds.items() if kind == "enriched"}
    _consumers_read_back(pipeline, tailed)
    assert "Traceback" not in worker.log_text()


@pytest.mark.timeout(300)
def test_seed_stream_over_sasl_ssl(secured: Secured, tmp_path, start_worker, seed_paths) -> None:
    assert secured.sasl["NEWSWIRE_SASL_MECHANISM"] == "SCRAM-SHA-512"
    _seed_stream(_pipeline(tmp_path, secured.sasl), start_worker, seed_paths)


@pytest.mark.timeout(300)
def test_seed_stream_over_mutual_tls(secured: Secured, tmp_path, start_worker, seed_paths) -> None:
    assert "NEWSWIRE_SSL_CERTFILE" in secured.mtls
    _seed_stream(_pipeline(tmp_path, secured.mtls), start_worker, seed_paths)


def _wrong_password(secured: Secured, tmp_path: Path) -> dict[str, str]:
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    return secured.sasl | {"NEWSWIRE_SASL_PASSWORD_FILE": str(wrong)}


def _untrusted_ca(secured: Secured, tmp_path: Path) -> dict[str, str]:
    other = devbroker.ensure_pki(tmp_path / "other-ca")  # a CA that did not sign the broker
    return secured.sasl | {"NEWSWIRE_SSL_CAFILE": str(other.ca)}


def _plaintext_to_tls(secured: Secured, tmp_path: Path) -> dict[str, str]:
    return {
        "NEWSWIRE_BROKER": secured.sasl["NEWSWIRE_BROKER"],
        "NEWSWIRE_SECURITY_PROTOCOL": "PLAINTEXT",
    }


def _no_broker(secured: Secured, tmp_path: Path) -> dict[str, str]:
    return secured.sasl | {"NEWSWIRE_BROKER": f"kafka://127.0.0.1:{free_port()}"}


FAILURES = {
    "wrong password": (_wrong_password, "authentication failed for user 'newswire'"),
    "untrusted CA": (_untrusted_ca, "certificate is not trusted"),
    "plaintext to TLS": (_plaintext_to_tls, "probably wants TLS"),
    "no broker": (_no_broker, "nothing accepts connections at NEWSWIRE_BROKER"),
}
COMMANDS = {
    "worker": ["worker"],
    "replay": ["replay", str(REPO / "seeds"), "--no-progress"],
    "tail": ["tail", "--topic", "enriched", "--limit", "1"],
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("failure", FAILURES)
def test_misconfigured_client_fails_fast_with_one_line(
    secured: Secured, tmp_path: Path, failure: str, command: str
) -> None:
    make_env, cause = FAILURES[failure]
    pipeline = _pipeline(tmp_path, make_env(secured, tmp_path))
    env = pipeline.cli_env() | {
        "NEWSWIRE_DATA_DIR": str(tmp_path / "data"),
        "NEWSWIRE_WEB_PORT": str(free_port()),
    }
    started = time.monotonic()
    done = _newswire(COMMANDS[command], env, timeout=FAIL_FAST_SECONDS + 30, cwd=tmp_path)
    took = time.monotonic() - started
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode != 0, lines
    assert took < FAIL_FAST_SECONDS, f"{command} took {took:.1f} s to fail"
    assert len(lines) == 1, "\n".join(lines)
    assert cause in lines[0], lines[0]
    assert "Traceback" not in lines[0]


@pytest.mark.timeout(120)
def test_kcat_scram_login_needs_librdkafka_2_6_1_on_kafka_4(
    secured: Secured, tmp_path: Path
) -> None:
    """What the README says about kcat and SCRAM, checked on this machine's kcat: with a
    librdkafka older than 2.6.1 Kafka 4.x refuses the login (edenhill/kcat#462); with a newer
    one (or the README's workaround) it lists the cluster."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    password = Path(secured.sasl["NEWSWIRE_SASL_PASSWORD_FILE"]).read_text().strip()
    command = [
        "kcat", "-L", "-m", "10",
        "-b", secured.sasl["NEWSWIRE_BROKER"].removeprefix("kafka://"),
        "-X", "security.protocol=SASL_SSL",
        "-X", "sasl.mechanisms=SCRAM-SHA-512",
        "-X", f"sasl.username={secured.sasl['NEWSWIRE_SASL_USERNAME']}",
        "-X", f"sasl.password={password}",
        "-X", f"ssl.ca.location={secured.sasl['NEWSWIRE_SSL_CAFILE']}",
    ]  # fmt: skip
    if shutil.which("kcat") is None:
        pytest.fail("kcat is not installed: `make test-tools` (deploy/install-kcat.sh)")
    system = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    if _librdkafka(env) < SCRAM_ON_KAFKA_4:
        assert system.returncode != 0
        assert "Authentication failed" in system.stderr, system.stderr
    else:
        assert system.returncode == 0, system.stderr
    fixed = subprocess.run(
        command,
        env=_kcat_env(env, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "1 brokers" in fixed.stdout
