"""Runs annotation off the asyncio event loop.

`ProcessPoolRunner`: a pool of processes, each loading the spaCy model once (initializer), fed
with whole batches, several batches in flight; the event loop only awaits futures, so it never
blocks on NLP and all cores work. `InlineRunner`: the same interface in a thread of this process,
for tests and `NEWSWIRE_NLP_PROCESSES=0`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Protocol

from newswire.core.annotate import AnnotateInput, Annotator
from newswire.core.pipeline import annotate_safely
from newswire.core.records import Rejected

Result = dict[str, Any] | Rejected


class NlpRunner(Protocol):
    model: str

    async def annotate(self, items: Sequence[AnnotateInput]) -> list[Result]: ...

    def close(self) -> None: ...


_ANNOTATOR: Annotator | None = None


def _init_worker(model: str, batch_size: int) -> None:
    """Runs once in each pool process: load the model there (never in the parent)."""
    global _ANNOTATOR
    from newswire.core.annotate import load_nlp
    from newswire.core.gazetteer import load_gazetteer

    _ANNOTATOR = Annotator(load_nlp(model), load_gazetteer(), batch_size=batch_size)


def _annotate_in_worker(items: list[AnnotateInput]) -> list[Result]:
    assert _ANNOTATOR is not None, "pool process was not initialised"
    return annotate_safely(_ANNOTATOR, items)


def _model_in_worker() -> str:
    assert _ANNOTATOR is not None
    return _ANNOTATOR.model


class _ExecutorRunner:
    def __init__(self, executor: Executor, fn: Callable[[list[AnnotateInput]], list[Result]]):
        self._executor = executor
        self._fn = fn
        self.model = "unknown"

    async def annotate(self, items: Sequence[AnnotateInput]) -> list[Result]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._fn, list(items))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class ProcessPoolRunner(_ExecutorRunner):
    def __init__(self, model: str, *, processes: int, batch_size: int) -> None:
        # spawn, not fork: the parent runs asyncio, Kafka client threads and RocksDB.
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=context,
            initializer=_init_worker,
            initargs=(model, batch_size),
        )
        super().__init__(executor, _annotate_in_worker)
        # Fail fast (a missing model is a start-up error) and learn the model's label.
        # Submitted together, so each one starts its own process and loads the model now.
        warm = [executor.submit(_model_in_worker) for _ in range(processes)]
        models = [future.result() for future in warm]
        self.model = models[0]


class InlineRunner(_ExecutorRunner):
    def __init__(self, annotator: Annotator) -> None:
        super().__init__(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp"),
            lambda items: annotate_safely(annotator, items),
        )
        self.model = annotator.model
