"""The poller's feed parsing (core/feeds.py: feedparser for RSS and Atom) on hostile and huge
feeds: CPU time per feed at growing sizes, to show it grows linearly (bounded by
NEWSWIRE_POLL_MAX_FEED_BYTES).

    .venv/bin/python bench/bench_feeds.py [--sizes 250000,1000000,4000000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from newswire.core.feeds import parse_feed


def _rss(items: bytes) -> bytes:
    head = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
    return head + items + b"</channel></rss>"


def _item(description: bytes) -> bytes:
    return _rss(b"<item><title>a</title><description>" + description + b"</description></item>")


SHAPES: dict[str, Callable[[int], bytes]] = {
    "many_items": lambda n: _rss(
        b"<item><title>a</title><description>&lt;p&gt;x&lt;/p&gt;</description></item>" * (n // 80)
    ),
    "huge_html_body": lambda n: _item(
        b"<![CDATA[" + b"<p>word <b>bold</b></p>" * (n // 24) + b"]]>"
    ),
    "nested_html": lambda n: _item(
        b"<![CDATA[" + b"<div>" * (n // 10) + b"x" + b"</div>" * (n // 10) + b"]]>"
    ),
    "unclosed_tags": lambda n: _item(b"<p>x &nbsp; " * (n // 12)),  # feedparser's loose parser
    "html_entities": lambda n: _item(b"&nbsp;&copy;&foo;" * (n // 17)),
    "deep_xml": lambda n: _rss(b"<item><title>a</title>" + b"<x>" * (n // 7) + b"</x>" * (n // 7)),
    "long_attribute": lambda n: _rss(b"<item><title>a</title><link href='" + b"a" * n + b"'/>"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="250000,1000000,4000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(f"{'shape':<16} {'bytes':>9}  {'CPU':>7}  outcome")
    for name, make in SHAPES.items():
        for size in sizes:
            data = make(size)
            start = time.process_time()
            parsed = parse_feed(data, None, max_bytes=10 * len(data))
            seconds = time.process_time() - start
            outcome = getattr(parsed, "reason", None) or f"{len(parsed.items)} items"
            print(f"{name:<16} {len(data):>9}  {seconds:>6.2f}s  {outcome}", flush=True)


if __name__ == "__main__":
    main()
