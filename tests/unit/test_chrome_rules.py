"""The data-driven chrome rules: each removes its chrome, none removes article text."""

from __future__ import annotations

import json
import re
from importlib import resources
from types import ModuleType
from typing import Any

import pytest

from newswire.core.clean import Cleaner, chrome_rule_for, load_chrome_rules
from newswire.core.decode import raw_from_mapping
from newswire.core.records import CleanArticle, RawArticle

RULES = load_chrome_rules()
RULE_IDS = [rule.id for rule in RULES]

# One typical chrome paragraph per rule id.
CHROME_EXAMPLES = {
    "reuters_standards": "Our standards: The Thomson Reuters Trust Principles.",
    "leave_comment": "Leave a Comment",
    "advertisement": "Advertisement",
    "share": "Share this article",
    "copyright": "Copyright 2024 The Associated Press. All rights reserved.",
    "newsletter": "Sign up for our daily newsletter",
    "read_more": "Read more: Oil prices slide as OPEC+ weighs deeper output cuts",
    "follow_us": "Follow us on Twitter",
    "photo_caption": "FILE PHOTO: Chinese President Xi Jinping attends a meeting in Beijing.",
    "reading_meta": "4 min read",
    "cookie_banner": (
        "We use cookies to improve your experience and to show you relevant advertising. "
        "By continuing to browse you agree to our use of cookies."
    ),
    "licensing": "Purchase Licensing Rights",
    "report_error": "Report an error",
}

# More chrome as sites write it (case, punctuation, counts).
MORE_CHROME = [
    ("ADVERTISEMENT", "advertisement"),
    ("Story continues below advertisement", "advertisement"),
    ("Story continues below", "advertisement"),  # bench/generate.py inserts this one
    ("12 Comments", "leave_comment"),
    ("Share on Facebook", "share"),
    ("© 2024 The Nairobi Ledger. All rights reserved.", "copyright"),
    ("Subscribe to our newsletter", "newsletter"),
    ("Related stories", "read_more"),
    ("Updated 3 hours ago", "reading_meta"),
    ("Reprints & Permissions", "licensing"),
]

# Real sentences with the same words as chrome: they are article text and must survive.
REAL_SENTENCES = [
    "Share prices fell 3% on Tuesday.",
    "The advertisement was pulled after complaints from viewers.",
    "Copyright law was changed in 2019 to cover streaming.",
    "Leave a comment, the minister told reporters, and we will read it.",
    "Related talks are expected next week in Geneva.",
    "Our standards of care have slipped, the health minister admitted.",
    "Comments by the central bank governor moved markets on Monday.",
    "Advertising revenue at the broadcaster fell 12% in the first quarter.",
    "Sponsored content is now a quarter of the publisher's revenue, the report said.",
    "Print newspapers lost another 8% of their readers last year.",
    "Email records show the deal was discussed in March.",
    "Tweets by the senator were cited in the indictment.",
    "Sharing economy companies such as Airbnb face new rules.",
    "All rights to the broadcast were sold to a streaming service for $2 billion.",
    "Subscribers to the bank's research newsletter rose 20% last year.",
    "Readers who sign up for the service get a free trial, the company said.",
    "Read the full ruling, the judge told the lawyers, before you appeal.",
    "Most read newspapers in the country are owned by two families.",
    "Recommended doses of the vaccine were lowered for children.",
    "Followers of the movement gathered in the capital on Sunday.",
    "Photos of the damage were shared widely on social media.",
    "The image of the burning tower was seen around the world.",
    "Updates to the software will be released next week.",
    "The minister updated parliament on Tuesday.",
    "Cookies and cakes were handed out to voters outside polling stations.",
    "Licensing rules for taxi drivers will be tightened next year.",
    "Errors in the vote count were corrected on Wednesday, the commission said.",
    "A correction was issued by the statistics office after a reporting error.",
]

# Real sentences a rule with an open-ended tail would swallow.
REAL_SENTENCES_OPEN_TAILS = [
    "Last updated in 2019, the rules do not cover electric scooters.",
    "Users who accept cookies on the site are tracked across the web, the regulator found.",
    "We want to hear from you, the mayor told residents at a town hall meeting on Tuesday.",
    "Download the app and book a vaccine slot, the health ministry urged residents.",
]


