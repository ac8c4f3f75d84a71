"""parse: every bad input is a Rejected with a machine-readable reason; good input a RawArticle."""

from __future__ import annotations

import json
import string
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.core.clean import Cleaner
from newswire.core.decode import (
    MAX_DEPTH,
    decode_raw,
    derive_id,
    raw_from_mapping,
    seed_fields,
)
from newswire.core.records import CleanArticle, RawArticle, Rejected
from newswire.core.stages import prepare
from newswire.settings import Settings

MAX = 2_000_000
CLEANER = Cleaner()
BODY = "The central bank raised interest rates by a quarter point on Tuesday, its third increase."


def encode(obj: object) -> bytes:
    return json.dumps(obj).encode("utf-8")


def decode(obj: object, max_bytes: int = MAX) -> RawArticle | Rejected:
    return decode_raw(encode(obj), max_bytes=max_bytes)


def assert_rejected(result: object, reason: str) -> Rejected:
    assert isinstance(result, Rejected), result
    assert result.reason == reason
    assert result.error  # a human-readable explanation goes with the reason
    assert result.stage == "parse"
    return result


# ---------------------------------------------------------------- good input


def test_minimal_article_is_accepted_with_defaults() -> None:
    raw = decode({"id": "a-1", "body": BODY})
    assert isinstance(raw, RawArticle)
    assert raw.id == "a-1"
    assert raw.body == BODY
    assert raw.headline == ""
    assert raw.content_type == "text/plain"
    assert raw.source is None
    assert raw.url is None
    assert raw.published_at is None
    assert raw.language is None
    assert raw.metadata == {}


def test_all_known_fields_are_read() -> None:
    obj = {
        "id": "a-2",
        "source": "Reuters",
        "url": "https://example.com/a-2",
        "headline": "Rates rise",
        "body": BODY,
        "content_type": "text/html; charset=utf-8",
        "published_at": "2024-06-12T09:30:00+03:00",
        "language": "en",
    }
    raw = decode(obj)
    assert isinstance(raw, RawArticle)
    assert (raw.source, raw.url, raw.headline) == (
        "Reuters",
        "https://example.com/a-2",
        "Rates rise",
    )
    assert raw.content_type == "text/html"  # parameters dropped, media type kept
    assert raw.published_at == "2024-06-12T09:30:00+03:00"
    assert raw.language == "en"


@pytest.mark.parametrize(
    "stamp", ["2024-06-03T08:00:00Z", "2024-06-03T08:00:00.123+00:00", "2024-06-12T09:30:00+03:00"]
)
def test_iso8601_published_at_is_accepted(stamp: str) -> None:
    raw = decode({"id": "a", "body": BODY, "published_at": stamp})
    assert isinstance(raw, RawArticle)
    assert raw.published_at == stamp


def test_unknown_keys_are_kept_under_metadata() -> None:
    obj = {"id": "a-3", "body": BODY, "section": "business", "tags": ["rates", "banks"], "n": 3}
    raw = decode(obj)
    assert isinstance(raw, RawArticle)
    assert raw.metadata == {"section": "business", "tags": ["rates", "banks"], "n": 3}


def test_known_keys_are_not_copied_into_metadata() -> None:
    raw = decode({"id": "a", "body": BODY, "headline": "H", "language": "en", "extra": 1})
    assert isinstance(raw, RawArticle)
    assert set(raw.metadata) == {"extra"}


def test_a_metadata_object_is_merged_into_metadata() -> None:
    """Where the format readers put `format`, `agency_guid`, …: not nested one level down.
    A top-level key wins over the same key inside `metadata`; a `metadata` that is not an
    object is kept as it is."""
    obj = {"id": "a", "body": BODY, "metadata": {"format": "ninjs", "n": 1}, "n": 2}
    raw = decode(obj)
    assert isinstance(raw, RawArticle)
    assert raw.metadata == {"format": "ninjs", "n": 2}
    raw = decode({"id": "a", "body": BODY, "metadata": ["x"]})
    assert isinstance(raw, RawArticle)
    assert raw.metadata == {"metadata": ["x"]}


# ---------------------------------------------------------------- ids


