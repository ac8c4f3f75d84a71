"""wire: datelines and credit lines, and the sentences that only look like them."""

from __future__ import annotations

import pytest

from newswire.core.dateline_credits import (
    is_agency_credit,
    merge_bylines,
    parse_credit_paragraph,
    parse_dateline,
    split_names,
)
from newswire.core.records import Byline, Dateline

# ---------------------------------------------------------------- datelines

LEDE = "Russia and China are set to sign a series of bilateral agreements on Wednesday."


@pytest.mark.parametrize(
    ("paragraph", "expected", "rest"),
    [
        (
            f"BEIJING, May 23 (Reuters) – {LEDE}",
            Dateline("BEIJING", date="May 23", agency="Reuters"),
            LEDE,
        ),
        (
            "WASHINGTON (AP) — A Senate committee on Thursday advanced a bipartisan bill.",
            Dateline("WASHINGTON", agency="AP"),
            "A Senate committee on Thursday advanced a bipartisan bill.",
        ),
        (
            "PARIS, June 3, 2024 (AFP) - Paris authorities said Monday they were confident.",
            Dateline("PARIS", date="June 3, 2024", agency="AFP"),
            "Paris authorities said Monday they were confident.",
        ),
        (
            "NAIROBI, Kenya — Prices for Kenyan black tea rose for a fourth consecutive week.",
            Dateline("NAIROBI", region="Kenya"),
            "Prices for Kenyan black tea rose for a fourth consecutive week.",
        ),
        (
            "ST. LOUIS, Mo. (AP) -- The city council voted on Monday to expand bus service.",
            Dateline("ST. LOUIS", region="Mo.", agency="AP"),
            "The city council voted on Monday to expand bus service.",
        ),
        (
            "SEVILLA, 11 jul (EFE).- La Agencia Estatal de Meteorología ha activado el aviso rojo.",
            Dateline("SEVILLA", date="11 jul", agency="EFE"),
            "La Agencia Estatal de Meteorología ha activado el aviso rojo.",
        ),
        (
            "HARBIN, China, May 18 (Reuters) - Hundreds of Russian companies set up stalls.",
            Dateline("HARBIN", date="May 18", agency="Reuters", region="China"),
            "Hundreds of Russian companies set up stalls.",
        ),
        (
            "NEW YORK (Reuters) - U.S. stocks closed higher on Friday.",
            Dateline("NEW YORK", agency="Reuters"),
            "U.S. stocks closed higher on Friday.",
        ),
        (
            "LONDON, Jan. 5 (Reuters) - “We are ready,” the minister said.",
            Dateline("LONDON", date="Jan. 5", agency="Reuters"),
            "“We are ready,” the minister said.",
        ),
    ],
)
def test_dateline_is_parsed_and_removed(paragraph: str, expected: Dateline, rest: str) -> None:
    parsed = parse_dateline(paragraph)
    assert parsed is not None, paragraph
    dateline, remainder = parsed
    assert dateline == expected
    assert remainder == rest


@pytest.mark.parametrize(
    ("paragraph", "first_place"),
    [
        ("LONDON/NEW YORK, June 3 (Reuters) - Oil prices rose on Monday.", "LONDON"),
        ("GAZA/JERUSALEM, June 3 (Reuters) - Oil prices rose on Monday.", "GAZA"),
    ],
)
def test_multi_city_dateline(paragraph: str, first_place: str) -> None:
    """Reuters datelines name several cities when reporters in each contributed."""
    parsed = parse_dateline(paragraph)
    assert parsed is not None
    dateline, remainder = parsed
    assert dateline.location.startswith(first_place)
    assert (dateline.date, dateline.agency) == ("June 3", "Reuters")
    assert remainder == "Oil prices rose on Monday."


@pytest.mark.parametrize("dash", ["-", "–", "—", "--"])
def test_dateline_dash_variants(dash: str) -> None:
    parsed = parse_dateline(f"BEIJING, May 23 (Reuters) {dash} {LEDE}")
    assert parsed is not None
    dateline, remainder = parsed
    assert (dateline.location, dateline.date, dateline.agency) == ("BEIJING", "May 23", "Reuters")
    assert remainder == LEDE


@pytest.mark.parametrize("dash", ["-", "–", "—", "--"])
def test_dateline_without_agency_dash_variants(dash: str) -> None:
    parsed = parse_dateline(f"NAIROBI, Kenya {dash} Prices rose for a fourth week.")
    assert parsed is not None
    dateline, remainder = parsed
    assert (dateline.location, dateline.region, dateline.agency) == ("NAIROBI", "Kenya", None)
    assert remainder == "Prices rose for a fourth week."


