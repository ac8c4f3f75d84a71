"""Helpers for the integration tests: topic sets, `newswire worker` processes, producing to
the raw topic and collecting the output topics. Plain aiokafka clients; no mocks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

MAX_MESSAGE_BYTES = 10_485_760  # settings.max_message_bytes default
READY_LINE = "newswire worker ready"
WORKER_READY_TIMEOUT = 120.0

# --------------------------------------------------------------------------- broker


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class Kafka:
    port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.port}"


# --------------------------------------------------------------------------- pipeline


@dataclass(frozen=True)
class Deployment:
    """One test's topics and app id (consumer group, internal topics, table changelogs)."""

    kafka: Kafka
    app_id: str
    raw: str
    enriched: str
    duplicates: str
    dlq: str
    partitions: int
    tmp: Path
    # Client settings that replace the plaintext NEWSWIRE_BROKER, e.g. a SASL_SSL listener's
    # (the harness's own producer and collector keep to the plaintext port of `kafka`).
    client_env: tuple[tuple[str, str], ...] = ()

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap

    @property
    def outputs(self) -> dict[str, str]:
        return {"enriched": self.enriched, "duplicate": self.duplicates, "dlq": self.dlq}

    def cli_env(self) -> dict[str, str]:
        """Environment for `newswire` commands on this pipeline (no inherited NEWSWIRE_*)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
        env.update(
            NEWSWIRE_BROKER=self.kafka.url,
            NEWSWIRE_APP_ID=self.app_id,
            NEWSWIRE_RAW_TOPIC=self.raw,
            NEWSWIRE_ENRICHED_TOPIC=self.enriched,
            NEWSWIRE_DUPLICATES_TOPIC=self.duplicates,
            NEWSWIRE_DLQ_TOPIC=self.dlq,
            NEWSWIRE_PARTITIONS=str(self.partitions),
        )
        env.update(self.client_env)
        return env

    def env(self, data_dir: Path, web_port: int) -> dict[str, str]:
        """Environment for one `newswire worker`."""
        env = self.cli_env()
        env.update(
            NEWSWIRE_WEB_PORT=str(web_port),
            NEWSWIRE_DATA_DIR=str(data_dir),
            NEWSWIRE_NLP_PROCESSES="1",
            NEWSWIRE_LOG_LEVEL="info",
            PYTHONUNBUFFERED="1",
        )
        return env


def newswire(
    pipeline: Deployment, *args: str, timeout: float = 60.0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`newswire ARGS...` as a subprocess, on the pipeline's topics (in its folder)."""
    return subprocess.run(
        [sys.executable, "-m", "newswire", *args],
        env=pipeline.cli_env() if env is None else env,
        cwd=pipeline.tmp,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


async def delete_topics(kafka: Kafka, pipelines: Sequence[Deployment]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        prefixes = tuple(p.app_id for p in pipelines) + tuple(
            p.raw.removesuffix(".raw") for p in pipelines
        )
        names = [t for t in await admin.list_topics() if t.startswith(prefixes)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


# --------------------------------------------------------------------------- workers


@dataclass
class Worker:
    name: str
    pipeline: Deployment
    data_dir: Path
    web_port: int
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    leftovers: list[int] = field(default_factory=list)
    _log: Any = field(default=None, repr=False)

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._log.write(f"==== {time.strftime('%H:%M:%S')} starting worker {self.name}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newswire", "worker"],
            cwd=self.pipeline.tmp,
            env=self.pipeline.env(self.data_dir, self.web_port) | self.extra_env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killpg reaches the NLP pool too
        )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def wait_for_log(self, text: str, *, timeout: float, count: int = 1) -> None:
        """Wait until `text` occurs `count` times in the log (this worker's whole log file)."""
        deadline = time.monotonic() + timeout
        while self.log_text().count(text) < count:
            if not self.alive():
                code = self.proc.returncode if self.proc else None
                pytest.fail(
                    f"worker {self.name} exited (code {code}) before logging {text!r}:\n"
                    f"{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"worker {self.name} did not log {text!r} within {timeout:.0f} s:\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.2)

    def assignment(self) -> dict[str, str]:
        """Topic → partitions (as Faust prints them, e.g. "{0-3}") of the last assignment this
        worker logged."""
        text = self.log_text()
        start = text.rfind("Setting newly assigned partitions")
        if start < 0:
            return {}
        table = text[start : text.find("for group", start)]
        rows = (line.strip().strip("|").split("|") for line in table.splitlines())
        return {
            cells[0].strip(): cells[1].strip()
            for cells in rows
            if len(cells) == 2 and cells[1].strip().startswith("{")
        }

    def wait_ready(self, timeout: float = WORKER_READY_TIMEOUT) -> None:
        self.wait_for_log(
            READY_LINE, timeout=timeout, count=self.log_text().count("starting worker")
        )

    def group_members(self) -> list[int]:
        """Live (non-zombie) processes of the worker's process group: it and its NLP pool."""
        members = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            # after "comm)": state, ppid, pgrp, ...
            if int(stat[2]) == self.pid and stat[0] != "Z":
                members.append(int(entry.name))
        return members

    def _wait_group_gone(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is not None:
                self.proc.poll()  # reap the leader
            if not self.group_members():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the whole process group (worker and its NLP pool processes)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        assert self._wait_group_gone(10), f"processes of worker {self.name} survived SIGKILL"

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM the worker, SIGKILL its group after `timeout` s; returns its exit code.

        `leftovers` holds the pids of its group still alive 10 s after the worker itself
        exited (e.g. NLP pool processes it did not shut down); they are killed too."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout)
            if self.proc.returncode is not None and not self._wait_group_gone(10):
                self.leftovers = self.group_members()
        # Whatever is left in the group (leader timed out, or orphaned pool processes).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self._wait_group_gone(10)
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.proc.returncode


# --------------------------------------------------------------------------- produce


@dataclass(frozen=True)
class Message:
    value: bytes | None
    key: bytes | None = None
    partition: int | None = None
    timestamp_ms: int | None = None  # the producer's stamp (None: when it is sent)


@dataclass(frozen=True)
class Sent:
    message: Message
    partition: int
    offset: int


async def _produce(
    bootstrap: str, topic: str, messages: Sequence[Message], rate: float | None
) -> list[Sent]:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        max_request_size=MAX_MESSAGE_BYTES,
        linger_ms=5,
    )
    await producer.start()
    try:
        started = time.monotonic()
        futures = []
        for number, m in enumerate(messages):
            if rate:
                await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
            futures.append(
                await producer.send(
                    topic, m.value, key=m.key, partition=m.partition, timestamp_ms=m.timestamp_ms
                )
            )
        metadata = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return [Sent(m, md.partition, md.offset) for m, md in zip(messages, metadata, strict=True)]


def produce(
    pipeline: Deployment,
    messages: Sequence[Message],
    *,
    topic: str | None = None,
    rate: float | None = None,
) -> list[Sent]:
    """Send to the raw topic (acks=all; `rate` messages/s, default as fast as possible) and
    return where each message landed."""
    return asyncio.run(_produce(pipeline.bootstrap, topic or pipeline.raw, messages, rate))


def article_message(article: dict[str, Any], partition: int | None = None) -> Message:
    return Message(orjson.dumps(article), article["id"].encode(), partition)


# --------------------------------------------------------------------------- collect


@dataclass(frozen=True)
class OutputRecord:
    kind: str  # enriched | duplicate | dlq
    key: str | None
    record: dict[str, Any]
    partition: int
    offset: int

    @property
    def id(self) -> str | None:
        return self.record.get("id")


class OutputRecords(list[OutputRecord]):
    def of(self, kind: str) -> list[OutputRecord]:
        return [o for o in self if o.kind == kind]

    def for_id(self, article_id: str) -> list[OutputRecord]:
        return [o for o in self if o.id == article_id]

    def kinds_by_id(self) -> dict[str | None, set[str]]:
        kinds: dict[str | None, set[str]] = {}
        for o in self:
            kinds.setdefault(o.id, set()).add(o.kind)
        return kinds

    def ids(self) -> set[str]:
        return {o.id for o in self if o.id is not None}

    def summary(self) -> str:
        return "\n".join(
            f"  {o.kind:9} id={o.id} {o.record.get('reason') or o.record.get('dedupe')}"
            for o in self
        )


async def _collect(
    pipeline: Deployment,
    until: Callable[[OutputRecords], bool],
    timeout: float,
    settle: float,
) -> tuple[OutputRecords, bool]:
    by_topic = {topic: kind for kind, topic in pipeline.outputs.items()}
    consumer = AIOKafkaConsumer(
        *by_topic,
        bootstrap_servers=pipeline.bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_bytes=MAX_MESSAGE_BYTES * 2,
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
    )
    await consumer.start()
    outcomes = OutputRecords()
    seen: set[tuple[Any, int]] = set()
    deadline = time.monotonic() + timeout
    done_at: float | None = None
    try:
        while True:
            now = time.monotonic()
            if done_at is None and until(outcomes):
                done_at = now
            if done_at is not None and now >= done_at + settle:
                return outcomes, True
            if now >= deadline:
                return outcomes, done_at is not None
            batch = await consumer.getmany(timeout_ms=250)
            for tp, messages in batch.items():
                for m in messages:
                    # A record the consumer hands over twice (it may re-fetch from an older
                    # position after a metadata error) is one record, not a repeat.
                    if (tp, m.offset) in seen:
                        continue
                    seen.add((tp, m.offset))
                    outcomes.append(
                        OutputRecord(
                            kind=by_topic[tp.topic],
                            key=m.key.decode() if m.key is not None else None,
                            record=orjson.loads(m.value),
                            partition=tp.partition,
                            offset=m.offset,
                        )
                    )
    finally:
        await consumer.stop()


def collect(
    pipeline: Deployment,
    until: Callable[[OutputRecords], bool],
    *,
    timeout: float = 90.0,
    settle: float = 0.0,
    workers: Sequence[Worker] = (),
    what: str = "the expected outcomes",
) -> OutputRecords:
    """Read the three output topics from the beginning until `until(outcomes)` holds (then
    keep reading `settle` more seconds, to catch records that should not be there); fail
    after `timeout` s with what was seen (and the worker log tails)."""
    outcomes, ok = asyncio.run(_collect(pipeline, until, timeout, settle))
    if not ok:
        logs = "\n".join(
            f"--- worker {w.name} (alive: {w.alive()}):\n{w.log_tail(40)}" for w in workers
        )
        pytest.fail(
            f"timed out after {timeout:.0f} s waiting for {what}; got {len(outcomes)} "
            f"outcomes:\n{outcomes.summary()}\n{logs}"
        )
    return outcomes


def has_ids(ids: set[str] | Sequence[str]) -> Callable[[OutputRecords], bool]:
    wanted = set(ids)
    return lambda outcomes: wanted <= outcomes.ids()


def replay_and_collect(
    pipeline: Deployment,
    folder: Path,
    *,
    workers: Sequence[Worker] = (),
    settle: float = 0.0,
    what: str = "the replayed folder",
) -> OutputRecords:
    """`newswire replay FOLDER` (the user's way in), then the outcomes until every article of
    the folder has one."""
    done = subprocess.run(
        [sys.executable, "-m", "newswire", "replay", str(folder), "--no-progress"],
        env=pipeline.cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    articles = len([p for p in folder.iterdir() if p.suffix != ".md"])
    return collect(
        pipeline,
        lambda got: len({o.id for o in got}) >= articles,
        settle=settle,
        workers=workers,
        what=what,
    )
