"""Names in lists: "Xi Jinping, Vladimir Putin and Narendra Modi", "Ajax, PSV and Feyenoord".

The small model often tags one or two names of a list and misses the others. A run of
capitalised words next to a tagged name, separated from it by a comma or "and" (and itself
followed or preceded by one), is taken as another name of the same kind. Linear: each entity
looks at a few tokens on either side.
"""

from __future__ import annotations

from typing import Any

LIST_LABELS = frozenset({"PERSON", "ORG", "GPE"})
MAX_NAME_TOKENS = 3
_SEPARATORS = frozenset({",", "and", "&"})
# Capitalised words that start a description, not a name ("Putin, President of Russia").
_NOT_NAMES = frozenset(
    {
        "president", "minister", "prime", "chief", "secretary", "director", "chairman",
        "senator", "governor", "mayor", "general", "the", "mr", "mrs", "ms", "dr", "on",
        "in", "at", "but", "who", "which", "said", "says", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april",
        "may", "june", "july", "august", "september", "october", "november", "december",
    }
)  # fmt: skip


def _name_token(token: Any) -> bool:
    return token.is_title and token.is_alpha and token.lower_ not in _NOT_NAMES


def _run_after(doc: Any, start: int, taken: list[bool]) -> int:
    end = start
    while (
        end < len(doc)
        and end - start < MAX_NAME_TOKENS
        and _name_token(doc[end])
        and not taken[end]
    ):
        end += 1
    return end


def _run_before(doc: Any, end: int, taken: list[bool]) -> int:
    start = end
    while (
        start > 0
        and end - start < MAX_NAME_TOKENS
        and _name_token(doc[start - 1])
        and not taken[start - 1]
    ):
        start -= 1
    return start


def _in_list(doc: Any, i: int) -> bool:
    return 0 <= i < len(doc) and doc[i].lower_ in _SEPARATORS


def with_listed_names(doc: Any) -> None:
    """Add to `doc.ents` the untagged names listed next to tagged ones, with their label."""
    taken = [False] * len(doc)
    for ent in doc.ents:
        for i in range(ent.start, ent.end):
            taken[i] = True
    added = []
    for ent in doc.ents:
        if ent.label_ not in LIST_LABELS:
            continue
        # to the right: ENT , NAME  /  ENT and NAME  /  ENT , and NAME
        i = ent.end
        if _in_list(doc, i):
            i += 1 + (doc[i].text == "," and _in_list(doc, i + 1) and doc[i + 1].lower_ == "and")
            end = _run_after(doc, i, taken)
            if (
                end > i
                and (end == len(doc) or not doc[end].is_title)
                and (
                    end == len(doc) or doc[end].is_punct or _in_list(doc, end) or doc[end].is_space
                )
            ):
                added.append((i, end, ent.label_))
                for k in range(i, end):
                    taken[k] = True
        # to the left: NAME , ENT  (only when NAME itself follows a separator or starts a line)
        j = ent.start - 1
        if _in_list(doc, j):
            start = _run_before(doc, j, taken)
            if start < j and (start == 0 or _in_list(doc, start - 1) or doc[start - 1].is_space):
                added.append((start, j, ent.label_))
                for k in range(start, j):
                    taken[k] = True
    if added:
        spans = [doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=label)
                 for s, e, label in added]  # fmt: skip
        doc.ents = [*doc.ents, *(span for span in spans if span is not None)]
