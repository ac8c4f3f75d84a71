"""Helpers for the stream tests: a service in Faust's agent test context (memory tables, no
broker) whose sends to other topics are recorded instead of produced; everything else (agents,
tables, the dedupe index over Faust tables, the CPU runner in threads) is the real thing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from jsonschema import Draft202012Validator, FormatChecker

from newswire.adapters.processes.pool import InlineRunner
from newswire.adapters.stream.app import create_app
from newswire.adapters.stream.service import Service
from newswire.bootstrap import build_annotator
from newswire.core.clean import Cleaner
from newswire.core.records import load_schema
from newswire.settings import Settings

OUTPUTS = ("dlq", "dedupe", "annotate", "enriched", "duplicates")
SEED_BODY = (
    "BEIJING, May 23 (Reuters) – Russia and China are set to sign a series of bilateral "
    "agreements on Wednesday during the Russian prime minister’s trip to Beijing.\n\n"
    "Prime Minister Mikhail Mishustin was speaking with Chinese President Xi Jinping and "
    "Premier Li Qiang, according to the Russian government.\n\n"
    "Reporting by Ryan Woo; Editing by Michael Perry"
)


@dataclass
class Recorder:
    sent: list[tuple[str, bytes | None, dict[str, Any]]] = field(default_factory=list)

    def of(self, topic: str) -> list[tuple[bytes | None, dict[str, Any]]]:
        return [(key, value) for name, key, value in self.sent if name == topic]


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind), format_checker=FormatChecker())


def make_service(blank_nlp: Any, **overrides: Any) -> tuple[Service, Recorder]:
    settings = Settings(
        **{
            "store": "memory",
            "app_id": f"t-{uuid.uuid4().hex[:8]}",
            "partitions": 1,
            "nlp_processes": 0,
            "nlp_inflight_batches": 1,
            "nlp_batch_timeout": 0.01,
            **overrides,
        }
    )
    runner = InlineRunner(
        Cleaner(), build_annotator(settings, blank_nlp), max_bytes=settings.max_article_bytes
    )
    svc = create_app(settings, runner=runner)
    svc.app.finalize()
    svc.app.flow_control.resume()
    recorder = Recorder()
    for name in OUTPUTS:
        topic = getattr(svc.topics, name)

        async def record(*_: Any, _name: str = name, **kwargs: Any) -> asyncio.Future[None]:
            recorder.sent.append((_name, kwargs.get("key"), orjson.loads(kwargs["value"])))
            delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            delivered.set_result(None)  # as if Kafka had confirmed it
            return delivered

        topic.send = record
    return svc, recorder


async def put_all(
    svc: Service,
    agent: str,
    values: list[bytes],
    *,
    until: Callable[[], bool] | None = None,
    partition: int = 0,
    timeout: float = 10.0,
) -> None:
    """Send values to an agent (Faust's agent test context) and wait until `until()` holds
    (default: a short pause for batches to flush)."""
    async with svc.app.agents[agent].test_context() as ctx:
        for value in values:
            await ctx.put(value, partition=partition)
        deadline = asyncio.get_running_loop().time() + timeout
        while until is not None and not until():
            assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def article(article_id: str = "a1", body: str = SEED_BODY, **extra: Any) -> bytes:
    return orjson.dumps({"id": article_id, "headline": "Russia and China", "body": body, **extra})


def outcomes(rec: Recorder) -> int:
    return len(rec.of("dlq")) + len(rec.of("duplicates")) + len(rec.of("enriched"))
