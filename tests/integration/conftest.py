"""Integration fixtures: a real Kafka broker (started once per session) and real
`newswire worker` processes (started per test), plus helpers to produce to the raw topic and
collect what lands on the output topics. No mocks.

- ``kafka``: the local KRaft broker from ``newswire.devbroker`` (``<repo>/.kafka``), on port 39092
  (or a free port if something else holds it). Stopped at the end only if this session
  started it.
- ``pipeline``: a fresh set of topic names and a fresh app id (consumer group, internal
  topics, tables) for one test.
- ``start_worker``: starts ``python -m newswire worker`` for a pipeline in its own process
  group, waits for "newswire worker ready", stops it (SIGTERM, SIGKILL after 30 s) at teardown.
  On failure the tail of every worker log is added to the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from newswire import devbroker as local_broker


def _load_harness() -> ModuleType:
    """Make `import nw_harness` work in the test modules whatever pytest's import mode (the
    project uses --import-mode=importlib, which does not put this folder on sys.path)."""
    name = "nw_harness"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_load_harness()

from nw_harness import (  # noqa: E402
    Deployment,
    Kafka,
    Worker,
    delete_topics,
    free_port,
    port_in_use,
)

REPO = Path(__file__).resolve().parents[2]
KAFKA_HOME = (REPO / ".kafka").resolve()
TEST_PORT = 39092

_WORKERS_KEY = pytest.StashKey[list[Worker]]()
_REPORT_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()


# --------------------------------------------------------------------------- pytest hooks


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    item.stash.setdefault(_REPORT_KEY, {})[report.when] = report
    if report.failed:
        for worker in item.stash.get(_WORKERS_KEY, []):
            report.sections.append(
                (f"newswire worker {worker.name} log ({worker.log_path})", worker.log_tail(150))
            )


def _test_failed(item: pytest.Item) -> bool:
    return any(r.failed for r in item.stash.get(_REPORT_KEY, {}).values())


# --------------------------------------------------------------------------- broker


@pytest.fixture(scope="session")
def kafka() -> Iterator[Kafka]:
    """The local broker on TEST_PORT (reused if this repo's broker already runs there)."""
    port = TEST_PORT
    if not local_broker.status(KAFKA_HOME, port).running and port_in_use(port):
        port = free_port()  # the test port belongs to something else
    already = local_broker.status(KAFKA_HOME, port).running
    try:
        local_broker.start(KAFKA_HOME, port, timeout=120.0)
    except local_broker.BrokerError as exc:
        pytest.fail(f"could not start the local Kafka broker on port {port}: {exc}")
    try:
        yield Kafka(port)
    finally:
        if not already:
            local_broker.stop(KAFKA_HOME, port)


# --------------------------------------------------------------------------- pipeline


@pytest.fixture
def make_pipeline(
    kafka: Kafka, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Deployment]]:
    """Factory: ``make_pipeline(partitions=N)``. Topics are deleted after a passing test
    (kept after a failure, for `newswire tail`)."""
    made: list[Deployment] = []

    def make(partitions: int = 2) -> Deployment:
        tag = uuid.uuid4().hex[:8]
        pipeline = Deployment(
            kafka=kafka,
            app_id=f"nw-{tag}",
            raw=f"nwit-{tag}.raw",
            enriched=f"nwit-{tag}.enriched",
            duplicates=f"nwit-{tag}.duplicates",
            dlq=f"nwit-{tag}.dlq",
            partitions=partitions,
            tmp=tmp_path,
        )
        made.append(pipeline)
        return pipeline

    yield make
    if made and not _test_failed(request.node):
        with contextlib.suppress(Exception):
            asyncio.run(delete_topics(kafka, made))


@pytest.fixture
def pipeline(make_pipeline: Callable[..., Deployment]) -> Deployment:
    return make_pipeline(partitions=2)


# --------------------------------------------------------------------------- workers


@pytest.fixture
def start_worker(request: pytest.FixtureRequest) -> Iterator[Callable[..., Worker]]:
    """Factory: ``start_worker(pipeline, name=None, data_dir=None, env=None, wait=True)``
    (`env`: extra NEWSWIRE_* settings for this worker).

    Each call starts one `newswire worker` process (its own web port; its own data dir unless
    one is given, e.g. to restart "the same" worker). Workers are stopped at teardown."""
    workers: list[Worker] = []
    request.node.stash[_WORKERS_KEY] = workers

    def start(
        pipeline: Deployment,
        *,
        name: str | None = None,
        data_dir: Path | None = None,
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> Worker:
        name = name or f"w{len(workers) + 1}"
        worker = Worker(
            name=name,
            pipeline=pipeline,
            data_dir=data_dir or pipeline.tmp / name,
            web_port=free_port(),
            log_path=pipeline.tmp / f"{name}.log",
            extra_env=dict(env or {}),
        )
        workers.append(worker)
        worker.start()
        if wait:
            worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


# --------------------------------------------------------------------------- articles


@pytest.fixture(scope="session")
def short_articles(generator: ModuleType) -> list[dict[str, Any]]:
    """Distinct generated articles under 400 words (quick to annotate), in generator order."""
    articles = generator.generate_articles(600)  # the `generator` fixture of tests/conftest.py
    return [a for a in articles if len(a["body"].split()) < 400]


@pytest.fixture(scope="session")
def seed_paths() -> dict[str, Path]:
    return {p.name[:3]: p for p in sorted((REPO / "seeds").iterdir()) if p.suffix != ".md"}


# --------------------------------------------------------------------------- three-node cluster

from newswire import devbroker as broker_cluster  # noqa: E402
from newswire.devbroker import ClusterStatus  # noqa: E402

# Brokers 29492-29494, controllers 29592-29594: below Linux's ephemeral range (32768-60999), so
# that no client socket can take one while a node starts or restarts (~10 s before it binds).
CLUSTER_PORT = 29492


@pytest.fixture(scope="module")
def kafka_cluster() -> Iterator[ClusterStatus]:
    """A fresh three-node KRaft cluster (``newswire.devbroker.cluster``) under ``<repo>/.kafka``,
    shared by the tests of one module and stopped after them (three more JVMs on a two-core
    machine slow every later test's broker and workers). Yields its ``ClusterStatus``
    (``.url``, ``.bootstrap_servers``, ``.home`` and ``.port`` for ``kill_node``,
    ``restart_node``, ``partition_leader``). Tests may kill and restart nodes but must leave all
    three running. Its folder (logs under ``.kafka/cluster-<port>/node-<i>/kafka.log``) stays
    until the next session."""

    def ports_free(base: int) -> bool:
        return not any(
            port_in_use(p) for i in (1, 2, 3) for p in broker_cluster.node_ports(base, i)
        )

    port = CLUSTER_PORT
    broker_cluster.stop_cluster(KAFKA_HOME, port)  # left over by an interrupted session
    if not ports_free(port):  # the test ports belong to something else
        port = next(p for p in range(CLUSTER_PORT + 10, CLUSTER_PORT + 400, 10) if ports_free(p))
    broker_cluster.remove_cluster(KAFKA_HOME, port)  # every session starts from empty storage
    try:
        cluster = broker_cluster.start_cluster(KAFKA_HOME, port, nodes=3, timeout=180.0)
    except local_broker.BrokerError as exc:
        pytest.fail(f"could not start the local three-node Kafka cluster on port {port}: {exc}")
    try:
        yield cluster
    finally:
        broker_cluster.stop_cluster(KAFKA_HOME, port)
