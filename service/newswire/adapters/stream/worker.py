"""The Faust worker of `newswire worker`, with the log controls of newswire.logs.

Faust (mode) replaces the root logger's handlers when the worker starts, then calls
`on_setup_root_logger`; that is where the repeat collapser goes on, so it covers every logger
(aiokafka, faust, mode, newswire) on every handler mode configured.
"""

from __future__ import annotations

import logging

import faust

from newswire.logs import DEFAULT_INTERVAL, JsonFormatter, RepeatCollapser, install_collapser


class NewswireWorker(faust.Worker):
    #: Seconds during which repeats of one warning/error are counted instead of written.
    log_repeat_interval: float = DEFAULT_INTERVAL
    #: "text" (Faust's format) or "json" (one object per line: logs.JsonFormatter).
    log_format: str = "text"
    collapser: RepeatCollapser | None = None

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        super().on_setup_root_logger(logger, level)  # Faust's spinner handler (on a terminal)
        if self.log_format == "json":
            for handler in logger.handlers:
                handler.setFormatter(JsonFormatter())
        if self.log_repeat_interval > 0:  # 0: every line as it comes
            self.collapser = install_collapser(list(logger.handlers), self.log_repeat_interval)

    def on_worker_shutdown(self) -> None:
        super().on_worker_shutdown()
        if self.collapser is not None:
            # Pending counts now; the flush thread keeps running for what shutdown logs, and
            # the last counts go out at exit (atexit).
            self.collapser.flush(force=True)
