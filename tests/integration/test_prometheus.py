"""A real Prometheus server (Debian's `prometheus`, started here on 127.0.0.1) scrapes a real
worker after `newswire replay seeds/` and answers `newswire_outcomes_total` with the outcomes
on the topics; `promtool` accepts the shipped alert rules and Prometheus configuration, and
the server loads the rules."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from nw_harness import Deployment, free_port, replay_and_collect

pytestmark = pytest.mark.integration

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
needs_prometheus = pytest.mark.skipif(
    PROMETHEUS is None or PROMTOOL is None,
    reason="the prometheus and promtool binaries are not on PATH (Debian: apt-get install "
    "prometheus; `make test` installs them where apt-get is available)",
)


def local_config(tmp: Path, target: str | None) -> Path:
    """The shipped prometheus.yml with its rule file at its path here and, for a run, the
    worker as a static target scraped every second (compose finds workers by DNS)."""
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    config["rule_files"] = [str(DEPLOY / "alerts.yml")]
    if target is not None:
        config["global"]["scrape_interval"] = "1s"
        job = config["scrape_configs"][0]
        del job["dns_sd_configs"]
        job["static_configs"] = [{"targets": [target]}]
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@needs_prometheus
def test_promtool_accepts_the_shipped_rules_and_config(tmp_path: Path) -> None:
    assert PROMTOOL is not None
    rules = subprocess.run(
        [PROMTOOL, "check", "rules", str(DEPLOY / "alerts.yml")], capture_output=True, text=True
    )
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "5 rules found" in rules.stdout
    config = subprocess.run(
        [PROMTOOL, "check", "config", str(local_config(tmp_path, None))],
        capture_output=True,
        text=True,
    )
    assert config.returncode == 0, config.stdout + config.stderr


@pytest.fixture()
def prometheus(tmp_path: Path) -> Iterator[Any]:
    started: list[subprocess.Popen[bytes]] = []

    def start(target: str) -> str:
        assert PROMETHEUS is not None
        port = free_port()
        log = (tmp_path / "prometheus.log").open("wb")
        started.append(
            subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={local_config(tmp_path, target)}",
                    f"--storage.tsdb.path={tmp_path / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        return f"http://127.0.0.1:{port}"

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def api(base: str, path: str, **params: str) -> Any:
    url = f"{base}/api/v1/{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.loads(answer.read())["data"]


def poll(what: str, check: Any, timeout: float = 90.0) -> Any:
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except OSError as exc:  # not listening yet
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"{what}: still {last!r} after {timeout} s")


@needs_prometheus
@pytest.mark.timeout(300)
def test_prometheus_scrapes_the_outcomes_of_a_replay(
    pipeline: Deployment, start_worker, seed_paths: dict[str, Path], prometheus
) -> None:
    worker = start_worker(pipeline)
    folder = seed_paths["000"].parent
    replay_and_collect(pipeline, folder, workers=[worker], what="seeds")
    base = prometheus(f"127.0.0.1:{worker.web_port}")

    def outcomes() -> dict[str, float] | None:
        result = api(base, "query", query="sum by (outcome) (newswire_outcomes_total)")["result"]
        got = {r["metric"]["outcome"]: float(r["value"][1]) for r in result}
        return got if got == {"enriched": 8.0, "duplicate": 1.0} else None

    poll("newswire_outcomes_total in Prometheus", outcomes)
    rules = poll("alert rules loaded", lambda: api(base, "rules")["groups"])
    names = {rule["name"] for group in rules for rule in group["rules"]}
    assert names == {
        "NewswireLagging",
        "NewswireDeadLetters",
        "NewswireNoReadyWorker",
        "NewswireStampedLate",
        "NewswireFeedFailing",
    }
    ready = api(base, "query", query="sum(newswire_ready)")["result"]
    assert float(ready[0]["value"][1]) == 1.0
