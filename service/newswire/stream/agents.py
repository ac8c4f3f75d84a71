"""The agents. Each reads, calls the core, sends; nothing else.

Offsets: Faust commits a message's offset only after the agent has moved past it and the
messages it sent were acknowledged by Kafka (acks=all), so a crash replays, never loses.
Replays are harmless: outputs are keyed by article id, and the dedupe index answers a
redelivered message (same raw topic/partition/offset) with the verdict it gave the first time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict
from typing import Any

from newswire.core import serde
from newswire.core.pipeline import annotate_input, internal_error, prepare, utc_now
from newswire.core.records import (
    CleanArticle,
    Rejected,
    dlq_record,
    duplicate_record,
    enriched_record,
)
from newswire.stream.app import Service

log = logging.getLogger("newswire")
_HEADROOM = 4096  # Kafka's record and batch overhead


def _origin(event: Any) -> dict[str, Any]:
    message = event.message
    return {
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "timestamp": message.timestamp and int(message.timestamp * 1000),
    }


def _origin_key(origin: dict[str, Any]) -> str:
    return f"{origin['topic']}/{origin['partition']}/{origin['offset']}"


def _key(article_id: str | None) -> bytes | None:
    return article_id.encode() if article_id else None


def register_agents(service: Service) -> None:
    app, topics, settings = service.app, service.topics, service.settings

    async def dead_letter(
        rejected: Rejected,
        original: bytes,
        origin: dict[str, Any],
        raw_origin: dict[str, Any] | None = None,
    ) -> None:
        record = dlq_record(
            rejected,
            original,
            origin=origin,
            raw_origin=raw_origin,
            processed_at=utc_now(),
            max_original_bytes=settings.dlq_original_max_bytes,
        )
        log.info("dlq: %s %s (%s)", rejected.reason, rejected.id, _origin_key(origin))
        await topics.dlq.send(key=_key(rejected.id), value=serde.dumps(record))

    @app.agent(topics.raw, name="clean")
    async def clean(stream: Any) -> None:
        async for event in stream.events():
            origin = _origin(event)
            data = event.value if isinstance(event.value, bytes) else bytes(event.value or b"")
            result = prepare(data, service.cleaner, max_bytes=settings.max_article_bytes)
            if isinstance(result, Rejected):
                await dead_letter(result, data, origin)
                continue
            payload = {"article": serde.clean_to_dict(result), "raw_origin": origin}
            await topics.dedupe.send(key=_key(result.id), value=serde.dumps(payload))
            await asyncio.sleep(0)  # a fetched batch must not hold the loop: let timers run

    next_expiry = time.monotonic() + settings.dedupe_expire_interval_seconds

    @app.agent(topics.dedupe, name="dedupe")
    async def dedupe(stream: Any) -> None:
        nonlocal next_expiry
        # Per event, not take(): Faust allows table writes only while an event is current.
        async for event in stream.events():
            data: bytes = event.value
            try:
                payload = serde.loads(data)
                article = serde.clean_from_dict(payload["article"])
                raw_origin = payload["raw_origin"]
                verdict = service.index.judge(article.id, article.body, _origin_key(raw_origin))
            except Exception as exc:
                await dead_letter(internal_error("dedupe", exc), data, _origin(event))
                continue
            if verdict.status == "duplicate":
                record = duplicate_record(article, verdict, processed_at=utc_now())
                await topics.duplicates.send(key=_key(article.id), value=serde.dumps(record))
            else:
                payload["verdict"] = asdict(verdict)
                await topics.annotate.send(key=_key(article.id), value=serde.dumps(payload))
            await asyncio.sleep(0)
            if time.monotonic() >= next_expiry:
                next_expiry = time.monotonic() + settings.dedupe_expire_interval_seconds
                forgotten = service.index.expire()
                log.info("dedupe: forgot %d articles older than the window", forgotten)

    @app.agent(topics.annotate, name="annotate", concurrency=settings.nlp_inflight_batches)
    async def annotate(stream: Any) -> None:
        # Batches for nlp.pipe, run in the process pool; several agents = several batches in
        # flight, so pool processes never wait for the event loop.
        async for events in stream.take_events(
            settings.nlp_batch_size, within=settings.nlp_batch_timeout
        ):
            await _annotate_batch(events)

    async def _annotate_batch(events: list[Any]) -> None:
        batch: list[tuple[CleanArticle, Any, dict[str, Any]]] = []
        for event in events:
            try:
                payload = serde.loads(event.value)
                article = serde.clean_from_dict(payload["article"])
                verdict = serde.verdict_from_dict(payload["verdict"])
                batch.append((article, verdict, payload["raw_origin"]))
            except Exception as exc:
                await dead_letter(internal_error("annotate", exc), event.value, _origin(event))
        if not batch:
            return
        try:
            results = await service.runner.annotate([annotate_input(a) for a, _, _ in batch])
        except Exception as exc:
            log.warning("annotation batch failed (%s); retrying articles one by one", exc)
            results = []
            for article, _, _ in batch:
                try:
                    results.extend(await service.runner.annotate([annotate_input(article)]))
                except Exception as item_exc:
                    results.append(internal_error("annotate", item_exc, article.id))
        for (article, verdict, raw_origin), result in zip(batch, results, strict=True):
            if isinstance(result, Rejected):
                original = serde.dumps({"article": serde.clean_to_dict(article)})
                await dead_letter(result, original, raw_origin, raw_origin)
                continue
            record = enriched_record(
                article, verdict, result, model=service.runner.model, processed_at=utc_now()
            )
            value = serde.dumps(record)
            if len(value) > settings.max_message_bytes - _HEADROOM:
                too_big = Rejected(
                    "too_large",
                    f"enriched record is {len(value)} bytes, over NEWSWIRE_MAX_MESSAGE_BYTES",
                    stage="publish",
                    id=article.id,
                )
                original = serde.dumps({"article": serde.clean_to_dict(article)})
                await dead_letter(too_big, original, raw_origin, raw_origin)
                continue
            await topics.enriched.send(key=_key(article.id), value=value)

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
