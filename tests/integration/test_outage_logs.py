"""A 30 s broker outage under a running `newswire worker`: the log stays short, says once that
the broker is lost and once that it is back, and the worker carries on.

The test runs its own single-node broker (a free port, under <repo>/.kafka like the session
broker, whose data dirs are per port), so that killing it touches no other test. Before the
repeat collapser, the same outage wrote about 3,400 WARNING/ERROR lines (aiokafka's client,
fetcher and group coordinator logging every retry)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nw_harness import (
    Deployment,
    Kafka,
    article_message,
    collect,
    free_port,
    has_ids,
    produce,
)

from newswire import devbroker as local_broker

pytestmark = pytest.mark.integration

KAFKA_HOME = (Path(__file__).resolve().parents[2] / ".kafka").resolve()
OUTAGE_SECONDS = 30.0
MAX_OUTAGE_LINES = 60  # WARNING/ERROR lines in the OUTAGE_SECONDS after the kill
LEVEL = re.compile(r"^\[[^\]]*\] \[\d+\] \[(WARNING|ERROR|CRITICAL)\] ", re.M)


class OwnBroker:
    def __init__(self) -> None:
        self.port = free_port()
        self.controller_port = free_port()
        while self.controller_port == self.port:
            self.controller_port = free_port()

    def start(self) -> None:
        try:
            local_broker.start(
                KAFKA_HOME, self.port, controller_port=self.controller_port, timeout=120.0
            )
        except local_broker.BrokerError as exc:
            pytest.fail(f"could not start a broker on port {self.port}: {exc}")

    def kill(self) -> None:
        status = local_broker.status(KAFKA_HOME, self.port)
        assert status.running and status.pid is not None
        os.kill(status.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while local_broker.status(KAFKA_HOME, self.port).running:  # also reaps the child
            assert time.monotonic() < deadline, "the broker survived SIGKILL"
            time.sleep(0.1)

    def remove(self) -> None:
        local_broker.stop(KAFKA_HOME, self.port)
        shutil.rmtree(KAFKA_HOME / f"data-{self.port}", ignore_errors=True)
        for leftover in (
            KAFKA_HOME / "config" / f"server-{self.port}.properties",
            KAFKA_HOME / "logs" / f"kafka-{self.port}.log",
            KAFKA_HOME / f".kafka-{self.port}.lock",
        ):
            with contextlib.suppress(OSError):
                leftover.unlink()


@pytest.fixture
def own_broker() -> Iterator[OwnBroker]:
    broker = OwnBroker()
    broker.start()
    try:
        yield broker
    finally:
        broker.remove()


def article(tag: str, city: str) -> dict[str, Any]:
    body = (
        f"{city.upper()}, May 4 (Reuters) - Officials in {city} said on Tuesday that the "
        f"city's port reopened after repairs, and that shipping would resume this week. "
        f"Reporting by Jane Doe ({tag})"
    )
    return {"id": f"outage-{tag}", "headline": f"Port of {city} reopens ({tag})", "body": body}


@pytest.mark.timeout(300)
def test_broker_outage_is_a_few_lines_and_the_worker_carries_on(
    own_broker: OwnBroker, start_worker, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    pipeline = Deployment(
        kafka=Kafka(own_broker.port),
        app_id=f"nw-{tag}",
        raw=f"nwit-{tag}.raw",
        enriched=f"nwit-{tag}.enriched",
        duplicates=f"nwit-{tag}.duplicates",
        dlq=f"nwit-{tag}.dlq",
        partitions=1,
        tmp=tmp_path,
    )
    worker = start_worker(pipeline)
    before = article(f"{tag}-before", "Rotterdam")
    produce(pipeline, [article_message(before)])
    collect(pipeline, has_ids({before["id"]}), workers=[worker], what="an article before")

    killed_at = len(worker.log_text())
    own_broker.kill()
    down_since = time.monotonic()
    worker.wait_for_log("kafka broker lost", timeout=20)
    time.sleep(max(0.0, down_since + OUTAGE_SECONDS - time.monotonic()))
    outage = worker.log_text()[killed_at:]
    own_broker.start()  # same port and data: the topics, offsets and tables are back
    worker.wait_for_log("kafka broker back after", timeout=60)

    noisy = len(LEVEL.findall(outage))
    log = worker.log_text()
    until_back = len(LEVEL.findall(log[killed_at : log.index("kafka broker back after")]))
    print(
        f"WARNING/ERROR lines: {noisy} in the {OUTAGE_SECONDS:.0f} s outage, {until_back} "
        "from the kill to 'kafka broker back' (the broker's restart included)"
    )
    assert noisy <= MAX_OUTAGE_LINES, outage[-5000:]
    # The retries did happen, and were counted instead of written.
    assert "similar messages suppressed in the last" in outage
    assert log.count("kafka broker lost") == 1
    assert log.count("kafka broker back after") == 1
    assert re.search(r"kafka broker back after (\d+) s", log)

    after = article(f"{tag}-after", "Antwerp")
    produce(pipeline, [article_message(after)])
    outcomes = collect(
        pipeline,
        has_ids({after["id"]}),
        timeout=120,
        workers=[worker],
        what="an article published after the broker came back",
    )
    assert [o.kind for o in outcomes.for_id(after["id"])] == ["enriched"]
    assert worker.alive()
