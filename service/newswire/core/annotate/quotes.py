"""Direct quotes of a body and who said them (a speech verb and an entity mention in the same
sentence). Linear in the body: sentence ends, line breaks and speech verbs are found once."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

from newswire.core.annotate.entities import Entity

MIN_QUOTE_WORDS = 4

SPEECH = re.compile(
    r"\b(said|says|say|told|tells|added|adds|reported|reports|according to|stated|states|"
    r"wrote|writes|asked|explained|warned|noted|insisted|declared|announced|tweeted|posted|"
    r"argued|acknowledged|admitted|cautioned|predicted|replied|recalled|urged)\b",
    re.IGNORECASE,
)
# Titles a speaker is named by instead of a name ("the minister said"); the holder is the
# person last named with that word next to them.
TITLE_WORDS = (
    "minister president premier chancellor spokesman spokeswoman spokesperson official "
    "governor mayor senator ambassador envoy secretary chairman chairwoman ceo director chief "
    "leader general commander prosecutor judge lawyer attorney analyst economist professor "
    "coach manager captain king queen pope diplomat negotiator"
)
TITLE = re.compile(r"\b(" + "|".join(TITLE_WORDS.split()) + r")\b")
TITLE_REACH = 60  # characters either side of a person's name searched for their title
APPOSITIVE_END = re.compile(r"[,.;:\n]")
ATTRIBUTION_CHARS = 80  # characters of a quote's attribution searched for "he" or a title
ATTRIBUTED_TITLE = re.compile(r"\bthe (?:[a-z-]+ ){0,2}(" + "|".join(TITLE_WORDS.split()) + r")\b")
PRONOUN = re.compile(r"\b(he|she)\b")
QUOTE = re.compile(r"“([^“”]{3,2000}?)”|\"([^\"\n]{3,2000}?)\"")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z“\"]|\s*$)")

# A period after these does not end a sentence ("said Sen. Laura Whitfield").
_TITLES_AND_SUFFIXES = (
    "mr mrs ms dr prof sen rep gov gen lt col maj capt sgt adm cmdr st jr sr rev hon pres supt "
    "insp det no vs etc inc corp co ltd dept univ ave mt ft u.s u.k"
)
_ABBREVIATIONS = frozenset(_TITLES_AND_SUFFIXES.split())


def sentence_ends(text: str, lo: int, hi: int) -> list[int]:
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
        self.ends = sentence_ends(text, 0, len(text))
        self.breaks = [m.start() for m in re.finditer("\n", text)]
        speech = [m.span() for m in SPEECH.finditer(text)]
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
    first mention starting in a window is the only candidate to end in it first. Also the
    people by position, and by the titles written next to them ("Foreign Minister Sergei
    Lavrov", "Angela Ortiz, the union's president"), for "he said" and "the minister said"."""

    def __init__(self, body: str, span_owner: dict[tuple[int, int], Entity]) -> None:
        self.groups = []
        for labels in (("PERSON", "ORG"), ("NORP", "GPE")):
            mentions = sorted(
                ((span, entity) for span, entity in span_owner.items() if entity.label in labels),
                key=lambda pair: pair[0][0],
            )
            self.groups.append(([span[0] for span, _ in mentions], mentions))
        people = self.groups[0][1]
        people = [(span, entity) for span, entity in people if entity.label == "PERSON"]
        self.people = ([span[1] for span, _ in people], people)
        self.titled: dict[str, tuple[list[int], list[Entity]]] = {}
        previous_end = 0
        for (start, end), entity in people:
            # A title is the person's when it is written right before the name (after any
            # earlier person), or in an appositive right after it ("Peskov, the spokesman,").
            before = body[max(previous_end, start - TITLE_REACH) : start]
            after = ""
            if body.startswith(", ", end):
                after = APPOSITIVE_END.split(body[end + 2 : end + 2 + TITLE_REACH], maxsplit=1)[0]
            previous_end = end
            for title in set(TITLE.findall(f"{before} {after}".casefold())):
                ends, owners = self.titled.setdefault(title, ([], []))
                ends.append(end)
                owners.append(entity)

    def first_in(self, lo: int, hi: int, group: int) -> Entity | None:
        starts, mentions = self.groups[group]
        index = bisect_left(starts, lo)
        if index < len(mentions) and mentions[index][0][1] <= hi:
            return mentions[index][1]
        return None

    def person_before(self, at: int) -> Entity | None:
        """The PERSON last named before `at` (a mention that ends there or earlier)."""
        ends, people = self.people
        index = bisect_right(ends, at)
        return people[index - 1][1] if index else None

    def titled_before(self, title: str, at: int) -> Entity | None:
        ends, owners = self.titled.get(title, ([], []))
        index = bisect_right(ends, at)
        return owners[index - 1] if index else None


