"""The `newswire` command. Settings are built once here and passed down."""

from __future__ import annotations

from pathlib import Path

import click

from newswire import __version__
from newswire.settings import Settings, load_settings


@click.group()
@click.version_option(__version__, prog_name="newswire")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Newswire: clean, dedupe and annotate news-wire articles."""
    ctx.obj = load_settings()


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for enriched.jsonl, duplicates.jsonl, rejected.jsonl",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)"
)
@click.pass_obj
def process(
    settings: Settings, paths: tuple[str, ...], out_dir: Path, progress: bool | None
) -> None:
    """Run the whole pipeline over articles (.txt/.json/.jsonl, ninjs, NewsML-G2, NITF) in files
    and folders, without Kafka."""
    from newswire.adapters.files import InputError
    from newswire.core.annotate import ModelNotAvailable
    from newswire.entrypoints.offline import process as run_process

    try:
        run_process(settings, paths, out_dir, progress=progress)
    except (InputError, ModelNotAvailable) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.pass_obj
def worker(settings: Settings) -> None:
    """Run the Faust worker: raw → clean → dedupe → annotate → enriched/duplicates/dlq."""
    import asyncio

    from newswire.adapters.kafka.admin import BrokerUnreachable, check_broker, ensure_topics
    from newswire.adapters.stream.app import create_app
    from newswire.adapters.stream.topology import worker_topics
    from newswire.adapters.stream.worker import NewswireWorker
    from newswire.core.annotate import ModelNotAvailable

    try:
        brokers = asyncio.run(check_broker(settings))
        asyncio.run(ensure_topics(settings, worker_topics(settings)))
        service = create_app(settings, brokers=brokers)
    except (BrokerUnreachable, ModelNotAvailable) as exc:
        raise click.ClickException(str(exc)) from None
    worker = NewswireWorker(service.app, loglevel=settings.log_level.upper())
    worker.log_format = settings.log_format
    worker.execute_from_commandline()


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Messages per second (default: as fast as possible)",
)
@click.option(
    "--loop",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Send the whole set K times",
)
@click.option("--topic", default=None, help="Topic (default: NEWSWIRE_RAW_TOPIC)")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)"
)
@click.pass_obj
def replay(
    settings: Settings,
    paths: tuple[str, ...],
    rate: float | None,
    loop: int,
    topic: str | None,
    progress: bool | None,
) -> None:
    """Publish articles (.txt/.json/.jsonl, ninjs, NewsML-G2, NITF; files or folders) to the raw
    topic."""
    import asyncio

    from newswire.adapters.files import InputError
    from newswire.adapters.kafka.admin import BrokerUnreachable, check_broker
    from newswire.adapters.kafka.replay import replay as run_replay

    try:
        asyncio.run(check_broker(settings))
        result = asyncio.run(
            run_replay(settings, paths, rate=rate, loop=loop, topic=topic, progress=progress)
        )
    except (InputError, BrokerUnreachable) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"replayed {result.sent} messages to {topic or settings.raw_topic} "
        f"in {result.seconds:.1f} s",
        err=True,
    )


@main.command()
@click.option(
    "--topic",
    "which",
    type=click.Choice(["enriched", "duplicates", "dlq", "raw"]),
    default="enriched",
    show_default=True,
)
@click.option("--from-beginning", is_flag=True, help="Start at the oldest record, not the newest")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Exit after N records")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Exit after S seconds without a record",
)
@click.pass_obj
def tail(
    settings: Settings, which: str, from_beginning: bool, limit: int | None, timeout: float
) -> None:
    """Print records of an output topic as JSON lines."""
    import asyncio

    from newswire.adapters.kafka.admin import BrokerUnreachable, check_broker
    from newswire.adapters.kafka.tail import tail as run_tail

    topic = {
        "enriched": settings.enriched_topic,
        "duplicates": settings.duplicates_topic,
        "dlq": settings.dlq_topic,
        "raw": settings.raw_topic,
    }[which]
    try:
        asyncio.run(check_broker(settings))
    except BrokerUnreachable as exc:
        raise click.ClickException(str(exc)) from None
    count = asyncio.run(
        run_tail(settings, topic, from_beginning=from_beginning, limit=limit, timeout=timeout)
    )
    click.echo(f"{count} records from {topic}", err=True)


@main.command()
@click.argument("feed_urls", nargs=-1)
@click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A file of feed URLs, one a line (# starts a comment)",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds between polls of a feed (default: NEWSWIRE_POLL_INTERVAL)",
)
@click.option("--once", is_flag=True, help="Poll every feed once, then exit")
@click.option(
    "--progress/--no-progress", default=None, help="Live status table (default: on a terminal)"
)
@click.pass_obj
def poll(
    settings: Settings,
    feed_urls: tuple[str, ...],
    feeds_file: Path | None,
    interval: float | None,
    once: bool,
    progress: bool | None,
) -> None:
    """Poll RSS 2.0, Atom 1.0 and JSON Feed URLs; publish each new item to the raw topic once."""
    import asyncio
    from urllib.parse import urlsplit

    from newswire.adapters.kafka.admin import BrokerUnreachable, StateTopicError, check_broker

    urls = list(feed_urls)
    if feeds_file is not None:
        lines = feeds_file.read_text("utf-8").splitlines()
        urls += [
            line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
        ]
    urls = list(dict.fromkeys(urls))  # once each, in the order given
    if not urls:
        raise click.UsageError("give feed URLs, or --feeds FILE")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.ClickException(f"not an http(s) URL: {url!r}")
    from newswire.adapters.feeds.poller import run_poller

    try:
        asyncio.run(check_broker(settings))
        summary = asyncio.run(
            run_poller(settings, urls, once=once, interval=interval, progress=progress)
        )
    except (BrokerUnreachable, StateTopicError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    click.echo(
        f"polled {len(urls)} feeds ({summary.polls} polls): {summary.new} new items published "
        f"to {settings.raw_topic}, {summary.not_modified} not modified, {summary.failed} failed",
        err=True,
    )


from newswire.entrypoints.broker_cli import broker  # noqa: E402  (after `main` exists)

main.add_command(broker)


if __name__ == "__main__":  # pragma: no cover
    main()
