"""Downstream consumers of the enriched topic, against the test broker: the Python example
(examples/consume_enriched.py) and the README's kcat one-liner, run as a user runs them on the
enriched records of `newswire replay seeds/` (a real worker).

The kcat command is taken from README.md ("Consuming the enriched topic"), so the README and
what is tested cannot drift apart. kcat comes from Debian (`make test-tools`,
deploy/install-kcat.sh); without it the test fails rather than skips.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from nw_harness import Deployment, Kafka, Message, OutputRecord, produce, replay_and_collect

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "consume_enriched.py"
README = REPO / "README.md"
SECTION = "## Consuming the enriched topic"


# --------------------------------------------------------------------------- README


def readme_section() -> str:
    text = README.read_text("utf-8")
    assert f"\n{SECTION}\n" in text, f"README has no {SECTION!r} section"
    return text.split(f"\n{SECTION}\n", 1)[1].split("\n## ", 1)[0]


def readme_blocks() -> list[str]:
    """The fenced code blocks of the section, in order."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", readme_section(), flags=re.S | re.M)
    return [block.strip() for block in blocks]


def readme_command(program: str, *, secure: bool) -> str:
    """The one-line `program` command (plaintext, or with security.protocol) of the section."""
    found = [
        block
        for block in readme_blocks()
        if block.startswith(f"{program} ") and ("security.protocol" in block) == secure
    ]
    assert len(found) == 1, f"expected one {program} block (secure={secure}), got {found}"
    assert "\n" not in found[0], f"not a one-liner: {found[0]!r}"
    return found[0]


def test_readme_gives_the_consumer_commands() -> None:
    blocks = readme_blocks()
    variables = [b for b in blocks if b.startswith("BROKER=")]
    assert variables, "the section does not define BROKER and TOPIC"
    assert re.match(r"BROKER=localhost:29092 TOPIC=newswire\.enriched\b", variables[0])
    plaintext = readme_command("kcat", secure=False)
    secure = readme_command("kcat", secure=True)
    # The variables come first, then the commands that use them.
    assert blocks.index(variables[0]) < blocks.index(plaintext)
    for command in (plaintext, secure):
        assert '-b "$BROKER"' in command and '-t "$TOPIC"' in command
    assert secure.startswith(plaintext + " -X ")  # the same command plus the security settings
    for prop in (
        "security.protocol=SASL_SSL",
        "sasl.mechanisms=SCRAM-SHA-512",
        'sasl.username="$NEWSWIRE_SASL_USERNAME"',
        'sasl.password="$NEWSWIRE_SASL_PASSWORD"',
        'ssl.ca.location="$NEWSWIRE_SSL_CAFILE"',
    ):
        assert f"-X {prop}" in secure, prop
    console = [b for b in blocks if b.startswith("kafka-console-consumer.sh ")]
    assert len(console) == 1 and '--bootstrap-server "$BROKER"' in console[0]
    assert '--topic "$TOPIC"' in console[0]
    assert any("examples/consume_enriched.py" in b for b in blocks)
    assert "`kcat`" in readme_section()  # Debian's package name


# --------------------------------------------------------------------------- runners


