"""The load for bench_stream.py: bare `nlp.pipe` in K processes (the reference), and
publishing articles to the raw topic while timing them to the enriched topic."""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newswire.settings import Settings

_NLP = None


def _load(model: str) -> bool:
    global _NLP
    from newswire.core.annotate import load_nlp

    _NLP = load_nlp(model)
    list(_NLP.pipe(["Warm-up text about Paris and Berlin."]))
    return True


def _pipe(bodies: list[str], batch_size: int) -> int:
    assert _NLP is not None
    return sum(1 for _doc in _NLP.pipe(bodies, batch_size=batch_size))


def bare_nlp_rate(settings: Settings, bodies: list[str], processes: int) -> float:
    """`nlp.pipe` alone in `processes` processes, each on its share of the texts, nothing
    sent back but a count: the ceiling the model sets on this machine."""
    processes = max(processes, 1)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        assert all(pool.map(_load, [settings.model] * processes))
        shares = [bodies[i::processes] for i in range(processes)]
        start = time.perf_counter()
        done = sum(pool.map(_pipe, shares, [settings.nlp_batch_size] * processes))
        elapsed = time.perf_counter() - start
    assert done == len(bodies)
    return len(bodies) / elapsed


async def run_stream(
    settings: Settings,
    articles: list[dict],
    rate: float | None,
    mark: Callable[[str], None] | None = None,
) -> dict:
    """Publish `articles` (at `rate`/s, or at once), return per-id publish → enriched latency.
    `mark("start")` is called just before the first publish, `mark("end")` once the last
    article has come out (for CPU accounting over exactly that span)."""
    consumer = AIOKafkaConsumer(
        settings.enriched_topic,
        settings.duplicates_topic,
        settings.dlq_topic,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=None,
        auto_offset_reset="latest",
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    await consumer.seek_to_end()
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, acks="all", linger_ms=2
    )
    await producer.start()
    sent: dict[str, float] = {}
    received: dict[str, float] = {}
    kinds: dict[str, str] = {}

    async def consume() -> None:
        while len(received) < len(articles):
            batch = await consumer.getmany(timeout_ms=200)
            now = time.perf_counter()
            for messages in batch.values():
                for message in messages:
                    key = message.key.decode() if message.key else ""
                    if key in sent and key not in received:
                        received[key] = now
                        kinds[key] = orjson.loads(message.value).get("kind", "?")

    reader = asyncio.create_task(consume())
    if mark is not None:
        mark("start")
    start = time.perf_counter()
    for index, article in enumerate(articles):
        if rate:
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        sent[article["id"]] = time.perf_counter()
        await producer.send(settings.raw_topic, orjson.dumps(article), key=article["id"].encode())
    await producer.flush()
    await asyncio.wait_for(reader, timeout=max(600, len(articles)))
    if mark is not None:
        mark("end")
    elapsed = max(received.values()) - start
    await producer.stop()
    await consumer.stop()
    latencies = sorted(received[k] - sent[k] for k in sent)
    # At a steady rate: (seconds into the phase, latency) of every article, in publish order,
    # to tell a steady delay from a stall.
    timeline = (
        [[round(sent[k] - start, 2), round(received[k] - sent[k], 3)] for k in sent] if rate else []
    )
    return {
        "articles": len(articles),
        "seconds": round(elapsed, 2),
        "articles_per_s": round(len(articles) / elapsed, 2),
        "outcomes": {kind: list(kinds.values()).count(kind) for kind in set(kinds.values())},
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p99_s": round(latencies[int(0.99 * (len(latencies) - 1))], 3),
        "latency_max_s": round(latencies[-1], 3),
        **({"latency_timeline": timeline} if timeline else {}),
    }