def raw(body: str) -> RawArticle:
    return RawArticle(id="chrome-test", headline="Central bank raises rates", body=body)


FIRST = "The central bank raised interest rates by a quarter point on Tuesday, its third rise."
LAST = "Analysts expect another increase before the end of the year, a Reuters poll showed."


def test_rules_file_is_valid() -> None:
    spec = json.loads(
        resources.files("newswire.core").joinpath("data/chrome_rules.json").read_text("utf-8")
    )
    ids = [rule["id"] for rule in spec["rules"]]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for rule in spec["rules"]:
        re.compile(rule["pattern"])
        assert int(rule.get("max_chars", spec["default_max_chars"])) > 0
    assert ids == RULE_IDS


def test_every_rule_has_an_example() -> None:
    assert set(CHROME_EXAMPLES) == set(RULE_IDS)


def test_rules_can_be_loaded_from_a_path(tmp_path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [{"id": "promo", "pattern": "buy now"}]}), "utf-8")
    (rule,) = load_chrome_rules(str(path))
    assert rule.id == "promo"
    assert rule.max_chars == 200
    assert chrome_rule_for("BUY NOW", (rule,)) == "promo"
    cleaned = Cleaner((rule,)).clean(raw(f"{FIRST}\n\nBuy now\n\n{LAST}"))
    assert isinstance(cleaned, CleanArticle)
    assert cleaned.body == f"{FIRST}\n\n{LAST}"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_matches_its_example(rule_id: str) -> None:
    assert chrome_rule_for(CHROME_EXAMPLES[rule_id], RULES) == rule_id


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_removes_its_example_from_a_body(cleaner: Cleaner, rule_id: str) -> None:
    chrome = CHROME_EXAMPLES[rule_id]
    article = cleaner.clean(raw(f"{FIRST}\n\n{chrome}\n\n{LAST}"))
    assert isinstance(article, CleanArticle)
    assert article.body == f"{FIRST}\n\n{LAST}"
    assert article.chrome_removed == (rule_id,)


@pytest.mark.parametrize(("paragraph", "rule_id"), MORE_CHROME)
def test_more_chrome(paragraph: str, rule_id: str) -> None:
    assert chrome_rule_for(paragraph, RULES) == rule_id


def test_rule_needs_the_whole_paragraph() -> None:
    text = f"Advertisement {FIRST}"
    assert chrome_rule_for(text, RULES) is None


def test_max_chars_limits_a_rule() -> None:
    long_caption = "Photo: " + "a crowd gathers outside parliament " * 12
    assert len(long_caption) > 300
    assert chrome_rule_for(long_caption, RULES) is None


@pytest.mark.parametrize("sentence", REAL_SENTENCES)
def test_real_sentence_matches_no_rule(sentence: str) -> None:
    assert chrome_rule_for(sentence, RULES) is None


@pytest.mark.parametrize("sentence", REAL_SENTENCES_OPEN_TAILS)
def test_real_sentence_is_not_swallowed_by_an_open_ended_rule(sentence: str) -> None:
    assert chrome_rule_for(sentence, RULES) is None


@pytest.mark.parametrize("sentence", REAL_SENTENCES)
def test_real_sentence_survives_cleaning(cleaner: Cleaner, sentence: str) -> None:
    article = cleaner.clean(raw(f"{FIRST}\n\n{sentence}\n\n{LAST}"))
    assert isinstance(article, CleanArticle)
    assert article.body == f"{FIRST}\n\n{sentence}\n\n{LAST}"
    assert article.chrome_removed == ()


# ---------------------------------------------------------------- seeds


def test_clean_seed_paragraphs_match_no_rule(clean_seeds) -> None:
    for prefix, article in clean_seeds.items():
        for paragraph in article.body.split("\n\n"):
            assert chrome_rule_for(paragraph, RULES) is None, (prefix, paragraph)


# The chrome (and credit/headline) paragraphs of each .txt seed, from seeds/README.md.
SEED_NON_ARTICLE = {
    "000": {"Reporting by", "Our standards", "Leave a Comment"},
    "001": {"By JENNIFER HALE", "Advertisement", "Copyright 2024"},
    "002": {"Share this article", "Sign up for our daily newsletter"},
    "004": {"Reporting by", "Our standards", "Share this article"},
    "005": {"By JENNIFER HALE", "Advertisement", "Copyright 2024"},
    "006": {"Reporting by"},
    "007": set(),
}


