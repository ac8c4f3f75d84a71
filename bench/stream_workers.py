"""`newswire worker` subprocesses for bench_stream.py: N in one consumer group, each with its
own web port and data folder; started together, ready when every one's GET /ready answers 200
(the group has settled); their start-up times and memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from stream_procs import memory_mb, worker_children

REPO = Path(__file__).resolve().parents[1]
READY_LINE = b"newswire worker ready"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_env(run: str, workers: int, nlp_processes: int) -> dict[str, str]:
    """What the workers of one run share: app id, topics, partitions, NLP processes."""
    return {
        **os.environ,
        "NEWSWIRE_APP_ID": f"bench-{run}",
        "NEWSWIRE_RAW_TOPIC": f"bench-{run}.raw",
        "NEWSWIRE_ENRICHED_TOPIC": f"bench-{run}.enriched",
        "NEWSWIRE_DUPLICATES_TOPIC": f"bench-{run}.duplicates",
        "NEWSWIRE_DLQ_TOPIC": f"bench-{run}.dlq",
        "NEWSWIRE_PARTITIONS": str(max(4, 2 * workers)),
        "NEWSWIRE_NLP_PROCESSES": str(nlp_processes),
    }


@dataclass
class Worker:
    index: int
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float
    ready_log_s: float | None = None
    ready_http_s: float | None = None

    @property
    def label(self) -> str:
        return f"w{self.index}"

    def ready_http(self) -> bool:
        url = f"http://127.0.0.1:{self.port}/ready"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


def start_workers(env: dict[str, str], run: str, count: int) -> list[Worker]:
    workers = []
    for index in range(1, count + 1):
        port = free_port()
        log = Path(f"/tmp/newswire-bench-{run}-w{index}.log")
        worker_env = {
            **env,
            "NEWSWIRE_WEB_PORT": str(port),
            "NEWSWIRE_DATA_DIR": f"/tmp/newswire-bench-{run}-w{index}",
        }
        started = time.monotonic()
        process = subprocess.Popen(
            [str(REPO / ".venv/bin/newswire"), "worker"],
            env=worker_env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        workers.append(Worker(index, process, port, log, started))
    return workers


def wait_settled(workers: list[Worker], timeout: float = 300, stable_rounds: int = 5) -> float:
    """Until every worker has logged ready and answers 200 on /ready, `stable_rounds` polls in
    a row (a worker that joins makes the others rebalance). Returns the seconds it took from
    the first start."""
    first = min(w.started for w in workers)
    deadline = time.monotonic() + timeout
    in_a_row = 0
    while time.monotonic() < deadline:
        all_ready = True
        for worker in workers:
            if worker.process.poll() is not None:
                raise SystemExit(f"worker {worker.index} exited:\n{worker.log.read_text()[-3000:]}")
            now = time.monotonic()
            if worker.ready_log_s is None and READY_LINE in worker.log.read_bytes():
                worker.ready_log_s = round(now - worker.started, 2)
            ok = worker.ready_log_s is not None and worker.ready_http()
            if ok and worker.ready_http_s is None:
                worker.ready_http_s = round(time.monotonic() - worker.started, 2)
            all_ready = all_ready and ok
        in_a_row = in_a_row + 1 if all_ready else 0
        if in_a_row >= stable_rounds:
            return round(time.monotonic() - first, 2)
        time.sleep(0.2)
    raise SystemExit(f"workers not all ready in {timeout:.0f} s")


def process_labels(workers: list[Worker], clean_processes: int) -> dict[int, str]:
    """pid → `w<i>.loop` for each worker's main process, `w<i>.clean-1`, `w<i>.nlp-2` …"""
    labels: dict[int, str] = {}
    for worker in workers:
        labels[worker.process.pid] = f"{worker.label}.loop"
        for pid, name in worker_children(worker.process.pid, clean_processes).items():
            labels[pid] = f"{worker.label}.{name}"
    return labels


def describe(workers: list[Worker], clean_processes: int) -> list[dict]:
    """Start-up times and memory (now and peak) of each worker and of each of its children."""
    result = []
    for worker in workers:
        children = worker_children(worker.process.pid, clean_processes)
        main = memory_mb(worker.process.pid)
        kids = {name: memory_mb(pid) for pid, name in sorted(children.items())}
        total = (main["rss_mb"] or 0) + sum(m["rss_mb"] or 0 for m in kids.values())
        result.append(
            {
                "worker": worker.index,
                "pid": worker.process.pid,
                "start_to_ready_log_s": worker.ready_log_s,
                "start_to_ready_200_s": worker.ready_http_s,
                "memory_mb": {"main": main, **kids},
                "rss_total_mb": round(total, 1),
                "log": str(worker.log),
            }
        )
    return result


def stop_workers(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.process.poll() is None:
            os.killpg(worker.process.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(10)