@pytest.mark.parametrize(
    "paragraph",
    [
        "The deal - which was signed in March - covers gas supplies.",
        "U.S. stocks rose - and bonds fell - after the jobs report.",
        "Russia and China are set to sign a series of bilateral agreements on Wednesday.",
        "Prices rose 3% in May - the fastest pace in a year.",
        "He said the plan – drafted in secret – would be published.",
        "Xi visited Russia in March and spoke with President Vladimir Putin.",
        "“This is not a partisan issue,” Harrington said.",
        "In April, Chinese exports to Russia rose 153.1% - after doubling in March.",
        "NATO - the Western alliance - met in Brussels.",
        "OPEC — the oil cartel — cut output.",
        "",
        "BEIJING",
    ],
)
def test_not_a_dateline(paragraph: str) -> None:
    assert parse_dateline(paragraph) is None


# ---------------------------------------------------------------- credits


def test_reuters_credit_line() -> None:
    byline = parse_credit_paragraph(
        "Reporting by Ryan Woo; Additional reporting by Lidia Kelly and Ethan Wang; "
        "Editing by Michael Perry"
    )
    assert byline == Byline(
        authors=("Ryan Woo",),
        contributors=("Lidia Kelly", "Ethan Wang"),
        editors=("Michael Perry",),
    )


def test_parenthesised_credit_drops_locations() -> None:
    byline = parse_credit_paragraph(
        "(Reporting by Olga Petrova in Beijing; Editing by Simon Carter)"
    )
    assert byline == Byline(authors=("Olga Petrova",), editors=("Simon Carter",))


def test_credit_with_several_located_reporters() -> None:
    byline = parse_credit_paragraph(
        "Reporting by Olga Petrova in Harbin and Liu Yang in Beijing; Editing by Simon Carter"
    )
    assert byline is not None
    assert byline.authors == ("Olga Petrova", "Liu Yang")
    assert byline.editors == ("Simon Carter",)
    assert byline.contributors == ()


def test_writing_and_editing_by_several() -> None:
    byline = parse_credit_paragraph(
        "Reporting by Ana Silva; Writing by Tom Hale; Editing by Mark Potter and Jan Harvey"
    )
    assert byline is not None
    assert byline.authors == ("Ana Silva", "Tom Hale")
    assert byline.editors == ("Mark Potter", "Jan Harvey")


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("By Jane Doe and John Smith", ("Jane Doe", "John Smith")),
        ("By JENNIFER HALE", ("Jennifer Hale",)),
        ("By Jane Doe", ("Jane Doe",)),
        ("By Jane Doe, Reuters", ("Jane Doe",)),
        ("By Jane Doe, John Smith and Ana Silva", ("Jane Doe", "John Smith", "Ana Silva")),
    ],
)
def test_by_line(line: str, authors: tuple[str, ...]) -> None:
    byline = parse_credit_paragraph(line)
    assert byline is not None
    assert byline.authors == authors
    assert byline.contributors == () and byline.editors == ()


@pytest.mark.parametrize(
    ("line", "contributors"),
    [
        ("Associated Press writer Maria Lopez contributed to this report.", ("Maria Lopez",)),
        (
            "Associated Press writers Maria Lopez and Dan Kim contributed to this report.",
            ("Maria Lopez", "Dan Kim"),
        ),
        ("Maria Lopez contributed reporting from Mexico City.", ("Maria Lopez",)),
    ],
)
def test_contributed_to_this_report(line: str, contributors: tuple[str, ...]) -> None:
    byline = parse_credit_paragraph(line)
    assert byline is not None
    assert byline.contributors == contributors
    assert byline.authors == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "By Tuesday, the company had sold 40% of its stock.",
        "Reporting by the team was thin.",
        "By the end of the year, prices had doubled.",
        "By contrast, exports to Europe fell.",
        "Editing by hand is slow, the publisher said.",
        "The report was written by two economists at the central bank.",
        "Analysts contributed to the sell-off, traders said.",
        "Russia and China are set to sign a series of bilateral agreements on Wednesday.",
        "By",
        "",
    ],
)
def test_real_sentences_are_not_credits(sentence: str) -> None:
    assert parse_credit_paragraph(sentence) is None


def test_split_names() -> None:
    assert split_names("Lidia Kelly and Ethan Wang in Moscow") == ["Lidia Kelly", "Ethan Wang"]
    assert split_names("JENNIFER HALE") == ["Jennifer Hale"]
    assert split_names("the team was thin") is None


@pytest.mark.parametrize("line", ["Associated Press", "The Associated Press", "Reuters", "AP."])
def test_agency_credit_lines(line: str) -> None:
    assert is_agency_credit(line)


@pytest.mark.parametrize("line", ["Associated Press reported the vote.", "Jennifer Hale", ""])
def test_not_agency_credit_lines(line: str) -> None:
    assert not is_agency_credit(line)


def test_merge_bylines_keeps_order_and_drops_repeats() -> None:
    merged = merge_bylines(
        [
            Byline(authors=("Ryan Woo",)),
            Byline(authors=("Ryan Woo", "Ana Silva"), editors=("Michael Perry",)),
            Byline(contributors=("Lidia Kelly",)),
        ]
    )
    assert merged == Byline(("Ryan Woo", "Ana Silva"), ("Lidia Kelly",), ("Michael Perry",))
    assert merged.names() == {"Ryan Woo", "Ana Silva", "Lidia Kelly", "Michael Perry"}
    assert not merge_bylines([])
