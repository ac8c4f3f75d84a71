"""Geocoding (core/gazetteer.py, core/gazetteer_data.py, core/annotate/places.py): GeoNames
ids and points for places, ambiguity resolved from the article, nationalities' countries,
stable entity keys."""

from __future__ import annotations

import pytest

from newswire.core.annotate.places import context_codes, entity_key, geocode, slug
from newswire.core.gazetteer import Gazetteer, Place
from newswire.core.gazetteer_data import population_centre


def test_the_seed_places(gazetteer, seeds) -> None:
    for name, geonames_id in seeds.places_000.items():
        geo, code = geocode("GPE", name, gazetteer, set())
        assert geo is not None and geo["geonames_id"] == geonames_id, name
        assert geo["country_code"] == code
        assert -90 <= geo["lat"] <= 90 and -180 <= geo["lon"] <= 180
        assert geo["confidence"] == 1.0


def test_city_and_country_points(gazetteer) -> None:
    beijing, _ = geocode("GPE", "BEIJING", gazetteer, set())
    assert beijing["feature"] == "city" and beijing["population"] > 10_000_000
    assert (round(beijing["lat"]), round(beijing["lon"])) == (40, 116)
    russia, _ = geocode("GPE", "Russia", gazetteer, set())
    assert russia["feature"] == "country"
    assert 45 < russia["lat"] < 65 and 30 < russia["lon"] < 100  # where Russians live
    oregon, _ = geocode("GPE", "Oregon", gazetteer, set())
    assert oregon["feature"] == "admin1" and oregon["country_code"] == "US"
    assert 42 < oregon["lat"] < 47 and -125 < oregon["lon"] < -116


def test_ambiguous_names_follow_the_article(gazetteer) -> None:
    assert geocode("GPE", "Georgia", gazetteer, set())[1] == "GE"
    georgia, code = geocode("GPE", "Georgia", gazetteer, {"US"})
    assert code == "US" and georgia["feature"] == "admin1" and georgia["confidence"] == 0.8
    paris, _ = geocode("GPE", "Paris", gazetteer, set())
    assert paris["country_code"] == "FR" and 0.5 <= paris["confidence"] < 1
    texas_paris, _ = geocode("GPE", "Paris", gazetteer, {"US"})
    assert texas_paris["country_code"] == "US" and texas_paris["population"] < 100_000


def test_context_is_what_only_one_country_has(gazetteer) -> None:
    names = [("GPE", "Atlanta"), ("GPE", "Georgia"), ("PERSON", "Paris Hilton")]
    assert context_codes(names, gazetteer, None) == {"US"}
    assert context_codes([("GPE", "Georgia")], gazetteer, "FR") == {"FR"}


def test_washington_is_the_capital(gazetteer) -> None:
    geo, code = geocode("GPE", "Washington", gazetteer, set())
    assert code == "US" and geo["feature"] == "city" and 38 < geo["lat"] < 39.5


def test_parts_of_a_country_get_its_code_without_a_geo(gazetteer) -> None:
    assert geocode("GPE", "England", gazetteer, set()) == (None, "GB")
    assert geocode("GPE", "Atlantis", gazetteer, set()) == (None, None)


@pytest.mark.parametrize(
    ("text", "code"),
    [("Russian", "RU"), ("Chinese", "CN"), ("the Ukrainians", "UA"), ("Kremlin", None)],
)
def test_nationalities(gazetteer, text: str, code: str | None) -> None:
    assert geocode("NORP", text, gazetteer, set()) == (None, code)


def test_other_labels_are_not_geocoded(gazetteer) -> None:
    assert geocode("PERSON", "Paris", gazetteer, set()) == (None, None)


def test_keys() -> None:
    assert entity_key("PERSON", "Xi Jinping", None) == "person:xi-jinping"
    assert entity_key("ORG", "Interfax", None) == "org:interfax"
    assert entity_key("GPE", "Beijing", {"geonames_id": 1816670}) == "geonames:1816670"
    assert entity_key("GPE", "Atlantis", None) == "place:atlantis"
    assert entity_key("WORK_OF_ART", "War and Peace", None) == "work:war-and-peace"
    assert slug("Volodymyr Zelens’kyy’s  Office") == "volodymyr-zelens-kyy-s-office"
    assert slug("Ángela Ortíz") == "angela-ortiz"
    assert slug("习近平") == "习近平"


def test_population_centre_across_the_antimeridian() -> None:
    lat, lon = population_centre([(-17.0, 179.0, 100), (-17.0, -179.0, 100)])
    assert lat == pytest.approx(-17.0, abs=0.1) and abs(lon) == pytest.approx(180.0, abs=0.01)
    assert population_centre([]) is None


def test_small_unique_city_needs_context() -> None:
    gazetteer = Gazetteer({"bucha": [Place("Bucha", "UA", "city", 37_000, 1, 50.5, 30.2)]})
    assert gazetteer.resolve("Bucha") is None
    resolved = gazetteer.resolve("Bucha", {"UA"})
    assert resolved is not None and resolved.confidence == 0.8
