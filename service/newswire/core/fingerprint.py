"""Text fingerprints for dedupe: an exact hash and a one-permutation MinHash sketch.

Everything is vectorised with numpy over the UTF-8 bytes of the folded text, because a Python
loop per word or shingle would cap dedupe well below the 5,000 articles/s target.

* Words: runs of letters/digits (any non-ASCII byte counts as a letter), casefolded; typographic
  quotes, dashes and apostrophes are separators, so typography does not change the fingerprint.
* Shingles: 4 consecutive words, hashed by a wrapping polynomial over word hashes and mixed.
* Sketch: one-permutation hashing (Li, Owen & Zhang 2012): the top 6 bits of a shingle hash pick
  one of 64 bins, the minimum per bin is kept; the share of equal bins estimates Jaccard.
* LSH: 16 bands of 4 bins, each band hashed to a 4-byte key, so articles with Jaccard ≳ 0.5 meet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xxhash

BINS = 64
BAND_ROWS = 4
BANDS = BINS // BAND_ROWS
SHINGLE_WORDS = 4
EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)

_U = np.uint64
_M1, _M2 = _U(0xBF58476D1CE4E5B9), _U(0x94D049BB133111EB)
_BASE = _U(0x100000001B3)  # FNV prime: odd, so it is invertible mod 2**64
_SHINGLE_MULT = [_U(1), _U(0x9E3779B97F4A7C15), _U(0xC2B2AE3D27D4EB4F), _U(0x165667B19E3779F9)]
_BIN_SHIFT = _U(64 - 6)
_BIN_STARTS = np.arange(BINS, dtype=np.uint64) << _BIN_SHIFT

# 1 for bytes that belong to words: ASCII letters and digits, and every non-ASCII byte.
_WORD_BYTE = np.zeros(256, dtype=np.bool_)
for _c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
    _WORD_BYTE[_c] = True
_WORD_BYTE[128:] = True

_MAX_BYTES = 4_000_000
# bytes.translate table: ASCII upper case to lower case, other ASCII non-word bytes to 0,
# non-ASCII bytes unchanged. (Non-ASCII case is rarely what differs between two copies of a
# story, and folding it would need a slower pass.)
_BYTE_TABLE = bytes(
    (b + 32 if 65 <= b <= 90 else b) if (b >= 128 or _WORD_BYTE[b]) else 0 for b in range(256)
)
_POW = np.ones(1, dtype=np.uint64)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """_BASE**i and its inverse mod 2**64 for i < n (grown on demand, cached)."""
    global _POW, _INV_POW
    if len(_POW) < n:
        size = max(n, 2 * len(_POW), 1 << 16)
        with np.errstate(over="ignore"):
            _POW = np.cumprod(np.full(size, _BASE, dtype=np.uint64), dtype=np.uint64)
            _POW = np.concatenate([np.ones(1, dtype=np.uint64), _POW[:-1]])
            inverse = _U(pow(int(_BASE), -1, 1 << 64))
            _INV_POW = np.cumprod(np.full(size, inverse, dtype=np.uint64), dtype=np.uint64)
            _INV_POW = np.concatenate([np.ones(1, dtype=np.uint64), _INV_POW[:-1]])
    return _POW, _INV_POW


_INV_POW = np.ones(1, dtype=np.uint64)


def _mix(x: np.ndarray) -> np.ndarray:
    x = (x ^ (x >> _U(30))) * _M1
    x = (x ^ (x >> _U(27))) * _M2
    return x ^ (x >> _U(31))


def _mask_punctuation(raw: np.ndarray, is_word: np.ndarray) -> None:
    """Typographic punctuation is not part of words: General Punctuation (U+2000–U+206F: curly
    quotes, dashes, ellipsis, thin spaces; UTF-8 E2 80/81 xx) and Latin-1 symbols (U+00A0–U+00BF:
    no-break space, «», ©, °; UTF-8 C2 A0–BF)."""
    lead = np.flatnonzero(raw[:-2] == 0xE2)
    lead = lead[(raw[lead + 1] == 0x80) | (raw[lead + 1] == 0x81)]
    for offset in range(3):
        is_word[lead + offset] = False
    lead = np.flatnonzero(raw[:-1] == 0xC2)
    lead = lead[raw[lead + 1] >= 0xA0]
    is_word[lead] = False
    is_word[lead + 1] = False


def word_hashes(text: str) -> np.ndarray:
    """One uint64 per word of the text, ASCII letters folded to lower case."""
    data = text.encode("utf-8", "surrogatepass")[:_MAX_BYTES]
    if not data:
        return np.zeros(0, dtype=np.uint64)
    if len(data) - len(text) < len(text) // 20:
        # Mostly ASCII (English wire copy): every non-ASCII character becomes "?", a separator,
        # the same way in every copy of a text — typographic quotes and dashes included.
        data = text.encode("ascii", "replace")[:_MAX_BYTES]
        raw = np.frombuffer(data.translate(_BYTE_TABLE), dtype=np.uint8)
        is_word = raw != 0
    else:
        raw = np.frombuffer(data.translate(_BYTE_TABLE), dtype=np.uint8)
        is_word = raw != 0
        _mask_punctuation(raw, is_word)
    padded = np.zeros(len(raw) + 2, dtype=np.bool_)
    padded[1:-1] = is_word
    starts = np.flatnonzero(is_word & ~padded[:-2])
    ends = np.flatnonzero(is_word & ~padded[2:]) + 1
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64)
    pow_, inv = _powers(len(raw) + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(raw) + 1, dtype=np.uint64)
        np.cumsum(raw.astype(np.uint64) * pow_[: len(raw)], dtype=np.uint64, out=prefix[1:])
        # the polynomial hash of each word, shifted back to position 0
        return (prefix[ends] - prefix[starts]) * inv[starts]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    exact: int  # 64-bit hash of the word sequence
    shingles: int  # distinct shingles
    minima: np.ndarray  # BINS uint64 minima (EMPTY where a bin got no shingle)

    def sketch(self) -> bytes:
        """The compact stored form: 1 byte per bin (0 = empty bin)."""
        low = (self.minima & _U(0xFF)).astype(np.uint8)
        low[low == 0] = 1
        low[self.minima == EMPTY] = 0
        return low.tobytes()

    def band_keys(self) -> list[bytes]:
        """4-byte LSH keys, one per band that holds at least one shingle (a band of only empty
        bins, from a very short text, would pair every short text)."""
        rows = self.minima.reshape(BANDS, BAND_ROWS)
        filled = (rows != EMPTY).any(axis=1)
        data = rows.tobytes()
        size = BAND_ROWS * 8
        return [
            xxhash.xxh32_digest(data[i * size : (i + 1) * size], seed=i)
            for i in range(BANDS)
            if filled[i]
        ]


def fingerprint(text: str) -> Fingerprint:
    words = word_hashes(text)
    exact = xxhash.xxh3_64_intdigest(words.tobytes())
    if len(words) < SHINGLE_WORDS:
        words = np.concatenate([words, np.zeros(SHINGLE_WORDS - len(words), dtype=np.uint64)])
    n = len(words) - SHINGLE_WORDS + 1
    with np.errstate(over="ignore"):
        shingles = words[:n] * _SHINGLE_MULT[0]
        for offset in range(1, SHINGLE_WORDS):
            shingles = shingles + words[offset : offset + n] * _SHINGLE_MULT[offset]
        shingles = np.sort(_mix(shingles))  # sorted: bins (top bits) ascending
    distinct = 1 + int(np.count_nonzero(shingles[1:] != shingles[:-1]))
    index = np.searchsorted(shingles, _BIN_STARTS)
    minima = np.full(BINS, EMPTY, dtype=np.uint64)
    found = index < len(shingles)
    candidates = shingles[np.minimum(index, len(shingles) - 1)]
    same_bin = found & ((candidates >> _BIN_SHIFT) == np.arange(BINS, dtype=np.uint64))
    minima[same_bin] = candidates[same_bin]
    return Fingerprint(exact=exact, shingles=distinct, minima=minima)


def jaccard(a: bytes, b: bytes) -> float:
    """Jaccard estimate from two sketches; corrected for 1-in-255 chance collisions of a byte."""
    x = np.frombuffer(a, dtype=np.uint8)
    y = np.frombuffer(b, dtype=np.uint8)
    used = (x != 0) | (y != 0)
    both = int(used.sum())
    if both == 0:
        return 0.0
    p = int(((x == y) & (x != 0)).sum()) / both
    chance = 1 / 255
    return max(0.0, min(1.0, (p - chance) / (1 - chance)))
