"""The entity evaluation's corpus reader and scoring (bench/ner_corpus.py), on a hand-written
CoNLL-2003 snippet: documents split at -DOCSTART-, IOB2 spans into (type, name) pairs, and
document-level set precision / recall with aliases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from ner_corpus import detokenize, normalize, parse, score

SNIPPET = """-DOCSTART- -X- -X- O

SOCCER NN B-NP O
- : O O
JAPAN NNP B-NP B-LOC
GET VB B-VP O

Nadim NNP B-NP B-PER
Ladki NNP I-NP I-PER

-DOCSTART- -X- -X- O

The DT B-NP O
European NNP I-NP B-ORG
Commission NNP I-NP I-ORG
said VBD B-VP O
Germany NNP B-NP B-LOC
's POS B-NP O
Werner NNP B-NP B-PER
Zwingmann NNP I-NP I-PER
, , O O
Zwingmann NNP B-NP B-PER
( ( O O
AP NNP B-NP B-ORG
) ) O O
German JJ B-NP B-MISC
. . O O
"""


def test_documents_sentences_and_gold_pairs() -> None:
    first, second = parse(SNIPPET.splitlines(keepends=True))
    assert first.lines == ("SOCCER - JAPAN GET", "Nadim Ladki")
    assert first.gold == {("LOC", "japan"), ("PER", "nadim ladki")}
    assert first.headline == "SOCCER - JAPAN GET" and first.body == "Nadim Ladki"
    assert first.body_gold == {("PER", "nadim ladki")}
    assert (
        second.text
        == "The European Commission said Germany's Werner Zwingmann, Zwingmann (AP) German."
    )
    assert second.gold == {
        ("ORG", "european commission"),
        ("LOC", "germany"),
        ("PER", "werner zwingmann"),
        ("PER", "zwingmann"),
        ("ORG", "ap"),
    }  # MISC is left out


def test_an_i_tag_of_another_type_starts_an_entity() -> None:
    (doc,) = parse(["-DOCSTART- -X- -X- O\n", "A NNP B-NP I-PER\n", "B NNP I-NP I-ORG\n"])
    assert doc.gold == {("PER", "a"), ("ORG", "b")}


def test_aliases_find_gold_names_and_a_group_counts_once() -> None:
    gold = frozenset({("PER", "werner zwingmann"), ("PER", "zwingmann"), ("LOC", "germany")})
    scores = score(
        gold,
        [
            ("PER", ["Werner Zwingmann", "Zwingmann"]),  # one enriched entity, two gold names
            ("LOC", ["the Germany's"]),
            ("LOC", ["Bonn"]),  # wrong
            ("ORG", ["Reuters"]),  # wrong, and ORG has no gold
            ("MISC", ["German"]),  # not scored
        ],
    )
    per, loc, org = scores["PER"], scores["LOC"], scores["ORG"]
    assert (per.true_gold, per.gold, per.true_predicted, per.predicted) == (2, 2, 1, 1)
    assert (loc.true_gold, loc.gold, loc.true_predicted, loc.predicted) == (1, 1, 1, 2)
    assert loc.precision == 0.5 and loc.recall == 1.0 and loc.f1 == pytest.approx(2 / 3)
    assert (org.predicted, org.true_predicted, org.f1) == (1, 0, 0.0)


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (["Japan", "'s", "win", ",", "he", "said", "."], "Japan's win, he said."),
        (["(", "AP", ")", "-", "up", "5", "%"], "(AP) - up 5%"),
        (["do", "n't"], "don't"),
    ],
)
def test_detokenize(tokens: list[str], text: str) -> None:
    assert detokenize(tokens) == text


def test_normalize() -> None:
    assert normalize("The  European Commission's") == "european commission"
