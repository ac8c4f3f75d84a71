"""Verdicts in publish order: `newswire replay seeds/` at full speed into 4 partitions and 2
workers gives the records of `newswire process seeds/` (but `processed_at`), run after run,
whether the workers are up when the folder is published or start on it as a backlog. A record
published twice (at-least-once, around a rebalance) must be the same record."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
from nw_harness import Deployment, Message, article_message, collect, has_ids, newswire, produce
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.integration

RUNS = 10


def replay(pipeline: Deployment, folder: Path) -> None:
    done = newswire(pipeline, "replay", str(folder), "--no-progress")
    assert done.returncode == 0, done.stderr


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    if "provenance" not in record:  # a dead letter: keep what says why
        return {k: record[k] for k in ("kind", "id", "reason", "stage", "error")}
    record = dict(record, provenance=dict(record["provenance"]))
    del record["provenance"]["processed_at"]
    return record


def differences(got: Any, expected: Any, path: str = "") -> list[str]:
    """Where two records differ, field by field (a CI failure must say what differed)."""
    if isinstance(got, dict) and isinstance(expected, dict):
        out = []
        for key in sorted(set(got) | set(expected), key=str):
            out += differences(
                got.get(key, "<missing>"), expected.get(key, "<missing>"), f"{path}.{key}"
            )
        return out
    return [] if got == expected else [f"{path}: got {got!r:.200} expected {expected!r:.200}"]


def offline_records(pipeline: Deployment, folder: Path) -> dict[str, dict[str, Any]]:
    done = newswire(pipeline, "process", str(folder), "--out", "offline", timeout=300)
    assert done.returncode == 0, done.stderr
    records = {}
    for name in ("enriched", "duplicates", "rejected"):
        for line in (pipeline.tmp / "offline" / f"{name}.jsonl").read_bytes().splitlines():
            record = orjson.loads(line)
            records[record["id"]] = comparable(record)
    return records


@pytest.mark.timeout(1800)
def test_seed_replay_at_full_speed_matches_the_offline_run_every_time(
    make_pipeline, start_worker, seed_paths
) -> None:
    folder = seed_paths["000"].parent
    expected: dict[str, dict[str, Any]] | None = None
    verdicts = []
    for run in range(RUNS):
        pipeline = make_pipeline(partitions=4)
        if expected is None:
            expected = offline_records(pipeline, folder)
            # the seed folder's own story: 004 duplicates 000 and 005 updates 001
            assert {r["dedupe"]["status"] for r in expected.values()} >= {"duplicate", "update"}
        backlog = run % 2 == 1
        if backlog:  # published before any worker runs, as after an outage
            replay(pipeline, folder)
        workers = [start_worker(pipeline, name=f"r{run}w{i}", wait=False) for i in (1, 2)]
        for worker in workers:
            worker.wait_ready()
        if not backlog:
            replay(pipeline, folder)
        outcomes = collect(
            pipeline, has_ids(set(expected)), settle=1.0, workers=workers, what=f"run {run}"
        )
        mode = "backlog" if backlog else "live"
        got = {o.id: comparable(o.record) for o in outcomes}
        diff = differences(got, expected)
        assert not diff, f"run {run} ({mode}): differs from the offline run:\n" + "\n".join(diff)
        # At-least-once: a record published again (a worker joined while the first was in
        # flight) must be the same record, or "latest per key" would change the verdict.
        for outcome in outcomes:
            assert comparable(outcome.record) == expected[outcome.id], outcomes.summary()
        verdicts.append(mode)
        for worker in workers:
            worker.stop()
    assert verdicts.count("backlog") == RUNS // 2


@pytest.mark.timeout(300)
def test_a_record_stamped_before_its_partition_was_reported_past_is_judged_late_and_counted(
    pipeline: Deployment, start_worker, short_articles: list[dict[str, Any]]
) -> None:
    """The idle bound promises that no record stamped more than NEWSWIRE_DEDUPE_ORDER_MARGIN_MS
    before a partition was read to its end can still come. A producer that breaks it (here a
    stamp 30 s old, into a partition read to its end long ago) gets its article judged on
    arrival, flagged late, and counted on /metrics; it is not lost and not held."""
    worker = start_worker(pipeline)
    first, stale = short_articles[0], short_articles[1]
    produce(pipeline, [article_message(first, partition=0)])
    collect(pipeline, has_ids({first["id"]}), workers=[worker], what="the first article")
    time.sleep(1.5)  # partition 1 reported read to its end, past now - margin
    stamp = int(time.time() * 1000) - 30_000
    produce(pipeline, [Message(orjson.dumps(stale), stale["id"].encode(), 1, stamp)])
    got = collect(pipeline, has_ids({first["id"], stale["id"]}), workers=[worker], settle=0.5)
    (late,) = got.for_id(stale["id"])
    assert late.kind == "enriched" and late.record["dedupe"]["late"] is True, late.record
    assert got.for_id(first["id"])[0].record["dedupe"].get("late") is not True
    with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/metrics", timeout=5) as r:
        text = r.read().decode()
    counted = [
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "newswire_raw_stamped_late_total"
    ]
    assert counted == [1.0]
    assert "was stamped" in worker.log_tail(200) and "NEWSWIRE_DEDUPE_ORDER_MARGIN_MS" in (
        worker.log_tail(200)
    )
