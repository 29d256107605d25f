"""``arcore import``: customers, documents, payments and applications from CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from arcore.cli import app, stderr, stdout
from arcore.cli.store import StoreUrl
from arcore.store import DEFAULT_URL, open_store
from arcore.store.importer import import_files


@app.command("import")
def import_(
    url: StoreUrl = DEFAULT_URL,
    company: Annotated[
        str, typer.Option("--company", envvar="ARCORE_COMPANY", help="Whose books.")
    ] = "default",
    customers: Annotated[Path | None, typer.Option("--customers", help="customers.csv")] = None,
    documents: Annotated[Path | None, typer.Option("--documents", help="documents.csv")] = None,
    payments: Annotated[Path | None, typer.Option("--payments", help="payments.csv")] = None,
    applications: Annotated[
        Path | None, typer.Option("--applications", help="applications.csv")
    ] = None,
) -> None:
    """Import CSV files into the store: every row checked, all or nothing, safe to repeat.

    Bad rows are all listed (file, row, column, value) and nothing is imported; rows
    already imported with the same values are skipped.
    """
    files = {
        "customers": customers,
        "documents": documents,
        "payments": payments,
        "applications": applications,
    }
    if not any(files.values()):
        raise typer.BadParameter(
            "give at least one of --customers, --documents, --payments, --applications"
        )
    with (
        open_store(url) as store,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        ) as progress,
    ):
        tasks = {kind: progress.add_task(kind, total=None) for kind, path in files.items() if path}

        def advance(kind: str, rows: int) -> None:
            progress.update(tasks[kind], completed=rows)

        report = import_files(store, company, progress=advance, **files)
    table = Table(title=f"Imported into {escape(company)}")
    for column in ("file", "rows", "imported", "already there"):
        table.add_column(column, justify="left" if column == "file" else "right")
    for kind, read in report.read.items():
        table.add_row(
            kind, f"{read:,}", f"{report.imported[kind]:,}", f"{report.unchanged[kind]:,}"
        )
    stdout.print(table)
