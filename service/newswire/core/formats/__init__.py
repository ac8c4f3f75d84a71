"""Agency formats (IPTC ninjs, NewsML-G2, NITF) read into raw articles: one module per format,
each a pure function from parsed input to raw-schema mappings or a `Rejected`; hostile XML is
refused in `xmlsafe`.

`sniff` tells the format from the bytes (not from a file name, which a Kafka message has
not); `read` turns a document into its articles. Our own raw JSON, JSON lines and seed text
sniff as None: the caller decodes them as before.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from newswire.core.formats import newsml_g2, ninjs, nitf, xmlsafe
from newswire.core.records import Rejected

FORMATS = ("ninjs", "newsml-g2", "nitf")
SNIFF_BYTES = 65_536  # the root element of any real document starts well within this
_BOM = b"\xef\xbb\xbf"
_ROOT_NAME = re.compile(rb"[^\s/>]+")
_BY_ROOT = {"newsItem": "newsml-g2", "newsMessage": "newsml-g2", "nitf": "nitf"}


def _root_name(head: bytes) -> str | None:
    """The local name of the first element in `head`, skipping the XML declaration,
    processing instructions, comments and a DOCTYPE (with its internal subset). Every `find`
    starts where the last one ended or is bounded by the next `>`: linear in `head`."""
    pos = 0
    while (pos := head.find(b"<", pos)) >= 0:
        if head.startswith(b"<?", pos):
            end, width = head.find(b"?>", pos + 2), 2
        elif head.startswith(b"<!--", pos):
            end, width = head.find(b"-->", pos + 4), 3
        elif head.startswith(b"<!", pos):
            end, width = head.find(b">", pos), 1
            subset = head.find(b"[", pos, end) if end > 0 else -1
            if subset >= 0:  # the internal subset may hold `>`s: its end is `]>`
                end, width = head.find(b"]", subset), 1
                end = head.find(b">", end) if end >= 0 else -1
        else:
            match = _ROOT_NAME.match(head, pos + 1)
            if match is None:
                return None
            return match.group().rsplit(b":", 1)[-1].decode("utf-8", "replace")
        if end < 0:
            return None
        pos = end + width
    return None


def _json(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def _is_ninjs(obj: Any) -> bool:
    if isinstance(obj, list):  # an array of ninjs items (a feed page)
        return bool(obj) and all(ninjs.looks_like(item) for item in obj)
    return ninjs.looks_like(obj)


def _start(data: bytes) -> bytes:
    """The first bytes of the document proper: no BOM, no leading whitespace."""
    head = data[: SNIFF_BYTES + len(_BOM)]
    head = head.removeprefix(_BOM)
    return head.lstrip()


def sniff(data: bytes) -> str | None:
    """ "ninjs", "newsml-g2", "nitf", "xml" (some other XML, to refuse as unsupported) or None
    (JSON that is not ninjs — our raw schema, JSON lines —, seed text, anything else)."""
    head = _start(data)
    if head.startswith(b"<"):
        return _BY_ROOT.get(_root_name(head) or "", "xml")
    if head.startswith((b"{", b"[")) and _is_ninjs(_json(data.removeprefix(_BOM))):
        return "ninjs"
    return None


def read(data: bytes) -> list[dict[str, Any] | Rejected]:
    """The document's articles as raw-schema mappings (one entry, article or rejection, per
    item), or a single rejection for the whole document: `xml_entities`, `invalid_xml`,
    `invalid_json`, `unsupported_format`, `no_items` (an empty news message or ninjs array),
    `missing_body`. Size limits are the caller's, before this is called."""
    head = _start(data)
    if head.startswith(b"<"):
        root = xmlsafe.parse(data)
        if isinstance(root, Rejected):
            return [root]
        # By the parsed root, not the sniffed one: a long prolog can hide it from `sniff`.
        name = xmlsafe.local(root.tag)
        if name in newsml_g2.ROOTS:
            return newsml_g2.read_root(root)
        if name == "nitf":
            return [nitf.to_raw(root)]
        return [Rejected("unsupported_format", f"XML with a <{name}> root is not a wire format")]
    if head.startswith((b"{", b"[")):
        try:
            obj = orjson.loads(data.removeprefix(_BOM))  # orjson refuses a BOM
        except orjson.JSONDecodeError as exc:
            return [Rejected("invalid_json", f"not valid JSON: {exc}")]
        if obj == []:
            return [Rejected("no_items", "an empty JSON array")]
        if _is_ninjs(obj):
            # ninjs 2.x `associations` (pictures, related items) are not read: not text.
            return [ninjs.to_raw(item) for item in (obj if isinstance(obj, list) else [obj])]
        return [Rejected("unsupported_format", "JSON that is not IPTC ninjs")]
    return [Rejected("unsupported_format", "neither XML nor JSON")]
