"""Agency versions are facts: a story identity and version the source declares (NewsML-G2
`guid` + `version`, ninjs `uri` + `version`, NITF `doc-id` + `du-key` version) decide the
verdict where text similarity could only guess.

For a guid seen before (within the dedupe window):
* a higher version is an `update` of the guid's story, however much the text changed;
* a version already seen is a `duplicate` of the article that carried it (method "agency");
* a lower version than the latest is a `duplicate` of the latest (method "superseded"): a
  consumer that indexes the story must not have version 3 replaced by a late version 2.
A guid seen for the first time is judged on its text like any article (two agencies' copies of
one story are still duplicates), and from then on the guid belongs to that verdict's story.

The memory is one compact record per guid (`agency` mapping of the dedupe store): the guid's
story, when it was last seen, and per version the verdict it got and the input it came from,
so a redelivered input gets its first verdict again.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import orjson
import xxhash

from newswire.core.records import Verdict

# A guid is an agency's string: a URN or URI. Longer ones are not identities we can trust.
MAX_GUID_LENGTH = 1024
MAX_VERSION = 1_000_000
MAX_VERSIONS_KEPT = 64  # per guid (agencies rarely go past a few dozen)


@dataclass(frozen=True, slots=True)
class AgencyIdentity:
    guid: str
    version: int


def agency_identity(metadata: Mapping[str, Any]) -> AgencyIdentity | None:
    """The identity the source declared in the raw article's metadata (`agency_guid` and an
    integer `agency_version`), or None: without both the text decides."""
    guid = metadata.get("agency_guid")
    version = metadata.get("agency_version")
    if not isinstance(guid, str) or not guid.strip() or len(guid) > MAX_GUID_LENGTH:
        return None
    if isinstance(version, bool) or not isinstance(version, int | str):
        return None
    text = str(version).strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_VERSION:
        return None
    return AgencyIdentity(guid.strip(), int(text))


def guid_key(guid: str) -> bytes:
    return xxhash.xxh3_128_digest(guid.encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class AgencyRecord:
    story_id: str
    seen: float
    # version → (article id, origin hash, verdict as stored)
    versions: dict[int, tuple[str, int, Verdict]]

    @property
    def latest(self) -> int:
        return max(self.versions)

    def pack(self) -> bytes:
        return orjson.dumps(
            {
                "s": self.story_id,
                "t": self.seen,
                "v": [
                    [number, article_id, origin, *_verdict_fields(verdict)]
                    for number, (article_id, origin, verdict) in sorted(self.versions.items())
                ],
            }
        )

    @classmethod
    def unpack(cls, data: bytes) -> AgencyRecord:
        value = orjson.loads(data)
        versions = {row[0]: (row[1], row[2], Verdict(*row[3:])) for row in value["v"]}
        return cls(value["s"], value["t"], versions)


def _verdict_fields(verdict: Verdict) -> list[Any]:
    return [
        verdict.status,
        verdict.story_id,
        verdict.version,
        verdict.duplicate_of,
        verdict.similarity,
        verdict.method,
        verdict.late,
    ]


def known_verdict(
    record: AgencyRecord,
    identity: AgencyIdentity,
    article_id: str,
    origin: int,
    *,
    story_version: int,
    similarity_to: Any,
    late: bool,
) -> Verdict:
    """The verdict for `identity` when its guid is known. `story_version`: the latest version
    our story index holds for the guid's story; `similarity_to(article_id)`: the text
    similarity to an earlier article (0.0 when it is no longer remembered)."""
    seen = record.versions.get(identity.version)
    if seen is not None:
        seen_id, seen_origin, verdict = seen
        if seen_id == article_id and seen_origin == origin:
            return verdict  # a redelivery: the verdict it got the first time
        seen_id = _kept(seen_id, verdict)
        return Verdict(
            "duplicate",
            verdict.story_id,
            verdict.version,
            seen_id,
            similarity_to(seen_id),
            "agency",
            late,
        )
    latest_id, _, latest = record.versions[record.latest]
    latest_id = _kept(latest_id, latest)
    if identity.version < record.latest:
        return Verdict(
            "duplicate",
            record.story_id,
            latest.version,
            latest_id,
            similarity_to(latest_id),
            "superseded",
            late,
        )
    return Verdict(
        "update",
        record.story_id,
        max(identity.version, story_version + 1),
        latest_id,
        similarity_to(latest_id),
        "agency",
        late,
    )


def _kept(article_id: str, verdict: Verdict) -> str:
    """The article that stands for a version: itself, or what it duplicated."""
    return (
        verdict.duplicate_of
        if verdict.status == "duplicate" and verdict.duplicate_of
        else article_id
    )


def remember(
    record: AgencyRecord | None,
    identity: AgencyIdentity,
    article_id: str,
    origin: int,
    verdict: Verdict,
    now: float,
) -> AgencyRecord:
    """The guid's record with this input's verdict added."""
    if record is None:
        record = AgencyRecord(verdict.story_id, now, {})
    record.versions.setdefault(identity.version, (article_id, origin, verdict))
    record.seen = max(record.seen, now)
    # Bounded: a guid sent in thousands of versions (a bug or an attack) must not make every
    # judgement of it slower. A version below the ones kept is judged `superseded` anyway.
    for number in sorted(record.versions)[:-MAX_VERSIONS_KEPT]:
        del record.versions[number]
    return record


def expire(records: MutableMapping[bytes, bytes], horizon: float) -> None:
    """Forget the guids last seen before `horizon`."""
    for key, packed in list(records.items()):
        if AgencyRecord.unpack(packed).seen < horizon:
            del records[key]


def load(records: Mapping[bytes, bytes], key: bytes, horizon: float) -> AgencyRecord | None:
    """The guid's record, unless there is none or it was last seen before `horizon` (expired,
    not yet swept)."""
    packed = records.get(key)
    record = AgencyRecord.unpack(packed) if packed is not None else None
    return record if record is not None and record.seen >= horizon else None
