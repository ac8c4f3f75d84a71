"""Clean a raw article: unicode, HTML, repeated headline, dateline, credits, site chrome."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import resources

from newswire.core import dates
from newswire.core import text as textutil
from newswire.core.dateline_credits import (
    is_agency_credit,
    merge_bylines,
    parse_credit_paragraph,
    parse_dateline,
    split_names,
)
from newswire.core.gazetteer import dateline_first_place
from newswire.core.records import Byline, CleanArticle, Dateline, RawArticle, Rejected

# How many leading paragraphs may hold the repeated headline, byline, agency line or chrome
# before the dateline.
_LEADING_WINDOW = 6


@dataclass(frozen=True, slots=True)
class ChromeRule:
    id: str
    pattern: re.Pattern[str]
    max_chars: int


def load_chrome_rules(path: str | None = None) -> tuple[ChromeRule, ...]:
    """The chrome rule set, kept as data (core/data/chrome_rules.json) so it is easy to extend."""
    if path is None:
        raw = resources.files("newswire.core").joinpath("data/chrome_rules.json").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
    spec = json.loads(raw)
    default_max = int(spec.get("default_max_chars", 200))
    return tuple(
        ChromeRule(
            id=rule["id"],
            pattern=re.compile(rule["pattern"], re.IGNORECASE),
            max_chars=int(rule.get("max_chars", default_max)),
        )
        for rule in spec["rules"]
    )


def chrome_rule_for(paragraph: str, rules: tuple[ChromeRule, ...]) -> str | None:
    """The id of the rule the whole paragraph matches, or None for real text."""
    candidate = paragraph.strip()
    longest, any_rule = _prefilter(rules)
    if len(candidate) > longest or (any_rule is not None and not any_rule.fullmatch(candidate)):
        return None  # most paragraphs: one length test or one match instead of one per rule
    for rule in rules:
        if len(candidate) <= rule.max_chars and rule.pattern.fullmatch(candidate):
            return rule.id
    return None


_PREFILTERS: dict[int, tuple[tuple[ChromeRule, ...], int, re.Pattern[str] | None]] = {}


def _prefilter(rules: tuple[ChromeRule, ...]) -> tuple[int, re.Pattern[str] | None]:
    """For a rule set: its longest max_chars, and one pattern that fully matches a paragraph
    if and only if some rule's does (None when the rules cannot be combined: backreferences,
    inline flags). Kept by the rule set's id, with the rule set, so the id stays unique."""
    cached = _PREFILTERS.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1], cached[2]
    longest = max((rule.max_chars for rule in rules), default=0)
    patterns = [rule.pattern.pattern for rule in rules]
    combined = None
    if patterns and not any(re.search(r"\\\d|\(\?P=|\(\?[aiLmsux]", p) for p in patterns):
        try:
            combined = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
        except re.error:
            combined = None
    if len(_PREFILTERS) > 64:
        _PREFILTERS.clear()
    _PREFILTERS[id(rules)] = (rules, longest, combined)
    return longest, combined


PlaceLookup = Callable[[str, Collection[str]], str | None]


