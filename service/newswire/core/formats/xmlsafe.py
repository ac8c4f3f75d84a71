"""XML from untrusted agencies, parsed with everything dangerous off (lxml).

No DTD is loaded and no entity is expanded, nothing is fetched from the network, and tree size
limits stay on. A document that declares entities of its own (the billion-laughs bomb, an
external-entity file read) is refused with a reason instead of being parsed around: a wire
format never needs them. NITF's `<!DOCTYPE nitf SYSTEM "nitf-3-2.dtd">` (no internal subset)
is fine and is not fetched.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from newswire.core.records import Rejected

# An internal DTD subset with an ENTITY declaration, anywhere before the root element.
_ENTITY_DECLARATION = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE | re.DOTALL)
PROLOG_BYTES = 65_536  # an entity declaration must come before the root: look no further


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(data: bytes) -> Any:
    """The root element of `data`, or a `Rejected` (`xml_entities` or `invalid_xml`)."""
    if _ENTITY_DECLARATION.search(data[:PROLOG_BYTES]):
        return Rejected(
            "xml_entities",
            "the XML declares entities of its own (a DTD internal subset): refused, a wire "
            "format does not need them and they are how entity bombs and file reads work",
        )
    try:
        return etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        return Rejected("invalid_xml", f"not well-formed XML: {exc}")


def local(tag: Any) -> str:
    """An element's name without its namespace ("{http://iptc.org/std/nar/2006-10-01/}newsItem"
    → "newsItem"); comments and processing instructions have none."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def text_of(element: Any) -> str:
    """All the text inside `element`, tags dropped, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""
