"""Read newswire's enriched topic, validate each record against the JSON Schema, keep the latest
record per key, print a summary; exit status 1 if any record failed validation.

A starting point to copy: it needs aiokafka and jsonschema, not newswire. It takes the service's
NEWSWIRE_* connection settings, e.g.
    NEWSWIRE_BROKER=localhost:29092 python examples/consume_enriched.py --from-beginning
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import jsonschema
from aiokafka import AIOKafkaConsumer
from aiokafka.helpers import create_ssl_context
from aiokafka.structs import ConsumerRecord

SCHEMA = Path(__file__).resolve().parents[1] / "service/newswire/schemas/enriched.v1.json"
ENV = {k: v for k, v in os.environ.items() if k.startswith("NEWSWIRE_") and v}  # empty = unset


def kafka_options() -> dict:
    protocol = ENV.get("NEWSWIRE_SECURITY_PROTOCOL", "PLAINTEXT").upper()
    brokers = re.split(r"[,;]", ENV.get("NEWSWIRE_BROKER", "127.0.0.1:9092"))
    ssl_context = None
    if protocol.endswith("SSL"):  # without a CA file: the system's CAs
        ssl_context = create_ssl_context(
            cafile=ENV.get("NEWSWIRE_SSL_CAFILE"),
            certfile=ENV.get("NEWSWIRE_SSL_CERTFILE"),
            keyfile=ENV.get("NEWSWIRE_SSL_KEYFILE"),
        )
    return {  # aiokafka uses the SASL settings only with a SASL_* protocol
        "bootstrap_servers": [b.strip().removeprefix("kafka://") for b in brokers if b.strip()],
        "security_protocol": protocol,
        "sasl_mechanism": ENV.get("NEWSWIRE_SASL_MECHANISM", "SCRAM-SHA-512"),
        "sasl_plain_username": ENV.get("NEWSWIRE_SASL_USERNAME"),
        "sasl_plain_password": ENV.get("NEWSWIRE_SASL_PASSWORD"),
        "ssl_context": ssl_context,
        "max_partition_fetch_bytes": 10_485_760,  # a record can be up to 10 MiB
    }


async def messages(args: argparse.Namespace) -> AsyncIterator[ConsumerRecord]:
    """The topic's records, until --idle-seconds pass without one."""
    consumer = AIOKafkaConsumer(  # no group_id: each run reads for itself and commits nothing
        ENV.get("NEWSWIRE_ENRICHED_TOPIC", "newswire.enriched"),
        **kafka_options(),
        auto_offset_reset="earliest" if args.from_beginning else "latest",
    )
    await consumer.start()
    try:
        last = time.monotonic()
        while args.idle_seconds is None or time.monotonic() - last < args.idle_seconds:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for message in batch:
                    last = time.monotonic()
                    yield message
    finally:
        await consumer.stop()


async def consume(args: argparse.Namespace, latest: dict, counts: dict) -> None:
    schema = json.loads(Path(args.schema).read_text("utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    async for m in messages(args):
        key = (m.key or b"").decode()
        try:
            record = json.loads(m.value)
            errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(record)]
        except ValueError as exc:
            errors = [f"not JSON: {exc}"]
        counts["invalid" if errors else "valid"] += 1
        if errors:
            print(f"INVALID {key} {m.partition}@{m.offset}: {errors}", file=sys.stderr)
            continue
        # The key is the article id. It comes again only for the same article (a re-publish,
        # or a redelivery: delivery is at-least-once), always on the same partition, so keeping
        # the latest record per key is idempotent. An *update* of a story is another article
        # with its own key: for a story's latest version, group by record["story_id"] and keep
        # the highest record["version"].
        latest[key] = record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from-beginning", action="store_true", help="not only new records")
    parser.add_argument("--idle-seconds", type=float, help="stop after N s without a record")
    parser.add_argument("--schema", default=SCHEMA, help="enriched.v1.json (default: %(default)s)")
    args = parser.parse_args()
    latest, counts = {}, {"valid": 0, "invalid": 0}
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop, then print the summary
        asyncio.run(consume(args, latest, counts))
    stories = len({r["story_id"] for r in latest.values()})
    valid, invalid = counts["valid"], counts["invalid"]
    print(f"{valid} valid, {invalid} invalid records; {len(latest)} keys, {stories} stories")
    for key, r in sorted(latest.items()):
        print(f"{key}\t{r['story_id']}\tv{r['version']}\t{r['headline'][:60]}")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
