"""The stateless mode's files: customers, open items and payments in; proposals out.

The inputs are the formats of ``arcore import`` (open_items.csv is the documents format,
its ``open_amount`` the balance to match; settled rows, with ``open_amount`` 0, tell the engine
which documents were already paid). ``proposals.csv`` has one row per proposed application,
and one row with an empty ``document_no`` for a payment with none.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from arcore.cashapp.model import OpenDocument, Proposal
from arcore.csvfiles import (
    CellError,
    Problems,
    customer_from_row,
    document_fields,
    minor_cell,
    neutralise,
    payment_fields,
    read_rows,
    restore,
    units_text,
)
from arcore.documents import Customer, Payment, PaymentMethod, RemittanceLine
from arcore.errors import InputRejectedError
from arcore.money import Money
from arcore.terms import Terms

__all__ = ["PROPOSAL_COLUMNS", "Decision", "read_decisions", "read_inputs", "write_proposals"]

PROPOSAL_COLUMNS: Final = (
    "payment_id", "status", "customer_id", "document_no", "applied_amount", "discount_amount",
    "writeoff_amount", "unapplied_amount", "confidence", "reason",
)  # fmt: skip
"""The columns of proposals.csv."""


def read_inputs(
    customers: Path, open_items: Path, payments: Path, *, company_id: str = "default"
) -> tuple[list[Customer], list[OpenDocument], list[Payment]]:
    """Read the three files, checking every row.

    Raises:
        InputRejectedError: any bad row (every one is listed).
    """
    problems = Problems()
    people: list[Customer] = []
    for number, row in read_rows(customers, "customers", problems):
        try:
            people.append(customer_from_row(row, company_id))
        except CellError as bad:
            problems.add(customers, number, bad.column, bad.value, bad.message)
    terms: dict[str, Terms] = {c.id: c.terms for c in people}
    documents: list[OpenDocument] = []
    for number, row in read_rows(open_items, "documents", problems):
        try:
            fields = document_fields(row, terms.get)
        except CellError as bad:
            problems.add(open_items, number, bad.column, bad.value, bad.message)
            continue
        if fields["kind"] == "credit_memo":
            continue  # credits are not matched against payments
        currency = fields["currency"]
        documents.append(
            OpenDocument(
                document_id=fields["id"],
                number=fields["id"],
                customer_id=fields["customer_id"],
                currency=currency,
                document_date=fields["document_date"],
                due_date=fields["due_date"],
                balance=Money.from_minor_units(fields["open"], currency),
                total=Money.from_minor_units(fields["amount"], currency),
                terms=fields["terms"] or terms.get(fields["customer_id"]),
            )
        )
    receipts: list[Payment] = []
    for number, row in read_rows(payments, "payments", problems):
        try:
            fields = payment_fields(row)
        except CellError as bad:
            problems.add(payments, number, bad.column, bad.value, bad.message)
            continue
        currency = fields["currency"]
        receipts.append(
            Payment(
                company_id=company_id,
                id=fields["id"],
                customer_id=fields["customer_id"],
                currency=currency,
                received_date=fields["received_date"],
                amount=Money.from_minor_units(fields["amount"], currency),
                method=PaymentMethod.OTHER,
                reference=fields["reference"],
                payer_name=fields["payer_name"],
                payer_account=fields["payer_account"],
                remittance=tuple(
                    RemittanceLine(document_number=doc, amount=Money(paid, currency))
                    for doc, paid in fields["remittance"]
                ),
            )
        )
    if problems.found:
        raise InputRejectedError.listing(problems.sorted())
    return people, documents, receipts


def write_proposals(proposals: Iterable[Proposal], path: Path) -> int:
    """Write proposals.csv; return the number of payments written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(PROPOSAL_COLUMNS)
        for proposal in proposals:
            count += 1
            # Ids, numbers and reasons come from bank files and exports: text a spreadsheet
            # would run as a formula is neutralised.
            common = [
                neutralise(proposal.payment_id),
                proposal.status.value,
                neutralise(proposal.customer_id or ""),
            ]
            tail = [
                _amount(proposal.unapplied),
                f"{proposal.confidence:.4f}",
                neutralise(proposal.reason),
            ]
            if not proposal.applications:
                writer.writerow([*common, "", "", "", "", *tail])
            for application in proposal.applications:
                writer.writerow(
                    [
                        *common,
                        neutralise(application.number),
                        _amount(application.amount),
                        _amount(application.discount),
                        _amount(application.write_off),
                        *tail,
                    ]
                )
    return count


def _amount(money: Money) -> str:
    return units_text(money.to_minor_units(), money.currency)


@dataclass(frozen=True)
class Decision:
    """One application a person confirmed: a row of a (reviewed) proposals.csv."""

    payment_id: str
    document_no: str
    amount: Money
    discount: Money
    write_off: Money


def read_decisions(
    path: Path, currency_of: Callable[[str], str | None]
) -> dict[str, list[Decision]]:
    """Read a proposals.csv a person reviewed: the rows they kept, by payment.

    Only ``payment_id``, ``document_no`` and ``applied_amount`` are needed (``discount_amount``
    and ``writeoff_amount`` may be empty); rows without a document are skipped. Amounts are
    in the currency of the payment, which ``currency_of`` gives (``None``: unknown payment).

    Raises:
        InputRejectedError: any bad row (every one is listed).
    """
    problems = Problems()
    found: dict[str, list[Decision]] = {}
    for number, row in read_rows(path, "proposals", problems):
        payment_id = restore((row.get("payment_id") or "").strip())
        document_no = restore((row.get("document_no") or "").strip())
        if not document_no:
            continue
        currency = currency_of(payment_id)
        if currency is None:
            problems.add(path, number, "payment_id", payment_id, "no such payment in the books")
            continue
        try:
            amounts = [
                Money.from_minor_units(
                    minor_cell(row, column, currency, required=required, zero=True) or 0,
                    currency,
                )
                for column, required in (
                    ("applied_amount", True),
                    ("discount_amount", False),
                    ("writeoff_amount", False),
                )
            ]
        except CellError as bad:
            problems.add(path, number, bad.column, bad.value, bad.message)
            continue
        found.setdefault(payment_id, []).append(Decision(payment_id, document_no, *amounts))
    if problems.found:
        raise InputRejectedError.listing(problems.sorted())
    return found
