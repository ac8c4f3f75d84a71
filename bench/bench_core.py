"""Core benchmark, one run on the same texts:

(a) bare `nlp.pipe` with the same model and components the annotator uses, on the cleaned bodies;
(b) the whole offline pipeline (parse → clean → dedupe → annotate → records) on the raw articles;
(c) dedupe alone: articles/s and bytes of state per remembered article.

    .venv/bin/python bench/bench_core.py [--nlp-articles 200] [--dedupe-articles 5000]

Targets: (b) ≥ 0.9 × (a); (c) ≥ 5,000 articles/s on one core and ≤ 256 bytes per article.
Writes bench/results/core.json. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate_articles
from newswire.bootstrap import build_annotator, build_cleaner, build_index
from newswire.core.decode import decode_raw
from newswire.core.dedupe import DedupeIndex
from newswire.core.dedupe_store import MemoryStore
from newswire.core.pipeline import InputRecord, Pipeline
from newswire.core.records import CleanArticle
from newswire.settings import load_settings


def bench_nlp(nlp, bodies: list[str], batch_size: int) -> float:
    start = time.perf_counter()
    for _doc in nlp.pipe(bodies, batch_size=batch_size):
        pass
    return len(bodies) / (time.perf_counter() - start)


def bench_pipeline(settings, annotator, inputs: list[InputRecord]) -> float:
    pipeline = Pipeline(
        build_cleaner(),
        build_index(settings, MemoryStore.create()),
        annotator,
        max_bytes=settings.max_article_bytes,
        batch_size=settings.nlp_batch_size,
    )
    start = time.perf_counter()
    outcomes = list(pipeline.run(inputs))
    elapsed = time.perf_counter() - start
    kinds = {o.kind for o in outcomes}
    assert kinds == {"enriched"}, f"generated articles must all be enriched, got {kinds}"
    return len(inputs) / elapsed


def bench_dedupe(bodies: list[str]) -> dict[str, float]:
    store = MemoryStore.create()
    index = DedupeIndex(store)
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    verdicts = [index.judge(f"a{i}", body, f"bench:{i}") for i, body in enumerate(bodies)]
    elapsed = time.perf_counter() - start
    heap = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    # tracemalloc slows Python down; time a second, untraced run for the throughput figure.
    index2 = DedupeIndex(MemoryStore.create())
    start = time.perf_counter()
    for i, body in enumerate(bodies):
        index2.judge(f"a{i}", body, f"bench:{i}")
    elapsed = time.perf_counter() - start
    remembered = index.remembered()
    return {
        "articles": len(bodies),
        "articles_per_s": round(len(bodies) / elapsed, 1),
        "unique_verdicts": sum(v.status == "unique" for v in verdicts),
        "state_bytes_per_article": round(store.state_bytes() / remembered, 1),
        "python_heap_bytes_per_article": round(heap / remembered, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nlp-articles", type=int, default=200)
    parser.add_argument("--dedupe-articles", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results/core.json")
    args = parser.parse_args()

    settings = load_settings()
    n = max(args.nlp_articles, args.dedupe_articles)
    articles = generate_articles(n)
    raw = [orjson.dumps(a) for a in articles]
    cleaner = build_cleaner()
    cleaned = [cleaner.clean(decode_raw(r, max_bytes=settings.max_article_bytes)) for r in raw]
    assert all(isinstance(c, CleanArticle) for c in cleaned)
    bodies = [c.body for c in cleaned]  # type: ignore[union-attr]

    annotator = build_annotator(settings)
    nlp_bodies = bodies[: args.nlp_articles]
    inputs = [InputRecord(f"bench:{i}", r) for i, r in enumerate(raw[: args.nlp_articles])]
    words = sum(len(b.split()) for b in nlp_bodies)
    bench_nlp(annotator.nlp, nlp_bodies[:20], settings.nlp_batch_size)  # warm-up
    # Interleave to even out drift on a shared machine: a, b, a, b.
    rates_a, rates_b = [], []
    for _ in range(2):
        rates_a.append(bench_nlp(annotator.nlp, nlp_bodies, settings.nlp_batch_size))
        rates_b.append(bench_pipeline(settings, annotator, inputs))
    a, b = max(rates_a), max(rates_b)
    dedupe = bench_dedupe(bodies[: args.dedupe_articles])
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}",
        "model": annotator.model,
        "components": annotator.nlp.pipe_names,
        "nlp_articles": len(nlp_bodies),
        "mean_words": round(words / len(nlp_bodies)),
        "a_bare_nlp_pipe_articles_per_s": round(a, 2),
        "b_pipeline_articles_per_s": round(b, 2),
        "b_over_a": round(b / a, 3),
        "c_dedupe": dedupe,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
