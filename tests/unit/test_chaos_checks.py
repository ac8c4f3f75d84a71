"""The chaos suite's own rule for repeats (bench/chaos_timing.py): a repeat is explained when,
at a kill, the input had work out (its outcome, or a stage message on its way to it) and an
offset of it was not committed: a takeover reads that again and sends it again."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from chaos_evidence import Input, PhaseData, Record
from chaos_timing import _in_flight


def record(topic: str, offset: int, ts: int, key: str = "a") -> Record:
    return Record(topic, "stage", 0, offset, ts, key, {"id": key})


def phase(stage: list[Record], outcomes: list[Record]) -> PhaseData:
    item = Input(0, "good", False, "a", b"{}", partition=0, offset=5, ts=0)
    return PhaseData("worker-kill", "raw", ["dedupe", "annotate"], [item], outcomes, stage)


def flying(data: PhaseData, at: int, committed: dict[tuple[str, int], int]) -> set[int]:
    per_input = {0: [r for r in data.outcomes if r.key == "a"]}
    staged = {"a": [r for r in data.stage if r.key == "a"]}
    return _in_flight(data, at, committed, data.inputs, per_input, staged)


def test_a_stage_message_out_before_a_kill_with_its_input_uncommitted_explains_a_repeat() -> None:
    # judged at t=1000 (annotate message), its dedupe message (offset 7) not committed at the
    # kill (t=2000): the next owner judges it again; the outcome comes much later
    data = phase([record("dedupe", 7, 500), record("annotate", 3, 1_000)], [])
    assert flying(data, 2_000, {("raw", 0): 6, ("dedupe", 0): 7}) == {0}


def test_nothing_out_yet_or_everything_committed_explains_nothing() -> None:
    data = phase([record("dedupe", 7, 5_000)], [])
    assert flying(data, 2_000, {("raw", 0): 6, ("dedupe", 0): 0}) == set()  # nothing out by then
    done = phase([record("dedupe", 7, 500)], [record("enriched", 1, 900)])
    assert flying(done, 2_000, {("raw", 0): 6, ("dedupe", 0): 8, ("annotate", 0): 9}) == set()
