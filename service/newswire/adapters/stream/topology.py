"""The stream's topology, and the only place that knows it: which topics the worker reads and
writes, how many partitions each has, and the changelog topics of its tables (as Faust names
them, asked of the tables themselves).

    raw (N) ──clean──▶ <app>.dedupe (1) ──dedupe──▶ <app>.annotate (N) ──annotate──▶ enriched (N)
       │                    │                            │
       └──────▶ dlq (N) ◀───┴──▶ duplicates (N)          └──▶ dlq

Dedupe runs on a single-partition topic so that every near-duplicate meets its candidates,
whatever raw partition or worker it came through; its tables have one partition too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust

from newswire.adapters.stream.store import TableStore
from newswire.settings import Settings

DEDUPE_PARTITIONS = 1  # every near-duplicate meets its candidates


@dataclass(frozen=True)
class Topics:
    raw: Any
    dedupe: Any
    annotate: Any
    enriched: Any
    duplicates: Any
    dlq: Any


def stage_topics(settings: Settings) -> dict[str, tuple[int, bool]]:
    """Topic name → (partitions, internal: declared by the worker as its own)."""
    n = settings.partitions
    return {
        settings.raw_topic: (n, False),
        settings.dedupe_topic: (DEDUPE_PARTITIONS, True),
        settings.annotate_topic: (n, True),
        settings.enriched_topic: (n, False),
        settings.duplicates_topic: (n, False),
        settings.dlq_topic: (n, False),
    }


def declare(app: faust.App, settings: Settings) -> Topics:
    """The Faust topics of the stream. Values are bytes we (de)serialize ourselves (core/serde)
    and keys are article ids."""
    layout = stage_topics(settings)

    def topic(name: str) -> Any:
        partitions, internal = layout[name]
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=partitions,
            internal=internal,
            config={"max.message.bytes": str(settings.max_message_bytes)},
        )

    return Topics(
        raw=topic(settings.raw_topic),
        dedupe=topic(settings.dedupe_topic),
        annotate=topic(settings.annotate_topic),
        enriched=topic(settings.enriched_topic),
        duplicates=topic(settings.duplicates_topic),
        dlq=topic(settings.dlq_topic),
    )


def changelog_topics(app: faust.App) -> dict[str, int]:
    """The changelog topic of every table of `app`, named by Faust, with its partitions."""
    return {
        table.changelog_topic.get_topic_name(): table.partitions or app.conf.topic_partitions
        for table in app.tables.values()
    }


def worker_topics(settings: Settings) -> dict[str, int]:
    """Every topic a worker reads or writes, changelogs included, with its partition count:
    what the worker creates before it subscribes. The changelog names come from the tables
    themselves, declared on an app that is never started."""
    app = faust.App(settings.app_id, topic_partitions=settings.partitions)
    TableStore.create(app)
    topics = {name: partitions for name, (partitions, _) in stage_topics(settings).items()}
    topics.update(changelog_topics(app))
    return topics
