"""``arcore aging`` and ``arcore kpis``: from the books (--db) or from CSV files."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from arcore.cli import app, stdout
from arcore.errors import ValidationError
from arcore.ledger import Ledger
from arcore.reports import (
    AgingBasis,
    AgingReport,
    KpiReport,
    Kpis,
    aging_from_csv,
    aging_from_store,
    check_targets,
    in_currency,
    kpis_from_csv,
    kpis_from_store,
)
from arcore.reports.chart import aging_chart
from arcore.reports.exports import (
    aging_table,
    cell_text,
    journal_table,
    open_items_table,
    write_table,
)
from arcore.reports.kpis import KPI_KEYS
from arcore.store import open_store

_CSV: dict[str, Any] = {"dir_okay": False, "exists": True, "readable": True, "metavar": "CSV"}
_DAY: dict[str, Any] = {"formats": ["%Y-%m-%d"], "metavar": "YYYY-MM-DD"}

Url = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="ARCORE_DB",
        metavar="URL",
        help="The store: sqlite:///path/to/arcore.db or postgresql+psycopg://user@host/db.",
    ),
]
Company = Annotated[
    str, typer.Option("--company", envvar="ARCORE_COMPANY", help="Whose books (with --db).")
]
Documents = Annotated[
    Path | None, typer.Option("--documents", help="documents.csv (instead of --db)", **_CSV)
]
Applications = Annotated[
    Path | None, typer.Option("--applications", help="applications.csv (with --documents)", **_CSV)
]
Customers = Annotated[
    Path | None,
    typer.Option(
        "--customers", help="customers.csv: terms for documents without a due date.", **_CSV
    ),
]
Currency = Annotated[
    str | None,
    typer.Option("--currency", metavar="CODE", help="Only this currency (ISO 4217 code)."),
]


def _from_files(ctx: typer.Context, url: str | None, documents: Path | None) -> bool:
    """Whether to read files (``--documents``) rather than the store (``--db``).

    ``--db`` set only by ``ARCORE_DB`` gives way to ``--documents`` on the command line.
    """
    db_source = ctx.get_parameter_source("url")
    if documents is not None:
        if url is not None and db_source is not None and db_source.name == "COMMANDLINE":
            raise typer.BadParameter("give --db or --documents, not both")
        return True
    if url is None:
        raise typer.BadParameter("give --db URL (or ARCORE_DB), or --documents documents.csv")
    return False


def _edges(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValidationError(
            f"bucket edges must be whole numbers of days, not {text!r}",
            hint="Give edges such as 30,60,90",
            field="buckets",
            value=text,
        ) from None


@app.command("aging")
def aging_(
    ctx: typer.Context,
    as_of: Annotated[
        datetime, typer.Option("--as-of", help="Age the balances as of this date.", **_DAY)
    ],
    url: Url = None,
    documents: Documents = None,
    applications: Applications = None,
    customers: Customers = None,
    by: Annotated[
        AgingBasis, typer.Option("--by", help="Count days from the due date or document date.")
    ] = AgingBasis.DUE,
    buckets: Annotated[
        str, typer.Option("--buckets", metavar="EDGES", help="Bucket edges in days.")
    ] = "30,60,90",
    currency: Currency = None,
    company: Company = "default",
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write the aging to a .csv, .xlsx or .json."),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", dir_okay=False, help="Also draw the totals as a PNG bar chart."),
    ] = None,
) -> None:
    """Age open balances as of a date: per customer, in buckets of days past due.

    From the books (--db, --company) or from CSV files in the import formats
    (--documents, optional --applications; without applications a document's open_amount,
    or its amount, is its balance). One row per customer with anything open, by customer
    id, then TOTAL. With several currencies and no --currency, a currency column is added
    and each currency has its own TOTAL: currencies are never added together.
    """
    day = as_of.date()
    edges = _edges(buckets)
    if _from_files(ctx, url, documents):
        assert documents is not None
        report = aging_from_csv(
            documents, applications, as_of=day, basis=by, edges=edges, customers=customers
        )
    else:
        assert url is not None
        with open_store(url) as store:
            report = aging_from_store(store, company, day, basis=by, edges=edges)
    if currency is not None:
        report = in_currency(report, currency)
    if chart is not None:
        aging_chart(report, chart, currency=currency)
        stdout.print(f"Chart drawn in [bold]{escape(str(chart))}[/].", soft_wrap=True)
    header, rows = aging_table(report)
    if out is not None:
        write_table(out, header, rows)
        stdout.print(f"Aging written to [bold]{escape(str(out))}[/].", soft_wrap=True)
        return
    _print_aging(report, header, list(rows))


def _print_aging(report: AgingReport, header: tuple[str, ...], rows: list[Any]) -> None:
    basis = "due date" if report.basis is AgingBasis.DUE else "document date"
    table = Table(title=f"Aging as of {report.as_of.isoformat()} (by {basis})")
    texts = [
        ["unidentified" if customer_id is None else customer_id, *map(cell_text, cells)]
        for customer_id, *cells in rows
    ]
    widths = []
    for index, column in enumerate(header):
        widest = max(len(column), *(len(row[index]) for row in texts))
        widths.append(min(widest, 12) if index == 0 else widest)
        if column in ("customer_id", "currency"):  # long ids fold onto a second line
            table.add_column(column, overflow="fold", min_width=widths[-1])
        else:  # amounts are never cut short: the column is as wide as its widest amount
            table.add_column(column, justify="right", no_wrap=True, min_width=widest)
    for row in texts:
        table.add_row(*map(escape, row), style="bold" if row[0] == "TOTAL" else None)
    # Wider than the terminal rather than an amount cut short.
    terminal = stdout.width
    stdout.width = max(terminal, sum(widths) + 3 * len(widths) + 1)
    try:
        stdout.print(table, crop=False)
    finally:
        stdout.width = terminal


@app.command("kpis")
def kpis_(
    ctx: typer.Context,
    start: Annotated[datetime, typer.Option("--from", help="First day of the period.", **_DAY)],
    end: Annotated[
        datetime, typer.Option("--to", help="Last day of the period (included).", **_DAY)
    ],
    url: Url = None,
    documents: Documents = None,
    applications: Applications = None,
    customers: Customers = None,
    currency: Currency = None,
    company: Company = "default",
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write the KPIs to a .json (or .csv, .xlsx)."),
    ] = None,
) -> None:
    """Collection KPIs for a period: DSO, count-back DSO, CEI, past-due shares, turnover...

    Overall figures of one currency: with several currencies give --currency (amounts of
    different currencies are never added). The JSON has the keys dso, countback_dso,
    best_possible_dso, add, cei, past_due_pct, past_due_over_20_pct, over_90_amount,
    bad_debt_ratio, turnover, avg_days_to_pay, avg_days_late: decimal strings, null where
    the formula divides by zero.
    """
    first, last = start.date(), end.date()
    if _from_files(ctx, url, documents):
        assert documents is not None
        report = kpis_from_csv(documents, applications, start=first, end=last, customers=customers)
    else:
        assert url is not None
        with open_store(url) as store:
            report = kpis_from_store(store, company, first, last)
    chosen, kpis = _one_currency(report, currency)
    values: dict[str, str | None] = {
        key: None if kpis is None else _json_value(getattr(kpis, key)) for key in KPI_KEYS
    }
    if out is not None:
        if out.suffix.lower() == ".json":
            out.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
        else:
            write_table(out, KPI_KEYS, [[values[key] for key in KPI_KEYS]])
        stdout.print(f"KPIs written to [bold]{escape(str(out))}[/].", soft_wrap=True)
        return
    _print_kpis(report, chosen, values, kpis)


def _one_currency(report: KpiReport, currency: str | None) -> tuple[str | None, Kpis | None]:
    if currency is not None:
        code = currency.strip().upper()
        return code, report.overall.get(code)
    found = sorted(report.overall)
    if len(found) > 1:
        raise ValidationError(
            f"the period has {len(found)} currencies ({', '.join(found)}); KPIs of different "
            "currencies are never added together",
            hint="Choose one with --currency",
            field="currency",
            value=None,
        )
    return (found[0], report.overall[found[0]]) if found else (None, None)


def _json_value(value: object) -> str | None:
    return None if value is None else cell_text(value)


def _print_kpis(
    report: KpiReport, currency: str | None, values: dict[str, str | None], kpis: Kpis | None
) -> None:
    period = f"{report.start.isoformat()} to {report.end.isoformat()}"
    table = Table(title=f"KPIs {period}" + (f" ({currency})" if currency else ""))
    table.add_column("kpi")
    table.add_column("value", justify="right")
    for key in KPI_KEYS:
        table.add_row(key, values[key] if values[key] is not None else "—")
    stdout.print(table)
    if kpis is None:
        return
    targets = Table(title="Targets")
    targets.add_column("target")
    targets.add_column("result")
    for result in check_targets(kpis):
        verdict = {True: "[green]pass[/]", False: "[red]fail[/]", None: "—"}[result.passed]
        targets.add_row(escape(result.target.label), verdict)
    stdout.print(targets)


export = typer.Typer(help="Export the books' open items or journal.", no_args_is_help=True)
app.add_typer(export, name="export")

Out = Annotated[Path, typer.Option("--out", dir_okay=False, help="A .csv, .xlsx or .json file.")]
Customer = Annotated[str | None, typer.Option("--customer", metavar="ID", help="Only this one.")]


@export.command("open-items")
def export_open_items(
    out: Out,
    url: Url = None,
    company: Company = "default",
    as_of: Annotated[
        datetime | None, typer.Option("--as-of", help="Balances as of this date.", **_DAY)
    ] = None,
    customer: Customer = None,
) -> None:
    """Write every open item (credits negative) as of a date to a spreadsheet or JSON."""
    with open_store(_store_url(url)) as store:
        items = Ledger(store, company).open_items(
            customer_id=customer, as_of=None if as_of is None else as_of.date()
        )
    write_table(out, *open_items_table(items))
    stdout.print(f"{len(items):,} open items written to [bold]{escape(str(out))}[/].")


@export.command("journal")
def export_journal(
    out: Out,
    url: Url = None,
    company: Company = "default",
    start: Annotated[
        datetime | None, typer.Option("--from", help="First entry date.", **_DAY)
    ] = None,
    end: Annotated[datetime | None, typer.Option("--to", help="Last entry date.", **_DAY)] = None,
    customer: Customer = None,
) -> None:
    """Write the journal, one row per posting line, to a spreadsheet or JSON (streamed)."""
    with open_store(_store_url(url)) as store:
        entries = Ledger(store, company).journal(
            customer_id=customer,
            start=None if start is None else start.date(),
            end=None if end is None else end.date(),
        )
        write_table(out, *journal_table(entries))
    stdout.print(f"Journal written to [bold]{escape(str(out))}[/].")


def _store_url(url: str | None) -> str:
    if url is None:
        raise typer.BadParameter("give --db URL (or ARCORE_DB)")
    return url
