"""dedupe: unique / duplicate / update verdicts, redelivery vs. replay, the time window, state."""

from __future__ import annotations

import pytest

from newswire.core.clean import Cleaner
from newswire.core.decode import raw_from_mapping, seed_fields
from newswire.core.dedupe import DedupeIndex
from newswire.core.dedupe_store import MemoryStore
from newswire.core.records import CleanArticle, Verdict

T0 = 1_700_000_000.0
HOUR = 3600.0

# Three materially new paragraphs each, for the update tests (about 150 words a batch).
NEW_PARAGRAPHS_1 = [
    "Hours after the vote, the agency halted departures at a major airport in Virginia for "
    "nearly two hours on Thursday evening, blaming a shortage of controllers at a regional "
    "radar facility. More than 160 flights were delayed and 31 were canceled outright.",
    "The bill's sponsor said the disruption showed exactly what the measure was meant to "
    "prevent and urged the majority leader to schedule a floor debate before the summer "
    "break, warning that travelers would pay the price for any further delay.",
    "In the House, the chair of the transportation committee announced a hearing on controller "
    "fatigue for next Wednesday and said she would invite the head of the agency, the union "
    "president and two airline executives to testify under oath.",
]
NEW_PARAGRAPHS_2 = [
    "On Friday morning the agency said a software fault in a backup radio system, not only "
    "the staffing gap, had contributed to the ground stop, and that technicians had replaced "
    "two faulty units overnight at the facility outside Warrenton.",
    "Airlines asked for compensation. A trade group representing the largest carriers said the "
    "canceled flights had cost its members at least $12 million and stranded about 9,000 "
    "passengers, many of them families starting school holidays.",
    "The inspector general of the transport department opened a review of overtime records at "
    "the ten busiest radar centers, a spokesperson said, and expects to publish preliminary "
    "findings before the end of October.",
]


def new_index(**kwargs: float) -> DedupeIndex:
    return DedupeIndex(MemoryStore.create(), **kwargs)


@pytest.fixture()
def index() -> DedupeIndex:
    return new_index()


@pytest.fixture(scope="module")
def body_000(clean_seeds) -> str:
    return clean_seeds["000"].body


@pytest.fixture(scope="module")
def body_001(clean_seeds) -> str:
    return clean_seeds["001"].body


def assert_unique(verdict: Verdict, article_id: str) -> None:
    assert verdict.status == "unique"
    assert verdict.story_id == article_id
    assert verdict.version == 1
    assert verdict.duplicate_of is None


def assert_duplicate(verdict: Verdict, of: str, min_similarity: float = 0.9) -> None:
    assert verdict.status == "duplicate"
    assert verdict.duplicate_of == of
    assert verdict.story_id == of
    assert verdict.method in ("exact", "minhash")
    assert verdict.similarity is not None
    assert min_similarity <= verdict.similarity <= 1.0


# ---------------------------------------------------------------- verdicts


def test_first_article_is_unique(index: DedupeIndex, body_000: str) -> None:
    verdict = index.judge("a-000", body_000, "o:1", now=T0)
    assert_unique(verdict, "a-000")
    assert index.remembered() == 1


