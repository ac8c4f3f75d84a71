"""The streaming service end to end: real Kafka broker, real `newswire worker` processes.

Each test has its own topics and app id (consumer group, internal topics, tables), so tests
never see each other's records. Outputs are read from the beginning of the three output
topics (enriched, duplicates, dlq) with a group-less consumer.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator
from nw_harness import (
    Deployment,
    Message,
    Sent,
    article_message,
    collect,
    has_ids,
    newswire,
    produce,
)

from newswire.adapters.files import read_inputs
from newswire.adapters.kafka.replay import message_key
from newswire.core.records import load_schema

pytestmark = pytest.mark.integration

SEED_000 = "000_36e34dcb6d54f232"
SEED_004 = "004_e0a42d2856d57827"


def schema_errors(kind: str, record: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(load_schema(kind))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(record)
    ]


def seed_message(path: Path, partition: int | None = None) -> Message:
    """A seed file as `newswire replay` sends it (same bytes, same key)."""
    (record,) = read_inputs([path])
    return Message(record.data, message_key(record), partition)


# --------------------------------------------------------------------------- 1


def run_replay(pipeline: Deployment, path: Path) -> subprocess.CompletedProcess[str]:
    """The user's way in: `newswire replay PATH`, as a subprocess."""
    return newswire(pipeline, "replay", str(path), "--no-progress")


@pytest.mark.timeout(240)
def test_seed_end_to_end(pipeline: Deployment, start_worker, seed_paths) -> None:
    worker = start_worker(pipeline)

    # The user's way in: `newswire replay <file>`.
    replay = run_replay(pipeline, seed_paths["000"])
    assert replay.returncode == 0, replay.stderr
    assert "replayed 1 messages" in replay.stderr

    outcomes = collect(pipeline, has_ids({SEED_000}), settle=2.0, workers=[worker], what="seed 000")
    assert [(o.kind, o.key, o.id) for o in outcomes] == [("enriched", SEED_000, SEED_000)], (
        outcomes.summary()
    )
    record = outcomes[0].record
    assert schema_errors("enriched", record) == []

    assert record["dedupe"]["status"] == "unique"
    assert record["story_id"] == SEED_000
    assert record["version"] == 1
    dateline = record["dateline"]
    assert (dateline["location"], dateline["date"], dateline["agency"]) == (
        "BEIJING",
        "May 23",
        "Reuters",
    )
    assert record["byline"] == {
        "authors": ["Ryan Woo"],
        "contributors": ["Lidia Kelly", "Ethan Wang"],
        "editors": ["Michael Perry"],
    }
    body = record["body"]
    for chrome in ("Reporting by", "Our standards", "Leave a Comment"):
        assert chrome not in body
    entities = {(e["text"], e["label"]) for e in record["entities"]}
    expected = {
        ("Mikhail Mishustin", "PERSON"),
        ("Xi Jinping", "PERSON"),
        ("Vladimir Putin", "PERSON"),
        ("Interfax", "ORG"),
        ("Beijing", "GPE"),
        ("Moscow", "GPE"),
        ("Kyiv", "GPE"),
    }
    assert expected <= entities, f"missing: {expected - entities}"
    assert record["annotation"]["status"] == "ok"
    assert record["provenance"]["model"]
    assert (
        record["headline"]
        == "Russia and China set to sign bilateral pacts despite Western criticism"
    )
    assert body.startswith("Russia and China are set to sign")  # no repeated headline, no dateline
    assert record["language"] == "en"

    # SIGTERM: a clean exit, and no NLP pool process left behind.
    assert worker.alive()
    assert worker.stop() == 0, worker.log_tail()
    assert worker.leftovers == [], f"still running after the worker exited: {worker.leftovers}"


# --------------------------------------------------------------------------- 2


