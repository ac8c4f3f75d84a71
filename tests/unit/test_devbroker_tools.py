"""devbroker.common.run_tool: a tool's output, or a BrokerError that says what failed, with
the end of its output and no secret it was given."""

from __future__ import annotations

import sys

import pytest

from newswire.devbroker.common import BrokerError, run_tool


def test_output_of_a_tool_that_succeeds() -> None:
    assert run_tool([sys.executable, "-c", "print('ok')"], what="x", timeout=30) == "ok\n"


def test_a_failure_says_what_failed_and_hides_the_secret() -> None:
    cmd = [sys.executable, "-c", "import sys; print('bad password s3cret'); sys.exit(3)", "s3cret"]
    with pytest.raises(BrokerError) as failed:
        run_tool(cmd, what="adding the user", timeout=30, redact=("s3cret",))
    message = str(failed.value)
    assert message.startswith("adding the user failed (exit 3)")
    assert "bad password ***" in message and "s3cret" not in message


def test_a_time_out_is_a_broker_error() -> None:
    with pytest.raises(BrokerError, match="did not finish within 1 s"):
        run_tool([sys.executable, "-c", "import time; time.sleep(5)"], what="sleeping", timeout=1)
