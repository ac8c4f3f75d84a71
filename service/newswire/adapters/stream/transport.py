"""The Kafka transport of the worker: Faust's aiokafka driver with our consumer (commits never
pass unfinished work: stream/offsets.py) and an idempotent producer with acks=all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.transport.drivers import aiokafka as driver

from newswire.adapters.stream.offsets import GuardedConsumer


class IdempotentProducer(driver.Producer):
    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class Transport(driver.Transport):
    Consumer = GuardedConsumer
    Producer = IdempotentProducer


def install(app: Any) -> None:
    """Use this transport for the app's consumer and producer (before the worker starts)."""
    app.transport = Transport(app.conf.broker_consumer, app)
    app._producer_transport = Transport(app.conf.broker_producer, app)