def test_copy_under_other_chrome_and_typography_is_a_duplicate(
    index: DedupeIndex, seeds, cleaner: Cleaner
) -> None:
    text = seeds.path("000").read_text("utf-8")
    headline = text.partition("\n")[0]
    variant = (
        text.replace("’", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace(headline, headline.title())
        .replace("Leave a Comment", "Share this article")
    )
    original = cleaner.clean(raw_from_mapping(seed_fields("orig", text), max_bytes=1 << 62))
    copy = cleaner.clean(raw_from_mapping(seed_fields("copy", variant), max_bytes=1 << 62))
    assert isinstance(original, CleanArticle) and isinstance(copy, CleanArticle)
    assert original.body != copy.body  # really different text
    assert_unique(index.judge("orig", original.body, "o:1", now=T0), "orig")
    verdict = index.judge("copy", copy.body, "o:2", now=T0 + 1)
    assert_duplicate(verdict, "orig")
    assert verdict.version == 1


def test_exact_copy_is_an_exact_duplicate(index: DedupeIndex, body_000: str) -> None:
    index.judge("a", body_000, "o:1", now=T0)
    verdict = index.judge("b", body_000.upper(), "o:2", now=T0 + 1)
    assert_duplicate(verdict, "a")
    assert verdict.method == "exact"
    assert verdict.similarity == 1.0


def test_one_sentence_dropped_is_a_duplicate(index: DedupeIndex, body_000: str) -> None:
    sentence = (
        "Mishustin’s visit comes at a time when Ukraine is preparing a counter-offensive with "
        "the aim of retaking territory occupied by Russian forces.\n\n"
    )
    assert sentence in body_000
    index.judge("a", body_000, "o:1", now=T0)
    verdict = index.judge("b", body_000.replace(sentence, ""), "o:2", now=T0 + 1)
    # 22 of ~470 words gone: a Jaccard near 0.94, estimated from 64 bins
    assert_duplicate(verdict, "a", min_similarity=0.8)
    assert verdict.method == "minhash"


def test_a_changed_number_is_a_duplicate(index: DedupeIndex, body_000: str) -> None:
    assert "153.1%" in body_000
    index.judge("a", body_000, "o:1", now=T0)
    verdict = index.judge("b", body_000.replace("153.1%", "153.2%"), "o:2", now=T0 + 1)
    assert_duplicate(verdict, "a", min_similarity=0.8)


def test_duplicates_are_not_remembered(index: DedupeIndex, body_000: str) -> None:
    index.judge("a", body_000, "o:1", now=T0)
    index.judge("b", body_000.replace("153.1%", "153.2%"), "o:2", now=T0 + 1)
    assert index.remembered() == 1


def test_new_paragraphs_make_an_update_then_another(index: DedupeIndex, body_001: str) -> None:
    v2_text = "\n\n".join([body_001, *NEW_PARAGRAPHS_1])
    v3_text = "\n\n".join([v2_text, *NEW_PARAGRAPHS_2])
    assert_unique(index.judge("v1", body_001, "o:1", now=T0), "v1")

    v2 = index.judge("v2", v2_text, "o:2", now=T0 + 60)
    assert v2.status == "update"
    assert (v2.story_id, v2.version, v2.duplicate_of) == ("v1", 2, "v1")
    assert v2.method == "minhash"
    assert v2.similarity is not None and 0 < v2.similarity < 1

    v3 = index.judge("v3", v3_text, "o:3", now=T0 + 120)
    assert v3.status == "update"
    assert (v3.story_id, v3.version) == ("v1", 3)
    assert v3.duplicate_of in ("v1", "v2")
    assert index.remembered() == 3


def test_update_of_an_update_keeps_the_first_story(index: DedupeIndex, body_001: str) -> None:
    """The third text contains only the second's new paragraphs plus more: still story v1."""
    v2_text = "\n\n".join([body_001, *NEW_PARAGRAPHS_1])
    index.judge("v1", body_001, "o:1", now=T0)
    index.judge("v2", v2_text, "o:2", now=T0 + 60)
    v3 = index.judge("v3", "\n\n".join([v2_text, *NEW_PARAGRAPHS_2]), "o:3", now=T0 + 120)
    assert v3.story_id == "v1"


def test_same_topic_different_story_is_unique(index: DedupeIndex, clean_seeds) -> None:
    index.judge("000", clean_seeds["000"].body, "o:1", now=T0)
    assert_unique(index.judge("006", clean_seeds["006"].body, "o:2", now=T0 + 1), "006")


SEED_VERDICTS = {
    # prefix: (status, story prefix, version, duplicate_of prefix)
    "000": ("unique", "000", 1, None),
    "001": ("unique", "001", 1, None),
    "002": ("unique", "002", 1, None),
    "003": ("unique", "003", 1, None),
    "004": ("duplicate", "000", 1, "000"),
    "005": ("update", "001", 2, "001"),
    "006": ("unique", "006", 1, None),
    "007": ("unique", "007", 1, None),
    "008": ("unique", "008", 1, None),
}


def test_seed_stream_verdicts(seeds, clean_seeds) -> None:
    """seeds/README.md: the folder replayed in order into an empty state."""
    index = new_index()
    assert list(clean_seeds) == sorted(SEED_VERDICTS)
    for step, (prefix, article) in enumerate(clean_seeds.items()):
        verdict = index.judge(article.id, article.body, f"seeds:{prefix}", now=T0 + step)
        status, story, version, duplicate_of = SEED_VERDICTS[prefix]
        assert verdict.status == status, prefix
        assert verdict.story_id == seeds.id(story), prefix
        assert verdict.version == version, prefix
        assert verdict.duplicate_of == (seeds.id(duplicate_of) if duplicate_of else None), prefix
    assert index.remembered() == 8  # all but the duplicate


# ---------------------------------------------------------------- redelivery and replay


def test_redelivery_gives_the_same_verdict_and_changes_nothing(
    index: DedupeIndex, body_000: str
) -> None:
    first = index.judge("a", body_000, "raw/0/17", now=T0)
    remembered, size = index.remembered(), index.store.state_bytes()
    again = index.judge("a", body_000, "raw/0/17", now=T0 + 5)
    assert again == first
    assert index.remembered() == remembered
    assert index.store.state_bytes() == size


def test_redelivered_update_keeps_its_version(index: DedupeIndex, body_001: str) -> None:
    v2_text = "\n\n".join([body_001, *NEW_PARAGRAPHS_1])
    index.judge("v1", body_001, "o:1", now=T0)
    first = index.judge("v2", v2_text, "o:2", now=T0 + 1)
    again = index.judge("v2", v2_text, "o:2", now=T0 + 2)
    assert first.status == "update" and first.version == 2
    assert again == first
    assert index.remembered() == 2
    # the story's version was not bumped by the redelivery
    v3 = index.judge("v3", "\n\n".join([v2_text, *NEW_PARAGRAPHS_2]), "o:3", now=T0 + 3)
    assert v3.version == 3


def test_redelivered_duplicate_is_still_a_duplicate(index: DedupeIndex, body_000: str) -> None:
    index.judge("a", body_000, "o:1", now=T0)
    changed = body_000.replace("153.1%", "153.2%")
    first = index.judge("b", changed, "o:2", now=T0 + 1)
    again = index.judge("b", changed, "o:2", now=T0 + 2)
    assert again == first
    assert index.remembered() == 1


def test_same_id_from_a_new_origin_is_a_replay_duplicate(index: DedupeIndex, body_000: str) -> None:
    index.judge("a", body_000, "raw/0/17", now=T0)
    verdict = index.judge("a", body_000, "raw/0/99", now=T0 + 5)
    assert verdict.status == "duplicate"
    assert verdict.duplicate_of == "a"
    assert verdict.story_id == "a"
    assert verdict.method == "exact"
    assert verdict.similarity == 1.0
    assert index.remembered() == 1


# ---------------------------------------------------------------- the window


def test_article_older_than_the_window_is_forgotten(body_000: str) -> None:
    index = new_index(window_seconds=HOUR)
    index.judge("a", body_000, "o:1", now=T0)
    assert_unique(index.judge("b", body_000, "o:2", now=T0 + HOUR + 1), "b")


def test_article_inside_the_window_is_remembered(body_000: str) -> None:
    index = new_index(window_seconds=HOUR)
    index.judge("a", body_000, "o:1", now=T0)
    assert_duplicate(index.judge("b", body_000, "o:2", now=T0 + HOUR - 1), "a")


def test_the_clock_is_used_without_now(body_000: str) -> None:
    clock = [T0]
    index = new_index(window_seconds=HOUR, clock=lambda: clock[0])
    index.judge("a", body_000, "o:1")
    clock[0] = T0 + 10
    assert index.judge("b", body_000, "o:2").status == "duplicate"
    clock[0] = T0 + 2 * HOUR
    assert index.judge("c", body_000, "o:3").status == "unique"
    assert index.expire() == 1  # "a" (seen at T0); "c" is fresh


def test_expire_removes_entries_and_band_postings(body_000: str, body_001: str) -> None:
    store = MemoryStore.create()
    index = DedupeIndex(store, window_seconds=HOUR)
    index.judge("old", body_000, "o:1", now=T0)
    assert store.bands
    assert index.expire(now=T0 + HOUR + 1) == 1
    assert index.remembered() == 0
    assert store.bands == {}
    # and the text is new again
    assert_unique(index.judge("again", body_000, "o:2", now=T0 + HOUR + 2), "again")


def test_expire_keeps_fresh_entries(body_000: str, body_001: str) -> None:
    store = MemoryStore.create()
    index = DedupeIndex(store, window_seconds=HOUR)
    index.judge("old", body_000, "o:1", now=T0)
    index.judge("fresh", body_001, "o:2", now=T0 + HOUR)
    postings_before = sum(len(v) for v in store.bands.values())
    assert index.expire(now=T0 + HOUR + 1) == 1
    assert index.remembered() == 1
    refs = set(store.entries)
    postings = [p[i : i + 4] for p in store.bands.values() for i in range(0, len(p), 4)]
    assert postings and all(ref in refs for ref in postings)  # no posting points at "old"
    assert sum(len(v) for v in store.bands.values()) < postings_before
    assert_duplicate(index.judge("copy", body_001, "o:3", now=T0 + HOUR + 2), "fresh")


def test_expire_forgets_story_versions(body_001: str) -> None:
    store = MemoryStore.create()
    index = DedupeIndex(store, window_seconds=HOUR)
    index.judge("v1", body_001, "o:1", now=T0)
    index.judge("v2", "\n\n".join([body_001, *NEW_PARAGRAPHS_1]), "o:2", now=T0 + 1)
    assert store.stories == {"v1": 2}
    index.expire(now=T0 + 2 * HOUR)
    assert store.stories == {}
    assert index.remembered() == 0


def test_expire_with_nothing_to_forget(index: DedupeIndex, body_000: str) -> None:
    index.judge("a", body_000, "o:1", now=T0)
    assert index.expire(now=T0 + 1) == 0
    assert index.remembered() == 1


# ---------------------------------------------------------------- state size


def test_state_per_article_for_generated_articles(generated_articles) -> None:
    store = MemoryStore.create()
    index = DedupeIndex(store)
    verdicts = [
        index.judge(article["id"], article["body"], f"gen:{n}", now=T0 + n)
        for n, article in enumerate(generated_articles)
    ]
    assert len(generated_articles) == 1000
    # bench/generate.py: "none of them is a near-duplicate of another"
    assert [v.status for v in verdicts] == ["unique"] * 1000
    assert index.remembered() == 1000
    assert store.state_bytes() / index.remembered() <= 256


def test_a_redelivery_says_late_again_when_the_first_judgement_did() -> None:
    index = DedupeIndex(MemoryStore.create(), clock=lambda: 1_000.0)
    body = " ".join(f"word{i}" for i in range(80))
    first = index.judge("a", body, "raw/0/7", late=True)
    assert (first.status, first.late) == ("unique", True)
    again = index.judge("a", body, "raw/0/7")  # the same input read again after a crash
    assert again == first
    other = index.judge("b", "entirely different words " * 20, "raw/1/3")
    assert other.late is False
