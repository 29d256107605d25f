"""Xero ``CreditNote`` (``ACCRECCREDIT``) and allocations ⇄ arcore credit memo, applications.

The arcore side is a [`CreditMemo`][arcore.documents.CreditMemo] and its applications.

| Xero | arcore |
| --- | --- |
| ``CreditNoteID`` | ``id`` (a Xero id) |
| ``CreditNoteNumber`` (else the id), ``Date`` | ``number``, ``document_date`` |
| ``Contact.ContactID``, ``CurrencyCode`` | ``customer_id``, ``currency`` |
| ``Total`` | ``amount`` (tax included) |
| ``TotalTax`` | ``tax`` |
| ``Status`` with ``RemainingCredit`` against ``Total`` | ``status`` (as for invoices) |
| ``Status`` ``DELETED`` | a deleted record |
| ``Reference`` | ``memo`` |
| the single line's ``Description`` (when not the number) | ``reason`` |
| ``Allocations[]`` (``Invoice.InvoiceID``, ``Amount``; live) | ``Record.applications`` |

Unlike QuickBooks, Xero lists on the credit note what it was applied to (its allocations), so
a credit memo's applications travel on its own record, and applying it is a call on the credit
note itself (``PUT /CreditNotes/{id}/Allocations``).

Writing, the credit becomes one line of ``amount - tax`` with ``TaxAmount`` ``tax``, on the
configured sales account and tax type, ``LineAmountTypes`` ``Exclusive``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from arcore.adapter import Applied, Record
from arcore.documents import CreditMemo
from arcore.money import Money
from arcore_xero.mapping.common import (
    MappingContext,
    XeroMappingError,
    as_money,
    enum_text,
    version_of,
    wire_amount,
)
from arcore_xero.mapping.invoices import document_status, xero_status

__all__ = [
    "allocations_of",
    "credit_note_to_record",
    "record_to_allocations",
    "record_to_credit_note",
]


def allocations_of(obj: Any, currency: str) -> tuple[Applied, ...]:
    """The invoices a Xero credit note is allocated to (deleted allocations left out)."""
    applied = []
    for allocation in obj.allocations or []:
        if allocation.is_deleted:
            continue
        invoice = allocation.invoice
        invoice_id = getattr(invoice, "invoice_id", None) if invoice is not None else None
        amount = as_money(allocation.amount, currency, "Allocations.Amount")
        if invoice_id and amount:
            applied.append(Applied(target_id=str(invoice_id), target="invoice", amount=amount))
    return tuple(applied)


def _reason(obj: Any, number: str) -> str:
    items = obj.line_items or []
    if len(items) != 1:
        return ""
    description = str(items[0].description or "").strip()
    return "" if description in (number, "-") else description


def credit_note_to_record(obj: Any, context: MappingContext) -> Record:
    """A xero-python ``CreditNote`` (``ACCRECCREDIT``) as a ``credit_memo`` record.

    Raises:
        XeroMappingError: not a sales credit note, or without date, contact or amount.
    """
    note_id = str(obj.credit_note_id)
    version = version_of(obj.updated_date_utc)
    kind = enum_text(obj.type)
    if kind and kind != "ACCRECCREDIT":
        raise XeroMappingError(
            f"credit note {note_id} is a {kind}, not a sales credit note (ACCRECCREDIT)",
            field="Type",
            value=kind,
        )
    status = enum_text(obj.status)
    if status == "DELETED":
        return Record(
            entity="credit_memo",
            external_id=note_id,
            version=version,
            updated_at=obj.updated_date_utc,
            deleted=True,
        )
    currency = enum_text(obj.currency_code) or context.home_currency
    contact_id = getattr(obj.contact, "contact_id", None) if obj.contact is not None else None
    if obj.date is None or not contact_id:
        raise XeroMappingError(
            f"credit note {note_id} has no Date or Contact.ContactID", field="Date"
        )
    amount = as_money(obj.total, currency, "Total")
    if amount.amount <= 0:
        raise XeroMappingError(
            f"credit note {note_id} has a Total of {amount}", field="Total", value=str(amount)
        )
    number = str(obj.credit_note_number or note_id)
    memo = CreditMemo(
        company_id=context.company_id,
        id=note_id,
        external_ids={"xero": note_id},
        currency=currency,
        customer_id=str(contact_id),
        number=number,
        document_date=obj.date,
        amount=amount,
        tax=as_money(obj.total_tax, currency, "TotalTax"),
        memo=str(obj.reference or ""),
        reason=_reason(obj, number),
    )
    if status == "PAID":
        remaining = Money.zero(currency)
    elif obj.remaining_credit is None:
        remaining = amount
    else:
        remaining = as_money(obj.remaining_credit, currency, "RemainingCredit")
    return Record(
        entity="credit_memo",
        external_id=note_id,
        version=version,
        updated_at=obj.updated_date_utc,
        document=memo.model_copy(update={"status": document_status(status, remaining, amount)}),
        applications=allocations_of(obj, currency),
    )


def record_to_credit_note(record: Record, context: MappingContext) -> Any:
    """The xero-python ``CreditNote`` to send for a ``credit_memo`` record (no allocations)."""
    from xero_python.accounting.models import Contact, CurrencyCode, LineAmountTypes, LineItem
    from xero_python.accounting.models import CreditNote as XeroCreditNote

    memo = record.document
    if not isinstance(memo, CreditMemo):
        raise XeroMappingError("a credit memo record must hold a CreditMemo", field="document")
    net = memo.subtotal
    line = LineItem(
        description=memo.reason or memo.number,
        quantity=1,
        unit_amount=wire_amount(net, "amount"),
        line_amount=wire_amount(net, "amount"),
        account_code=context.sales_account_code,
        tax_type=context.tax_type if memo.tax else context.no_tax_type,
        tax_amount=wire_amount(memo.tax, "tax"),
    )
    body = XeroCreditNote(
        type="ACCRECCREDIT",
        contact=Contact(contact_id=memo.customer_id),
        credit_note_number=memo.number,
        reference=memo.memo,
        date=memo.document_date,
        currency_code=CurrencyCode(memo.currency),
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=[line],
        status=xero_status(memo.status),
    )
    if record.external_id is not None:
        body.credit_note_id = record.external_id
    return body


def record_to_allocations(applications: Sequence[Applied], on: date) -> Any:
    """The xero-python ``Allocations`` to apply a credit note to invoices on ``on``."""
    from xero_python.accounting.models import Allocation, Allocations, Invoice

    allocations = []
    for number, applied in enumerate(applications, 1):
        if applied.target != "invoice":
            raise XeroMappingError(
                f"Xero allocates credit notes to invoices, not to a {applied.target}",
                field=f"applications[{number}].target",
                value=applied.target,
            )
        allocations.append(
            Allocation(
                invoice=Invoice(invoice_id=applied.target_id),
                amount=wire_amount(applied.amount, f"applications[{number}].amount"),
                date=on,
            )
        )
    return Allocations(allocations=allocations)
