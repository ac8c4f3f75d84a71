"""Decode raw input (bytes, JSON objects, seed text files) into validated `RawArticle`s.

Every input becomes either a `RawArticle` or a `Rejected` with a machine-readable reason;
nothing here raises for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
import xxhash

from newswire.core.records import RawArticle, Rejected

SUPPORTED_CONTENT_TYPES = ("text/plain", "text/html")
# In checking order, so error texts are stable.
KNOWN_KEYS = ("id", "source", "url", "headline", "body", "content_type", "published_at", "language")
MAX_ID_LENGTH = 256


def derive_id(source: str | None, headline: str, body: str) -> str:
    """A deterministic id from the content, so replays of id-less input stay idempotent."""
    digest = xxhash.xxh3_128_hexdigest(f"{source or ''}\x1f{headline}\x1f{body}".encode())
    return f"nw-{digest[:24]}"


def decode_raw(data: bytes, *, max_bytes: int) -> RawArticle | Rejected:
    """Bytes from the raw topic (JSON, UTF-8) → article or rejection."""
    if len(data) > max_bytes:
        return Rejected("too_large", f"message is {len(data)} bytes, the limit is {max_bytes}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejected("not_utf8", f"not valid UTF-8: {exc}")
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return Rejected("invalid_json", f"not valid JSON: {exc}")
    return raw_from_mapping(obj, max_bytes=max_bytes)


def _optional_str(obj: Mapping[str, Any], key: str) -> str | Rejected | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    return Rejected("invalid_field", f"field {key!r} must be a string, got {type(value).__name__}")


def raw_from_mapping(obj: object, *, max_bytes: int) -> RawArticle | Rejected:
    """A decoded JSON value → article or rejection (wrong types, missing body, …)."""
    if not isinstance(obj, Mapping):
        return Rejected("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
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
        metadata={k: v for k, v in obj.items() if k not in KNOWN_KEYS},
    )


def raw_from_seed_text(stem: str, text: str) -> RawArticle | Rejected:
    """Seed format: first line is the headline, the rest is the body; id = file stem."""
    headline, _, body = text.lstrip("\ufeff").partition("\n")
    if not body.strip():
        return Rejected("missing_body", "seed file has no body after the headline line", id=stem)
    return RawArticle(id=stem, body=body, headline=headline.strip())


def _safe_id(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("id")
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH else None


def _is_iso8601(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
