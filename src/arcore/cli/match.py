"""``arcore match``: propose how payments settle open items, from files or from the books."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from arcore.cashapp import (
    MatchConfig,
    MatchStatus,
    Proposal,
    match,
    open_documents,
    post_proposal,
    strategies_from,
)
from arcore.cashapp.files import read_inputs, write_proposals
from arcore.cli import app, stdout
from arcore.documents import Payment
from arcore.ledger import Ledger
from arcore.plugins import plugin_manager
from arcore.store import open_store

_CSV = {"dir_okay": False, "exists": True, "readable": True, "metavar": "CSV"}


@app.command("match")
def match_(
    customers: Annotated[Path | None, typer.Option(help="customers.csv", **_CSV)] = None,
    open_items: Annotated[
        Path | None, typer.Option(help="open_items.csv (documents format)", **_CSV)
    ] = None,
    payments: Annotated[Path | None, typer.Option(help="payments.csv", **_CSV)] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write proposals.csv here.", dir_okay=False)
    ] = None,
    threshold: Annotated[
        float, typer.Option(min=0, max=1, help="Confidence at or above which to apply.")
    ] = 0.9,
    url: Annotated[str | None, typer.Option("--db", envvar="ARCORE_DB", metavar="URL")] = None,
    company: Annotated[str, typer.Option(envvar="ARCORE_COMPANY")] = "default",
    post: Annotated[
        bool, typer.Option(help="With --db: post the auto proposals through the ledger.")
    ] = False,
) -> None:
    """Match payments to open items: from CSV files (stateless) or from the books (--db).

    From files: --customers, --open-items and --payments, in the formats of arcore import.
    From the books: the unapplied payments and open items of --company; --post applies the
    proposals at or above the threshold.
    """
    config = MatchConfig(threshold=threshold)
    strategies = strategies_from(plugin_manager().matching_strategies())
    if url is None:
        if customers is None or open_items is None or payments is None:
            raise typer.BadParameter(
                "give --customers, --open-items and --payments, or --db to match from the books"
            )
        people, documents, receipts = read_inputs(customers, open_items, payments)
        proposals = match(receipts, documents, people, config=config, strategies=strategies)
    else:
        with open_store(url) as store:
            ledger = Ledger(store, company)
            receipts = _unapplied_payments(ledger)
            people = ledger.customers()
            proposals = match(
                receipts, open_documents(ledger), people, config=config, strategies=strategies
            )
            if post:
                for proposal in proposals:
                    if proposal.status is MatchStatus.AUTO:
                        post_proposal(ledger, proposal, actor="arcore match")
    if out is not None:
        write_proposals(proposals, out)
    _summary(proposals, out, posted=post and url is not None)


def _unapplied_payments(ledger: Ledger) -> list[Payment]:
    """The payments with money left to apply, each for what is left."""
    found = []
    for item in ledger.open_items():
        if item.kind != "payment":
            continue
        payment = ledger.document(item.document_id)
        assert isinstance(payment, Payment)
        found.append(payment.model_copy(update={"amount": -item.balance}))
    return found


def _summary(proposals: list[Proposal], out: Path | None, *, posted: bool) -> None:
    counts = dict.fromkeys(MatchStatus, 0)
    for proposal in proposals:
        counts[proposal.status] += 1
    table = Table(title="Cash application")
    for column in ("status", "payments"):
        table.add_column(column, justify="left" if column == "status" else "right")
    for status, count in counts.items():
        label = (
            f"{status.value} (posted)" if posted and status is MatchStatus.AUTO else status.value
        )
        table.add_row(label, f"{count:,}")
    stdout.print(table)
    if out is not None:
        stdout.print(f"Proposals written to [bold]{escape(str(out))}[/].")
