"""The dedupe store backed by Faust tables (changelog-backed; RocksDB or memory)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust

TABLES = (
    "dedupe-entries",
    "dedupe-bands",
    "dedupe-stories",
    "dedupe-answered",
    "dedupe-order",
    "dedupe-agency",
)


@dataclass
class TableStore:
    entries: Any
    bands: Any
    stories: Any
    answered: Any
    agency: Any
    order: Any  # b"released" → the greatest raw key judged so far (stream/dedupe_order.py)

    @classmethod
    def create(cls, app: faust.App) -> TableStore:
        # One partition, like the dedupe topic they are updated from; bytes keys and values
        # are stored raw (Faust picks the raw codec for the bytes type).
        raw = {"key_type": bytes, "value_type": bytes, "partitions": 1}
        return cls(
            entries=app.Table(TABLES[0], help="ref → packed entry", **raw),
            bands=app.Table(TABLES[1], help="LSH band key → refs", **raw),
            stories=app.Table(
                TABLES[2],
                key_type=str,
                value_type=int,
                partitions=1,
                help="story id → latest version",
            ),
            answered=app.Table(TABLES[3], help="origin hash → when answered", **raw),
            agency=app.Table(TABLES[5], help="agency guid hash → its versions", **raw),
            order=app.Table(TABLES[4], help="publish-order state", **raw),
        )
