"""The agents: read, call the core (in worker processes), send, and only then acknowledge.

Every input ends as exactly one outcome. No exception escapes an agent: whatever fails for an
input (decoding, the core, serialization, a worker process) becomes a dead-letter record with
reason, stage and origin before the input is acknowledged. Inputs are acknowledged only once
Kafka has confirmed what was sent for them (stream/sending.py), and offsets are committed only
below the first unacknowledged input (stream/offsets.py): a crash replays, never loses.
Replays are harmless: outputs are keyed by article id, and the dedupe index answers a
redelivered message (same raw topic/partition/offset) with the verdict it gave the first time.

The dedupe stage judges articles in publish order (stream/dedupe_order.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from newswire.core import serde
from newswire.core.pipeline import annotate_input, internal_error, utc_now
from newswire.core.records import CleanArticle, Rejected, enriched_record, key_of
from newswire.cpu_gate import WorkCancelled
from newswire.stream.batching import by_size, event_batches
from newswire.stream.dedupe_order import register_dedupe
from newswire.stream.progress import MARK_INTERVAL, RawProgress, mark_message
from newswire.stream.sending import Sends, origin_of

log = logging.getLogger("newswire")
_HEADROOM = 4096  # Kafka's record and batch overhead
CLEAN_BATCH = 32
CLEAN_WITHIN = 0.01
# An annotation batch holds at most this many bytes of stage messages (about 25 typical
# articles): a long article goes through the model alone, and the short ones that arrived with
# it come out on another process meanwhile instead of waiting for it.
ANNOTATE_BATCH_BYTES = 131_072


def register_agents(service: Any) -> None:
    app, topics, settings = service.app, service.topics, service.settings
    progress = RawProgress()

    def sends() -> Sends:
        return Sends(topics.dlq, settings.dlq_original_max_bytes)

    # ------------------------------------------------------------------ clean
    @app.agent(topics.raw, name="clean")
    async def clean(stream: Any) -> None:
        events = stream.noack()
        async for batch in event_batches(events, CLEAN_BATCH, CLEAN_WITHIN):
            out = sends()
            origins = [origin_of(event) for event in batch]
            datas = [_value(event) for event in batch]
            results = await asyncio.gather(*(service.runner.clean(d) for d in datas))
            for origin, data, result in zip(origins, datas, results, strict=True):
                await _pass_on(out, origin, data, result)
                progress.passed_on(origin)
            await out.delivered()
            for event in batch:
                await events.ack(event)

    async def _pass_on(out: Sends, origin: dict[str, Any], data: bytes, result: Any) -> None:
        if isinstance(result, Rejected):
            await out.dead_letter(result, data, origin)
            return
        try:
            value = serde.dumps({"article": serde.clean_to_dict(result), "raw_origin": origin})
        except Exception as exc:  # not representable as a stage record
            await out.dead_letter(internal_error("clean", exc, result.id), data, origin)
            return
        await out.send(topics.dedupe, key_of(result.id), value)

    @app.task
    async def progress_marks() -> None:
        """Tell the dedupe stage how far this worker's raw partitions are (stream/progress),
        every MARK_INTERVAL seconds (a loop, not a timer: a slow broker answer must delay the
        next mark, not overlap it)."""
        while not app.should_stop:
            try:
                await _send_marks()
            except Exception as exc:  # broker unreachable, a rebalance: try again next time
                log.debug("progress marks not sent: %r", exc)
            await asyncio.sleep(MARK_INTERVAL)

    async def _send_marks() -> None:
        consumer = app.consumer
        owned = [tp for tp in consumer.assignment() if tp.topic == settings.raw_topic]
        polled_ms = int(time.time() * 1000)  # before asking: the log ends are at least this new
        highwaters: dict[int, int] = {}
        if owned:
            ends = await asyncio.wait_for(consumer.highwaters(*owned), timeout=2.0)
            highwaters = {tp.partition: end for tp, end in ends.items() if end is not None}
        finished = {tp.partition: consumer.finished_offset(tp) or 0 for tp in owned}
        marks = progress.marks((tp.partition for tp in owned), finished, highwaters, polled_ms)
        message = mark_message(marks, consumer.topic_partitions(settings.raw_topic))
        await topics.dedupe.send(key=None, value=serde.dumps(message))

    # ------------------------------------------------------------------ dedupe
    register_dedupe(service, sends)

    # ------------------------------------------------------------------ annotate
    @app.agent(topics.annotate, name="annotate")
    async def annotate(stream: Any) -> None:
        # Several batches in flight, so the NLP processes never wait for the event loop.
        events = stream.noack()
        slots = asyncio.Semaphore(settings.nlp_inflight_batches)
        running: set[asyncio.Task[None]] = set()
        app.consumer.on_revoke("annotate", _call_off)
        app.consumer.on_assign("annotate", service.runner.resume)
        try:
            async for batch in event_batches(
                events, settings.nlp_batch_size, settings.nlp_batch_timeout
            ):
                for part in by_size(batch, ANNOTATE_BATCH_BYTES):
                    await slots.acquire()
                    task = asyncio.create_task(_annotate_batch(part, events))
                    running.add(task)
                    task.add_done_callback(lambda t: (running.discard(t), slots.release()))
        finally:
            for task in running:
                task.cancel()

    in_nlp: set[Any] = set()  # messages of the batches a process has begun

    def _call_off() -> None:
        """A rebalance: call off what no process has begun (it is read again by the next
        owner, with no output yet), so the rebalance waits for the batches in the processes
        only."""
        service.runner.pause()
        app.consumer.park_topic(settings.annotate_topic, in_nlp)

    async def _annotate_batch(batch: list[Any], events: Any) -> None:
        batch = [e for e in batch if not app.consumer.stale(e.message)]
        messages = [e.message for e in batch]
        out = sends()
        done = [False] * len(batch)
        try:
            await _annotate(batch, out, done, lambda: in_nlp.update(messages))
        except WorkCancelled:
            return  # no output, no ack: read again after the rebalance
        except Exception as exc:  # a bug of ours: still exactly one outcome per input
            log.exception("annotate batch failed")
            for index, event in enumerate(batch):
                if not done[index]:
                    error = internal_error("annotate", exc)
                    await out.dead_letter(error, _value(event), origin_of(event))
        finally:
            in_nlp.difference_update(messages)
        await out.delivered()
        for event in batch:
            await events.ack(event)

    async def _annotate(
        batch: list[Any], out: Sends, done: list[bool], started: Callable[[], None]
    ) -> None:
        todo: list[tuple[int, CleanArticle, Any, dict[str, Any]]] = []
        for index, event in enumerate(batch):
            try:
                payload = serde.loads(event.value)
                article = serde.clean_from_dict(payload["article"])
                verdict = serde.verdict_from_dict(payload["verdict"])
                todo.append((index, article, verdict, payload["raw_origin"]))
            except Exception as exc:
                error = internal_error("annotate", exc)
                await out.dead_letter(error, event.value, origin_of(event))
                done[index] = True
        if not todo:
            return
        inputs = [annotate_input(a) for _, a, _, _ in todo]
        results = await service.runner.annotate(inputs, started)
        for (index, article, verdict, raw_origin), result in zip(todo, results, strict=True):
            await _publish(out, article, verdict, raw_origin, result)
            done[index] = True

    async def _publish(
        out: Sends, article: CleanArticle, verdict: Any, raw_origin: dict[str, Any], result: Any
    ) -> None:
        original = serde.dumps({"article": serde.clean_to_dict(article)})
        if isinstance(result, Rejected):
            if result.id is None:
                result = Rejected(result.reason, result.error, result.stage, article.id)
            await out.dead_letter(result, original, raw_origin, raw_origin)
            return
        try:
            record = enriched_record(
                article, verdict, result, model=service.runner.model, processed_at=utc_now()
            )
            value = serde.dumps(record)
        except Exception as exc:
            await out.dead_letter(
                internal_error("publish", exc, article.id), original, raw_origin, raw_origin
            )
            return
        if len(value) > settings.max_message_bytes - _HEADROOM:
            too_big = Rejected(
                "too_large",
                f"enriched record is {len(value)} bytes, over NEWSWIRE_MAX_MESSAGE_BYTES",
                stage="publish",
                id=article.id,
            )
            await out.dead_letter(too_big, original, raw_origin, raw_origin)
            return
        await out.send(topics.enriched, key_of(article.id), value)

    @app.task
    async def announce_ready() -> None:
        log.info(
            "newswire worker ready: %s → %s / %s / %s (model %s)",
            settings.raw_topic,
            settings.enriched_topic,
            settings.duplicates_topic,
            settings.dlq_topic,
            service.runner.model,
        )


def _value(event: Any) -> bytes:
    value = event.value
    return value if isinstance(value, bytes) else bytes(value or b"")
