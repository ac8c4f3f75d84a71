"""The annotation gate: one batch per process at a time; a rebalance calls the rest off."""

from __future__ import annotations

import asyncio

import pytest

from newswire.adapters.processes.gate import Gate, WorkCancelled


async def test_batches_beyond_the_processes_wait_their_turn_in_order() -> None:
    gate = Gate(slots=1)
    await gate.enter()
    order: list[str] = []

    async def batch(name: str) -> None:
        await gate.enter()
        order.append(name)
        gate.leave()

    waiting = [asyncio.create_task(batch(n)) for n in ("b", "c")]
    await asyncio.sleep(0)
    assert order == []  # the process is busy
    gate.leave()
    await asyncio.gather(*waiting)
    assert order == ["b", "c"]


async def test_pause_calls_off_the_waiting_batches_not_the_running_one() -> None:
    gate = Gate(slots=1)
    await gate.enter()  # a process has begun this one
    waiting = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    gate.pause()
    with pytest.raises(WorkCancelled):
        await waiting
    with pytest.raises(WorkCancelled):  # and nothing new starts until the rebalance is over
        await gate.enter()
    gate.leave()  # the running batch finishes
    gate.resume()
    await asyncio.wait_for(gate.enter(), 1)  # its slot is free again


async def test_a_waiter_cancelled_with_the_slot_in_hand_gives_it_back() -> None:
    gate = Gate(slots=1)
    await gate.enter()
    waiting = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    gate.leave()  # hands the slot to the waiter...
    waiting.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.wait_for(gate.enter(), 1)  # the slot was not lost


async def test_a_slot_handed_over_just_before_a_pause_is_called_off_too() -> None:
    # The rebalance parks every batch no process has begun; a waiter that was handed a slot
    # but had not run yet when the pause came must not begin after it (its output would
    # come after the last commit, and the next owner would publish it again).
    gate = Gate(slots=1)
    await gate.enter()
    waiting = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    gate.leave()  # hands the slot to the waiter...
    gate.pause()  # ...and the rebalance starts before it runs
    with pytest.raises(WorkCancelled):
        await waiting
    gate.resume()
    await asyncio.wait_for(gate.enter(), 1)  # the slot was given back
