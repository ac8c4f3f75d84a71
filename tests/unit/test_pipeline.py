"""pipeline: every input has exactly one outcome; a crashing stage is a rejection, not a crash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from newswire.adapters.kafka.replay import message_key
from newswire.core.annotate import AnnotateInput, Annotator
from newswire.core.clean import Cleaner
from newswire.core.dedupe import DedupeIndex
from newswire.core.dedupe_store import MemoryStore
from newswire.core.gazetteer import Gazetteer
from newswire.core.pipeline import InputRecord, Pipeline
from newswire.core.records import (
    CleanArticle,
    Rejected,
    Verdict,
    duplicate_record,
    enriched_record,
    load_schema,
    rejected_record,
)
from newswire.core.serde import clean_from_dict, clean_to_dict, dumps, loads, verdict_from_dict
from newswire.core.stages import annotate, annotate_input, internal_error, prepare, utc_now

BODY_A = (
    "The central bank raised interest rates by a quarter point on Tuesday, its third increase "
    "this year, and said further rises were likely if inflation stayed above its target.\n\n"
    "Governor Ana Silva told reporters in Lisbon that wage growth was still too strong and that "
    "the bank would watch services prices closely over the coming months."
)
BODY_B = (
    "Heavy rain flooded parts of the capital on Wednesday, closing schools and cutting power to "
    "about 40,000 homes, the city's emergency service said.\n\n"
    "Forecasters expect the storms to move north by Friday, bringing strong winds to the coast "
    "and more than 100 millimetres of rain in some mountain areas."
)


def message(**fields: Any) -> bytes:
    return orjson.dumps(fields)


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(
        load_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@pytest.fixture()
def pipeline(cleaner: Cleaner, blank_nlp) -> Pipeline:
    return Pipeline(
        cleaner,
        DedupeIndex(MemoryStore.create()),
        Annotator(blank_nlp, Gazetteer({})),
        max_bytes=100_000,
        batch_size=2,
    )


def test_each_input_has_exactly_one_outcome(pipeline: Pipeline) -> None:
    inputs = [
        InputRecord("f:1", message(id="a", headline="Rates rise", body=BODY_A, language="en")),
        InputRecord("f:2", b"not json"),
        InputRecord("f:3", message(id="b", headline="Floods", body=BODY_B)),
        InputRecord("f:4", message(id="a-copy", headline="Rates rise", body=BODY_A)),
        InputRecord("f:5", message(id="c", body="")),
        InputRecord("f:6", message(id="d", body="Share this article\n\nAdvertisement")),
        InputRecord("f:7", message(id="e", body=BODY_B, content_type="application/pdf")),
    ]
    outcomes = list(pipeline.run(inputs))
    assert len(outcomes) == len(inputs)
    by_key = {(o.kind, o.key) for o in outcomes}
    assert ("enriched", "a") in by_key
    assert ("enriched", "b") in by_key
    assert ("duplicate", "a-copy") in by_key
    rejected = {o.record["origin"]["source"]: o.record for o in outcomes if o.kind == "rejected"}
    assert {k: r["reason"] for k, r in rejected.items()} == {
        "f:2": "invalid_json",
        "f:5": "missing_body",
        "f:6": "empty_after_cleaning",
        "f:7": "unsupported_content_type",
    }
    assert rejected["f:6"]["stage"] == "clean"
    for outcome in outcomes:
        validator(outcome.kind).validate(outcome.record)


def test_records(pipeline: Pipeline) -> None:
    inputs = [
        InputRecord("f:1", message(id="a", headline="Rates rise", body=BODY_A, source="Wire", x=1)),
        InputRecord("f:2", message(id="a2", headline="Rates rise", body=BODY_A)),
    ]
    enriched, duplicate = sorted(pipeline.run(inputs), key=lambda o: o.kind != "enriched")
    record = enriched.record
    assert record["kind"] == "enriched"
    assert (record["id"], record["story_id"], record["version"]) == ("a", "a", 1)
    assert record["source"] == "Wire"
    assert record["metadata"] == {"x": 1}
    assert record["body"] == BODY_A
    assert record["dedupe"] == {
        "status": "unique",
        "duplicate_of": None,
        "similarity": None,
        "method": None,
        "late": False,  # the offline run judges in input order: never late
    }
    assert record["annotation"]["status"] == "ok"
    datetime.fromisoformat(record["provenance"]["processed_at"].replace("Z", "+00:00"))
    assert duplicate.record["kind"] == "duplicate"
    assert duplicate.record["dedupe"]["duplicate_of"] == "a"
    assert duplicate.record["story_id"] == "a"


def test_a_crashing_clean_stage_is_an_internal_error(blank_nlp) -> None:
    class BrokenCleaner(Cleaner):
        def clean(self, raw):
            raise ValueError("boom")

    result = prepare(message(id="a", body=BODY_A), BrokenCleaner(), max_bytes=100_000)
    assert isinstance(result, Rejected)
    assert (result.reason, result.stage, result.id) == ("internal_error", "clean", "a")
    assert "ValueError: boom" in result.error


def test_a_crashing_dedupe_stage_is_an_internal_error(cleaner: Cleaner, blank_nlp) -> None:
    class BrokenIndex:
        def judge(self, *args: Any, **kwargs: Any) -> Verdict:
            raise RuntimeError("store down")

    pipeline = Pipeline(
        cleaner,
        BrokenIndex(),
        Annotator(blank_nlp, Gazetteer({})),
        max_bytes=100_000,
    )
    (outcome,) = pipeline.run([InputRecord("f:1", message(id="a", body=BODY_A))])
    assert outcome.kind == "rejected"
    assert outcome.record["reason"] == "internal_error"
    assert outcome.record["stage"] == "dedupe"
    assert outcome.record["id"] == "a"
    validator("rejected").validate(outcome.record)


class PickyAnnotator:
    """Fails any batch holding an item whose body mentions 'poison'."""

    model = "test-model"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def annotate(self, items: list[AnnotateInput]) -> list[dict[str, Any]]:
        self.calls.append([i.id for i in items])
        if any("poison" in i.body for i in items):
            raise RuntimeError("model crashed")
        return [
            {
                "entities": [],
                "quotes": [],
                "keywords": [],
                "status": {"status": "ok", "reason": None},
            }
            for _ in items
        ]


def test_a_failing_batch_is_retried_item_by_item() -> None:
    annotator = PickyAnnotator()
    items = [
        AnnotateInput(i, "", body, "en")
        for i, body in (("a", "fine"), ("b", "poison"), ("c", "ok"))
    ]
    results = annotate(annotator, items)
    assert annotator.calls == [["a", "b", "c"], ["a"], ["b"], ["c"]]
    assert isinstance(results[1], Rejected)
    assert (results[1].reason, results[1].stage, results[1].id) == (
        "internal_error",
        "annotate",
        "b",
    )
    assert results[0]["status"]["status"] == "ok"
    assert results[2]["status"]["status"] == "ok"


def test_pipeline_rejects_only_the_item_the_annotator_fails_on(cleaner: Cleaner) -> None:
    pipeline = Pipeline(
        cleaner,
        DedupeIndex(MemoryStore.create()),
        PickyAnnotator(),
        max_bytes=100_000,
        batch_size=8,
    )
    inputs = [
        InputRecord("f:1", message(id="a", body=BODY_A)),
        InputRecord("f:2", message(id="b", body=BODY_B + "\n\nThe poison was found in a well.")),
    ]
    outcomes = {o.key: o for o in pipeline.run(inputs)}
    assert outcomes["a"].kind == "enriched"
    assert outcomes["b"].kind == "rejected"
    assert outcomes["b"].record["stage"] == "annotate"
    validator("rejected").validate(outcomes["b"].record)


def test_internal_error_names_the_place() -> None:
    try:
        raise KeyError("body")
    except KeyError as exc:
        rejected = internal_error("parse", exc, "x")
    assert rejected.reason == "internal_error"
    assert rejected.stage == "parse"
    assert rejected.error.startswith("KeyError: 'body' at test_pipeline.py:")


def test_utc_now_is_an_rfc3339_timestamp() -> None:
    stamp = utc_now()
    assert stamp.endswith("Z")
    assert datetime.fromisoformat(stamp.replace("Z", "+00:00")).utcoffset().total_seconds() == 0


# ---------------------------------------------------------------- records and serde


@pytest.mark.parametrize(
    "reason",
    [
        "invalid_json",
        "not_utf8",
        "not_an_object",
        "invalid_field",
        "missing_body",
        "empty_after_cleaning",
        "too_large",
        "unsupported_content_type",
        "internal_error",
    ],
)
def test_rejected_records_validate(reason: str) -> None:
    record = rejected_record(
        Rejected(reason, "why"), processed_at=utc_now(), origin={"source": "f:1"}
    )
    validator("rejected").validate(record)


def test_enriched_and_duplicate_records_of_seeds_validate(clean_seeds) -> None:
    annotation = {
        "entities": [],
        "quotes": [],
        "keywords": [],
        "status": {"status": "ok", "reason": None},
    }
    for article in clean_seeds.values():
        verdict = Verdict("unique", article.id, 1)
        validator("enriched").validate(
            enriched_record(article, verdict, annotation, model=None, processed_at=utc_now())
        )
        dup = Verdict("duplicate", "s", 1, "s", 0.95, "minhash")
        validator("duplicate").validate(duplicate_record(article, dup, processed_at=utc_now()))


def test_annotate_input_carries_byline_and_dateline(clean_seeds, gazetteer, seeds) -> None:
    item = annotate_input(clean_seeds["000"])
    assert item.id == seeds.id("000")
    assert item.language == "en"
    assert set(item.byline_names) == {"Ryan Woo", "Lidia Kelly", "Ethan Wang", "Michael Perry"}
    located = Cleaner(place_country=gazetteer.country_code).clean(seeds.raw("003"))
    assert isinstance(located, CleanArticle)
    assert annotate_input(located).dateline_country == "KE"


def test_clean_article_round_trips_through_serde(clean_seeds) -> None:
    """Everything survives the trip between stages except the raw body, which is left out."""
    from dataclasses import replace

    for article in clean_seeds.values():
        back = clean_from_dict(loads(dumps(clean_to_dict(article))))
        assert back == replace(article, raw=replace(article.raw, body=""))
        assert back.body == article.body


def test_verdict_round_trips_through_serde() -> None:
    verdict = Verdict("update", "s", 2, "s", 0.73, "minhash")
    assert verdict_from_dict(loads(dumps(verdict))) == verdict


@pytest.mark.parametrize(
    "data",
    [
        message(id="a1", headline="Rates rise", body=BODY_A),
        message(headline="Rates rise", body=BODY_A),  # no id: the derived one
        message(id="x" * 300, headline="Rates rise", body=BODY_A),  # too long: rejected
        message(id=12345, headline="Rates rise", body=BODY_A),  # not a string: rejected
        message(id="", headline="Rates rise", body=BODY_A),
        b"not json",
        b"[1, 2]",
    ],
)
def test_replay_keys_a_message_by_the_id_its_outcome_carries(
    pipeline: Pipeline, data: bytes
) -> None:
    """One id rule: `newswire replay` keys a raw message with the id the pipeline gives its
    outcome (they disagreed on ids over 256 characters and ids that are not strings)."""
    (outcome,) = pipeline.run([InputRecord("f:1", data)])
    expected = outcome.record.get("id")
    assert message_key(InputRecord("f:1", data)) == (expected.encode() if expected else None)


def test_stage_records_from_a_newer_worker_are_read(clean_seeds) -> None:
    """A rolling upgrade: a newer worker's stage record has fields this version does not know."""
    data = loads(dumps(clean_to_dict(clean_seeds["000"])))
    data["dateline"]["date_confidence"] = 0.9
    data["raw"]["agency_format"] = "ninjs"
    back = clean_from_dict(data)
    assert (
        back.dateline is not None and back.dateline.date_iso == clean_seeds["000"].dateline.date_iso
    )
    verdict = verdict_from_dict({"status": "unique", "story_id": "a", "version": 1, "new": True})
    assert verdict.story_id == "a"


