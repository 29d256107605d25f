"""``arcore match``: propose how payments settle open items, from files or from the books."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import track
from rich.table import Table

from arcore.cashapp import (
    MatchConfig,
    MatchStatus,
    OpenDocument,
    PayerMemory,
    Proposal,
    Proposed,
    Strategy,
    iter_matches,
    open_documents,
    post_applications,
    post_proposal,
    strategies_from,
)
from arcore.cashapp.files import read_decisions, read_inputs, write_proposals
from arcore.cli import app, stderr, stdout
from arcore.documents import Customer, DebitMemo, Invoice, Payment
from arcore.errors import NotFoundError, ValidationError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.plugins import plugin_manager
from arcore.store import open_store
from arcore.store.payers import load_payer_memory, remember_payer

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
    From the books: the unapplied payments and open items of --company, with the payers
    people confirmed (arcore confirm); --post applies the proposals at or above the
    threshold.
    """
    config = MatchConfig(threshold=threshold)
    strategies = strategies_from(plugin_manager().matching_strategies())
    if url is None:
        if customers is None or open_items is None or payments is None:
            raise typer.BadParameter(
                "give --customers, --open-items and --payments, or --db to match from the books"
            )
        people, documents, receipts = read_inputs(customers, open_items, payments)
        proposals = _matched(receipts, documents, people, config, strategies, None)
    else:
        with open_store(url) as store:
            ledger = Ledger(store, company)
            receipts = _unapplied_payments(ledger)
            proposals = _matched(
                receipts,
                open_documents(ledger),
                ledger.customers(),
                config,
                strategies,
                load_payer_memory(store, company),
            )
            if post:
                chosen = [p for p in proposals if p.status is MatchStatus.AUTO]
                for proposal in track(
                    chosen, description="Posting", console=stderr, transient=True
                ):
                    post_proposal(ledger, proposal, actor="arcore match")
    if out is not None:
        write_proposals(proposals, out)
    _summary(proposals, out, posted=post and url is not None)


def _matched(
    receipts: list[Payment],
    documents: list[OpenDocument],
    people: list[Customer],
    config: MatchConfig,
    strategies: list[Strategy],
    memory: PayerMemory | None,
) -> list[Proposal]:
    """Match with a progress bar (on standard error, gone when done)."""
    return list(
        track(
            iter_matches(
                receipts, documents, people, config=config, strategies=strategies, memory=memory
            ),
            total=len(receipts),
            description="Matching",
            console=stderr,
            transient=True,
        )
    )


@app.command("confirm")
def confirm_(
    proposals: Annotated[
        Path, typer.Argument(help="proposals.csv as reviewed: the rows to post", **_CSV)
    ],
    url: Annotated[str, typer.Option("--db", envvar="ARCORE_DB", metavar="URL")],
    company: Annotated[str, typer.Option(envvar="ARCORE_COMPANY")] = "default",
    payment: Annotated[
        list[str] | None,
        typer.Option("--payment", help="Post only this payment's rows (repeatable)."),
    ] = None,
    learn: Annotated[
        bool, typer.Option(help="Remember the payer's account and name for the customer.")
    ] = True,
    actor: Annotated[str, typer.Option(help="Who confirms (kept in the journal).")] = (
        "arcore confirm"
    ),
) -> None:
    """Post the applications a person confirmed in a reviewed proposals.csv.

    Keep (or correct) the rows of the payments you accept, then confirm them: each row is
    applied through the ledger (safe to repeat), and the payer's account and name are
    remembered for the customer, so arcore match identifies them next time.
    """
    with open_store(url) as store:
        ledger = Ledger(store, company)
        payments: dict[str, Payment] = {}

        def currency_of(payment_id: str) -> str | None:
            try:
                found = ledger.document(payment_id)
            except NotFoundError:
                return None
            if not isinstance(found, Payment):
                return None
            payments[payment_id] = found
            return found.currency

        decisions = read_decisions(proposals, currency_of)
        chosen = payment or list(decisions)
        numbers = {d.number: d for d in open_documents(ledger)}
        table = Table(title="Confirmed")
        for column in ("payment", "customer", "documents", "applied"):
            table.add_column(column, justify="right" if column == "applied" else "left")
        for payment_id in chosen:
            rows = decisions.get(payment_id)
            if not rows:
                raise ValidationError(
                    f"{proposals} has no application for payment {payment_id}",
                    hint="Keep a row with a document_no for each payment you confirm",
                    file=proposals,
                    field="payment_id",
                    value=payment_id,
                )
            applications = []
            for row in rows:
                document = numbers.get(row.document_no) or _settled(ledger, row.document_no)
                if document is None:
                    raise NotFoundError(
                        f"{row.document_no} is not an open invoice or debit memo",
                        hint="Check the document number; settled documents take nothing more",
                        file=proposals,
                        field="document_no",
                        value=row.document_no,
                    )
                owner = document.customer_id
                applications.append(
                    Proposed(
                        document_id=document.document_id,
                        number=document.number,
                        amount=row.amount,
                        discount=row.discount,
                        write_off=row.write_off,
                    )
                )
            post_applications(
                ledger,
                payment_id,
                applications,
                actor=actor,
                reason=f"cash application confirmed by {actor} from {proposals.name}",
            )
            customer_id = owner
            received = payments[payment_id]
            if learn:
                remember_payer(
                    store,
                    company,
                    customer_id,
                    payer_account=received.payer_account,
                    payer_name=received.payer_name,
                    actor=actor,
                    at=ledger.clock(),
                )
            applied = sum((a.amount for a in applications), Money.zero(received.currency))
            table.add_row(
                payment_id,
                customer_id,
                ", ".join(a.number for a in applications),
                f"{applied.amount:,} {applied.currency}",
            )
    stdout.print(table)


def _settled(ledger: Ledger, document_id: str) -> OpenDocument | None:
    """A document no longer open, by id (confirming twice finds it settled by the first)."""
    try:
        document = ledger.document(document_id)
    except NotFoundError:
        return None
    if not isinstance(document, Invoice | DebitMemo):
        return None
    return OpenDocument(
        document_id=document.id,
        number=document.number,
        customer_id=document.customer_id,
        currency=document.currency,
        document_date=document.document_date,
        balance=Money.zero(document.currency),
        total=document.total,
    )


def _unapplied_payments(ledger: Ledger) -> list[Payment]:
    """The payments with money left to apply, each for what is left."""
    items = [item for item in ledger.open_items() if item.kind == "payment"]
    payments = ledger.documents([item.document_id for item in items])
    found = []
    for item in items:
        payment = payments[item.document_id]
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
