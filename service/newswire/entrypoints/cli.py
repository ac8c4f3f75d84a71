"""The `newswire` command. Settings are built once here and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    """Run the whole pipeline over .txt/.json/.jsonl files and folders, without Kafka."""
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
    """Publish .txt/.json/.jsonl articles (files or folders) to the raw topic."""
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


@main.group()
def broker() -> None:
    """The local development Kafka broker (JDK + Maven Central jars, KRaft, 127.0.0.1)."""


def _broker_target(settings: Settings) -> tuple[Path, int, str]:
    """(kafka home, base port, host): the first NEWSWIRE_BROKER address is the base port."""
    for server in settings.bootstrap_servers:
        host = server.rpartition(":")[0]
        if host not in ("127.0.0.1", "localhost"):
            raise click.ClickException(
                f"NEWSWIRE_BROKER points at {host}; the local broker only runs on 127.0.0.1"
            )
    return settings.kafka_home.resolve(), settings.broker_port, "127.0.0.1"


_NODES_HELP = (
    "1: a single broker on PORT; N (2-9): a KRaft cluster, node i with broker port PORT+i-1 "
    "and controller port PORT+100+i-1 (PORT: the first NEWSWIRE_BROKER address)"
)


@broker.command("start")
@click.option("--nodes", type=click.IntRange(1, 9), default=1, show_default=True, help=_NODES_HELP)
@click.pass_obj
def broker_start(settings: Settings, nodes: int) -> None:
    """Start it (first time: fetch the jars with Maven); no-op if it already runs."""
    from newswire import devbroker as local

    home, port, host = _broker_target(settings)
    running = local.cluster_status(home, port).running_nodes
    if nodes == 1 and running:
        raise click.ClickException(
            f"nodes {running} of a local cluster run on port {port}: "
            "`newswire broker stop` first, or start with --nodes"
        )
    try:
        if nodes > 1:
            cluster = local.start_cluster(home, port, nodes, host)
        else:
            status = local.start(home, port, host)
    except local.BrokerError as exc:
        raise click.ClickException(str(exc)) from None
    if nodes == 1:
        click.echo(f"kafka {status.version} running on {status.url} (pid {status.pid})")
        return
    for node in cluster.nodes:
        click.echo(
            f"node {node.node_id}: {node.url} (controller port {node.controller_port}, "
            f"pid {node.pid}); log {node.log_file}"
        )
    click.echo(f"kafka {cluster.version} cluster of {nodes} nodes: {cluster.bootstrap_servers}")
    # Quoted: unquoted, the shell would take each ';' as the end of a command.
    click.echo(f"export NEWSWIRE_BROKER='{cluster.url}'")


def _nodes_or_any(help_text: str) -> Any:
    return click.option("--nodes", type=click.IntRange(1, 9), default=None, help=help_text)


@broker.command("stop")
@_nodes_or_any("1: only the single broker; N: only the cluster (default: whichever runs on PORT)")
@click.pass_obj
def broker_stop(settings: Settings, nodes: int | None) -> None:
    """Stop it (SIGTERM, then SIGKILL after 30 s)."""
    from newswire import devbroker as local

    home, port, _ = _broker_target(settings)
    if nodes in (None, 1):
        local.stop(home, port)
    if nodes is None or nodes > 1:
        cluster = local.cluster_status(home, port)
        if cluster.running_nodes or nodes:
            local.stop_cluster(home, port)
            click.echo(f"kafka cluster of {len(cluster.nodes)} nodes on port {port} stopped")
            return
    click.echo(f"kafka on port {port} stopped")


@broker.command("status")
@_nodes_or_any(
    "1: the single broker; N: the cluster of N nodes (default: the single broker if it "
    "runs or no cluster was ever started on PORT, else the cluster)"
)
@click.pass_obj
def broker_status(settings: Settings, nodes: int | None) -> None:
    """Say whether it runs; exit code 0 if it does (every node of a cluster), 1 if not."""
    from newswire import devbroker as local

    home, port, host = _broker_target(settings)
    status = local.status(home, port)
    cluster = local.cluster_status(home, port, nodes if nodes and nodes > 1 else None)
    if nodes == 1 or (nodes is None and (status.running or not cluster.nodes)):
        state = f"running (pid {status.pid})" if status.running else "not running"
        click.echo(
            f"kafka {status.version or '?'} on 127.0.0.1:{port}: {state}; log {status.log_file}"
        )
        raise SystemExit(0 if status.running else 1)
    up = len(cluster.running_nodes)
    leader = local.controller_leader(port, nodes=len(cluster.nodes), host=host) if up else None
    click.echo(
        f"kafka {cluster.version or '?'} cluster on {cluster.bootstrap_servers}: "
        f"{up}/{len(cluster.nodes)} nodes running; controller leader: node {leader or '?'}"
    )
    for node in cluster.nodes:
        state = f"running (pid {node.pid})" if node.running else "not running"
        click.echo(
            f"  node {node.node_id} on {node.bootstrap_servers}: {state}; log {node.log_file}"
        )
    raise SystemExit(0 if cluster.running else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
