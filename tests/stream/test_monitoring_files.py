"""The shipped monitoring files ask only for metrics the worker or the poller exports: every
metric a Grafana panel or a Prometheus alert rule queries is in a /metrics output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from newswire.adapters.feeds.metrics import PollMetrics
from newswire.adapters.feeds.status import FeedStatus
from newswire.adapters.stream.metrics import StreamMetrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NAME = re.compile(r"\bnewswire_[a-z_]+\b")


def exported(text: str) -> set[str]:
    """Series names a /metrics text can carry (a histogram's _bucket, _count and _sum)."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names.add(name)
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    return names


def queried() -> dict[str, set[str]]:
    """Metric names in each dashboard panel and alert rule: where → names."""
    found: dict[str, set[str]] = {}
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                found[f"{path.name}: {panel['title']}"] = set(NAME.findall(target["expr"]))
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            found[f"alerts.yml: {rule['alert']}"] = set(NAME.findall(rule["expr"]))
    return found


def test_every_panel_and_alert_queries_an_exported_metric() -> None:
    names = exported(StreamMetrics("en_core_web_sm").render().decode())
    poller = PollMetrics()
    poller.observe(FeedStatus("https://example.com/rss.xml", "ok"))  # labelled series appear
    names |= exported(poller.render().decode())
    queries = queried()
    assert len(queries) >= 14  # nine panels, five alerts
    missing = {where: sorted(q - names) for where, q in queries.items() if q - names or not q}
    assert missing == {}


def test_the_check_catches_a_panel_on_a_metric_that_is_not_exported() -> None:
    names = exported(StreamMetrics("m").render().decode())
    assert "newswire_outcomes_total" in names and "newswire_stage_seconds_bucket" in names
    assert "newswire_articles_total" not in names