def test_missing_id_is_derived_from_the_content() -> None:
    raw = decode({"headline": "Rates rise", "body": BODY, "source": "Reuters"})
    assert isinstance(raw, RawArticle)
    assert raw.id
    assert raw.id == derive_id("Reuters", "Rates rise", BODY)


def test_derived_id_is_deterministic() -> None:
    obj = {"headline": "Rates rise", "body": BODY}
    first, second = decode(obj), decode(dict(obj))
    assert isinstance(first, RawArticle) and isinstance(second, RawArticle)
    assert first.id == second.id


@pytest.mark.parametrize(
    "change",
    [
        {"body": BODY + " Markets fell."},
        {"headline": "Rates rise again"},
        {"source": "AP"},
    ],
)
def test_derived_id_differs_for_different_content(change: dict[str, str]) -> None:
    base = {"headline": "Rates rise", "body": BODY, "source": "Reuters"}
    a, b = decode(base), decode({**base, **change})
    assert isinstance(a, RawArticle) and isinstance(b, RawArticle)
    assert a.id != b.id


def test_explicit_id_is_kept() -> None:
    raw = decode({"id": "reuters-123", "body": BODY})
    assert isinstance(raw, RawArticle)
    assert raw.id == "reuters-123"


# ---------------------------------------------------------------- rejections


@pytest.mark.parametrize("data", [b"{not json", b'{"body": "x"', b"", b"nul", b"{'body': 'x'}"])
def test_invalid_json(data: bytes) -> None:
    assert_rejected(decode_raw(data, max_bytes=MAX), "invalid_json")


@pytest.mark.parametrize(
    "data",
    [
        b'{"id": "x", "body": "caf\xe9 au lait"}',  # latin-1 byte
        b"\xff\xfe{\x00}\x00",  # UTF-16 with BOM
        b'{"body": "\xc3"}',  # truncated sequence
    ],
)
def test_not_utf8(data: bytes) -> None:
    assert_rejected(decode_raw(data, max_bytes=MAX), "not_utf8")


@pytest.mark.parametrize(
    "data", [b"[1, 2, 3]", b'[{"body": "x"}]', b"42", b'"a string"', b"null", b"true"]
)
def test_not_an_object(data: bytes) -> None:
    assert_rejected(decode_raw(data, max_bytes=MAX), "not_an_object")


@pytest.mark.parametrize(
    "obj",
    [
        {"id": "x", "body": 42},
        {"id": "x", "body": ["a", "b"]},
        {"id": "x", "body": {"text": BODY}},
        {"id": "x", "body": BODY, "headline": 7},
        {"id": "x", "body": BODY, "headline": ["Rates", "rise"]},
        {"id": "x", "body": BODY, "url": False},
        {"id": "x", "body": BODY, "published_at": "yesterday"},
        {"id": "x", "body": BODY, "published_at": "12/06/2024"},
        {"id": "x", "body": BODY, "published_at": 1717400000},
        {"id": 17, "body": BODY},
        {"id": "", "body": BODY},
        {"id": "x" * 257, "body": BODY},
    ],
)
def test_invalid_field(obj: dict[str, object]) -> None:
    assert_rejected(decode(obj), "invalid_field")


def test_invalid_field_keeps_a_valid_id() -> None:
    rejected = assert_rejected(decode({"id": "keep-me", "body": 1}), "invalid_field")
    assert rejected.id == "keep-me"


@pytest.mark.parametrize(
    "obj",
    [
        {"id": "x"},
        {"id": "x", "body": None},
        {"id": "x", "body": ""},
        {"id": "x", "body": "   "},
        {"id": "x", "body": "\n\t \n"},
    ],
)
def test_missing_body(obj: dict[str, object]) -> None:
    rejected = assert_rejected(decode(obj), "missing_body")
    assert rejected.id == "x"


def test_default_size_limit_is_two_megabytes() -> None:
    assert Settings().max_article_bytes == 2_000_000


