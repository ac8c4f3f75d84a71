"""End-to-end benchmark through a real Kafka broker (the local one, started if needed).

In one run, on the same generated articles:
  1. bare `nlp.pipe` with the worker's model and components, in N × K processes (as many as
     the NLP pools of the workers together), on the cleaned bodies: what the model allows
     (measured before and after the stream runs; the mean is the reference);
  2. N `newswire worker` subprocesses in one consumer group (each with its own web port and
     data folder, K NLP processes, the raw topic with max(4, 2N) partitions), started once
     every one answers 200 on /ready: publish every article to the raw topic at once and
     time raw → enriched for all of them (articles/s);
  3. latency: fresh articles published at a steady rate of half the measured maximum;
     p50/p99 from publish to the enriched record arriving at a consumer.

For each worker: seconds from its start to its "newswire worker ready" log line and to its
first 200 on /ready; resident memory (VmRSS at the end of phase 2, VmHWM peak) of its main
process and of each clean and NLP process. During phase 2, where the CPU goes (from /proc):
the broker JVM, each worker's event loop, clean and NLP processes, this process (the load),
and the rest of the machine, in core-seconds and as a share of wall time × cores.

    .venv/bin/python bench/bench_stream.py [--articles 2000] [--latency-seconds 60]
        [--workers 1] [--nlp-processes 2]
    .venv/bin/python bench/bench_stream.py --workers 2 --nlp-processes 1
    .venv/bin/python bench/bench_stream.py --scaling [--articles 2000]

--scaling measures phase 2 only (no latency) for 1 worker × 2 NLP processes, 2 workers × 1
and 1 × 1, each with fresh topics and app id, against bare nlp.pipe in 1 and 2 processes
(before and after all of them), and prints a markdown table for the README.

Goals: (2) ≥ 0.9 × (1); p99 ≤ 1 s. Writes bench/results/stream.json (--scaling:
stream_scaling.json and stream_scaling.md). Measure on a quiet machine. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate_articles
from newswire import devbroker as broker
from newswire.adapters.kafka.admin import ensure_topics
from newswire.adapters.stream.topology import worker_topics
from newswire.bootstrap import build_cleaner
from newswire.core.decode import decode_raw
from newswire.settings import Settings, load_settings
from stream_load import bare_nlp_rate, run_stream
from stream_procs import CORES, CpuSnapshot, cpu_account, kafka_jvms, others_running, snapshot
from stream_report import cpu_table, scaling_table
from stream_workers import (
    describe,
    free_port,
    group_env,
    process_labels,
    start_workers,
    stop_workers,
    wait_settled,
)

RESULTS = Path(__file__).parent / "results"
SCALING = ((1, 2), (2, 1), (1, 1))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(**{k[9:].lower(): v for k, v in env.items() if k.startswith("NEWSWIRE_")})


def fixed_labels(base: Settings) -> dict[int, str]:
    """The broker JVM (its pid file, else the one kafka.Kafka JVM), other Kafka JVMs (tests'
    brokers) and this process."""
    pid = broker.status(base.kafka_home.resolve(), base.broker_port).pid
    jvms = kafka_jvms()
    if pid is None and len(jvms) == 1:
        pid = jvms[0]
    labels = {jvm: "other kafka" for jvm in jvms if jvm != pid}
    if pid is not None:
        labels[pid] = "broker"
    labels[os.getpid()] = "bench"
    return labels


def bare_rates(base: Settings, bodies: list[str], counts: list[int]) -> dict[int, float]:
    rates = {}
    for count in counts:
        say(f"bare nlp.pipe in {count} process(es) on {len(bodies)} articles …")
        rates[count] = bare_nlp_rate(base, bodies, count)
    return rates


def run_config(
    base: Settings, articles: list[dict], workers: int, nlp: int, latency_seconds: float | None
) -> dict:
    """Start `workers` workers with `nlp` NLP processes each on fresh topics, time all the
    articles at once (CPU and memory accounted), then the latency phase if asked."""
    run = uuid.uuid4().hex[:8]
    env = group_env(run, workers, nlp)
    env["NEWSWIRE_WEB_PORT"] = str(free_port())  # not used by the workers: each gets its own
    settings = settings_of(env)
    asyncio.run(ensure_topics(settings, worker_topics(settings)))
    say(f"{workers} worker(s) × {nlp} NLP process(es), app bench-{run}: starting …")
    pool = start_workers(env, run, workers)
    snapshots: dict[str, CpuSnapshot] = {}

    def mark(what: str) -> None:
        labels = {**process_labels(pool, settings.clean_processes), **fixed_labels(base)}
        snapshots[what] = snapshot(labels, time.monotonic())

    latency = None
    try:
        settled = wait_settled(pool)
        say(f"  group settled in {settled} s; all {len(articles)} articles at once …")
        throughput = asyncio.run(run_stream(settings, articles, rate=None, mark=mark))
        detail = describe(pool, settings.clean_processes)
        cpu = cpu_account(snapshots["start"], snapshots["end"])
        say(f"  {throughput['articles_per_s']} articles/s")
        if latency_seconds is not None:
            rate = throughput["articles_per_s"] / 2
            count = max(20, int(rate * latency_seconds))
            fresh = generate_articles(count, seed=12)
            say(f"  latency at {rate:.1f} articles/s for {count} articles …")
            latency = asyncio.run(run_stream(settings, fresh, rate=rate))
    finally:
        stop_workers(pool)
    return {
        "workers": workers,
        "nlp_processes": nlp,
        "clean_processes": settings.clean_processes,
        "partitions": settings.partitions,
        "app_id": settings.app_id,
        "group_settled_s": settled,
        "end_to_end": throughput,
        "latency_at_half_max": latency,
        "workers_detail": detail,
        "cpu_during_throughput": cpu,
        "timer_woke_up_too_late_warnings": sum(
            w.log.read_text().count("woke up too late") for w in pool
        ),
    }


def mean_of(before: float, after: float) -> dict[str, float]:
    return {
        "before": round(before, 2),
        "after": round(after, 2),
        "mean": round((before + after) / 2, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--latency-seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1, help="workers in the consumer group")
    parser.add_argument(
        "--nlp-processes", type=int, default=None, help="per worker (NEWSWIRE_NLP_PROCESSES)"
    )
    parser.add_argument("--scaling", action="store_true", help="1×2, 2×1, 1×1; throughput only")
    parser.add_argument("--out", type=Path, default=None, help="the JSON file to write")
    args = parser.parse_args()
    for line in others_running():
        say(f"warning: running alongside: {line}")

    base = load_settings()
    broker.start(base.kafka_home.resolve(), base.broker_port)
    articles = generate_articles(args.articles, seed=11)
    cleaner = build_cleaner()
    bodies = [
        cleaner.clean(decode_raw(orjson.dumps(a), max_bytes=base.max_article_bytes)).body
        for a in articles
    ]
    common = {
        "articles": len(articles),
        "mean_words": round(sum(len(b.split()) for b in bodies) / len(bodies)),
        "cores": CORES,
    }
    if args.scaling:
        result = scaling(base, articles, bodies, common)
        out = args.out or RESULTS / "stream_scaling.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".md").write_text(result["table_markdown"])
        print(result["table_markdown"])
    else:
        result = single(base, articles, bodies, common, args)
        out = args.out or RESULTS / "stream.json"
        print(cpu_table(result["cpu_during_throughput"]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    say(f"wrote {out}")


def single(
    base: Settings, articles: list[dict], bodies: list[str], common: dict, args: argparse.Namespace
) -> dict:
    nlp = base.nlp_processes if args.nlp_processes is None else args.nlp_processes
    total = max(args.workers * nlp, 1)
    before = bare_rates(base, bodies, [total])[total]
    config = run_config(base, articles, args.workers, nlp, args.latency_seconds)
    # Bare again, after: the machine's speed drifts over minutes; compare with the mean.
    after = bare_rates(base, bodies, [total])[total]
    bare = mean_of(before, after)
    return {
        **common,
        "nlp_processes": nlp,
        "bare_processes": total,
        "bare_nlp_pipe_articles_per_s": bare,
        "end_to_end": config["end_to_end"],
        "end_to_end_over_bare": round(config["end_to_end"]["articles_per_s"] / bare["mean"], 3),
        "latency_at_half_max": config["latency_at_half_max"],
        "timer_woke_up_too_late_warnings": config["timer_woke_up_too_late_warnings"],
        "worker_log": config["workers_detail"][0]["log"],
        **{k: v for k, v in config.items() if k not in ("end_to_end", "latency_at_half_max")},
    }


def scaling(base: Settings, articles: list[dict], bodies: list[str], common: dict) -> dict:
    before = bare_rates(base, bodies, [1, 2])
    configs = [run_config(base, articles, w, k, None) for w, k in SCALING]
    after = bare_rates(base, bodies, [1, 2])
    bare = {str(k): mean_of(before[k], after[k]) for k in (1, 2)}
    for config in configs:
        reference = bare[str(config["workers"] * config["nlp_processes"])]["mean"]
        config["bare_same_processes_mean"] = reference
        config["end_to_end_over_bare"] = round(
            config["end_to_end"]["articles_per_s"] / reference, 3
        )
        del config["latency_at_half_max"]
    result = {"mode": "scaling", **common, "bare_nlp_pipe_articles_per_s": bare, "configs": configs}
    result["table_markdown"] = scaling_table(result) + "".join(
        f"\n{c['workers']} × {c['nlp_processes']}: " + cpu_table(c["cpu_during_throughput"])
        for c in configs
    )
    return result


if __name__ == "__main__":
    main()
