"""annotate: entities, quotes and keywords from spaCy, as plain data."""

from __future__ import annotations

from typing import Any

import pytest

from newswire.core.annotate import (
    AnnotateInput,
    Annotator,
    ModelNotAvailable,
    annotation_from_doc,
    load_nlp,
    skipped_annotation,
)
from newswire.core.clean import Cleaner
from newswire.core.decode import raw_from_mapping
from newswire.core.gazetteer import Gazetteer
from newswire.core.records import CleanArticle
from newswire.core.stages import annotate_input

BYLINE_000 = ("Ryan Woo", "Lidia Kelly", "Ethan Wang", "Michael Perry")
PEOPLE_000 = {
    "Mikhail Mishustin": {"Mishustin"},
    "Xi Jinping": {"Xi"},
    "Li Qiang": set(),
    "Vladimir Putin": set(),
    "Nikolai Patrushev": set(),
    "Chen Wenqing": set(),
    "Li Hui": set(),
    "Volodymyr Zelenskiy": set(),
}
ORGS_000 = ("Interfax", "TASS", "China Customs", "G-7")
PLACES_000 = ("Russia", "China", "Beijing", "Moscow", "Ukraine", "Kyiv", "Shanghai")


@pytest.fixture(scope="module")
def annotation_000(nlp, gazetteer, clean_seeds) -> dict[str, Any]:
    (result,) = Annotator(nlp, gazetteer).annotate([annotate_input(clean_seeds["000"])])
    return result


@pytest.fixture(scope="module")
def entities_000(annotation_000: dict[str, Any]) -> dict[str, dict[str, Any]]:
    entities = {e["text"]: e for e in annotation_000["entities"]}
    assert len(entities) == len(annotation_000["entities"]), "entity texts are not merged"
    return entities


@pytest.mark.model
def test_status_ok(annotation_000: dict[str, Any]) -> None:
    assert annotation_000["status"] == {"status": "ok", "reason": None}


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(PEOPLE_000))
def test_people(entities_000: dict[str, dict[str, Any]], name: str) -> None:
    assert name in entities_000
    entity = entities_000[name]
    assert entity["label"] == "PERSON"
    assert PEOPLE_000[name] <= set(entity["aliases"])
    assert entity["mentions"] == len(entity["spans"])
    assert entity["country_code"] is None


@pytest.mark.model
def test_aliases_are_not_separate_entities(entities_000: dict[str, dict[str, Any]]) -> None:
    assert "Mishustin" not in entities_000
    assert "Xi" not in entities_000
    assert entities_000["Mikhail Mishustin"]["mentions"] >= 3  # full name + 2 surname mentions
    assert entities_000["Xi Jinping"]["mentions"] >= 3


@pytest.mark.model
@pytest.mark.parametrize("name", ORGS_000)
def test_organisations(entities_000: dict[str, dict[str, Any]], name: str) -> None:
    assert name in entities_000
    assert entities_000[name]["label"] == "ORG"


@pytest.mark.model
@pytest.mark.parametrize("name", PLACES_000)
def test_places(entities_000: dict[str, dict[str, Any]], name: str) -> None:
    assert name in entities_000
    assert entities_000[name]["label"] == "GPE"


@pytest.mark.model
@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kyiv", "UA"),
        ("Ukraine", "UA"),
        ("Russia", "RU"),
        ("China", "CN"),
        ("Beijing", "CN"),
        ("Moscow", "RU"),
        ("Shanghai", "CN"),
    ],
)
def test_place_country_codes(entities_000: dict[str, dict[str, Any]], name: str, code: str) -> None:
    assert entities_000[name]["country_code"] == code


@pytest.mark.model
def test_no_byline_names_or_chrome_among_entities(annotation_000: dict[str, Any]) -> None:
    for entity in annotation_000["entities"]:
        assert entity["text"] not in BYLINE_000
        for alias in entity["aliases"]:
            assert alias not in BYLINE_000
        assert "Trust Principles" not in entity["text"]
        assert "Reuters" not in entity["text"]


@pytest.mark.model
def test_spans_slice_the_body(annotation_000: dict[str, Any], clean_seeds) -> None:
    body = clean_seeds["000"].body
    for entity in annotation_000["entities"]:
        names = {entity["text"], *entity["aliases"]}
        assert entity["spans"] == sorted(entity["spans"])
        assert entity["mentions"] == len(entity["spans"]) >= 1
        for start, end in entity["spans"]:
            assert 0 <= start < end <= len(body)
            assert body[start:end] in names, (entity["text"], body[start:end])


