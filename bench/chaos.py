"""Chaos suite: try to break Newswire's promises and print the evidence.

Phases (each on fresh topics and a fresh app id; `newswire worker` processes as black boxes):

  worker-kill    2 workers, a backlog of articles (with near-duplicates and updates) published
                 before they start; K SIGKILLs of a random worker's process group while they
                 catch up, each restarted after a pause longer than the resume limit (so a
                 resume within it is the other worker taking over).
  broker-kill-1  one broker (127.0.0.1:39192), articles streamed at a steady rate; SIGKILL the
                 broker, restart it 10–30 s later.
  broker-kill-3  three brokers (base port 39292), RF 3; SIGKILL the node leading most raw,
                 enriched and dedupe-stage partitions, keep it down, restart it later.
  hostile-flood  ≥ 3,000 messages from bench/hostile.py mixed with ≥ 100 good articles,
                 1 worker.

Per phase it prints inputs, outcomes by kind and DLQ reason, lost ids, ids with mixed kinds,
same-kind repeats, good articles in the DLQ, hostile outcomes by kind, wrong verdicts and
copies judged before their original, the longest gap between outcomes, the resume time after
each fault (per raw partition), repeats against what was in flight since the last commit while
partitions moved (worker-kill), and the offsets still uncommitted after the last outcome.

It exits 1 if a criterion fails: an input without outcome (lost), two kinds for one id, a
good article in the DLQ, a hostile message without a documented DLQ reason or a schema-valid
outcome, an outcome that breaks its schema, a wrong or early dedupe verdict, a worker that
exits on its own, a flood gap ≥ 30 s, a resume > 15 s after a worker or leader-node kill, a
repeat that was not in flight.

    .venv/bin/python bench/chaos.py                  # all phases, full sizes (~10 min)
    .venv/bin/python bench/chaos.py --short          # the CI sizes (as test_chaos.py)
    .venv/bin/python bench/chaos.py --phases worker-kill,hostile-flood --json out.json
    .venv/bin/python bench/chaos.py --service-src /tmp/old/service   # workers from another tree

Worker logs and the JSON figures go to bench/results/chaos/<time>/ (printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import chaos_phases
from chaos_brokers import REPO, Cluster, SingleBroker, exclusive
from chaos_evidence import PhaseData
from chaos_report import SCHEMAS, analyze
from chaos_runner import Config
from chaos_show import show

PHASES = ("worker-kill", "broker-kill-1", "broker-kill-3", "hostile-flood")
SHORT = Config(
    backlog=100,
    kills=1,
    stream=32,
    rate=4.0,
    broker_down=(10.0, 12.0),
    leader_down=20.0,
    hostile=130,
    flood_good=20,
    heavy_size=100_000,
    timeout=240.0,
    settle=3.0,
)
Result = tuple[dict[str, Any], list[str]]


async def run_one(name: str, cfg: Config, run_dir: Path, single: SingleBroker | None) -> Result:
    """One phase (the single broker must run for all but broker-kill-3, which starts and
    stops its own cluster); prints its block and returns its figures and failed criteria."""
    t0 = time.monotonic()
    print(f"\n-- phase {name}", flush=True)
    data: PhaseData
    if name == "broker-kill-3":
        cluster = Cluster()
        print(f"starting the 3-node cluster {cluster.bootstrap} ({cluster.log_dir})", flush=True)
        await asyncio.to_thread(cluster.start)
        try:
            data = await chaos_phases.broker_kill_cluster(cluster, run_dir, cfg)
        finally:
            await asyncio.to_thread(cluster.stop)
    else:
        assert single is not None, f"{name} needs the single broker"
        phase = {
            "worker-kill": chaos_phases.worker_kill,
            "broker-kill-1": chaos_phases.broker_kill_single,
            "hostile-flood": chaos_phases.hostile_flood,
        }[name]
        data = await phase(single, run_dir, cfg)
    schemas = Path(cfg.service_src) / "newswire" / "schemas" if cfg.service_src else SCHEMAS
    fig, failures = analyze(data, schemas)
    fig["wall_s"] = round(time.monotonic() - t0, 1)
    fig["failures"] = failures
    show(fig, failures)
    return fig, failures


async def run(phases: list[str], cfg: Config, run_dir: Path) -> list[Result]:
    single = SingleBroker() if any(p != "broker-kill-3" for p in phases) else None
    if single is not None:
        print(f"starting broker {single.bootstrap} (log {single.log_file})", flush=True)
        await asyncio.to_thread(single.start)
    try:
        return [await run_one(name, cfg, run_dir, single) for name in phases]
    finally:
        if single is not None:
            await asyncio.to_thread(single.stop)


def quiet_clients() -> None:
    """aiokafka logs every failed fetch and reconnect while a broker is down; the figures and
    the worker logs tell that story."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


