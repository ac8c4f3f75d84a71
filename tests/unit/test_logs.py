"""The repeat collapser (newswire.logs) with real loggers, handlers and records, and a fake
clock; and its installation by the worker's `on_setup_root_logger` hook."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from newswire.logs import NO_COLLAPSE, RepeatCollapser, install_collapser


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []
        self.created: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.created.append(record.created)


@dataclass
class Rig:
    clock: Clock
    collapser: RepeatCollapser
    out: Capture
    loggers: dict[str, logging.Logger] = field(default_factory=dict)

    def logger(self, name: str = "aiokafka") -> logging.Logger:
        """A real logger named `<unique>.<name>`, writing to `out` only."""
        if name not in self.loggers:
            logger = logging.getLogger(f"t{uuid.uuid4().hex[:8]}.{name}")
            logger.propagate = False
            logger.setLevel(logging.DEBUG)
            logger.addHandler(self.out)
            self.loggers[name] = logger
        return self.loggers[name]


@pytest.fixture
def rig() -> Iterator[Rig]:
    clock = Clock()
    collapser = RepeatCollapser(10.0, clock=clock)
    out = Capture()
    out.addFilter(collapser)
    made = Rig(clock, collapser, out)
    yield made
    for logger in made.loggers.values():
        logger.removeHandler(out)


CONNECT = "Unable connect to node with id %s: %s"


def test_repeats_collapse_into_one_line_with_the_count(rig: Rig) -> None:
    log = rig.logger()
    for attempt in range(100):
        log.error(CONNECT, 1, f"[Errno 111] attempt {attempt}")
        rig.clock.advance(0.05)  # 100 attempts in 5 s
    assert rig.out.lines == [
        f"ERROR {log.name} Unable connect to node with id 1: [Errno 111] attempt 0"
    ]

    rig.clock.now = 1000.0 + 10.0  # the interval after the first one is over
    log.error(CONNECT, 1, "[Errno 111] attempt 100")
    assert rig.out.lines[1:] == [
        f"ERROR {log.name} Unable connect to node with id 1: [Errno 111] attempt 100"
        " (99 similar messages suppressed in the last 10 s)"
    ]
    assert rig.collapser.total_suppressed == 99

    # A new window: the next repeat is counted again.
    rig.clock.advance(1)
    log.error(CONNECT, 1, "again")
    assert len(rig.out.lines) == 2


def test_different_messages_are_never_dropped(rig: Rig) -> None:
    fetcher, coordinator = rig.logger("fetcher"), rig.logger("coordinator")
    for _ in range(5):
        rig.logger().error(CONNECT, 1, "refused")
        rig.logger().error("Unable to update metadata from %s", [1])
        rig.logger().warning(CONNECT, 1, "refused")  # same template, other level
        fetcher.error(CONNECT, 1, "refused")  # same template, other logger
        coordinator.error("Group Coordinator Request failed: %s", "NodeNotReadyError")
        rig.clock.advance(0.1)
    assert [line.split(" ", 2)[2] for line in rig.out.lines] == [
        "Unable connect to node with id 1: refused",
        "Unable to update metadata from [1]",
        "Unable connect to node with id 1: refused",
        "Unable connect to node with id 1: refused",
        "Group Coordinator Request failed: NodeNotReadyError",
    ]
    assert [line.split(" ", 1)[0] for line in rig.out.lines] == [
        "ERROR",
        "ERROR",
        "WARNING",
        "ERROR",
        "ERROR",
    ]
    assert rig.collapser.total_suppressed == 4 * 5


def test_info_and_no_collapse_records_always_pass(rig: Rig) -> None:
    newswire = rig.logger("newswire")
    for offset in range(30):
        newswire.info("dlq: %s %s (%s)", "invalid_json", None, f"raw/0/{offset}")
        newswire.warning("kafka broker lost: %s", "refused", extra=NO_COLLAPSE)
    assert len(rig.out.lines) == 60
    assert rig.out.lines[-2] == f"INFO {newswire.name} dlq: invalid_json None (raw/0/29)"
    assert rig.collapser.total_suppressed == 0


def test_flush_sends_the_pending_count_once_the_interval_is_over(rig: Rig) -> None:
    log = rig.logger()
    for node in range(7):
        log.error(CONNECT, node, "refused")
        rig.clock.advance(1)
    assert len(rig.out.lines) == 1

    assert rig.collapser.flush() == 0  # 7 s: still within the interval
    rig.clock.advance(3)
    assert rig.collapser.flush() == 1
    # The latest repeat, with the count of the others, over the interval since the first.
    assert rig.out.lines[1] == (
        f"ERROR {log.name} Unable connect to node with id 6: refused"
        " (5 similar messages suppressed in the last 10 s)"
    )
    assert rig.out.created[1] >= rig.out.created[0]  # sent now, not dated back
    assert rig.collapser.flush() == 0  # nothing pending: nothing twice

    # A quiet interval later the message is forgotten: the next one passes as the first.
    rig.clock.advance(10)
    rig.collapser.flush()
    log.error(CONNECT, 9, "refused")
    assert rig.out.lines[2] == f"ERROR {log.name} Unable connect to node with id 9: refused"


def test_a_single_suppressed_repeat_is_flushed_without_a_count(rig: Rig) -> None:
    log = rig.logger()
    log.warning("Heartbeat failed: %s", "a")
    log.warning("Heartbeat failed: %s", "b")
    rig.clock.advance(10)
    rig.collapser.flush()
    assert rig.out.lines == [
        f"WARNING {log.name} Heartbeat failed: a",
        f"WARNING {log.name} Heartbeat failed: b",
    ]


def test_close_flushes_every_pending_count_at_once(rig: Rig) -> None:
    first, second = rig.logger("a"), rig.logger("b")
    for _ in range(4):
        first.error("Failed fetch messages from %s: %s", 1, "NodeNotReadyError")
        second.error("Group Coordinator Request failed: %s", "NodeNotReadyError")
    rig.clock.advance(0.5)
    rig.collapser.close()  # at exit: the interval is not over, the counts go out anyway
    assert sorted(rig.out.lines[2:]) == sorted(
        [
            f"ERROR {first.name} Failed fetch messages from 1: NodeNotReadyError"
            " (2 similar messages suppressed in the last 0.5 s)",
            f"ERROR {second.name} Group Coordinator Request failed: NodeNotReadyError"
            " (2 similar messages suppressed in the last 0.5 s)",
        ]
    )


def test_a_repeated_exception_keeps_only_the_first_traceback(rig: Rig) -> None:
    log = rig.logger("faust")
    for number in range(3):
        try:
            raise ConnectionError(f"broker gone (attempt {number}, 100% down)")
        except ConnectionError:
            log.exception("Error: %s", "commit")
        rig.clock.advance(6)
    try:
        raise KeyError("x")
    except KeyError:
        log.exception("Error: %s", "commit")  # another exception type: its own message

    text = "\n".join(rig.out.lines)
    assert text.count("Traceback (most recent call last)") == 2
    assert rig.out.lines[0].startswith(f"ERROR {log.name} Error: commit\nTraceback")
    assert "broker gone (attempt 0, 100% down)" in rig.out.lines[0]
    # The third (12 s after the first) goes out without its traceback, but says what it was.
    assert rig.out.lines[1] == (
        f"ERROR {log.name} Error: commit [ConnectionError: broker gone (attempt 2, 100% down);"
        " traceback shown earlier] (1 similar message suppressed in the last 12 s)"
    )
    assert rig.out.lines[2].startswith(f"ERROR {log.name} Error: commit\nTraceback")
    assert "KeyError: 'x'" in rig.out.lines[2]


def test_one_collapser_on_two_handlers_counts_each_record_once() -> None:
    clock = Clock()
    console, logfile = Capture(), Capture()
    collapser = install_collapser([console, logfile], 10.0, start=False)
    collapser._clock = clock
    logger = logging.getLogger(f"t{uuid.uuid4().hex[:8]}.mode")
    logger.propagate = False
    logger.addHandler(console)
    logger.addHandler(logfile)
    for _ in range(10):
        logger.warning("Timer %s woke up too late", "commit")
    clock.advance(10)
    logger.warning("Timer %s woke up too late", "commit")
    expected = [
        f"WARNING {logger.name} Timer commit woke up too late",
        f"WARNING {logger.name} Timer commit woke up too late"
        " (9 similar messages suppressed in the last 10 s)",
    ]
    assert console.lines == expected
    assert logfile.lines == expected
    assert collapser.total_suppressed == 9

    # Installing again replaces the collapser instead of stacking a second one.
    again = install_collapser([console, logfile], 10.0, start=False)
    assert [f for f in console.filters if isinstance(f, RepeatCollapser)] == [again]


def test_the_flush_thread_sends_counts_without_new_records() -> None:
    out = Capture()
    collapser = RepeatCollapser(0.2)
    out.addFilter(collapser)
    logger = logging.getLogger(f"t{uuid.uuid4().hex[:8]}.aiokafka")
    logger.propagate = False
    logger.addHandler(out)
    collapser.start(period=0.05)
    try:
        for _ in range(5):
            logger.error("Unable to update metadata from %s", [1])
        deadline = time.monotonic() + 5.0  # hang guard; it takes about 0.25 s
        while len(out.lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        collapser.close()
    assert len(out.lines) == 2
    assert out.lines[1].startswith(f"ERROR {logger.name} Unable to update metadata from [1] (3 ")


def test_the_worker_hook_installs_the_collapser_on_the_root_handlers() -> None:
    import faust

    from newswire.adapters.stream.worker import NewswireWorker

    app = faust.App(f"t-{uuid.uuid4().hex[:8]}", broker="kafka://127.0.0.1:1")
    worker = NewswireWorker(app, loglevel="INFO", quiet=True)
    root = logging.Logger("fake-root")  # not the real root: pytest's capture lives there
    handler = Capture()
    root.addHandler(handler)
    worker.on_setup_root_logger(root, logging.INFO)
    try:
        assert worker.collapser is not None
        assert all(worker.collapser in h.filters for h in root.handlers)
        for _ in range(20):
            root.error("Unable connect to node with id %s: %s", 1, "refused")
        assert handler.lines == ["ERROR fake-root Unable connect to node with id 1: refused"]
    finally:
        worker.collapser.close()


def test_messages_formatted_before_logging_collapse_despite_their_numbers(rig: Rig) -> None:
    log = rig.logger()
    for size in (107, 115, 127):  # mode formats "producer buffer full size %r" itself
        log.warning(f"producer buffer full size {size}")
        rig.clock.advance(0.05)
    log.warning("broker lost")
    assert rig.out.lines == [
        f"WARNING {log.name} producer buffer full size 107",
        f"WARNING {log.name} broker lost",
    ]


def test_json_lines_carry_level_logger_message_and_the_known_fields() -> None:
    import json

    from newswire.logs import JsonFormatter

    record = logging.LogRecord("newswire", logging.WARNING, __file__, 1, "dlq: %s", ("x",), None)
    for name, value in {"article_id": "a1", "reason": "invalid_json", "partition": 0}.items():
        setattr(record, name, value)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "newswire"
    assert entry["message"] == "dlq: x"
    assert (entry["article_id"], entry["reason"], entry["partition"]) == ("a1", "invalid_json", 0)
    assert "stage" not in entry  # only what the code that logs knows
    assert entry["time"].endswith("Z")
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "it failed", (), sys.exc_info())
    assert "ValueError: boom" in json.loads(JsonFormatter().format(failed))["exception"]
