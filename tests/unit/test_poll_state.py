"""The poller's memory (adapters/feeds/state.py): what a state record means, and retention."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest

from newswire.adapters.feeds.http import refuse_private
from newswire.adapters.feeds.state import DAY, Memory, Validators, topic_config


def record(at: str | None) -> bytes:
    return orjson.dumps({"kind": "item", "feed": "u", "guid": "g", "at": at})


def test_records_rebuild_items_with_their_time_and_validators() -> None:
    memory = Memory()
    memory.apply("feed-a", record("2026-11-01T10:00:00+00:00"))
    memory.apply("feed:https://x.example/rss", orjson.dumps({"etag": '"1"', "at": "…"}))
    assert memory.items == {"feed-a": 1_793_527_200.0}
    assert memory.validators == {"https://x.example/rss": Validators('"1"', None)}
    memory.apply("feed-a", None)  # a tombstone forgets
    memory.apply("feed:https://x.example/rss", None)
    assert memory.items == {} and memory.validators == {}


def test_a_record_without_a_readable_time_counts_as_new() -> None:
    memory = Memory()
    before = time.time()
    memory.apply("feed-a", record("yesterday"))
    memory.apply("feed-b", b"not json")
    assert memory.items["feed-a"] >= before and memory.items["feed-b"] >= before


def test_known_items_are_not_claimed_and_claims_are_exclusive() -> None:
    memory = Memory()
    memory.recorded(["feed-a"], 1_000.0)
    assert not memory.claim("feed-a")
    assert memory.claim("feed-b")
    assert not memory.claim("feed-b")  # another feed carrying it, meanwhile


def test_stale_items_are_recorded_again_and_old_ones_forgotten() -> None:
    memory = Memory()
    now = 100 * DAY
    memory.recorded(["old"], now - 20 * DAY)
    memory.recorded(["recent"], now - 1 * DAY)
    half = now - 15 * DAY  # half a 30-day retention
    assert memory.stale("old", half) and not memory.stale("recent", half)
    assert not memory.stale("unknown", half)
    memory.recorded(["old"], now)
    assert not memory.stale("old", half)
    memory.recorded(["gone"], now - 31 * DAY)
    assert memory.forget_before(now - 30 * DAY) == 1
    assert set(memory.items) == {"old", "recent"}


def test_the_topic_is_compacted_and_deletes_after_the_retention() -> None:
    assert topic_config(30) == {"cleanup.policy": "compact,delete", "retention.ms": "2592000000"}
    assert topic_config(1.5)["retention.ms"] == "129600000"


# ---------------------------------------------------------------- public hosts only (http.py)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://127.0.0.1:8080/page", True),
        ("http://localhost/page", True),
        ("http://10.1.2.3/page", True),
        ("http://192.168.0.10/page", True),
        ("http://169.254.169.254/latest/meta-data/", True),  # cloud metadata service
        ("http://[::1]/page", True),
        ("http://[fd00::1]/page", True),
        ("http://0.0.0.0/page", True),
        ("http://224.0.0.1/page", True),
        ("http://host.invalid/page", True),  # does not resolve: nothing to fetch either way
        ("https://93.184.215.14/page", False),
        ("https://[2606:4700::6810:84e5]/page", False),
    ],
)
def test_pages_of_public_feeds_must_be_on_public_hosts(url: str, refused: bool) -> None:
    result = asyncio.run(refuse_private(url))
    if refused:
        assert result is not None and result.reason == "private_address", url
    else:
        assert result is None, url
