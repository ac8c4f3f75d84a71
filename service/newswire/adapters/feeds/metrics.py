"""The poller's Prometheus metrics (`NEWSWIRE_POLL_METRICS_PORT`), by feed: the names are a
contract for the alert rules (deploy/prometheus/alerts.yml) like the worker's."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest, start_http_server

from newswire.adapters.feeds.status import FeedStatus


class PollMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.polls = Counter(
            "newswire_poll_polls",
            "Polls of a feed by outcome: ok, not_modified (304) or error",
            ["feed", "outcome"],
            registry=registry,
        )
        self.errors = Counter(
            "newswire_poll_errors",
            "Failed polls of a feed by reason (http_500, timeout, invalid_feed, parse_timeout, …)",
            ["feed", "reason"],
            registry=registry,
        )
        self.published = Counter(
            "newswire_poll_items_published",
            "Items of a feed published to the raw topic (acknowledged by Kafka)",
            ["feed"],
            registry=registry,
        )
        self.pages = Counter(
            "newswire_poll_pages_fetched",
            "Article pages fetched for summary-only items of a feed",
            ["feed"],
            registry=registry,
        )
        self.up = Gauge(
            "newswire_poll_feed_up",
            "1 if the last poll of a feed succeeded (ok or not modified), else 0",
            ["feed"],
            registry=registry,
        )
        self.last_success = Gauge(
            "newswire_poll_last_success_timestamp_seconds",
            "When a poll of a feed last succeeded (Unix time)",
            ["feed"],
            registry=registry,
        )

    def observe(self, status: FeedStatus) -> None:
        feed = status.url
        self.polls.labels(feed, status.state).inc()
        self.published.labels(feed).inc(status.new)
        self.pages.labels(feed).inc(status.pages)
        if status.state == "error":
            reason = (status.error or "unknown").split(":", 1)[0].split()[0]
            self.errors.labels(feed, reason).inc()
            self.up.labels(feed).set(0)
        else:
            self.up.labels(feed).set(1)
            self.last_success.labels(feed).set(time.time())

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, host: str, port: int) -> Any:
        """/metrics on host:port, from a thread of prometheus_client's; the server."""
        server, _ = start_http_server(port, addr=host, registry=self.registry)
        return server