@pytest.mark.parametrize("prefix", sorted(SEED_NON_ARTICLE))
def test_seed_article_paragraphs_all_survive(seeds, clean_seeds, prefix: str) -> None:
    """Every article paragraph of a seed (all but its headline repeat, byline and chrome) is in
    the clean body, in order; the chrome is not."""
    article = clean_seeds[prefix]
    markers = tuple(SEED_NON_ARTICLE[prefix])
    expected = [
        " ".join(p.split())
        for p in seeds.paragraphs(prefix)
        if p != article.raw.headline and not (markers and p.startswith(markers))
    ]
    kept = article.body.split("\n\n")
    assert len(kept) == len(expected)
    # The first article paragraph loses its dateline; the rest are kept verbatim.
    assert article.dateline is not None
    assert expected[0].startswith(article.dateline.location)
    assert expected[0].endswith(" " + kept[0])
    assert kept[1:] == expected[1:]
    for marker in SEED_NON_ARTICLE[prefix]:
        assert marker not in article.body


# ---------------------------------------------------------------- generated articles

GENERATED_COUNT = 200
DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]+(?:, [A-Za-z0-9 ,.]+?)? \((?:Reuters|AP|AFP|Kyodo)\) (?:--|-|–|—) "
)
COPYRIGHT = re.compile(r"Copyright \d{4} The Associated Press\. All rights reserved\.")
CREDITS = re.compile(
    r"Reporting by [A-Z][^;]+(?:; (?:Additional reporting|Writing|Editing) by .+)*$"
)


def generated_parts(generator: ModuleType, article: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The article paragraphs of a generated body (the lede without its dateline) and the
    chrome lines the generator inserted. The generator writes: [byline, agency line], the lede
    with its dateline, body paragraphs (maybe one chrome line among them), [credits, standards,
    copyright, chrome line]."""
    chrome_lines = {*generator.CHROME_END, *generator.CHROME_MID}
    paragraphs = article["body"].split("\n\n")
    lede = next(i for i, p in enumerate(paragraphs) if DATELINE.match(p))
    for head in paragraphs[:lede]:
        assert head.startswith("By ") or head == "Associated Press", head
    match = DATELINE.match(paragraphs[lede])
    assert match is not None
    text, chrome = [paragraphs[lede][match.end() :]], []
    for paragraph in paragraphs[lede + 1 :]:
        if paragraph in chrome_lines or COPYRIGHT.fullmatch(paragraph):
            chrome.append(paragraph)
        elif not CREDITS.match(paragraph):
            text.append(paragraph)
    return text, chrome


@pytest.fixture(scope="module")
def cleaned_generated(generator, generated_articles, cleaner):
    result = []
    for article in generated_articles[:GENERATED_COUNT]:
        raw_article = raw_from_mapping(article, max_bytes=2_000_000)
        assert isinstance(raw_article, RawArticle)
        cleaned = cleaner.clean(raw_article)
        assert isinstance(cleaned, CleanArticle), article["id"]
        result.append((article, cleaned))
    return result


def test_generated_articles_lose_no_article_paragraph(generator, cleaned_generated) -> None:
    checked_chrome = 0
    for article, cleaned in cleaned_generated:
        text, chrome = generated_parts(generator, article)
        checked_chrome += len(chrome)
        kept = cleaned.body.split("\n\n")
        missing = [p for p in text if p not in kept]
        assert not missing, (article["id"], missing)
    assert checked_chrome > 0  # the sample does exercise inserted chrome


def test_generated_articles_keep_article_paragraphs_in_order(generator, cleaned_generated) -> None:
    """Apart from inserted chrome (checked by the next test), the clean body is exactly the
    article paragraphs: nothing lost, nothing added, nothing reordered or rewritten."""
    for article, cleaned in cleaned_generated:
        text, chrome = generated_parts(generator, article)
        kept = [p for p in cleaned.body.split("\n\n") if p not in chrome]
        assert kept == text, article["id"]


def test_generated_chrome_lines_are_all_removed(generator, cleaned_generated) -> None:
    leftovers = []
    for article, cleaned in cleaned_generated:
        _, chrome = generated_parts(generator, article)
        kept = set(cleaned.body.split("\n\n"))
        leftovers.extend((article["id"], line) for line in chrome if line in kept)
    assert not leftovers
