"""Syndication feeds (RSS 2.0, Atom 1.0, JSON Feed 1.0/1.1) → items → raw-article records.

Pure: bytes and a content type in, `ParsedFeed` or a `Rejected` with a reason out; nothing
here fetches or raises for bad input. RSS and Atom go through feedparser (its strict parser is
expat with external entities off; when a document is not well-formed it falls back to a
lenient one, which we accept only for undefined HTML entities such as `&nbsp;`, the common
flaw of real feeds). JSON Feed is read with orjson: feedparser does not know it.
"""

from __future__ import annotations

import html
import io
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
import xxhash

from newswire.core.formats.xmlsafe import declares_entities
from newswire.core.records import Rejected

FeedFormat = Literal["rss", "atom", "jsonfeed"]
# Items read from one document: a feed carries tens; thousands is a dump or an attack, and
# every item costs a state lookup and maybe a page fetch.
MAX_ITEMS = 1000
ID_PREFIX = "feed-"
_JSON_TYPES = ("application/feed+json", "application/json")
_JSONFEED_VERSION = "https://jsonfeed.org/version/"
_TAG = re.compile(r"<[A-Za-z/!]")


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str  # stable: from the guid, else the link (`item_id`)
    guid: str | None
    url: str | None
    headline: str
    body: str  # the full content if the feed has it, else the summary ("" if neither)
    content_type: str  # text/html or text/plain
    published_at: str | None  # ISO 8601
    language: str | None
    full: bool  # False: only a summary; the poller fetches `url` for the text


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    format: FeedFormat
    title: str
    items: tuple[FeedItem, ...]


def item_id(guid: str | None, link: str | None, fallback: str = "") -> str:
    """`feed-` + 24 hex of xxh3-128 of the guid, else the link. An item with neither is keyed
    by its content (`fallback`: headline and body), so it is at least stable while unchanged."""
    basis = guid or link or fallback
    return ID_PREFIX + xxhash.xxh3_128_hexdigest(basis.encode("utf-8", "surrogatepass"))[:24]


def parse_feed(data: bytes, content_type: str | None, *, max_bytes: int) -> ParsedFeed | Rejected:
    if len(data) > max_bytes:
        return Rejected("too_large", f"feed is {len(data)} bytes, the limit is {max_bytes}")
    media = (content_type or "").split(";")[0].strip().lower()
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if media in _JSON_TYPES or head.startswith(b"{"):
        return _parse_jsonfeed(data)
    if not head.startswith(b"<"):
        return Rejected("not_a_feed", f"neither XML nor JSON (content type {media or 'none'})")
    if declares_entities(data):
        return Rejected(
            "xml_entities", "the feed declares XML entities of its own (refused: entity bombs)"
        )
    return _parse_xml(data, content_type)


def _parse_xml(data: bytes, content_type: str | None) -> ParsedFeed | Rejected:
    import feedparser  # only needed for XML feeds

    headers = {"content-type": content_type} if content_type else {}
    # A file-like object: given a str or bytes, feedparser may treat it as a URL or a path.
    doc = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True)
    version = str(doc.get("version") or "")
    problem = doc.get("bozo_exception") if doc.get("bozo") else None
    if not version.startswith(("rss", "atom")):
        if problem is not None and "not an XML media type" not in str(problem):
            return Rejected("invalid_feed", f"not well-formed XML: {problem}")
        return Rejected("not_a_feed", "XML, but not RSS or Atom")
    # Other bozo causes (a charset the headers got wrong) are not the document's fault.
    malformed = problem is not None and type(problem).__name__ == "SAXParseException"
    if malformed and "undefined entity" not in str(problem):
        return Rejected("invalid_feed", f"not well-formed XML: {problem}")
    fmt: FeedFormat = "atom" if version.startswith("atom") else "rss"
    feed = doc.get("feed", {})
    language = _text(feed.get("language")) or None
    items = tuple(_xml_item(e, language) for e in doc.get("entries", [])[:MAX_ITEMS])
    return ParsedFeed(fmt, _text(feed.get("title")), items)


