"""Log controls: collapse repeated warnings and errors so that an outage is a few lines, not
thousands.

While Kafka is down, aiokafka retries every few milliseconds and logs every failed attempt at
ERROR (a 30 s broker outage wrote over 3,000 lines). `RepeatCollapser` is a logging filter for
handlers: a WARNING-or-above record whose (logger, level, message template, exception type) was
already let through less than `interval` seconds ago is counted and dropped. The next one after
the interval goes out with "(N similar messages suppressed in the last X s)"; when none comes,
`flush()` (a background thread, and at exit) sends the last suppressed one with that count, so
a count is never lost. Records below WARNING, and records logged with ``extra=NO_COLLAPSE``
(state changes such as "kafka broker lost"), always pass unchanged.

One collapser is shared by all the handlers it is installed on. Its decision is stored on the
record, so a record that reaches two handlers is counted once and looks the same in both.
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "DEFAULT_INTERVAL",
    "NO_COLLAPSE",
    "JsonFormatter",
    "RepeatCollapser",
    "install_collapser",
]

#: Seconds during which repeats of one message are counted instead of written.
DEFAULT_INTERVAL = 10.0
#: ``log.warning(..., extra=NO_COLLAPSE)``: this record is never collapsed.
NO_COLLAPSE = {"nw_no_collapse": True}

_DECISION = "_nw_collapse_pass"  # record attribute: the shared verdict (True = let through)

Key = tuple[str, int, str, str]


@dataclass
class _Seen:
    emitted_at: float  # clock time the last record of this key was let through
    suppressed: int = 0  # dropped since then
    last: logging.LogRecord | None = None  # the latest dropped one, for flush()


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _key(record: logging.LogRecord) -> Key:
    msg = record.msg if isinstance(record.msg, str) else type(record.msg).__qualname__
    # Faust and mode format some messages before logging them ("producer buffer full size
    # 107"): numbers do not make a message different.
    msg = _NUMBER.sub("#", msg)
    exc = record.exc_info[0].__qualname__ if record.exc_info and record.exc_info[0] else ""
    return (record.name, record.levelno, msg, exc)


def _seconds(span: float) -> str:
    return f"{span:.0f}" if span >= 10 else f"{span:.1f}"


def _suffix(count: int, span: float) -> str:
    noun = "message" if count == 1 else "messages"
    return f" ({count} similar {noun} suppressed in the last {_seconds(span)} s)"


def _amend(record: logging.LogRecord, count: int, span: float) -> None:
    """Add the suppressed count to the message (the template has no placeholders for it, and
    must not: args are formatted into `msg` by %), and drop a repeated traceback."""
    extra = ""
    if record.exc_info:
        exc = record.exc_info[1]
        extra += f" [{type(exc).__name__}: {exc}; traceback shown earlier]"
        record.exc_info = None
        record.exc_text = None
    if count:
        extra += _suffix(count, span)
    if record.args:  # `msg % args` follows: a literal % in what we add must survive it
        extra = extra.replace("%", "%%")
    record.msg = (record.msg if isinstance(record.msg, str) else str(record.msg)) + extra


class RepeatCollapser(logging.Filter):
    """A handler filter that collapses repeats of WARNING-and-above records (see the module).

    `clock` is injectable for tests; it must be monotonic seconds.
    """

    def __init__(
        self,
        interval: float = DEFAULT_INTERVAL,
        *,
        level: int = logging.WARNING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self.level = level
        self._clock = clock
        self._seen: dict[Key, _Seen] = {}
        self._lock = threading.Lock()  # records come from the loop and the consumer thread
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.total_suppressed = 0  # for tests and reports

    # ------------------------------------------------------------------ the filter

    def filter(self, record: logging.LogRecord) -> bool:
        verdict = getattr(record, _DECISION, None)
        if verdict is None:
            verdict = self._decide(record)
            setattr(record, _DECISION, verdict)
        return verdict

    def _decide(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level or getattr(record, "nw_no_collapse", False):
            return True
        key = _key(record)
        with self._lock:
            now = self._clock()
            seen = self._seen.get(key)
            if seen is None or (not seen.suppressed and now - seen.emitted_at >= self.interval):
                self._seen[key] = _Seen(emitted_at=now)
                return True  # first of a burst: as it is, traceback and all
            if now - seen.emitted_at < self.interval:
                seen.suppressed += 1
                seen.last = record
                self.total_suppressed += 1
                return False
            count, span = seen.suppressed, now - seen.emitted_at
            self._seen[key] = _Seen(emitted_at=now)
        _amend(record, count, span)
        return True

    # ------------------------------------------------------------------ flushing

    def flush(self, *, force: bool = False) -> int:
        """Send, for every message with suppressed repeats whose interval is over (all of them
        with `force`), the latest repeat with the count of the others. Forget messages quiet
        for a whole interval, so a later one shows its traceback again. Returns how many
        records were sent."""
        due: list[tuple[logging.LogRecord, int, float]] = []
        with self._lock:
            now = self._clock()
            for key, seen in list(self._seen.items()):
                if now - seen.emitted_at < self.interval and not force:
                    continue
                if seen.last is None:
                    del self._seen[key]  # quiet for a whole interval
                    continue
                due.append((seen.last, seen.suppressed - 1, now - seen.emitted_at))
                self._seen[key] = _Seen(emitted_at=now)
        for last, count, span in due:
            # A new record (time: now, so the log stays in order) with the latest repeat's
            # message; the dropped record itself carries its failed verdict.
            record = logging.getLogRecordFactory()(
                last.name,
                last.levelno,
                last.pathname,
                last.lineno,
                last.msg,
                last.args,
                last.exc_info,
                last.funcName,
                last.stack_info,
            )
            _amend(record, count, span)
            setattr(record, _DECISION, True)
            logger = logging.getLogger(record.name)
            if not logger.disabled:
                logger.handle(record)
        return len(due)

    def start(self, period: float | None = None) -> None:
        """Flush in a daemon thread every `period` s (default: a quarter of the interval, at
        most 1 s), independent of the event loop; and once more, forced, at exit."""
        if self._thread is not None:
            return
        period = period if period is not None else min(1.0, self.interval / 4)
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(period):
                self._flush_safely()

        self._thread = threading.Thread(target=run, name="log-collapse-flush", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def close(self) -> None:
        """Stop the flush thread and send every pending count."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        self._flush_safely(force=True)

    def _flush_safely(self, force: bool = False) -> None:
        try:
            self.flush(force=force)
        except Exception:  # logging must never take the worker down
            logging.getLogger(__name__).debug("log collapse flush failed", exc_info=True)


def install_collapser(
    handlers: Iterable[logging.Handler],
    interval: float = DEFAULT_INTERVAL,
    *,
    start: bool = True,
) -> RepeatCollapser:
    """Put one shared `RepeatCollapser` on every handler in `handlers` (replacing one installed
    before) and start its flush thread."""
    collapser = RepeatCollapser(interval)
    for handler in handlers:
        for old in [f for f in handler.filters if isinstance(f, RepeatCollapser)]:
            handler.removeFilter(old)
            old.close()
        handler.addFilter(collapser)
    if start:
        collapser.start()
    return collapser


#: Record attributes a JSON log line carries when the code that logs knows them (``extra=``).
JSON_FIELDS = ("article_id", "stage", "reason", "topic", "partition", "offset")


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``NEWSWIRE_LOG_FORMAT=json``): time, level, logger, message,
    and, where known, the fields of `JSON_FIELDS` and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in JSON_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    converter = time.gmtime  # the "Z" above: UTC
