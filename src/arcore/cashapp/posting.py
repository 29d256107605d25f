"""From proposals to the ledger: post what was accepted, learn who paid, read open items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from arcore.cashapp.model import OpenDocument, Proposal, Proposed
from arcore.cashapp.payers import PayerMemory
from arcore.documents import DebitMemo, Invoice, Payment
from arcore.errors import ValidationError
from arcore.ledger import Ledger, Posted

__all__ = ["confirm", "open_documents", "post_applications", "post_proposal"]


def post_proposal(
    ledger: Ledger, proposal: Proposal, *, actor: str, on: date | None = None
) -> list[Posted]:
    """Post an accepted proposal: one ledger ``apply`` per application, with its discount.

    Each application's idempotency key is ``cashapp:{payment}:{document}``, so posting the
    same proposal twice changes nothing. ``on`` defaults to the payment's received date.
    A misapplied payment is corrected afterwards with the ledger's ``unapply`` and
    ``reapply_to``.
    """
    return post_applications(
        ledger,
        proposal.payment_id,
        proposal.applications,
        actor=actor,
        reason=f"cash application ({proposal.strategy}): {proposal.reason}",
        on=on,
    )


def post_applications(
    ledger: Ledger,
    payment_id: str,
    applications: Iterable[Proposed],
    *,
    actor: str,
    reason: str,
    on: date | None = None,
) -> list[Posted]:
    """Apply a payment to documents as ``applications`` say (a person's decision, say).

    The same idempotency keys as [`post_proposal`][arcore.cashapp.post_proposal]: posting
    a decision for a document the payment was already applied to changes nothing.
    """
    payment = ledger.document(payment_id)
    if not isinstance(payment, Payment):
        raise ValidationError(
            f"{payment_id} is a {payment.kind}, not a payment",
            hint="Give the id of a payment",
            field="payment_id",
            value=payment_id,
        )
    applied_on = on or payment.received_date
    return [
        ledger.apply(
            payment_id,
            application.document_id,
            application.amount,
            on=applied_on,
            discount=application.discount,
            write_off=application.write_off,
            actor=actor,
            reason=reason,
            idempotency_key=f"cashapp:{payment_id}:{application.document_id}",
        )
        for application in applications
    ]


def confirm(memory: PayerMemory, proposal: Proposal, payment: Payment) -> None:
    """A person confirmed ``proposal``: remember the payer account and name for its customer."""
    if proposal.customer_id is not None:
        memory.learn(
            proposal.customer_id,
            payer_account=payment.payer_account,
            payer_name=payment.payer_name,
        )


def open_documents(ledger: Ledger, *, as_of: date | None = None) -> list[OpenDocument]:
    """The ledger's open invoices and debit memos, as the engine reads them."""
    items = [
        item
        for item in ledger.open_items(as_of=as_of)
        if item.kind in ("invoice", "debit_memo") and item.customer_id is not None
    ]
    documents = ledger.documents([item.document_id for item in items])
    found = []
    for item in items:
        document = documents[item.document_id]
        assert isinstance(document, Invoice | DebitMemo)
        assert item.customer_id is not None
        found.append(
            OpenDocument(
                document_id=item.document_id,
                number=document.number,
                customer_id=item.customer_id,
                currency=item.currency,
                document_date=item.document_date,
                due_date=item.due_date,
                balance=item.balance,
                total=item.total,
                tax=document.tax_total if isinstance(document, Invoice) else None,
                terms=document.terms,
                disputed=item.disputed,
            )
        )
    return found