def find(body: str, span_owner: dict[tuple[int, int], Entity]) -> list[dict[str, Any]]:
    """Quotes with their speaker: `speaker` (the entity's canonical text) and
    `speaker_resolved` ("named": named in the quote's sentence; "pronoun": "he said", the
    person named last before the quote; "title": "the minister said", the person last named
    with that title; "continued": a quote in the same paragraph as an attributed one, with no
    attribution of its own), or both null."""
    speakers = _Speakers(body, span_owner)
    sentences: _Sentences | None = None  # built at the first quote: most bodies have none
    quotes = []
    previous: tuple[int, Entity] | None = None  # (end, speaker) of the last attributed quote
    for match in QUOTE.finditer(body):
        group = 1 if match.group(1) is not None else 2
        text = match.group(group)
        if len(text.split()) < MIN_QUOTE_WORDS:
            continue  # scare quotes and fragments ("limitless") are not quotations
        sentences = sentences or _Sentences(body)
        start, end = match.span()
        left, right = sentences.bounds(start, end)
        speaker, how = (
            _speaker(sentences, speakers, (end, right), start)
            or _speaker(sentences, speakers, (left, start), start)
            or (None, None)
        )
        if speaker is None and previous is not None and "\n" not in body[previous[0] : start]:
            # '“…,” Mwangi told reporters. “…”': the same paragraph goes on quoting its speaker
            speaker, how = previous[1], "continued"
        previous = (end, speaker) if speaker is not None else None
        quotes.append(
            {
                "text": text,
                "speaker": speaker.text if speaker else None,
                "speaker_resolved": how,
                "start": match.start(group),
                "end": match.end(group),
            }
        )
    return quotes


def _speaker(
    sentences: _Sentences, speakers: _Speakers, window: tuple[int, int], quote_start: int
) -> tuple[Entity, str] | None:
    lo, hi = window
    if hi <= lo or not sentences.has_speech(lo, hi):
        return None
    if (named := speakers.first_in(lo, hi, 0)) is not None:  # a person or organisation
        return named, "named"
    # Only the words next to the speech verb: "he said" / "said the minister" (bounded).
    words = sentences.text[lo : min(hi, lo + ATTRIBUTION_CHARS)].casefold()
    if lo < quote_start:  # the window before the quote: its last words lead into it
        words = sentences.text[max(lo, hi - ATTRIBUTION_CHARS) : hi].casefold()
    if (title := ATTRIBUTED_TITLE.search(words)) is not None:
        holder = speakers.titled_before(title.group(1), quote_start)
        if holder is not None:
            return holder, "title"
    if PRONOUN.search(words) is not None:
        person = speakers.person_before(quote_start)
        return (person, "pronoun") if person is not None else None
    # A nation or place speaks only when no "he" or title does ("Russia said"; not the
    # "Ethiopia's dams" of '"…," he said, referring to … Ethiopia's dams').
    if (named := speakers.first_in(lo, hi, 1)) is not None:
        return named, "named"
    return None