@pytest.mark.timeout(240)
def test_replay_again_is_duplicate(pipeline: Deployment, start_worker, seed_paths) -> None:
    worker = start_worker(pipeline)
    message = seed_message(seed_paths["000"])

    produce(pipeline, [message])
    collect(
        pipeline,
        lambda o: any(x.kind == "enriched" for x in o.for_id(SEED_000)),
        workers=[worker],
        what="the first copy to be enriched",
    )

    produce(pipeline, [message])
    outcomes = collect(
        pipeline,
        lambda o: any(x.kind == "duplicate" for x in o.for_id(SEED_000)),
        settle=3.0,  # time for a wrong second enriched record to show up
        workers=[worker],
        what="the second copy to be a duplicate",
    )
    assert sorted(o.kind for o in outcomes) == ["duplicate", "enriched"], outcomes.summary()
    (duplicate,) = outcomes.of("duplicate")
    assert duplicate.key == SEED_000
    assert duplicate.record["dedupe"]["status"] == "duplicate"
    assert duplicate.record["dedupe"]["duplicate_of"] == SEED_000
    assert duplicate.record["dedupe"]["method"] == "exact"
    assert duplicate.record["dedupe"]["similarity"] == 1.0
    assert duplicate.record["story_id"] == SEED_000
    assert schema_errors("duplicate", duplicate.record) == []
    assert worker.alive()


# --------------------------------------------------------------------------- 3


@pytest.mark.timeout(240)
def test_malformed_messages_go_to_dlq(pipeline: Deployment, start_worker, short_articles) -> None:
    worker = start_worker(pipeline)
    tag = uuid.uuid4().hex[:8]
    big = orjson.dumps({"id": f"big-{tag}", "headline": "Big", "body": "word " * 1_000_000})
    assert len(big) > 5_000_000
    # (message, expected reason, expected DLQ id)
    bad: list[tuple[bytes | None, str, str | None]] = [
        (b"{oops", "invalid_json", None),
        (b"\xff\xfe\x00bad", "not_utf8", None),
        (
            orjson.dumps({"id": f"empty-{tag}", "headline": "Empty", "body": ""}),
            "missing_body",
            f"empty-{tag}",
        ),
        (big, "too_large", None),
        (orjson.dumps({"id": f"types-{tag}", "body": 42}), "invalid_field", f"types-{tag}"),
        (orjson.dumps([{"id": "in-an-array", "body": "text"}]), "not_an_object", None),
        (b"", "invalid_json", None),  # empty value
        (None, "invalid_json", None),  # null value (a tombstone)
    ]
    good = short_articles[:2]
    try:
        sent = produce(
            pipeline,
            # A null value needs a key (Kafka's delete marker); the others have none.
            [Message(value, None if value is not None else b"tombstone") for value, _, _ in bad]
            + [article_message(a) for a in good],
        )
    except Exception as exc:  # e.g. MessageSizeTooLargeError for the 5 MB message
        pytest.fail(f"Kafka did not accept the messages (5 MB one included): {exc!r}")

    good_ids = {a["id"] for a in good}
    outcomes = collect(
        pipeline,
        lambda o: len(o.of("dlq")) >= len(bad) and good_ids <= {x.id for x in o.of("enriched")},
        settle=2.0,
        timeout=120.0,
        workers=[worker],
        what=f"{len(bad)} DLQ records and 2 enriched articles",
    )
    assert sorted(o.id for o in outcomes.of("enriched")) == sorted(good_ids), outcomes.summary()
    assert outcomes.of("duplicate") == []

    dlq = {
        (o.record["origin"]["partition"], o.record["origin"]["offset"]): o
        for o in outcomes.of("dlq")
    }
    assert len(dlq) == len(outcomes.of("dlq")) == len(bad), outcomes.summary()
    max_kept = 524_288  # settings.dlq_original_max_bytes default
    for (sent_value, reason, expected_id), where in zip(bad, sent, strict=False):
        value = sent_value or b""
        outcome = dlq.get((where.partition, where.offset))
        assert outcome is not None, f"no DLQ record for the {reason} message at {where}"
        record = outcome.record
        assert schema_errors("dlq", record) == [], reason
        assert record["reason"] == reason
        assert record["error"]
        assert record["stage"] == "parse"
        assert record["id"] == expected_id
        assert outcome.key == expected_id
        assert record["raw_origin"] is None
        origin = record["origin"]
        assert (origin["topic"], origin["partition"], origin["offset"]) == (
            pipeline.raw,
            where.partition,
            where.offset,
        )
        assert isinstance(origin["timestamp"], int) and origin["timestamp"] > 0
        original = record["original"]
        assert original["bytes"] == len(value), reason
        assert original["sha256"] == hashlib.sha256(value).hexdigest(), reason
        if original["encoding"] == "utf-8":
            data = original["data"].encode("utf-8")
        else:
            data = base64.b64decode(original["data"])
        if len(value) > max_kept:
            assert original["truncated"] is True
            assert data == value[:max_kept]
        else:
            assert original["truncated"] is False
            assert data == value, reason
    assert dlq[(sent[1].partition, sent[1].offset)].record["original"]["encoding"] == "base64"
    assert worker.alive(), worker.log_tail()


