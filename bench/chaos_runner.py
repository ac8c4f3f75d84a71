"""Running one chaos phase: fresh topics, workers (restarted if they exit on their own), the
background reader of outcomes, the wait for completion, and the evidence left behind."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from chaos_evidence import Fault, Input, PhaseData, Record, match
from chaos_kafka import (
    Collector,
    Topics,
    commit_lag,
    committed_offsets,
    create_topics,
    delete_topics,
    now_ms,
    read_topics,
)
from chaos_workers import Worker

REJOIN_MS = 10_000  # after a worker logs ready, its group may still be rebalancing


@dataclass(frozen=True)
class Config:
    seed: int = 7
    partitions: int = 4
    timeout: float = 600.0  # completion timeout per phase, after the last input and fault
    settle: float = 5.0  # keep reading after completion, for late repeats
    session_timeout: float | None = None  # NEWSWIRE_SESSION_TIMEOUT_SECONDS, else the default
    keep_topics: bool = False
    service_src: str | None = None  # run workers from this source tree (e.g. a baseline)
    # worker-kill
    backlog: int = 2000  # room for 3 kill-restart cycles (~40 s each) at 10-20 articles/s
    derived_every: int = 6
    kills: int = 3
    restart_pause: float = 16.0  # > the resume limit: a resume within it is a takeover
    kill_delay: tuple[float, float] = (1.0, 4.0)
    # broker phases
    stream: int = 300
    rate: float = 4.0
    broker_down: tuple[float, float] = (10.0, 30.0)
    leader_down: float = 40.0
    # hostile flood
    hostile: int = 3000
    flood_good: int = 100
    small_size: int = 2000
    heavy_size: int | None = None  # None: hostile.py's sizes (1 MB of quoted sentences, ...)


@dataclass
class Phase:
    """A running phase: its workers, faults and committed-offset snapshots."""

    name: str
    topics: Topics
    run_dir: Path
    cfg: Config
    col: Collector
    workers: list[Worker] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)
    killed: set[str] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    snapshots: list[tuple[int, dict[tuple[str, int], int]]] = field(default_factory=list)
    windows: list[tuple[str, int, int]] = field(default_factory=list)
    background: list[asyncio.Task[None]] = field(default_factory=list)
    started: int = field(default_factory=now_ms)
    ready_at: int = 0

    def say(self, text: str) -> None:
        print(f"  [{self.name} {self.rel(now_ms()):7.1f} s] {text}", flush=True)

    def rel(self, ms: int) -> float:
        return round((ms - self.started) / 1000, 1)

    async def start_workers(self, count: int) -> None:
        env = {}
        if self.cfg.session_timeout is not None:
            env["NEWSWIRE_SESSION_TIMEOUT_SECONDS"] = str(self.cfg.session_timeout)
        if self.cfg.service_src is not None:  # ahead of the editable install of this tree
            env["PYTHONPATH"] = self.cfg.service_src
        begin = now_ms()
        for n in range(count):
            worker = Worker(f"{self.name}-w{n + 1}", self.topics, self.run_dir, env)
            self.workers.append(worker)
            worker.start()
            self.say(f"started {worker.name}, log {worker.log_path}")
        await self.wait_ready(*self.workers)
        self.ready_at = self.ready_at or now_ms()
        self.windows.append(("workers join", begin, now_ms() + REJOIN_MS))
        self.say("workers ready")

    async def wait_ready(self, *workers: Worker) -> None:
        """Until they log ready; one that exits first is noted (the supervisor restarts it)."""
        for result in await asyncio.gather(
            *(w.wait_ready() for w in workers), return_exceptions=True
        ):
            if isinstance(result, BaseException):
                self.say(f"not ready: {str(result).splitlines()[0]}")

    async def supervise(self) -> None:
        """Restart a worker that exited on its own (as compose's `restart: unless-stopped`
        would), and note it: a worker that dies of a broker outage is evidence."""
        while True:
            await asyncio.sleep(1.0)
            for w in self.workers:
                if w.name not in self.killed and w.proc is not None and not w.alive():
                    self.exits.append(
                        f"{w.name} exited (code {w.proc.returncode}) at {self.rel(now_ms())} s"
                    )
                    self.say(f"{self.exits[-1]}; restarting it")
                    w.start()

    async def snapshot(self) -> None:
        with contextlib.suppress(Exception):  # the coordinator may be moving: skip that one
            self.snapshots.append((now_ms(), await committed_offsets(self.topics)))

    async def poll_offsets(self) -> None:
        while True:
            await self.snapshot()
            await asyncio.sleep(1.0)

    def log_lines(self) -> dict[str, int]:
        return {w.name: len(w.log_text().splitlines()) for w in self.workers}

    def outstanding(self, inputs: list[Input]) -> int:
        per_input, _ = match(PhaseData("", self.topics.raw, [], inputs, list(self.col.records)))
        return sum(1 for outs in per_input.values() if not outs)

    async def final_lag(self, wait: float = 15.0) -> dict[str, Any]:
        """Uncommitted messages once every input has its outcome, after up to `wait` s for
        the workers' periodic commit: what a crash now would replay."""
        deadline = time.monotonic() + wait
        while True:
            try:
                lag = await commit_lag(self.topics)
            except Exception as exc:  # evidence, not a reason to lose the phase
                return {"error": repr(exc)}
            if not any(lag.values()) or time.monotonic() > deadline:
                return lag
            await asyncio.sleep(1.0)

    async def wait_complete(self, inputs: list[Input]) -> bool:
        deadline = time.monotonic() + self.cfg.timeout
        last = -1
        while time.monotonic() < deadline:
            left = self.outstanding(inputs)
            if left != last:
                self.say(f"{left} inputs without outcome")
                last = left
            if left == 0:
                await asyncio.sleep(self.cfg.settle)
                return True
            await asyncio.sleep(1.0)
        return False