class Cleaner:
    def __init__(
        self,
        rules: tuple[ChromeRule, ...] | None = None,
        *,
        place_country: PlaceLookup | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._rules = rules if rules is not None else load_chrome_rules()
        self._place_country = place_country
        self._now = now  # fills the year of a dateline's date when the input has no time

    def clean(self, raw: RawArticle) -> CleanArticle | Rejected:
        body = raw.body
        headline = raw.headline
        html_authors: list[str] = []
        if raw.content_type == "text/html":
            body, title, author = textutil.html_to_text(body)
            headline = headline or title
            if author and (names := split_names(author)):
                html_authors = names
        headline = textutil.collapse_spaces(textutil.repair_unicode(headline))
        blocks = textutil.split_blocks(textutil.repair_unicode(body))
        bylines: list[Byline] = [Byline(authors=tuple(html_authors))] if html_authors else []
        removed: list[str] = []
        verdict = _Verdicts(self._rules)
        dateline, paragraphs = self._leading(blocks, headline, bylines, removed, verdict)
        if not headline and paragraphs:
            headline = paragraphs[0] if len(paragraphs[0]) <= 200 else ""

        kept: list[str] = []
        for paragraph in paragraphs:
            found = verdict(paragraph)
            if isinstance(found, Byline):
                bylines.append(found)
            elif found is not None:
                removed.append(found)
            else:
                kept.append(paragraph)

        clean_body = "\n\n".join(kept)
        if not clean_body.strip():
            return Rejected(
                "empty_after_cleaning",
                "no article text left after removing headline, dateline, credits and chrome",
                stage="clean",
                id=raw.id,
            )
        if dateline is not None and self._place_country is not None:
            region_code = self._place_country(dateline.region or "", ())
            context = (region_code,) if region_code else ()
            first_place = dateline_first_place(dateline.location or "")
            code = self._place_country(first_place, context) or region_code
            dateline = replace(dateline, country_code=code)
        if dateline is not None and dateline.date:
            dateline = self._dated(dateline, raw.published_at)
        # The headline too: a results table says little of its language, its headline more.
        language, confidence = textutil.detect_language(f"{headline}\n{clean_body}", raw.language)
        word_count = len(textutil.words(clean_body))
        return CleanArticle(
            raw=raw,
            headline=headline,
            body=clean_body,
            dateline=dateline,
            byline=merge_bylines(bylines),
            language=language,
            language_confidence=confidence,
            word_count=word_count,
            reading_time_minutes=textutil.reading_time_minutes(word_count),
            chrome_removed=tuple(removed),
        )

    def _dated(self, dateline: Dateline, published_at: str | None) -> Dateline:
        published = dates.parse_time(published_at)
        if published is not None:
            resolved = dates.resolve(dateline.date, published, "published_at")
        else:
            resolved = dates.resolve(dateline.date, self._now(), "processing_time")
        if resolved is None:
            return dateline
        return replace(dateline, date_iso=resolved.iso, date_year_from=resolved.year_from)

    def _leading(
        self,
        blocks: list[list[str]],
        headline: str,
        bylines: list[Byline],
        removed: list[str],
        verdict: _Verdicts,
    ) -> tuple[Dateline | None, list[str]]:
        """The top of the body: repeated headline, byline, agency line, chrome, then maybe a
        dateline, in any order. Consumes them; returns the dateline and the paragraphs left."""
        folded_headline = textutil.fold_for_compare(headline)
        index = 0
        while index < min(_LEADING_WINDOW, len(blocks)):
            block = blocks[index]
            paragraph = " ".join(block)
            if folded_headline and textutil.fold_for_compare(paragraph) == folded_headline:
                index += 1
                continue
            consumed = self._consume_lines(block, bylines, removed, verdict)
            if consumed:
                index += 1
                continue
            if (parsed := parse_dateline(paragraph)) is not None:
                dateline, rest = parsed
                return dateline, [rest, *(" ".join(b) for b in blocks[index + 1 :])]
            break
        return None, [" ".join(b) for b in blocks[index:]]

    @staticmethod
    def _consume_lines(
        block: list[str], bylines: list[Byline], removed: list[str], verdict: _Verdicts
    ) -> bool:
        """A leading block made only of credit, agency and chrome lines (each line, or the
        whole block) is consumed."""
        for candidate in (block, [" ".join(block)]) if len(block) > 1 else (block,):
            found: list[Byline] = []
            rules: list[str] = []
            for line in candidate:
                judged = verdict(line)
                if isinstance(judged, Byline):
                    found.append(judged)
                elif is_agency_credit(line):
                    continue
                elif judged is not None:
                    rules.append(judged)
                else:
                    break
            else:
                bylines.extend(found)
                removed.extend(rules)
                return True
        return False


class _Verdicts:
    """What a line or paragraph is: a credit (a Byline, maybe empty: an agency credit), the id
    of the chrome rule it matches, or None for text. Each distinct text is judged once: a
    hostile body repeats one line tens of thousands of times."""

    def __init__(self, rules: tuple[ChromeRule, ...]) -> None:
        self._rules = rules
        self._seen: dict[str, Byline | str | None] = {}

    def __call__(self, text: str) -> Byline | str | None:
        if text in self._seen:
            return self._seen[text]
        found: Byline | str | None = parse_credit_paragraph(text)
        if found is None:
            found = chrome_rule_for(text, self._rules)
        self._seen[text] = found
        return found
