"""The `newswire` command. Settings are built once here and passed down."""

from __future__ import annotations

from pathlib import Path

import click

from newswire.settings import Settings, load_settings


@click.group()
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
    from newswire.core.annotate import ModelNotAvailable
    from newswire.inputs import InputError
    from newswire.offline import process as run_process

    try:
        run_process(settings, paths, out_dir, progress=progress)
    except (InputError, ModelNotAvailable) as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":  # pragma: no cover
    main()
