"""Batches of events from a stream, with manual acknowledgement.

Faust's `take_events` acknowledges a batch as soon as the next one is asked for, so a batch
still being processed could be committed past; here events are taken from a no-ack stream and
each stage acknowledges them itself once their outputs are delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
_END = object()


def is_copy(consumer: Any, event: Any) -> bool:
    """True for a message read again after a seek: its first delivery does the work."""
    check = getattr(consumer, "is_copy", None)
    return bool(check and check(event.message))


async def event_batches(stream: Any, size: int, within: float) -> AsyncIterator[list[Any]]:
    """Lists of at most `size` events: as many as arrive within `within` seconds of the first.
    `stream` must be a no-ack stream (`stream.noack()`); the caller acks every event. Copies
    of messages read again after a seek (stream/offsets.py) are acknowledged and left out."""
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=max(2 * size, 1))
    consumer = stream.app.consumer

    async def pump() -> None:
        try:
            async for event in stream.events():
                if is_copy(consumer, event):
                    await stream.ack(event)
                    continue
                await queue.put(event)
        finally:
            await queue.put(_END)

    task = asyncio.create_task(pump())
    loop = asyncio.get_running_loop()
    try:
        while True:
            first = await queue.get()
            if first is _END:
                break
            batch = [first]
            deadline = loop.time() + within
            while len(batch) < size:
                if queue.empty():
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        item = await asyncio.wait_for(queue.get(), remaining)
                    except TimeoutError:
                        break
                else:
                    item = queue.get_nowait()
                if item is _END:
                    yield batch
                    return
                batch.append(item)
            yield batch
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


def _value_size(event: Any) -> int:
    return len(event.value or b"")


def by_size(
    items: Sequence[T], max_bytes: int, size_of: Callable[[T], int] = _value_size
) -> list[list[T]]:
    """`items` (events by default) in order, in consecutive runs of at most `max_bytes` (as
    `size_of` counts them: message values); an item as large as that alone. A long article in
    a batch of short ones would hold them all until the model is through it (and a batch's
    time budget grows with its size)."""
    runs: list[list[T]] = []
    size = 0
    for event in items:
        length = size_of(event)
        if runs and size + length <= max_bytes:
            runs[-1].append(event)
            size += length
        else:
            runs.append([event])
            size = length
    return runs
