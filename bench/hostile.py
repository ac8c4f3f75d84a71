"""Deterministic hostile raw-topic messages: shapes that crash or stall a naive pipeline.

Importable by file path (no package import of ``bench`` needed)::

    spec = importlib.util.spec_from_file_location("hostile", "bench/hostile.py")
    hostile = importlib.util.module_from_spec(spec); spec.loader.exec_module(hostile)
    for kind, data in hostile.hostile_messages(40):
        ...

`hostile_messages(count, seed)` cycles through `KINDS` in order, so message ``i`` has kind
``KINDS[i % len(KINDS)]``. Each message that carries a JSON object has a unique string ``id``
(``hostile-<kind>-<seed>-<i>``), so a harness can tell which ids got which outcome.
`EXPECTED_REASON[kind]` is the rejection reason decode gives (None: the message decodes into an
article and must then go through every stage, well inside the time budget).
`build(kind, size=..., index=..., seed=...)` makes one message of a chosen size, for benchmarks.

    python bench/hostile.py 30   # kind, bytes and sha256 prefix of each message
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Callable

MiB = 1_000_000
NORMAL_BODY = (
    "LONDON (Reuters) - The Bank of England raised interest rates on Thursday, its third "
    "increase this year, as inflation stayed well above target.\n\n"
    '"We will do what is needed to bring inflation back to target," Governor Andrew Bailey '
    "told reporters in London.\n\nMarkets had expected the move, analysts said."
)


def _obj(kind: str, index: int, seed: int, **fields: object) -> dict[str, object]:
    return {"id": f"hostile-{kind}-{seed}-{index}", "source": "hostile", **fields}


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _fill(unit: str, size: int) -> str:
    """`unit` repeated to about `size` characters (at least once)."""
    return unit * max(1, size // len(unit))


# ---------------------------------------------------------------- rejected at decode


def _deep_metadata(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """Valid JSON 255–1,024 levels deep (counting the top object), under an unknown key."""
    depth = rng.randint(255, 1024)
    inner = depth - 1  # the top-level object is one level
    # Alternate arrays and objects, written as text: json.dumps itself recurses.
    opens = "".join('{"a":' if level % 2 else "[" for level in range(inner))
    closes = "".join("}" if level % 2 else "]" for level in reversed(range(inner)))
    head = _dumps(_obj("deep_metadata", index, seed, body=NORMAL_BODY))[:-1]
    return head + f', "extra": {opens}1{closes}}}'.encode()


def _wide_metadata(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """Megabytes of small containers, each nested to just under the depth limit: the nesting
    check walks every one of them."""
    unit = "[" * 60 + "]" * 60
    metadata = "[" + ",".join([unit] * max(1, size // (len(unit) + 1))) + "]"
    head = _dumps(_obj("wide_metadata", index, seed, body=NORMAL_BODY))[:-1]
    return head + f', "extra": {metadata}}}'.encode()


def _huge_numbers(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """Numbers orjson loads (as floats above 64 bits) and must dump again unchanged in kind."""
    head = _dumps(_obj("huge_numbers", index, seed, body=NORMAL_BODY))[:-1]
    numbers = (
        f'"big": {2**70}, "neg_big": -{2**70}, "negzero": -0.0, "u64": {2**64 - 1}, '
        f'"i64": {-(2**63)}, "tiny": 1e-400, "max": 1.7976931348623157e308, '
        f'"digits": {"9" * 300}, "exp": 1E+300, "list": [{2**100}, -0.0, 0e0]'
    )
    return head + b", " + numbers.encode() + b"}"


def _number_overflow(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    head = _dumps(_obj("number_overflow", index, seed, body=NORMAL_BODY))[:-1]
    return head + (b', "x": 1e400}' if index % 2 else b', "x": -' + b"9" * 400 + b"}")


_ODD = "\u202eRTL\u202c \u200dzwj\u200d \u0000nul \u2028ls \ufeffbom \uffff e\u0301\u0301\u0301 "


def _odd_unicode(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """NULs, bidi overrides, joiners, line separators, non-characters, stacked combining
    marks and astral characters (as surrogate-pair escapes) in body, headline and metadata."""
    text = json.dumps(
        _obj(
            "odd_unicode",
            index,
            seed,
            headline=_ODD + "Markets \U0001f600 rally",
            body=_ODD + NORMAL_BODY + "\u0000" + _ODD * 3,
            language="\u0000en",
            **{"meta\u0000data": {_ODD: [_ODD, "\U0001f600"]}},
        ),
        ensure_ascii=True,  # astral characters as "\ud83d\ude00" escapes
    )
    return text.encode("utf-8")


def _lone_surrogate(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    field = ("body", "headline", "note")[index % 3]
    obj = _obj("lone_surrogate", index, seed, body=NORMAL_BODY, headline="Headline")
    obj[field] = "X"
    return _dumps(obj).replace(b'"X"', b'"before \\ud800 after"', 1)


def _not_utf8(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    bad = (b"caf\xe9", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"\xff\xfe")[index % 5]
    return _dumps(_obj("not_utf8", index, seed, body="X" + NORMAL_BODY)).replace(b"X", bad, 1)


def _invalid_json(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    good = _dumps(_obj("invalid_json", index, seed, body=NORMAL_BODY))
    variants = (
        good[:-7],
        good[:-1] + b",}",
        good.replace(b'"', b"'"),
        good[:-1] + b', "x": NaN}',
        b"",
        good + b" trailing",
        b"\x00" + good,
    )
    return variants[index % len(variants)]


def _not_an_object(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    values: tuple[object, ...] = (
        [_obj("not_an_object", index, seed, body=NORMAL_BODY)],
        NORMAL_BODY,
        42,
        None,
        True,
    )
    return _dumps(values[index % len(values)])


def _wrong_types(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    field, value = (
        ("body", 123),
        ("headline", ["a", "list"]),
        ("published_at", 20240101),
        ("content_type", True),
        ("source", {"nested": [1, 2, 3]}),
        ("published_at", "not a date"),
        ("language", 1.5),
    )[index % 7]
    obj = _obj("wrong_types", index, seed, body=NORMAL_BODY)
    obj[field] = value
    return _dumps(obj)


def _missing_body(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    obj = _obj("missing_body", index, seed, headline="Only a headline")
    body: tuple[object, ...] = ("", " \n\t\u00a0 ", None)
    if index % 4:
        obj["body"] = body[index % 4 - 1]
    return _dumps(obj)


def _huge_body(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    return _dumps(_obj("huge_body", index, seed, body=_fill("All work and no play. ", size)))


# ---------------------------------------------------------------- accepted, CPU-heavy


def _quoted_sentences(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """One quoted sentence with its attribution, repeated: one long paragraph, thousands of
    quotes (quote attribution used to re-scan the text before each quote)."""
    unit = '"The minister is wrong about this and everybody knows it," he said. '
    return _dumps(_obj("quoted_sentences", index, seed, body=_fill(unit, size)))


def _quote_chain(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """Quotes with names between them and no sentence end: every quote's attribution window
    runs to the end of the one huge sentence."""
    unit = '"we will fight this all the way" Maria Lopez and John Smith, '
    return _dumps(_obj("quote_chain", index, seed, body="Intro " + _fill(unit, size)))


def _unbalanced_quotes(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    unit = ("“never closed quotation marks here ", '"a straight one with no end ')[index % 2]
    return _dumps(_obj("unbalanced_quotes", index, seed, body=_fill(unit, size)))


def _long_token(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    token = rng.choice("abcdefgh") + _fill("abcdefghij0123456789", size)
    body = f"The report was short. {token} Nothing else was said."
    return _dumps(_obj("long_token", index, seed, body=body))


def _long_punct_token(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """One token made of tokenizer prefix/suffix/infix characters."""
    unit = ("(.)", "a-b.", '!?"', "$%)")[index % 4]
    body = f"The report was short. x{_fill(unit, size)}x Nothing else was said."
    return _dumps(_obj("long_punct_token", index, seed, body=body))


def _dateline_prefixes(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    unit = ("LONDON (Reuters) - ", "WASHINGTON, May 3 (AP) — ", "PARIS, June 3, 2024 (AFP) - ")
    prefixes = unit[index % 3] * max(1, size // 20)
    return _dumps(_obj("dateline_prefixes", index, seed, body=prefixes + NORMAL_BODY))


def _byline_repeats(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """`By NAME` credit lines, each its own paragraph, or all in one block of lines."""
    count = max(1, size // 20)
    separator = "\n\n" if index % 2 else "\n"
    lines = separator.join(f"By Jane Smith{n % 10}" for n in range(count))
    return _dumps(_obj("byline_repeats", index, seed, body=lines + "\n\n" + NORMAL_BODY))


def _nested_html(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    depth = max(1, (size - 400) // 11)
    paragraph = "<p>The central bank raised rates again on Thursday, officials said.</p>"
    html = (
        "<html><head><title>Nested</title></head><body>"
        + "<div>" * depth
        + paragraph * 5
        + "</div>" * depth
        + "</body></html>"
    )
    return _dumps(_obj("nested_html", index, seed, content_type="text/html", body=html))


def _html_many_tags(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    unit = "<p>Officials said <b>the</b> plan <i>would</i> go ahead.</p>\n"
    html = "<html><body><article>" + _fill(unit, size) + "</article></body></html>"
    return _dumps(_obj("html_many_tags", index, seed, content_type="text/html", body=html))


# Paragraphs just under each rule's length limit that run far into a chrome pattern, then fail.
_CHROME_BAIT = (
    "Sign up for " + "x" * 58 + " newsletter" + " y" * 29 + " and then a real sentence ends",
    "Get our " + "daily " * 6 + "newsletter" + " z" * 29 + " which the minister criticised",
    "Copyright 2024 " + "the text goes on " * 16,
    "Follow us on " + "Facebook, " * 6 + "and the officials said nothing more about it at all",
    "Last updated on " + "Monday, " * 3 + "2024 14:00 the court ruled in favour of the plaintiffs",
    "We use cookies " + "and " * 70 + "the rest of this sentence is a real one, officials said",
    "Photo: " + "caption " * 20,
    "Read more: " + "story " * 25,
    "Share via " + "email, " * 4 + "the minister said on Tuesday that talks would resume",
    "Have a tip? " + "call " * 15,
    "advertisement " * 14,
    "1 2 3 comments " * 13,
)


def _chrome_bait(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    paragraphs = []
    total = 0
    while total < size:
        paragraph = rng.choice(_CHROME_BAIT)
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    body = NORMAL_BODY + "\n\n" + "\n\n".join(paragraphs)
    return _dumps(_obj("chrome_bait", index, seed, body=body))


def _tiny_paragraphs(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    return _dumps(_obj("tiny_paragraphs", index, seed, body=_fill("Ok.\n\n", size)))


def _whitespace_runs(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    run = ("\n" + " \t" * (size // 8)) * 2
    body = "Officials met on Monday." + run + "x" + run + "They said nothing."
    return _dumps(_obj("whitespace_runs", index, seed, body=body))


def _mojibake(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    unit = "CafÃ© owners said the rÃ©gime was â€œunfairâ€\x9d to them. "
    return _dumps(_obj("mojibake", index, seed, body=_fill(unit, size)))


def _entity_flood(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    """Thousands of distinct people, bare surnames and quotes: the entity, alias and speaker
    steps see many entities and many quotes at once."""
    parts = []
    total = 0
    n = 0
    while total < size:
        first, last = f"Anna{n:05d}".replace("0", "o"), f"Kowal{n:05d}".replace("0", "x")
        sentence = (
            f"Minister {first.title()} {last.title()} met {last.title()} in Paris. "
            f'"We will not back down on this," {last.title()} said.\n\n'
        )
        parts.append(sentence)
        total += len(sentence)
        n += 1
    return _dumps(_obj("entity_flood", index, seed, body="".join(parts)))


def _huge_headline(index: int, seed: int, size: int, rng: random.Random) -> bytes:
    headline = _fill("Minister Anna Kowalski meets Paris officials ", size)
    body = _fill("Minister Anna Kowalski met officials in Paris and Berlin on Monday. ", 20_000)
    return _dumps(_obj("huge_headline", index, seed, headline=headline, body=body))


Builder = Callable[[int, int, int, random.Random], bytes]
# kind → (builder, default size in characters, rejection reason at decode or None)
_KINDS: dict[str, tuple[Builder, int, str | None]] = {
    "deep_metadata": (_deep_metadata, 0, "too_deep"),
    "wide_metadata": (_wide_metadata, 1_800_000, None),
    "huge_numbers": (_huge_numbers, 0, None),
    "number_overflow": (_number_overflow, 0, "invalid_json"),
    "odd_unicode": (_odd_unicode, 0, None),
    "lone_surrogate": (_lone_surrogate, 0, "invalid_json"),
    "not_utf8": (_not_utf8, 0, "not_utf8"),
    "invalid_json": (_invalid_json, 0, "invalid_json"),
    "not_an_object": (_not_an_object, 0, "not_an_object"),
    "wrong_types": (_wrong_types, 0, "invalid_field"),
    "missing_body": (_missing_body, 0, "missing_body"),
    "huge_body": (_huge_body, 2_100_000, "too_large"),
    "quoted_sentences": (_quoted_sentences, MiB, None),
    "quote_chain": (_quote_chain, MiB, None),
    "unbalanced_quotes": (_unbalanced_quotes, MiB, None),
    "long_token": (_long_token, 500_000, None),
    "long_punct_token": (_long_punct_token, 500_000, None),
    "dateline_prefixes": (_dateline_prefixes, 400_000, None),
    "byline_repeats": (_byline_repeats, MiB, None),
    "nested_html": (_nested_html, 100_000, None),
    "html_many_tags": (_html_many_tags, MiB, None),
    "chrome_bait": (_chrome_bait, MiB, None),
    "tiny_paragraphs": (_tiny_paragraphs, MiB, None),
    "whitespace_runs": (_whitespace_runs, MiB, None),
    "mojibake": (_mojibake, MiB, None),
    "entity_flood": (_entity_flood, MiB, None),
    "huge_headline": (_huge_headline, MiB, None),
}
KINDS: tuple[str, ...] = tuple(_KINDS)
EXPECTED_REASON: dict[str, str | None] = {kind: spec[2] for kind, spec in _KINDS.items()}
DEFAULT_SIZE: dict[str, int] = {kind: spec[1] for kind, spec in _KINDS.items()}
# Kinds that decode into an article: they exercise the CPU of every later stage.
CPU_KINDS: tuple[str, ...] = tuple(k for k in KINDS if EXPECTED_REASON[k] is None)


def build(kind: str, *, size: int | None = None, index: int = 0, seed: int = 0) -> bytes:
    """One message of `kind`; `size` (characters, roughly) for the kinds that scale."""
    builder, default, _ = _KINDS[kind]
    rng = random.Random(f"{seed}:{index}:{kind}")
    return builder(index, seed, default if size is None else size, rng)


def hostile_messages(count: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """`count` (kind, raw-topic message bytes) pairs, cycling through `KINDS` in order."""
    return [
        (KINDS[i % len(KINDS)], build(KINDS[i % len(KINDS)], index=i, seed=seed))
        for i in range(count)
    ]


if __name__ == "__main__":
    for kind, data in hostile_messages(int(sys.argv[1]) if len(sys.argv) > 1 else len(KINDS)):
        print(f"{kind:18} {len(data):>9} bytes  {hashlib.sha256(data).hexdigest()[:12]}")
