"""Plain data passed between the stages, and the output records built from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from newswire import __version__

SCHEMA_VERSION = 1
PIPELINE_VERSION = __version__

DedupeStatus = Literal["unique", "duplicate", "update"]


@dataclass(frozen=True, slots=True)
class RawArticle:
    """Input schema v1, validated."""

    id: str
    body: str
    headline: str = ""
    source: str | None = None
    url: str | None = None
    content_type: str = "text/plain"
    published_at: str | None = None
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def key_of(article_id: str | None) -> bytes | None:
    """The Kafka key of an article's records (raw, stage and output): its id."""
    return article_id.encode("utf-8", "surrogatepass") if article_id else None


@dataclass(frozen=True, slots=True)
class Rejected:
    """An expected failure: the input cannot become an article. `reason` is machine-readable."""

    reason: str
    error: str
    stage: str = "parse"
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Dateline:
    location: str | None
    date: str | None = None
    agency: str | None = None
    region: str | None = None
    country_code: str | None = None
    date_iso: str | None = None  # `date` as YYYY-MM-DD (core/dates.py)
    date_year_from: str | None = None  # "text", or where the year was inferred from


@dataclass(frozen=True, slots=True)
class Byline:
    authors: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {*self.authors, *self.contributors, *self.editors}

    def __bool__(self) -> bool:
        return bool(self.authors or self.contributors or self.editors)


@dataclass(frozen=True, slots=True)
class CleanArticle:
    raw: RawArticle
    headline: str
    body: str
    dateline: Dateline | None
    byline: Byline
    language: str
    language_confidence: float
    word_count: int
    reading_time_minutes: int
    chrome_removed: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.raw.id


@dataclass(frozen=True, slots=True)
class Verdict:
    status: DedupeStatus
    story_id: str
    version: int
    duplicate_of: str | None = None
    similarity: float | None = None
    method: str | None = None
    # Judged on arrival rather than in publish order (see core/reorder.py).
    late: bool = False

    def as_record(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "method": self.method,
            "late": self.late,
        }


def dateline_record(
    dateline: Dateline | None, geo: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    return None if dateline is None else {**asdict(dateline), "geo": geo}


def published_at(article: CleanArticle) -> str | None:
    """The input's publication time, else the date of a dated dateline (YYYY-MM-DD)."""
    if article.raw.published_at:
        return article.raw.published_at
    return article.dateline.date_iso if article.dateline else None


def byline_record(byline: Byline) -> dict[str, list[str]]:
    return {
        "authors": list(byline.authors),
        "contributors": list(byline.contributors),
        "editors": list(byline.editors),
    }


def enriched_record(
    article: CleanArticle,
    verdict: Verdict,
    annotation: dict[str, Any],
    *,
    model: str | None,
    processed_at: str,
) -> dict[str, Any]:
    raw = article.raw
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "enriched",
        "id": raw.id,
        "story_id": verdict.story_id,
        "version": verdict.version,
        "source": raw.source,
        "url": raw.url,
        "headline": article.headline,
        "dateline": dateline_record(article.dateline, annotation.get("dateline_geo")),
        "byline": byline_record(article.byline),
        "body": article.body,
        "language": article.language,
        "published_at": published_at(article),
        "published_at_from": "input"
        if raw.published_at
        else "dateline"
        if published_at(article)
        else None,
        "word_count": article.word_count,
        "reading_time_minutes": article.reading_time_minutes,
        "entities": annotation.get("entities", []),
        "quotes": annotation.get("quotes", []),
        "keywords": annotation.get("keywords", []),
        "annotation": annotation.get("status", {"status": "ok", "reason": None}),
        "dedupe": verdict.as_record(),
        "metadata": raw.metadata,
        "provenance": {
            "pipeline_version": PIPELINE_VERSION,
            "model": model,
            "processed_at": processed_at,
        },
    }


def duplicate_record(article: CleanArticle, verdict: Verdict, *, processed_at: str) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "duplicate",
        "id": article.raw.id,
        "story_id": verdict.story_id,
        "headline": article.headline,
        "source": article.raw.source,
        "url": article.raw.url,
        "dedupe": verdict.as_record(),
        "provenance": {"pipeline_version": PIPELINE_VERSION, "processed_at": processed_at},
    }


def rejected_record(
    rejected: Rejected, *, processed_at: str, origin: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "rejected",
        "id": rejected.id,
        "reason": rejected.reason,
        "error": rejected.error,
        "stage": rejected.stage,
        "origin": origin,
        "processed_at": processed_at,
    }


def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema shipped for a record kind: raw, enriched, duplicate, rejected, dlq."""
    import json
    from importlib import resources

    text = resources.files("newswire").joinpath(f"schemas/{kind}.v1.json").read_text("utf-8")
    return json.loads(text)


DLQ_ORIGINAL_MAX_BYTES = 512 * 1024


def dlq_record(
    rejected: Rejected,
    original: bytes,
    *,
    origin: dict[str, Any],
    processed_at: str,
    raw_origin: dict[str, Any] | None = None,
    max_original_bytes: int = DLQ_ORIGINAL_MAX_BYTES,
) -> dict[str, Any]:
    """A dead-letter record: why, where, and the original message bytes (as UTF-8 text when
    they are valid UTF-8, else base64; cut to `max_original_bytes`, flagged `truncated`)."""
    import base64
    import hashlib

    kept = original[:max_original_bytes]
    try:
        original.decode("utf-8")
    except UnicodeDecodeError:
        encoding, data = "base64", base64.b64encode(kept).decode("ascii")
    else:  # valid UTF-8: cut at a character boundary, keep it readable
        encoding, data = "utf-8", kept.decode("utf-8", errors="ignore")
    record = rejected_record(rejected, processed_at=processed_at, origin=origin)
    record["kind"] = "dlq"
    record["raw_origin"] = raw_origin
    record["original"] = {
        "encoding": encoding,
        "data": data,
        "bytes": len(original),
        "sha256": hashlib.sha256(original).hexdigest(),
        "truncated": len(kept) < len(original),
    }
    return record
