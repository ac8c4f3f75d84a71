"""CPU work off the asyncio event loop, in worker processes, with a time budget per article.

Two pools of spawned processes (pebble): cleaning (`NEWSWIRE_CLEAN_PROCESSES`) and annotation
(`NEWSWIRE_NLP_PROCESSES`, each loading the spaCy model once). The event loop only awaits
futures, so it never blocks on parsing, cleaning or NLP, and one article's CPU time never holds
the others up for longer than its budget:

- a task that overruns its budget is stopped: pebble terminates the process running it and
  starts a new one; the article gets a `timeout` rejection with its stage;
- a process that dies under an article (a crash, the OOM killer) gets it an `internal_error`;
- an annotation batch that overruns or dies is retried one article at a time (in parallel
  across the processes), so only the article at fault is rejected.

`InlineRunner` has the same interface with threads in this process, for tests and
`NEWSWIRE_*_PROCESSES=0` (debugging): no process, so no budget is enforced there.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pebble import ProcessExpired, ProcessPool

from newswire.adapters.processes.gate import Gate, WorkCancelled
from newswire.core import stages
from newswire.core.annotate import AnnotateInput, Annotator, ModelNotAvailable
from newswire.core.clean import Cleaner
from newswire.core.records import CleanArticle, Rejected

Annotation = dict[str, Any] | Rejected
Cleaned = CleanArticle | Rejected
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Budget:
    """Seconds of CPU stage time an article may take: `seconds` to clean one; for an
    annotation batch `seconds` plus 1 s per `chars_per_second` characters it annotates."""

    seconds: float = 5.0
    chars_per_second: int = 10_000
    max_chars: int = 100_000

    def clean(self) -> float:
        return self.seconds

    def annotate(self, items: Sequence[AnnotateInput]) -> float:
        chars = sum(min(len(item.body), self.max_chars) for item in items)
        return self.seconds + chars / self.chars_per_second


class CpuRunner(Protocol):
    model: str

    async def clean(self, data: bytes) -> Cleaned: ...

    async def clean_many(self, datas: Sequence[bytes]) -> list[Cleaned]: ...

    async def annotate(
        self, items: Sequence[AnnotateInput], started: Callable[[], None] | None = None
    ) -> list[Annotation]: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def close(self) -> None: ...


# ---------------------------------------------------------------------- in the processes

_CLEANER: Cleaner | None = None
_ANNOTATOR: Annotator | None = None
_LOAD_ERROR: str | None = None


def _init_clean() -> None:
    global _CLEANER
    from newswire.bootstrap import build_cleaner

    _CLEANER = build_cleaner()


def _init_nlp(model: str, batch_size: int, max_chars: int) -> None:
    """Runs once in each annotation process: load the model there, never in the parent. A
    failure is kept and reported by `_ready`, so start-up fails with its message."""
    global _ANNOTATOR, _LOAD_ERROR
    from newswire.core.annotate import load_nlp
    from newswire.core.gazetteer_data import load_gazetteer

    try:
        nlp = load_nlp(model)
        _ANNOTATOR = Annotator(nlp, load_gazetteer(), batch_size=batch_size, max_chars=max_chars)
    except Exception as exc:
        _LOAD_ERROR = f"{type(exc).__name__}: {exc}"


def _ready() -> str:
    if _LOAD_ERROR is not None:
        raise ModelNotAvailable(_LOAD_ERROR)
    return _ANNOTATOR.model if _ANNOTATOR is not None else "cleaner"


def _clean_in_worker(data: bytes, max_bytes: int) -> Cleaned:
    assert _CLEANER is not None, "clean process was not initialised"
    return stages.prepare(data, _CLEANER, max_bytes=max_bytes)


def _clean_many_in_worker(datas: list[bytes], max_bytes: int) -> list[Cleaned]:
    assert _CLEANER is not None, "clean process was not initialised"
    return [stages.prepare(data, _CLEANER, max_bytes=max_bytes) for data in datas]


def _annotate_in_worker(items: list[AnnotateInput]) -> list[Annotation]:
    assert _ANNOTATOR is not None, "annotation process was not initialised"
    return stages.annotate(_ANNOTATOR, items)


# ---------------------------------------------------------------------- in the worker


class _Runner:
    def __init__(self, max_bytes: int, budget: Budget, nlp_slots: int) -> None:
        self.max_bytes = max_bytes
        self.budget = budget
        self.model = "unknown"
        self._gate = Gate(nlp_slots)

    def pause(self) -> None:
        """Call off annotation not yet begun; new calls raise WorkCancelled until `resume`."""
        self._gate.pause()

    def resume(self) -> None:
        self._gate.resume()

    async def _annotate_call(
        self, batch: list[AnnotateInput], budget: float, started: Callable[[], None] | None
    ) -> list[Annotation]:
        await self._gate.enter()
        try:
            if started is not None:
                started()
            return await self._call(_annotate_in_worker, (batch,), budget, clean=False)
        finally:
            self._gate.leave()

    async def _call(
        self, fn: Callable[..., R], args: tuple[Any, ...], budget: float, clean: bool
    ) -> R:
        raise NotImplementedError

    async def clean(self, data: bytes) -> Cleaned:
        try:
            return await self._call(
                _clean_in_worker, (data, self.max_bytes), self.budget.clean(), clean=True
            )
        except FutureTimeout:
            return _timeout("clean", self.budget.clean())
        except ProcessExpired as exc:
            return Rejected("internal_error", f"the clean process died: {exc}", stage="clean")
        except Exception as exc:
            return stages.internal_error("clean", exc)

    async def clean_many(self, datas: Sequence[bytes]) -> list[Cleaned]:
        """`clean` of each in one call to a process (one hand-over per batch, not per
        article). The batch gets one article's budget, a typical batch takes a small part of
        it; one that overruns or whose process dies is cleaned again article by article, each
        with its own budget, so only the article at fault is rejected."""
        batch = list(datas)
        if len(batch) == 1:
            return [await self.clean(batch[0])]
        try:
            return await self._call(
                _clean_many_in_worker, (batch, self.max_bytes), self.budget.clean(), clean=True
            )
        except (FutureTimeout, ProcessExpired):
            return list(await asyncio.gather(*(self.clean(data) for data in batch)))
        except Exception as exc:
            return [stages.internal_error("clean", exc) for _ in batch]

    async def annotate(
        self, items: Sequence[AnnotateInput], started: Callable[[], None] | None = None
    ) -> list[Annotation]:
        """Annotations of `items`; `started` is called once a process takes the batch up.
        Raises WorkCancelled if `pause` calls the batch off before that."""
        batch = list(items)
        budget = self.budget.annotate(batch)
        try:
            return await self._annotate_call(batch, budget, started)
        except (FutureTimeout, ProcessExpired) as exc:
            if len(batch) > 1:  # find the article at fault: each alone, with its own budget
                singles = await asyncio.gather(*(self.annotate([item]) for item in batch))
                return [result for single in singles for result in single]
            if isinstance(exc, FutureTimeout):
                return [_timeout("annotate", budget, batch[0].id)]
            return [Rejected("internal_error", f"the NLP process died: {exc}", "annotate")]
        except WorkCancelled:
            raise
        except Exception as exc:
            return [stages.internal_error("annotate", exc, item.id) for item in batch]


def _timeout(stage: str, budget: float, article_id: str | None = None) -> Rejected:
    return Rejected(
        "timeout",
        f"{stage} took longer than its budget of {budget:.3g} s "
        "(NEWSWIRE_ARTICLE_TIME_BUDGET_SECONDS); the process was replaced",
        stage=stage,
        id=article_id,
    )


class ProcessRunner(_Runner):
    """Cleaning and annotation in pools of spawned processes, with budgets enforced."""

    def __init__(
        self,
        model: str,
        *,
        clean_processes: int,
        nlp_processes: int,
        batch_size: int,
        max_bytes: int,
        budget: Budget,
    ) -> None:
        super().__init__(max_bytes, budget, nlp_processes)
        # spawn, not fork: the parent runs asyncio, Kafka client threads and RocksDB.
        context = multiprocessing.get_context("spawn")
        self._clean_pool = ProcessPool(
            max_workers=clean_processes, initializer=_init_clean, context=context
        )
        self._nlp_pool = ProcessPool(
            max_workers=nlp_processes,
            initializer=_init_nlp,
            initargs=(model, batch_size, budget.max_chars),
            context=context,
        )
        # Fail fast (a missing model is a start-up error) and learn the model's label. The
        # pools start all their processes at once, so the models load in parallel now.
        warm = [self._clean_pool.schedule(_ready) for _ in range(clean_processes)]
        warm += [self._nlp_pool.schedule(_ready) for _ in range(nlp_processes)]
        try:
            labels = [future.result(timeout=300) for future in warm]
        except Exception:
            self.close()
            raise
        self.model = labels[-1]

    async def _call(
        self, fn: Callable[..., R], args: tuple[Any, ...], budget: float, clean: bool
    ) -> R:
        pool = self._clean_pool if clean else self._nlp_pool
        future: Future[R] = pool.schedule(fn, args=args, timeout=budget)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        for pool in (self._clean_pool, self._nlp_pool):
            pool.stop()
            pool.join(timeout=10)


class InlineRunner(_Runner):
    """The same work in threads of this process (no budget enforced: threads cannot be
    stopped). For tests and NEWSWIRE_*_PROCESSES=0."""

    def __init__(self, cleaner: Cleaner, annotator: Annotator, *, max_bytes: int) -> None:
        super().__init__(max_bytes, Budget(), 1)
        self._cleaner = cleaner
        self._annotator = annotator
        self._executor: Executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cpu")
        self.model = annotator.model

    async def _call(
        self, fn: Callable[..., R], args: tuple[Any, ...], budget: float, clean: bool
    ) -> R:
        loop = asyncio.get_running_loop()
        if fn is _clean_in_worker:
            data, max_bytes = args
            return await loop.run_in_executor(
                self._executor, lambda: stages.prepare(data, self._cleaner, max_bytes=max_bytes)
            )
        if fn is _clean_many_in_worker:
            datas, max_bytes = args
            return await loop.run_in_executor(
                self._executor,
                lambda: [stages.prepare(d, self._cleaner, max_bytes=max_bytes) for d in datas],
            )
        (items,) = args
        return await loop.run_in_executor(
            self._executor, lambda: stages.annotate(self._annotator, items)
        )

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
