"""Geocoding an article's places and nationalities, and the stable keys of its entities.

Context first: the countries the article points to without doubt (its dateline's country,
countries and states it names, places only one country has). An ambiguous name ("Paris",
"Georgia") then resolves to the place in one of those countries, else to the most populous
(core/gazetteer.py). A name never counts as context for itself: "Georgia" alone stays the
country.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from newswire.core.gazetteer import Gazetteer

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_KEY_PREFIX = {
    "PERSON": "person",
    "ORG": "org",
    "NORP": "norp",
    "EVENT": "event",
    "PRODUCT": "product",
    "WORK_OF_ART": "work",
    "LAW": "law",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
}
_NOT_WORD = re.compile(r"[^\w]+")


def slug(name: str) -> str:
    """ "Xi Jinping" → "xi-jinping", "Zelenskyy’s Office" → "zelenskyy-s-office", accents
    dropped; letters of other scripts kept."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub("-", plain).strip("-_") or "-"


def entity_key(label: str, text: str, geo: dict[str, Any] | None) -> str:
    """The same thing named by the same canonical name gets the same key in every article."""
    if geo is not None:
        return f"geonames:{geo['geonames_id']}"
    return f"{_KEY_PREFIX.get(label, label.lower())}:{slug(text)}"


def context_codes(
    names: Iterable[tuple[str, str]], gazetteer: Gazetteer, dateline_country: str | None
) -> set[str]:
    """The country codes the article points to without doubt: its dateline's, and those of the
    place names only one country has (a name that is ambiguous adds nothing, so it is never
    context for itself). `names`: (label, text) of the article's entities."""
    codes = {
        code
        for label, text in names
        if label in PLACE_LABELS and (code := gazetteer.unambiguous_code(text))
    }
    return codes | {dateline_country} if dateline_country else codes


def geocode(
    label: str, text: str, gazetteer: Gazetteer, context: set[str]
) -> tuple[dict[str, Any] | None, str | None]:
    """(geo, country code) of one entity: places get both (or neither), nationalities a code."""
    if label == "NORP":
        return None, gazetteer.nationality(text)
    if label not in PLACE_LABELS:
        return None, None
    resolved = gazetteer.resolve(text, context)
    if resolved is None:
        return None, None
    return resolved.place.geo(resolved.confidence), resolved.place.country_code
