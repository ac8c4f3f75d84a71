"""`newswire broker ...`: the local development Kafka (single node, secured node, cluster)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from newswire.settings import Settings


@click.group()
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
    from newswire import devbroker as local

    home = settings.kafka_home.resolve()
    # With the settings `broker start --secure` exported, the port is a TLS listener's.
    return home, local.base_port(home, settings.broker_port), "127.0.0.1"


_NODES_HELP = (
    "1: a single broker on PORT; N (2-9): a KRaft cluster, node i with broker port PORT+i-1 "
    "and controller port PORT+100+i-1 (PORT: the first NEWSWIRE_BROKER address)"
)


@broker.command("start")
@click.option("--nodes", type=click.IntRange(1, 9), default=1, show_default=True, help=_NODES_HELP)
@click.option(
    "--secure",
    is_flag=True,
    help="Also listen with SASL_SSL (SCRAM-SHA-512) on PORT+2 and mutual TLS on PORT+3, with a "
    "CA made under the broker's folder; prints the client settings as export lines "
    '(eval "$(newswire broker start --secure)")',
)
@click.pass_obj
def broker_start(settings: Settings, nodes: int, secure: bool) -> None:
    """Start it (first time: fetch the jars with Maven); no-op if it already runs."""
    from newswire import devbroker as local

    home, port, host = _broker_target(settings)
    if secure:
        if nodes != 1:
            raise click.UsageError("--secure runs a single broker: leave out --nodes")
        _start_secure(home, port, host)
        return
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


def _start_secure(home: Path, port: int, host: str) -> None:
    """Status on stderr, settings on stdout: `eval "$(newswire broker start --secure)"`."""
    from newswire import devbroker as local

    try:
        secured = local.start_secure(home, port, host)
    except local.BrokerError as exc:
        raise click.ClickException(str(exc)) from None
    state = secured.status
    click.echo(
        f"kafka {state.version} running (pid {state.pid}): plaintext {host}:{port}, "
        f"SASL_SSL (SCRAM-SHA-512, user newswire) {host}:{secured.sasl_port}, "
        f"mutual TLS {host}:{secured.mtls_port}; CA and keys in {secured.pki.folder}",
        err=True,
    )
    click.echo("# SASL_SSL (SCRAM-SHA-512); for mutual TLS use the commented lines below")
    for line in local.exports(secured.sasl_settings()):
        click.echo(line)
    for line in local.exports(secured.mtls_settings()):
        click.echo(f"# {line}")


@broker.command("certs")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--host",
    "hosts",
    multiple=True,
    default=("kafka", "localhost", "127.0.0.1"),
    show_default=True,
    help="A name or address the broker certificate is valid for (repeat for several)",
)
def broker_certs(folder: Path, hosts: tuple[str, ...]) -> None:
    """Make a CA, a broker PEM keystore, a client certificate and a SCRAM password in FOLDER
    for a broker you run yourself (deploy/compose/secure.yml); kept if already there."""
    from newswire import devbroker as local

    try:
        pki = local.ensure_pki(folder, hosts, shared=True)
    except local.BrokerError as exc:
        raise click.ClickException(str(exc)) from None
    for path in pki.files():
        click.echo(path)
    click.echo(
        f"readable by every user (containers run under other uids): keep {pki.folder} "
        "off shared machines and out of version control",
        err=True,
    )


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
