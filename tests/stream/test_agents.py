"""The Faust agents, in process: Faust's agent test context, memory tables, no broker."""

from __future__ import annotations

from typing import Any

import orjson
from streamkit import SEED_BODY, Recorder, article, make_service, put_all, validator

from newswire.adapters.processes.pool import InlineRunner
from newswire.adapters.stream.agents import ANNOTATE_BATCH_BYTES
from newswire.adapters.stream.app import create_app
from newswire.adapters.stream.service import Service
from newswire.bootstrap import build_annotator
from newswire.core.clean import Cleaner
from newswire.settings import Settings


def test_topology(blank_nlp: Any) -> None:
    settings = Settings(store="memory", app_id="topo", partitions=6, nlp_processes=0)
    runner = InlineRunner(Cleaner(), build_annotator(settings, blank_nlp), max_bytes=1_000_000)
    svc = create_app(settings, runner=runner)
    assert svc.topics.raw.partitions == 6
    assert svc.topics.annotate.partitions == 6
    assert svc.topics.dedupe.partitions == 1  # every near-duplicate meets its candidates
    assert svc.topics.raw.get_topic_name() == "newswire.raw"
    assert svc.topics.dedupe.get_topic_name() == "topo.dedupe"
    tables = svc.app.tables
    assert {t.partitions for t in tables.values()} == {1}
    assert set(tables) == {
        "dedupe-entries",
        "dedupe-bands",
        "dedupe-stories",
        "dedupe-answered",
        "dedupe-order",
        "dedupe-agency",
    }
    assert set(svc.app.agents) == {"clean", "dedupe", "annotate"}


async def test_clean_rejects_malformed_and_forwards_good(service: tuple[Service, Recorder]) -> None:
    svc, rec = service
    await put_all(
        svc,
        "clean",
        [b"{oops", b"\xff\xfe", article(body="  "), article()],
        until=lambda: len(rec.sent) == 4,
    )
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
    await put_all(svc, "clean", [article("a1")], until=lambda: len(rec.sent) == 1)
    ((_, payload),) = rec.of("dedupe")
    first = orjson.dumps(payload)
    replayed = dict(payload, raw_origin=dict(payload["raw_origin"], offset=999))
    await put_all(
        svc, "dedupe", [first, first, orjson.dumps(replayed)], until=lambda: len(rec.sent) == 3
    )
    annotated = rec.of("annotate")
    # the first delivery is answered; its redelivery (read again after a rebalance) is not
    # answered twice: its outcome is on its way already
    assert [v["verdict"]["status"] for _, v in annotated] == ["unique"]
    assert [name for name, _, _ in rec.sent].count("annotate") == 1
    # a redelivery whose answer was never recorded (a crash between send and record) gets the
    # verdict it got the first time
    svc.app.tables["dedupe-answered"].data.clear()  # (the table's store, not its changelog)
    await put_all(svc, "dedupe", [first], until=lambda: len(rec.of("annotate")) == 2)
    assert rec.of("annotate")[1][1]["verdict"] == annotated[0][1]["verdict"]
    # the same article published again (new offset): a duplicate of itself
    ((key, duplicate),) = rec.of("duplicates")
    assert key == b"a1"
    assert duplicate["dedupe"] == {
        "status": "duplicate",
        "duplicate_of": "a1",
        "similarity": 1.0,
        "method": "exact",
        "late": False,
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
    await put_all(
        svc,
        "clean",
        [article("v1"), article("v2", body=update_body)],
        until=lambda: len(rec.sent) == 2,
    )
    await put_all(
        svc,
        "dedupe",
        [orjson.dumps(v) for _, v in rec.of("dedupe")],
        until=lambda: len(rec.of("annotate")) == 2,
    )
    verdicts = [v["verdict"] for _, v in rec.of("annotate")]
    assert [(v["status"], v["story_id"], v["version"]) for v in verdicts] == [
        ("unique", "v1", 1),
        ("update", "v1", 2),
    ]
    assert verdicts[1]["duplicate_of"] == "v1"


async def test_dedupe_bad_payload_goes_to_dlq(service: tuple[Service, Recorder]) -> None:
    svc, rec = service
    await put_all(
        svc, "dedupe", [b"not a payload", article("a1")], until=lambda: len(rec.sent) == 2
    )
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
    await put_all(
        svc,
        "clean",
        [article("en1"), article("de1", body=german)],
        until=lambda: len(rec.sent) == 2,
    )
    await put_all(
        svc,
        "dedupe",
        [orjson.dumps(v) for _, v in rec.of("dedupe")],
        until=lambda: len(rec.of("annotate")) == 2,
    )
    await put_all(
        svc,
        "annotate",
        [orjson.dumps(v) for _, v in rec.of("annotate")],
        until=lambda: len(rec.of("enriched")) == 2,
    )
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
    await put_all(
        svc,
        "clean",
        [article("ok1"), article("bad1", body=SEED_BODY + " poison")],
        until=lambda: len(rec.sent) == 2,
    )
    await put_all(
        svc,
        "dedupe",
        [orjson.dumps(v) for _, v in rec.of("dedupe")],
        until=lambda: len(rec.of("annotate")) == 2,
    )

    annotator = svc.runner._annotator  # type: ignore[attr-defined]
    real = annotator.annotate

    def poisoned(items: list[Any]) -> list[Any]:
        if any("poison" in item.body for item in items):
            raise RuntimeError("model failed")
        return real(items)

    annotator.annotate = poisoned  # the batch fails; one by one, only bad1 does
    await put_all(
        svc,
        "annotate",
        [orjson.dumps(v) for _, v in rec.of("annotate")],
        until=lambda: len(rec.of("enriched")) + len(rec.of("dlq")) == 2,
    )
    assert [key for key, _ in rec.of("enriched")] == [b"ok1"]
    ((key, dead),) = rec.of("dlq")
    assert key == b"bad1"
    assert dead["stage"] == "annotate"
    assert dead["raw_origin"]["topic"] == svc.settings.raw_topic
    validator("dlq").validate(dead)


async def test_a_long_article_is_annotated_alone_not_with_the_short_ones(
    blank_nlp: Any,
) -> None:
    svc, rec = make_service(blank_nlp, nlp_inflight_batches=4, nlp_batch_timeout=0.2)
    long_body = " ".join([SEED_BODY] * (ANNOTATE_BATCH_BYTES // len(SEED_BODY) + 2))
    names = ["s1", "s2", "long", "s3", "s4"]
    bodies = {"long": long_body}
    await put_all(
        svc,
        "clean",
        [article(n, body=bodies.get(n, SEED_BODY.replace("Russia", n))) for n in names],
        until=lambda: len(rec.of("dedupe")) == 5,
    )
    await put_all(
        svc,
        "dedupe",
        [orjson.dumps(v) for _, v in rec.of("dedupe")],
        until=lambda: len(rec.of("annotate")) + len(rec.of("duplicates")) == 5,
    )
    annotator = svc.runner._annotator  # type: ignore[attr-defined]
    real = annotator.annotate
    batches: list[list[str]] = []

    def recording(items: list[Any]) -> list[Any]:
        batches.append([item.id for item in items])
        return real(items)

    annotator.annotate = recording
    staged = [orjson.dumps(v) for _, v in rec.of("annotate")]
    await put_all(svc, "annotate", staged, until=lambda: len(rec.of("enriched")) == len(staged))
    assert ["long"] in batches
    assert all(len(batch) == 1 for batch in batches if "long" in batch)
    assert sum(len(batch) for batch in batches) == len(staged)
