"""Three Kafka requests spoken directly on a socket: ApiVersions, Metadata and DescribeQuorum.

``newswire.devbroker`` uses them to see whether a broker it started serves, which brokers a node
lists, who leads a partition and who leads the KRaft controller quorum. These are blocking
one-shot probes, usable from plain (non-async) code such as the CLI and test helpers; the
service itself talks to Kafka through aiokafka.

The versions are fixed and old enough that every Kafka 4.x broker answers them: Metadata v4
(no flexible encoding) and DescribeQuorum v0 (flexible encoding, forwarded by a broker to the
active controller). Field layouts follow ``clients/src/main/resources/common/message/*.json``
in the Kafka repository.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Metadata", "PartitionState", "Quorum", "WireError", "describe_quorum", "metadata"]

_T = TypeVar("_T")
_CLIENT_ID = b"newswire-broker-probe"
_METADATA_TOPIC = b"__cluster_metadata"


class WireError(ValueError):
    """The answer could not be read, or it carried a Kafka error code."""


@dataclass(frozen=True)
class PartitionState:
    topic: str
    partition: int
    error_code: int
    leader: int | None  # node id; None while no leader is elected
    replicas: tuple[int, ...]
    isr: tuple[int, ...]


@dataclass(frozen=True)
class Metadata:
    brokers: dict[int, tuple[str, int]]  # node id -> (host, port) of the unfenced brokers
    partitions: dict[tuple[str, int], PartitionState]
    topic_errors: dict[str, int]  # non-zero topic error codes (3: unknown topic)


@dataclass(frozen=True)
class Quorum:
    leader: int | None  # node id of the active controller
    leader_epoch: int
    high_watermark: int
    voters: tuple[int, ...]


# --------------------------------------------------------------------------- requests


def metadata(host: str, port: int, topics: Sequence[str] = (), timeout: float = 2.0) -> Metadata:
    """Brokers and, for ``topics``, partition leaders and ISRs, as seen by the node on ``port``."""
    body = struct.pack(">i", len(topics)) + b"".join(_string(t) for t in topics) + b"\x00"
    with _connect(host, port, timeout) as sock:
        # ApiVersions v0 first, as clients do: a broker still starting answers it with an error.
        versions = _Reader(_exchange(sock, api_key=18, api_version=0, correlation_id=1, body=b""))
        if (code := versions.int16()) != 0:
            raise WireError(f"ApiVersions error {code}")
        reader = _Reader(_exchange(sock, api_key=3, api_version=4, correlation_id=2, body=body))
    reader.int32()  # throttle_time_ms
    brokers = dict(reader.array(_read_broker))
    reader.string()  # cluster_id
    reader.int32()  # controller_id: in KRaft a random live broker, not the quorum leader
    partitions: dict[tuple[str, int], PartitionState] = {}
    topic_errors: dict[str, int] = {}
    for _ in range(reader.int32()):
        code, name = reader.int16(), reader.string() or ""
        reader.int8()  # is_internal
        if code:
            topic_errors[name] = code
        for _ in range(reader.int32()):
            p_code, index, leader = reader.int16(), reader.int32(), reader.int32()
            replicas = tuple(reader.array(_Reader.int32))
            isr = tuple(reader.array(_Reader.int32))
            partitions[name, index] = PartitionState(
                name, index, p_code, leader if leader >= 0 else None, replicas, isr
            )
    return Metadata(brokers, partitions, topic_errors)


def describe_quorum(host: str, port: int, timeout: float = 2.0) -> Quorum:
    """The KRaft metadata quorum: ask a broker (which forwards to the active controller) or the
    active controller itself. Raises WireError when it is not known (e.g. during an election)."""
    body = (
        _uvarint(2)  # topics: compact array of one
        + _uvarint(len(_METADATA_TOPIC) + 1)
        + _METADATA_TOPIC
        + _uvarint(2)  # partitions: compact array of one
        + struct.pack(">i", 0)
        + b"\x00\x00\x00"  # tagged fields of the partition, the topic and the request
    )
    with _connect(host, port, timeout) as sock:
        reader = _Reader(
            _exchange(sock, api_key=55, api_version=0, correlation_id=1, body=body, flexible=True)
        )
    if (code := reader.int16()) != 0:
        raise WireError(f"DescribeQuorum error {code}")
    topics = reader.compact_array(_read_quorum_topic)
    if not topics or not topics[0]:
        raise WireError("DescribeQuorum answered without the metadata partition")
    return topics[0][0]


def _read_quorum_topic(reader: _Reader) -> list[Quorum]:
    reader.compact_string()
    partitions = reader.compact_array(_read_quorum_partition)
    reader.tagged_fields()
    return partitions


def _read_quorum_partition(reader: _Reader) -> Quorum:
    reader.int32()  # partition index
    if (code := reader.int16()) != 0:
        raise WireError(f"DescribeQuorum partition error {code}")
    leader, epoch, high_watermark = reader.int32(), reader.int32(), reader.int64()
    voters = reader.compact_array(_read_replica_state)
    reader.compact_array(_read_replica_state)  # observers
    reader.tagged_fields()
    return Quorum(leader if leader >= 0 else None, epoch, high_watermark, tuple(voters))


def _read_replica_state(reader: _Reader) -> int:
    replica_id = reader.int32()
    reader.int64()  # log end offset
    reader.tagged_fields()
    return replica_id


def _read_broker(reader: _Reader) -> tuple[int, tuple[str, int]]:
    node_id, host, port = reader.int32(), reader.string() or "", reader.int32()
    reader.string()  # rack
    return node_id, (host, port)


# --------------------------------------------------------------------------- framing


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def _exchange(
    sock: socket.socket,
    *,
    api_key: int,
    api_version: int,
    correlation_id: int,
    body: bytes,
    flexible: bool = False,
) -> bytes:
    """Send one request and return the response body (after its header)."""
    header = struct.pack(">hhi", api_key, api_version, correlation_id) + _string(_CLIENT_ID)
    if flexible:  # request header v2 and response header v1 carry tagged fields
        header += b"\x00"
    request = header + body
    sock.sendall(struct.pack(">i", len(request)) + request)
    (size,) = struct.unpack(">i", _recv_exactly(sock, 4))
    reader = _Reader(_recv_exactly(sock, size))
    if reader.int32() != correlation_id:
        raise WireError("Kafka answered with an unexpected correlation id")
    if flexible:
        reader.tagged_fields()
    return reader.rest()


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("Kafka closed the connection")
        chunks += chunk
    return bytes(chunks)


def _string(value: str | bytes) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return struct.pack(">h", len(data)) + data


def _uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class _Reader:
    """Reads Kafka's primitive types from a response body; raises WireError when it is short."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def _unpack(self, fmt: str) -> int:
        try:
            (value,) = struct.unpack_from(fmt, self._data, self._pos)
        except struct.error as exc:
            raise WireError(f"truncated Kafka response: {exc}") from None
        self._pos += struct.calcsize(fmt)
        return int(value)

    def int8(self) -> int:
        return self._unpack(">b")

    def int16(self) -> int:
        return self._unpack(">h")

    def int32(self) -> int:
        return self._unpack(">i")

    def int64(self) -> int:
        return self._unpack(">q")

    def uvarint(self) -> int:
        value = shift = 0
        while True:
            byte = self._unpack(">B")
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def _bytes(self, size: int) -> bytes:
        if self._pos + size > len(self._data):
            raise WireError("truncated Kafka response")
        chunk = self._data[self._pos : self._pos + size]
        self._pos += size
        return chunk

    def string(self) -> str | None:
        size = self.int16()
        return None if size < 0 else self._bytes(size).decode()

    def compact_string(self) -> str | None:
        size = self.uvarint() - 1
        return None if size < 0 else self._bytes(size).decode()

    def array(self, read: Callable[[_Reader], _T]) -> list[_T]:
        return [read(self) for _ in range(max(self.int32(), 0))]

    def compact_array(self, read: Callable[[_Reader], _T]) -> list[_T]:
        return [read(self) for _ in range(max(self.uvarint() - 1, 0))]

    def tagged_fields(self) -> None:
        for _ in range(self.uvarint()):
            self.uvarint()  # tag
            self._bytes(self.uvarint())

    def rest(self) -> bytes:
        return self._data[self._pos :]
