"""Agency formats, second part: IPTC NewsML-G2 and NITF 3.x documents become raw articles
(core/formats/newsml_g2.py, core/formats/nitf.py), and `core.formats` tells the formats apart
by content (`sniff`) and reads a whole document (`read`). The expected values below are
copied by hand from the fixture files in tests/fixtures/formats/ (see LICENSES.md there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import xxhash

from newswire.core import formats
from newswire.core.decode import raw_from_mapping
from newswire.core.formats import nitf
from newswire.core.records import RawArticle, Rejected

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"

SNIFFED = {
    "billion-laughs.xml": "nitf",
    "external-entity.xml": "newsml-g2",
    "g2-item-nitf-body.xml": "newsml-g2",
    "g2-message-two-items.xml": "newsml-g2",
    "g2-picture.xml": "newsml-g2",
    "g2-story-v1.xml": "newsml-g2",
    "g2-story-v2.xml": "newsml-g2",
    "iptc-listing-1-news-item.xml": "newsml-g2",
    "iptc-listing-2-text-nitf.xml": "newsml-g2",
    "iptc-listing-24-news-message.xml": "newsml-g2",
    "malformed.xml": "newsml-g2",
    "ninjs-1.json": "ninjs",
    "ninjs-2.json": "ninjs",
    "nitf-3-2-latin1.xml": "nitf",
    "nitf-3-5.xml": "nitf",
    "rss-feed.xml": "xml",
}


def _data(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _articles(name: str, count: int = 1) -> list[dict[str, Any]]:
    """The fixture's articles, each one also accepted by the raw-schema check."""
    found = formats.read(_data(name))
    assert len(found) == count
    for raw in found:
        assert not isinstance(raw, Rejected), raw
        assert isinstance(raw_from_mapping(raw, max_bytes=1_000_000), RawArticle)
        assert all(isinstance(v, str) for k, v in raw.items() if k != "metadata")
    return found  # type: ignore[return-value]


def _refused(name: str) -> list[str]:
    return [r.reason for r in formats.read(_data(name)) if isinstance(r, Rejected)]


def test_every_fixture_is_sniffed_by_its_content() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir() if p.suffix in (".xml", ".json")}
    assert on_disk == set(SNIFFED)
    for name, expected in SNIFFED.items():
        assert formats.sniff(_data(name)) == expected, name
    assert formats.FORMATS == ("ninjs", "newsml-g2", "nitf")


def test_sniff_skips_a_bom_and_whitespace_and_leaves_our_own_inputs_alone() -> None:
    assert formats.sniff(b"\xef\xbb\xbf\n  " + _data("nitf-3-5.xml")) == "nitf"
    assert formats.sniff(b"\xef\xbb\xbf" + _data("ninjs-2.json")) == "ninjs"
    assert formats.sniff(b'{"id": "a1", "body": "Text.", "headline": "H"}') is None
    assert formats.sniff(b'{"id": "a"}\n{"id": "b"}\n') is None  # JSON lines
    assert formats.sniff(b"A seed headline\nAnd its body.\n") is None
    assert formats.sniff(b"") is None
    assert formats.sniff(b"<x:newsItem xmlns:x='http://iptc.org/std/nar/2006-10-01/'/>") == (
        "newsml-g2"
    )


def test_a_prolog_of_doctype_repeats_is_handled_not_hung_on() -> None:
    # 64 KB of `<!DOCTYPE[`: a regex with nested scans went quadratic on it.
    prolog = b"<!DOCTYPE[" * 6554
    assert formats.sniff(prolog) == "xml"
    [refused] = formats.read(prolog + b"<nitf/>")
    assert isinstance(refused, Rejected) and refused.reason == "invalid_xml"
    with_entity = prolog[:60_000] + b"<!ENTITY x 'y'>]><nitf/>"  # within PROLOG_BYTES
    [refused] = formats.read(with_entity)
    assert isinstance(refused, Rejected) and refused.reason == "xml_entities"


