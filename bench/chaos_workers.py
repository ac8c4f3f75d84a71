"""`newswire worker` processes for the chaos suite: each in its own process group (so
killpg reaches its NLP pool too), logging to a file of the run folder, ready when it logs
"newswire worker ready"."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from chaos_kafka import Topics

READY_LINE = "newswire worker ready"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Worker:
    """One `python -m newswire worker` in its own process group (killpg reaches its NLP
    pool too). Restarting keeps the name, data dir and log file."""

    name: str
    topics: Topics
    run_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def log_path(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    def start(self) -> None:
        data_dir = self.run_dir / f"{self.name}-data"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = self.topics.env() | {
            "NEWSWIRE_WEB_PORT": str(free_port()),
            "NEWSWIRE_DATA_DIR": str(data_dir),
            "NEWSWIRE_NLP_PROCESSES": "1",
            "NEWSWIRE_LOG_LEVEL": "info",
            "PYTHONUNBUFFERED": "1",
        }
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"==== {time.strftime('%H:%M:%S')} chaos: start #{self.starts}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newswire", "worker"],
                cwd=self.run_dir,
                env=env | self.extra_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def wait_ready(self, timeout: float = 180.0) -> float:
        """Seconds until this start logged the ready line."""
        started = time.monotonic()
        while True:
            text = self.log_text()
            if text.count(READY_LINE) >= self.starts:
                return time.monotonic() - started
            if not self.alive():
                raise RuntimeError(f"worker {self.name} exited:\n{self.log_tail()}")
            if time.monotonic() - started > timeout:
                raise RuntimeError(
                    f"worker {self.name} not ready in {timeout} s:\n{self.log_tail()}"
                )
            await asyncio.sleep(0.2)

    def group_members(self) -> list[int]:
        if self.proc is None:
            return []
        members = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(stat[2]) == self.proc.pid and stat[0] != "Z":
                members.append(int(entry.name))
        return members

    def kill(self) -> int:
        """SIGKILL the whole process group; returns how many processes it had."""
        assert self.proc is not None
        members = len(self.group_members())
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while self.group_members() and time.monotonic() < deadline:
            time.sleep(0.05)
        return members

    def stop(self, timeout: float = 20.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
