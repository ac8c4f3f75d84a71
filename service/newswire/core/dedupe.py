"""Dedupe with story updates, over a small store interface.

State is five mappings (the store): `entries` (4-byte ref → packed entry), `bands` (4-byte LSH
band key → packed refs), `stories` (story id → latest version), `answered` (8-byte hash of an
input's origin → when its outcome was delivered, so that a redelivered input is not answered
twice) and `agency` (16-byte hash of an agency guid → its versions; core/dedupe_agency.py).
Plain dicts in tests, Faust
tables (changelog-backed) in the service. Every value is compact bytes, so a remembered article
costs about 240 bytes of state (measured by bench/bench_core.py).

Verdicts, against articles seen before (within the window):
* duplicate: nothing material is new (≤ `duplicate_max_new` of its shingles are new): the same
  text under other chrome or typography, a sentence dropped, a number changed. Exact copies
  (same word sequence) get method "exact".
* update: most of an earlier article is kept (containment ≥ `update_min_containment`) and there
  is material new content: same story, next version.
* unique: anything else; it starts a story.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import xxhash

from newswire.core import dedupe_agency as agency_versions
from newswire.core.dedupe_agency import AgencyIdentity, guid_key
from newswire.core.dedupe_store import _REF, _SEEN, DedupeStore, Entry
from newswire.core.fingerprint import Fingerprint, fingerprint, jaccard
from newswire.core.records import Verdict


def _answered_key(origin: str) -> bytes:
    return xxhash.xxh3_64_digest(origin.encode())


def origin_hash(origin: str) -> int:
    """Where an input came from (topic/partition/offset, file/line): redelivery vs. replay."""
    return xxhash.xxh32_intdigest(origin.encode())


class DedupeIndex:
    def __init__(
        self,
        store: DedupeStore,
        *,
        window_seconds: float = 72 * 3600,
        duplicate_max_new: float = 0.10,
        update_min_containment: float = 0.6,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.window = window_seconds
        self.duplicate_max_new = duplicate_max_new
        self.update_min_containment = update_min_containment
        self.clock = clock

    # ------------------------------------------------------------------ judging
    def judge(
        self,
        article_id: str,
        text: str,
        origin: str,
        now: float | None = None,
        *,
        late: bool = False,
        agency: AgencyIdentity | None = None,
    ) -> Verdict:
        """The verdict for an article against what was seen before it; remembers it unless it
        is a duplicate. `late`: it is judged on arrival, not in publish order (the verdict says
        so). `agency`: the story identity and version the source declared, which decide over
        the text for a guid seen before (core/dedupe_agency.py). Judging the same input again
        (same id, same origin: a redelivery after a crash) gives the same verdict, `late`
        included, and changes nothing."""
        now = self.clock() if now is None else now
        fp = fingerprint(text)
        origin_id = origin_hash(origin)
        keys = fp.band_keys()
        candidates = self._candidates(keys, now)
        if agency is not None:
            return self._judge_agency(
                agency, article_id, fp, keys, candidates, origin_id, now, late
            )
        own = next(
            (e for e in candidates if e.article_id == article_id and e.origin == origin_id), None
        )
        if own is not None:  # redelivery: same verdict as the first time
            earlier = [e for e in candidates if e.seq < own.seq]
            return replace(self._verdict(article_id, fp, earlier, own=own), late=own.late)
        verdict = replace(self._verdict(article_id, fp, candidates), late=late)
        if verdict.status != "duplicate":
            if verdict.status == "update":
                self.store.stories[verdict.story_id] = verdict.version
            self._remember(article_id, verdict, fp, keys, origin_id, now)
        return verdict

    def _judge_agency(
        self,
        identity: AgencyIdentity,
        article_id: str,
        fp: Fingerprint,
        keys: list[bytes],
        candidates: list[Entry],
        origin_id: int,
        now: float,
        late: bool,
    ) -> Verdict:
        key = guid_key(identity.guid)
        record = agency_versions.load(self.store.agency, key, now - self.window)
        if record is None:
            verdict = replace(self._verdict(article_id, fp, candidates), late=late)
        else:
            sketch = fp.sketch()
            by_id = {e.article_id: e.sketch for e in candidates}
            verdict = agency_versions.known_verdict(
                record,
                identity,
                article_id,
                origin_id,
                story_version=self.store.stories.get(record.story_id, 1),
                similarity_to=lambda other: (
                    round(jaccard(sketch, by_id[other]), 4) if other in by_id else 0.0
                ),
                late=late,
            )
            seen = record.versions.get(identity.version)
            if seen is not None and seen[:2] == (article_id, origin_id):
                return verdict  # a redelivery changes nothing
        if verdict.status == "update":
            self.store.stories[verdict.story_id] = max(
                verdict.version, self.store.stories.get(verdict.story_id, 1)
            )
        if verdict.status != "duplicate":
            self._remember(article_id, verdict, fp, keys, origin_id, now)
        record = agency_versions.remember(record, identity, article_id, origin_id, verdict, now)
        self.store.agency[key] = record.pack()
        return verdict

    def _verdict(
        self,
        article_id: str,
        fp: Fingerprint,
        candidates: list[Entry],
        own: Entry | None = None,
    ) -> Verdict:
        sketch = fp.sketch()
        best_dup: tuple[float, Entry, str] | None = None
        best_update: tuple[float, float, Entry] | None = None
        for entry in candidates:
            if entry.exact == fp.exact:
                similarity, method = 1.0, "exact"
            else:
                similarity, method = round(jaccard(sketch, entry.sketch), 4), "minhash"
            shared = similarity * (entry.shingles + fp.shingles) / (1 + similarity)
            new_share = max(0.0, fp.shingles - shared) / max(fp.shingles, 1)
            containment = min(1.0, shared / max(entry.shingles, 1))
            if method == "exact" or new_share <= self.duplicate_max_new:
                if best_dup is None or (similarity, method == "exact") > (
                    best_dup[0],
                    best_dup[2] == "exact",
                ):
                    best_dup = (similarity, entry, method)
            elif containment >= self.update_min_containment and (
                best_update is None
                or (containment, entry.seq) > (best_update[0], best_update[2].seq)
            ):
                best_update = (containment, similarity, entry)
        if best_dup is not None:
            similarity, entry, method = best_dup
            return Verdict(
                "duplicate", entry.story_id, entry.version, entry.article_id, similarity, method
            )
        if best_update is not None:
            _, similarity, entry = best_update
            if own is not None:
                version = own.version
            else:
                version = max(self.store.stories.get(entry.story_id, entry.version), 1) + 1
            return Verdict(
                "update", entry.story_id, version, entry.article_id, round(similarity, 4), "minhash"
            )
        return Verdict("unique", article_id, 1)

    def _candidates(self, keys: list[bytes], now: float) -> list[Entry]:
        refs: set[bytes] = set()
        for key in keys:
            posting = self.store.bands.get(key)
            if posting:
                refs.update(posting[i : i + 4] for i in range(0, len(posting), 4))
        horizon = now - self.window
        found = []
        for ref in refs:
            data = self.store.entries.get(ref)
            if data is not None:
                entry = Entry.unpack(ref, data)
                if entry.seen >= horizon:
                    found.append(entry)
        return found

    def _remember(
        self,
        article_id: str,
        verdict: Verdict,
        fp: Fingerprint,
        keys: list[bytes],
        origin_id: int,
        now: float,
    ) -> None:
        ref = self._free_ref(article_id)
        seq = self._next_seq()
        entry = Entry(
            ref,
            article_id,
            verdict.story_id,
            verdict.version,
            now,
            seq,
            fp.shingles,
            fp.exact,
            origin_id,
            fp.sketch(),
            verdict.late,
        )
        self.store.entries[ref] = entry.pack()
        for key in keys:
            posting = self.store.bands.get(key, b"")
            self.store.bands[key] = posting + ref

    def _free_ref(self, article_id: str) -> bytes:
        """A 4-byte ref for the article: its hash, linearly probed past collisions."""
        value = xxhash.xxh32_intdigest(article_id.encode())
        for _ in range(1 << 16):
            ref = _REF.pack(value)
            if ref != _SEQ_KEY and ref not in self.store.entries:
                return ref
            value = (value + 1) & 0xFFFFFFFF
        raise RuntimeError("dedupe index is full")  # pragma: no cover - 65,536 collisions

    def _next_seq(self) -> int:
        data = self.store.entries.get(_SEQ_KEY)
        seq = (_REF.unpack(data)[0] + 1) & 0xFFFFFFFF if data else 1
        self.store.entries[_SEQ_KEY] = _REF.pack(seq)
        return seq

    # ------------------------------------------------------------------ answered inputs
    def answered(self, origin: str) -> bool:
        """True if the input from `origin` was judged and its outcome delivered already (a
        redelivery after a rebalance or a crash need not be answered again)."""
        return _answered_key(origin) in self.store.answered

    def mark_answered(self, origin: str, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        self.store.answered[_answered_key(origin)] = _SEEN.pack(now)

    # ------------------------------------------------------------------ forgetting
    def expire(self, now: float | None = None) -> int:
        """Forget articles seen more than the window ago; returns how many were forgotten."""
        now = self.clock() if now is None else now
        horizon = now - self.window
        expired: set[bytes] = set()
        live_stories: dict[str, int] = {}
        for ref, data in list(self.store.entries.items()):
            if ref == _SEQ_KEY:
                continue
            entry = Entry.unpack(ref, data)
            if entry.seen < horizon:
                expired.add(ref)
            else:
                live_stories[entry.story_id] = max(live_stories.get(entry.story_id, 0), 1)
        for ref in expired:
            del self.store.entries[ref]
        if expired:
            for key, posting in list(self.store.bands.items()):
                kept = b"".join(
                    posting[i : i + 4]
                    for i in range(0, len(posting), 4)
                    if posting[i : i + 4] not in expired
                )
                if not kept:
                    del self.store.bands[key]
                elif len(kept) != len(posting):
                    self.store.bands[key] = kept
            for story_id in list(self.store.stories):
                if story_id not in live_stories:
                    del self.store.stories[story_id]
        for key, seen in list(self.store.answered.items()):
            if _SEEN.unpack(seen)[0] < horizon:
                del self.store.answered[key]
        agency_versions.expire(self.store.agency, horizon)
        return len(expired)

    def remembered(self) -> int:
        return sum(1 for ref in self.store.entries if ref != _SEQ_KEY)


# A reserved entry key holding the sequence counter (refs that hash to it are probed past).
_SEQ_KEY = b"\x00\x00\x00\x00"
