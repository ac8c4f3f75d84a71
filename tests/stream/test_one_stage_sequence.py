"""The offline runner and the stream agents run the same stage functions (core/stages.py): a
change to any one stage shows in the outcomes of both."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from streamkit import SEED_BODY, Recorder, article, make_service, put_all

from newswire.core import stages
from newswire.core.annotate import Annotator
from newswire.core.clean import Cleaner
from newswire.core.dedupe import DedupeIndex
from newswire.core.dedupe_store import MemoryStore
from newswire.core.gazetteer import Gazetteer
from newswire.core.pipeline import InputRecord, Pipeline
from newswire.core.records import Rejected


def changed(stage: str) -> Any:
    """A stage that rejects everything with reason `changed_<stage>`."""

    def reject(article_id: str | None) -> Rejected:
        return Rejected(f"changed_{stage}", "the stage was changed", stage=stage, id=article_id)

    if stage == "prepare":
        return lambda data, cleaner, *, max_bytes: reject(None)
    if stage == "judge":
        return lambda index, article, origin, *, late=False: reject(article.id)
    if stage == "annotate":
        return lambda annotator, items: [reject(item.id) for item in items]
    assert stage == "finish_enriched"
    return lambda article, verdict, annotation, **_: reject(article.id)


def offline_outcome(blank_nlp: Any) -> tuple[str, str | None]:
    pipeline = Pipeline(
        Cleaner(),
        DedupeIndex(MemoryStore.create()),
        Annotator(blank_nlp, Gazetteer({})),
        max_bytes=100_000,
    )
    (outcome,) = pipeline.run([InputRecord("seed.json", article("a1"))])
    return outcome.kind, outcome.record.get("reason")


async def stream_outcome(blank_nlp: Any) -> tuple[str, str | None]:
    """One article through the clean, dedupe and annotate agents (stage records in between)."""
    svc, rec = make_service(blank_nlp)
    try:
        values = [article("a1")]
        for agent in ("clean", "dedupe", "annotate"):
            rec.sent.clear()
            await put_all(svc, agent, values, until=lambda: len(rec.sent) == 1)
            ((topic, _, value),) = rec.sent
            if topic != {"clean": "dedupe", "dedupe": "annotate"}.get(agent):
                return _kind(topic, rec), value.get("reason")
            values = [orjson.dumps(value)]
        raise AssertionError(f"no outcome: {rec.sent}")
    finally:
        svc.runner.close()


def _kind(topic: str, rec: Recorder) -> str:
    return {"enriched": "enriched", "duplicates": "duplicate", "dlq": "rejected"}[topic]


async def test_unchanged_stages_enrich_the_article_in_both_runners(blank_nlp: Any) -> None:
    assert SEED_BODY in orjson.loads(article("a1"))["body"]
    assert offline_outcome(blank_nlp) == ("enriched", None)
    assert await stream_outcome(blank_nlp) == ("enriched", None)


@pytest.mark.parametrize("stage", ["prepare", "judge", "annotate", "finish_enriched"])
async def test_a_changed_stage_reaches_the_offline_runner_and_the_agents(
    blank_nlp: Any, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    monkeypatch.setattr(stages, stage, changed(stage))
    assert offline_outcome(blank_nlp) == ("rejected", f"changed_{stage}")
    assert await stream_outcome(blank_nlp) == ("rejected", f"changed_{stage}")
