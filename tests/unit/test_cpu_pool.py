"""The CPU pools: work runs in other processes, the event loop stays free, and an article
that overruns its time budget is rejected with `timeout` while its process is replaced."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import orjson
import pytest

from newswire.adapters.processes.pool import Budget, ProcessRunner
from newswire.core.annotate import AnnotateInput
from newswire.core.records import CleanArticle, Rejected

pytestmark = pytest.mark.model

BODY = (
    "BEIJING, May 23 (Reuters) – Russia and China are set to sign a series of bilateral "
    "agreements on Wednesday during the Russian prime minister’s trip to Beijing.\n\n"
    "Prime Minister Mikhail Mishustin was speaking with Chinese President Xi Jinping and "
    "Premier Li Qiang, according to the Russian government."
)


def raw(article_id: str, body: str = BODY) -> bytes:
    return orjson.dumps({"id": article_id, "headline": "Talks", "body": body})


@pytest.fixture(scope="module")
def runner() -> Iterator[ProcessRunner]:
    # Tight budgets so the test can overrun them with ordinary (linear) work.
    budget = Budget(seconds=0.5, chars_per_second=10**9, max_chars=100_000)
    pool = ProcessRunner(
        "en_core_web_sm",
        clean_processes=1,
        nlp_processes=1,
        batch_size=8,
        max_bytes=2_000_000,
        budget=budget,
    )
    yield pool
    pool.close()


async def test_work_runs_in_other_processes_and_the_loop_stays_free(runner: ProcessRunner) -> None:
    items = [AnnotateInput(f"p{i}", "Talks", BODY, "en") for i in range(8)]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    cleaned = await runner.clean(raw("c1"))
    results = await runner.annotate(items)
    task.cancel()
    assert isinstance(cleaned, CleanArticle)
    assert cleaned.dateline is not None and cleaned.dateline.location == "BEIJING"
    assert len(results) == 8
    people = {e["text"] for e in results[0]["entities"] if e["label"] == "PERSON"}
    assert {"Mikhail Mishustin", "Xi Jinping"} <= people
    assert ticks > 5  # the loop kept turning while the processes worked
    assert runner.model.startswith("en_core_web_sm")
    pid = await asyncio.wrap_future(runner._clean_pool.schedule(os.getpid))
    assert pid != os.getpid()


async def test_cleaning_over_budget_is_rejected_and_the_process_replaced(
    runner: ProcessRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await asyncio.wrap_future(runner._clean_pool.schedule(os.getpid))
    huge = " ".join(["Markets rose in London on Monday as traders weighed the data."] * 25_000)
    # Cleaning is linear (1.5 MB in well under a second): overrun a tiny budget instead.
    monkeypatch.setattr(runner, "budget", Budget(seconds=0.01))
    result = await runner.clean(raw("slow", huge))
    monkeypatch.undo()
    assert isinstance(result, Rejected)
    assert (result.reason, result.stage) == ("timeout", "clean")
    assert "budget of 0.01 s" in result.error
    after = await asyncio.wrap_future(runner._clean_pool.schedule(os.getpid))
    assert after != before  # the process that overran was replaced
    assert isinstance(await runner.clean(raw("next")), CleanArticle)  # and the next one works


async def test_a_clean_batch_is_one_call_and_only_the_article_over_budget_is_rejected(
    runner: ProcessRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [raw(f"b{i}") for i in range(6)]
    cleaned = await runner.clean_many(batch)
    assert [c.id for c in cleaned if isinstance(c, CleanArticle)] == [f"b{i}" for i in range(6)]
    huge = " ".join(["Markets rose in London on Monday as traders weighed the data."] * 25_000)
    mixed = [raw("m0"), raw("slow", huge), raw("m2"), b"not json"]
    monkeypatch.setattr(runner, "budget", Budget(seconds=0.05))
    results = await runner.clean_many(mixed)
    monkeypatch.undo()
    assert isinstance(results[0], CleanArticle) and results[0].id == "m0"
    assert isinstance(results[1], Rejected)
    assert (results[1].reason, results[1].stage) == ("timeout", "clean")
    assert isinstance(results[2], CleanArticle) and results[2].id == "m2"
    assert isinstance(results[3], Rejected) and results[3].reason != "timeout"


async def test_only_the_article_over_budget_in_a_batch_is_rejected(runner: ProcessRunner) -> None:
    long_body = "\n\n".join([BODY] * 300)  # ~100 k characters: seconds of NLP
    items = [
        AnnotateInput("s1", "Talks", BODY, "en"),
        AnnotateInput("long", "Talks", long_body, "en"),
        AnnotateInput("s2", "Talks", BODY, "en"),
    ]
    results = await runner.annotate(items)
    assert len(results) == 3
    assert isinstance(results[1], Rejected)
    assert (results[1].reason, results[1].stage, results[1].id) == ("timeout", "annotate", "long")
    assert all(
        isinstance(r, dict) and r["status"]["status"] == "ok" for r in (results[0], results[2])
    )