def _xml_item(entry: Any, language: str | None) -> FeedItem:
    contents = [c for c in entry.get("content") or [] if _text(c.get("value")).strip()]
    if contents:
        body, media = _text(contents[0].get("value")), contents[0].get("type")
    else:
        body = _text(entry.get("summary"))
        media = (entry.get("summary_detail") or {}).get("type")
    guid, link = _text(entry.get("id")) or None, _text(entry.get("link")) or None
    headline = _text(entry.get("title"))
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    content_type = "text/plain" if media == "text/plain" else "text/html"
    if content_type == "text/html" and not _TAG.search(body):
        # feedparser calls every RSS description HTML; one without a single tag is text (the
        # clean stage's HTML extraction finds no main text in a tagless fragment).
        body, content_type = html.unescape(body), "text/plain"
    return FeedItem(
        id=item_id(guid, link, f"{headline}\x1f{body}"),
        guid=guid,
        url=link,
        headline=headline,
        body=body,
        content_type=content_type,
        published_at=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", stamp) if stamp else None,
        language=language,
        full=bool(contents),
    )


def _parse_jsonfeed(data: bytes) -> ParsedFeed | Rejected:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return Rejected("invalid_feed", f"not valid JSON: {exc}")
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(_JSONFEED_VERSION):
        return Rejected("not_a_feed", "JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = doc.get("items")
    if not isinstance(items, list):
        return Rejected("invalid_feed", "JSON Feed without an items list")
    language = _text(doc.get("language")) or None  # 1.1
    parsed = tuple(
        _json_item(item, language) for item in items[:MAX_ITEMS] if isinstance(item, dict)
    )
    return ParsedFeed("jsonfeed", _text(doc.get("title")), parsed)


def _json_item(item: dict[str, Any], language: str | None) -> FeedItem:
    raw_id = item.get("id")
    # 1.0 feeds sometimes give numbers; the spec says a string, which is what we key on.
    guid = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None
    link = _text(item.get("url")) or _text(item.get("external_url")) or None
    headline = _text(item.get("title"))
    if markup := _text(item.get("content_html")).strip():
        body, media, full = markup, "text/html", True
    elif text := _text(item.get("content_text")).strip():
        body, media, full = text, "text/plain", True
    else:
        body, media, full = _text(item.get("summary")), "text/plain", False
    return FeedItem(
        id=item_id(guid or None, link, f"{headline}\x1f{body}"),
        guid=guid or None,
        url=link,
        headline=headline,
        body=body,
        content_type=media,
        published_at=_iso(item.get("date_published")) or _iso(item.get("date_modified")),
        language=_text(item.get("language")) or language,
        full=full,
    )


def raw_record(
    item: FeedItem,
    *,
    feed_url: str,
    fmt: FeedFormat,
    source: str | None = None,
    page_html: str | None = None,
    page_note: str | None = None,
) -> dict[str, Any]:
    """The raw-topic record of an item (the schema of core/decode.py). `page_html`: the
    fetched article page of a summary-only item, sent as text/html for the clean stage to
    extract (one extraction path for every HTML input, under the worker's time budget).
    `page_note`: why a wanted page is not there (the summary is sent instead)."""
    body, content_type = item.body, item.content_type
    metadata: dict[str, Any] = {"format": fmt, "feed": feed_url, "guid": item.guid}
    if page_html is not None:
        metadata["summary"] = item.body
        body, content_type = page_html, "text/html"
    if not item.full:
        metadata["page"] = "fetched" if page_html is not None else (page_note or "not_fetched")
    # An item with no text at all is sent too: the worker rejects it (missing_body) to the DLQ
    # under the item's id, so it has an outcome and is remembered, not dropped here.
    record: dict[str, Any] = {
        "id": item.id,
        "source": source or None,
        "url": item.url,
        "headline": item.headline,
        "body": body,
        "content_type": content_type,
        "published_at": item.published_at,
        "language": item.language,
    }
    # Unknown values left out: the raw schema types its fields as strings, not null.
    return {k: v for k, v in (record | metadata).items() if v is not None}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _iso(value: object) -> str | None:
    """RFC 3339 (JSON Feed's dates) as ISO 8601, else None: a bad date must not cost the item
    (decode.py rejects a record whose published_at does not parse)."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None
