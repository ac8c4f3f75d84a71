"""The clean and annotate agents: read, call the stages (core/stages.py, in worker processes),
send, and only then acknowledge. The dedupe agent is in stream/dedupe_order.py.

Every input ends as exactly one outcome. No exception escapes an agent: whatever fails for an
input (decoding, a stage, a worker process) becomes a dead letter with reason, stage and origin
before the input is acknowledged. Inputs are acknowledged only once Kafka has confirmed what
was sent for them (stream/sending.py), and offsets are committed only below the first
unacknowledged input (stream/offsets.py): a crash replays, never loses. Replays are harmless:
outputs are keyed by article id, and the dedupe index answers a redelivered message (same raw
topic/partition/offset) with the verdict it gave the first time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from newswire.adapters.processes.gate import WorkCancelled
from newswire.adapters.processes.pool import Cleaned
from newswire.adapters.stream.batching import by_size, event_batches
from newswire.adapters.stream.progress import MARK_INTERVAL, RawProgress
from newswire.adapters.stream.sending import Sends, origin_of
from newswire.adapters.stream.service import Service
from newswire.core import serde, stages
from newswire.core.envelopes import DeadLetter, Origin, ProgressMarks, StageMessage
from newswire.core.records import CleanArticle, Rejected, key_of

log = logging.getLogger("newswire")
CLEAN_BATCH = 32
CLEAN_WITHIN = 0.01
# A clean call holds at most this many bytes of raw articles (a long page is cleaned alone, so
# its time does not count against the short ones' shared budget).
CLEAN_BATCH_BYTES = 262_144
# An annotation batch holds at most this many bytes of stage messages (about 25 typical
# articles): a long article goes through the model alone, and the short ones that arrived with
# it come out on another process meanwhile instead of waiting for it.
ANNOTATE_BATCH_BYTES = 131_072


class StreamAgents:
    """The clean and annotate agents and the progress-mark task of one worker."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.app, self.topics, self.settings = service.app, service.topics, service.settings
        self.runner = service.runner
        self.metrics = service.metrics
        self.metrics.nlp_processes.set(self.settings.nlp_processes)
        self.progress = RawProgress(self.settings.dedupe_order_margin_ms)
        self.wake_marks = asyncio.Event()  # a quiet worker got work: mark again soon
        self._late_logged = float("-inf")
        self.in_nlp: set[Any] = set()  # messages of the annotation batches a process has begun

    def register(self) -> None:
        app = self.app
        app.agent(self.topics.raw, name="clean")(self.clean)
        app.agent(self.topics.annotate, name="annotate")(self.annotate)
        app.task(self.progress_marks)
        app.task(self.announce_ready)

    def sends(self) -> Sends:
        return Sends(self.topics.dlq, self.settings.dlq_original_max_bytes, self.metrics)

    # ------------------------------------------------------------------ clean

    async def clean(self, stream: Any) -> None:
        events = stream.noack()
        async for batch in event_batches(events, CLEAN_BATCH, CLEAN_WITHIN):
            out = self.sends()
            origins = [origin_of(event) for event in batch]
            if self.progress.interval() > MARK_INTERVAL:  # the marks loop waits the quiet one
                self.wake_marks.set()
            for origin in origins:
                self._stamped_late(self.progress.taken(origin), origin)
            datas = [_value(event) for event in batch]
            results = await self._clean_all(datas)
            for origin, data, result in zip(origins, datas, results, strict=True):
                await self._pass_on(out, origin, data, result)
                self.progress.passed_on(origin)
            await out.delivered()
            for event in batch:
                await events.ack(event)

    def _stamped_late(self, undercut_ms: int, origin: Origin) -> None:
        if not undercut_ms:
            return
        self.metrics.stamped_late.inc()
        now = time.monotonic()
        if now - self._late_logged >= 60:  # a producer with a slow clock would flood the log
            self._late_logged = now
            log.warning(
                "raw record %s/%d@%d was stamped %d ms before a point its partition was already"
                " reported past: it is judged on arrival, not in publish order; if this repeats,"
                " raise NEWSWIRE_DEDUPE_ORDER_MARGIN_MS (now %d) or check the producer's clock",
                origin.topic, origin.partition, origin.offset, undercut_ms,
                self.settings.dedupe_order_margin_ms,
            )  # fmt: skip

    async def _clean_all(self, datas: list[bytes]) -> list[Cleaned]:
        """Clean `datas` in calls of at most CLEAN_BATCH_BYTES, spread over the clean
        processes (each call to one process), results in order."""
        runs = by_size(datas, CLEAN_BATCH_BYTES, len)
        parts = max(1, self.settings.clean_processes)
        if len(runs) == 1 and parts > 1 and len(datas) > 1:  # one call per clean process
            step = -(-len(datas) // parts)
            runs = [datas[i : i + step] for i in range(0, len(datas), step)]
        started = time.monotonic()
        results = await asyncio.gather(*(self.runner.clean_many(run) for run in runs))
        per_article = (time.monotonic() - started) / len(datas)
        for _ in datas:
            self.metrics.stage_seconds.labels("clean").observe(per_article)
        return [result for run in results for result in run]  # runs are consecutive

    async def _pass_on(self, out: Sends, origin: Origin, data: bytes, result: Cleaned) -> None:
        if isinstance(result, Rejected):
            await out.dead_letter(DeadLetter(result, data, origin))
            return
        try:
            value = serde.encode_stage(StageMessage(result, origin))
        except Exception as exc:  # not representable as a stage record
            error = stages.internal_error("clean", exc, result.id)
            await out.dead_letter(DeadLetter(error, data, origin))
            return
        await out.send(self.topics.dedupe, key_of(result.id), value)

    async def progress_marks(self) -> None:
        """Tell the dedupe stage how far this worker's raw partitions are (stream/progress),
        every `progress.interval()` seconds (a loop, not a timer: a slow broker answer must
        delay the next mark, not overlap it)."""
        while not self.app.should_stop:
            try:
                await self._send_marks()
            except Exception as exc:  # broker unreachable, a rebalance: try again later
                log.debug("progress marks not sent: %r", exc)
            self.wake_marks.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake_marks.wait(), self.progress.interval())

    async def _send_marks(self) -> None:
        consumer, raw_topic = self.app.consumer, self.settings.raw_topic
        owned = [tp for tp in consumer.assignment() if tp.topic == raw_topic]
        polled_ms = int(time.time() * 1000)  # before asking: the log ends are at least this new
        highwaters: dict[int, int] = {}
        if owned:
            try:  # only the idle bound needs the log ends: report the rest without them
                ends = await self.service.log_ends.read(owned, timeout=2.0)
                highwaters = {tp.partition: end for tp, end in ends.items()}
            except Exception as exc:
                log.debug("log ends not read for progress marks: %r", exc)
        finished = {tp.partition: consumer.finished_offset(tp) or 0 for tp in owned}
        marks = self.progress.marks((tp.partition for tp in owned), finished, highwaters, polled_ms)
        message = ProgressMarks(tuple(marks), consumer.topic_partitions(raw_topic))
        await self.topics.dedupe.send(key=None, value=serde.encode_marks(message))

    # ------------------------------------------------------------------ annotate

    async def annotate(self, stream: Any) -> None:
        # Several batches in flight, so the NLP processes never wait for the event loop.
        events = stream.noack()
        slots = asyncio.Semaphore(self.settings.nlp_inflight_batches)
        running: set[asyncio.Task[None]] = set()
        self.app.consumer.on_revoke("annotate", self._call_off)
        self.app.consumer.on_assign("annotate", self.runner.resume)
        try:
            async for batch in event_batches(
                events, self.settings.nlp_batch_size, self.settings.nlp_batch_timeout
            ):
                for part in by_size(batch, ANNOTATE_BATCH_BYTES):
                    await slots.acquire()
                    task = asyncio.create_task(self._annotate_batch(part, events))
                    running.add(task)
                    task.add_done_callback(lambda t: (running.discard(t), slots.release()))
        finally:
            for task in running:
                task.cancel()

    def _call_off(self) -> None:
        """A rebalance: call off what no process has begun (it is read again by the next
        owner, with no output yet), so the rebalance waits for the batches in the processes
        only."""
        self.runner.pause()
        self.app.consumer.park_topic(self.settings.annotate_topic, self.in_nlp)

    async def _annotate_batch(self, batch: list[Any], events: Any) -> None:
        batch = [e for e in batch if not self.app.consumer.stale(e.message)]
        messages = [e.message for e in batch]
        out = self.sends()
        done = [False] * len(batch)
        began: list[float] = []

        def started() -> None:  # a process took the batch up (again, for a retry one by one)
            self.in_nlp.update(messages)
            if not began:
                self.metrics.nlp_inflight.inc()
                began.append(time.monotonic())

        try:
            await self._annotate(batch, out, done, started)
        except WorkCancelled:
            return  # no output, no ack: read again after the rebalance
        except Exception as exc:  # a broken process pool, a bug: still one outcome per input
            log.exception("annotate batch failed")
            for index, event in enumerate(batch):
                if not done[index]:
                    error = stages.internal_error("annotate", exc)
                    await out.dead_letter(DeadLetter(error, _value(event), origin_of(event)))
        finally:
            self.in_nlp.difference_update(messages)
            if began:
                self.metrics.nlp_inflight.dec()
                per_article = (time.monotonic() - began[0]) / max(1, len(batch))
                for _ in batch:
                    self.metrics.stage_seconds.labels("annotate").observe(per_article)
        await out.delivered()
        for event in batch:
            await events.ack(event)

    async def _annotate(
        self, batch: list[Any], out: Sends, done: list[bool], started: Callable[[], None]
    ) -> None:
        todo: list[tuple[int, StageMessage]] = []
        for index, event in enumerate(batch):
            try:
                message = serde.decode_stage(event.value)
                if message.verdict is None:
                    raise ValueError("a stage message without a verdict on the annotate topic")
                todo.append((index, message))
            except Exception as exc:
                error = stages.internal_error("annotate", exc)
                await out.dead_letter(DeadLetter(error, event.value, origin_of(event)))
                done[index] = True
        if not todo:
            return
        inputs = [stages.annotate_input(message.article) for _, message in todo]
        results = await self.runner.annotate(inputs, started)
        for (index, message), result in zip(todo, results, strict=True):
            await self._publish(out, message, result)
            done[index] = True

    async def _publish(self, out: Sends, message: StageMessage, result: Any) -> None:
        article, verdict, raw_origin = message.article, message.verdict, message.raw_origin
        assert verdict is not None  # checked when decoded
        started = time.monotonic()
        if not isinstance(result, Rejected):
            result = stages.finish_enriched(
                article,
                verdict,
                result,
                model=self.runner.model,
                processed_at=stages.utc_now(),
                max_message_bytes=self.settings.max_message_bytes,
            )
        if isinstance(result, Rejected):
            if result.id is None:
                result = Rejected(result.reason, result.error, result.stage, article.id)
            letter = DeadLetter(result, _article_bytes(article), raw_origin, raw_origin)
            await out.dead_letter(letter)
            return
        await out.send(self.topics.enriched, key_of(article.id), result.value)
        out.outcome("enriched", status=verdict.status, raw_timestamp=raw_origin.timestamp)
        self.metrics.stage_seconds.labels("publish").observe(time.monotonic() - started)

    async def announce_ready(self) -> None:
        settings = self.settings
        log.info(
            "newswire worker ready: %s → %s / %s / %s (model %s)",
            settings.raw_topic,
            settings.enriched_topic,
            settings.duplicates_topic,
            settings.dlq_topic,
            self.runner.model,
        )


def _article_bytes(article: CleanArticle) -> bytes:
    """What a dead letter of the annotate stage keeps: the clean article."""
    return serde.dumps({"article": serde.clean_to_dict(article)})


def _value(event: Any) -> bytes:
    value = event.value
    return value if isinstance(value, bytes) else bytes(value or b"")
