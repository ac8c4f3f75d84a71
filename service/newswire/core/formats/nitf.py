"""IPTC NITF 3.x (`<nitf>`, with or without the `http://iptc.org/std/NITF/2006-10-18/`
namespace) → raw articles (input schema v1).

The body (`body/body.content`) becomes HTML; `body.head` gives the headline (`hedline/hl1`),
byline and dateline; `head/docdata` the agency's document id (`doc-id/@id-string`), version
(`du-key/@version`), issue date (`date.issue/@norm`), urgency and copyright; `head/tobject`
the IPTC subject codes. `read_body` is shared with NewsML-G2, which carries NITF inline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import xxhash

from newswire.core.formats import xmlsafe
from newswire.core.formats.xmlsafe import attr, child, children, text_of
from newswire.core.records import Rejected

FORMAT = "nitf"
# Not article text: pictures with their captions, editors' notes, notes to the desk.
_NOT_TEXT = frozenset({"media", "ed", "note"})
# NITF's ISO 8601 basic form: 20240101, 20240101T1200, 20240101T120000Z, …T120000+0100.
_BASIC_DATE = re.compile(
    r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)


@dataclass(frozen=True, slots=True)
class NitfBody:
    """What an NITF `<body>` says: its text as HTML and the `body.head` fields."""

    html: str
    headline: str = ""
    by: str = ""
    dateline: dict[str, str] = field(default_factory=dict)
    abstract: str = ""


def read_body(nitf: Any) -> NitfBody:
    """The `<body>` of an `<nitf>` element (also used for NITF inside NewsML-G2)."""
    body = child(nitf, "body")
    head = child(body, "body.head")
    dateline: dict[str, str] = {}
    if (found := child(head, "dateline")) is not None:
        dateline = {"text": text_of(found)}
        if location := text_of(child(found, "location")):
            dateline["location"] = location
        if (date := child(found, "story.date")) is not None:
            norm = attr(date, "norm")
            dateline["date"] = iso_date(norm) or norm or text_of(date)
        dateline = {k: v for k, v in dateline.items() if v}
    # Several bylines are allowed; the first non-empty one is the author line.
    bylines = (text_of(b) for b in children(head, "byline"))
    return NitfBody(
        html=xmlsafe.inner_html(child(body, "body.content"), drop=_NOT_TEXT),
        headline=text_of(child(head, "hedline", "hl1")),
        by=next((b for b in bylines if b), ""),
        dateline=dateline,
        abstract=text_of(child(head, "abstract")),
    )


def iso_date(norm: str | None) -> str | None:
    """An NITF `norm` date as ISO 8601 (`20240101T120000+0000` → `2024-01-01T12:00:00+00:00`),
    or None when it is not a date: an unparseable date would fail the whole article in the
    raw-schema check, and the pipeline can fall back on the dateline."""
    if not norm:
        return None
    text = norm.strip()
    if match := _BASIC_DATE.fullmatch(text):
        year, month, day, hour, minute, second, zone = match.groups()
        text = f"{year}-{month}-{day}"
        if hour is not None:
            text += f"T{hour}:{minute}:{second or '00'}"
            if zone and zone != "Z" and ":" not in zone:
                zone = f"{zone[:3]}:{zone[3:]}"
            text += zone or ""
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return text


def _language(nitf: Any) -> str | None:
    head = child(nitf, "head")
    for element in (nitf, head, child(nitf, "body"), child(nitf, "body", "body.content")):
        if element is not None and (lang := attr(element, xmlsafe.XML_LANG)):
            return lang
    if baselang := attr(nitf, "baselang"):  # NITF's own attribute on the root
        return baselang
    for meta in children(head, "meta"):  # `<meta name="language" content="en"/>` by some feeds
        if (attr(meta, "name") or "").lower() in ("language", "lang"):
            return attr(meta, "content")
    return None


def _subjects(head: Any) -> list[dict[str, str]]:
    found = []
    for tobject in children(head, "tobject"):
        for subject in children(tobject, "tobject.subject"):
            refnum = attr(subject, "tobject.subject.refnum")
            name = next(
                (
                    value
                    for key in ("detail", "matter", "type")
                    if (value := attr(subject, f"tobject.subject.{key}"))
                ),
                None,
            )
            entry = {"qcode": f"subj:{refnum}" if refnum else None, "name": name}
            if entry := {k: v for k, v in entry.items() if v}:
                found.append(entry)
    return found


def to_raw(nitf: Any) -> dict[str, Any] | Rejected:
    """One parsed `<nitf>` document as a raw-schema mapping, or why not."""
    head = child(nitf, "head")
    docdata = child(head, "docdata")
    guid = attr(child(docdata, "doc-id"), "id-string")
    version = attr(child(docdata, "du-key"), "version")
    article_id = None
    if guid:
        digest = xxhash.xxh3_64_hexdigest(guid.encode("utf-8", "surrogatepass"))
        article_id = f"nitf-{digest}-v{version}" if version else f"nitf-{digest}"
    body = read_body(nitf)
    if not text_of(child(nitf, "body", "body.content")):
        return Rejected("missing_body", "NITF document without text in body.content", id=article_id)
    metadata: dict[str, Any] = {"format": FORMAT}
    if guid:
        metadata["agency_guid"] = guid
    if version:
        metadata["agency_version"] = version
    if body.by:
        metadata["by"] = body.by
    if "text" in body.dateline:
        metadata["dateline"] = body.dateline["text"]
        if "location" in body.dateline:
            metadata["located"] = body.dateline["location"]
        if "date" in body.dateline:
            metadata["dateline_date"] = body.dateline["date"]
    if body.abstract:
        metadata["abstract"] = body.abstract
    if subjects := _subjects(head):
        metadata["subjects"] = subjects
    if level := attr(child(docdata, "urgency"), "ed-urg"):
        metadata["urgency"] = xmlsafe.urgency(level)
    if (rights := child(docdata, "doc.copyright")) is not None:
        for key, name in (("holder", "copyrightholder"), ("year", "copyright_year")):
            if value := attr(rights, key):
                metadata[name] = value
    raw: dict[str, Any] = {
        "headline": body.headline or text_of(child(head, "title")),
        "body": body.html,
        "content_type": "text/html",
        "metadata": metadata,
    }
    if article_id:  # else the pipeline derives one from the content
        raw["id"] = article_id
    issued = iso_date(attr(child(docdata, "date.issue"), "norm"))
    if issued := issued or iso_date(attr(child(docdata, "date.release"), "norm")):
        raw["published_at"] = issued
    if language := _language(nitf):
        raw["language"] = language
    return raw
