"""IPTC ninjs (1.x and 2.x JSON) → raw articles (input schema v1).

ninjs 1.x: `uri`, `headline`, `body_text` / `body_html`, `byline`, `located`, `language`,
`versioncreated`, `version`, `subject`. ninjs 2.x: `headlines` and `bodies` lists (by `role`,
with a `contenttype`), `by`, `located`, `subjects`. The agency's story identity (`uri`) and
`version` go into `metadata` (`agency_guid`, `agency_version`), where the dedupe stage takes
them as facts; the rest of what ninjs says that the raw schema has no field for is kept under
`metadata` too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import xxhash

from newswire.core.records import Rejected

FORMAT = "ninjs"
_TEXT_ROLES = ("main", "richtext")
_BODY_KEYS = (
    "body_text",
    "body_html",
    "body_xhtml",
    "bodies",
)  # a body of the story itself, not a summary or a caption


def looks_like(obj: Any) -> bool:
    """A JSON object that is ninjs rather than our own raw schema."""
    return (
        isinstance(obj, Mapping)
        and "body" not in obj
        and ("uri" in obj or "guid" in obj)
        and any(k in obj for k in (*_BODY_KEYS, "headline", "headlines"))
    )


def _pick(items: Any, roles: tuple[str, ...]) -> Mapping[str, Any] | None:
    if not isinstance(items, list):
        return None
    candidates = [i for i in items if isinstance(i, Mapping) and isinstance(i.get("value"), str)]
    for role in roles:
        for item in candidates:
            if item.get("role", "main") == role:
                return item
    return candidates[0] if candidates else None


def _is_html(body: Mapping[str, Any]) -> bool:
    # "text/html", "application/xhtml+xml", and "body_xhtml" as IPTC's own 2.x examples say
    return "html" in str(body.get("contenttype") or "").lower()


def _body(obj: Mapping[str, Any]) -> tuple[str, str] | None:
    """(body, content type): HTML over plain text, as it keeps the paragraphs. ninjs 1.x has
    `body_html` (1.4 on), `body_xhtml` (1.0-1.3) and `body_text`; 2.x a list of `bodies`, where
    IPTC's examples put the text in the `main` one and its XHTML in a `richtext` one."""
    for key in ("body_html", "body_xhtml"):
        if isinstance(obj.get(key), str) and obj[key].strip():
            return obj[key], "text/html"
    if isinstance(obj.get("body_text"), str) and obj["body_text"].strip():
        return obj["body_text"], "text/plain"
    bodies = obj.get("bodies")
    if isinstance(bodies, list):
        rich = [
            b
            for b in bodies
            if isinstance(b, Mapping) and _is_html(b) and b.get("role", "main") in _TEXT_ROLES
        ]
        body = _pick(rich, ("main", "richtext")) if rich else None
        body = body if body is not None and body["value"].strip() else _pick(bodies, ("main", ""))
        if body is not None and body["value"].strip():
            return body["value"], "text/html" if _is_html(body) else "text/plain"
    return None


def _headline(obj: Mapping[str, Any]) -> str:
    if isinstance(obj.get("headline"), str):
        return obj["headline"]
    found = _pick(obj.get("headlines"), ("main", ""))
    return found["value"] if found else ""


def to_raw(obj: Mapping[str, Any]) -> dict[str, Any] | Rejected:
    """One ninjs item as a raw-schema mapping, or why not."""
    body = _body(obj)
    if body is None:
        return Rejected("missing_body", "ninjs item without body_text, body_html or bodies")
    uri = str(obj.get("uri") or obj.get("guid") or "")
    version = obj.get("version")
    metadata: dict[str, Any] = {"format": FORMAT, "agency_guid": uri}
    if version is not None:
        metadata["agency_version"] = str(version)
    for key in ("by", "byline", "located", "type", "pubstatus", "urgency", "copyrightholder"):
        if obj.get(key) not in (None, "", [], {}):
            metadata[key] = obj[key]
    subjects = obj.get("subjects", obj.get("subject"))
    if isinstance(subjects, list) and subjects:
        metadata["subjects"] = subjects
    digest = xxhash.xxh3_64_hexdigest(uri.encode("utf-8", "surrogatepass"))
    raw: dict[str, Any] = {
        "id": f"ninjs-{digest}-v{version}" if version is not None else f"ninjs-{digest}",
        "headline": _headline(obj),
        "body": body[0],
        "content_type": body[1],
        "metadata": metadata,
    }
    if isinstance(obj.get("versioncreated"), str):
        raw["published_at"] = obj["versioncreated"]
    if isinstance(obj.get("language"), str):
        raw["language"] = obj["language"]
    return raw