def parse(argv: list[str] | None) -> tuple[list[str], Config, argparse.Namespace]:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--short", action="store_true", help="the CI sizes")
    p.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, of {PHASES}")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--seed", type=int, help="inputs, kill moments and victims (default 7)")
    p.add_argument("--backlog", type=int, help="worker-kill: articles, before derived copies")
    p.add_argument("--kills", type=int, help="worker-kill: SIGKILLs")
    p.add_argument("--restart-pause", type=float, help="worker-kill: s before a restart")
    p.add_argument("--stream", type=int, help="broker phases: articles streamed")
    p.add_argument("--rate", type=float, help="broker phases: articles/s")
    p.add_argument("--leader-down", type=float, help="broker-kill-3: s the node stays down")
    p.add_argument("--hostile", type=int, help="hostile-flood: hostile messages")
    p.add_argument("--flood-good", type=int, help="hostile-flood: good articles")
    p.add_argument("--heavy-size", type=int, help="hostile-flood: chars of each kind's first")
    p.add_argument("--timeout", type=float, help="completion timeout per phase, s")
    p.add_argument("--session-timeout", type=float, help="NEWSWIRE_SESSION_TIMEOUT_SECONDS")
    p.add_argument("--service-src", help="run the workers from this service/ tree instead")
    p.add_argument("--keep-topics", action="store_true", help="do not delete phase topics")
    args = p.parse_args(argv)
    cfg = SHORT if args.short else Config()
    names = ("seed", "backlog", "kills", "restart_pause", "stream", "rate", "leader_down")
    names += ("hostile", "flood_good", "heavy_size", "timeout", "session_timeout", "service_src")
    for name in names:
        if getattr(args, name) is not None:
            cfg = replace(cfg, **{name: getattr(args, name)})
    if args.service_src:
        cfg = replace(cfg, service_src=str(Path(args.service_src).resolve()))
    cfg = replace(cfg, keep_topics=args.keep_topics)
    phases = [x.strip() for x in args.phases.split(",") if x.strip()]
    unknown = [x for x in phases if x not in PHASES]
    if unknown:
        p.error(f"unknown phases {unknown}; known: {PHASES}")
    return phases, cfg, args


def main(argv: list[str] | None = None) -> int:
    phases, cfg, args = parse(argv)
    quiet_clients()
    run_dir = REPO / "bench" / "results" / "chaos" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    print(f"chaos run {run_dir}: {phases}{' (short)' if args.short else ''}", flush=True)
    with exclusive():
        results = asyncio.run(run(phases, cfg, run_dir))
    figures = {"config": vars(cfg), "phases": [fig for fig, _ in results]}
    text = json.dumps(figures, indent=2, default=str)
    (run_dir / "chaos.json").write_text(text)
    if args.json:
        args.json.write_text(text)
    failed = [f"{fig['phase']}: {x}" for fig, fails in results for x in fails]
    print(f"\n== chaos: {len(results)} phases, {len(failed)} failed criteria")
    print(f"figures: {run_dir / 'chaos.json'}")
    for line in failed:
        print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