@pytest.mark.model
def test_salience(annotation_000: dict[str, Any], entities_000: dict[str, dict[str, Any]]) -> None:
    saliences = [e["salience"] for e in annotation_000["entities"]]
    assert all(0.0 <= s <= 1.0 for s in saliences)
    assert saliences == sorted(saliences, reverse=True)
    # Russia and China are in the headline and named throughout; Zelenskiy once, near the end.
    assert entities_000["Russia"]["salience"] > entities_000["Volodymyr Zelenskiy"]["salience"]
    assert entities_000["China"]["salience"] > entities_000["Li Qiang"]["salience"]


@pytest.mark.model
def test_interfax_quote(annotation_000: dict[str, Any], clean_seeds) -> None:
    body = clean_seeds["000"].body
    quotes = [q for q in annotation_000["quotes"] if q["text"].startswith("Following the talks, ")]
    assert len(quotes) == 1
    (quote,) = quotes
    assert quote["speaker"] == "Interfax"
    assert quote["text"] == (
        "Following the talks, a number of bilateral agreements are expected to be signed,"
    )
    assert body[quote["start"] : quote["end"]] == quote["text"]


@pytest.mark.model
def test_scare_quotes_are_not_quotations(annotation_000: dict[str, Any]) -> None:
    texts = {q["text"] for q in annotation_000["quotes"]}
    assert "limitless" not in texts
    assert "dear friend" not in texts


@pytest.mark.model
def test_keywords(annotation_000: dict[str, Any]) -> None:
    keywords = annotation_000["keywords"]
    assert keywords
    assert len(keywords) <= 10
    assert len(set(keywords)) == len(keywords)
    assert all(k == k.casefold() and k.isalpha() for k in keywords)
    assert not {"russia", "china", "beijing"} & set(keywords)  # entities are not keywords


@pytest.mark.model
def test_non_english_article_is_skipped(nlp, gazetteer, clean_seeds) -> None:
    article = clean_seeds["007"]
    assert article.language == "es"
    (result,) = Annotator(nlp, gazetteer).annotate([annotate_input(article)])
    assert result["entities"] == []
    assert result["quotes"] == []
    assert result["keywords"] == []
    assert result["status"]["status"] == "skipped"
    assert result["status"]["reason"]
    assert "es" in result["status"]["reason"]


@pytest.mark.model
def test_batch_keeps_order(nlp, gazetteer, clean_seeds) -> None:
    items = [annotate_input(clean_seeds[p]) for p in ("007", "000", "002", "007")]
    results = Annotator(nlp, gazetteer, batch_size=2).annotate(items)
    assert [r["status"]["status"] for r in results] == ["skipped", "ok", "ok", "skipped"]
    assert "Interfax" in {e["text"] for e in results[1]["entities"]}
    assert "Seine" in {e["text"] for e in results[2]["entities"]}


@pytest.mark.model
def test_byline_names_are_dropped_even_when_in_the_text(nlp, gazetteer) -> None:
    body = (
        "Ryan Woo met Chinese President Xi Jinping in Beijing on Tuesday, officials said. "
        "Xi told reporters the talks had gone well."
    )
    item = AnnotateInput("t", "Talks", body, "en", byline_names=("Ryan Woo",))
    (result,) = Annotator(nlp, gazetteer).annotate([item])
    texts = {e["text"] for e in result["entities"]}
    assert "Ryan Woo" not in texts
    assert "Xi Jinping" in texts


@pytest.mark.model
def test_quote_attributed_after_a_title_abbreviation(nlp, gazetteer, clean_seeds) -> None:
    """Seed 001: “We are asking people …,” said Sen. Laura Whitfield, an Oregon Democrat …"""
    (result,) = Annotator(nlp, gazetteer).annotate([annotate_input(clean_seeds["001"])])
    (quote,) = [q for q in result["quotes"] if q["text"].startswith("We are asking people")]
    assert quote["speaker"] == "Laura Whitfield"


def check_annotation_invariants(article: CleanArticle, result: dict[str, Any]) -> None:
    body = article.body
    names = article.byline.names()
    for entity in result["entities"]:
        surface = {entity["text"], *entity["aliases"]}
        assert entity["text"] not in names
        assert 0.0 <= entity["salience"] <= 1.0
        assert entity["mentions"] == len(entity["spans"])
        for start, end in entity["spans"]:
            assert body[start:end] in surface, (article.id, entity["text"], body[start:end])
    for quote in result["quotes"]:
        assert body[quote["start"] : quote["end"]] == quote["text"]


