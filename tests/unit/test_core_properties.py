"""Arbitrary JSON (deep nesting, huge numbers, odd unicode, NULs, raw bytes) through every core
stage: decode → clean → stage serde → dedupe → annotate → output records → orjson. Nothing may
raise; each input ends as a Rejected with an expected reason, or as records that dump."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import ftfy
import orjson
import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from newswire.core import serde
from newswire.core import text as text_module
from newswire.core.annotate import Annotator
from newswire.core.annotate import entities as entities_module
from newswire.core.annotate import quotes as quotes_module
from newswire.core.clean import Cleaner, chrome_rule_for
from newswire.core.decode import MAX_DEPTH, raw_from_mapping
from newswire.core.dedupe import DedupeIndex
from newswire.core.dedupe_store import MemoryStore
from newswire.core.gazetteer import Gazetteer
from newswire.core.records import (
    CleanArticle,
    RawArticle,
    Rejected,
    dlq_record,
    duplicate_record,
    enriched_record,
    load_schema,
    rejected_record,
)
from newswire.core.stages import annotate_input, prepare

MAX = 2_000_000
CLEANER = Cleaner()
ANNOTATOR = Annotator(spacy.blank("en"), Gazetteer({}))
SMALL_ANNOTATOR = Annotator(spacy.blank("en"), Gazetteer({}), max_chars=200)
REASONS = {
    "invalid_json",
    "not_utf8",
    "not_an_object",
    "invalid_field",
    "missing_body",
    "too_large",
    "too_deep",
    "unsupported_content_type",
    "empty_after_cleaning",
}
NOW = "2024-06-03T08:00:00.000Z"
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
VALIDATORS = {
    kind: Draft202012Validator(
        load_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    for kind in ("enriched", "duplicate")
}

# ---------------------------------------------------------------- strategies

any_char = st.characters(exclude_categories=())  # surrogates and NULs included
odd_text = st.text(any_char, max_size=40) | st.sampled_from(
    ["\x00", "\u202e\u200d", "\ud800", "a\udfffb", "\U0001f600", "e\u0301" * 5, "\ufeff\u2028"]
)
words = st.lists(
    st.sampled_from(
        [
            "The",
            "minister",
            "said",
            "“We",
            "will",
            "win,”",
            '"No',
            "deal",
            'today,"',
            "Paris.",
            "Mr.",
            "Smith",
            "By",
            "LONDON",
            "(Reuters)",
            "-",
            "\n\n",
            "\n",
            "\x00",
            "\u200b",
            "é",
        ]
    ),
    max_size=60,
).map(" ".join)
numbers = (
    st.integers()  # unbounded: beyond 64 bits too
    | st.floats()  # NaN and infinities included
    | st.sampled_from([-0.0, 1e308, 5e-324, 2**63, 2**64, -(2**63) - 1])
)
scalars = st.none() | st.booleans() | numbers | odd_text | words
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            odd_text | st.sampled_from(["id", "body", "headline"]), children, max_size=3
        )
    ),
    max_leaves=10,
)
KNOWN = ["id", "source", "url", "headline", "body", "content_type", "published_at", "language"]
articles = st.fixed_dictionaries(
    {"body": words | odd_text | values},
    optional={
        **{key: odd_text | words | values for key in KNOWN if key != "body"},
        "content_type": st.sampled_from(["text/plain", "text/html", "text/html; x"]) | values,
        "language": st.sampled_from(["en", "de", "EN-gb", ""]) | odd_text,
        "metadata": values,
        "\x00": values,
    },
)
number_literals = st.sampled_from(
    ["1e400", "-1e400", "1" + "0" * 400, "-0.0", "0e0", "1E+308", str(2**70), "9" * 30, "NaN"]
)


def to_json(value: object, ascii_only: bool) -> bytes:
    """JSON text the way a hostile producer may write it: Python's encoder writes NaN, huge
    integers and lone surrogates (as \\udXXX escapes, or as raw surrogate bytes)."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def deep_documents(draw: st.DrawFn) -> tuple[int, bytes]:
    """(depth, message): an article whose metadata nests `depth` containers in all (the top
    object counts), as text so no encoder recursion is involved."""
    depth = draw(st.integers(min_value=1, max_value=1100) | st.sampled_from([64, 65, 254, 255]))
    kinds = draw(st.lists(st.booleans(), min_size=depth, max_size=depth))
    opens = "".join('{"k":' if k else "[" for k in kinds[1:])
    closes = "".join("}" if k else "]" for k in reversed(kinds[1:]))
    body = json.dumps(draw(words.filter(str.strip) | st.just("The minister said more.")))
    data = f'{{"id": "deep", "body": {body}, "extra": {opens}1{closes}}}'.encode()
    return depth, data


