"""spaCy annotation: entities (merged, corrected, with salience and country codes), quotes with
speakers, keywords. A `Doc` is turned into plain data right away (`annotation_from_doc`).

- model.py: loading the pipeline once (never downloading), its label;
- article.py: what an article gives the annotator;
- annotator.py: batches through `nlp.pipe`, long bodies cut and chunked, the annotation dict;
- entities.py, quotes.py, keywords.py: what is read from a `Doc` and the body.
"""

from newswire.core.annotate.annotator import (
    MAX_CHARS,
    MAX_TOKENS,
    Annotator,
    annotation_from_doc,
    partial_status,
    skipped_annotation,
)
from newswire.core.annotate.article import AnnotateInput
from newswire.core.annotate.model import ModelNotAvailable, load_nlp, model_label

__all__ = [
    "MAX_CHARS",
    "MAX_TOKENS",
    "AnnotateInput",
    "Annotator",
    "ModelNotAvailable",
    "annotation_from_doc",
    "load_nlp",
    "model_label",
    "partial_status",
    "skipped_annotation",
]
