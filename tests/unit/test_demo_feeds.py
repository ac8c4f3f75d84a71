"""`make demo-feeds`' site (examples/feeds/): every feed parses, and every summary-only item
links to a page the demo server has, so the demo shows fetched pages, not 404s."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newswire.core.feeds import ParsedFeed, parse_feed

SITE = Path(__file__).resolve().parents[2] / "examples" / "feeds"
BASE = "http://127.0.0.1:8000"


@pytest.mark.parametrize(("name", "items"), [("rss.xml", 2), ("atom.xml", 1), ("feed.json", 1)])
def test_demo_feeds_parse_and_link_to_pages_that_exist(name: str, items: int) -> None:
    data = (SITE / name).read_bytes().replace(b"{{BASE}}", BASE.encode())
    parsed = parse_feed(data, None, max_bytes=10**6)
    assert isinstance(parsed, ParsedFeed)
    assert len(parsed.items) == items
    for item in parsed.items:
        assert item.headline and item.body
        if not item.full:
            assert item.url is not None and item.url.startswith(BASE)
            page = SITE / urlsplit(item.url).path.lstrip("/")
            assert page.is_file(), item.url
            assert len(page.read_text("utf-8").split()) > 80  # a real article to extract
