"""The dedupe agent judges articles in publish order, not in the order partitions deliver them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from streamkit import SEED_BODY, Recorder, article, make_service, put_all, wait_until

from newswire.adapters.stream.dedupe_order import StageClock
from newswire.adapters.stream.service import Service

COPY_BODY = SEED_BODY  # republished under another id: an exact duplicate


async def staged(svc: Service, rec: Recorder) -> dict[str, dict[str, Any]]:
    """The dedupe-stage payloads of an original and its near-duplicate, from the clean agent."""
    await put_all(
        svc,
        "clean",
        [article("orig"), article("copy", body=COPY_BODY)],
        until=lambda: len(rec.of("dedupe")) == 2,
    )
    payloads = {value["article"]["raw"]["id"]: value for _, value in rec.of("dedupe")}
    rec.sent.clear()
    return payloads


def at(payload: dict[str, Any], timestamp: int, partition: int, offset: int) -> bytes:
    origin = {"topic": "newswire.raw", "partition": partition, "offset": offset}
    return orjson.dumps(dict(payload, raw_origin={**origin, "timestamp": timestamp}))


def mark(*lows: tuple[int, int, int], partitions: int = 2) -> bytes:
    return orjson.dumps({"marks": [list(low) for low in lows], "partitions": partitions})


def verdicts(rec: Recorder) -> list[tuple[str, str, bool]]:
    out = [
        (v["article"]["raw"]["id"], v["verdict"]["status"], v["verdict"]["late"])
        for _, v in rec.of("annotate")
    ]
    out += [(v["id"], v["dedupe"]["status"], v["dedupe"]["late"]) for _, v in rec.of("duplicates")]
    return out


async def test_a_copy_that_arrives_first_is_still_the_duplicate(blank_nlp: Any) -> None:
    svc, rec = make_service(blank_nlp, partitions=2, dedupe_grace_seconds=60)
    try:
        payloads = await staged(svc, rec)
        async with svc.app.agents["dedupe"].test_context() as dedupe:
            # The copy was published later (t=200, partition 1) but its partition was read
            # first; the original (t=100, partition 0) comes after it.
            await dedupe.put(at(payloads["copy"], 200, 1, 0))
            await asyncio.sleep(0.1)
            assert rec.sent == []  # held: partition 0 may still deliver something earlier
            await dedupe.put(at(payloads["orig"], 100, 0, 0))
            await wait_until(lambda: rec.sent != [])
            await asyncio.sleep(0.1)
            assert verdicts(rec) == [("orig", "unique", False)]  # copy waits for partition 0
            await dedupe.put(mark((300, 0, 1)))  # partition 0: nothing more before t=300
            await wait_until(lambda: len(rec.sent) == 2)
        assert verdicts(rec) == [("orig", "unique", False), ("copy", "duplicate", False)]
        ((_, duplicate),) = rec.of("duplicates")
        assert duplicate["dedupe"]["duplicate_of"] == "orig"
    finally:
        svc.runner.close()


async def test_without_the_grace_the_copy_would_win_the_race(blank_nlp: Any) -> None:
    """The same arrival order with the buffer off (grace 0): judged on arrival, the copy
    becomes the story's original. This is what publish order prevents."""
    svc, rec = make_service(blank_nlp, partitions=2, dedupe_grace_seconds=0)
    try:
        payloads = await staged(svc, rec)
        async with svc.app.agents["dedupe"].test_context() as dedupe:
            await dedupe.put(at(payloads["copy"], 200, 1, 0))
            await dedupe.put(at(payloads["orig"], 100, 0, 0))
            await wait_until(lambda: len(rec.sent) == 2)
        assert verdicts(rec) == [("copy", "unique", False), ("orig", "duplicate", True)]
    finally:
        svc.runner.close()


async def test_a_silent_partition_is_waited_for_only_the_grace(blank_nlp: Any) -> None:
    svc, rec = make_service(blank_nlp, partitions=2, dedupe_grace_seconds=0.3)
    try:
        payloads = await staged(svc, rec)
        async with svc.app.agents["dedupe"].test_context() as dedupe:
            await dedupe.put(at(payloads["copy"], 200, 1, 0))
            await asyncio.sleep(0.1)
            assert rec.sent == []
            # Partition 0 says nothing; the next record after the grace (a mark of
            # partition 1) releases the copy.
            await asyncio.sleep(0.3)
            await dedupe.put(mark((250, 1, 1)))
            await wait_until(lambda: rec.sent != [])
            assert verdicts(rec) == [("copy", "unique", False)]
            # The original turns up at last: judged on arrival, and its record says so.
            await dedupe.put(at(payloads["orig"], 100, 0, 0))
            await wait_until(lambda: len(rec.sent) == 2)
        assert verdicts(rec)[1] == ("orig", "duplicate", True)
    finally:
        svc.runner.close()


async def test_a_dedupe_consumer_behind_its_topic_does_not_take_partitions_for_silent(
    blank_nlp: Any,
) -> None:
    """Silence is judged by when marks were sent, not when this consumer reads them. Here the
    consumer reads a stretch of its topic late (a stall, a backlog): the mark it reads after
    the grace was sent right after the copy, so partition 0 was not silent yet. Judged by the
    reading time, the copy would be released past partition 0 and win the race (CI saw this
    once: a seed article judged before the one it duplicates)."""
    svc, rec = make_service(blank_nlp, partitions=2, dedupe_grace_seconds=0.3)
    try:
        payloads = await staged(svc, rec)
        async with svc.app.agents["dedupe"].test_context() as dedupe:
            sent = time.time()
            await dedupe.put(at(payloads["copy"], 200, 1, 0), timestamp=sent)
            await asyncio.sleep(0.5)  # the consumer falls behind by more than the grace
            await dedupe.put(mark((250, 1, 1)), timestamp=sent + 0.01)
            await asyncio.sleep(0.2)
            assert rec.sent == []  # still waiting for partition 0
            await dedupe.put(at(payloads["orig"], 100, 0, 0), timestamp=sent + 0.02)
            await dedupe.put(mark((300, 0, 1)), timestamp=sent + 0.03)
            await wait_until(lambda: len(rec.sent) == 2)
        assert verdicts(rec) == [("orig", "unique", False), ("copy", "duplicate", False)]
    finally:
        svc.runner.close()


def test_the_stage_clock_runs_with_the_sending_time_and_never_backwards() -> None:
    ticks = iter([100.0, 101.0, 102.0, 103.0])
    walls = iter([5000.0, 5001.0, 5002.0, 5003.0])
    clock = StageClock(monotonic=lambda: next(ticks), wall=lambda: next(walls))
    assert clock.at(None) == 100.0  # no sending time: no lag
    assert clock.at(4999.0) == 100.0  # read 2 s after it was sent: 101 - 2 = 99, held at 100
    assert clock.at(5002.0) == 102.0  # read as it is sent
    assert clock.at(5010.0) == 103.0  # a sender clock ahead of ours: no lag
