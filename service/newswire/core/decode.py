"""Decode raw input (bytes, JSON objects, seed text files) into validated `RawArticle`s.

Every input becomes either a `RawArticle` or a `Rejected` with a machine-readable reason;
nothing here raises for bad input.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson
import xxhash

from newswire.core import formats
from newswire.core.formats import ninjs
from newswire.core.records import RawArticle, Rejected

SUPPORTED_CONTENT_TYPES = ("text/plain", "text/html")
# In checking order, so error texts are stable.
KNOWN_KEYS = ("id", "source", "url", "headline", "body", "content_type", "published_at", "language")
MAX_ID_LENGTH = 256
# Containers nested deeper than this are rejected (`too_deep`). Real wire metadata nests a few
# levels; orjson refuses to dump past 254 levels, and the stage and output records wrap the
# metadata in up to four more, so 64 leaves a wide margin on both sides.
MAX_DEPTH = 64
_INT_RANGE = (-(2**63), 2**64 - 1)  # what orjson can dump
_SURROGATE = re.compile("[\ud800-\udfff]")


def derive_id(source: str | None, headline: str, body: str) -> str:
    """A deterministic id from the content, so replays of id-less input stay idempotent."""
    digest = xxhash.xxh3_128_hexdigest(f"{source or ''}\x1f{headline}\x1f{body}".encode())
    return f"nw-{digest[:24]}"


def decode_raw(data: bytes, *, max_bytes: int) -> RawArticle | Rejected:
    """Bytes from the raw topic (JSON, UTF-8) → article or rejection."""
    if len(data) > max_bytes:
        return Rejected("too_large", f"message is {len(data)} bytes, the limit is {max_bytes}")
    if _looks_like_xml(data):  # before UTF-8: an XML document may declare another encoding
        return _from_document(data, max_bytes=max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejected("not_utf8", f"not valid UTF-8: {exc}")
    # A message may hold hundreds of thousands of containers; the cyclic GC would walk the
    # whole heap (a loaded model, in a worker) several times while they are created, and a
    # freshly decoded JSON tree has no cycles to find.
    collecting = gc.isenabled()
    gc.disable()
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return Rejected("invalid_json", f"not valid JSON: {exc}")
    finally:
        if collecting:
            gc.enable()
    if ninjs.looks_like(obj):  # an agency's ninjs item, sent to the raw topic as it came
        return _from_document(data, max_bytes=max_bytes)
    # orjson's scalars always dump again: only the nesting needs a look.
    return _from_mapping(obj, max_bytes=max_bytes, scalars=False)


def _looks_like_xml(data: bytes) -> bool:
    return data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def _from_document(data: bytes, *, max_bytes: int) -> RawArticle | Rejected:
    """An agency document (NewsML-G2, NITF, ninjs) in one message: its one article, read by
    the format's reader (core/formats), or why not. A producer that has a document of several
    items sends them one per message (`newswire replay` splits them)."""
    items = formats.read(data)
    if len(items) != 1:
        return Rejected(
            "multiple_items",
            f"one message holds {len(items)} articles: send one per message "
            "(newswire replay and poll split a newsMessage or a ninjs array)",
        )
    item = items[0]
    if isinstance(item, Rejected):
        return item
    return _from_mapping(item, max_bytes=max_bytes, scalars=True)


def _optional_str(obj: Mapping[str, Any], key: str) -> str | Rejected | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    return Rejected("invalid_field", f"field {key!r} must be a string, got {type(value).__name__}")


def raw_from_mapping(obj: object, *, max_bytes: int) -> RawArticle | Rejected:
    """A decoded JSON value → article or rejection (wrong types, missing body, …)."""
    return _from_mapping(obj, max_bytes=max_bytes, scalars=True)


def _from_mapping(obj: object, *, max_bytes: int, scalars: bool) -> RawArticle | Rejected:
    if not isinstance(obj, Mapping):
        return Rejected("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
    whole = obj if isinstance(obj, dict) else dict(obj)
    if (problem := unserializable(whole, scalars=scalars)) is not None:
        return Rejected(problem[0], problem[1], id=_safe_id(obj))
    fields: dict[str, str | None] = {}
    for key in KNOWN_KEYS:
        value = _optional_str(obj, key)
        if isinstance(value, Rejected):
            return Rejected(value.reason, value.error, id=_safe_id(obj))
        fields[key] = value
    article_id = fields["id"]
    body = fields["body"]
    if body is None or not body.strip():
        return Rejected("missing_body", "field 'body' is missing or empty", id=article_id)
    if len(body.encode("utf-8", "surrogatepass")) > max_bytes:
        return Rejected("too_large", f"body exceeds {max_bytes} bytes", id=article_id)
    content_type = (fields["content_type"] or "text/plain").split(";")[0].strip().lower()
    if content_type not in SUPPORTED_CONTENT_TYPES:
        return Rejected(
            "unsupported_content_type",
            f"content_type {content_type!r} is not one of {', '.join(SUPPORTED_CONTENT_TYPES)}",
            id=article_id,
        )
    published_at = fields["published_at"]
    if published_at is not None and not _is_iso8601(published_at):
        return Rejected(
            "invalid_field", f"published_at {published_at!r} is not ISO 8601", id=article_id
        )
    headline = fields["headline"] or ""
    if article_id is not None and not (0 < len(article_id) <= MAX_ID_LENGTH):
        return Rejected("invalid_field", f"id must be 1–{MAX_ID_LENGTH} characters", id=None)
    return RawArticle(
        id=article_id or derive_id(fields["source"], headline, body),
        body=body,
        headline=headline,
        source=fields["source"],
        url=fields["url"],
        content_type=content_type,
        published_at=published_at,
        language=fields["language"],
        metadata=_metadata(obj),
    )


def _metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Every key the schema has no field for, and the entries of a `metadata` object (where
    the format readers put what they keep: `format`, `agency_guid`, `agency_version`, …)."""
    extra = {k: v for k, v in obj.items() if k not in KNOWN_KEYS}
    nested = extra.get("metadata")
    if isinstance(nested, dict):
        del extra["metadata"]
        return {**nested, **extra}
    return extra


