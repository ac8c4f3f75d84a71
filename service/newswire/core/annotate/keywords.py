"""Keywords of an article: frequent nouns outside entities, headline words counted higher."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

MAX_KEYWORDS = 10


def find(doc: Any, headline: str) -> list[str]:
    headline_words = {w.casefold() for w in re.findall(r"\w+", headline)}
    scores: Counter[str] = Counter()
    for token in doc:
        if token.pos_ != "NOUN" or token.is_stop or not token.is_alpha or len(token.text) < 3:
            continue
        if token.ent_type_:
            continue
        lemma = (token.lemma_ or token.text).casefold()
        scores[lemma] += 1.0 + (0.5 if token.text.casefold() in headline_words else 0.0)
    return [word for word, _ in scores.most_common(MAX_KEYWORDS)]