# --------------------------------------------------------------------------- 4


@pytest.mark.timeout(300)
def test_two_workers_catch_cross_partition_near_duplicates(
    make_pipeline, start_worker, seed_paths, short_articles
) -> None:
    pipeline = make_pipeline(partitions=8)
    w1 = start_worker(pipeline)
    w2 = start_worker(pipeline)
    workers = [w1, w2]

    others = short_articles[2:10]
    produce(
        pipeline,
        [seed_message(seed_paths["000"], partition=0)]
        + [article_message(a, partition=i % 8) for i, a in enumerate(others)],
    )
    # 000 first, so that 004 (sent afterwards) is the copy.
    collect(pipeline, has_ids({SEED_000}), workers=workers, what="seed 000's outcome")
    produce(pipeline, [seed_message(seed_paths["004"], partition=5)])

    ids = {SEED_000, SEED_004} | {a["id"] for a in others}
    outcomes = collect(pipeline, has_ids(ids), settle=3.0, workers=workers, what="every outcome")

    per_id = {i: [o.kind for o in outcomes.for_id(i)] for i in ids}
    assert all(len(kinds) == 1 for kinds in per_id.values()), per_id
    assert outcomes.ids() == ids, outcomes.summary()

    assert per_id[SEED_000] == ["enriched"]
    (dup,) = outcomes.for_id(SEED_004)
    assert dup.kind == "duplicate", outcomes.summary()
    assert dup.record["dedupe"]["status"] == "duplicate"
    assert dup.record["dedupe"]["duplicate_of"] == SEED_000
    assert dup.record["story_id"] == SEED_000
    assert all(per_id[a["id"]] == ["enriched"] for a in others), per_id
    assert w1.alive() and w2.alive()
    # Both took part: the raw partitions were split between them.
    assert pipeline.raw in w1.assignment() and pipeline.raw in w2.assignment(), (
        w1.assignment(),
        w2.assignment(),
    )


# --------------------------------------------------------------------------- seed stream


