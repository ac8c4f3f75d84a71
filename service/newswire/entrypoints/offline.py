"""`newswire process`: the whole pipeline over files, without Kafka."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newswire.adapters.files import read_inputs
from newswire.bootstrap import build_annotator, build_cleaner, build_index
from newswire.core.dedupe_store import MemoryStore
from newswire.core.pipeline import Pipeline
from newswire.settings import Settings

OUTPUT_FILES = {
    "enriched": "enriched.jsonl",
    "duplicate": "duplicates.jsonl",
    "rejected": "rejected.jsonl",
}


def process(
    settings: Settings, paths: Sequence[str | Path], out_dir: Path, *, progress: bool | None = None
) -> Counter[str]:
    inputs = list(read_inputs(paths))
    pipeline = Pipeline(
        build_cleaner(),
        build_index(settings, MemoryStore.create()),
        build_annotator(settings),
        max_bytes=settings.max_article_bytes,
        batch_size=settings.nlp_batch_size,
        max_message_bytes=settings.max_message_bytes,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    handles = {kind: (out_dir / name).open("wb") for kind, name in OUTPUT_FILES.items()}
    counts: Counter[str] = Counter()
    console = Console(stderr=True)
    show = console.is_terminal if progress is None else progress
    columns = (TextColumn("processing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, disable=not show) as bar:
            task = bar.add_task("process", total=len(inputs))
            for outcome in pipeline.run(inputs):
                handles[outcome.kind].write(outcome.value + b"\n")
                counts[outcome.kind] += 1
                bar.advance(task)
    finally:
        for handle in handles.values():
            handle.close()
    print(
        f"{len(inputs)} inputs: {counts['enriched']} enriched, {counts['duplicate']} duplicates, "
        f"{counts['rejected']} rejected → {out_dir}",
        file=sys.stderr,
    )
    return counts
