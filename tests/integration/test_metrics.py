"""A real worker's /ready and /metrics: /ready answers 503 (with a reason) until the worker has
its partitions and tables, then 200; after `newswire replay seeds/` the outcome counters on
/metrics equal what landed on the output topics (8 enriched, 1 duplicate)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
from nw_harness import Deployment, replay_and_collect
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.integration


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def watch_ready(port: int, until: float) -> list[tuple[int, Any]]:
    """/ready's answers while the worker starts (connection refused before its web server)."""
    seen: list[tuple[int, Any]] = []
    while time.monotonic() < until:
        try:
            status, body = get(port, "/ready")
        except OSError:
            time.sleep(0.05)
            continue
        seen.append((status, orjson.loads(body)))
        if status == 200:
            break
        time.sleep(0.05)
    return seen


def metric(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


@pytest.mark.timeout(300)
def test_ready_goes_503_then_200_and_metrics_count_the_outcomes(
    pipeline: Deployment, start_worker, seed_paths: dict[str, Path]
) -> None:
    worker = start_worker(pipeline, wait=False)
    seen = watch_ready(worker.web_port, until=time.monotonic() + 180)
    assert seen and seen[-1][0] == 200, (seen[-5:], worker.log_tail())
    not_ready = [body for status, body in seen if status == 503]
    assert not_ready, f"/ready never said 503 before 200: {seen[:3]}"
    assert all(body["ready"] is False and body["reason"] for body in not_ready)
    assert get(worker.web_port, "/live")[0] == 200

    folder = seed_paths["000"].parent
    outcomes = replay_and_collect(pipeline, folder, workers=[worker], settle=1.0, what="seeds")
    on_topics = {kind: len(outcomes.of(kind)) for kind in ("enriched", "duplicate", "dlq")}
    assert on_topics == {"enriched": 8, "duplicate": 1, "dlq": 0}, outcomes.summary()

    status, body = get(worker.web_port, "/metrics")
    assert status == 200
    text = body.decode()
    counted: dict[str, float] = {}
    for labels, value in metric(text, "newswire_outcomes_total").items():
        outcome = dict(labels)["outcome"]
        counted[outcome] = counted.get(outcome, 0) + value
    assert counted == {"enriched": 8, "duplicate": 1}
    stages = {dict(k)["stage"]: v for k, v in metric(text, "newswire_stage_seconds_count").items()}
    assert stages == {"clean": 9, "dedupe": 9, "annotate": 8, "publish": 8}
    # `newswire replay` connects before it stamps: none of its records undercut a reported low
    assert metric(text, "newswire_raw_stamped_late_total") == {(): 0.0}
    assert metric(text, "newswire_end_to_end_seconds_count")[()] == 9
    assert metric(text, "newswire_ready")[()] == 1
    lag = {dict(k)["topic"]: v for k, v in metric(text, "newswire_consumer_lag_seconds").items()}
    assert pipeline.raw in lag and all(seconds >= 0 for seconds in lag.values()), lag
