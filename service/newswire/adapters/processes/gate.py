"""The annotation gate: at most one batch per NLP process, the rest wait where a rebalance can
call them off (`pause`) without stopping work a process has begun."""

from __future__ import annotations

import asyncio
from collections import deque


class WorkCancelled(Exception):
    """Annotation was called off before a process began it: the worker is giving its
    partitions up (a rebalance). The input is read again by whoever owns it next."""


class Gate:
    """At most `slots` annotation batches in the processes at once (one per process); the rest
    wait here, where a rebalance can call them off (`pause`) without stopping work that a
    process has begun, so the rebalance waits for one batch at most, not for a queue."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._open = True
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def enter(self) -> None:
        if not self._open:
            raise WorkCancelled
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.exception() is None:
                self.leave()  # the slot was handed over just as we were cancelled
            raise
        if not self._open:  # handed a slot, but a rebalance began before this batch ran
            self.leave()
            raise WorkCancelled

    def leave(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot goes to the next in line
                return
        self._free += 1

    def pause(self) -> None:
        self._open = False
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_exception(WorkCancelled())

    def resume(self) -> None:
        self._open = True