def test_too_large_message() -> None:
    limit = Settings().max_article_bytes
    data = encode({"id": "big", "body": "word " * (limit // 5 + 10)})
    assert len(data) > limit
    assert_rejected(decode_raw(data, max_bytes=limit), "too_large")


def test_message_at_the_limit_is_not_too_large() -> None:
    data = encode({"id": "ok", "body": BODY})
    assert isinstance(decode_raw(data, max_bytes=len(data)), RawArticle)
    assert_rejected(decode_raw(data, max_bytes=len(data) - 1), "too_large")


def test_too_large_body_in_a_mapping() -> None:
    rejected = raw_from_mapping({"id": "big", "body": "é" * 600}, max_bytes=1000)
    assert_rejected(rejected, "too_large")  # 600 characters, 1,200 UTF-8 bytes


@pytest.mark.parametrize(
    "content_type", ["application/pdf", "image/png", "application/json", "text/markdown"]
)
def test_unsupported_content_type(content_type: str) -> None:
    obj = {"id": "x", "body": "<html><body>x</body></html>", "content_type": content_type}
    rejected = assert_rejected(decode(obj), "unsupported_content_type")
    assert rejected.id == "x"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "text/html", "TEXT/HTML", "text/plain; charset=utf-8"]
)
def test_supported_content_types(content_type: str) -> None:
    raw = decode({"id": "x", "body": BODY, "content_type": content_type})
    assert isinstance(raw, RawArticle)
    assert raw.content_type in ("text/plain", "text/html")


# ---------------------------------------------------------------- nesting, unserializable values


def nested(depth: int) -> bytes:
    """JSON text of an article whose metadata makes the document `depth` containers deep
    (the top object is the first), built as text so no encoder recursion is involved."""
    inner = depth - 1
    opens = "".join('{"k":' if level % 2 else "[" for level in range(inner))
    closes = "".join("}" if level % 2 else "]" for level in reversed(range(inner)))
    return f'{{"id": "deep", "body": "{BODY}", "extra": {opens}0{closes}}}'.encode()


def test_depth_limit_leaves_room_below_what_orjson_can_dump() -> None:
    # The enriched and stage records wrap metadata in a few more levels; orjson stops at 254.
    assert 16 <= MAX_DEPTH <= 128


def test_nesting_at_the_limit_is_accepted_and_dumps_again() -> None:
    raw = decode_raw(nested(MAX_DEPTH), max_bytes=MAX)
    assert isinstance(raw, RawArticle)
    wrapped = {"a": {"b": {"c": {"d": {"metadata": raw.metadata}}}}}  # records add levels
    assert orjson.loads(orjson.dumps(wrapped))["a"]["b"]["c"]["d"]["metadata"] == raw.metadata


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 255, 256, 600, 1024])
def test_nesting_over_the_limit_is_too_deep(depth: int) -> None:
    rejected = assert_rejected(decode_raw(nested(depth), max_bytes=MAX), "too_deep")
    assert rejected.id == "deep"
    assert str(MAX_DEPTH) in rejected.error


def test_nesting_orjson_cannot_even_load_is_invalid_json() -> None:
    assert_rejected(decode_raw(nested(1025), max_bytes=MAX), "invalid_json")


def test_depth_check_does_not_recurse() -> None:
    value: list[object] = []
    for _ in range(200_000):  # far past Python's recursion limit
        value = [value]
    rejected = raw_from_mapping({"id": "d", "body": BODY, "m": value}, max_bytes=MAX)
    assert_rejected(rejected, "too_deep")


def test_wide_shallow_metadata_is_fine() -> None:
    obj = {"id": "w", "body": BODY, "m": [{"k": [i, str(i)]} for i in range(20_000)]}
    assert isinstance(decode(obj), RawArticle)


@pytest.mark.parametrize(
    "text", ["1e400", "-1e400", "1" + "0" * 400, '"\\ud800"', '"a\\udc00b"', "NaN", "Infinity"]
)
def test_values_orjson_cannot_load_are_invalid_json(text: str) -> None:
    data = f'{{"id": "n", "body": "{BODY}", "x": {text}}}'.encode()
    assert_rejected(decode_raw(data, max_bytes=MAX), "invalid_json")


