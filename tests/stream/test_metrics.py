"""The worker's metrics count what the agents sent (once Kafka confirmed it), time each stage,
and /ready says why the worker is not ready yet."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import orjson
from prometheus_client.parser import text_string_to_metric_families
from streamkit import Recorder, article, make_service, put_all

from newswire.adapters.stream.service import Service
from newswire.adapters.stream.web import readiness

OUTCOMES = "newswire_outcomes_total"
OTHER_BODY = (
    "LISBON, May 23 (Reuters) - Portugal's central bank raised its growth forecast on Tuesday, "
    "citing strong tourism revenue and a recovery in exports to the rest of the euro zone.\n\n"
    "The bank said inflation would ease to 2.4 percent next year as energy prices fell."
)


def samples(svc: Service) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = svc.metrics.render().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(svc: Service, name: str, **labels: str) -> float:
    return samples(svc).get((name, tuple(sorted(labels.items()))), 0.0)


NEXT = {"clean": "dedupe", "dedupe": "annotate"}


async def through_all_agents(svc: Service, rec: Recorder, values: list[bytes]) -> None:
    for agent in ("clean", "dedupe", "annotate"):
        rec.sent.clear()
        count = len(values)
        await put_all(svc, agent, values, until=lambda n=count: len(rec.sent) >= n)
        values = [orjson.dumps(v) for _, v in rec.of(NEXT.get(agent, ""))]
        if not values:
            return


async def test_outcomes_and_stage_times_are_counted(blank_nlp: Any) -> None:
    svc, rec = make_service(blank_nlp)
    try:
        inputs = [article("a1"), b"not json", article("a2", body=OTHER_BODY)]
        await through_all_agents(svc, rec, inputs)
        assert value(svc, OUTCOMES, outcome="dlq", status="", reason="invalid_json") == 1
        assert value(svc, OUTCOMES, outcome="enriched", status="unique", reason="") == 2
        for stage in ("clean", "dedupe", "annotate", "publish"):
            assert value(svc, "newswire_stage_seconds_count", stage=stage) >= 2, stage
        assert value(svc, "newswire_end_to_end_seconds_count") == 3
        build = [k for k in samples(svc) if k[0] == "newswire_build_info"]
        assert build and dict(build[0][1])["model"] == svc.runner.model
    finally:
        svc.runner.close()


async def test_a_duplicate_is_counted_under_its_own_outcome(blank_nlp: Any) -> None:
    svc, rec = make_service(blank_nlp)
    try:
        await through_all_agents(svc, rec, [article("orig"), article("copy")])
        assert value(svc, OUTCOMES, outcome="enriched", status="unique", reason="") == 1
        assert value(svc, OUTCOMES, outcome="duplicate", status="duplicate", reason="") == 1
        assert value(svc, "newswire_dedupe_remembered_articles") == 1  # not the duplicate
        assert value(svc, "newswire_stage_seconds_count", stage="publish") == 1
    finally:
        svc.runner.close()


def test_readiness_says_why_not() -> None:
    recovery = SimpleNamespace(completed=asyncio.Event())
    app = SimpleNamespace(rebalancing_count=0, rebalancing=False, in_recovery=False)
    app.tables = SimpleNamespace(recovery=recovery)
    assert readiness(app) == "no partitions assigned yet"
    app.rebalancing_count, app.rebalancing = 1, True
    assert readiness(app) == "rebalancing"
    app.rebalancing = False
    assert readiness(app) == "restoring tables"
    recovery.completed.set()
    assert readiness(app) is None
