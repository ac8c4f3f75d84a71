"""An agency document as raw-topic messages: one per article, each either our raw JSON (the
format read, `metadata.format` set) or, when the article cannot be read, its own bytes as
they came — the worker reads them with the same readers and sends the reason to the DLQ, so
a file's bad item has an outcome of its own instead of vanishing in the producer.

A newsMessage is split into its newsItems (each serialized on its own, namespaces kept) and a
ninjs array into its objects before reading, so one bad item never takes its siblings with it.
"""

from __future__ import annotations

from typing import Any

import orjson
from lxml import etree

from newswire.core import formats
from newswire.core.formats import xmlsafe
from newswire.core.records import Rejected


def split(data: bytes, fmt: str) -> list[bytes]:
    """The document's items as standalone documents (the document itself if it is one)."""
    if fmt == "ninjs":
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            return [data]
        return [orjson.dumps(item) for item in value] if isinstance(value, list) else [data]
    if fmt == "newsml-g2":
        root = xmlsafe.parse(data)
        if isinstance(root, Rejected) or xmlsafe.local(root.tag) != "newsMessage":
            return [data]
        items = [e for e in root.iter() if xmlsafe.local(e.tag) == "newsItem"]
        return [etree.tostring(item, encoding="utf-8", xml_declaration=True) for item in items]
    return [data]


def to_messages(data: bytes) -> list[bytes] | None:
    """Raw-topic messages for an agency document, or None if `data` is not one (our own raw
    JSON, seed text: the caller's to handle as before)."""
    fmt = formats.sniff(data)
    if fmt is None:
        return None
    try:
        pieces = split(data, fmt)
    except Exception:  # a reader's bug: as in _message, the worker gives the reason
        return [data]
    if not pieces:  # an empty newsMessage: the worker rejects it as no_items
        return [data]
    return [_message(piece) for piece in pieces]


def _message(piece: bytes) -> bytes:
    try:
        items: list[dict[str, Any] | Rejected] = formats.read(piece)
        if len(items) == 1 and isinstance(items[0], dict):
            return orjson.dumps(items[0])
    except Exception:  # a reader's bug must not stop a replay
        pass  # sent as it came: the worker meets the same failure and dead-letters it
    return piece