def with_number(article: dict[str, Any], literal: str) -> bytes:
    """A number literal no encoder writes (1e400, 400 digits) spliced into the object."""
    return to_json(article, ascii_only=True)[:-1] + b', "n": ' + literal.encode() + b"}"


messages = st.one_of(
    articles.map(lambda a: to_json(a, ascii_only=True)),
    articles.map(lambda a: to_json(a, ascii_only=False)),
    st.binary(max_size=300),
    st.builds(with_number, articles, number_literals),
)

# ---------------------------------------------------------------- the chain


def through_every_stage(data: bytes, annotator: Annotator = ANNOTATOR) -> list[bytes]:
    """The dumped records one message ends as; asserts nothing raised and nothing crashed."""
    result = prepare(data, CLEANER, max_bytes=MAX)
    if isinstance(result, Rejected):
        return [dump_rejection(result, data)]
    assert isinstance(result, CleanArticle)
    stage = serde.dumps({"article": serde.clean_to_dict(result), "origin": {"offset": 1}})
    article = serde.clean_from_dict(serde.loads(stage)["article"])
    assert (article.id, article.body, article.headline) == (result.id, result.body, result.headline)
    assert article.raw.metadata == orjson.loads(orjson.dumps(result.raw.metadata))
    index = DedupeIndex(MemoryStore.create())
    outputs = []
    for origin in ("raw:0:1", "raw:0:2"):  # the second is a re-publication: a duplicate
        verdict = index.judge(article.id, article.body, origin, now=1000.0)
        if verdict.status == "duplicate":
            outputs.append(dump("duplicate", duplicate_record(article, verdict, processed_at=NOW)))
            continue
        item = annotate_input(article)
        for forced in (item, replace(item, language=annotator.language)):
            (annotation,) = annotator.annotate([forced])
            record = enriched_record(
                article, verdict, annotation, model=annotator.model, processed_at=NOW
            )
            outputs.append(dump("enriched", record))
            for quote in record["quotes"]:
                assert 0 <= quote["start"] < quote["end"] <= len(record["body"])
            for entity in record["entities"]:
                assert all(0 <= s < e <= len(record["body"]) for s, e in entity["spans"])
    return outputs


def dump(kind: str, record: dict[str, Any]) -> bytes:
    VALIDATORS[kind].validate(record)
    data = orjson.dumps(record)
    assert orjson.loads(data)["id"] == record["id"]
    return data


def dump_rejection(rejected: Rejected, data: bytes) -> bytes:
    assert rejected.reason in REASONS, rejected  # internal_error means a stage crashed
    assert rejected.error
    origin = {"topic": "newswire.raw", "partition": 0, "offset": 7, "timestamp": 0}
    record = dlq_record(rejected, data, origin=origin, processed_at=NOW, max_original_bytes=64)
    orjson.dumps(rejected_record(rejected, processed_at=NOW))
    return orjson.dumps(record)


# ---------------------------------------------------------------- properties


@PROPERTY
@given(messages)
def test_arbitrary_messages_end_as_a_rejection_or_records_that_dump(data: bytes) -> None:
    assert through_every_stage(data)


@PROPERTY
@given(articles)
def test_arbitrary_articles_written_by_orjson_go_through(obj: dict[str, Any]) -> None:
    try:
        data = orjson.dumps(obj)
    except orjson.JSONEncodeError:
        return  # not representable: only a Python producer could send it (covered above)
    assert through_every_stage(data)


@PROPERTY
@given(deep_documents())
def test_nesting_is_accepted_up_to_the_limit_and_rejected_beyond(case: tuple[int, bytes]) -> None:
    depth, data = case
    result = prepare(data, CLEANER, max_bytes=MAX)
    if depth > 1024:
        assert isinstance(result, Rejected) and result.reason == "invalid_json"
    elif depth > MAX_DEPTH:
        assert isinstance(result, Rejected) and result.reason == "too_deep", result
        assert result.id == "deep"
    else:  # accepted (or empty once control characters are gone), never too deep
        assert isinstance(result, CleanArticle) or result.reason == "empty_after_cleaning"
    assert through_every_stage(data)


