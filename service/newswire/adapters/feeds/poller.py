"""The poll loop: each feed on its own schedule; new items (by stable id) to the raw topic
once, then remembered in the state topic (state.py). One feed's failure is its status, never
the others' problem."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from newswire.adapters.feeds.http import (
    PAGE_ACCEPT,
    Fetched,
    Fetcher,
    FetchFailed,
    is_private_host,
)
from newswire.adapters.feeds.metrics import PollMetrics
from newswire.adapters.feeds.parsing import FeedParser
from newswire.adapters.feeds.state import (
    DAY,
    Memory,
    StateWriter,
    Validators,
    load_memory,
    topic_config,
)
from newswire.adapters.feeds.status import Board, FeedStatus
from newswire.adapters.kafka.admin import check_state_topic, ensure_topics
from newswire.adapters.kafka.producer import start_raw_producer
from newswire.core.feeds import FeedItem, ParsedFeed, raw_record
from newswire.core.records import Rejected, key_of
from newswire.settings import Settings

_HTML_TYPES = ("text/html", "application/xhtml+xml")
PUBLISH_CHUNK = 16
SWEEP_SECONDS = 600.0  # how often the memory forgets items past the state retention


@dataclass
class PollSummary:
    polls: int = 0
    new: int = 0
    not_modified: int = 0
    failed: int = 0
    statuses: dict[str, FeedStatus] = field(default_factory=dict)


async def run_poller(
    settings: Settings,
    urls: Sequence[str],
    *,
    once: bool,
    interval: float | None = None,
    progress: bool | None = None,
) -> PollSummary:
    await ensure_topics(
        settings,
        {settings.raw_topic: settings.partitions, settings.poll_state_topic: 1},
        configs={settings.poll_state_topic: topic_config(settings.poll_state_retention_days)},
    )
    await check_state_topic(settings)
    memory = await load_memory(settings)
    producer = await start_raw_producer(settings, settings.raw_topic)
    fetcher = Fetcher(settings)
    parser = FeedParser(settings.poll_parse_timeout)
    poller = _Poller(settings, producer, fetcher, parser, memory)
    server = None
    if settings.poll_metrics_port:
        server = poller.metrics.serve(settings.web_host, settings.poll_metrics_port)
    summary = PollSummary()
    try:
        with Board(list(urls), live=progress) as board:
            every = interval or settings.poll_interval
            tasks = [asyncio.create_task(poller.loop(u, board, summary, once, every)) for u in urls]
            main = asyncio.gather(*tasks)
            loop = asyncio.get_running_loop()
            # SIGTERM (docker stop, systemd) ends the polls like Ctrl-C: the producer is
            # flushed and closed below, so nothing acknowledged is left unrecorded.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signal.SIGTERM, main.cancel)
            try:
                await main
            except asyncio.CancelledError:
                pass  # stopped by a signal: what was acknowledged is recorded
            finally:
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signal.SIGTERM)
            summary.statuses = dict(board.feeds)
    finally:
        if server is not None:
            server.shutdown()
        parser.close()
        await fetcher.close()
        await producer.stop()
    return summary


class _Poller:
    def __init__(
        self,
        settings: Settings,
        producer: AIOKafkaProducer,
        fetcher: Fetcher,
        parser: FeedParser,
        memory: Memory,
    ) -> None:
        self.settings, self.producer, self.fetcher = settings, producer, fetcher
        self.parser = parser
        self.metrics = PollMetrics()
        self.memory = memory
        self.state = StateWriter(producer, settings.poll_state_topic, memory)
        self._stamp = 0
        self._swept = 0.0

    async def loop(
        self, url: str, board: Board, summary: PollSummary, once: bool, every: float
    ) -> None:
        while True:
            board.update(FeedStatus(url, "polling"))
            started = time.time()
            try:
                status = await self.poll(url)
            except KafkaError as exc:  # the broker, not the feed: say so, try again later
                status = FeedStatus(url, "error", error=f"kafka: {type(exc).__name__}: {exc}")
            except Exception as exc:  # a bug met on this feed: its status, never the others'
                status = FeedStatus(
                    url, "error", error=f"internal_error: {type(exc).__name__}: {exc}"
                )
            summary.polls += 1
            summary.new += status.new
            summary.not_modified += status.state == "not_modified"
            summary.failed += status.state == "error"
            self.metrics.observe(status)
            status.next_poll = None if once else started + every
            board.update(status)
            if once:
                return
            await asyncio.sleep(max(0.0, started + every - time.time()))

    async def poll(self, url: str) -> FeedStatus:
        known = self.memory.validators.get(url)
        fetched = await self.fetcher.fetch(
            url,
            max_bytes=self.settings.poll_max_feed_bytes,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
        )
        if isinstance(fetched, FetchFailed):
            return FeedStatus(url, "error", error=f"{fetched.reason}: {fetched.error}")
        if fetched.status == 304:
            return FeedStatus(url, "not_modified")
        # In a process of its own, with a time budget (parsing.py).
        parsed = await self.parser.parse(
            fetched.body, fetched.content_type, max_bytes=self.settings.poll_max_feed_bytes
        )
        if isinstance(parsed, Rejected):
            return FeedStatus(url, "error", error=f"{parsed.reason}: {parsed.error}")
        status = await self._publish_new(url, parsed)
        if status.state == "ok" and (fetched.etag or fetched.last_modified):
            await self.state.feed_validators(url, Validators(fetched.etag, fetched.last_modified))
        return status

    async def _publish_new(self, url: str, parsed: ParsedFeed) -> FeedStatus:
        status = FeedStatus(url, "ok")
        new: list[FeedItem] = []
        counted: set[str] = set()
        retention = self.settings.poll_state_retention_days * DAY
        now = time.time()
        if now - self._swept > SWEEP_SECONDS:  # a walk over every remembered item: not per poll
            self.memory.forget_before(now - retention)
            self._swept = now
        refresh: list[tuple[str, str, str | None]] = []
        for item in parsed.items:  # a feed that repeats an item: the first one counts
            if item.id in counted:
                continue
            counted.add(item.id)
            if self.memory.claim(item.id):
                new.append(item)
            else:
                status.seen += 1
                if self.memory.stale(item.id, now - retention / 2):
                    refresh.append((item.id, url, item.guid))
        if refresh:  # still listed: remembered for another retention period
            await self.state.items_published(refresh)
            self.memory.recorded([item_id for item_id, _, _ in refresh], now)
        # Oldest first (feeds list the newest first): the dedupe stage judges in publish
        # order, so an item that updates an earlier one must be published after it.
        new.reverse()
        new.sort(key=lambda item: item.published_at or "")
        try:
            # Pages of a feed on a public host must be on public hosts too (http.py).
            private = await is_private_host(urlsplit(url).hostname or "")
            # In chunks, each published and recorded before the next one's pages are fetched:
            # a feed of a thousand summary-only items takes as many polite page fetches, and a
            # poller stopped half-way keeps what it published.
            for start in range(0, len(new), PUBLISH_CHUNK):
                chunk = new[start : start + PUBLISH_CHUNK]
                if not await self._publish_chunk(url, parsed, chunk, status, private):
                    break
        finally:
            self.memory.claimed.difference_update(item.id for item in new)
        return status

    async def _publish_chunk(
        self, url: str, parsed: ParsedFeed, chunk: list[FeedItem], status: FeedStatus, private: bool
    ) -> bool:
        """Records of `chunk` to the raw topic, then (acknowledged) to the state topic; False
        if Kafka refused one (the feed's status says so; the rest waits for the next poll)."""
        records = await asyncio.gather(
            *(self._record(url, parsed, item, status, private) for item in chunk)
        )
        sends = []
        for item, record in zip(chunk, records, strict=True):
            # Strictly increasing timestamps, as replay stamps them: the dedupe stage orders
            # by timestamp, and a burst within one millisecond must keep the sending order.
            self._stamp = max(int(time.time() * 1000), self._stamp + 1)
            future = await self.producer.send(
                self.settings.raw_topic,
                orjson.dumps(record),
                key=key_of(item.id),
                timestamp_ms=self._stamp,
            )
            sends.append((item, future))
        acked: list[tuple[str, str, str | None]] = []
        failure: BaseException | None = None
        for item, future in sends:
            try:
                await future
            except KafkaError as exc:
                failure = exc
            else:
                acked.append((item.id, url, item.guid))
        # State after the raw acknowledgements (at-least-once; state.py).
        await self.state.items_published(acked)
        self.memory.recorded([item_id for item_id, _, _ in acked], time.time())
        status.new += len(acked)
        if failure is not None:
            status.state = "error"
            status.error = f"kafka: {type(failure).__name__}: {failure}"
            return False
        return True

    async def _record(
        self, url: str, parsed: ParsedFeed, item: FeedItem, status: FeedStatus, private: bool
    ) -> dict:
        page_html, note = None, None
        if not item.full and item.url and self.settings.poll_fetch_pages:
            page_html, note = await self._page(item.url, private)
            status.pages += page_html is not None
        elif not item.full and item.url:
            note = "not_fetched"
        return raw_record(
            item,
            feed_url=url,
            fmt=parsed.format,
            source=parsed.title or None,
            page_html=page_html,
            page_note=note,
        )

    async def _page(self, url: str, private: bool) -> tuple[str | None, str | None]:
        """An item's page as HTML for the clean stage to extract (trafilatura, in the worker,
        under its time budget), or why not (the summary goes instead)."""
        fetched = await self.fetcher.fetch(
            url,
            # A page is sent as the article body, which the worker caps too: one bigger than
            # that is not fetched whole (the summary goes instead, with the reason).
            max_bytes=min(self.settings.poll_max_page_bytes, self.settings.max_article_bytes),
            accept=PAGE_ACCEPT,
            private=private,
        )
        if isinstance(fetched, FetchFailed):
            return None, fetched.reason
        assert isinstance(fetched, Fetched)
        media, _, params = (fetched.content_type or "text/html").partition(";")
        if media.strip().lower() not in _HTML_TYPES:
            return None, "not_html"
        charset = "utf-8"
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip("\"'")
        try:
            return fetched.body.decode(charset, errors="replace"), None
        except LookupError:  # an unknown charset name
            return fetched.body.decode("utf-8", errors="replace"), None
