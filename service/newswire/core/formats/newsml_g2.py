"""IPTC NewsML-G2 (`newsItem`, or a `newsMessage` carrying several) → raw articles (input
schema v1).

A news item's `guid` and `version` are the agency's story identity and revision: they go into
`metadata` (`agency_guid`, `agency_version`), where the dedupe stage takes them as facts, and
make the id (`g2-<xxh3_64(guid)>-v<version>`, as ninjs does). The text is the first usable
rendition in `contentSet`: inline XHTML or NITF (as HTML), else `inlineData` (plain text). An
item without one (a picture, a video, only `remoteContent`) is refused as `missing_body`;
package, concept, knowledge and planning items in a news message are not articles and are
skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import xxhash

from newswire.core.formats import nitf, xmlsafe
from newswire.core.formats.xmlsafe import attr, child, children, local, text_of
from newswire.core.records import Rejected

FORMAT = "newsml-g2"
ROOTS = ("newsItem", "newsMessage")


def read_root(root: Any) -> list[dict[str, Any] | Rejected]:
    """The articles of a parsed `newsItem` or `newsMessage`, one entry (article or rejection)
    per news item; a single `no_items` rejection for a message without news items."""
    name = local(root.tag)
    if name == "newsItem":
        return [to_raw(root)]
    if name != "newsMessage":
        return [Rejected("unsupported_format", f"a <{name}> is not a NewsML-G2 news item")]
    items = [i for s in children(root, "itemSet") for i in children(s, "newsItem")]
    if not items:
        return [Rejected("no_items", "the NewsML-G2 news message carries no news item")]
    return [to_raw(item) for item in items]


def _iso(value: str | None) -> str | None:
    # A malformed date would fail the whole item in the raw-schema check: drop it instead, the
    # pipeline falls back on the dateline.
    if not value:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _is_main(role: str | None) -> bool:
    # Roles are QCodes ("hlrole:main") or plain words; no role means the headline.
    return role is None or role.rsplit(":", 1)[-1] == "main"


def _headline(meta: Any) -> str:
    headlines = list(children(meta, "headline"))
    main = next((h for h in headlines if _is_main(attr(h, "role")) and text_of(h)), None)
    found = main if main is not None else next((h for h in headlines if text_of(h)), None)
    return text_of(found)


def _name(element: Any) -> str:
    return text_of(child(element, "name"))


def _subjects(meta: Any) -> list[dict[str, str]]:
    found = []
    for subject in children(meta, "subject"):
        entry = {
            "qcode": attr(subject, "qcode"),
            "uri": attr(subject, "uri"),
            "literal": attr(subject, "literal"),
            "type": attr(subject, "type"),
            "name": _name(subject),
        }
        if entry := {k: v for k, v in entry.items() if v}:
            found.append(entry)
    return found


def _body(content_set: Any) -> tuple[str, str, nitf.NitfBody | None] | None:
    """(body, content type, the NITF body when the text is NITF): rich text first, as it keeps
    the paragraphs, in the agency's order within each kind."""
    for inline in children(content_set, "inlineXML"):
        for document in inline:
            kind = local(document.tag)
            if kind == "nitf":
                found = nitf.read_body(document)
                if text_of(child(document, "body", "body.content")):
                    return found.html, "text/html", found
            elif kind == "html" and text_of(body := child(document, "body")):
                return xmlsafe.inner_html(body), "text/html", None
    for inline in children(content_set, "inlineData"):
        # Base64 or other encoded data is not article text.
        if attr(inline, "encoding") is None and (text := (inline.text or "").strip()):
            kind = (attr(inline, "contenttype") or "text/plain").split(";")[0].lower()
            return text, "text/html" if "html" in kind else "text/plain", None
    return None


def _metadata(item: Any, meta: Any, item_meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    texts = {
        "by": text_of(child(meta, "by")),
        "creditline": text_of(child(meta, "creditline")),
        "dateline": text_of(child(meta, "dateline")),
        "located": _name(child(meta, "located")),
        "slugline": text_of(child(meta, "slugline")),
        "copyright": text_of(child(item, "rightsInfo", "copyrightNotice")),
        "copyrightholder": _name(child(item, "rightsInfo", "copyrightHolder")),
        "itemclass": attr(child(item_meta, "itemClass"), "qcode"),
        "pubstatus": attr(child(item_meta, "pubStatus"), "qcode"),
    }
    metadata.update((k, v) for k, v in texts.items() if v)
    if creators := [n for c in children(meta, "creator") if (n := _name(c))]:
        metadata["creators"] = creators
    if level := text_of(child(meta, "urgency")):
        metadata["urgency"] = xmlsafe.urgency(level)
    if subjects := _subjects(meta):
        metadata["subjects"] = subjects
    return metadata


def to_raw(item: Any) -> dict[str, Any] | Rejected:
    """One parsed `newsItem` element as a raw-schema mapping, or why not."""
    guid = attr(item, "guid")
    version = attr(item, "version")
    article_id = None
    if guid:
        digest = xxhash.xxh3_64_hexdigest(guid.encode("utf-8", "surrogatepass"))
        article_id = f"g2-{digest}-v{version}" if version else f"g2-{digest}"
    meta = child(item, "contentMeta")
    item_meta = child(item, "itemMeta")
    found = _body(child(item, "contentSet"))
    if found is None:
        kind = attr(child(item_meta, "itemClass"), "qcode") or "no itemClass"
        return Rejected(
            "missing_body",
            f"NewsML-G2 news item ({kind}) without inline text (inlineXML XHTML or NITF, or "
            "inlineData)",
            id=article_id,
        )
    body, content_type, nitf_body = found
    metadata: dict[str, Any] = {"format": FORMAT}
    if guid:
        metadata["agency_guid"] = guid
    if version:
        metadata["agency_version"] = version
    metadata.update(_metadata(item, meta, item_meta))
    headline = _headline(meta)
    if nitf_body is not None:  # NITF's own head fills what contentMeta leaves out
        headline = headline or nitf_body.headline
        if nitf_body.by:
            metadata.setdefault("by", nitf_body.by)
        if location := nitf_body.dateline.get("location"):
            metadata.setdefault("located", location)
        if text := nitf_body.dateline.get("text"):
            metadata.setdefault("dateline", text)
    raw: dict[str, Any] = {
        "headline": headline,
        "body": body,
        "content_type": content_type,
        "metadata": metadata,
    }
    if article_id:  # else the pipeline derives one from the content
        raw["id"] = article_id
    created = _iso(text_of(child(item_meta, "versionCreated")))
    if published := created or _iso(text_of(child(item_meta, "firstCreated"))):
        raw["published_at"] = published
    language = attr(child(meta, "language"), "tag") or attr(item, xmlsafe.XML_LANG)
    if language:
        raw["language"] = language
    return raw
