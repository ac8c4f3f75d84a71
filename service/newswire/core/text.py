"""Text utilities: unicode repair, paragraphs, HTML to text, language id, word counts, and the
bounded text the NLP model sees."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

import ftfy

from newswire.core.recase import recase_shouting

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINE = re.compile(r"\n\s*\n")
_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
WORDS_PER_MINUTE = 230
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")  # ISO 639-1 or -3
# trafilatura's main-text search is quadratic in a page's elements (1 s at 15,000, 6 s at
# 30,000); article pages have a few thousand. A bigger page gets its plain-text extraction.
MAX_HTML_ELEMENTS = 15_000
_TAG_OPEN = re.compile(r"<[A-Za-z]")


_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False, fix_line_breaks=True, normalization="NFC", explain=False
)
# What ftfy may change in a line: anything but printable ASCII without "&", tab and newline.
# (On such a line every ftfy step is a no-op: ASCII is never mojibake, there is no entity,
# escape, control character, odd line break or non-NFC sequence.)
_FTFY_DIRTY = re.compile(r"[^\t\n\x20-\x25\x27-\x7e]")
# ftfy fixes text line by line at ~20 µs a line: a megabyte of short lines is seconds. Up to
# this many lines that need it are fixed one by one, exactly like ftfy.fix_text; the rest of
# such a text (no article has that many) in pieces of _FTFY_PIECE characters.
MAX_FTFY_LINES = 5_000
_FTFY_PIECE = 65_536


def repair_unicode(text: str) -> str:
    """Fix mojibake and broken escapes, NFC-normalize, drop invisible and control characters.

    Typographic quotes and dashes are kept: they are part of the text downstream readers see.
    """
    text = fix_text(text)
    text = _INVISIBLE.sub("", text)
    return _CONTROL.sub("", text)


def fix_text(
    text: str, max_lines: int = MAX_FTFY_LINES, config: ftfy.TextFixerConfig = _FTFY
) -> str:
    """ftfy.fix_text with our settings, calling ftfy only on the lines it may change (the same
    segments ftfy uses: lines, cut every max_decode_length characters); after `max_lines` of
    them, on large pieces of the rest."""
    segment = config.max_decode_length
    first_tag = text.find("<")  # ftfy stops unescaping HTML entities from the first "<" on
    out: list[str] = []
    pos = line_start = 0
    for _ in range(max_lines):
        match = _FTFY_DIRTY.search(text, pos)
        if match is None:
            out.append(text[pos:])
            return "".join(out)
        at = match.start()
        if (newline := text.rfind("\n", pos, at)) != -1:
            line_start = newline + 1
        start = line_start + (at - line_start) // segment * segment
        end = min(text.find("\n", at) + 1 or len(text), start + segment)
        out += [text[pos:start], _fix_segment(text[start:end], config, first_tag, end)]
        pos = end
        if text[end - 1] == "\n":
            line_start = end
    while pos < len(text):
        end = min(pos + _FTFY_PIECE, len(text))
        if end < len(text) and (newline := text.rfind("\n", pos, end)) > pos:
            end = newline + 1
        out.append(_fix_segment(text[pos:end], config, first_tag, end))
        pos = end
    return "".join(out)


def _fix_segment(segment: str, config: ftfy.TextFixerConfig, first_tag: int, end: int) -> str:
    if first_tag != -1 and first_tag < end and config.unescape_html == "auto":
        config = config._replace(unescape_html=False)
    return ftfy.fix_and_explain(segment, config).text


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def split_blocks(text: str) -> list[list[str]]:
    """Paragraphs as lists of their lines. Blank lines separate paragraphs; without any, each
    line is a paragraph."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _BLANK_LINE.search(text):
        blocks = [
            [collapse_spaces(line) for line in b.split("\n")] for b in _BLANK_LINE.split(text)
        ]
    else:
        blocks = [[collapse_spaces(line)] for line in text.split("\n")]
    return [[line for line in block if line] for block in blocks if any(block)]


