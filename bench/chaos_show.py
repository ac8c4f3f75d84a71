"""Printing one chaos phase's block of evidence (the figures of chaos_report.analyze)."""

from __future__ import annotations

from typing import Any


def _some(items: Any, n: int = 8) -> str:
    """The first `n` of a list or dict, for one line of evidence."""
    if isinstance(items, dict):
        items = [f"{k}: {v}" for k, v in items.items()]
    if not items:
        return ""
    more = f" … (+{len(items) - n})" if len(items) > n else ""
    return " [" + "; ".join(map(str, items[:n])) + more + "]"


def show(fig: dict[str, Any], failures: list[str]) -> None:
    w = print
    ins, outs = fig["inputs"], fig["outcomes"]
    verdict = "PASS" if not failures else "FAIL"
    w(f"\n== {fig['phase']}: {verdict} (phase {fig['runtime_s']} s, wall {fig.get('wall_s')} s)")
    w(f"inputs: {ins['sent']} (good {ins['good']}, hostile {ins['hostile']}) {ins['by_kind']}")
    if ins["not_sent"]:
        w(f"  not accepted by Kafka: {len(ins['not_sent'])}{_some(ins['not_sent'], 3)}")
    w(f"outcomes: {outs['records']} records {outs['by_kind']}")
    w(f"  DLQ by reason: {outs['dlq_by_reason']}")
    if outs["unmatched"]:
        w(f"  matching no input: {outs['unmatched']}{_some(outs['unmatched_sample'], 3)}")
    w(f"lost: {fig['lost']['count']}{_some(fig['lost']['ids'])}")
    w(f"ids with mixed kinds: {fig['mixed']['count']}{_some(fig['mixed']['ids'])}")
    rep = fig["repeats"]
    w(f"same-kind repeats: {rep['ids']} ids, +{rep['extra_records']}{_some(rep['which'], 5)}")
    good_dlq = fig["good_in_dlq"]
    w(f"good articles in the DLQ: {good_dlq['count']}{_some(good_dlq['which'], 5)}")
    invalid = fig["schema_invalid"]
    w(f"outcomes breaking their schema: {invalid['count']}{_some(invalid['sample'], 3)}")
    if "hostile_outcomes_by_kind" in fig:
        w("hostile outcomes by kind (DLQ reason or outcome kind: count):")
        for kind, got in fig["hostile_outcomes_by_kind"].items():
            w(f"  {kind:18} {got}")
        bad = fig["hostile_without_legit_outcome"]
        w(f"hostile with no DLQ reason nor legitimate outcome: {bad['count']}{_some(bad['which'])}")
        odd = fig["hostile_reason_not_as_hostile_py_expects"]
        if odd:
            w(f"  (not what hostile.py expects, for information: {odd})")
    v = fig["verdicts"]
    w(f"verdicts right: {v['right']}")
    w(f"  wrong: {v['wrong']['count']}{_some(v['wrong']['which'], 4)}")
    early = v["judged_before_original"]
    w(f"  judged before their original: {early['count']}{_some(early['which'], 4)}")
    late = v.get("late", {"count": 0, "which": []})
    w(f"  judged on arrival, flagged late (allowed): {late['count']}{_some(late['which'], 4)}")
    gap = fig["longest_gap"]
    w(f"longest gap between outcomes: {gap['seconds']} s (starting {gap.get('from_s')} s)")
    for f in fig["faults"]:
        limit = f" (limit {f['limit_s']} s)" if f["limit_s"] else ""
        w(f"fault: {f['fault']} {f['target']} at {f['at_s']} s → resume {f['resume_s']} s{limit}")
        if "down_s" in f:
            again = f["resume_after_restart_s"]
            w(f"  back after {f['down_s']} s; resume after it was back {again} s")
        w(f"  resume by partition: {f['resume_by_partition_s']}; {f.get('note', '')}")
        first = f.get("first_new_outcome_by_raw_partition_s")
        if first:
            w(f"  first outcome of an input read after it, by raw partition: {first}")
    if "redelivery" in fig:
        r = fig["redelivery"]
        for row in r["per_window"]:
            w(
                f"redelivery, {row['window']}: in flight {row['in_flight']}, published twice "
                f"after it {row['published_twice_after']}; committed at its start "
                f"{row['committed_at_start']}"
            )
        beyond = f"{r['beyond_count']}{_some(r['not_in_flight'], 5)}"
        w(f"  ids repeated {r['repeated_ids']}; not in flight while partitions moved {beyond}")
    w(f"uncommitted messages after the last outcome (+≤ 15 s): {fig['uncommitted_at_end']}")
    if fig["worker_exits"]:
        w(f"workers that exited on their own: {fig['worker_exits']}")
    w(f"worker log lines: {fig['worker_log_lines']}")
    w(f"logs: {' '.join(fig['worker_logs'])}; evidence {fig['evidence']}")
    if not fig["complete"]:
        w("(completion timeout hit: these are the outcomes that had arrived by then)")
    for failure in failures:
        w(f"  FAILED: {failure}")
