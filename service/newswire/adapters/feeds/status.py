"""Per-feed status: a live table on a terminal (rich, one row per feed), else one plain line
per poll of a feed (logs and CI read those)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table


@dataclass
class FeedStatus:
    url: str
    state: str = "waiting"  # waiting, polling, ok, not_modified, error
    new: int = 0  # published by this poll
    seen: int = 0  # in the feed, published before
    pages: int = 0  # summary-only items whose page was fetched
    error: str | None = None
    next_poll: float | None = None  # time.time()

    def text(self) -> str:
        if self.state == "error":
            return f"error {self.error}"
        if self.state == "not_modified":
            return "304 not modified"
        if self.state == "ok":
            parts = [f"{self.new} new", f"{self.seen} seen"]
            if self.pages:
                parts.append(f"{self.pages} pages fetched")
            return ", ".join(parts) + (f" ({self.error})" if self.error else "")
        return self.state


def _clock(when: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(when)) if when else "-"


class Board:
    def __init__(self, urls: list[str], *, live: bool | None = None) -> None:
        self.console = Console(stderr=True)
        self.live = self.console.is_terminal if live is None else live
        self.feeds = {url: FeedStatus(url) for url in urls}
        self._display: Live | None = None

    def __enter__(self) -> Board:
        if self.live:
            self._display = Live(self._table(), console=self.console, refresh_per_second=4)
            self._display.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._display is not None:
            self._display.update(self._table())
            self._display.__exit__(kind, error, trace)

    def update(self, status: FeedStatus) -> None:
        self.feeds[status.url] = status
        if self._display is not None:
            self._display.update(self._table())
        elif status.state not in ("waiting", "polling"):
            line = f"poll {status.url}: {status.text()}"
            if status.next_poll:
                line += f"; next poll {_clock(status.next_poll)}"
            # Plain print: no markup or wrapping, one line per event for log collectors.
            print(line, file=self.console.file, flush=True)

    def _table(self) -> Table:
        table = Table(box=None, pad_edge=False)
        for header in ("feed", "status", "next poll"):
            table.add_column(header, overflow="fold")
        styles = {"error": "red", "ok": "green", "not_modified": "dim"}
        for status in self.feeds.values():
            table.add_row(
                status.url,
                status.text(),
                _clock(status.next_poll),
                style=styles.get(status.state),
            )
        return table
