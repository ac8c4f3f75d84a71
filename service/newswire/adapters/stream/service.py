"""What the stream's parts share: the Faust app, the settings, the topics, the dedupe index,
the CPU runner, the metrics and the log-end reader. Built once by the composition root
(stream/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

import faust

from newswire.adapters.processes.pool import CpuRunner
from newswire.adapters.stream.log_ends import LogEnds
from newswire.adapters.stream.metrics import StreamMetrics
from newswire.adapters.stream.topology import Topics
from newswire.core.dedupe import DedupeIndex
from newswire.settings import Settings


@dataclass(frozen=True)
class Service:
    app: faust.App
    settings: Settings
    topics: Topics
    index: DedupeIndex
    runner: CpuRunner
    metrics: StreamMetrics
    log_ends: LogEnds