Body = Callable[[Phase], Awaitable[None]]


async def run_phase(
    name: str, topics: Topics, run_dir: Path, cfg: Config, inputs: list[Input], body: Body
) -> PhaseData:
    await create_topics(topics)
    async with Collector(topics) as col:
        phase = Phase(name, topics, run_dir, cfg, col)
        try:
            phase.background.append(asyncio.create_task(phase.supervise()))
            await body(phase)
            complete = await phase.wait_complete(inputs)
            finished = now_ms()
            lag = await phase.final_lag() if complete else {}
        finally:
            for task in phase.background:
                task.cancel()
            await asyncio.to_thread(lambda: [w.stop() for w in phase.workers])
    stage = await read_topics(topics.bootstrap, topics.stage_topics)
    _dump(run_dir / f"{name}-evidence.jsonl", inputs, col.records, stage)
    data = PhaseData(
        name,
        topics.raw,
        topics.stage_topics,
        inputs,
        col.records,
        stage,
        phase.faults,
        phase.started,
    )
    data.snapshots = phase.snapshots
    data.windows = phase.windows
    data.ready_at = phase.ready_at
    data.finished = finished
    data.notes = {
        "complete": complete,
        "uncommitted_at_end": lag,
        "runtime_s": round((finished - phase.started) / 1000, 1),
        "worker_logs": [str(w.log_path) for w in phase.workers],
        "worker_exits": phase.exits,
        "worker_log_lines": phase.log_lines(),
        "topics": {"app_id": topics.app_id, "raw": topics.raw},
        "stage_records": dict(Counter(r.topic for r in stage)),
        "evidence": str(run_dir / f"{name}-evidence.jsonl"),
    }
    if not cfg.keep_topics:
        with contextlib.suppress(Exception):
            await delete_topics(topics)
    return data


def _dump(path: Path, inputs: list[Input], outcomes: list[Record], stage: list[Record]) -> None:
    """The raw evidence, one JSON line per input, outcome and stage record (no bodies)."""
    with path.open("wb") as out:
        for i in inputs:
            row = {"input": i.n, "kind": i.kind, "id": i.id, "p": i.partition, "o": i.offset}
            row |= {"ts": i.ts, "expect": i.expect, "error": i.error}
            out.write(orjson.dumps(row) + b"\n")
        for r in [*outcomes, *stage]:
            v = r.value
            row = {"topic": r.topic, "kind": r.kind, "p": r.partition, "o": r.offset, "ts": r.ts}
            row |= {"key": r.key, "id": r.id, "reason": v.get("reason"), "dedupe": v.get("dedupe")}
            if r.kind == "dlq":
                row |= {"origin": v.get("raw_origin") or v.get("origin")}
            out.write(orjson.dumps(row, default=str) + b"\n")
