"""Who leads: a partition's leader, replicas and ISR, and the active KRaft controller, asked of
any node of a running local cluster that answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from newswire.devbroker import probe as kafka_wire
from newswire.devbroker.common import DEFAULT_HOST, BrokerError
from newswire.devbroker.layout import node_ports
from newswire.devbroker.probe import PartitionState

_T = TypeVar("_T")


def partitions(
    port: int, topic: str, *, nodes: int = 3, host: str = DEFAULT_HOST
) -> dict[int, PartitionState]:
    """Leader, replicas and ISR of each partition of ``topic``, from the first node that answers.

    Empty if the topic is unknown. Raises BrokerError if no node answers.
    """
    meta = _ask_any(port, nodes, host, lambda p: kafka_wire.metadata(host, p, [topic]))
    return {index: state for (name, index), state in meta.partitions.items() if name == topic}


def partition_leader(
    port: int, topic: str, partition: int = 0, *, nodes: int = 3, host: str = DEFAULT_HOST
) -> int | None:
    """The node id leading ``topic``/``partition`` (None: unknown topic, or no leader now).

    As the cluster's metadata says: a SIGKILLed leader stays the leader until the controller
    fences it (about broker.session.timeout.ms, 3 s, later).
    """
    state = partitions(port, topic, nodes=nodes, host=host).get(partition)
    return state.leader if state is not None else None


def controller_leader(port: int, *, nodes: int = 3, host: str = DEFAULT_HOST) -> int | None:
    """The node id of the active controller, or None while the quorum has no leader."""
    try:
        quorum = _ask_any(port, nodes, host, lambda p: kafka_wire.describe_quorum(host, p))
    except BrokerError:
        return None
    return quorum.leader


def _ask_any(port: int, nodes: int, host: str, ask: Callable[[int], _T]) -> _T:
    errors: list[str] = []
    for node_id in range(1, nodes + 1):
        broker_port = node_ports(port, node_id)[0]
        try:
            return ask(broker_port)
        except (OSError, ValueError) as exc:
            errors.append(f"{broker_port}: {type(exc).__name__}: {exc}")
    raise BrokerError("no node of the cluster answered: " + "; ".join(errors))
