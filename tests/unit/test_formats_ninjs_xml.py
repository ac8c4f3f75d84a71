"""Agency formats, first part: hostile XML is refused with a reason (core/formats/xmlsafe.py),
and IPTC ninjs 1.x and 2.x items become raw articles (core/formats/ninjs.py). The ninjs items
here are written for these tests, after the ninjs 1.3 and 2.0 schemas."""

from __future__ import annotations

import pytest

from newswire.core.formats import ninjs, xmlsafe
from newswire.core.records import Rejected

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<nitf><body>&lol3;</body></nitf>"""

EXTERNAL_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<nitf><body><p>&secret;</p></body></nitf>"""

NITF_WITH_PUBLIC_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE nitf SYSTEM "http://www.iptc.org/std/NITF/3.2/specification/dtd/nitf-3-2.dtd">
<nitf><body><body.content><p>Fishing is  good.</p></body.content></body></nitf>"""


def test_entity_bombs_and_file_reads_are_refused() -> None:
    for document in (BILLION_LAUGHS, EXTERNAL_FILE):
        refused = xmlsafe.parse(document)
        assert isinstance(refused, Rejected) and refused.reason == "xml_entities"


def test_a_doctype_without_entities_is_parsed_and_nothing_is_fetched() -> None:
    root = xmlsafe.parse(NITF_WITH_PUBLIC_DTD)
    assert not isinstance(root, Rejected)
    assert xmlsafe.local(root.tag) == "nitf"
    assert xmlsafe.text_of(root) == "Fishing is good."


def test_a_prolog_full_of_doctype_openings_is_checked_in_linear_time() -> None:
    # 64 KB of `<!DOCTYPE[` made the former regex backtrack quadratically; now two scans.
    repeats = b"<!DOCTYPE[" * (xmlsafe.PROLOG_BYTES // 10)
    refused = xmlsafe.parse(repeats + b"<nitf/>")
    assert isinstance(refused, Rejected) and refused.reason == "invalid_xml"
    assert xmlsafe.declares_entities(repeats[:-100] + b"<!entity a 'b'>")
    assert not xmlsafe.declares_entities(repeats)
    assert not xmlsafe.declares_entities(b"<!ENTITY a 'b'><!DOCTYPE x>")  # no DTD before it


def test_inner_html_drops_namespaces_and_named_children_but_keeps_their_tails() -> None:
    root = xmlsafe.parse(
        b'<body.content xmlns="http://iptc.org/std/NITF/2006-10-18/">Lead <media>pic</media>'
        b"tail<block><p>One</p></block><ed>note</ed></body.content>"
    )
    html = xmlsafe.inner_html(root, drop=frozenset({"media", "ed"}))
    assert html == "Lead tail<div><p>One</p></div>"


def test_broken_xml_is_a_reason_not_a_crash() -> None:
    refused = xmlsafe.parse(b"<nitf><body>")
    assert isinstance(refused, Rejected) and refused.reason == "invalid_xml"


NINJS_1 = {
    "uri": "http://example.com/newsitems/2024-06-03-talks",
    "type": "text",
    "version": "2",
    "versioncreated": "2024-06-03T09:15:00Z",
    "language": "en",
    "headline": "Talks resume in Geneva",
    "byline": "Jane Roe",
    "located": "Geneva",
    "subject": [{"code": "medtop:11000000", "name": "politics"}],
    "body_text": "GENEVA, June 3 (Example) - Talks resumed on Monday.",
}

NINJS_2 = {
    "uri": "urn:example:2024:talks",
    "version": "3",
    "headlines": [{"role": "sub", "value": "Second day"}, {"role": "main", "value": "Talks go on"}],
    "bodies": [
        {"role": "summary", "contenttype": "text/plain", "value": "Short."},
        {"role": "main", "contenttype": "text/html", "value": "<p>Talks went on.</p>"},
    ],
    "by": "Jane Roe",
    "subjects": [{"uri": "http://cv.iptc.org/newscodes/mediatopic/11000000", "name": "politics"}],
}


def test_ninjs_1() -> None:
    assert ninjs.looks_like(NINJS_1) and not ninjs.looks_like({"id": "a", "body": "x"})
    raw = ninjs.to_raw(NINJS_1)
    assert not isinstance(raw, Rejected)
    assert raw["headline"] == "Talks resume in Geneva"
    assert raw["body"].startswith("GENEVA, June 3") and raw["content_type"] == "text/plain"
    assert raw["published_at"] == "2024-06-03T09:15:00Z" and raw["language"] == "en"
    meta = raw["metadata"]
    assert meta["format"] == "ninjs" and meta["agency_guid"] == NINJS_1["uri"]
    assert meta["agency_version"] == "2" and meta["located"] == "Geneva"
    assert meta["subjects"] == NINJS_1["subject"]
    assert raw["id"].startswith("ninjs-") and raw["id"].endswith("-v2")


def test_ninjs_2_takes_the_main_headline_and_body() -> None:
    raw = ninjs.to_raw(NINJS_2)
    assert not isinstance(raw, Rejected)
    assert raw["headline"] == "Talks go on"
    assert (raw["body"], raw["content_type"]) == ("<p>Talks went on.</p>", "text/html")
    assert raw["metadata"]["by"] == "Jane Roe"


def test_versions_of_one_story_share_the_guid_not_the_id() -> None:
    v3 = ninjs.to_raw(dict(NINJS_1, version="3"))
    v2 = ninjs.to_raw(NINJS_1)
    assert not isinstance(v2, Rejected) and not isinstance(v3, Rejected)
    assert v2["metadata"]["agency_guid"] == v3["metadata"]["agency_guid"]
    assert v2["id"] != v3["id"]


def test_ninjs_without_a_body_is_rejected() -> None:
    refused = ninjs.to_raw({"uri": "u", "headline": "Only a headline"})
    assert isinstance(refused, Rejected) and refused.reason == "missing_body"


# The shapes of IPTC's own ninjs examples (iptc/newsinjson, documentation/includes/examples,
# 004_simple_text_article.json in 1.x and 2.4), with an invented story: their text is an AP
# story, not ours to copy (tests/fixtures/formats/LICENSES.md).
IPTC_1X_SHAPE = {
    "uri": "http://ninjs.example.com/newsitems/20261127simp1",
    "type": "text",
    "versioncreated": "2026-11-27T10:37:00Z",
    "byline": "Ana Ribeiro and Tomas Berg",
    "headline": "Harbour bridge reopens after repairs",
    "body_text": "PORTO, Portugal -- The harbour bridge reopened on Friday. Traffic is normal.",
    "body_xhtml": "<p>PORTO, Portugal -- The harbour bridge reopened on Friday.</p> "
    "<p>Traffic is normal.</p>",
}
IPTC_2X_SHAPE = {
    "uri": "http://ninjs.example.com/newsitems/20261127simp1",
    "type": "text",
    "versioncreated": "2026-11-27T10:37:00Z",
    "by": "Ana Ribeiro and Tomas Berg",
    "headlines": [{"role": "main", "value": "Harbour bridge reopens after repairs"}],
    "bodies": [
        {
            "role": "main",
            "contenttype": "text/plain",
            "value": "PORTO, Portugal -- The harbour bridge reopened on Friday. Traffic is normal.",
        },
        {
            "role": "richtext",
            "contenttype": "body_xhtml",
            "value": "<p>PORTO, Portugal -- The harbour bridge reopened on Friday.</p> "
            "<p>Traffic is normal.</p>",
        },
        {"role": "abstract", "contenttype": "text/html", "value": "<p>Bridge reopens.</p>"},
    ],
}


@pytest.mark.parametrize("item", [IPTC_1X_SHAPE, IPTC_2X_SHAPE], ids=["1.x", "2.x"])
def test_iptc_example_shapes_give_the_xhtml_body(item: dict) -> None:
    """The paragraphs are kept: the XHTML body is taken over the one-paragraph text, and an
    HTML abstract is not taken for the story."""
    assert ninjs.looks_like(item)
    raw = ninjs.to_raw(item)
    assert isinstance(raw, dict)
    assert raw["content_type"] == "text/html"
    assert raw["body"] == (
        "<p>PORTO, Portugal -- The harbour bridge reopened on Friday.</p> <p>Traffic is normal.</p>"
    )
    assert raw["headline"] == "Harbour bridge reopens after repairs"
    assert raw["published_at"] == "2026-11-27T10:37:00Z"
    assert raw["id"].startswith("ninjs-") and "-v" not in raw["id"]  # no version declared
    assert "agency_version" not in raw["metadata"]
