"""``arcore terms``: due date, discount window and installments of credit terms."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from arcore.cli import app, stdout
from arcore.money import parse_money
from arcore.plugins import plugin_manager
from arcore.terms import TermsPolicy, discount_deadline, parse_terms, schedule


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


@app.command()
def terms(
    notation: Annotated[
        str, typer.Argument(help="Credit terms, e.g. 'Net 30', '2/10 Net 30', 'Net 10th Prox'.")
    ],
    issued: Annotated[
        date,
        typer.Option("--date", parser=_iso_date, metavar="YYYY-MM-DD", help="Document date."),
    ],
    amount: Annotated[str, typer.Option(help="Document total, e.g. 1000.00 or 1,000.00.")] = "0",
    currency: Annotated[str, typer.Option(help="ISO 4217 currency of the amount.")] = "USD",
    tax: Annotated[
        str | None, typer.Option(help="Tax included in the total (for --discount-base subtotal).")
    ] = None,
    discount_base: Annotated[
        str,
        typer.Option(help="Discount on the 'total' or on the 'subtotal' (total less tax)."),
    ] = "total",
    calendar: Annotated[
        str | None,
        typer.Option(
            help="Roll due dates off weekends and holidays: 'weekends', 'US', 'US-NY', 'GB'..."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Work out the due date, discount date and discount amount of credit terms."""
    parsed = parse_terms(notation)
    total = parse_money(amount, currency, field="amount")
    if discount_base not in ("total", "subtotal"):
        raise typer.BadParameter("use 'total' or 'subtotal'", param_hint="--discount-base")
    base: Literal["total", "subtotal"] = "total" if discount_base == "total" else "subtotal"
    policy = TermsPolicy(discount_base=base, business_days=calendar is not None)
    rows = schedule(
        parsed,
        issued,
        total.quantize(),
        tax=parse_money(tax, currency, field="tax").quantize() if tax is not None else None,
        policy=policy,
        calendar=plugin_manager().business_calendar(calendar) if calendar else None,
    )
    deadline = discount_deadline(parsed, issued)
    result: dict[str, Any] = {
        "terms": str(parsed),
        "due_date": rows[-1].due_date.isoformat(),
        "discount_date": deadline.isoformat() if deadline else None,
        "discount_amount": str(rows[0].discount_amount.amount) if len(rows) == 1 else None,
        "installments": [
            {
                "due_date": row.due_date.isoformat(),
                "amount": str(row.amount.amount),
                "discount_date": row.discount_deadline.isoformat()
                if row.discount_deadline
                else None,
                "discount_amount": str(row.discount_amount.amount),
            }
            for row in rows
        ],
    }
    if as_json:
        stdout.print_json(json.dumps(result))
        return
    summary = Table(show_header=False)
    summary.add_row("Terms", result["terms"])
    summary.add_row("Document date", issued.isoformat())
    summary.add_row("Due date", result["due_date"])
    summary.add_row("Discount date", result["discount_date"] or "—")
    discount = result["discount_amount"]
    summary.add_row("Discount amount", f"{discount} {total.currency}" if discount else "—")
    stdout.print(summary)
    if len(rows) > 1:
        table = Table(title="Installments")
        for column in ("Due date", "Amount", "Discount date", "Discount"):
            table.add_column(column, justify="right")
        for item in result["installments"]:
            table.add_row(
                item["due_date"],
                item["amount"],
                item["discount_date"] or "—",
                item["discount_amount"],
            )
        stdout.print(table)
