"""Composition root: builds the core objects from the settings, in one place."""

from __future__ import annotations

from typing import Any

from newswire.core.annotate import Annotator, load_nlp
from newswire.core.clean import Cleaner
from newswire.core.dedupe import DedupeIndex
from newswire.core.dedupe_store import DedupeStore
from newswire.core.gazetteer_data import load_gazetteer
from newswire.core.records import RawArticle
from newswire.settings import Settings


def build_cleaner() -> Cleaner:
    gazetteer = load_gazetteer()
    cleaner = Cleaner(place_country=gazetteer.country_code)
    # Load the language-id model and the HTML extractor now, at start-up, rather than inside
    # the first message (which would block the worker's event loop for half a second).
    # (A dated dateline: resolving its date loads dateparser's data, half a second.)
    warm = (
        "LONDON, May 23 (Reuters) - Warm-up text about the markets in London and Paris on Monday."
    )
    cleaner.clean(
        RawArticle(
            id="warm-up", body=f"<html><body><p>{warm}</p></body></html>", content_type="text/html"
        )
    )
    return cleaner


def build_index(settings: Settings, store: DedupeStore) -> DedupeIndex:
    return DedupeIndex(
        store,
        window_seconds=settings.dedupe_window_hours * 3600,
        duplicate_max_new=settings.duplicate_max_new,
        update_min_containment=settings.update_min_containment,
    )


def build_annotator(settings: Settings, nlp: Any | None = None) -> Annotator:
    return Annotator(
        nlp if nlp is not None else load_nlp(settings.model),
        load_gazetteer(),
        batch_size=settings.nlp_batch_size,
        max_chars=settings.nlp_max_chars,
    )
