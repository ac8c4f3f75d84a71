"""Timing evidence of a chaos phase: the longest gap between outcomes, the resume time after
each fault, and outcomes published twice against what was in flight around worker kills."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

from chaos_evidence import Fault, Input, PhaseData, Record, label

PENDING_SLACK_MS = 1_000  # inputs published up to 1 s after a fault count as stalled by it
SNAPSHOT_SLACK_MS = 500  # an outcome stamped this soon after an offset snapshot may predate it

Outcomes = dict[int, list[Record]]


def longest_gap(data: PhaseData) -> dict[str, Any]:
    """The longest time between two consecutive outcome records (by record timestamp),
    counting from when there was work for a ready worker, and, if inputs were still without
    outcome at the end, up to the end of the wait: a stall at either end counts too."""
    sent = [i.ts for i in data.inputs if i.error is None and i.ts]
    times = sorted(r.ts for r in data.outcomes)
    begin = max(min(sent, default=0), data.ready_at)
    if begin:
        times = sorted([begin, *times])
    if not data.notes.get("complete", True) and data.finished:
        times.append(max(data.finished, times[-1] if times else 0))
    if len(times) < 2:
        return {"seconds": None}
    size, at = max((b - a, a) for a, b in itertools.pairwise(times))
    return {"seconds": round(size / 1000, 2), "from_s": round((at - data.started) / 1000, 1)}


def _first_stage(data: PhaseData) -> dict[str, list[int]]:
    """id → timestamps of its records on the first stage topic (the clean stage's output)."""
    first = next((t for t in data.stage_topics if t.endswith(".dedupe")), None)
    out: dict[str, list[int]] = defaultdict(list)
    for record in data.stage:
        if record.topic == first and record.key is not None:
            out[record.key].append(record.ts)
    return out


def _stage_name(topic: str) -> str:
    return topic.rsplit(".", 1)[-1]


def _hops(
    data: PhaseData, sent: list[Input], per_input: Outcomes
) -> list[tuple[str, int, list[int]]]:
    """Each input's way through the pipeline as (partition, arrived, left) hops: its raw
    partition from when it was published, then the partition of its first record on each
    stage topic; `left` holds the times of every record of its next step (the next stage
    topic's records, or its outcomes), copies written when work was done again included."""
    staged: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for record in sorted(data.stage, key=lambda r: r.ts):
        if record.key is not None:
            staged[record.key][record.topic].append(record)
    hops = []
    for item in sent:
        topics = sorted(staged.get(item.id or "", {}).values(), key=lambda rs: rs[0].ts)
        steps = [(f"raw/{item.partition}", item.ts)]
        steps += [(f"{_stage_name(rs[0].topic)}/{rs[0].partition}", rs[0].ts) for rs in topics]
        lefts = [[r.ts for r in rs] for rs in topics] + [[r.ts for r in per_input[item.n]]]
        for (where, arrived), left in zip(steps, lefts, strict=True):
            hops.append((where, arrived, left))
    return hops


def resume_after(
    data: PhaseData, t: int, sent: list[Input], per_input: Outcomes
) -> tuple[float | None, dict[str, float | None]]:
    """Seconds from `t` until every partition (raw or stage) that held work at `t` passes
    work on again (None: never), and the figure per partition.

    A partition held work at `t` if an input had arrived in it (or was published to it up to
    1 s after `t`) and had not left it by `t`. It has resumed at the first record after `t`
    that work done on it wrote (a record of an input's next stage, or an outcome; work done
    again counts: a killed worker's partitions resume once another worker has taken them over
    and works on them). See `first_new_outcome` for the time until an input read after the
    fault is out, which with a backlog is the pipeline's latency, not the takeover."""
    hops = _hops(data, sent, per_input)
    stalled = {
        where
        for where, arrived, left in hops
        if arrived <= t + PENDING_SLACK_MS and not any(ts <= t for ts in left)
    }
    after: dict[str, list[int]] = {where: [] for where in stalled}
    for where, arrived, left in hops:
        if where in after and arrived <= t + PENDING_SLACK_MS:
            after[where].extend(ts for ts in left if ts > t)
    resumed: dict[str, float | None] = {
        where: round((min(times) - t) / 1000, 2) if times else None
        for where, times in sorted(after.items())
    }
    if any(v is None for v in resumed.values()):
        return None, resumed
    return max([v for v in resumed.values() if v is not None], default=0.0), resumed


def first_new_outcome(
    data: PhaseData, t: int, sent: list[Input], per_input: Outcomes
) -> dict[int, float | None]:
    """Per raw partition stalled at `t`: seconds until the first outcome of one of its inputs
    read from raw after `t` (its first stage record is later than `t`, or it has none), or
    of any of its inputs if its backlog had been read by `t`. With a backlog this is the
    pipeline's latency (the work queued ahead of it in every stage), not the takeover."""
    stage1 = _first_stage(data)
    partitions: dict[int, list[Input]] = defaultdict(list)
    for item in sent:
        partitions[item.partition].append(item)
    out: dict[int, float | None] = {}
    for p, items in sorted(partitions.items()):
        stalled = any(
            i.ts <= t + PENDING_SLACK_MS and not any(r.ts <= t for r in per_input[i.n])
            for i in items
        )
        if not stalled:
            continue
        drained = all(i.ts <= t for i in items) and all(
            any(s <= t for s in stage1[i.id]) for i in items if i.id and stage1.get(i.id)
        )
        best: int | None = None
        for i in items:
            staged = stage1.get(i.id or "", [])
            for r in per_input[i.n]:
                if r.ts <= t or (best is not None and r.ts >= best):
                    continue
                if drained or not staged or any(t < s <= r.ts for s in staged):
                    best = r.ts
        out[p] = None if best is None else round((best - t) / 1000, 2)
    return out


def fault_figures(
    data: PhaseData, fault: Fault, sent: list[Input], per_input: Outcomes
) -> dict[str, Any]:
    resume, parts = resume_after(data, fault.at, sent, per_input)
    out: dict[str, Any] = {
        "fault": fault.kind,
        "target": fault.target,
        "at_s": round((fault.at - data.started) / 1000, 1),
        "at_ms": fault.at,
        "resume_s": resume,
        "resume_by_partition_s": parts,
        "limit_s": fault.resume_limit,
        "first_new_outcome_by_raw_partition_s": first_new_outcome(data, fault.at, sent, per_input),
    }
    if fault.restarted_at is not None:
        out["down_s"] = round((fault.restarted_at - fault.at) / 1000, 1)
        out["resume_after_restart_s"] = resume_after(data, fault.restarted_at, sent, per_input)[0]
    if fault.note:
        out["note"] = fault.note
    return out


def _in_flight(
    data: PhaseData,
    at: int,
    committed: dict[tuple[str, int], int],
    sent: list[Input],
    per_input: Outcomes,
    staged: dict[str, list[Record]],
) -> set[int]:
    """Inputs with work out by `at` (their outcome, or a stage message on its way to it) while
    the group had not committed past their raw message or one of their stage messages: what a
    takeover at `at` may publish again. A stage message counts: a stage that read its input
    again sends it again, and the outcome comes twice later, maybe long after the kill (seen:
    the dedupe stage judged an article again 9 s after a kill, its two annotation messages
    were enriched 60 s later)."""
    cut = at + SNAPSHOT_SLACK_MS
    flying = set()
    for item in sent:
        out = any(r.ts <= cut for r in per_input[item.n])
        if not out and not any(s.ts <= cut for s in staged.get(item.id or "", [])):
            continue
        if item.offset >= committed.get((data.raw_topic, item.partition), 0) or any(
            s.offset >= committed.get((s.topic, s.partition), 0)
            for s in staged.get(item.id or "", [])
            if s.ts <= cut
        ):
            flying.add(item.n)
    return flying


def redelivery(data: PhaseData, sent: list[Input], per_input: Outcomes) -> dict[str, Any]:
    """Outcomes published twice, against what was in flight since the last commit while
    partitions moved: workers joining, and each kill until the restarted worker has rejoined
    (partitions move twice: to the survivor, then back).

    "In flight" in a window is the union over the committed-offset snapshots taken in it (one
    just before a kill, then about one a second): inputs whose outcome was out while an offset
    of theirs (raw or stage) was not yet committed. A repeat of an input outside all of these
    sets is one the commits do not explain."""
    staged: dict[str, list[Record]] = defaultdict(list)
    for record in data.stage:
        if record.key is not None:
            staged[record.key].append(record)
    explained: set[int] = set()
    rows = []
    windows = sorted(data.windows, key=lambda w: w[1])
    for k, (what, begin, end) in enumerate(windows):
        flying: set[int] = set()
        snaps = [(ts, c) for ts, c in data.snapshots if begin - 2_000 <= ts <= end]
        for ts, committed in snaps:
            flying |= _in_flight(data, ts, committed, sent, per_input, staged)
        explained |= flying
        until = windows[k + 1][1] if k + 1 < len(windows) else None
        twice = 0
        for item in sent:
            seen: set[str] = set()
            for r in per_input[item.n]:
                if r.kind in seen and r.ts > begin and (until is None or r.ts <= until):
                    twice += 1
                seen.add(r.kind)
        first = snaps[0][1] if snaps else {}
        rows.append(
            {
                "window": what,
                "in_flight": len(flying),
                "published_twice_after": twice,
                "snapshots": len(snaps),
                "committed_at_start": {
                    f"{t.rsplit('.', 1)[-1]}/{p}": o for (t, p), o in sorted(first.items())
                },
            }
        )
    repeated = [i for i in sent if len(per_input[i.n]) > len({r.kind for r in per_input[i.n]})]
    beyond = [label(i) for i in repeated if i.n not in explained]
    return {
        "per_window": rows,
        "repeated_ids": len(repeated),
        "beyond_count": len(beyond),
        "not_in_flight": beyond[:50],
    }