def test_huge_numbers_orjson_loads_are_kept_and_dump_again() -> None:
    data = (
        f'{{"id": "n", "body": "{BODY}", "big": {2**70}, "negzero": -0.0, "u64": {2**64 - 1}, '
        f'"i64": {-(2**63)}, "tiny": 1e-400, "digits": {"9" * 300}}}'
    ).encode()
    raw = decode_raw(data, max_bytes=MAX)
    assert isinstance(raw, RawArticle)
    assert raw.metadata["big"] == float(2**70)
    assert raw.metadata["u64"] == 2**64 - 1
    assert orjson.loads(orjson.dumps(raw.metadata)) == raw.metadata


@pytest.mark.parametrize(
    ("extra", "error_part"),
    [
        ({"m": "a\ud800b"}, "surrogate"),
        ({"m": {"k\udfff": 1}}, "surrogate"),
        ({"m": 2**64}, "64-bit"),
        ({"m": [-(2**63) - 1]}, "64-bit"),
        ({"m": {1: "int key"}}, "key"),
        ({"m": {"a", "set"}}, "set"),
        ({"m": b"bytes"}, "bytes"),
        ({"headline": "lone \ud83d surrogate"}, "surrogate"),
    ],
)
def test_values_orjson_cannot_dump_are_invalid_field(extra: dict, error_part: str) -> None:
    # Such values only come from Python callers (seed .json files, tests), never from orjson.
    obj = {"id": "v", "body": BODY, **extra}
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(obj)
    rejected = assert_rejected(raw_from_mapping(obj, max_bytes=MAX), "invalid_field")
    assert error_part in rejected.error
    assert rejected.id == "v"


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_invalid_field(number: float) -> None:
    # orjson would write null, silently changing the value; JSON has no such numbers.
    obj = {"id": "v", "body": BODY, "m": {"x": [number]}}
    assert orjson.loads(orjson.dumps(obj))["m"]["x"] == [None]
    assert_rejected(raw_from_mapping(obj, max_bytes=MAX), "invalid_field")


def test_seed_text_with_a_lone_surrogate_is_rejected() -> None:
    assert_rejected(
        raw_from_mapping(seed_fields("s", "Headline\nBody \udc80 text"), max_bytes=1 << 62),
        "invalid_field",
    )


# ---------------------------------------------------------------- seed text


def test_seed_text_first_line_is_headline() -> None:
    raw = raw_from_mapping(
        seed_fields("001_x", "Rates rise\n\nThe bank raised rates.\n"), max_bytes=1 << 62
    )
    assert isinstance(raw, RawArticle)
    assert raw.id == "001_x"
    assert raw.headline == "Rates rise"
    assert raw.body.strip() == "The bank raised rates."


def test_seed_text_bom_is_dropped() -> None:
    raw = raw_from_mapping(
        seed_fields("s", "\ufeffRates rise\nThe bank raised rates."), max_bytes=1 << 62
    )
    assert isinstance(raw, RawArticle)
    assert raw.headline == "Rates rise"


def test_seed_text_without_body_is_rejected() -> None:
    rejected = assert_rejected(
        raw_from_mapping(seed_fields("s", "Only a headline\n\n  \n"), max_bytes=1 << 62),
        "missing_body",
    )
    assert rejected.id == "s"


# ---------------------------------------------------------------- properties

# What parse and clean may answer for bad input; internal_error would mean a stage crashed.
EXPECTED_REASONS = {
    "xml_entities",  # bytes that start with "<" are read as an agency XML document
    "invalid_xml",
    "unsupported_format",
    "no_items",
    "multiple_items",
    "invalid_json",
    "not_utf8",
    "not_an_object",
    "invalid_field",
    "missing_body",
    "too_large",
    "unsupported_content_type",
    "empty_after_cleaning",
    "too_deep",
}
KEYS = ["id", "source", "url", "headline", "body", "content_type", "published_at", "language"]
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
texts = st.text(
    alphabet=st.sampled_from(
        list(string.ascii_letters + string.digits + " .,;:-–—’'\"“”()\n\t<>/&é€\u200b\u00a0")
    ),
    max_size=300,
)
article_like = st.fixed_dictionaries(
    {},
    optional={
        **{key: st.one_of(texts, json_values) for key in KEYS},
        "content_type": st.sampled_from(["text/plain", "text/html", "application/pdf", ""])
        | json_values,
        "published_at": st.sampled_from(["2024-06-03T08:00:00Z", "2024-13-45", ""]) | json_values,
        "extra": json_values,
    },
)