def test_reuters_style_news_message_gives_its_two_news_items() -> None:
    lisbon, munich = _articles("g2-message-two-items.xml", count=2)
    guid = "tag:wire.example.com,2024:newsml_L1N3F0001"
    assert lisbon["id"] == f"g2-{xxhash.xxh3_64_hexdigest(guid.encode())}-v3"
    assert lisbon["headline"] == "Lisbon dock workers walk out over night-shift pay"  # role main
    assert lisbon["content_type"] == "text/html"
    assert lisbon["body"].startswith("<p>LISBON, March 5 (Example Wire) - Dock workers")
    assert "would last <b>48 hours</b> unless" in lisbon["body"]
    assert "Lisbon dock workers walk out</title>" not in lisbon["body"]  # the XHTML head
    assert "xmlns" not in lisbon["body"]
    assert lisbon["published_at"] == "2024-03-05T14:01:55Z"  # versionCreated, not firstCreated
    assert lisbon["language"] == "en-GB"  # contentMeta/language over xml:lang="en"
    meta = lisbon["metadata"]
    assert meta["format"] == "newsml-g2"
    assert (meta["agency_guid"], meta["agency_version"]) == (guid, "3")
    assert meta["by"] == "By Ana Duarte"
    assert meta["creditline"] == "Reporting by Ana Duarte; Editing by Tom Bell"
    assert meta["dateline"] == "LISBON, March 5 (Example Wire)"
    assert meta["located"] == "Lisbon" and meta["urgency"] == 3
    assert meta["copyright"] == "(c) Copyright Example Wire Ltd 2024. All rights reserved."
    assert meta["slugline"] == "PORTUGAL-PORTS/STRIKE"
    assert meta["subjects"] == [
        {
            "qcode": "medtop:04000000",
            "type": "cpnat:abstract",
            "name": "economy, business and finance",
        },
        {"literal": "rtr:ports", "name": "Ports"},
    ]
    assert munich["headline"] == "Zugverkehr in Bayern nach Sturm eingeschränkt"
    assert munich["language"] == "de" and munich["metadata"]["agency_version"] == "1"
    assert munich["published_at"] == "2024-03-05T13:58:40+01:00"
    assert "Die Bahn rechnet mit Behinderungen bis zum Abend." in munich["body"]
    assert munich["metadata"]["dateline"] == "MÜNCHEN, 5. März (Example Wire)"


def test_afp_style_item_with_an_inline_nitf_body() -> None:
    [raw] = _articles("g2-item-nitf-body.xml")
    assert raw["headline"] == "Canicule : Lyon ouvre ses piscines la nuit"  # contentMeta first
    assert raw["language"] == "fr"  # xml:lang on newsItem: no contentMeta/language
    assert raw["published_at"] == "2024-06-11T08:15:00+02:00"  # versionCreated is no date
    assert raw["content_type"] == "text/html"
    assert "<p>La ville de Lyon a annoncé mardi l'ouverture nocturne" in raw["body"]
    assert "<h2>Jusqu'à minuit</h2>" in raw["body"]  # NITF hl2 → HTML h2
    assert "Une piscine lyonnaise" not in raw["body"]  # a picture caption is not the story
    meta = raw["metadata"]
    assert meta["agency_guid"] == "urn:newsml:example-agency.fr:20240611:EX-3LK2JQ"
    assert meta["agency_version"] == "2" and raw["id"].endswith("-v2")
    assert meta["by"] == "Claire MARTIN"  # from NITF's byline
    assert (meta["located"], meta["dateline"]) == ("Lyon", "Lyon, 11 juin 2024")
    assert meta["copyrightholder"] == "Agence Exemple" and meta["urgency"] == 4
    assert meta["subjects"][1] == {
        "uri": "http://cv.iptc.org/newscodes/mediatopic/20000418",
        "type": "cpnat:abstract",
    }


def test_two_versions_of_one_story_share_the_guid_not_the_id() -> None:
    [v1] = _articles("g2-story-v1.xml")
    [v2] = _articles("g2-story-v2.xml")
    guid = "urn:newsml:wire.example.com:20240902:BRIDGE"
    assert v1["metadata"]["agency_guid"] == v2["metadata"]["agency_guid"] == guid
    assert (v1["metadata"]["agency_version"], v2["metadata"]["agency_version"]) == ("1", "2")
    digest = xxhash.xxh3_64_hexdigest(guid.encode())
    assert (v1["id"], v2["id"]) == (f"g2-{digest}-v1", f"g2-{digest}-v2")
    assert v1["content_type"] == "text/plain"  # inlineData
    assert v1["body"].endswith("police said. No one was hurt.")
    assert v1["headline"] == "Bridge closed in Rotterdam after ship strike"
    assert v2["headline"] == "Rotterdam bridge to stay shut for weeks after freighter hits pillar"
    assert "the Willemsbrug would stay closed to traffic for at least three weeks" in v2["body"]
    assert v2["published_at"] == "2024-09-02T09:45:00Z"