def test_declared_agency_versions_decide_through_the_pipeline(pipeline: Pipeline) -> None:
    """guid + version in `metadata` (as the format readers write them) reach the dedupe
    stage: version 2 of a guid is an update of version 1's story though its text is another
    story's; a resent version 2 is a duplicate; the records validate."""
    guid = {"agency_guid": "urn:newsml:example.com:20261127:rates"}
    inputs = [
        InputRecord("f:1", message(id="v1", body=BODY_A, metadata={**guid, "agency_version": 1})),
        InputRecord("f:2", message(id="v2", body=BODY_B, metadata={**guid, "agency_version": "2"})),
        InputRecord("f:3", message(id="v2", body=BODY_B, metadata={**guid, "agency_version": 2})),
    ]
    outcomes = list(pipeline.run(inputs))
    assert [(o.kind, o.key) for o in outcomes] == [
        ("enriched", "v1"),
        ("enriched", "v2"),
        ("duplicate", "v2"),
    ]
    update = outcomes[1].record
    assert (update["story_id"], update["version"]) == ("v1", 2)
    assert update["dedupe"]["status"] == "update"
    assert update["dedupe"]["method"] == "agency"
    assert update["metadata"] == {**guid, "agency_version": "2"}
    assert outcomes[2].record["dedupe"]["method"] == "agency"
    for outcome in outcomes:
        validator(outcome.kind).validate(outcome.record)
