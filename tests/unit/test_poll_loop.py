"""The poll loop (adapters/feeds/poller.py): an unexpected failure on one feed is that feed's
status, and the other feeds are polled all the same."""

from __future__ import annotations

import asyncio

import pytest

from newswire.adapters.feeds.poller import PollSummary, _Poller
from newswire.adapters.feeds.state import Memory
from newswire.adapters.feeds.status import Board, FeedStatus
from newswire.settings import Settings


def test_a_bug_on_one_feed_does_not_stop_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    poller = _Poller(Settings(), None, None, None, Memory())  # type: ignore[arg-type]

    async def poll(url: str) -> FeedStatus:
        if url == "https://bad.example/rss":
            raise KeyError("a parser bug")
        return FeedStatus(url, "ok", new=2)

    poller.poll = poll  # type: ignore[method-assign]
    urls = ["https://bad.example/rss", "https://good.example/rss"]
    summary = PollSummary()

    async def run() -> None:
        with Board(urls, live=False) as board:
            await asyncio.gather(*(poller.loop(u, board, summary, True, 60) for u in urls))

    asyncio.run(run())
    assert (summary.polls, summary.failed, summary.new) == (2, 1, 2)
    lines = capsys.readouterr().err.splitlines()
    assert "poll https://bad.example/rss: error internal_error: KeyError: 'a parser bug'" in lines
    assert "poll https://good.example/rss: 2 new, 0 seen" in lines
    metrics = poller.metrics.render().decode()
    assert (
        'newswire_poll_errors_total{feed="https://bad.example/rss",reason="internal_error"} 1.0'
        in metrics
    )
