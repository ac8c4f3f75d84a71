"""Names in lists (core/annotate/lists.py): a name the model tagged lends its label to the
capitalised names listed next to it, and to nothing else."""

from __future__ import annotations

from typing import Any

from newswire.core.annotate.lists import with_listed_names


def tagged(blank_nlp: Any, text: str, entities: list[tuple[str, str]]) -> Any:
    doc = blank_nlp(text)
    doc.ents = [
        doc.char_span(text.index(name), text.index(name) + len(name), label=label)
        for name, label in entities
    ]
    with_listed_names(doc)
    return {(e.text, e.label_) for e in doc.ents}


def test_people_listed_after_a_tagged_person(blank_nlp) -> None:
    text = "Xi Jinping, Vladimir Putin and Narendra Modi met on Monday."
    found = tagged(blank_nlp, text, [("Xi Jinping", "PERSON")])
    assert ("Vladimir Putin", "PERSON") in found


def test_a_name_before_a_tagged_one_at_the_start_of_the_list(blank_nlp) -> None:
    text = "Henman, Rusedski and Sampras won."
    found = tagged(blank_nlp, text, [("Rusedski", "PERSON")])
    assert ("Henman", "PERSON") in found


def test_clubs_in_a_table_line(blank_nlp) -> None:
    text = "Ajax, PSV and Feyenoord are level.\nStandings: Ajax 34, Feyenoord 31."
    found = tagged(blank_nlp, text, [("Ajax", "ORG")])
    assert ("PSV", "ORG") not in found  # all capitals is not a title-case word: left alone
    text = "Barcelona, Sevilla and Valencia are level."
    found = tagged(blank_nlp, text, [("Barcelona", "ORG")])
    assert ("Sevilla", "ORG") in found


def test_descriptions_and_sentences_are_not_names(blank_nlp) -> None:
    text = "Putin, President of Russia, spoke."
    assert tagged(blank_nlp, text, [("Putin", "PERSON")]) == {("Putin", "PERSON")}
    text = "In Moscow, Putin spoke and Security Council members listened."
    assert tagged(blank_nlp, text, [("Putin", "PERSON"), ("Moscow", "GPE")]) == {
        ("Putin", "PERSON"),
        ("Moscow", "GPE"),
    }


def test_other_labels_do_not_spread(blank_nlp) -> None:
    text = "Monday, Tuesday and Friday."
    assert tagged(blank_nlp, text, [("Monday", "DATE")]) == {("Monday", "DATE")}
