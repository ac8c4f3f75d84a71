"""Entities of a `Doc`: mentions merged by name and alias, labels corrected from the gazetteer,
salience, and (core/annotate/places.py) geocodes, country codes and stable keys."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newswire.core.annotate import places
from newswire.core.annotate.article import AnnotateInput
from newswire.core.gazetteer import Gazetteer

NAMED_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
# Salience looks for entity names in the first HEADLINE_CHARS of the headline: real headlines
# are far shorter, and a megabyte "headline" must not cost (entities x headline) work.
HEADLINE_CHARS = 1_000

_LEADING_ARTICLE = re.compile(r"^(the|The)\s+")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass
class Entity:
    text: str
    label: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    labels: Counter[str] = field(default_factory=Counter)


def mentions(doc: Any, item: AnnotateInput) -> Iterable[tuple[str, str, int, int]]:
    byline = {name.casefold() for name in item.byline_names}
    byline_parts = {part for name in byline for part in name.split()}
    for ent in doc.ents:
        if ent.label_ not in NAMED_LABELS:
            continue
        # The body's characters, not the doc's: the model may have seen a line recased.
        start = ent.start_char
        text = item.body[start : ent.end_char]
        if match := _LEADING_ARTICLE.match(text):
            text, start = text[match.end() :], start + match.end()
        end = start + len(text)
        if (stripped := _POSSESSIVE.sub("", text)) != text and ent.label_ != "NORP":
            text, end = stripped, start + len(stripped)
        text = text.strip()
        folded = text.casefold()
        if not text or folded in byline or (ent.label_ == "PERSON" and folded in byline_parts):
            continue
        yield text, ent.label_, start, end


def find(doc: Any, item: AnnotateInput, gazetteer: Gazetteer) -> list[Entity]:
    groups: dict[str, Entity] = {}
    for text, label, start, end in mentions(doc, item):
        entity = groups.setdefault(text.casefold(), Entity(text=text, label=label))
        entity.spans.append((start, end))
        if text != entity.text:
            entity.aliases.add(text)  # another spelling ("supreme court"): spans stay true
        entity.labels[label] += 1
    for entity in groups.values():
        entity.label = entity.labels.most_common(1)[0][0]
        if entity.text.isupper():  # "JAPAN" in a headline first: the name is "Japan"
            written = sorted(a for a in entity.aliases if not a.isupper())
            if written:
                entity.aliases.discard(written[0])
                entity.aliases.add(entity.text)
                entity.text = written[0]
    people = [e for e in groups.values() if e.label == "PERSON" and len(e.text.split()) >= 2]
    person_parts = {part.casefold() for p in people for part in p.text.split()}
    # A known place the model took for a person or a nationality ("Kyiv" PERSON) is a place;
    # taken for an organisation, only a country is: a city tagged ORG is mostly its team
    # ("Detroit beat Boston") or its government ("Washington said").
    for entity in groups.values():
        relabel = entity.label in ("PERSON", "NORP") or (
            entity.label == "ORG" and gazetteer.is_country(entity.text)
        )
        if (
            relabel
            and entity.text.casefold() not in person_parts
            and gazetteer.is_well_known_place(entity.text)
        ):
            entity.label = "GPE"
    # Aliases: a bare name matching the first or last name of one full PERSON ("Xi" → "Xi
    # Jinping"; "Mishustin" tagged ORG → "Mikhail Mishustin").
    # People by first and last name, so finding owners is a lookup, not people x entities.
    people_by_name: dict[str, list[Entity]] = {}
    for person in people:
        names = person.text.split()
        for name in {names[0].casefold(), names[-1].casefold()}:
            people_by_name.setdefault(name, []).append(person)
    merged: dict[str, Entity] = {}
    for key, entity in groups.items():
        # (Also a surname the model took for a place, when no place has that name.)
        mergeable = entity.label in ("PERSON", "ORG") or (
            entity.label in ("GPE", "LOC") and not gazetteer.candidates(entity.text)
        )
        if mergeable and len(entity.text.split()) == 1:
            folded = entity.text.casefold()
            owners = [p for p in people_by_name.get(folded, ()) if p is not entity]
            if len(owners) == 1:
                owner = owners[0]
                owner.spans.extend(entity.spans)
                owner.aliases.add(entity.text)
                continue
        merged[key] = entity
    for entity in merged.values():
        entity.spans.sort()
    return list(merged.values())


def records(
    entities: list[Entity], item: AnnotateInput, gazetteer: Gazetteer, context: set[str]
) -> list[dict[str, Any]]:
    if not entities:
        return []
    length = max(len(item.body), 1)
    most = max(len(e.spans) for e in entities)
    headline = item.headline[:HEADLINE_CHARS].casefold()
    records = []
    for entity in entities:
        first = entity.spans[0][0] / length
        names = [entity.text, *entity.aliases]
        in_headline = any(contains_word(headline, n.casefold()) for n in names)
        salience = 0.5 * len(entity.spans) / most + 0.3 * (1 - first) + 0.2 * in_headline
        record: dict[str, Any] = {
            "text": entity.text,
            "label": entity.label,
            "mentions": len(entity.spans),
            "spans": [[s, e] for s, e in entity.spans],
            "salience": round(salience, 3),
            "aliases": sorted(entity.aliases),
        }
        geo, record["country_code"] = places.geocode(entity.label, entity.text, gazetteer, context)
        record["geo"] = geo
        record["key"] = places.entity_key(entity.label, entity.text, geo)
        records.append(record)
    records.sort(key=lambda r: (-r["salience"], r["spans"][0][0]))
    return records


def _is_word(text: str, index: int) -> bool:
    """Whether text[index] is a regex word character (outside the text: no)."""
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def _boundary(text: str, index: int) -> bool:
    """Whether \\b holds at `index`."""
    return _is_word(text, index - 1) != _is_word(text, index)


def contains_word(text: str, name: str) -> bool:
    """re.search(rf"\\b{re.escape(name)}\\b", text), without compiling a pattern per name."""
    if not name:
        return re.search(r"\b", text) is not None
    at = text.find(name)
    while at != -1:
        if _boundary(text, at) and _boundary(text, at + len(name)):
            return True
        at = text.find(name, at + 1)
    return False
