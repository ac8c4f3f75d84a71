"""Broker connectivity watch: one line when Kafka is lost, one when it is back.

aiokafka's own retries say little beyond "Unable connect to node ..." (collapsed by
newswire.logs), so the worker asks on its own, every `interval` s, whether the cluster answers:
a Metadata request on a connection of its own (aiokafka's `create_conn`, the same call its
client bootstraps with, but without its per-attempt ERROR logging). The watch logs

    WARNING kafka broker lost: <cause>           after `failures_to_lose` failed checks in a row
    WARNING kafka broker back after N s          at the first good check after that

and nothing else. It never raises into the worker and never blocks the loop: every network
step has a timeout. It uses no Faust or producer internals, so it reports what a client sees.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka.conn import AIOKafkaConnection, create_conn
from aiokafka.protocol.metadata import MetadataRequest

from newswire.adapters.kafka.security import client_options
from newswire.logs import NO_COLLAPSE

__all__ = ["BrokerWatch", "KafkaProbe", "register_broker_watch"]

log = logging.getLogger("newswire.broker_watch")

DEFAULT_INTERVAL = 2.0  # seconds between checks
DEFAULT_TIMEOUT = 1.5  # seconds for one connection or request


class KafkaProbe:
    """Asks the bootstrap servers, in order, for cluster metadata; the first answer with at
    least one broker means reachable. The connection that answered is kept for the next
    check (one idle connection, not one per check)."""

    def __init__(
        self,
        servers: Sequence[str],
        timeout: float = DEFAULT_TIMEOUT,
        security: Mapping[str, Any] | None = None,
    ) -> None:
        if not servers:
            raise ValueError("no bootstrap servers")
        self.servers = [_host_port(s) for s in servers]
        self.timeout = timeout
        self.security = dict(security or {})  # TLS and SASL, as every client of ours
        self._conn: AIOKafkaConnection | None = None

    async def __call__(self) -> None:
        """Return if the cluster answers; raise with the cause if not."""
        if self._conn is not None and self._conn.connected():
            try:
                await self._ask(self._conn)
                return
            except Exception:
                self.close()  # stale (e.g. the broker restarted): try afresh below
        self.close()
        cause: Exception | None = None
        for host, port in self.servers:
            try:
                conn = await create_conn(
                    host,
                    port,
                    client_id="newswire-broker-watch",
                    request_timeout_ms=int(self.timeout * 1000),
                    **self.security,
                )
            except Exception as exc:
                cause = exc
                continue
            try:
                await self._ask(conn)
            except Exception as exc:
                conn.close()
                cause = exc
                continue
            self._conn = conn
            return
        assert cause is not None
        raise cause

    async def _ask(self, conn: AIOKafkaConnection) -> None:
        # create_conn and send time out by themselves (request_timeout_ms); this bound is for
        # anything that does not.
        response = await asyncio.wait_for(conn.send(MetadataRequest([])), self.timeout * 2)
        if not response.brokers:
            raise ConnectionError("the broker answered with no brokers in the cluster metadata")

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _host_port(server: str) -> tuple[str, int]:
    host, _, port = server.rpartition(":")
    return host.strip("[]"), int(port)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) and not str(exc):
        return "TimeoutError: no answer within the timeout"
    return f"{type(exc).__name__}: {str(exc) or repr(exc)}"


class BrokerWatch:
    """The lost/back state machine around a probe (an async callable that raises when the
    cluster is not reachable). The worker checked the broker before it started, so the watch
    starts in the reachable state."""

    def __init__(
        self,
        probe: Callable[[], Awaitable[Any]],
        *,
        interval: float = DEFAULT_INTERVAL,
        failures_to_lose: int = 2,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger = log,
    ) -> None:
        self.probe = probe
        self.interval = interval
        self.failures_to_lose = max(1, failures_to_lose)  # one slow answer is not an outage
        self.clock = clock
        self.log = logger
        self.reachable = True
        self.failures = 0
        self.first_failure_at: float | None = None
        self.lost_count = 0
        self.back_count = 0

    async def check(self) -> bool:
        """One check; logs on a change of state. Returns whether the cluster answered."""
        try:
            await self.probe()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(exc)
            return False
        self._answered()
        return True

    def _failed(self, exc: BaseException) -> None:
        self.failures += 1
        if self.first_failure_at is None:
            self.first_failure_at = self.clock()
        if self.reachable and self.failures >= self.failures_to_lose:
            self.reachable = False
            self.lost_count += 1
            self.log.warning("kafka broker lost: %s", _describe(exc), extra=NO_COLLAPSE)

    def _answered(self) -> None:
        if not self.reachable:
            down = self.clock() - (self.first_failure_at or self.clock())
            self.reachable = True
            self.back_count += 1
            self.log.warning("kafka broker back after %.0f s", down, extra=NO_COLLAPSE)
        self.failures = 0
        self.first_failure_at = None

    async def run(self) -> None:
        """Check every `interval` s until cancelled. Nothing in a check can end the loop."""
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not take the worker down
                self.log.exception("broker watch check failed")
            await asyncio.sleep(self.interval)


def register_broker_watch(app: Any, settings: Any) -> BrokerWatch:
    """Run a BrokerWatch on the bootstrap servers of `settings` as a task of the Faust `app`
    (started with the app, cancelled when it stops)."""
    probe = KafkaProbe(settings.bootstrap_servers, security=client_options(settings))
    watch = BrokerWatch(probe)

    async def broker_watch() -> None:
        try:
            await watch.run()
        finally:
            probe.close()

    app.task(broker_watch)
    return watch
