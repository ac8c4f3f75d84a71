"""Chaos suite inputs: short distinct articles from bench/generate.py, near-duplicates and
updates derived from some of them (each with the verdict it must get), and hostile messages
from bench/hostile.py.

Expected verdicts come from how the texts are built, not from the service's code:

- near-duplicate: the original body with one number changed, typographic quotes and an
  "Advertisement" line added: a handful of new 4-word shingles out of hundreds (≤ 10 % new).
- update: the original body (all of it kept, ≥ 60 %) plus 2–4 paragraphs from an article that
  is never published, more than a duplicate may add (> 25 % new words).
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

from chaos_evidence import Input

BENCH = Path(__file__).resolve().parent
_ID = re.compile(rb'"id"\s*:\s*"([^"\\]{1,256})"')
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")


def _load(name: str) -> ModuleType:
    """A bench module by file path (bench/ is not a package)."""
    key = f"nwchaos_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def _words(text: str) -> int:
    return len(text.split())


def _shorten(article: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The article cut to whole paragraphs, about 150–280 words (NLP stays quick, and an
    update of it stays under 400 words)."""
    paragraphs = article["body"].split("\n\n")
    target = rng.randint(180, 280)
    kept: list[str] = []
    for paragraph in paragraphs:
        if _words("\n\n".join(kept)) >= 150 and _words("\n\n".join([*kept, paragraph])) > target:
            break
        kept.append(paragraph)
    return article | {"body": "\n\n".join(kept)}


def articles(count: int, seed: int, offset: int = 0) -> list[dict[str, Any]]:
    """`count` distinct short articles; `offset` picks a disjoint range of the generator."""
    generate = _load("generate")
    rng = random.Random(f"chaos:{seed}:{offset}")
    made = [generate._make_article(offset + i, seed) for i in range(count)]
    return [_shorten(a, rng) for a in made]


def near_duplicate(original: dict[str, Any], new_id: str, rng: random.Random) -> dict[str, Any]:
    body = original["body"]
    numbers = list(_NUMBER.finditer(body))
    if numbers:
        m = rng.choice(numbers)
        body = f"{body[: m.start()]}{int(float(m.group())) + 7}{body[m.end() :]}"
    body = body.replace('"', "\u201c", 1)  # typography does not change a fingerprint
    paragraphs = body.split("\n\n")
    paragraphs.insert(min(2, len(paragraphs)), "Advertisement")
    return original | {"id": new_id, "body": "\n\n".join(paragraphs), "source": "Chaos Mirror"}


def update(original: dict[str, Any], donor: dict[str, Any], new_id: str) -> dict[str, Any]:
    """The original plus donor paragraphs worth 30–45 % of its words: far more new material
    than a duplicate may add, while keeping enough in common for LSH to find the original."""
    size = _words(original["body"])
    added: list[str] = []
    for paragraph in donor["body"].split("\n\n")[1:]:
        if _words("\n\n".join([*added, paragraph])) > 0.45 * size:
            continue
        added.append(paragraph)
        if _words("\n\n".join(added)) >= 0.3 * size:
            break
    assert _words("\n\n".join(added)) >= 0.3 * size, (new_id, size, added)
    return original | {"id": new_id, "body": "\n\n".join([original["body"], *added])}


def good_inputs(count: int, derived_every: int, seed: int, tag: str, lag: int = 25) -> list[Input]:
    """`count` distinct articles. Every `derived_every`-th article (that has `lag` articles
    after it) is an original: `lag` articles later a copy of it is published, three times out
    of four a near-duplicate, else an update. Ids are unique per phase (`tag`), so that each
    outcome maps to one input."""
    rng = random.Random(f"chaos-derive:{seed}")  # not the tag: same texts every run
    base = articles(count, seed)
    generate = _load("generate")  # donors are whole articles: many paragraphs to pick from
    donors = [generate._make_article(1_000_000 + i, seed) for i in range(count // 4 + 1)]
    for a in base:
        a["id"] = f"{tag}-{a['id']}"
    out: list[Input] = []
    derived = 0
    for i, article in enumerate(base):
        original = bool(derived_every) and i % derived_every == 0 and i + lag < count
        out.append(
            _article_input(len(out), "original" if original else "good", article, ("unique", None))
        )
        j = i - lag
        if derived_every and j >= 0 and j % derived_every == 0:
            source = base[j]
            if derived % 4 == 3:
                copy = update(source, donors[derived], f"{source['id']}-upd")
                out.append(_article_input(len(out), "update", copy, ("update", source["id"])))
            else:
                copy = near_duplicate(source, f"{source['id']}-dup", rng)
                out.append(
                    _article_input(len(out), "near_duplicate", copy, ("duplicate", source["id"]))
                )
            derived += 1
    return out


def _article_input(n: int, kind: str, article: dict[str, Any], expect: Any) -> Input:
    return Input(
        n=n,
        kind=kind,
        hostile=False,
        id=article["id"],
        value=orjson.dumps(article),
        key=article["id"].encode(),
        expect=expect,
    )


def hostile_module() -> ModuleType:
    return _load("hostile")


def hostile_inputs(count: int, seed: int, small_size: int, heavy_size: int | None) -> list[Input]:
    """`count` hostile messages cycling through hostile.KINDS. The first message of each kind
    is built at `heavy_size` (None: hostile.py's default, e.g. 1 MB of quoted sentences), the
    rest at `small_size` characters, so a flood of thousands stays a few MB."""
    hostile = hostile_module()
    kinds = hostile.KINDS
    out: list[Input] = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        heavy = i < len(kinds)
        size = heavy_size if heavy else small_size
        if hostile.EXPECTED_REASON[kind] == "too_large":
            size = None if heavy else small_size  # only the default size is too large
        value = hostile.build(kind, size=size, index=i, seed=seed)
        match = _ID.search(value)
        article_id = match.group(1).decode("utf-8", "replace") if match else None
        expected = hostile.EXPECTED_REASON[kind]
        if expected == "too_large" and not heavy:
            expected = None
        out.append(
            Input(
                n=i,
                kind=kind,
                hostile=True,
                id=article_id,
                value=value,
                key=article_id.encode() if article_id else None,
                expect=("dlq", expected) if expected else None,
            )
        )
    return out


def mix(hostile: list[Input], good: list[Input]) -> list[Input]:
    """Good articles spread evenly through the hostile ones, in their own order (derived
    articles still come after their originals)."""
    out: list[Input] = []
    step = max(1, len(hostile) // max(len(good), 1))
    goods = iter(good)
    for i, item in enumerate(hostile):
        if i % step == 0:
            nxt = next(goods, None)
            if nxt is not None:
                out.append(nxt)
        out.append(item)
    out.extend(goods)
    for n, item in enumerate(out):
        item.n = n
    return out


def digest(value: bytes | None) -> str:
    return hashlib.sha256(value or b"").hexdigest()
