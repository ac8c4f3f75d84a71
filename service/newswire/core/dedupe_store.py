"""What the dedupe index keeps, and how: the store interface (five mappings of compact bytes),
the in-memory store of tests and the offline run, and an entry's packed form (about 240 bytes
per remembered article with its band keys; measured by bench/bench_core.py)."""

from __future__ import annotations

import struct
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Protocol

from newswire.core.fingerprint import BINS

# entry: seen (f64 s), seq (u32), shingles (u32), version (u16), flags (u8), exact (u64),
# origin (u32), sketch (BINS bytes), then id and, for updates, "\x00" + story id.
_ENTRY = struct.Struct(f">dIIHBQI{BINS}s")
_FLAG_OWN_STORY = 1
_FLAG_LATE = 2  # judged on arrival, not in publish order: a redelivery says so again
_REF = struct.Struct(">I")


class DedupeStore(Protocol):
    entries: MutableMapping[bytes, bytes]
    bands: MutableMapping[bytes, bytes]
    stories: MutableMapping[str, int]
    answered: MutableMapping[bytes, bytes]
    agency: MutableMapping[bytes, bytes]


@dataclass
class MemoryStore:
    """In-process store (tests, the offline command)."""

    entries: MutableMapping[bytes, bytes]
    bands: MutableMapping[bytes, bytes]
    stories: MutableMapping[str, int]
    answered: MutableMapping[bytes, bytes]
    agency: MutableMapping[bytes, bytes]

    @classmethod
    def create(cls) -> MemoryStore:
        return cls({}, {}, {}, {}, {})

    def state_bytes(self) -> int:
        """Bytes of keys and values held: what a changelog/RocksDB store has to keep."""
        total = sum(len(k) + len(v) for k, v in self.entries.items())
        total += sum(len(k) + len(v) for k, v in self.bands.items())
        total += sum(len(k.encode()) + 2 for k in self.stories)
        total += sum(len(k) + len(v) for k, v in self.agency.items())
        return total


@dataclass(frozen=True, slots=True)
class Entry:
    ref: bytes
    article_id: str
    story_id: str
    version: int
    seen: float
    seq: int
    shingles: int
    exact: int
    origin: int
    sketch: bytes
    late: bool = False

    def pack(self) -> bytes:
        own = self.story_id == self.article_id
        head = _ENTRY.pack(
            self.seen,
            self.seq,
            self.shingles,
            self.version,
            (_FLAG_OWN_STORY if own else 0) | (_FLAG_LATE if self.late else 0),
            self.exact,
            self.origin,
            self.sketch,
        )
        tail = self.article_id if own else f"{self.article_id}\x00{self.story_id}"
        return head + tail.encode()

    @classmethod
    def unpack(cls, ref: bytes, data: bytes) -> Entry:
        seen, seq, shingles, version, flags, exact, origin, sketch = _ENTRY.unpack_from(data)
        tail = data[_ENTRY.size :].decode()
        if flags & _FLAG_OWN_STORY:
            article_id = story_id = tail
        else:
            article_id, _, story_id = tail.partition("\x00")
        late = bool(flags & _FLAG_LATE)
        return cls(
            ref, article_id, story_id, version, seen, seq, shingles, exact, origin, sketch, late
        )


_SEEN = struct.Struct(">d")
