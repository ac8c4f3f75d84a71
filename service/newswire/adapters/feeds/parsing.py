"""Feeds parsed in a process of their own, with a time budget per feed.

feedparser is pure Python and, for a feed that is not well-formed, falls back on a lenient
regular-expression parser: linear, but about 8 s of CPU per MB on hostile shapes
(bench/bench_feeds.py). In a thread it would hold the interpreter for that long and stall
every other feed's requests; here the event loop only awaits a future, and a feed that
overruns NEWSWIRE_POLL_PARSE_TIMEOUT gets `parse_timeout` while pebble replaces the process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from newswire.core.feeds import ParsedFeed, parse_feed
from newswire.core.records import Rejected


class FeedParser:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        # spawn, not fork: the parent runs asyncio and Kafka clients.
        self._pool = ProcessPool(max_workers=1, context=multiprocessing.get_context("spawn"))

    async def parse(
        self, data: bytes, content_type: str | None, *, max_bytes: int
    ) -> ParsedFeed | Rejected:
        future = self._pool.schedule(
            parse_feed,
            args=(data, content_type),
            kwargs={"max_bytes": max_bytes},
            timeout=self.timeout,
        )
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            return Rejected(
                "parse_timeout",
                f"parsing took longer than {self.timeout:g} s (NEWSWIRE_POLL_PARSE_TIMEOUT)",
            )
        except ProcessExpired as exc:  # the parsing process died (out of memory, a crash)
            return Rejected("parse_failed", f"the parsing process died: {exc}")

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=10)
