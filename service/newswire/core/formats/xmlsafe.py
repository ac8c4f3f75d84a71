"""XML from untrusted agencies, parsed with everything dangerous off (lxml).

No DTD is loaded and no entity is expanded, nothing is fetched from the network, and tree size
limits stay on. A document that declares entities of its own (the billion-laughs bomb, an
external-entity file read) is refused with a reason instead of being parsed around: a wire
format never needs them. NITF's `<!DOCTYPE nitf SYSTEM "nitf-3-2.dtd">` (no internal subset)
is fine and is not fetched.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from lxml import etree

from newswire.core.records import Rejected

PROLOG_BYTES = 65_536  # an entity declaration must come before the root: look no further
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def declares_entities(data: bytes) -> bool:
    """Whether an ENTITY declaration follows a DOCTYPE in the first PROLOG_BYTES. Two `find`s
    over a lower-cased copy: linear, where a regex over `<!DOCTYPE[` repeats backtracked
    quadratically. Entities can only be declared in a DTD, so `<!ENTITY` text elsewhere (a
    CDATA section after a DOCTYPE) is a false alarm a wire format will not raise."""
    prolog = data[:PROLOG_BYTES].lower()
    doctype = prolog.find(b"<!doctype")
    return doctype >= 0 and prolog.find(b"<!entity", doctype) >= 0


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
    if declares_entities(data):
        return Rejected(
            "xml_entities",
            "the XML declares entities of its own (a DTD internal subset): refused, a wire "
            "format does not need them and they are how entity bombs and file reads work",
        )
    try:
        return etree.fromstring(data, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:  # ValueError: e.g. an empty document
        return Rejected("invalid_xml", f"not well-formed XML: {exc}")


def local(tag: Any) -> str:
    """An element's name without its namespace ("{http://iptc.org/std/nar/2006-10-01/}newsItem"
    → "newsItem"); comments and processing instructions have none."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def text_of(element: Any) -> str:
    """All the text inside `element`, tags dropped, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def children(element: Any, name: str) -> Iterator[Any]:
    """`element`'s child elements called `name`, in any namespace (agencies differ in whether
    and which namespace they declare)."""
    if element is None:
        return
    for child in element:
        if local(child.tag) == name:
            yield child


def child(element: Any, *path: str) -> Any:
    """The first element down `path` (local names), or None."""
    for name in path:
        element = next(children(element, name), None)
        if element is None:
            return None
    return element


def urgency(text: str) -> int | str:
    """An urgency or priority as a number ("3" → 3) when it is one of IPTC's 1-9 style
    levels; anything else is kept as the text (a 5,000-digit "urgency" must not become an int
    that Python refuses to make or JSON cannot carry)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else text


def attr(element: Any, name: str) -> str | None:
    """An attribute's value, stripped; None when missing, empty or `element` is None."""
    if element is None:
        return None
    value = (element.get(name) or "").strip()
    return value or None


_RENAMED = {"block": "div", "hl2": "h2"}  # NITF block-level names with an HTML equivalent


def inner_html(element: Any, drop: frozenset[str] = frozenset()) -> str:
    """The content of `element` (its text and children, not its own tag) as an HTML string,
    namespaces removed so the HTML cleaner sees plain `<p>`s. Children named in `drop` (local
    names: NITF's media and editor's notes, say) are left out with their content."""
    if element is None:
        return ""
    tree = copy.deepcopy(element)  # the caller's tree stays as parsed
    if drop:
        _strip(tree, drop)
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        name = local(node.tag)
        node.tag = _RENAMED.get(name, name)
        for key in [k for k in node.attrib if k.startswith("{")]:
            del node.attrib[key]  # xsi:…, xml:lang: noise to an HTML reader
    etree.cleanup_namespaces(tree)
    parts = [tree.text or ""]
    parts.extend(etree.tostring(c, method="html", encoding="unicode") for c in tree)
    return "".join(parts).strip()


def _strip(tree: Any, drop: frozenset[str]) -> None:
    """Remove the descendants named in `drop` with their content, keeping the text after each
    (its tail, article text). One pass per parent, each text written once: removing them one
    by one and appending each tail to its neighbour's, in Python or in libxml2
    (`strip_elements`), grows one string again and again, quadratic (a 2.4 MB NITF body of
    160,000 editor's notes took 189 s)."""

    def dropped(node: Any) -> bool:
        return isinstance(node.tag, str) and local(node.tag) in drop

    for parent in list(tree.iter()):
        kids = list(parent)
        if not any(dropped(kid) for kid in kids):
            continue
        text: list[str] = [parent.text or ""]
        tails: list[tuple[Any, list[str]]] = []
        for kid in kids:
            if dropped(kid):
                (tails[-1][1] if tails else text).append(kid.tail or "")
                parent.remove(kid)  # lxml removes its tail with it: kept above
            else:
                tails.append((kid, [kid.tail or ""]))
        parent.text = "".join(text) or None
        for kid, parts in tails:
            kid.tail = "".join(parts) or None
