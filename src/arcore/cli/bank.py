"""``arcore bank import`` and ``arcore deposits verify``: statements in, deposits checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from arcore.banking import FORMATS, read_statements
from arcore.banking.deposits import payments_from_credits, reconcile, verify
from arcore.cli import app, stdout
from arcore.cli.store import StoreUrl
from arcore.ledger import Ledger
from arcore.store import DEFAULT_URL, open_store
from arcore.store.bank import mark_lines, open_lines, save_statements

bank = typer.Typer(help="Bank statements.", no_args_is_help=True)
deposits = typer.Typer(help="Deposit verification.", no_args_is_help=True)
app.add_typer(bank, name="bank")
app.add_typer(deposits, name="deposits")

Company = Annotated[str, typer.Option("--company", envvar="ARCORE_COMPANY", help="Whose books.")]


@bank.command("import")
def import_statement(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    url: StoreUrl = DEFAULT_URL,
    company: Company = "default",
    format: Annotated[
        str, typer.Option(help=f"auto or one of: {', '.join(sorted(FORMATS))}.")
    ] = "auto",
) -> None:
    """Import a bank statement file (camt.053, BAI2, MT940, OFX); safe to repeat."""
    statements = read_statements(file, format)
    with open_store(url) as store:
        added, known = save_statements(store, company, statements)
    lines = sum(len(s.transactions) for s in statements)
    stdout.print(
        f"{escape(file.name)}: {len(statements)} statement(s), {lines} lines; "
        f"{added} new, {known} already imported.",
        soft_wrap=True,
    )


@deposits.command("verify")
def verify_deposits(
    on: Annotated[str, typer.Option("--date", help="Verify up to this date (YYYY-MM-DD).")],
    url: StoreUrl = DEFAULT_URL,
    company: Company = "default",
) -> None:
    """Match receipts in undeposited funds to bank credits up to --date, and post them.

    Credits no receipt explains are recorded as payments (already at the bank), for
    arcore match to apply.
    """
    through = date.fromisoformat(on)
    with open_store(url) as store:
        ledger = Ledger(store, company)
        lines = open_lines(store, company, through=through)
        by_key = {line.bank_reference: line_id for line_id, line in lines}
        receipts = [r for r in ledger.undeposited_receipts() if r.received_date <= through]
        report = reconcile(receipts, [line for _, line in lines])
        verify(ledger, report, actor="arcore deposits verify")
        mark_lines(
            store, company, [by_key[m.credit.bank_reference] for m in report.matches], "matched"
        )
        recorded = payments_from_credits(report.unmatched_credits, company_id=company)
        for payment, credit in zip(recorded, report.unmatched_credits, strict=True):
            ledger.record_payment(
                payment, actor="arcore deposits verify", idempotency_key=f"bank:{payment.id}"
            )
            ledger.verify_deposit(
                [payment.id],
                on=credit.booking_date,
                bank_reference=credit.bank_reference,
                actor="arcore deposits verify",
                idempotency_key=f"deposit:{credit.bank_reference}",
            )
        mark_lines(
            store, company, [by_key[c.bank_reference] for c in report.unmatched_credits], "recorded"
        )
    table = Table(title=f"Deposits through {through}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("bank credits matched to receipts", f"{len(report.matches):,}")
    table.add_row("bank credits recorded as new payments", f"{len(recorded):,}")
    table.add_row("receipts not yet seen at the bank", f"{len(report.unmatched_receipts):,}")
    stdout.print(table)
    for receipt_id in report.unmatched_receipts:
        stdout.print(f"  waiting: {escape(receipt_id)}")