def run_example(
    kafka: Kafka, topic: str, *args: str, idle: float = 5.0
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env |= {"NEWSWIRE_BROKER": kafka.url, "NEWSWIRE_ENRICHED_TOPIC": topic}
    return subprocess.run(
        [sys.executable, str(EXAMPLE), "--from-beginning", "--idle-seconds", str(idle), *args],
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def summary_of(stdout: str) -> tuple[str, dict[str, list[str]]]:
    """The example's first summary line, and key -> [story_id, vN, headline] of the rest."""
    first, *rows = stdout.rstrip("\n").split("\n")  # not splitlines(): U+2028 is no line end
    return first, {key: rest for key, *rest in (row.split("\t") for row in rows)}


def kcat_path() -> str:
    path = shutil.which("kcat")
    if path is None:
        pytest.fail(
            "kcat is not installed: `make test-tools` (deploy/install-kcat.sh) installs "
            "Debian's kcat package, or `apt-get install kcat`"
        )
    return path


# --------------------------------------------------------------------------- the seeds


@pytest.mark.timeout(300)
def test_consumers_read_the_enriched_seeds(pipeline: Deployment, start_worker) -> None:
    command = readme_command("kcat", secure=False)
    kcat_path()  # fail early (before the worker) when kcat is missing
    worker = start_worker(pipeline)
    outcomes = replay_and_collect(
        pipeline, REPO / "seeds", workers=[worker], settle=2.0, what="the seeds' outcomes"
    )
    enriched: list[OutputRecord] = outcomes.of("enriched")
    assert enriched, outcomes.summary()
    keys = {o.key for o in enriched}
    assert None not in keys
    assert {o.key for o in enriched} == {o.id for o in enriched}  # keyed by article id

    # The Python example: every record valid, the same records and keys as the harness saw.
    done = run_example(pipeline.kafka, pipeline.enriched)
    assert done.returncode == 0, done.stderr
    assert "INVALID" not in done.stderr
    first, rows = summary_of(done.stdout)
    stories = len({o.record["story_id"] for o in enriched})
    assert first == (
        f"{len(enriched)} valid, 0 invalid records; {len(keys)} keys, {stories} stories"
    ), done.stdout
    assert set(rows) == keys
    for o in enriched:
        story_id, version, headline = rows[o.key]
        assert (story_id, version) == (o.record["story_id"], f"v{o.record['version']}")
        assert headline == o.record["headline"][:60]

    # The README's kcat one-liner, as written there, with the test broker and topic.
    env = dict(os.environ, BROKER=pipeline.bootstrap, TOPIC=pipeline.enriched)
    kcat = subprocess.run(
        ["bash", "-c", command],
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert kcat.returncode == 0, f"{command}\n{kcat.stderr}"
    lines = kcat.stdout.rstrip("\n").split("\n")
    assert len(lines) == len(enriched), kcat.stdout[:2000]
    printed: dict[str, dict] = {}
    for line in lines:
        key, _, value = line.partition("\t")
        printed[key] = json.loads(value)  # valid JSON, one record per line
    assert set(printed) == keys
    for o in enriched:
        assert printed[o.key] == o.record
    assert worker.alive()


# --------------------------------------------------------------------------- a bad record


async def _create_topic(kafka: Kafka, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


async def _delete_topic(kafka: Kafka, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()


@pytest.mark.timeout(120)
def test_example_exits_non_zero_on_a_record_that_violates_the_schema(
    kafka: Kafka, tmp_path: Path
) -> None:
    topic = f"nwit-{uuid.uuid4().hex[:8]}.enriched"
    asyncio.run(_create_topic(kafka, topic))
    try:
        # produce() needs a Deployment only for its broker address.
        target = Deployment(
            kafka=kafka,
            app_id="unused",
            raw="unused",
            enriched=topic,
            duplicates="unused",
            dlq="unused",
            partitions=1,
            tmp=tmp_path,
        )
        incomplete = {"schema_version": 1, "kind": "enriched", "id": "bad-1", "story_id": "bad-1"}
        produce(
            target,
            [
                Message(json.dumps(incomplete).encode(), b"bad-1"),
                Message(b"{not json", b"bad-2"),
            ],
            topic=topic,
        )
        done = run_example(kafka, topic)
        assert done.returncode == 1, (done.stdout, done.stderr)
        first, rows = summary_of(done.stdout)
        assert first == "0 valid, 2 invalid records; 0 keys, 0 stories"
        assert rows == {}
        errors = [line for line in done.stderr.splitlines() if line.startswith("INVALID ")]
        assert [line.split()[1] for line in errors] == ["bad-1", "bad-2"], done.stderr
        assert "'version' is a required property" in errors[0]
        assert "not JSON" in errors[1]
    finally:
        asyncio.run(_delete_topic(kafka, topic))