def test_iptc_text_example_with_nitf() -> None:
    [raw] = _articles("iptc-listing-2-text-nitf.xml")
    assert raw["headline"] == 'Fed to halt QE to avert "bubble"'
    assert raw["language"] == "en-US" and raw["published_at"] == "2017-11-21T16:25:32-05:00"
    assert "(New York, NY - October 21) Et, sent luptat luptat" in raw["body"]
    meta = raw["metadata"]
    assert meta["agency_guid"] == "urn:newsml:acmenews.com:20161121:US-FINANCE-FED"
    assert meta["agency_version"] == "10"
    assert meta["by"] == "By Meredith Jameson, Staff Reporter"
    assert meta["located"] == "New York, NY" and meta["creators"] == ["Meredith Jameson"]
    assert meta["copyright"] == "Copyright 2016-17 Acme News and Media LLC"
    assert [s["qcode"] for s in meta["subjects"]] == [
        "medtop:04000000",
        "medtop:20000350",
        "medtop:20000379",
    ]


def test_items_without_text_are_refused_one_by_one() -> None:
    [picture] = formats.read(_data("g2-picture.xml"))
    assert isinstance(picture, Rejected) and picture.reason == "missing_body"
    assert "ninat:picture" in picture.error and picture.id and picture.id.endswith("-v1")
    # IPTC's listing 1 carries only comments in its inlineXML.
    assert _refused("iptc-listing-1-news-item.xml") == ["missing_body"]
    # IPTC's listing 24: a package item (skipped) and four empty news items.
    assert _refused("iptc-listing-24-news-message.xml") == ["missing_body"] * 4


def test_an_empty_news_message_has_no_items() -> None:
    message = b"""<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header/>
    <itemSet><packageItem guid="p"/><conceptItem guid="c"/></itemSet></newsMessage>"""
    [refused] = formats.read(message)
    assert isinstance(refused, Rejected) and refused.reason == "no_items"


def test_nitf_3_5_namespaced() -> None:
    [raw] = _articles("nitf-3-5.xml")
    digest = xxhash.xxh3_64_hexdigest(b"EXW-20240418-0042")
    assert raw["id"] == f"nitf-{digest}-v2"
    assert raw["headline"] == "Late frost wipes out half of Kent's apple blossom"
    assert raw["published_at"] == "2024-04-18T07:15:00Z" and raw["language"] == "en-US"
    assert "destroyed about half of the apple blossom in Kent's orchards" in raw["body"]
    assert "Temperatures fell to minus four degrees" in raw["body"]
    assert "Editors: corrects spelling" not in raw["body"]  # an <ed> note
    assert "Editing by Tom Bell" not in raw["body"]  # body.end is not body.content
    meta = raw["metadata"]
    assert meta["format"] == "nitf" and meta["agency_guid"] == "EXW-20240418-0042"
    assert meta["agency_version"] == "2" and meta["urgency"] == 4
    assert meta["by"] == "By Sarah Okafor, Agriculture Correspondent"
    assert meta["located"] == "MAIDSTONE, England" and meta["dateline_date"] == "2024-04-18"
    assert meta["copyrightholder"] == "Example Wire Ltd" and meta["copyright_year"] == "2024"
    assert meta["subjects"] == [
        {"qcode": "subj:04001000", "name": "agriculture"},
        {"qcode": "subj:17000000", "name": "weather"},
    ]


def test_nitf_3_2_in_latin_1_with_a_doctype() -> None:
    [raw] = _articles("nitf-3-2-latin1.xml")
    digest = xxhash.xxh3_64_hexdigest(b"exw-de-2003-0611-17")
    assert raw["id"] == f"nitf-{digest}"  # no du-key version
    assert raw["headline"] == "Zürcher Gemeinderat genehmigt neue Velobrücke über die Limmat"
    assert raw["published_at"] == "2003-06-11T14:30:00+02:00" and raw["language"] == "de-CH"
    assert "den Bau einer Velobrücke über die Limmat genehmigt" in raw["body"]
    assert raw["metadata"]["by"] == "Von Müller-Lüdenscheid"
    assert raw["metadata"]["located"] == "ZÜRICH"
    assert "agency_version" not in raw["metadata"]