def fold_for_compare(text: str) -> str:
    """Casefolded letters and digits only: 'Russia and China…' == 'RUSSIA AND CHINA'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text.translate(_QUOTES)))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def reading_time_minutes(word_count: int) -> int:
    return max(1, round(word_count / WORDS_PER_MINUTE))


def html_to_text(html: str) -> tuple[str, str, str]:
    """Main text (paragraphs separated by blank lines), title and author of an HTML page."""
    import trafilatura  # heavy import, only needed for HTML input

    if _count_up_to(_TAG_OPEN, html, MAX_HTML_ELEMENTS + 1) > MAX_HTML_ELEMENTS:
        return _plain_html_to_text(html)
    extracted = trafilatura.extract(
        html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        output_format="txt",
        deduplicate=False,
    )
    if not extracted:
        extracted = trafilatura.html2txt(html) or ""
    # Not `extensive`: that only widens the publication date search, which is not used here.
    metadata = trafilatura.extract_metadata(html, extensive=False)
    title = (metadata.title if metadata and metadata.title else "") or ""
    author = (metadata.author if metadata and metadata.author else "") or ""
    return _paragraphs(extracted), title, author.replace(";", ",")


def _plain_html_to_text(html: str) -> tuple[str, str, str]:
    """A page too big for main-text and metadata extraction (both grow faster than the page):
    all its text, its <title>, no author."""
    import lxml.html
    import trafilatura

    try:
        title = lxml.html.document_fromstring(html).findtext(".//title") or ""
    except (ValueError, lxml.etree.LxmlError):
        title = ""
    return _paragraphs(trafilatura.html2txt(html) or ""), collapse_spaces(title), ""


def _paragraphs(extracted: str) -> str:
    return "\n\n".join(line for line in extracted.split("\n") if line.strip())


def _count_up_to(pattern: re.Pattern[str], text: str, limit: int) -> int:
    return sum(1 for _ in islice(pattern.finditer(text), limit))


# Languages no wire service writes in (dialects, creoles, ancient, constructed): left in, they
# won on results tables; 11 of 231 English CoNLL-2003 test stories went unannotated.
_NOT_NEWS_LANGUAGES = frozenset({
        "ace", "an", "ary", "arz", "bcl", "br", "crh", "eo", "ext", "fuv", "fy", "gcf", "gcr",
        "gd", "gom", "grc", "gug", "guw", "hbo", "jv", "kab", "kik", "la", "lb", "lij", "ltg",
        "nso", "oc", "pcm", "qu", "sa", "sdh", "se", "vec", "vo", "wa", "wuu", "yue", "zxx",
})  # fmt: skip


@lru_cache(maxsize=1)
def _language_identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(set(identifier.nb_classes) - _NOT_NEWS_LANGUAGES))
    return identifier


def detect_language(text: str, hint: str | None = None) -> tuple[str, float]:
    """ISO 639-1 code and confidence. A short or ambiguous text falls back on the hint."""
    sample = text[:1500]  # plenty for a confident guess; the whole text costs 3x the time
    hint_code = (hint or "").split("-")[0].split("_")[0].lower() or None
    if hint_code is not None and not _LANGUAGE_CODE.fullmatch(hint_code):
        hint_code = None  # "0", "\x00en": not a language (records require a code)
    if len(_WORD.findall(sample[:600])) < 8:
        return (hint_code or "und"), 0.0
    code, confidence = _language_identifier().classify(sample)
    if confidence < 0.6 and hint_code:
        return hint_code, float(confidence)
    return str(code), round(float(confidence), 4)


# ---------------------------------------------------------------- what the model sees

CHUNK_CHARS = 100_000
# spaCy's tokenizer strips affixes off a whitespace-free run one at a time, re-searching the
# rest each time: quadratic in the run's length (seconds for a few thousand quotes or dashes).
# No word or name is this long; a longer run (a URL, junk) is blanked out for the model.
MAX_TOKEN_CHARS = 200
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_TOKEN_CHARS + 1},}}")  # from a run's start only
# About one spaCy token each: a word, a punctuation character, or whitespace other than one
# space (a rough upper bound: spaCy keeps "U.S." or "e-mail" whole).
_TOKENISH = re.compile(r"\w+|[^\w\s]|\s{2,}|[^\S ]")


@dataclass(frozen=True, slots=True)
class ModelInput:
    """The part of a body the model reads: `body` is its first `size` characters, `text` the
    same with over-long runs blanked out (`masked` spans); offsets are the body's."""

    body: str
    text: str
    masked: tuple[tuple[int, int], ...]

    @property
    def size(self) -> int:
        return len(self.body)


def model_input(body: str, max_chars: int | None, max_tokens: int | None) -> ModelInput:
    """The first `max_chars` characters of `body`, and no more than about `max_tokens` tokens
    (punctuation-dense text has five times the tokens of prose, and model time follows
    tokens), cut at a paragraph or sentence break where possible; over-long runs masked."""
    size = len(body)
    if max_chars is not None and size > max_chars:
        size = cut_point(body, 0, max_chars)
    text, masked = mask_long_runs(recase_shouting(body[:size]))
    if max_tokens is not None and (at := _token_offset(text, max_tokens)) is not None:
        size = cut_point(text, 0, at)
        text = text[:size]
        masked = [(start, min(end, size)) for start, end in masked if start < size]
    return ModelInput(body[:size], text, tuple(masked))


def _token_offset(text: str, max_tokens: int) -> int | None:
    """Where the token after the first `max_tokens` starts, or None if there are no more."""
    for count, match in enumerate(_TOKENISH.finditer(text)):
        if count == max_tokens:
            return max(match.start(), 1)
    return None


def split_for_model(body: str, limit: int = CHUNK_CHARS) -> list[str]:
    """The body in consecutive pieces of at most `limit` characters, cut after a paragraph
    break where possible, else after a sentence or a space; "".join(pieces) == body."""
    pieces = []
    start = 0
    while len(body) - start > limit:
        cut = cut_point(body, start, limit)
        pieces.append(body[start : start + cut])
        start += cut
    pieces.append(body[start:])
    return pieces


def cut_point(text: str, start: int, limit: int) -> int:
    """How many characters of text[start:] to take, at most `limit`: up to the last paragraph
    break in the second half of the window, else a sentence or a space in its last 3/4."""
    for separator, floor in (("\n\n", limit // 2), (". ", limit // 4), (" ", limit // 4)):
        at = text.rfind(separator, start, start + limit)
        if at - start >= floor:
            return at - start + len(separator)
    return limit  # no break anywhere: a hard cut


def mask_long_runs(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` with each run of over MAX_TOKEN_CHARS non-space characters blanked out (same
    length, so offsets hold), and the blanked spans."""
    masked = [match.span() for match in _LONG_RUN.finditer(text)]
    if not masked:
        return text, []
    pieces, last = [], 0
    for start, end in masked:
        pieces += [text[last:start], " " * (end - start)]
        last = end
    pieces.append(text[last:])
    return "".join(pieces), masked


def outside(ents: Sequence[Any], masked: Sequence[tuple[int, int]]) -> list[Any]:
    """The entities (spaCy spans) that do not touch a blanked-out span."""
    ends = [end for _, end in masked]
    kept = []
    for ent in ents:
        index = bisect_right(ends, ent.start_char)  # the first blanked span ending after it
        if index == len(masked) or masked[index][0] >= ent.end_char:
            kept.append(ent)
    return kept
