"""The broker watch (adapters/stream/broker_watch.py): its lost/back state machine with a scripted
probe and a fake clock, and the real probe against a port nothing listens on. The probe
against a live broker is exercised by tests/integration/test_outage_logs.py."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid

import pytest

from newswire.adapters.stream.broker_watch import BrokerWatch, KafkaProbe
from newswire.logs import RepeatCollapser


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


class Script:
    """A probe that answers from a script: an exception is raised, None is an answer."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if outcome is not None:
            raise outcome


@pytest.fixture
def logger(caplog: pytest.LogCaptureFixture) -> logging.Logger:
    caplog.set_level(logging.DEBUG)
    return logging.getLogger(f"test.watch.{uuid.uuid4().hex[:8]}")


def lines(caplog: pytest.LogCaptureFixture, logger: logging.Logger) -> list[str]:
    return [f"{r.levelname} {r.getMessage()}" for r in caplog.records if r.name == logger.name]


async def test_one_line_when_lost_and_one_when_back(
    caplog: pytest.LogCaptureFixture, logger: logging.Logger
) -> None:
    refused = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 9)")
    probe = Script(None, refused, refused, refused, refused, None, None)
    clock = Clock()
    watch = BrokerWatch(probe, clock=clock, logger=logger)

    results = []
    for _ in range(7):
        results.append(await watch.check())
        clock.now += 2.0
    assert results == [True, False, False, False, False, True, True]
    assert lines(caplog, logger) == [
        "WARNING kafka broker lost: ConnectionRefusedError: "
        "[Errno 111] Connect call failed ('127.0.0.1', 9)",
        # From the first failed check (t=52) to the first good one (t=60).
        "WARNING kafka broker back after 8 s",
    ]
    assert (watch.lost_count, watch.back_count, watch.reachable) == (1, 1, True)


async def test_a_timeout_is_named_as_such(
    caplog: pytest.LogCaptureFixture, logger: logging.Logger
) -> None:
    watch = BrokerWatch(Script(TimeoutError()), failures_to_lose=1, logger=logger)
    assert not await watch.check()
    assert lines(caplog, logger) == [
        "WARNING kafka broker lost: TimeoutError: no answer within the timeout"
    ]


async def test_a_single_failed_check_is_not_an_outage(
    caplog: pytest.LogCaptureFixture, logger: logging.Logger
) -> None:
    probe = Script(TimeoutError(), None, TimeoutError(), None)
    watch = BrokerWatch(probe, clock=Clock(), logger=logger)
    for _ in range(4):
        await watch.check()
    assert lines(caplog, logger) == []
    assert watch.reachable


async def test_flapping_is_reported_in_full_even_under_the_collapser(
    caplog: pytest.LogCaptureFixture, logger: logging.Logger
) -> None:
    """The lost/back lines are state changes: the repeat collapser must let every one pass."""
    collapser = RepeatCollapser(10.0)
    caplog.handler.addFilter(collapser)
    try:
        down = OSError("down")
        watch = BrokerWatch(Script(down, None, down, None), failures_to_lose=1, logger=logger)
        for _ in range(4):
            await watch.check()
    finally:
        caplog.handler.removeFilter(collapser)
    assert [line.split(":")[0] for line in lines(caplog, logger)] == [
        "WARNING kafka broker lost",
        "WARNING kafka broker back after 0 s",
        "WARNING kafka broker lost",
        "WARNING kafka broker back after 0 s",
    ]
    assert collapser.total_suppressed == 0


async def test_run_keeps_checking_and_stops_when_cancelled(logger: logging.Logger) -> None:
    probe = Script(*([RuntimeError("unexpected")] * 50))
    watch = BrokerWatch(probe, interval=0.01, logger=logger)
    task = asyncio.create_task(watch.run())
    while probe.calls < 5:
        await asyncio.sleep(0.01)
    assert not task.done()  # errors from the probe never end the loop
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not watch.reachable and watch.lost_count == 1


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when this returns


async def test_the_kafka_probe_raises_the_cause_when_nothing_listens() -> None:
    port = _closed_port()
    probe = KafkaProbe([f"127.0.0.1:{port}"], timeout=1.0)
    with pytest.raises(OSError, match=str(port)):
        await probe()
    probe.close()


def test_the_kafka_probe_needs_servers() -> None:
    with pytest.raises(ValueError):
        KafkaProbe([])
    assert KafkaProbe(["127.0.0.1:9092", "[::1]:9093"]).servers == [
        ("127.0.0.1", 9092),
        ("::1", 9093),
    ]