@pytest.mark.model
def test_invariants_on_the_english_seeds(nlp, gazetteer, clean_seeds) -> None:
    articles = [a for a in clean_seeds.values() if a.language == "en"]
    assert len(articles) == 8
    results = Annotator(nlp, gazetteer).annotate([annotate_input(a) for a in articles])
    for article, result in zip(articles, results, strict=True):
        assert result["status"]["status"] == "ok"
        assert result["entities"], article.id
        check_annotation_invariants(article, result)


@pytest.mark.model
def test_invariants_on_generated_articles(nlp, gazetteer, generated_articles) -> None:
    cleaner = Cleaner()
    articles = []
    for raw_article in generated_articles[:25]:
        cleaned = cleaner.clean(raw_from_mapping(raw_article, max_bytes=2_000_000))
        assert isinstance(cleaned, CleanArticle)
        articles.append(cleaned)
    results = Annotator(nlp, gazetteer).annotate([annotate_input(a) for a in articles])
    for article, result in zip(articles, results, strict=True):
        check_annotation_invariants(article, result)


# ---------------------------------------------------------------- without the model


def test_mentions_in_other_case_still_slice_to_a_name(entity_doc) -> None:
    text = "The Supreme Court ruled on Monday. Critics of the supreme court objected."
    doc = entity_doc(text, [("Supreme Court", "ORG", 0), ("supreme court", "ORG", 0)])
    result = annotation_from_doc(doc, AnnotateInput("t", "Ruling", text, "en"), Gazetteer({}))
    (entity,) = result["entities"]
    assert entity["mentions"] == 2
    surface = {entity["text"], *entity["aliases"]}
    for start, end in entity["spans"]:
        assert text[start:end] in surface


def test_speaker_after_sen_abbreviation(entity_doc) -> None:
    text = (
        "“We are asking people to do one of the most stressful jobs in America,” said Sen. "
        "Laura Whitfield, an Oregon Democrat."
    )
    doc = entity_doc(text, [("Laura Whitfield", "PERSON", 0)])
    result = annotation_from_doc(doc, AnnotateInput("t", "Bill", text, "en"), Gazetteer({}))
    (quote,) = result["quotes"]
    assert quote["speaker"] == "Laura Whitfield"


def test_speaker_without_abbreviation(entity_doc) -> None:
    text = (
        "“We are asking people to do one of the most stressful jobs in America,” said "
        "Laura Whitfield, an Oregon Democrat. “This is not a partisan issue at all,” she added."
    )
    doc = entity_doc(text, [("Laura Whitfield", "PERSON", 0)])
    result = annotation_from_doc(doc, AnnotateInput("t", "Bill", text, "en"), Gazetteer({}))
    first, second = result["quotes"]
    assert first["speaker"] == "Laura Whitfield"
    assert first["text"] == "We are asking people to do one of the most stressful jobs in America,"
    assert second["text"] == "This is not a partisan issue at all,"


def test_speaker_before_the_quote(entity_doc) -> None:
    text = "Interfax reported: “A number of bilateral agreements are expected to be signed.”"
    doc = entity_doc(text, [("Interfax", "ORG", 0)])
    result = annotation_from_doc(doc, AnnotateInput("t", "Pacts", text, "en"), Gazetteer({}))
    (quote,) = result["quotes"]
    assert quote["speaker"] == "Interfax"


def test_alias_merging_and_byline_filter(entity_doc) -> None:
    text = (
        "Prime Minister Mikhail Mishustin met Xi Jinping. Mishustin said Xi was a friend. "
        "Ryan Woo wrote this."
    )
    doc = entity_doc(
        text,
        [
            ("Mikhail Mishustin", "PERSON", 0),
            ("Xi Jinping", "PERSON", 0),
            ("Mishustin", "ORG", 1),
            ("Xi", "PERSON", 1),
            ("Ryan Woo", "PERSON", 0),
        ],
    )
    item = AnnotateInput("t", "Talks", text, "en", byline_names=("Ryan Woo",))
    entities = {e["text"]: e for e in annotation_from_doc(doc, item, Gazetteer({}))["entities"]}
    assert set(entities) == {"Mikhail Mishustin", "Xi Jinping"}
    assert entities["Mikhail Mishustin"]["aliases"] == ["Mishustin"]
    assert entities["Xi Jinping"]["aliases"] == ["Xi"]
    assert entities["Mikhail Mishustin"]["mentions"] == 2


def test_known_place_tagged_person_becomes_a_place(entity_doc, gazetteer) -> None:
    text = "Officials in Kyiv said the talks would resume."
    doc = entity_doc(text, [("Kyiv", "PERSON", 0)])
    result = annotation_from_doc(doc, AnnotateInput("t", "Talks", text, "en"), gazetteer)
    (entity,) = result["entities"]
    assert (entity["label"], entity["country_code"]) == ("GPE", "UA")


