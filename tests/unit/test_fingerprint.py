"""fingerprint: typography- and case-blind word hashes, MinHash sketches, LSH band keys."""

from __future__ import annotations

import numpy as np
import pytest

from newswire.core.fingerprint import BANDS, BINS, fingerprint, jaccard, word_hashes

TEXT = (
    "Russia and China are set to sign a series of bilateral agreements on Wednesday during the "
    "Russian prime minister’s trip to Beijing, as the two neighboring giants pledge closer "
    "cooperation. “Following the talks, a number of bilateral agreements are expected to be "
    "signed,” Russian news agency Interfax reported – without giving further details."
)


def test_word_hashes_count_words() -> None:
    assert len(word_hashes("Russia and China")) == 3
    assert len(word_hashes("")) == 0
    assert len(word_hashes(" – “” ... ")) == 0


@pytest.mark.parametrize(
    "variant",
    [
        TEXT.replace("’", "'").replace("“", '"').replace("”", '"'),  # straight quotes
        TEXT.replace("–", "-"),  # hyphen for en dash
        TEXT.replace("–", "—"),  # em dash
        TEXT.upper(),
        TEXT.lower(),
        TEXT.replace(" ", "  ").replace(", ", ",\n"),  # spacing and line breaks
        TEXT.replace(" ", "\u00a0"),  # no-break spaces
    ],
)
def test_typography_case_and_spacing_do_not_change_the_fingerprint(variant: str) -> None:
    a, b = fingerprint(TEXT), fingerprint(variant)
    assert a.exact == b.exact
    assert a.shingles == b.shingles
    assert a.sketch() == b.sketch()
    assert a.band_keys() == b.band_keys()


def test_word_changes_change_the_exact_hash() -> None:
    assert fingerprint(TEXT).exact != fingerprint(TEXT.replace("Wednesday", "Thursday")).exact
    assert fingerprint("153.1% rise").exact != fingerprint("153.2% rise").exact
    assert fingerprint("a b c d").exact != fingerprint("b a c d").exact  # order matters


def test_fingerprint_is_deterministic() -> None:
    a, b = fingerprint(TEXT), fingerprint(str(TEXT))
    assert a.exact == b.exact
    assert np.array_equal(a.minima, b.minima)


def test_sketch_and_band_key_shapes() -> None:
    fp = fingerprint(TEXT)
    assert len(fp.sketch()) == BINS
    keys = fp.band_keys()
    assert 0 < len(keys) <= BANDS
    assert all(isinstance(k, bytes) and len(k) == 4 for k in keys)
    assert fp.shingles > 0


def test_jaccard_of_a_sketch_with_itself_is_one() -> None:
    sketch = fingerprint(TEXT).sketch()
    assert jaccard(sketch, sketch) == 1.0


def test_jaccard_of_unrelated_texts_is_low(clean_seeds) -> None:
    a = fingerprint(clean_seeds["000"].body).sketch()
    b = fingerprint(clean_seeds["002"].body).sketch()
    assert jaccard(a, b) < 0.2
    assert jaccard(b, a) == jaccard(a, b)


def test_jaccard_of_near_copies_is_high(clean_seeds) -> None:
    body = clean_seeds["000"].body
    a = fingerprint(body).sketch()
    b = fingerprint(body.replace("153.1%", "153.2%")).sketch()
    assert jaccard(a, b) >= 0.9


def test_jaccard_of_empty_sketches() -> None:
    empty = bytes(BINS)
    assert jaccard(empty, empty) == 0.0


def test_shared_bands_for_near_copies_and_not_for_strangers(clean_seeds) -> None:
    base = fingerprint(clean_seeds["000"].body).band_keys()
    copy = fingerprint(clean_seeds["004"].body).band_keys()
    other = fingerprint(clean_seeds["006"].body).band_keys()
    assert set(base) & set(copy)
    assert not set(base) & set(other)


@pytest.mark.parametrize(
    "text", ["", "a", "Hi there", "\ud800 lone surrogate", "x" * 10_000, "日本語のテキスト"]
)
def test_odd_texts_do_not_raise(text: str) -> None:
    fp = fingerprint(text)
    assert len(fp.sketch()) == BINS
    assert len(fp.band_keys()) <= BANDS
