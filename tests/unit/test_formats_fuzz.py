"""The agency-format readers never raise, whatever the bytes: fixtures mutated at random
(bytes replaced, inserted, cut, numbers lengthened) give articles or rejections, in the
worker (`decode_raw`) and in replay's file reading (`to_messages`)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.core import formats
from newswire.core.decode import decode_raw
from newswire.core.formats.messages import to_messages
from newswire.core.records import RawArticle, Rejected

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
DOCUMENTS = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".xml", ".json"))
# Bytes that matter to XML and JSON, and some that do not belong.
ALPHABET = b"<>/=\"'&;![]{}:,?#x9 \n\x00\xff\xc3"


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, cut, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + cut % 8 :]
    return data


edits = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=1 << 20),
        st.integers(min_value=0, max_value=7),
        st.binary(max_size=6) | st.sampled_from([bytes([b]) for b in ALPHABET]),
    ),
    min_size=1,
    max_size=6,
)


def check(data: bytes) -> None:
    for item in formats.read(data):
        assert isinstance(item, dict | Rejected)
    result = decode_raw(data, max_bytes=10_000_000)
    assert isinstance(result, RawArticle | Rejected)
    for message in to_messages(data) or []:
        assert isinstance(message, bytes)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=edits)
def test_mutated_documents_never_raise(path: Path, edits: list[tuple[int, int, bytes]]) -> None:
    check(mutate(path.read_bytes(), edits))


@pytest.mark.parametrize(
    "field",
    [
        b"<urgency>%s</urgency>",
        b"<headline>%s</headline>",
    ],
)
def test_huge_numbers_in_fields_are_kept_as_text(field: bytes) -> None:
    """A 5,000-digit urgency once made the reader raise (Python refuses such an int)."""
    digits = b"9" * 5000
    data = (
        b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g" version="1">'
        b"<contentMeta>" + field % digits + b"</contentMeta><contentSet><inlineData>Text"
        b"</inlineData></contentSet></newsItem>"
    )
    [item] = formats.read(data)
    assert isinstance(item, dict)
    raw = decode_raw(data, max_bytes=10_000_000)
    assert isinstance(raw, RawArticle)
    orjson.dumps(raw.metadata)  # and it can be written out again
    nitf = b'<nitf><head><docdata><urgency ed-urg="' + digits + b'"/></docdata></head><body>'
    nitf += b"<body.content><p>Text</p></body.content></body></nitf>"
    [story] = formats.read(nitf)
    assert isinstance(story, dict) and story["metadata"]["urgency"] == digits.decode()


def test_a_reader_that_raises_does_not_stop_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """to_messages sends the document as it came, for the worker to dead-letter."""

    def broken(data: bytes) -> list[object]:
        raise RuntimeError("a bug in a reader")

    monkeypatch.setattr(formats, "read", broken)
    data = (FIXTURES / "g2-story-v1.xml").read_bytes()
    assert to_messages(data) == [data]
