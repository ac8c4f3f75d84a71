"""Every input, one outcome: arbitrary messages through every stage of the stream path (the
clean, dedupe and annotate agents, with their stage records serialized between them)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamkit import SEED_BODY, Recorder, make_service, put_all, validator

from newswire.adapters.stream.service import Service

KINDS = {"dlq": "dlq", "duplicates": "duplicate", "enriched": "enriched"}


def dumps(value: Any) -> bytes:
    """The stdlib encoder: unlike orjson it writes what senders may send us, such as integers
    beyond 64 bits and lone surrogates (escaped as \\ud800)."""
    return json.dumps(value).encode()


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@st.composite
def deep(draw: st.DrawFn) -> bytes:
    """JSON nested up to 1,100 levels (orjson loads 1,024 but dumps only 254)."""
    depth = draw(st.integers(1, 1100))
    body = draw(st.sampled_from([SEED_BODY, "A short body.", ""]))
    nested = "[" * depth + "1" + "]" * depth
    return f'{{"id": "deep", "body": {json.dumps(body)}, "meta": {nested}}}'.encode()


@st.composite
def article_like(draw: st.DrawFn) -> bytes:
    fields: dict[str, Any] = {
        "body": draw(st.one_of(st.just(SEED_BODY), st.text(), json_value)),
        "metadata": draw(json_value),
    }
    for key in ("id", "headline", "source", "url", "published_at", "content_type", "language"):
        if draw(st.booleans()):
            fields[key] = draw(st.one_of(st.text(max_size=300), json_value))
    return dumps(fields)


odd_text = st.sampled_from(
    [
        b'{"id": "s1", "body": "lone \\ud800 surrogate"}',
        b'{"id": "s2", "body": "nul \\u0000 and bidi \\u202e marks"}',
        b'{"id": "n1", "body": "x", "n": 1e400}',
        b'{"id": "n2", "body": "x", "n": 123456789012345678901234567890}',
        b'{"id": "k1", "body": "text", "id": "dup key"}',
        b"\xff\xfe\x00",
        b"",
        b"null",
        b"[]",
    ]
)
messages = st.one_of(
    article_like(), deep(), odd_text, st.binary(max_size=200), json_value.map(dumps)
)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def kit(loop: asyncio.AbstractEventLoop, blank_nlp: Any) -> Iterator[tuple[Service, Recorder]]:
    svc, rec = make_service(blank_nlp)
    yield svc, rec
    svc.runner.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(inputs=st.lists(messages, min_size=1, max_size=5))
def test_every_input_gets_exactly_one_valid_outcome(
    kit: tuple[Service, Recorder],
    loop: asyncio.AbstractEventLoop,
    inputs: list[bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    svc, rec = kit
    caplog.clear()
    # Each agent test context numbers its messages from offset 0: forget which raw offsets
    # were answered in earlier examples (in Kafka an offset is never used twice).
    svc.app.tables["dedupe-answered"].data.clear()
    recorded: list[tuple[str, bytes | None, dict[str, Any]]] = []

    async def run() -> None:
        rec.sent.clear()
        await put_all(svc, "clean", inputs, until=lambda: len(rec.sent) == len(inputs))
        recorded.extend(t for t in rec.sent if t[0] == "dlq")
        staged = [orjson.dumps(v) for _, v in rec.of("dedupe")]
        rec.sent.clear()
        if staged:
            await put_all(svc, "dedupe", staged, until=lambda: len(rec.sent) == len(staged))
        recorded.extend(t for t in rec.sent if t[0] != "annotate")
        annotate = [orjson.dumps(v) for _, v in rec.of("annotate")]
        rec.sent.clear()
        if annotate:
            await put_all(svc, "annotate", annotate, until=lambda: len(rec.sent) == len(annotate))
        recorded.extend(rec.sent)

    loop.run_until_complete(run())
    assert len(recorded) == len(inputs), "an input got no outcome, or two"
    for name, _, record in recorded:
        assert name in KINDS
        errors = [e.message for e in validator(KINDS[name]).iter_errors(record)]
        assert errors == [], (record, errors)
        if name == "dlq":
            assert record["reason"] != "internal_error", record  # decode says what is wrong
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