@PROPERTY
@given(articles)
def test_python_values_are_rejected_or_dump(obj: dict[str, Any]) -> None:
    """Seeds and tests hand Python values to raw_from_mapping directly: what it accepts must
    dump (no lone surrogates, integers beyond 64 bits, NaN or non-string keys get through)."""
    raw = raw_from_mapping(obj, max_bytes=MAX)
    if isinstance(raw, Rejected):
        assert raw.reason in REASONS
        return
    assert isinstance(raw, RawArticle)
    assert orjson.loads(orjson.dumps(raw)) is not None
    cleaned = CLEANER.clean(raw)
    if isinstance(cleaned, CleanArticle):
        assert serde.clean_from_dict(serde.loads(serde.dumps(serde.clean_to_dict(cleaned))))


@PROPERTY
@given(st.builds(lambda text, times: (text + "\n\n") * times, words, st.integers(1, 30)))
def test_bodies_over_the_annotation_limit_are_partial(body: str) -> None:
    data = orjson.dumps({"id": "long", "body": body, "language": "en"})
    for record in map(orjson.loads, through_every_stage(data, SMALL_ANNOTATOR)):
        if record.get("kind") == "enriched" and record["annotation"]["status"] != "skipped":
            expected = "partial" if len(record["body"]) > 200 else "ok"
            assert record["annotation"]["status"] == expected


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 255, 1024])
def test_the_reported_crash_depths_are_rejected_at_decode(depth: int) -> None:
    inner = depth - 1
    data = ('{"id": "r", "body": "Text.", "m": ' + "[" * inner + "]" * inner + "}").encode()
    result = prepare(data, CLEANER, max_bytes=MAX)
    assert isinstance(result, Rejected) and result.reason == "too_deep"


# ---------------------------------------------------------------- the linear rewrites change
# nothing: each against the code it replaced (or the library call it stands for)

LINES = st.lists(
    st.lists(
        st.sampled_from(
            [
                "plain words",
                "CafÃ© rÃ©gime",
                "x &amp; y",
                "<b>tag</b>",
                "é",
                "e\u0301",
                "\r",
                "\x85",
                "\u2028",
                "ﬂ",
                "ＬＯＵＤ",
                "\x1b[31m",
                "\x00",
                "\x9d",
                "â€œhiâ€\x9d",
                "&hellip;",
                "\t",
                "Ã",
                "\ufeff",
                "\U0001f642",
                "&",
                "<",
                " ",
            ]
        ),
        max_size=4,
    ).map("".join),
    max_size=8,
).map("\n".join)


@PROPERTY
@given(LINES, st.sampled_from([1_000_000, 9, 3]))
def test_fix_text_is_ftfy_fix_text(text_in: str, segment: int) -> None:
    config = text_module._FTFY._replace(max_decode_length=segment)
    assert text_module.fix_text(text_in, config=config) == ftfy.fix_text(text_in, config)


@PROPERTY
@given(st.lists(st.sampled_from(["CafÃ© rÃ©gime", "plain", "x &amp; y", "née", "â€œhiâ€\x9d"])))
def test_fix_text_past_its_line_budget_repairs_in_pieces(lines: list[str]) -> None:
    """Past the line budget, lines are fixed in large pieces; on typical mojibake, entities and
    accents the result is the same as line by line."""
    text_in = "\n".join(lines)
    assert text_module.fix_text(text_in, max_lines=0) == ftfy.fix_text(text_in, text_module._FTFY)


CHROME_WORDS = st.sampled_from(
    [
        "sign up",
        "for",
        "our",
        "newsletter",
        "share",
        "this",
        "article",
        "copyright",
        "2024",
        "©",
        "read more:",
        "photo:",
        "we use cookies",
        "advertisement",
        "comments",
        "3",
        "the",
        "minister",
        "said",
        ".",
        "!",
        "follow us on",
        "twitter",
        "last updated",
        "min read",
        "",
    ]
)


@PROPERTY
@given(st.lists(CHROME_WORDS, max_size=12).map(" ".join))
def test_chrome_prefilter_agrees_with_each_rule(paragraph: str) -> None:
    rules = CLEANER._rules
    expected = next(
        (
            r.id
            for r in rules
            if len(paragraph.strip()) <= r.max_chars and r.pattern.fullmatch(paragraph.strip())
        ),
        None,
    )
    assert chrome_rule_for(paragraph, rules) == expected


