"""Agency formats on the real broker: `newswire replay` over a folder of NewsML-G2, NITF and
ninjs files (read by content), a real worker judging declared versions as facts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nw_harness import Deployment, collect, newswire

from newswire.adapters.files import read_inputs
from newswire.adapters.kafka.replay import message_key

pytestmark = pytest.mark.integration

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


@pytest.mark.timeout(300)
def test_agency_files_replayed_end_to_end(pipeline: Deployment, start_worker, tmp_path) -> None:
    """G2 version 1, a two-item newsMessage, NITF, ninjs 2.x, version 2 of the G2 story (its
    text rewritten), a picture item and an entity bomb: every article has one outcome, the
    version 2 is an update (version 2) of version 1's story, the bad ones are in the DLQ with
    their reasons."""
    drop = tmp_path / "drop"
    drop.mkdir()
    names = [
        "g2-story-v1.xml",
        "g2-message-two-items.xml",
        "nitf-3-5.xml",
        "ninjs-2.json",
        "g2-story-v2.xml",
        "g2-picture.xml",
        "billion-laughs.xml",
    ]
    for number, name in enumerate(names):
        # new names that keep the order and hide the format: the reader goes by content
        shutil.copy(FORMATS / name, drop / f"{number:02d}.xml")
    expected = {key.decode() for r in read_inputs([drop]) if (key := message_key(r))}
    worker = start_worker(pipeline)
    replay = newswire(pipeline, "replay", str(drop), "--no-progress")
    assert replay.returncode == 0, replay.stderr
    assert "replayed 8 messages" in replay.stderr  # 7 files, the newsMessage holds two items

    def complete(records) -> bool:
        return len(records) >= 8

    outcomes = collect(pipeline, complete, settle=2.0, workers=[worker], what="agency files")
    assert len(outcomes) == 8, outcomes.summary()
    guid = "urn:newsml:wire.example.com:20240902:BRIDGE"
    story = {
        o.record["metadata"]["agency_version"]: o.record
        for o in outcomes.of("enriched")
        if o.record["metadata"].get("agency_guid") == guid
    }
    assert set(story) == {"1", "2"}
    v1, v2 = story["1"], story["2"]
    assert (v1["dedupe"]["status"], v1["version"]) == ("unique", 1)
    assert (v2["dedupe"]["status"], v2["story_id"], v2["version"]) == ("update", v1["id"], 2)
    assert v2["dedupe"]["method"] == "agency"
    formats = sorted(o.record["metadata"]["format"] for o in outcomes.of("enriched"))
    assert formats == ["newsml-g2"] * 4 + ["ninjs", "nitf"]
    assert {o.key for o in outcomes.of("enriched")} <= expected
    reasons = sorted(o.record["reason"] for o in outcomes.of("dlq"))
    assert reasons == ["missing_body", "xml_entities"]