def check_prepared(result: object) -> None:
    assert isinstance(result, (CleanArticle, Rejected))
    if isinstance(result, Rejected):
        assert result.reason in EXPECTED_REASONS, result
    else:
        assert result.body.strip()
        assert result.id


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_prepare_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    check_prepared(prepare(data, CLEANER, max_bytes=1000))


@PROPERTY_SETTINGS
@given(json_values)
def test_prepare_never_raises_on_arbitrary_json(value: object) -> None:
    check_prepared(prepare(orjson.dumps(value), CLEANER, max_bytes=MAX))


@PROPERTY_SETTINGS
@given(
    st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), texts | json_values, max_size=10)
)
def test_prepare_never_raises_on_arbitrary_json_objects(obj: dict[str, object]) -> None:
    check_prepared(prepare(orjson.dumps(obj), CLEANER, max_bytes=MAX))


@PROPERTY_SETTINGS
@given(article_like)
def test_prepare_never_raises_on_article_like_objects(obj: dict[str, object]) -> None:
    check_prepared(prepare(orjson.dumps(obj), CLEANER, max_bytes=MAX))


@PROPERTY_SETTINGS
@given(article_like, st.integers(min_value=1, max_value=400))
def test_prepare_respects_small_limits(obj: dict[str, object], max_bytes: int) -> None:
    data = orjson.dumps(obj)
    result = prepare(data, CLEANER, max_bytes=max_bytes)
    check_prepared(result)
    if len(data) > max_bytes:
        assert isinstance(result, Rejected) and result.reason == "too_large"


@pytest.mark.parametrize("data", [encode({"id": "g", "body": BODY}), b"{broken"])
def test_decode_leaves_the_garbage_collector_as_it_found_it(data: bytes) -> None:
    import gc

    assert gc.isenabled()
    decode_raw(data, max_bytes=MAX)
    assert gc.isenabled()
    gc.disable()
    try:
        decode_raw(data, max_bytes=MAX)
        assert not gc.isenabled()
    finally:
        gc.enable()


# ---------------------------------------------------------------- agency documents as messages

FORMATS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


@pytest.mark.parametrize(
    ("name", "fmt", "headline_start"),
    [
        ("g2-story-v1.xml", "newsml-g2", "Bridge closed in Rotterdam"),
        ("nitf-3-2-latin1.xml", "nitf", ""),
        ("ninjs-1.json", "ninjs", ""),
    ],
)
def test_a_message_holding_one_agency_item_is_read_by_the_worker(
    name: str, fmt: str, headline_start: str
) -> None:
    """A producer of our own may send an agency document to the raw topic as it came."""
    raw = decode_raw((FORMATS_DIR / name).read_bytes(), max_bytes=1_000_000)
    assert isinstance(raw, RawArticle), raw
    assert raw.metadata["format"] == fmt
    assert raw.headline.startswith(headline_start)
    assert raw.body.strip()


def test_a_message_holding_several_agency_items_is_rejected_with_a_reason() -> None:
    data = (FORMATS_DIR / "g2-message-two-items.xml").read_bytes()
    rejected = decode_raw(data, max_bytes=1_000_000)
    assert isinstance(rejected, Rejected)
    assert rejected.reason == "multiple_items"
    assert "one per message" in rejected.error


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("billion-laughs.xml", "xml_entities"),
        ("external-entity.xml", "xml_entities"),
        ("malformed.xml", "invalid_xml"),
        ("g2-picture.xml", "missing_body"),
        ("rss-feed.xml", "unsupported_format"),
    ],
)
def test_hostile_or_unreadable_agency_messages_are_rejected(name: str, reason: str) -> None:
    rejected = decode_raw((FORMATS_DIR / name).read_bytes(), max_bytes=1_000_000)
    assert isinstance(rejected, Rejected)
    assert rejected.reason == reason
