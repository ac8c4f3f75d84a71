"""Agency versions in dedupe: a declared guid + version decides over text similarity."""

from __future__ import annotations

import pytest

from newswire.core.dedupe import DedupeIndex
from newswire.core.dedupe_agency import AgencyIdentity, AgencyRecord, agency_identity
from newswire.core.dedupe_store import MemoryStore

T0 = 1_700_000_000.0
GUID = "urn:newsml:example.com:20261127:fed-rates"

FIRST = (
    "The Federal Reserve held interest rates steady on Wednesday, saying inflation had eased "
    "but remained above its target, and signalled that cuts could come later in the year if "
    "the labour market continued to cool. Markets had widely expected the decision."
)
# Version 2 of the story: rewritten from scratch (nothing in common with FIRST's wording).
REWRITE = (
    "Stocks jumped to record highs after the central bank chair told reporters that two "
    "reductions in borrowing costs were likely before December. Treasury yields fell sharply, "
    "the dollar weakened against the euro and the yen, and gold climbed to a new peak."
)
THIRD = (
    "Analysts at several banks moved forward their forecasts for the first cut to September, "
    "while a minority of policymakers dissented, according to projections published with the "
    "statement. Mortgage lenders said rates for home buyers would take months to follow."
)


def index() -> DedupeIndex:
    return DedupeIndex(MemoryStore.create(), clock=lambda: T0)


def v(number: int) -> AgencyIdentity:
    return AgencyIdentity(GUID, number)


def test_a_higher_version_is_an_update_whatever_the_text() -> None:
    idx = index()
    first = idx.judge("g2-a-v1", FIRST, "raw/0/1", agency=v(1))
    assert (first.status, first.story_id, first.version) == ("unique", "g2-a-v1", 1)
    second = idx.judge("g2-a-v2", REWRITE, "raw/0/2", agency=v(2))
    assert second.status == "update"
    assert (second.story_id, second.version, second.duplicate_of) == ("g2-a-v1", 2, "g2-a-v1")
    assert second.method == "agency"
    assert second.similarity is not None and second.similarity < 0.2  # the text alone: unique
    # without the identity the same texts are two stories
    plain = index()
    plain.judge("a", FIRST, "raw/0/1")
    assert plain.judge("b", REWRITE, "raw/0/2").status == "unique"


def test_a_resent_version_is_a_duplicate_of_the_article_that_carried_it() -> None:
    idx = index()
    idx.judge("g2-a-v1", FIRST, "raw/0/1", agency=v(1))
    again = idx.judge("g2-a-v1", FIRST, "raw/1/7", agency=v(1))
    assert (again.status, again.duplicate_of, again.method) == ("duplicate", "g2-a-v1", "agency")
    assert again.similarity == 1.0
    # the same version under changed text is still the version the agency says it is
    edited = idx.judge("g2-a-v1-resend", THIRD, "raw/1/8", agency=v(1))
    assert (edited.status, edited.duplicate_of, edited.method) == (
        "duplicate",
        "g2-a-v1",
        "agency",
    )


def test_an_older_version_after_a_newer_one_is_superseded() -> None:
    idx = index()
    idx.judge("g2-a-v1", FIRST, "raw/0/1", agency=v(1))
    idx.judge("g2-a-v3", THIRD, "raw/0/2", agency=v(3))
    late = idx.judge("g2-a-v2", REWRITE, "raw/0/3", agency=v(2))
    assert (late.status, late.method, late.duplicate_of) == ("duplicate", "superseded", "g2-a-v3")
    assert (late.story_id, late.version) == ("g2-a-v1", 3)


def test_versions_count_on_from_the_story_and_skip_as_the_agency_says() -> None:
    idx = index()
    idx.judge("g2-a-v1", FIRST, "raw/0/1", agency=v(1))
    jump = idx.judge("g2-a-v5", REWRITE, "raw/0/2", agency=v(5))
    assert (jump.status, jump.version) == ("update", 5)
    nxt = idx.judge("g2-a-v6", THIRD, "raw/0/3", agency=v(6))
    assert (nxt.status, nxt.version, nxt.duplicate_of) == ("update", 6, "g2-a-v5")
    assert idx.store.stories["g2-a-v1"] == 6


