"""Agency-format readers on hostile and huge documents: time per document at growing sizes,
to show every shape is read in time linear in its size (or refused at once).

    .venv/bin/python bench/bench_formats.py [--sizes 250000,1000000,2000000]

What the worker runs for a raw message that holds an agency document: `decode_raw` (the
hardened lxml parse, the format's reader, the raw-schema checks); and what `replay`/`process`
run for a file: `to_messages` (split a newsMessage into items, read each).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from newswire.core.decode import decode_raw
from newswire.core.formats.messages import to_messages

G2 = b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x" version="1">'
XHTML = b'<html xmlns="http://www.w3.org/1999/xhtml"><body>'


def _fill(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


def deep_nesting(size: int) -> bytes:
    half = _fill(b"<div>", size // 2)
    return G2 + b"<contentSet><inlineXML>" + XHTML + half + b"x" + half.replace(b"<", b"</")


def many_paragraphs(size: int) -> bytes:
    body = _fill(b"<p>The council met on Monday and agreed the budget.</p>", size)
    end = b"</body></html></inlineXML></contentSet></newsItem>"
    return G2 + b"<contentSet><inlineXML>" + XHTML + body + end


def many_items(size: int) -> bytes:
    item = (
        b'<newsItem guid="urn:x:%d" version="1"><contentMeta><headline>Budget agreed'
        b"</headline></contentMeta><contentSet><inlineData>The council agreed the budget."
        b"</inlineData></contentSet></newsItem>"
    )
    items = b"".join(item % n for n in range(max(1, size // len(item))))
    head = b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>'
    return head + items + b"</itemSet></newsMessage>"


def many_headlines(size: int) -> bytes:
    heads = _fill(b"<headline role='x'>Budget agreed</headline>", size)
    end = b"</contentMeta><contentSet><inlineData>t</inlineData></contentSet></newsItem>"
    return G2 + b"<contentMeta>" + heads + end


def doctype_repeats(size: int) -> bytes:
    return _fill(b"<!DOCTYPE[", size)


def entity_bomb(size: int) -> bytes:
    lol = b'<!ENTITY a "' + _fill(b"lol", size) + b'">'
    return b"<?xml version='1.0'?><!DOCTYPE nitf [" + lol + b"]><nitf>&a;</nitf>"


def attributes(size: int) -> bytes:
    attrs = b" ".join(b'a%d="x"' % n for n in range(max(1, size // 10)))
    return b"<nitf " + attrs + b"><body><body.content><p>x</p></body.content></body></nitf>"


def many_notes(size: int) -> bytes:
    notes = _fill(b"<ed>note</ed>word ", size)  # editor's notes are dropped, their tails kept
    return b"<nitf><body><body.content>" + notes + b"</body.content></body></nitf>"


SHAPES: dict[str, Callable[[int], bytes]] = {
    "many_notes": many_notes,
    "deep_nesting": deep_nesting,
    "many_paragraphs": many_paragraphs,
    "many_items": many_items,
    "many_headlines": many_headlines,
    "doctype_repeats": doctype_repeats,
    "entity_bomb": entity_bomb,
    "attributes": attributes,
}


def timed(call: Callable[[], object]) -> tuple[float, object]:
    start = time.process_time()
    result = call()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="250000,1000000,2000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(f"{'shape':<16} {'bytes':>9}  {'decode_raw':>10}  {'to_messages':>11}  outcome")
    for name, make in SHAPES.items():
        for size in sizes:
            data = make(size)
            worker, outcome = timed(lambda d=data: decode_raw(d, max_bytes=10 * len(d)))
            files, messages = timed(lambda d=data: to_messages(d))
            what = getattr(outcome, "reason", None) or type(outcome).__name__
            count = len(messages) if isinstance(messages, list) else 0
            print(
                f"{name:<16} {len(data):>9}  {worker:>9.3f}s  {files:>10.3f}s  "
                f"{what} ({count} messages)"
            )


if __name__ == "__main__":
    main()
