"""``arcore statement``: customer statements from the books, as PDF, HTML or text files."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pydantic
import typer
from rich.markup import escape

from arcore.cli import app, stdout
from arcore.cli.store import StoreUrl
from arcore.errors import ValidationError
from arcore.ledger import Ledger
from arcore.reports.statements import (
    RemittanceInfo,
    StatementStyle,
    statement,
    write_statement,
    write_statements,
)
from arcore.store import DEFAULT_URL, open_store

_DAY = {"formats": ["%Y-%m-%d"], "metavar": "YYYY-MM-DD"}


class _Format(StrEnum):
    PDF = "pdf"
    HTML = "html"
    TXT = "txt"


class _Style(StrEnum):
    OPEN_ITEM = "open-item"
    BALANCE_FORWARD = "balance-forward"


def _remittance(path: Path | None) -> RemittanceInfo | None:
    if path is None:
        return None
    try:
        return RemittanceInfo.model_validate_json(path.read_bytes())
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'file'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ValidationError(
            f"the remittance file is not valid: {problems}",
            hint='Write it as JSON like {"pay_to": "Acme Inc.", "bank_details": ["IBAN ..."]}',
            file=path,
        ) from exc


@app.command("statement")
def statement_(
    start: Annotated[datetime, typer.Option("--from", help="First day of the period.", **_DAY)],
    end: Annotated[
        datetime, typer.Option("--to", help="Last day of the period: the statement date.", **_DAY)
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="PATH",
            help="The file to write; a directory with several --customer or --all.",
        ),
    ],
    customers: Annotated[
        list[str] | None,
        typer.Option("--customer", metavar="ID", help="Whose statement (repeat for several)."),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="A statement for every customer of the company.")
    ] = False,
    format: Annotated[
        _Format | None,
        typer.Option("--format", help="pdf, html or txt (default: from --out's suffix)."),
    ] = None,
    style: Annotated[
        _Style, typer.Option("--style", help="Open items, or a balance-forward account.")
    ] = _Style.OPEN_ITEM,
    remittance: Annotated[
        Path | None,
        typer.Option(
            "--remittance",
            metavar="JSON",
            help="How to pay: pay_to, address, bank_details, reference, note (JSON file).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    url: StoreUrl = DEFAULT_URL,
    company: Annotated[
        str, typer.Option("--company", envvar="ARCORE_COMPANY", help="Whose books.")
    ] = "default",
) -> None:
    """Write customer statements for a period: one file, or one per customer in a directory.

    With one --customer, --out is the file (or a directory to write ID.FORMAT into).
    With several --customer or --all, --out is a directory.
    """
    if every and customers:
        raise typer.BadParameter("give --customer or --all, not both")
    if not every and not customers:
        raise typer.BadParameter("give --customer ID (repeatable) or --all")
    kind = StatementStyle(style.value.replace("-", "_"))
    remit = _remittance(remittance)
    with open_store(url) as store:
        ledger = Ledger(store, company)
        ids = [c.id for c in ledger.customers()] if every else list(customers or [])
        batch = every or len(ids) > 1 or out.is_dir()
        if batch:
            written = write_statements(
                ledger,
                ids,
                start.date(),
                end.date(),
                out,
                (format or _Format.PDF).value,
                style=kind,
                remittance=remit,
            )
        else:
            built = statement(
                ledger, ids[0], start.date(), end.date(), style=kind, remittance=remit
            )
            chosen = format.value if format is not None else None
            out.parent.mkdir(parents=True, exist_ok=True)
            written = [write_statement(built, out, chosen)]
    where = out if batch else written[0]
    stdout.print(
        f"Wrote {len(written)} statement(s) for {start.date()} to {end.date()} "
        f"to [bold]{escape(str(where))}[/].",
        soft_wrap=True,
    )
