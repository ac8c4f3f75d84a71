"""The short chaos suite (bench/chaos.py --short), one test per phase.

Each phase runs real `newswire worker` processes against the chaos suite's own brokers
(127.0.0.1:39192, and a three-node cluster on 39292-39294; not the `kafka` fixture's broker,
since the phases SIGKILL their brokers), then checks the promises on the evidence: every input
has an outcome, never two kinds for one id, no good article in the DLQ, every hostile message
with a documented DLQ reason or a schema-valid outcome, near-duplicates and updates judged
right and after their originals, repeats only of what was in flight around a kill.

Timing figures (resume after a fault, longest gap between outcomes) are printed with the
evidence, not asserted: speed belongs to `bench/chaos.py`, whose exit code covers them.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.integration

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load_chaos() -> ModuleType:
    """bench/chaos.py by file path (it puts bench/ on sys.path for its sibling modules)."""
    if "nwchaos_main" not in sys.modules:
        spec = importlib.util.spec_from_file_location("nwchaos_main", BENCH / "chaos.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["nwchaos_main"] = module
        spec.loader.exec_module(module)
    return sys.modules["nwchaos_main"]


chaos = _load_chaos()


@pytest.fixture(scope="module")
def chaos_lock() -> Iterator[None]:
    """One chaos run at a time on this host (the phases kill their brokers)."""
    chaos.quiet_clients()
    with chaos.exclusive():
        yield


@pytest.fixture(scope="module")
def single_broker(chaos_lock: None) -> Iterator[Any]:
    broker = chaos.SingleBroker()
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def run_short(name: str, tmp_path: Path, broker: Any) -> dict[str, Any]:
    """Run one short phase; returns its figures, with the printed block under "text"."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fig, _failures = asyncio.run(chaos.run_one(name, chaos.SHORT, tmp_path, broker))
    fig["text"] = out.getvalue()
    print(fig["text"])  # shown with -s, or -rA
    return fig


def check_promises(fig: dict[str, Any]) -> None:
    text = fig["text"]
    assert fig["inputs"]["not_sent"] == [], text
    assert fig["outcomes"]["records"] >= fig["inputs"]["sent"] > 0, text
    assert fig["lost"]["count"] == 0, text
    assert fig["mixed"]["count"] == 0, text
    assert fig["good_in_dlq"]["count"] == 0, text
    assert fig["schema_invalid"]["count"] == 0, text
    assert fig["verdicts"]["wrong"]["count"] == 0, text
    assert fig["verdicts"]["judged_before_original"]["count"] == 0, text
    for kind, right in fig["verdicts"]["right"].items():
        good, total = map(int, right.split("/"))
        assert good == total > 0, (kind, text)


@pytest.mark.timeout(900)
def test_worker_kill_short(single_broker: Any, tmp_path: Path) -> None:
    fig = run_short("worker-kill", tmp_path, single_broker)
    check_promises(fig)
    assert {"near_duplicate", "update", "original"} <= set(fig["verdicts"]["right"]), fig["text"]
    assert [f["fault"] for f in fig["faults"]] == ["worker-kill"], fig["text"]
    assert fig["faults"][0]["resume_s"] is not None, fig["text"]  # outcomes came back
    assert fig["redelivery"]["beyond_count"] == 0, fig["text"]
    assert fig["worker_exits"] == [], fig["text"]


@pytest.mark.timeout(900)
def test_broker_kill_single_short(single_broker: Any, tmp_path: Path) -> None:
    fig = run_short("broker-kill-1", tmp_path, single_broker)
    check_promises(fig)
    assert [f["fault"] for f in fig["faults"]] == ["broker-kill"], fig["text"]
    assert fig["faults"][0]["resume_s"] is not None, fig["text"]
    assert fig["worker_exits"] == [], fig["text"]


@pytest.mark.timeout(900)
def test_hostile_flood_short(single_broker: Any, tmp_path: Path) -> None:
    fig = run_short("hostile-flood", tmp_path, single_broker)
    check_promises(fig)
    hostile = chaos.chaos_phases.chaos_inputs.hostile_module()
    assert set(fig["hostile_outcomes_by_kind"]) == set(hostile.KINDS), fig["text"]
    assert fig["hostile_without_legit_outcome"]["count"] == 0, fig["text"]
    assert fig["worker_exits"] == [], fig["text"]


@pytest.mark.timeout(900)
def test_broker_kill_cluster_short(chaos_lock: None, tmp_path: Path) -> None:
    fig = run_short("broker-kill-3", tmp_path, None)
    check_promises(fig)
    assert [f["fault"] for f in fig["faults"]] == ["leader-kill"], fig["text"]
    assert fig["faults"][0]["resume_s"] is not None, fig["text"]
    assert fig["worker_exits"] == [], fig["text"]
