"""The Faust agents, in process: Faust's agent test context, memory tables, no broker.

Sends to other topics are recorded instead of produced; everything else (agents, tables, the
dedupe index over Faust tables, the NLP runner) is the real thing.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
import spacy
from jsonschema import Draft202012Validator, FormatChecker

from newswire.bootstrap import build_annotator
from newswire.core.records import Rejected, load_schema
from newswire.nlp_pool import InlineRunner
from newswire.settings import Settings
from newswire.stream.app import Service, create_app

OUTPUTS = ("dlq", "dedupe", "annotate", "enriched", "duplicates")
SEED_BODY = (
    "BEIJING, May 23 (Reuters) – Russia and China are set to sign a series of bilateral "
    "agreements on Wednesday during the Russian prime minister’s trip to Beijing.\n\n"
    "Prime Minister Mikhail Mishustin was speaking with Chinese President Xi Jinping and "
    "Premier Li Qiang, according to the Russian government.\n\n"
    "Reporting by Ryan Woo; Editing by Michael Perry"
)


@dataclass
class Recorder:
    sent: list[tuple[str, bytes | None, dict[str, Any]]] = field(default_factory=list)

    def of(self, topic: str) -> list[tuple[bytes | None, dict[str, Any]]]:
        return [(key, value) for name, key, value in self.sent if name == topic]


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind), format_checker=FormatChecker())


@pytest.fixture
async def service(blank_nlp: Any) -> AsyncIterator[tuple[Service, Recorder]]:
    settings = Settings(
        store="memory",
        app_id=f"t-{uuid.uuid4().hex[:8]}",
        nlp_processes=0,
        nlp_inflight_batches=1,
        nlp_batch_timeout=0.01,
    )
    runner = InlineRunner(build_annotator(settings, blank_nlp))
    svc = create_app(settings, runner=runner)
    svc.app.finalize()
    svc.app.flow_control.resume()
    recorder = Recorder()
    for name in OUTPUTS:
        topic = getattr(svc.topics, name)

        async def record(*_: Any, _name: str = name, **kwargs: Any) -> None:
            recorder.sent.append((_name, kwargs.get("key"), orjson.loads(kwargs["value"])))

        topic.send = record
    yield svc, recorder
    runner.close()


@pytest.fixture(scope="module")
def blank_nlp() -> Any:
    return spacy.blank("en")


async def put_all(svc: Service, agent: str, values: list[bytes]) -> None:
    async with svc.app.agents[agent].test_context() as ctx:
        for value in values:
            await ctx.put(value)
        await asyncio.sleep(0.05)  # let a take_events() batch time out and flush


def article(article_id: str = "a1", body: str = SEED_BODY, **extra: Any) -> bytes:
    return orjson.dumps({"id": article_id, "headline": "Russia and China", "body": body, **extra})


def test_topology(blank_nlp: Any) -> None:
    settings = Settings(store="memory", app_id="topo", partitions=6, nlp_processes=0)
    svc = create_app(settings, runner=InlineRunner(build_annotator(settings, blank_nlp)))
    assert svc.topics.raw.partitions == 6
    assert svc.topics.annotate.partitions == 6
    assert svc.topics.dedupe.partitions == 1  # every near-duplicate meets its candidates
    assert svc.topics.raw.get_topic_name() == "newswire.raw"
    assert svc.topics.dedupe.get_topic_name() == "topo.dedupe"
    tables = svc.app.tables
    assert {t.partitions for t in tables.values()} == {1}
    assert set(tables) == {"dedupe-entries", "dedupe-bands", "dedupe-stories"}
    assert set(svc.app.agents) == {"clean", "dedupe", "annotate"}


async def test_clean_rejects_malformed_and_forwards_good(service: tuple[Service, Recorder]) -> None:
    svc, rec = service
    await put_all(svc, "clean", [b"{oops", b"\xff\xfe", article(body="  "), article()])
    dlq = rec.of("dlq")
    assert [value["reason"] for _, value in dlq] == ["invalid_json", "not_utf8", "missing_body"]
    check = validator("dlq")
    for _, value in dlq:
        check.validate(value)
        assert value["stage"] == "parse"
        assert value["origin"]["topic"] == svc.settings.raw_topic
        assert isinstance(value["origin"]["offset"], int)
    assert dlq[0][1]["original"] == {
        "encoding": "utf-8",
        "data": "{oops",
        "bytes": 5,
        "truncated": False,
        "sha256": dlq[0][1]["original"]["sha256"],
    }
    assert dlq[1][1]["original"]["encoding"] == "base64"
    forwarded = rec.of("dedupe")
    assert len(forwarded) == 1
    key, payload = forwarded[0]
    assert key == b"a1"
    assert payload["article"]["dateline"]["location"] == "BEIJING"
    assert payload["article"]["byline"]["authors"] == ["Ryan Woo"]
    assert "Reporting by" not in payload["article"]["body"]
    assert payload["raw_origin"]["topic"] == svc.settings.raw_topic


async def test_dedupe_verdicts_redelivery_and_replay(service: tuple[Service, Recorder]) -> None:
    svc, rec = service
    await put_all(svc, "clean", [article("a1")])
    ((_, payload),) = rec.of("dedupe")
    first = orjson.dumps(payload)
    replayed = dict(payload, raw_origin=dict(payload["raw_origin"], offset=999))
    await put_all(svc, "dedupe", [first, first, orjson.dumps(replayed)])
    annotated = rec.of("annotate")
    # the first delivery and its redelivery: the same unique verdict, twice
    assert [v["verdict"]["status"] for _, v in annotated] == ["unique", "unique"]
    assert annotated[0][1]["verdict"] == annotated[1][1]["verdict"]
    # the same article published again (new offset): a duplicate of itself
    ((key, duplicate),) = rec.of("duplicates")
    assert key == b"a1"
    assert duplicate["dedupe"] == {
        "status": "duplicate",
        "duplicate_of": "a1",
        "similarity": 1.0,
        "method": "exact",
    }
    validator("duplicate").validate(duplicate)
    # the state is in the Faust tables
    assert svc.index.remembered() == 1
    assert len(svc.app.tables["dedupe-bands"]) > 0


async def test_dedupe_update_gets_next_version(service: tuple[Service, Recorder]) -> None:
    svc, rec = service
    update_body = SEED_BODY.replace(
        "Reporting by",
        "The two sides signed seven agreements on trade, energy and transport, officials in "
        "Moscow said on Thursday, and agreed to meet again in the autumn.\n\n"
        "Russian exporters welcomed the deals, which cover grain, timber and fertiliser, and "
        "said they expected payments through Chinese banks to become easier.\n\nReporting by",
    )
    await put_all(svc, "clean", [article("v1"), article("v2", body=update_body)])
    await put_all(svc, "dedupe", [orjson.dumps(v) for _, v in rec.of("dedupe")])
    verdicts = [v["verdict"] for _, v in rec.of("annotate")]
    assert [(v["status"], v["story_id"], v["version"]) for v in verdicts] == [
        ("unique", "v1", 1),
        ("update", "v1", 2),
    ]
    assert verdicts[1]["duplicate_of"] == "v1"


async def test_dedupe_bad_payload_goes_to_dlq(service: tuple[Service, Recorder]) -> None:
    svc, rec = service
    await put_all(svc, "dedupe", [b"not a payload", article("a1")])
    dlq = rec.of("dlq")
    assert [v["stage"] for _, v in dlq] == ["dedupe", "dedupe"]
    assert all(v["reason"] == "internal_error" for _, v in dlq)
    for _, value in dlq:
        validator("dlq").validate(value)
    assert dlq[0][1]["original"]["data"] == "not a payload"


async def test_annotate_publishes_valid_enriched_records(
    service: tuple[Service, Recorder],
) -> None:
    svc, rec = service
    german = (
        "BERLIN (dpa) - Der Bundestag hat am Donnerstag ein neues Gesetz zur Förderung der "
        "Windkraft beschlossen. Die Opposition kritisierte den Entwurf als unzureichend und "
        "forderte schnellere Genehmigungen für neue Anlagen im ganzen Land."
    )
    await put_all(svc, "clean", [article("en1"), article("de1", body=german)])
    await put_all(svc, "dedupe", [orjson.dumps(v) for _, v in rec.of("dedupe")])
    await put_all(svc, "annotate", [orjson.dumps(v) for _, v in rec.of("annotate")])
    enriched = {key: value for key, value in rec.of("enriched")}
    assert set(enriched) == {b"en1", b"de1"}
    for record in enriched.values():
        validator("enriched").validate(record)
    english = enriched[b"en1"]
    assert english["dateline"]["agency"] == "Reuters"
    assert english["annotation"] == {"status": "ok", "reason": None}
    assert english["provenance"]["model"] == svc.runner.model
    other = enriched[b"de1"]
    assert other["language"] == "de"
    assert other["entities"] == []
    assert other["annotation"]["status"] == "skipped"
    assert "de" in other["annotation"]["reason"]


async def test_annotate_isolates_a_failing_article(service: tuple[Service, Recorder]) -> None:
    svc, rec = service
    await put_all(svc, "clean", [article("ok1"), article("bad1", body=SEED_BODY + " poison")])
    await put_all(svc, "dedupe", [orjson.dumps(v) for _, v in rec.of("dedupe")])

    real = svc.runner.annotate

    async def flaky(items: list[Any]) -> list[Any]:
        if any("poison" in item.body for item in items):
            if len(items) > 1:
                raise RuntimeError("batch failed")
            return [Rejected("internal_error", "boom", stage="annotate", id=items[0].id)]
        return await real(items)

    svc.runner.annotate = flaky  # type: ignore[method-assign]
    await put_all(svc, "annotate", [orjson.dumps(v) for _, v in rec.of("annotate")])
    assert [key for key, _ in rec.of("enriched")] == [b"ok1"]
    ((key, dead),) = rec.of("dlq")
    assert key == b"bad1"
    assert dead["stage"] == "annotate"
    assert dead["raw_origin"]["topic"] == svc.settings.raw_topic
    validator("dlq").validate(dead)


@pytest.mark.model
async def test_process_pool_keeps_the_event_loop_free() -> None:
    """The real pool: the model loads in other processes, and while a batch is annotated the
    event loop keeps ticking (no blocking call on the loop)."""
    from newswire.core.annotate import AnnotateInput
    from newswire.nlp_pool import ProcessPoolRunner

    runner = ProcessPoolRunner("en_core_web_sm", processes=1, batch_size=8)
    try:
        items = [
            AnnotateInput(f"p{i}", "Talks", SEED_BODY.split("\n\nReporting")[0], "en")
            for i in range(24)
        ]
        ticks = 0
        max_gap = 0.0

        async def ticker() -> None:
            nonlocal ticks, max_gap
            loop = asyncio.get_running_loop()
            last = loop.time()
            while True:
                await asyncio.sleep(0.01)
                now = loop.time()
                max_gap = max(max_gap, now - last)
                last = now
                ticks += 1

        task = asyncio.create_task(ticker())
        results = await runner.annotate(items)
        task.cancel()
        assert len(results) == 24
        people = {e["text"] for e in results[0]["entities"] if e["label"] == "PERSON"}
        assert {"Mikhail Mishustin", "Xi Jinping"} <= people
        assert ticks > 5
        assert max_gap < 1.0, f"event loop blocked for {max_gap:.2f} s"
        assert runner.model.startswith("en_core_web_sm")
        assert os.getpid() != await asyncio.get_running_loop().run_in_executor(
            runner._executor,
            os.getpid,
        )
    finally:
        runner.close()
