"""Chaos suite evidence: match outcomes to inputs and work out the figures of one phase.

An outcome belongs to an input by the record's `id` (ids are unique per phase); DLQ records
without a usable id are matched by `raw_origin` or `origin` (raw topic, partition, offset).
Times are Kafka record timestamps (ms) of the outcome records, and wall-clock ms of faults,
on the same host.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

import chaos_timing
from chaos_evidence import Input, PhaseData, Record, label, match

SCHEMAS = Path(__file__).resolve().parents[1] / "service" / "newswire" / "schemas"
SCHEMA_FILE = {
    "enriched": "enriched.v1.json",
    "duplicate": "duplicate.v1.json",
    "dlq": "dlq.v1.json",
}


@cache
def _schema(folder: Path, kind: str) -> dict[str, Any]:
    return json.loads((folder / SCHEMA_FILE[kind]).read_text("utf-8"))


@cache
def _validator(folder: Path, kind: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(folder, kind))


def dlq_reasons(folder: Path) -> frozenset[str]:
    """The machine-readable reasons the DLQ schema allows (the documented contract)."""
    return frozenset(_schema(folder, "dlq")["properties"]["reason"]["enum"])


def _verdict(record: Record) -> tuple[str, str | None, Any]:
    dedupe = record.value.get("dedupe") or {}
    status = "dlq" if record.kind == "dlq" else dedupe.get("status", "?")
    return status, dedupe.get("duplicate_of"), record.value.get("version")


def _late(outs: list[Record]) -> bool:
    """The record says it was judged on arrival, not in publish order: its partition was
    silent for longer than NEWSWIRE_DEDUPE_GRACE_SECONDS (the issue allows that)."""
    return bool(outs and (outs[0].value.get("dedupe") or {}).get("late"))


def _judged_at(item: Input, outs: list[Record], annotate: dict[str, int]) -> int | None:
    """When the dedupe stage judged it: its record on the annotate stage, else its outcome."""
    if item.id in annotate:
        return annotate[item.id]
    return outs[0].ts if outs else None


def analyze(data: PhaseData, schemas: Path = SCHEMAS) -> tuple[dict[str, Any], list[str]]:
    """The phase's figures (JSON-ready) and the failed criteria. `schemas`: the folder of the
    JSON schemas of the worker under test (its documented contract)."""
    per_input, unmatched = match(data)
    sent = [i for i in data.inputs if i.error is None]
    by_n = {i.n: i for i in sent}
    reasons = dlq_reasons(schemas)
    fig: dict[str, Any] = {"phase": data.name, "started_ms": data.started, **data.notes}
    fig["inputs"] = {
        "sent": len(sent),
        "good": sum(not i.hostile for i in sent),
        "hostile": sum(i.hostile for i in sent),
        "not_sent": [f"{label(i)}: {i.error}" for i in data.inputs if i.error is not None],
        "by_kind": dict(Counter(i.kind for i in sent)),
    }
    fig["outcomes"] = {
        "records": len(data.outcomes),
        "by_kind": dict(Counter(r.kind for r in data.outcomes)),
        "dlq_by_reason": dict(
            Counter(r.value.get("reason") for r in data.outcomes if r.kind == "dlq")
        ),
        "unmatched": len(unmatched),
        "unmatched_sample": [f"{r.kind} id={r.id} key={r.key}" for r in unmatched[:10]],
    }
    lost = [label(by_n[n]) for n, outs in per_input.items() if not outs]
    mixed = {
        label(by_n[n]): sorted({r.kind for r in outs})
        for n, outs in per_input.items()
        if len({r.kind for r in outs}) > 1
    }
    repeats = {
        label(by_n[n]): len(outs) - len({r.kind for r in outs})
        for n, outs in per_input.items()
        if len(outs) > len({r.kind for r in outs})
    }
    fig["lost"] = {"count": len(lost), "ids": lost[:50]}
    fig["mixed"] = {"count": len(mixed), "ids": dict(list(mixed.items())[:50])}
    fig["repeats"] = {
        "ids": len(repeats),
        "extra_records": sum(repeats.values()),
        "which": list(repeats)[:50],
    }
    invalid = []
    broken: set[int] = set()
    for record in data.outcomes:
        error = next(iter(_validator(schemas, record.kind).iter_errors(record.value)), None)
        if error is not None:
            broken.add(id(record))
            where = "/".join(map(str, error.absolute_path))
            invalid.append(f"{record.kind} id={record.id} {where}: {error.message[:120]}")
    fig["schema_invalid"] = {"count": len(invalid), "sample": invalid[:10]}
    good_dlq = [
        f"{label(i)}: {r.value.get('reason')} ({str(r.value.get('error'))[:100]})"
        for i in sent
        if not i.hostile
        for r in per_input[i.n]
        if r.kind == "dlq"
    ]
    fig["good_in_dlq"] = {"count": len(good_dlq), "which": good_dlq[:50]}
    fig.update(_hostile_figures(sent, per_input, reasons, broken))
    fig["verdicts"] = _verdict_figures(data, sent, per_input)
    fig["longest_gap"] = chaos_timing.longest_gap(data)
    fig["faults"] = [chaos_timing.fault_figures(data, f, sent, per_input) for f in data.faults]
    if data.check_redelivery:
        fig["redelivery"] = chaos_timing.redelivery(data, sent, per_input)
    return fig, _failures(data, fig)


def _hostile_figures(
    sent: list[Input], per_input: dict[int, list[Record]], reasons: frozenset[str], broken: set[int]
) -> dict[str, Any]:
    """Per hostile kind, what came out; which hostile messages got neither a DLQ record with a
    documented reason nor a schema-valid enriched/duplicate record (`broken`: id() of the
    records that break their schema)."""
    bad: list[str] = []
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    unexpected: Counter[str] = Counter()
    for item in (i for i in sent if i.hostile):
        outs = per_input[item.n]
        got = sorted({r.value.get("reason") if r.kind == "dlq" else r.kind for r in outs})
        by_kind[item.kind][",".join(map(str, got)) or "none"] += 1
        legit = bool(outs) and all(
            id(r) not in broken and (r.kind != "dlq" or r.value.get("reason") in reasons)
            for r in outs
        )
        if not legit:
            bad.append(f"{label(item)} ({item.kind}): {got or 'no outcome'}")
        if item.expect is not None and item.expect[1] not in got:
            unexpected[
                f"{item.kind}: expected {item.expect[1]}, got {','.join(map(str, got)) or 'none'}"
            ] += 1
    if not by_kind:
        return {}
    return {
        "hostile_outcomes_by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "hostile_without_legit_outcome": {"count": len(bad), "which": bad[:50]},
        "hostile_reason_not_as_hostile_py_expects": dict(unexpected),
    }


def _verdict_figures(
    data: PhaseData, sent: list[Input], per_input: dict[int, list[Record]]
) -> dict[str, Any]:
    annotate: dict[str, int] = {}
    annotate_topic = next((t for t in data.stage_topics if t.endswith(".annotate")), None)
    for record in sorted(data.stage, key=lambda r: r.ts):
        if record.topic == annotate_topic and record.key is not None:
            annotate.setdefault(record.key, record.ts)
    by_id = {i.id: i for i in sent if i.id is not None}
    score: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong: list[str] = []
    early: list[str] = []
    late: list[str] = []
    for item in sent:
        if item.hostile or item.expect is None:
            continue
        outs = per_input[item.n]
        want, of = item.expect
        tally = score[item.kind]
        tally[1] += 1
        if not outs:
            continue  # counted as lost
        status, dup_of, version = _verdict(outs[0])
        right = status == want and dup_of == of
        if want == "update":
            right = right and outs[0].value.get("story_id") == of and version == 2
        original = by_id.get(of) if of is not None else None
        flagged = _late(outs) or (original is not None and _late(per_input[original.n]))
        if right:
            tally[0] += 1
        elif flagged or _late_copy_of(item, sent, per_input):
            late.append(f"{item.id} ({item.kind}): {status} of {dup_of}, flagged late")
            continue
        else:
            wrong.append(
                f"{item.id} ({item.kind}): expected {want} of {of}, got {status} of {dup_of}"
            )
        if of is not None and not flagged:
            mine = _judged_at(item, outs, annotate)
            theirs = _judged_at(original, per_input[original.n], annotate) if original else None
            if mine is not None and theirs is None:
                early.append(f"{item.id} judged, its original {of} never")
            elif mine is not None and theirs is not None and mine < theirs:
                early.append(f"{item.id} judged {theirs - mine} ms before {of}")
    return {
        "right": {k: f"{v[0]}/{v[1]}" for k, v in sorted(score.items())},
        "wrong": {"count": len(wrong), "which": wrong[:50]},
        "judged_before_original": {"count": len(early), "which": early[:50]},
        "late": {"count": len(late), "which": late[:50]},
    }


def _late_copy_of(item: Input, sent: list[Input], per_input: dict[int, list[Record]]) -> bool:
    """An original judged a duplicate of its own copy because the copy was judged first: right
    only if one of the two records says late."""
    for other in sent:
        if other.expect is not None and other.expect[1] == item.id and _late(per_input[other.n]):
            return True
    return False


def _failures(data: PhaseData, fig: dict[str, Any]) -> list[str]:
    fails = []
    for key, what in (
        ("lost", "inputs without an outcome"),
        ("mixed", "ids with outcomes of two kinds"),
        ("good_in_dlq", "good articles in the DLQ"),
        ("schema_invalid", "outcomes that break their JSON schema"),
    ):
        if fig[key]["count"]:
            fails.append(f"{fig[key]['count']} {what}")
    hostile = fig.get("hostile_without_legit_outcome", {}).get("count", 0)
    if hostile:
        fails.append(
            f"{hostile} hostile messages with neither a DLQ reason nor a legitimate outcome"
        )
    verdicts = fig["verdicts"]
    if verdicts["wrong"]["count"]:
        fails.append(f"{verdicts['wrong']['count']} wrong dedupe verdicts")
    if verdicts["judged_before_original"]["count"]:
        fails.append(
            f"{verdicts['judged_before_original']['count']} copies judged before their original"
        )
    gap = fig["longest_gap"]["seconds"]
    if data.gap_limit is not None and (gap is None or gap >= data.gap_limit):
        fails.append(f"longest gap between outcomes {gap} s (limit < {data.gap_limit} s)")
    for row in fig["faults"]:
        limit = row["limit_s"]
        if limit is not None and (row["resume_s"] is None or row["resume_s"] > limit):
            what = f"{row['fault']} {row['target']} at {row['at_s']} s"
            fails.append(f"{what}: resume {row['resume_s']} s (limit {limit} s)")
    if fig.get("worker_exits"):
        fails.append(f"workers exited on their own: {fig['worker_exits']}")
    beyond = fig.get("redelivery", {}).get("beyond_count", 0)
    if beyond:
        fails.append(f"{beyond} ids published twice that were not in flight while partitions moved")
    return fails
