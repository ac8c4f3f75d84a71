"""The four chaos phases. Each runs on fresh topics and a fresh app id (a fresh consumer
group, internal topics and tables) and returns its evidence (chaos_evidence.PhaseData)."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import chaos_inputs
from chaos_brokers import Cluster, SingleBroker
from chaos_evidence import Fault, PhaseData
from chaos_kafka import Publisher, Topics, now_ms, partition_leaders
from chaos_runner import REJOIN_MS, Config, Phase, run_phase
from chaos_workers import Worker

RESUME_LIMIT = 15.0  # s, after a worker or a leader-node SIGKILL
FLOOD_GAP_LIMIT = 30.0  # s, the longest gap between outcomes in the hostile flood


# --------------------------------------------------------------------------- 1 worker-kill


async def worker_kill(broker: SingleBroker, run_dir: Path, cfg: Config) -> PhaseData:
    """2 workers catch up on a backlog; K times, SIGKILL one's process group at a random
    moment, restart it after `restart_pause` s (longer than the resume limit, so a resume
    within the limit is the other worker taking over).

    The first kill comes at a random point between 5 % and 20 % of the backlog done, each
    later one `kill_delay` s after the previous victim is ready again (so that one worker is
    always up: the resume is a takeover), while at least 10 % of the backlog is left."""
    topics = Topics.fresh(broker.bootstrap, "wk", cfg.partitions)
    inputs = chaos_inputs.good_inputs(cfg.backlog, cfg.derived_every, cfg.seed, topics.app_id)
    rng = random.Random(f"chaos-kills:{cfg.seed}")

    async def body(phase: Phase) -> None:
        async with Publisher(topics.bootstrap, topics.raw) as pub:
            await pub.publish(inputs)  # the backlog, before any worker runs
        phase.say(f"backlog of {len(inputs)} published")
        phase.background.append(asyncio.create_task(phase.poll_offsets()))
        await phase.start_workers(2)
        target = rng.uniform(0.05, 0.2)  # the first kill: early in the catch-up
        for _ in range(cfg.kills):
            await asyncio.sleep(rng.uniform(*cfg.kill_delay))
            while (left := phase.outstanding(inputs)) > (1 - target) * len(inputs):
                await asyncio.sleep(0.2)
            if left < 0.1 * len(inputs):
                phase.say("backlog nearly done: no more kills")
                break
            await kill_and_restart(phase, rng.choice(phase.workers))

    async def kill_and_restart(phase: Phase, victim: Worker) -> None:
        await phase.snapshot()  # committed offsets just before the kill
        at = now_ms()
        phase.killed.add(victim.name)
        processes = await asyncio.to_thread(victim.kill)
        fault = Fault("worker-kill", victim.name, at, resume_limit=RESUME_LIMIT)
        fault.note = f"killpg of {processes} processes"
        phase.faults.append(fault)
        phase.say(f"SIGKILL {victim.name} ({processes} processes)")
        await asyncio.sleep(cfg.restart_pause)
        victim.start()
        phase.killed.discard(victim.name)
        fault.restarted_at = now_ms()
        await phase.wait_ready(victim)
        phase.windows.append((f"kill of {victim.name}", at, now_ms() + REJOIN_MS))
        phase.say(f"{victim.name} restarted and ready")

    data = await run_phase("worker-kill", topics, run_dir, cfg, inputs, body)
    data.check_redelivery = True
    return data


# --------------------------------------------------------------------------- 2 broker-kill-1


async def broker_kill_single(broker: SingleBroker, run_dir: Path, cfg: Config) -> PhaseData:
    """1 worker, articles streamed at `rate`/s; SIGKILL the only broker a quarter to half way
    through, restart it 10–30 s later."""
    topics = Topics.fresh(broker.bootstrap, "bk1", cfg.partitions)
    inputs = chaos_inputs.good_inputs(cfg.stream, cfg.derived_every, cfg.seed + 1, topics.app_id)
    rng = random.Random(f"chaos-broker1:{cfg.seed}")

    async def body(phase: Phase) -> None:
        await phase.start_workers(1)
        async with Publisher(topics.bootstrap, topics.raw) as pub:
            sending = asyncio.create_task(pub.publish(inputs, rate=cfg.rate))
            await asyncio.sleep(rng.uniform(0.25, 0.45) * len(inputs) / cfg.rate)
            lines = phase.log_lines()
            at = now_ms()
            await asyncio.to_thread(broker.kill)
            fault = Fault("broker-kill", f"127.0.0.1:{broker.port}", at)
            phase.faults.append(fault)
            phase.say(f"SIGKILL broker {broker.port}")
            await asyncio.sleep(rng.uniform(*cfg.broker_down))
            after = phase.log_lines()
            await asyncio.to_thread(broker.start)
            fault.restarted_at = now_ms()
            fault.note = "worker log lines while down: " + ", ".join(
                f"{k} {after[k] - lines.get(k, 0)}" for k in after
            )
            phase.say(f"broker back; {fault.note}")
            await sending

    return await run_phase("broker-kill-1", topics, run_dir, cfg, inputs, body)


# --------------------------------------------------------------------------- 3 broker-kill-3


async def broker_kill_cluster(cluster: Cluster, run_dir: Path, cfg: Config) -> PhaseData:
    """Three nodes, topics with RF 3, 1 worker, articles streamed; SIGKILL the node leading
    most raw, enriched and dedupe-stage partitions, keep it down `leader_down` s."""
    topics = Topics.fresh(cluster.bootstrap, "bk3", cfg.partitions, replication=3)
    inputs = chaos_inputs.good_inputs(cfg.stream, cfg.derived_every, cfg.seed + 2, topics.app_id)
    rng = random.Random(f"chaos-broker3:{cfg.seed}")

    async def body(phase: Phase) -> None:
        await phase.start_workers(1)
        async with Publisher(topics.bootstrap, topics.raw) as pub:
            sending = asyncio.create_task(pub.publish(inputs, rate=cfg.rate))
            await asyncio.sleep(rng.uniform(0.25, 0.4) * len(inputs) / cfg.rate)
            watched = [topics.raw, topics.enriched, topics.stage_topics[0]]
            leaders = await partition_leaders(topics.bootstrap, watched)
            votes = {n: list(leaders.values()).count(n) for n in set(leaders.values()) if n >= 0}
            victim = max(sorted(votes), key=lambda n: votes[n])
            led = sorted(
                f"{t.rsplit('.', 1)[-1]}/{p}" for (t, p), n in leaders.items() if n == victim
            )
            lines = phase.log_lines()
            at = now_ms()
            await asyncio.to_thread(cluster.kill, victim)
            fault = Fault("leader-kill", f"node {victim}", at, resume_limit=RESUME_LIMIT)
            phase.faults.append(fault)
            phase.say(f"SIGKILL node {victim}, leader of {led}")
            await asyncio.sleep(cfg.leader_down)
            after = phase.log_lines()
            await asyncio.to_thread(cluster.restart, victim)
            fault.restarted_at = now_ms()
            fault.note = f"led {led}; worker log lines while down: " + ", ".join(
                f"{k} {after[k] - lines.get(k, 0)}" for k in after
            )
            phase.say(f"node {victim} back")
            await sending

    return await run_phase("broker-kill-3", topics, run_dir, cfg, inputs, body)


# --------------------------------------------------------------------------- 4 hostile-flood


async def hostile_flood(broker: SingleBroker, run_dir: Path, cfg: Config) -> PhaseData:
    """1 worker; hostile messages (bench/hostile.py) mixed with good articles, published at
    once."""
    topics = Topics.fresh(broker.bootstrap, "hf", cfg.partitions)
    good = chaos_inputs.good_inputs(cfg.flood_good, 0, cfg.seed + 3, topics.app_id)
    hostile = chaos_inputs.hostile_inputs(cfg.hostile, cfg.seed, cfg.small_size, cfg.heavy_size)
    inputs = chaos_inputs.mix(hostile, good)

    async def body(phase: Phase) -> None:
        await phase.start_workers(1)
        async with Publisher(topics.bootstrap, topics.raw) as pub:
            await pub.publish(inputs)
        phase.say(f"{len(inputs)} messages published")

    data = await run_phase("hostile-flood", topics, run_dir, cfg, inputs, body)
    data.gap_limit = FLOOD_GAP_LIMIT
    return data
