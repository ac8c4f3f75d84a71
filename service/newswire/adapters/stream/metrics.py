"""The worker's Prometheus metrics: the names are a contract for dashboards and alert rules
(README "Monitoring"). One registry per worker process; the pure core measures nothing, the
agents record what they sent once Kafka has confirmed it (stream/sending.py)."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

from newswire.core.records import PIPELINE_VERSION

# The classic text format (names are plain ASCII); aiohttp, Faust's web server, refuses a
# charset in the content type it is given (the body is UTF-8 anyway).
CONTENT_TYPE = "text/plain; version=0.0.4"
# Per article: cleaning is milliseconds, NLP up to seconds (the time budget is 5 s and more).
STAGE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Raw record timestamp → outcome sent: seconds when keeping up, minutes behind a backlog.
END_TO_END_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)


class StreamMetrics:
    def __init__(self, model: str) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.outcomes = Counter(
            "newswire_outcomes",
            "Outcomes sent (confirmed by Kafka): enriched, duplicate or dlq",
            ["outcome", "status", "reason"],
            registry=registry,
        )
        self.stage_seconds = Histogram(
            "newswire_stage_seconds",
            "Seconds an article spends in a stage (clean, dedupe, annotate, publish)",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=registry,
        )
        self.end_to_end_seconds = Histogram(
            "newswire_end_to_end_seconds",
            "Seconds from the raw record's timestamp to its outcome sent",
            buckets=END_TO_END_BUCKETS,
            registry=registry,
        )
        self.stamped_late = Counter(
            "newswire_raw_stamped_late",
            "Raw records stamped before a low already reported for their partition: judged on"
            " arrival, not in publish order (raise NEWSWIRE_DEDUPE_ORDER_MARGIN_MS)",
            registry=registry,
        )
        self.lag_messages = Gauge(
            "newswire_consumer_lag_messages",
            "Records not yet processed, per topic partition this worker owns",
            ["topic", "partition"],
            registry=registry,
        )
        self.lag_seconds = Gauge(
            "newswire_consumer_lag_seconds",
            "Age of the oldest record not yet processed, per topic",
            ["topic"],
            registry=registry,
        )
        self.remembered = Gauge(
            "newswire_dedupe_remembered_articles",
            "Articles the dedupe index remembers (on the worker running the dedupe stage)",
            registry=registry,
        )
        self.nlp_inflight = Gauge(
            "newswire_nlp_inflight_batches",
            "Annotation batches in the NLP processes",
            registry=registry,
        )
        self.nlp_processes = Gauge(
            "newswire_nlp_pool_processes", "NLP processes in the pool", registry=registry
        )
        self.ready = Gauge(
            "newswire_ready", "1 when the worker is ready (see /ready)", registry=registry
        )
        Info("newswire_build", "Version and model", registry=registry).info(
            {"version": PIPELINE_VERSION, "model": model}
        )

    def outcome(self, outcome: str, *, status: str = "", reason: str = "") -> None:
        self.outcomes.labels(outcome=outcome, status=status, reason=reason).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
