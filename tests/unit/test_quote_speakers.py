"""Quote speakers (core/annotate/quotes.py): named in the quote's sentence, a pronoun ("he
said") resolved to the person named last before the quote, a title ("the minister said")
resolved to the person last named with that title; each quote carries its speaker's key."""

from __future__ import annotations

from typing import Any

from newswire.core.annotate import AnnotateInput, annotation_from_doc
from newswire.core.gazetteer import Gazetteer


def quotes_of(entity_doc: Any, text: str, entities: list[tuple[str, str, int]]) -> list[dict]:
    doc = entity_doc(text, entities)
    result = annotation_from_doc(doc, AnnotateInput("t", "Talks", text, "en"), Gazetteer({}))
    return result["quotes"]


def test_named_speaker_with_key(entity_doc) -> None:
    text = "“We expect agreements to be signed this week,” said Sergei Lavrov on Monday."
    (quote,) = quotes_of(entity_doc, text, [("Sergei Lavrov", "PERSON", 0)])
    assert quote["speaker"] == "Sergei Lavrov"
    assert quote["speaker_resolved"] == "named"
    assert quote["speaker_key"] == "person:sergei-lavrov"


def test_pronoun_after_the_quote_is_the_person_named_last(entity_doc) -> None:
    text = (
        "Mikhail Mishustin met Li Qiang in Beijing on Tuesday. Talks went on for hours.\n"
        "“Relations are at an unprecedented high level,” he said."
    )
    (quote,) = quotes_of(
        entity_doc, text, [("Mikhail Mishustin", "PERSON", 0), ("Li Qiang", "PERSON", 0)]
    )
    assert (quote["speaker"], quote["speaker_resolved"]) == ("Li Qiang", "pronoun")
    assert quote["speaker_key"] == "person:li-qiang"


def test_pronoun_before_the_quote(entity_doc) -> None:
    text = "Angela Ortiz spoke after the vote. She told reporters: “Fatigue is now a safety issue.”"
    (quote,) = quotes_of(entity_doc, text, [("Angela Ortiz", "PERSON", 0)])
    assert (quote["speaker"], quote["speaker_resolved"]) == ("Angela Ortiz", "pronoun")


def test_title_resolves_to_its_holder_not_the_last_person(entity_doc) -> None:
    text = (
        "Foreign Minister Sergei Lavrov arrived with Dmitry Peskov, the Kremlin spokesman.\n"
        "“The talks were frank and useful for both sides,” the foreign minister said."
    )
    (quote,) = quotes_of(
        entity_doc, text, [("Sergei Lavrov", "PERSON", 0), ("Dmitry Peskov", "PERSON", 0)]
    )
    assert (quote["speaker"], quote["speaker_resolved"]) == ("Sergei Lavrov", "title")


def test_a_title_nobody_holds_gives_no_speaker(entity_doc) -> None:
    text = (
        "Dmitry Peskov spoke first.\n"
        "“The talks were frank and useful for both sides,” the minister said."
    )
    (quote,) = quotes_of(entity_doc, text, [("Dmitry Peskov", "PERSON", 0)])
    assert quote["speaker"] is None and quote["speaker_resolved"] is None
    assert quote["speaker_key"] is None


def test_pronoun_without_anyone_named_before_gives_no_speaker(entity_doc) -> None:
    text = "“The talks were frank and useful for both sides,” he said. Sergei Lavrov left."
    (quote,) = quotes_of(entity_doc, text, [("Sergei Lavrov", "PERSON", 0)])
    assert quote["speaker"] is None


def test_no_speech_verb_no_speaker(entity_doc) -> None:
    text = "Sergei Lavrov arrived. “The talks were frank and useful for both sides,” he wrote."
    (quote,) = quotes_of(entity_doc, text, [("Sergei Lavrov", "PERSON", 0)])
    assert quote["speaker_resolved"] == "pronoun"  # "wrote" is a speech verb
    text = "Sergei Lavrov arrived. “The talks were frank and useful for both sides,” he smiled."
    (quote,) = quotes_of(entity_doc, text, [("Sergei Lavrov", "PERSON", 0)])
    assert quote["speaker"] is None


def test_a_second_quote_in_the_paragraph_continues_the_first_speaker(entity_doc) -> None:
    text = (
        "“This line was built to make the region stronger,” Mwangi told reporters. "
        "“Every megawatt we share is a megawatt saved.”\n"
        "“A new paragraph is quoted without a speaker here.”"
    )
    first, second, third = quotes_of(entity_doc, text, [("Mwangi", "PERSON", 0)])
    assert (first["speaker"], first["speaker_resolved"]) == ("Mwangi", "named")
    assert (second["speaker"], second["speaker_resolved"]) == ("Mwangi", "continued")
    assert third["speaker"] is None and third["speaker_resolved"] is None