@pytest.mark.timeout(300)
def test_seed_stream_matches_offline_run(make_pipeline, start_worker, seed_paths) -> None:
    """The whole seed folder through `newswire replay` and a worker gives the verdicts of
    seeds/README.md and the very records `newswire process` (offline) gives.

    One raw partition: the expected verdicts assume the folder arrives in order, and with
    several partitions the clean stage may hand articles to dedupe in another order."""
    pipeline = make_pipeline(partitions=1)
    worker = start_worker(pipeline)
    seeds_dir = seed_paths["000"].parent
    replay = run_replay(pipeline, seeds_dir)
    assert replay.returncode == 0, replay.stderr
    ids = {p.stem for p in seed_paths.values()}
    outcomes = collect(pipeline, has_ids(ids), settle=2.0, workers=[worker], what="all seeds")
    assert len(outcomes) == len(ids), outcomes.summary()
    by_id = {o.id: o for o in outcomes}

    verdicts = {
        i: (o.kind, o.record["story_id"], o.record.get("version")) for i, o in by_id.items()
    }
    assert verdicts == {
        p.stem: ("enriched", p.stem, 1) for k, p in seed_paths.items() if k not in ("004", "005")
    } | {
        SEED_004: ("duplicate", SEED_000, None),
        seed_paths["005"].stem: ("enriched", seed_paths["001"].stem, 2),
    }
    assert by_id[SEED_004].record["dedupe"]["duplicate_of"] == SEED_000
    assert by_id[seed_paths["005"].stem].record["dedupe"]["status"] == "update"
    assert by_id[seed_paths["007"].stem].record["language"] == "es"
    for o in outcomes:
        assert schema_errors(o.kind, o.record) == [], o.id

    offline = newswire(pipeline, "process", str(seeds_dir), "--out", "offline", timeout=180)
    assert offline.returncode == 0, offline.stderr
    expected = {}
    for name in ("enriched", "duplicates"):
        for line in (pipeline.tmp / "offline" / f"{name}.jsonl").read_bytes().splitlines():
            record = orjson.loads(line)
            expected[record["id"]] = record
    for record in [*expected.values(), *(o.record for o in outcomes)]:
        del record["provenance"]["processed_at"]
    assert {o.id: o.record for o in outcomes} == expected
    assert worker.alive()


# --------------------------------------------------------------------------- 5


@pytest.mark.timeout(420)
def test_sigkill_mid_stream_loses_nothing(make_pipeline, start_worker, short_articles) -> None:
    pipeline = make_pipeline(partitions=4)
    articles = short_articles[:60]
    assert len(articles) == 60
    ids = {a["id"] for a in articles}

    first = start_worker(pipeline, name="first")

    sent: list[Sent] = []
    errors: list[BaseException] = []

    def send_all() -> None:
        try:
            sent.extend(produce(pipeline, [article_message(a) for a in articles], rate=12.0))
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    producer = threading.Thread(target=send_all, name="producer", daemon=True)
    producer.start()
    before = collect(
        pipeline, lambda o: len(o.ids()) >= 10, timeout=120.0, workers=[first], what="10 outcomes"
    )
    pool = first.group_members()
    first.kill()  # SIGKILL to the whole process group: worker and NLP pool process
    killed_at = len(before.ids())
    assert first.group_members() == []
    assert len(pool) >= 2, f"expected the worker and its NLP pool process, found {pool}"

    producer.join(timeout=60)
    assert not producer.is_alive() and not errors, errors
    assert len(sent) == len(articles)
    assert killed_at < len(ids), "everything was done before the kill; nothing was tested"

    second = start_worker(pipeline, name="second", data_dir=first.data_dir)
    outcomes = collect(
        pipeline, has_ids(ids), timeout=180.0, settle=2.0, workers=[second], what="every article"
    )

    kinds = outcomes.kinds_by_id()
    assert set(kinds) == ids, f"outcomes for unknown ids: {set(kinds) - ids}"
    mixed = {i: k for i, k in kinds.items() if len(k) > 1}
    assert not mixed, f"ids with more than one kind of outcome: {mixed}"
    # All 60 are distinct articles: each must be enriched, never judged a duplicate of itself.
    not_enriched = {i: k for i, k in kinds.items() if k != {"enriched"}}
    assert not not_enriched, f"{not_enriched}\n{outcomes.summary()}"
    assert second.alive()
    redelivered = len(outcomes) - len(ids)
    print(f"killed after {killed_at} of {len(ids)} outcomes; {redelivered} redelivered outcomes")