def test_a_redelivered_input_gets_its_first_verdict_and_changes_nothing() -> None:
    idx = index()
    idx.judge("g2-a-v1", FIRST, "raw/0/1", agency=v(1))
    first = idx.judge("g2-a-v2", REWRITE, "raw/0/2", agency=v(2))
    state = {name: dict(getattr(idx.store, name)) for name in ("entries", "bands", "agency")}
    stories = dict(idx.store.stories)
    again = idx.judge("g2-a-v2", REWRITE, "raw/0/2", agency=v(2))
    assert again == first
    assert {name: dict(getattr(idx.store, name)) for name in state} == state
    assert dict(idx.store.stories) == stories


def test_a_new_guid_is_judged_on_its_text_and_then_owns_that_story() -> None:
    idx = index()
    idx.judge("plain-copy", FIRST, "raw/0/1")  # the same story, sent earlier without a guid
    first = idx.judge("g2-a-v1", FIRST, "raw/0/2", agency=v(1))
    assert (first.status, first.duplicate_of, first.method) == ("duplicate", "plain-copy", "exact")
    second = idx.judge("g2-a-v2", REWRITE, "raw/0/3", agency=v(2))
    assert (second.status, second.story_id, second.version) == ("update", "plain-copy", 2)
    assert second.duplicate_of == "plain-copy"  # the article that stands for version 1


def test_agency_records_expire_with_the_window() -> None:
    now = [T0]
    idx = DedupeIndex(MemoryStore.create(), window_seconds=3600, clock=lambda: now[0])
    idx.judge("g2-a-v1", FIRST, "raw/0/1", agency=v(1))
    assert len(idx.store.agency) == 1
    now[0] = T0 + 7200
    assert idx.judge("g2-a-v2", REWRITE, "raw/0/2", agency=v(2)).status == "unique"
    now[0] = T0 + 3 * 7200
    idx.expire()
    assert idx.store.agency == {}


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"agency_guid": GUID, "agency_version": "2"}, AgencyIdentity(GUID, 2)),
        ({"agency_guid": f" {GUID} ", "agency_version": 7}, AgencyIdentity(GUID, 7)),
        ({"agency_guid": GUID}, None),
        ({"agency_version": "1"}, None),
        ({"agency_guid": GUID, "agency_version": "1.2"}, None),
        ({"agency_guid": GUID, "agency_version": True}, None),
        ({"agency_guid": GUID, "agency_version": "-1"}, None),
        ({"agency_guid": GUID, "agency_version": "٣"}, None),  # a non-ASCII digit
        ({"agency_guid": "", "agency_version": "1"}, None),
        ({"agency_guid": "x" * 2000, "agency_version": "1"}, None),
        ({"agency_guid": ["a"], "agency_version": "1"}, None),
    ],
)
def test_identity_from_metadata(metadata: dict[str, object], expected: object) -> None:
    assert agency_identity(metadata) == expected


def test_a_guid_keeps_its_latest_versions_only() -> None:
    idx = index()
    texts = [FIRST, REWRITE, THIRD]
    for number in range(1, 201):
        verdict = idx.judge(
            f"g2-a-v{number}", texts[number % 3], f"raw/0/{number}", agency=v(number)
        )
        assert verdict.status == ("unique" if number == 1 else "update"), number
    [packed] = idx.store.agency.values()
    record = AgencyRecord.unpack(packed)
    assert sorted(record.versions) == list(range(137, 201))
    assert record.story_id == "g2-a-v1"
    # a version no longer kept is still older than the latest: superseded, not a new story
    late = idx.judge("g2-a-v5-resent", FIRST, "raw/1/1", agency=v(5))
    assert (late.status, late.method, late.duplicate_of) == ("duplicate", "superseded", "g2-a-v200")
