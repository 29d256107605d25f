"""``arcore backup`` and ``arcore restore``: the whole store to one file and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.filesize import decimal
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from arcore.cli import app, stdout
from arcore.store import DEFAULT_URL
from arcore.store.backup import backup as backup_store
from arcore.store.backup import restore as restore_store

StoreUrl = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="ARCORE_DB",
        metavar="URL",
        help="The store: sqlite:///path/to/arcore.db or postgresql+psycopg://user@host/db.",
    ),
]


def _shown(url: str) -> str:
    """The URL to print: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url  # not a URL: backup/restore refuse it with their own message


@app.command()
def backup(
    destination: Annotated[
        Path,
        typer.Option("--to", metavar="FILE", help="The backup file to write.", dir_okay=False),
    ],
    url: StoreUrl = DEFAULT_URL,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace FILE if it already exists.")
    ] = False,
) -> None:
    """Back the store up to one file, while it stays in use."""
    written = backup_store(url, destination, overwrite=overwrite)
    size = decimal(written.stat().st_size)
    stdout.print(
        f"Backed up {escape(_shown(url))} to [bold]{escape(str(written))}[/] ({size}).",
        soft_wrap=True,
    )


@app.command()
def restore(
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            metavar="FILE",
            help="A file written by 'arcore backup'.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    url: StoreUrl = DEFAULT_URL,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace everything in the store with the contents of a backup."""
    if not yes:
        typer.confirm(
            f"Replace everything in {_shown(url)} with the contents of {source}?", abort=True
        )
    restore_store(source, url)
    size = decimal(source.stat().st_size)
    stdout.print(
        f"Restored {escape(_shown(url))} from [bold]{escape(str(source))}[/] ({size}).",
        soft_wrap=True,
    )