@PROPERTY
@given(
    st.text(st.sampled_from("ab _.-é1 \u0301"), max_size=30),
    st.text(st.sampled_from("ab _.-é1"), min_size=1, max_size=4),
)
def test_contains_word_is_the_word_boundary_regex(haystack: str, name: str) -> None:
    expected = re.search(rf"\b{re.escape(name)}\b", haystack) is not None
    assert entities_module.contains_word(haystack, name) == expected


def old_quotes(body: str, span_owner: dict) -> list[dict[str, Any]]:
    """Quote attribution written plainly, scanning the text again for every quote (the oracle
    of the linear version): named people and organisations, then "he"/"she" (the person
    named last before the quote), then nations and places, then a quote continuing the
    paragraph's last attributed one. (The generated texts hold no titles.)"""

    def bounds(text: str, start: int, end: int) -> tuple[int, int]:
        before = quotes_module.sentence_ends(text, 0, start)
        left = before[-1] if before else 0
        after = quotes_module.sentence_ends(text, end, len(text))
        paragraph_end = text.find("\n", end)
        right = after[0] if after else len(text)
        if paragraph_end != -1:
            right = min(right, paragraph_end)
        return max(left, text.rfind("\n", 0, start) + 1), right

    def first(window: tuple[int, int], labels: tuple[str, ...]) -> Any:
        lo, hi = window
        inside = sorted(
            ((span, e) for span, e in span_owner.items() if lo <= span[0] and span[1] <= hi),
            key=lambda pair: pair[0][0],
        )
        return next((e for _, e in inside if e.label in labels), None)

    def speaker(window: tuple[int, int], quote_start: int) -> tuple[Any, str] | None:
        lo, hi = window
        if hi <= lo or not quotes_module.SPEECH.search(body, lo, hi):
            return None
        if (named := first(window, ("PERSON", "ORG"))) is not None:
            return named, "named"
        chars = quotes_module.ATTRIBUTION_CHARS
        words = (
            body[lo : min(hi, lo + chars)] if lo >= quote_start else body[max(lo, hi - chars) : hi]
        )
        if re.search(r"\b(he|she)\b", words.casefold()):
            people = [(span, e) for span, e in span_owner.items() if e.label == "PERSON"]
            before = [pair for pair in people if pair[0][1] <= quote_start]
            if before:
                return max(before, key=lambda pair: pair[0][1])[1], "pronoun"
            return None
        if (named := first(window, ("NORP", "GPE"))) is not None:
            return named, "named"
        return None

    quotes = []
    previous = None
    for match in quotes_module.QUOTE.finditer(body):
        group = 1 if match.group(1) is not None else 2
        said = match.group(group)
        if len(said.split()) < quotes_module.MIN_QUOTE_WORDS:
            continue
        start, end = match.span()
        left, right = bounds(body, start, end)
        found = speaker((end, right), start) or speaker((left, start), start)
        who, how = found if found else (None, None)
        if who is None and previous is not None and "\n" not in body[previous[0] : start]:
            who, how = previous[1], "continued"
        previous = (end, who) if who is not None else None
        quotes.append(
            {
                "text": said,
                "speaker": who.text if who else None,
                "speaker_resolved": how,
                "start": match.start(group),
                "end": match.end(group),
            }
        )
    return quotes


_PIECES = (
    '"We will win this one,"|“They never listen to us at all”|"a b c d"|said|told|Maria|Reuters|'
    'Russians|Paris|Mr.|J.|Sen.|.|!|?|,|\n|\n\n|he|the|according to|"|“|”|saidx|A.|'
    'Maria said.|Paris told J.|Maria said. “|Maria said\n|Maria said"We will win this one,"|'
    "she said|he told|Maria Lopez"
)
QUOTE_PIECES = st.sampled_from(_PIECES.split("|"))
LABELS = {
    "Maria": "PERSON",
    "Reuters": "ORG",
    "Russians": "NORP",
    "Paris": "GPE",
    "Lopez": "PERSON",
}


@settings(PROPERTY, max_examples=600)
@given(st.lists(QUOTE_PIECES, max_size=40), st.lists(st.sampled_from([" ", "", "  "]), max_size=40))
def test_quote_attribution_is_what_it_was(pieces: list[str], gaps: list[str]) -> None:
    body = "".join(p + (gaps[i] if i < len(gaps) else " ") for i, p in enumerate(pieces))
    span_owner = {}
    for name, label in LABELS.items():
        entity = entities_module.Entity(text=name, label=label)
        for match in re.finditer(rf"\b{name}\b", body):
            span_owner[match.span()] = entity
    assert quotes_module.find(body, span_owner) == old_quotes(body, span_owner)
