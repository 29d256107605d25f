"""The ``arcore`` command line.

Every command is a thin edge over the library: it parses arguments, calls the core, and prints
a rich table for people or JSON (``--json``) for scripts. An
[`ArcoreError`][arcore.errors.ArcoreError] becomes one red line on standard error, saying what
to do next, and exit status 1; wrong usage exits with status 2, as click does.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from arcore import __version__
from arcore.errors import ArcoreError

__all__ = ["app", "main"]

stdout = Console()
stderr = Console(stderr=True)


app = typer.Typer(
    name="arcore",
    help="Accounts receivable, exact: terms, ledger, cash application, aging, collections.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        stdout.print(f"arcore {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Accounts receivable, exact: terms, ledger, cash application, aging, collections."""


def main() -> None:
    """Run the ``arcore`` console script."""
    try:
        app()
    except ArcoreError as exc:
        stderr.print(f"[bold red]Error:[/] {escape(str(exc))}", soft_wrap=True)
        raise SystemExit(1) from None


# Commands register themselves on ``app`` when imported.
from arcore.cli import adapters as _adapters  # noqa: E402, F401
from arcore.cli import bank as _bank  # noqa: E402, F401
from arcore.cli import collections as _collections  # noqa: E402, F401
from arcore.cli import credit as _credit  # noqa: E402, F401
from arcore.cli import imports as _imports  # noqa: E402, F401
from arcore.cli import match as _match  # noqa: E402, F401
from arcore.cli import reports as _reports  # noqa: E402, F401
from arcore.cli import statements as _statements  # noqa: E402, F401
from arcore.cli import store as _store  # noqa: E402, F401
from arcore.cli import sync as _sync  # noqa: E402, F401
from arcore.cli import terms as _terms  # noqa: E402, F401
