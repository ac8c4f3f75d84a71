"""ALL-CAPS lines shown to the model in title case (core/recase.py), same length and offsets;
entity texts still read from the body."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswire.core.annotate import AnnotateInput, Annotator
from newswire.core.recase import recase_shouting
from newswire.core.text import model_input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SOCCER - JAPAN GET LUCKY WIN, CHINA IN SURPRISE DEFEAT.",
            "Soccer - Japan GET Lucky WIN, China in Surprise Defeat.",
        ),
        ("Normal text with NATO and the EU.", "Normal text with NATO and the EU."),
        ("LONDON 1996-08-30", "LONDON 1996-08-30"),  # too short to be shouting
        (
            "RESULTS OF ENGLISH PREMIER LEAGUE MATCHES\nArsenal 2 Chelsea 1",
            "Results of English Premier League Matches\nArsenal 2 Chelsea 1",
        ),
        ("İSTANBUL DAILY NEWS REPORT", "İstanbul Daily News Report"),  # "İ".lower() is 2 chars
    ],
)
def test_recase(text: str, expected: str) -> None:
    assert recase_shouting(text) == expected


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_same_length_and_caseless_characters_kept(text: str) -> None:
    out = recase_shouting(text)
    assert len(out) == len(text)
    assert all(
        a == b or a.lower() == b.lower() or a.upper() == b for a, b in zip(text, out, strict=True)
    )


def test_the_model_reads_the_recased_line_at_the_same_offsets() -> None:
    body = "SOCCER - JAPAN GET LUCKY WIN, CHINA IN SURPRISE DEFEAT.\nJapan won 2-1."
    work = model_input(body, None, None)
    assert work.body == body and len(work.text) == len(body)
    assert work.text.startswith("Soccer - Japan")


@pytest.mark.model
def test_shouted_names_are_found_and_named_as_the_body_writes_them(nlp, gazetteer) -> None:
    body = (
        "CHINA AND RUSSIA SIGN ENERGY DEAL IN BEIJING\n"
        "Russia and China signed an energy agreement in Beijing on Tuesday, officials said."
    )
    (result,) = Annotator(nlp, gazetteer).annotate([AnnotateInput("t", "", body, "en")])
    by_text: dict[str, Any] = {e["text"]: e for e in result["entities"]}
    assert {"China", "Russia", "Beijing"} <= set(by_text)
    for entity in result["entities"]:
        for start, end in entity["spans"]:
            assert body[start:end] in {entity["text"], *entity["aliases"]}
    assert "CHINA" in by_text["China"]["aliases"]