def test_leading_article_and_possessive_are_trimmed(entity_doc) -> None:
    text = "The Kremlin said Russia’s economy grew."
    doc = entity_doc(text, [("The Kremlin", "ORG", 0), ("Russia’s", "GPE", 0)])
    result = annotation_from_doc(doc, AnnotateInput("t", "Growth", text, "en"), Gazetteer({}))
    spans = {e["text"]: e["spans"] for e in result["entities"]}
    assert spans == {"Kremlin": [[4, 11]], "Russia": [[17, 23]]}


class SpyPipe:
    """A spaCy pipeline that records what it was asked to process."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.texts: list[str] = []
        self.lang = nlp.lang
        self.meta = nlp.meta

    def pipe(self, texts: Any, batch_size: int = 16) -> Any:
        for text in texts:
            self.texts.append(text)
            yield self.nlp(text)


def item(article_id: str, language: str) -> AnnotateInput:
    return AnnotateInput(article_id, "Headline", f"Text of {article_id}.", language)


def test_only_english_items_reach_the_pipeline(blank_nlp) -> None:
    spy = SpyPipe(blank_nlp)
    annotator = Annotator(spy, Gazetteer({}))
    items = [item("a", "es"), item("b", "en"), item("c", "de"), item("d", "en"), item("e", "und")]
    results = annotator.annotate(items)
    assert spy.texts == ["Text of b.", "Text of d."]
    assert len(results) == len(items)
    assert [r["status"]["status"] for r in results] == ["skipped", "ok", "skipped", "ok", "skipped"]
    for result in (results[0], results[2], results[4]):
        assert result["entities"] == [] and result["quotes"] == [] and result["keywords"] == []
        assert result["status"]["reason"]


def test_no_english_items_means_no_pipeline_call(blank_nlp) -> None:
    spy = SpyPipe(blank_nlp)
    results = Annotator(spy, Gazetteer({})).annotate([item("a", "fr")])
    assert spy.texts == []
    assert results[0]["status"]["status"] == "skipped"
    assert Annotator(spy, Gazetteer({})).annotate([]) == []


def test_model_label(blank_nlp) -> None:
    annotator = Annotator(blank_nlp, Gazetteer({}))
    assert annotator.language == "en"
    assert annotator.model.startswith("en_")


def test_skipped_annotation_shape() -> None:
    result = skipped_annotation("no model for 'xx'")
    assert result == {
        "entities": [],
        "quotes": [],
        "keywords": [],
        "status": {"status": "skipped", "reason": "no model for 'xx'"},
    }


def test_missing_model_raises_a_clear_error() -> None:
    with pytest.raises(ModelNotAvailable, match="no_such_model_xyz"):
        load_nlp("no_such_model_xyz")


@pytest.mark.model
def test_loaded_model_has_only_the_needed_components(nlp) -> None:
    assert "parser" not in nlp.pipe_names
    assert "ner" in nlp.pipe_names
    assert nlp.pipe_names.index("entity_ruler") < nlp.pipe_names.index("ner")
    assert nlp.lang == "en"


@pytest.mark.parametrize("limit", [50, 300, 1_000])
def test_split_for_model_keeps_every_character(limit: int) -> None:
    from newswire.core.text import split_for_model

    body = ("A sentence about Paris and Berlin. " * 40 + "\n\n") * 5 + "x" * 2_500
    pieces = split_for_model(body, limit)
    assert "".join(pieces) == body
    assert all(len(piece) <= limit for piece in pieces)
    assert len(pieces) > 1


@pytest.mark.model
def test_long_body_is_annotated_in_chunks_with_true_spans(
    nlp: Any, gazetteer: Any, clean_seeds: dict[str, CleanArticle]
) -> None:
    """A body longer than a chunk gives the same entities as in one piece, spans into the body."""
    from newswire.core.annotate import AnnotateInput, Annotator

    body = clean_seeds["000"].body
    item = AnnotateInput("long", "Russia and China", body, "en")
    whole = Annotator(nlp, gazetteer).annotate([item])[0]
    chunked = Annotator(nlp, gazetteer, chunk_chars=400).annotate([item])[0]
    assert {e["text"] for e in chunked["entities"]} >= {"Mikhail Mishustin", "Xi Jinping", "Kyiv"}
    assert len(chunked["entities"]) >= len(whole["entities"]) - 3
    for entity in chunked["entities"]:
        for start, end in entity["spans"]:
            assert body[start:end] in {entity["text"], *entity["aliases"]}
