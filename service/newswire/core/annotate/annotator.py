"""The annotator: articles through the loaded pipeline in batches (`nlp.pipe`), long bodies
cut to a bound and chunked, each `Doc` turned into the annotation dict at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from spacy.tokens import Doc

from newswire.core.annotate import entities, keywords, lists, places, quotes
from newswire.core.annotate.article import AnnotateInput
from newswire.core.annotate.model import model_label
from newswire.core.gazetteer import Gazetteer, dateline_first_place
from newswire.core.text import CHUNK_CHARS, ModelInput, model_input, outside, split_for_model

# Only the first MAX_CHARS characters of a body, and no more than about MAX_TOKENS tokens, go
# through the model (cut at a paragraph or sentence break); the annotation of a longer body is
# "partial". Wire stories are far shorter; 100,000 characters of prose are ~20,000 tokens.
MAX_CHARS = 100_000
MAX_TOKENS = 25_000


class Annotator:
    """Runs a loaded spaCy pipeline over batches of articles and returns plain dicts."""

    def __init__(
        self,
        nlp: Any,
        gazetteer: Gazetteer,
        *,
        batch_size: int = 16,
        chunk_chars: int = CHUNK_CHARS,
        max_chars: int | None = MAX_CHARS,
        max_tokens: int | None = MAX_TOKENS,
    ) -> None:
        self.nlp = nlp
        self.chunk_chars = chunk_chars
        self.max_chars = max_chars
        self.max_tokens = max_tokens
        self.gazetteer = gazetteer
        self.batch_size = batch_size
        self.model = model_label(nlp)
        self.language = nlp.lang

    def annotate(self, items: Sequence[AnnotateInput]) -> list[dict[str, Any]]:
        results: list[dict[str, Any] | None] = [None] * len(items)
        runnable: list[tuple[int, ModelInput]] = []
        for index, item in enumerate(items):
            if item.language != self.language:
                results[index] = skipped_annotation(
                    f"language {item.language!r} is not {self.language!r}, the language of "
                    f"model {self.model}; entities, quotes and keywords are left empty"
                )
                # The dateline is placed all the same (its country is the only context).
                results[index]["dateline_geo"] = dateline_place(item, self.gazetteer, set())
            else:
                runnable.append((index, model_input(item.body, self.max_chars, self.max_tokens)))
        # Long bodies go through the model in chunks (spaCy caps a text at nlp.max_length, and
        # memory grows with it); the chunk docs are joined back into one doc of the body.
        pieces = [split_for_model(work.text, self.chunk_chars) for _, work in runnable]
        flat = (chunk for chunks in pieces for chunk in chunks)
        docs = iter(self.nlp.pipe(flat, batch_size=self.batch_size))
        for (index, work), chunks in zip(runnable, pieces, strict=True):
            parts = [next(docs) for _ in chunks]
            doc = parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
            if work.masked:
                doc.ents = outside(doc.ents, work.masked)
            item = items[index]
            part = item if work.size == len(item.body) else replace(item, body=work.body)
            result = annotation_from_doc(doc, part, self.gazetteer)
            if work.size < len(item.body):
                result["status"] = partial_status(work.size, len(item.body))
            results[index] = result
        return [r for r in results if r is not None]


def dateline_place(
    item: AnnotateInput, gazetteer: Gazetteer, context: set[str]
) -> dict[str, Any] | None:
    """The dateline's place ("BEIJING"; "HARBIN, China": the first place, its region and
    country as context)."""
    if not item.dateline_location:
        return None
    first = dateline_first_place(item.dateline_location)
    codes = context | ({item.dateline_country} if item.dateline_country else set())
    return places.geocode("GPE", first, gazetteer, codes)[0]


def partial_status(annotated: int, total: int) -> dict[str, Any]:
    return {
        "status": "partial",
        "reason": (
            f"annotated the first {annotated:,} of {total:,} characters; entities, quotes and "
            "keywords come from that part only"
        ),
    }


def skipped_annotation(reason: str) -> dict[str, Any]:
    return {
        "entities": [],
        "quotes": [],
        "keywords": [],
        "status": {"status": "skipped", "reason": reason},
    }


def annotation_from_doc(doc: Any, item: AnnotateInput, gazetteer: Gazetteer) -> dict[str, Any]:
    lists.with_listed_names(doc)
    found = entities.find(doc, item, gazetteer)
    span_owner = {span: entity for entity in found for span in entity.spans}
    context = places.context_codes(
        ((e.label, e.text) for e in found), gazetteer, item.dateline_country
    )
    dateline_geo = dateline_place(item, gazetteer, context)
    entity_records = entities.records(found, item, gazetteer, context)
    keys = {record["text"]: record["key"] for record in entity_records}
    found_quotes = quotes.find(item.body, span_owner)
    for quote in found_quotes:
        quote["speaker_key"] = keys.get(quote["speaker"]) if quote["speaker"] else None
    return {
        "entities": entity_records,
        "dateline_geo": dateline_geo,
        "quotes": found_quotes,
        "keywords": keywords.find(doc, item.headline),
        "status": {"status": "ok", "reason": None},
    }
