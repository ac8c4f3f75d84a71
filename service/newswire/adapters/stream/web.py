"""The worker's HTTP endpoints on its web port: `/metrics` (Prometheus text format), `/live`
(the event loop turns) and `/ready` (200 only when the worker does its share of the work).

Faust's own `/` answers as soon as the web server runs, before partitions are assigned and
tables restored (faust #286): liveness, not readiness.
"""

from __future__ import annotations

from typing import Any

from newswire.adapters.stream.metrics import CONTENT_TYPE
from newswire.adapters.stream.service import Service


def readiness(app: Any) -> str | None:
    """None when ready, else why not (a short reason for the 503 body)."""
    if getattr(app, "rebalancing_count", 0) == 0:
        return "no partitions assigned yet"
    if app.rebalancing:
        return "rebalancing"
    if getattr(app, "in_recovery", False) or not app.tables.recovery.completed.is_set():
        return "restoring tables"
    return None


def register_web(service: Service) -> None:
    app, metrics = service.app, service.metrics

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        metrics.ready.set(1 if readiness(app) is None else 0)
        return web.bytes(metrics.render(), content_type=CONTENT_TYPE)

    @app.page("/live")
    async def live(web: Any, request: Any) -> Any:
        return web.json({"live": True})

    @app.page("/ready")
    async def ready(web: Any, request: Any) -> Any:
        reason = readiness(app)
        metrics.ready.set(1 if reason is None else 0)
        if reason is None:
            return web.json({"ready": True})
        return web.json({"ready": False, "reason": reason}, status=503)
