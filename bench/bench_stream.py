"""End-to-end benchmark through a real Kafka broker (the local one, started if needed).

In one run, on the same generated articles:
  1. bare `nlp.pipe` with the worker's model and components, in as many processes as the
     worker's NLP pool (NEWSWIRE_NLP_PROCESSES), on the cleaned bodies: what the model allows
     (measured before and after the stream runs; the mean is the reference);
  2. a `newswire worker` subprocess: publish every article to the raw topic at once and time
     raw → enriched for all of them (articles/s);
  3. latency: fresh articles published at a steady rate of half the measured maximum;
     p50/p99 from publish to the enriched record arriving at a consumer.

    .venv/bin/python bench/bench_stream.py [--articles 2000] [--latency-seconds 60]

Goals: (2) ≥ 0.9 × (1); p99 ≤ 1 s. Writes bench/results/stream.json. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate_articles
from newswire import devbroker as broker
from newswire.adapters.kafka.admin import ensure_topics
from newswire.adapters.stream.topology import worker_topics
from newswire.bootstrap import build_cleaner
from newswire.core.decode import decode_raw
from newswire.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def bare_nlp_rate(settings: Settings, bodies: list[str]) -> float:
    """`nlp.pipe` alone in as many processes as the worker's pool, each on its share of the
    texts, nothing sent back but a count: the ceiling the model sets on this machine."""
    processes = max(settings.nlp_processes, 1)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        assert all(pool.map(_load, [settings.model] * processes))
        shares = [bodies[i::processes] for i in range(processes)]
        start = time.perf_counter()
        done = sum(pool.map(_pipe, shares, [settings.nlp_batch_size] * processes))
        elapsed = time.perf_counter() - start
    assert done == len(bodies)
    return len(bodies) / elapsed


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    process = subprocess.Popen(
        [str(REPO / ".venv/bin/newswire"), "worker"],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if b"newswire worker ready" in log.read_bytes():
            return process
        if process.poll() is not None:
            raise SystemExit(f"worker exited:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    raise SystemExit("worker not ready in 180 s")


async def run_stream(settings: Settings, articles: list[dict], rate: float | None) -> dict:
    """Publish `articles` (at `rate`/s, or at once), return per-id publish → enriched latency."""
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
    elapsed = max(received.values()) - start
    await producer.stop()
    await consumer.stop()
    latencies = sorted(received[k] - sent[k] for k in sent)
    return {
        "articles": len(articles),
        "seconds": round(elapsed, 2),
        "articles_per_s": round(len(articles) / elapsed, 2),
        "outcomes": {kind: list(kinds.values()).count(kind) for kind in set(kinds.values())},
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p99_s": round(latencies[int(0.99 * (len(latencies) - 1))], 3),
        "latency_max_s": round(latencies[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--latency-seconds", type=float, default=60)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results/stream.json")
    args = parser.parse_args()

    base = load_settings()
    broker.start(base.kafka_home.resolve(), base.broker_port)
    run = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "NEWSWIRE_APP_ID": f"bench-{run}",
        "NEWSWIRE_RAW_TOPIC": f"bench-{run}.raw",
        "NEWSWIRE_ENRICHED_TOPIC": f"bench-{run}.enriched",
        "NEWSWIRE_DUPLICATES_TOPIC": f"bench-{run}.duplicates",
        "NEWSWIRE_DLQ_TOPIC": f"bench-{run}.dlq",
        "NEWSWIRE_WEB_PORT": str(free_port()),
        "NEWSWIRE_DATA_DIR": f"/tmp/newswire-bench-{run}",
    }
    settings = Settings(**{k[9:].lower(): v for k, v in env.items() if k.startswith("NEWSWIRE_")})

    articles = generate_articles(args.articles, seed=11)
    cleaner = build_cleaner()
    bodies = [
        cleaner.clean(decode_raw(orjson.dumps(a), max_bytes=settings.max_article_bytes)).body
        for a in articles
    ]
    print(f"1/3 bare nlp.pipe on {len(bodies)} articles …", file=sys.stderr)
    bare = bare_nlp_rate(settings, bodies)

    asyncio.run(ensure_topics(settings, worker_topics(settings)))
    log = Path(f"/tmp/newswire-bench-{run}.log")
    worker = start_worker(env, log)
    try:
        time.sleep(3)  # let the consumer group settle after "ready"
        print("2/3 end to end, all at once …", file=sys.stderr)
        throughput = asyncio.run(run_stream(settings, articles, rate=None))
        rate = throughput["articles_per_s"] / 2
        count = max(20, int(rate * args.latency_seconds))
        fresh = generate_articles(count, seed=12)
        print(f"3/3 latency at {rate:.1f} articles/s for {count} articles …", file=sys.stderr)
        latency = asyncio.run(run_stream(settings, fresh, rate=rate))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
    # Bare again, after: the machine's speed drifts over minutes; compare with the mean.
    print("bare nlp.pipe again …", file=sys.stderr)
    bare_after = bare_nlp_rate(settings, bodies)
    late = log.read_text().count("woke up too late")
    result = {
        "articles": len(articles),
        "mean_words": round(sum(len(b.split()) for b in bodies) / len(bodies)),
        "nlp_processes": settings.nlp_processes,
        "bare_nlp_pipe_articles_per_s": {
            "before": round(bare, 2),
            "after": round(bare_after, 2),
            "mean": round((bare + bare_after) / 2, 2),
        },
        "end_to_end": throughput,
        "end_to_end_over_bare": round(throughput["articles_per_s"] / ((bare + bare_after) / 2), 3),
        "latency_at_half_max": latency,
        "timer_woke_up_too_late_warnings": late,
        "worker_log": str(log),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
