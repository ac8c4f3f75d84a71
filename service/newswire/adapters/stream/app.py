"""Composition root of the streaming service: the Faust app, its topics (stream/topology.py),
tables (stream/store.py), CPU runner and agents, built once from the settings.

Every raw message ends as exactly one of enriched / duplicate / DLQ. Cleaning and annotation
scale with the partitions and workers; dedupe, the cheap stage (≥ 5,000 articles/s), runs on one
partition with its state in changelog-backed tables.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust

from newswire.adapters.kafka.security import faust_credentials
from newswire.adapters.processes.pool import Budget, CpuRunner, InlineRunner, ProcessRunner
from newswire.adapters.stream import topology, transport
from newswire.adapters.stream.agents import StreamAgents
from newswire.adapters.stream.broker_watch import register_broker_watch
from newswire.adapters.stream.dedupe_order import DedupeAgent
from newswire.adapters.stream.lag import LagWatch
from newswire.adapters.stream.log_ends import LogEnds
from newswire.adapters.stream.metrics import StreamMetrics
from newswire.adapters.stream.service import Service
from newswire.adapters.stream.store import TableStore
from newswire.adapters.stream.web import register_web
from newswire.bootstrap import build_annotator, build_cleaner, build_index
from newswire.settings import Settings

log = logging.getLogger("newswire")


def build_runner(settings: Settings, nlp: Any | None = None) -> CpuRunner:
    if settings.nlp_processes == 0 or nlp is not None:
        return InlineRunner(
            build_cleaner(),
            build_annotator(settings, nlp),
            max_bytes=settings.max_article_bytes,
        )
    return ProcessRunner(
        settings.model,
        clean_processes=settings.clean_processes,
        nlp_processes=settings.nlp_processes,
        batch_size=settings.nlp_batch_size,
        max_bytes=settings.max_article_bytes,
        budget=Budget(
            seconds=settings.article_time_budget_seconds, max_chars=settings.nlp_max_chars
        ),
    )


def create_app(
    settings: Settings,
    *,
    runner: CpuRunner | None = None,
    nlp: Any | None = None,
    brokers: int = 1,
) -> Service:
    """Build the whole service from the settings (`brokers`: the size of the Kafka cluster).
    `runner`/`nlp` let tests inject a small model."""
    replication, _ = settings.replication(brokers)
    app = faust.App(
        settings.app_id,
        broker=settings.broker,
        broker_credentials=faust_credentials(settings),
        store="rocksdb://" if settings.store == "rocksdb" else "memory://",
        datadir=str(settings.data_dir),
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        topic_partitions=settings.partitions,
        topic_replication_factor=replication,
        topic_allow_declare=True,
        topic_disable_leader=True,
        producer_acks=-1,
        producer_linger_ms=5,  # batch the many small changelog and stage records
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        consumer_auto_offset_reset="earliest",
        # A crashed worker's partitions move on after this (Faust's default is 60 s); the loop
        # is never blocked by NLP, so heartbeats are on time and a short timeout is safe.
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=settings.session_timeout_seconds / 6,
        broker_commit_every=100,
        broker_commit_interval=1.0,
        # A second worker keeps a hot copy of the dedupe tables, so it takes the dedupe stage
        # over without replaying the whole changelog.
        table_standby_replicas=1,
        # A rebalance waits for the inputs being processed (not for those parked in the
        # dedupe stage's reorder buffer; see stream/offsets.py).
        stream_wait_empty=True,
        logging_config=None,
    )
    transport.install(app)
    store = TableStore.create(app)
    runner = runner if runner is not None else build_runner(settings, nlp)
    service = Service(
        app=app,
        settings=settings,
        topics=topology.declare(app, settings),
        index=build_index(settings, store),
        runner=runner,
        metrics=StreamMetrics(runner.model),
        log_ends=LogEnds(settings),
    )
    agents = StreamAgents(service)
    agents.register()
    DedupeAgent(service, agents.sends).register()
    register_broker_watch(app, settings)
    register_web(service)
    LagWatch(service).register()

    @app.on_before_shutdown.connect
    async def close_pools(sender: Any, **_: Any) -> None:
        await service.log_ends.close()
        await asyncio.to_thread(service.runner.close)

    return service
