"""Edges of the streaming service beyond the main scenarios: the dedupe window expiring in a
running worker, and an article at the size the settings accept."""

from __future__ import annotations

import time
from typing import Any

import pytest
from nw_harness import Deployment, article_message, collect, has_ids, produce

pytestmark = pytest.mark.integration


@pytest.mark.timeout(240)
def test_dedupe_window_expiry_in_stream(
    pipeline: Deployment, start_worker, short_articles: list[dict[str, Any]]
) -> None:
    """With a 7.2 s window swept every second, an article sent again after the window is new
    again (unique, enriched), and the sweep over the Faust tables runs without harm."""
    worker = start_worker(
        pipeline,
        env={
            "NEWSWIRE_DEDUPE_WINDOW_HOURS": "0.002",  # 7.2 s
            "NEWSWIRE_DEDUPE_EXPIRE_INTERVAL_SECONDS": "1",
        },
    )
    first, other, later = short_articles[:3]

    produce(pipeline, [article_message(first)])
    collect(pipeline, has_ids({first["id"]}), workers=[worker], what="the first article")
    # Within the window: a duplicate.
    produce(pipeline, [article_message(first)])
    collect(
        pipeline,
        lambda o: [x.kind for x in o.for_id(first["id"])] == ["enriched", "duplicate"],
        workers=[worker],
        what="the copy within the window to be a duplicate",
    )

    time.sleep(8.0)  # past the window
    produce(pipeline, [article_message(other)])  # an event, so the dedupe agent sweeps
    collect(pipeline, has_ids({other["id"]}), workers=[worker], what="the second article")
    worker.wait_for_log("dedupe: forgot 1 articles older than the window", timeout=30)

    produce(pipeline, [article_message(first), article_message(later)])
    outcomes = collect(
        pipeline,
        lambda o: len(o.for_id(first["id"])) == 3 and bool(o.for_id(later["id"])),
        settle=2.0,
        workers=[worker],
        what="the copy after the window, and one more article",
    )
    # In processing order (the three outcomes come from two topics, read in any order).
    history = sorted(
        outcomes.for_id(first["id"]), key=lambda o: o.record["provenance"]["processed_at"]
    )
    assert [o.kind for o in history] == ["enriched", "duplicate", "enriched"]
    again = history[-1].record
    assert again["dedupe"]["status"] == "unique"
    assert (again["story_id"], again["version"]) == (first["id"], 1)
    assert [o.kind for o in outcomes.for_id(later["id"])] == ["enriched"]
    assert "Traceback" not in worker.log_text()
    assert worker.alive()


@pytest.mark.timeout(300)
def test_article_within_max_article_bytes_is_enriched(
    pipeline: Deployment, start_worker, short_articles: list[dict[str, Any]]
) -> None:
    """An English article of 1.1 MB is within the 2 MB article limit, so it is an article
    like any other: enriched (spaCy sees it in chunks below its nlp.max_length), not an
    internal error."""
    worker = start_worker(pipeline)
    body = "\n\n".join(a["body"] for a in short_articles)
    while len(body) < 1_100_000:
        body += "\n\n" + body
    article = {**short_articles[0], "id": "long-article", "body": body[:1_100_000]}
    assert len(article["body"].encode()) < 2_000_000  # settings.max_article_bytes default

    produce(pipeline, [article_message(article)])
    outcomes = collect(
        pipeline, has_ids({"long-article"}), timeout=180.0, workers=[worker], what="its outcome"
    )
    (outcome,) = outcomes
    assert outcome.kind == "enriched", (
        f"{outcome.kind}: {outcome.record.get('reason')}: {outcome.record.get('error')}"
    )
    assert worker.alive()
