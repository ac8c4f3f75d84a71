"""Text utilities: unicode repair, paragraphs, HTML to text, language id, word counts."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINE = re.compile(r"\n\s*\n")
_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
WORDS_PER_MINUTE = 230


def repair_unicode(text: str) -> str:
    """Fix mojibake and broken escapes, NFC-normalize, drop invisible and control characters.

    Typographic quotes and dashes are kept: they are part of the text downstream readers see.
    """
    text = ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=True, normalization="NFC")
    text = _INVISIBLE.sub("", text)
    return _CONTROL.sub("", text)


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


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs, with hard-wrapped lines joined."""
    return [" ".join(block) for block in split_blocks(text) if block]


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
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title if metadata and metadata.title else "") or ""
    author = (metadata.author if metadata and metadata.author else "") or ""
    text = "\n\n".join(line for line in extracted.split("\n") if line.strip())
    return text, title, author.replace(";", ",")


@lru_cache(maxsize=1)
def _language_identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, hint: str | None = None) -> tuple[str, float]:
    """ISO 639-1 code and confidence. A short or ambiguous text falls back on the hint."""
    sample = text[:1500]  # plenty for a confident guess; the whole text costs 3x the time
    hint_code = (hint or "").split("-")[0].split("_")[0].lower() or None
    if len(_WORD.findall(sample[:600])) < 8:
        return (hint_code or "und"), 0.0
    code, confidence = _language_identifier().classify(sample)
    if confidence < 0.6 and hint_code:
        return hint_code, float(confidence)
    return str(code), round(float(confidence), 4)