def test_nitf_without_a_doc_id_leaves_the_id_to_the_pipeline() -> None:
    [raw] = formats.read(b"<nitf><body><body.content><p>Text.</p></body.content></body></nitf>")
    assert not isinstance(raw, Rejected)
    assert "id" not in raw and raw["body"] == "<p>Text.</p>" and raw["headline"] == ""
    assert isinstance(raw_from_mapping(raw, max_bytes=1000), RawArticle)
    [empty] = formats.read(b"<nitf><head><title>T</title></head><body/></nitf>")
    assert isinstance(empty, Rejected) and empty.reason == "missing_body"


@pytest.mark.parametrize(
    ("norm", "iso"),
    [
        ("20240101T120000Z", "2024-01-01T12:00:00Z"),
        ("20240101T120000+0000", "2024-01-01T12:00:00+00:00"),
        ("20240101T1200-0500", "2024-01-01T12:00:00-05:00"),
        ("20240101", "2024-01-01"),
        ("2024-01-01T12:00:00Z", "2024-01-01T12:00:00Z"),
        ("20241399T120000Z", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_nitf_norm_dates_become_iso_8601(norm: str, iso: str | None) -> None:
    assert nitf.iso_date(norm) == iso


def test_an_unparseable_issue_date_is_dropped_not_fatal() -> None:
    document = b"""<nitf><head><docdata><date.issue norm="sometime"/></docdata></head>
    <body><body.content><p>Text.</p></body.content></body></nitf>"""
    [raw] = formats.read(document)
    assert not isinstance(raw, Rejected) and "published_at" not in raw


def test_ninjs_documents_single_and_in_an_array() -> None:
    [one] = _articles("ninjs-1.json")
    assert one["headline"] == "Wheat harvest starts early in Kansas"
    assert (
        one["metadata"]["agency_version"] == "4" and one["metadata"]["located"] == "Wichita, Kansas"
    )
    [two] = _articles("ninjs-2.json")
    assert two["headline"] == "Färjetrafiken till Gotland inställd efter storm"
    assert two["content_type"] == "text/html" and two["metadata"]["by"] == "Erik Lund"
    assert "Alla färjeavgångar mellan Nynäshamn och Visby ställdes in" in two["body"]
    assert "associations" not in two["metadata"]  # the picture is not read
    both = b"[" + _data("ninjs-1.json") + b"," + _data("ninjs-2.json") + b"]"
    assert formats.sniff(both) == "ninjs"
    assert [r["id"] for r in formats.read(both)] == [one["id"], two["id"]]  # type: ignore[index]


def test_documents_refused_whole_with_their_reason() -> None:
    assert _refused("billion-laughs.xml") == ["xml_entities"]
    assert _refused("external-entity.xml") == ["xml_entities"]
    assert _refused("malformed.xml") == ["invalid_xml"]
    assert _refused("rss-feed.xml") == ["unsupported_format"]
    for data, reason in (
        (b'{"uri": "u", "headline": ', "invalid_json"),
        (b'{"id": "a", "body": "our own raw schema"}', "unsupported_format"),
        (b"[]", "no_items"),
        (b"plain text", "unsupported_format"),
    ):
        [refused] = formats.read(data)
        assert isinstance(refused, Rejected) and refused.reason == reason, data


def test_dropped_notes_keep_the_text_around_them_in_order() -> None:
    """Editor's notes and media go with their content; the words between and after them stay
    where they were (each tail joined to the text before it), also for runs of notes."""
    data = (
        b'<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.content>'
        b"<p>one <ed>x</ed>two <media><media-caption>c</media-caption></media>three"
        b"<ed>y</ed><ed>z</ed> four <b>five</b><note>n</note> six</p>"
        b"<ed>alone</ed><p>seven</p>" + b"<ed>e</ed>w " * 1000 + b"</body.content></body></nitf>"
    )
    [raw] = formats.read(data)
    assert isinstance(raw, dict)
    assert raw["body"].startswith("<p>one two three four <b>five</b> six</p><p>seven</p>w w w")
    assert raw["body"].rsplit("</p>", 1)[-1].split() == ["w"] * 1000
    assert "alone" not in raw["body"]
