"""gazetteer: place names to ISO 3166 country codes, and which names are well-known places."""

from __future__ import annotations

import pytest

from newswire.core.gazetteer import Gazetteer, Place


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kenya", "KE"),
        ("Russia", "RU"),
        ("China", "CN"),
        ("Ukraine", "UA"),
        ("Kyiv", "UA"),
        ("Kiev", "UA"),
        ("Beijing", "CN"),
        ("BEIJING", "CN"),
        ("Moscow", "RU"),
        ("Shanghai", "CN"),
        ("Nairobi", "KE"),
        ("Britain", "GB"),
        ("the Netherlands", "NL"),
        ("Oregon", "US"),
        ("Harbin", "CN"),
    ],
)
def test_country_codes(gazetteer, name: str, code: str) -> None:
    assert gazetteer.country_code(name) == code


@pytest.mark.parametrize("name", ["", "Atlantis", "Mishustin", "Interfax", "the"])
def test_unknown_names_have_no_code(gazetteer, name: str) -> None:
    assert gazetteer.country_code(name) is None


def test_capital_wins_without_context(gazetteer) -> None:
    assert gazetteer.country_code("Paris") == "FR"


def test_context_resolves_an_ambiguous_city(gazetteer) -> None:
    # Paris, Texas is a city of about 25,000 people
    assert gazetteer.country_code("Paris", context=("US",)) == "US"
    assert gazetteer.country_code("Paris", context=("FR",)) == "FR"


@pytest.mark.parametrize("name", ["Kyiv", "Russia", "Beijing", "Oregon", "Shanghai"])
def test_well_known_places(gazetteer, name: str) -> None:
    assert gazetteer.is_well_known_place(name)


@pytest.mark.parametrize("name", ["Mishustin", "Harrington", "Whitfield", "Interfax", "Zhao"])
def test_names_that_are_not_well_known_places(gazetteer, name: str) -> None:
    assert not gazetteer.is_well_known_place(name)


def test_small_city_without_context_gets_no_code() -> None:
    gazetteer = Gazetteer(
        {
            "springfield": [
                Place("Springfield", "US", "city", 60_000),
                Place("Springfield", "AU", "city", 20_000),
            ]
        }
    )
    assert gazetteer.country_code("Springfield") is None
    assert gazetteer.country_code("Springfield", context=("AU",)) == "AU"
    assert not gazetteer.is_well_known_place("Springfield")


def test_country_beats_context() -> None:
    gazetteer = Gazetteer(
        {
            "georgia": [
                Place("Georgia", "GE", "country", 3_700_000),
                Place("Georgia", "US", "state", 0),
            ]
        }
    )
    assert gazetteer.country_code("Georgia") == "GE"
    assert gazetteer.candidates("The Georgia") == gazetteer.candidates("georgia")