def unserializable(value: object, *, scalars: bool = True) -> tuple[str, str] | None:
    """(reason, error) if orjson could not dump `value` again, else None: containers nested
    over MAX_DEPTH (`too_deep`), lone surrogates, integers beyond 64 bits, non-finite floats,
    non-string keys or non-JSON types (`invalid_field`). `scalars=False` checks the nesting
    only (orjson's own output: its scalars always dump). Level by level, no recursion; linear
    in the value's size."""
    level, depth = [value], 0
    while level:
        depth += 1
        following: list[object] = []
        for item in level:
            if isinstance(item, dict):
                if scalars and (problem := _key_problem(item)):
                    return problem
                children: Iterable[object] = item.values()
            elif isinstance(item, list | tuple):
                children = item
            else:
                if scalars and (problem := _scalar_problem(item)):
                    return problem
                continue
            if depth > MAX_DEPTH:
                return "too_deep", f"nested more than {MAX_DEPTH} levels deep"
            following.extend(children)
        level = following
    return None


def _key_problem(obj: dict[object, object]) -> tuple[str, str] | None:
    for key in obj:
        if not isinstance(key, str):
            return "invalid_field", f"object key {key!r} is not a string"
        if _SURROGATE.search(key):
            return "invalid_field", "an object key contains a lone surrogate"
    return None


def _scalar_problem(item: object) -> tuple[str, str] | None:
    if isinstance(item, str):
        if _SURROGATE.search(item):
            return "invalid_field", "a string contains a lone surrogate (not valid Unicode)"
    elif isinstance(item, bool) or item is None:
        pass
    elif isinstance(item, int):
        if not _INT_RANGE[0] <= item <= _INT_RANGE[1]:
            return "invalid_field", "an integer is outside the 64-bit range"
    elif isinstance(item, float):
        if not math.isfinite(item):
            return "invalid_field", f"number {item!r} is not finite"
    else:
        return "invalid_field", f"a value of type {type(item).__name__} is not JSON"
    return None


def seed_fields(stem: str, text: str) -> dict[str, str]:
    """The seed .txt format as raw-article fields: the first line is the headline, the rest
    the body; the id is the file stem. (One rule for the reader and the tests.)"""
    headline, _, body = text.lstrip("\ufeff").partition("\n")
    return {"id": stem, "headline": headline.strip(), "body": body}


def _safe_id(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("id")
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH else None


def _is_iso8601(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
