"""Wire-copy structure no library parses: datelines and credit lines.

Datelines: ``BEIJING, May 23 (Reuters) –``, ``WASHINGTON (AP) —``, ``PARIS, June 3, 2024 (AFP) -``,
``NAIROBI, Kenya —``, ``ST. LOUIS, Mo. (AP) --``. Credits: ``Reporting by …; Additional reporting
by … and …; Editing by …``, ``By NAME``, ``NAME contributed to this report.``
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswire.core.records import Byline, Dateline

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# English month names; other languages' datelines put the day first ("11 jul", "3. Juni",
# "3 de junio de 2024"), matched by a looser day-then-word form.
_DATE = re.compile(
    rf"^(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?"
    r"|\d{1,2}\.?\s+(?:de\s+)?[A-Za-zÀ-ÿ]{3,10}\.?(?:\s+(?:de\s+)?\d{4})?)$"
)
# The dateline head ends at a dash set off by spaces (or right after the agency's parenthesis).
# Possessive `\s++`: giving back a space can never let the dash match, and on a long run of
# (uncollapsed) spaces backtracking was 120 x the run.
_HEAD = re.compile(r"^(?P<head>[^\n!?\"“”]{2,120}?)(?:\s++|(?<=\)))(?:--|\.?[-–—])\s*")
_AGENCY = re.compile(r"\((?P<agency>[A-Za-z][A-Za-z .&/-]{0,38}[A-Za-z.])\)\s*$")
# An all-caps place: BEIJING, NEW YORK, ST. LOUIS, N'DJAMENA, WILKES-BARRE.
_CAPS_PLACE = re.compile(
    r"^[A-Z][A-Z.'’\-]*(?:\s+[A-Z][A-Z.'’\-]*){0,4}(?:/[A-Z][A-Z.'’\-]*(?:\s+[A-Z][A-Z.'’\-]*){0,4}){0,3}$"
)
_TITLE_PLACE = re.compile(r"^[A-Z][a-zA-Z.'’\-]+(?:\s+[A-Z][a-zA-Z.'’\-]+){0,3}$")
_REGION = re.compile(r"^[A-Z][a-zA-Z.'’\-]*(?:\s+[A-Za-z][a-zA-Z.'’\-]*){0,3}$")


def parse_dateline(paragraph: str) -> tuple[Dateline, str] | None:
    """Parse a dateline at the start of `paragraph`; return it and the paragraph without it."""
    match = _HEAD.match(paragraph)
    if not match:
        return None
    head = match.group("head").strip().rstrip(",")
    agency = None
    agency_match = _AGENCY.search(head)
    if agency_match:
        agency = agency_match.group("agency").strip()
        head = head[: agency_match.start()].strip().rstrip(",")
    parts = [p.strip() for p in head.split(",") if p.strip()]
    remainder = paragraph[match.end() :]
    if not parts:  # "(Reuters) - …": an agency credit with no place
        if agency and _starts_sentence(remainder):
            return Dateline(location=None, agency=agency), remainder
        return None
    location, rest = parts[0], parts[1:]
    if not _CAPS_PLACE.match(location) and not (agency and _TITLE_PLACE.match(location)):
        return None
    date, region = _split_date_region(rest)
    if rest and date is None and region is None:
        return None
    if not _starts_sentence(remainder):
        return None
    return Dateline(location=location, date=date, agency=agency, region=region), remainder


def _starts_sentence(text: str) -> bool:
    return bool(text) and (text[0].isupper() or text[0] in "\"“‘'0123456789")


def _split_date_region(parts: list[str]) -> tuple[str | None, str | None]:
    """After the place: an optional region, then an optional date (maybe 'June 3, 2024')."""
    region = None
    if parts and not _DATE.match(parts[0]) and not _DATE.match(", ".join(parts[:2])):
        if not _REGION.match(parts[0]):
            return None, None
        region, parts = parts[0], parts[1:]
    if not parts:
        return None, region
    date = ", ".join(parts)
    if not _DATE.match(date):
        return None, None
    return date, region


# ---------------------------------------------------------------- credits

_NAME = r"[A-Z][\w'’.\-]*(?:\s+(?:[A-Z][\w'’.\-]*|de|da|van|von|der|al|bin|el|la|le|di|du))*"
_NAME_RE = re.compile(rf"^{_NAME}$")
_CREDIT_ROLE = re.compile(
    r"^(?P<role>(?:additional\s+)?reporting|writing|editing|edited|compiled|written|"
    r"additional\s+writing|fact[- ]checking|graphics|production|photo editing)"
    r"\s+by\s+(?P<names>.+)$",
    re.IGNORECASE,
)
_SEGMENT_SPLIT = re.compile(r"\s*[;|]\s*")
_ROLE_FIELD = {
    "reporting": "authors",
    "writing": "authors",
    "written": "authors",
    "compiled": "authors",
    "additional reporting": "contributors",
    "additional writing": "contributors",
    "editing": "editors",
    "edited": "editors",
}
_BY_LINE = re.compile(
    r"^By\s+(?P<names>[^\n]{3,160}?)\s*(?:[,|/–—-]\s*(?P<org>[A-Z][\w .&]{1,40}))?\.?$"
)
_CONTRIBUTED = re.compile(
    r"^(?:(?:The\s+)?(?:Associated Press|AP|Reuters|AFP)\s+(?:writers?|reporters?|"
    r"correspondents?)\s+)?(?P<names>.+?)\s+contributed(?:\s+reporting)?\s+(?:to\s+)?"
    r"(?:this\s+(?:report|story)|from\s+.+)\.?$"
)
# "… in Santiago, Chile", "… in Washington, D.C." after a name: where the reporter was.
_IN_PLACE = re.compile(  # starts at a run of spaces' first (the others cannot start a match)
    r"(?<!\s)\s+in\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*(?:,\s*[A-Z][\w.'’-]*\.?(?=\s*(?:\band\b|,|;|$)))?"
)
# Every credit form has "by" before a space, or "contributed": paragraphs without either are
# no credit, and skip the credit patterns (a megabyte of short paragraphs is 250,000 of them).
_CREDIT_HINT = re.compile(r"by\s|contributed", re.IGNORECASE)
_AGENCY_LINES = frozenset({"associated press", "the associated press", "reuters", "afp", "ap"})


@dataclass
class _Credits:
    authors: list[str]
    contributors: list[str]
    editors: list[str]

    def add(self, field: str, names: list[str]) -> None:
        target = getattr(self, field)
        for name in names:
            if name not in target:
                target.append(name)

    def freeze(self) -> Byline:
        return Byline(tuple(self.authors), tuple(self.contributors), tuple(self.editors))


def split_names(text: str) -> list[str] | None:
    """'Lidia Kelly and Ethan Wang in Moscow' → ['Lidia Kelly', 'Ethan Wang']; None if not names."""
    if len(text) > 400:  # no list of names is this long (an HTML author field could be)
        return None
    text = _IN_PLACE.sub("", text.strip().rstrip(")").strip()).rstrip(".").strip()
    pieces = re.split(r"\s*,\s*|\s+and\s+|\s*&\s*", text)
    names = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if not _NAME_RE.match(piece) or len(piece.split()) > 5 or piece.startswith("The "):
            return None
        names.append(piece.title() if piece.isupper() and len(piece) > 3 else piece)
    return names or None


def parse_credit_paragraph(paragraph: str) -> Byline | None:
    """A paragraph made only of credits → Byline, else None (so real sentences are kept)."""
    text = paragraph.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if not text or len(text) > 400 or not _CREDIT_HINT.search(text):
        return None
    credits = _Credits([], [], [])
    if _parse_role_credits(text, credits) or _parse_by_line(text, credits):
        return credits.freeze()
    match = _CONTRIBUTED.match(text)
    if match:
        if is_agency_credit(match.group("names")):
            return credits.freeze()  # "The Associated Press contributed to this report."
        if names := split_names(match.group("names")):
            credits.add("contributors", names)
            return credits.freeze()
    return None


def _parse_role_credits(text: str, credits: _Credits) -> bool:
    segments = [s.strip() for s in _SEGMENT_SPLIT.split(text.rstrip(".")) if s.strip()]
    parsed = []
    for segment in segments:
        match = _CREDIT_ROLE.match(segment)
        if not match:
            return False
        names = split_names(match.group("names"))
        if names is None:
            return False
        role = re.sub(r"\s+", " ", match.group("role").lower())
        parsed.append((_ROLE_FIELD.get(role, "contributors"), names))
    for field, names in parsed:
        credits.add(field, names)
    return bool(parsed)


_OUTLET = re.compile(
    r"^(?:The\s+)?(?:Associated Press|AP|Reuters|AFP|Bloomberg|[\w .&]*\b(?:Press|News|Times|"
    r"Post|Journal|Herald|Tribune|Agency|Wire|Service|Staff|Correspondents?|Writers?|Reporters?))$"
)


def _parse_by_line(text: str, credits: _Credits) -> bool:
    match = _BY_LINE.match(text)
    if not match:
        return False
    names_text = match.group("names")
    org = match.group("org")
    if org and not _OUTLET.match(org.strip()):
        names_text = text[3:].strip().rstrip(".")  # "By A, B and C": the tail is a name too
    names = split_names(names_text)
    if names is None:
        return False
    credits.add("authors", names)
    return True


def is_agency_credit(paragraph: str) -> bool:
    """A bare 'Associated Press' line under a byline."""
    return paragraph.strip().rstrip(".").lower() in _AGENCY_LINES


def merge_bylines(bylines: list[Byline]) -> Byline:
    credits = _Credits([], [], [])
    for byline in bylines:
        credits.add("authors", list(byline.authors))
        credits.add("contributors", list(byline.contributors))
        credits.add("editors", list(byline.editors))
    return credits.freeze()
