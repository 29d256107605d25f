"""QuickBooks ``Payment`` ⇄ arcore [`Payment`][arcore.documents.Payment] and its applications.

| QuickBooks | arcore |
| --- | --- |
| ``TotalAmt``, ``CurrencyRef`` | ``amount``, ``currency`` |
| ``TxnDate`` | ``received_date`` |
| ``PaymentRefNum`` | ``reference`` |
| ``CustomerRef`` | ``customer_id`` |
| ``PrivateNote`` | ``memo`` |
| ``UnappliedAmt`` against ``TotalAmt`` | ``status`` issued / partially / fully applied |
| ``Line[].LinkedTxn`` ``TxnType: Invoice`` with ``Line.Amount`` | ``Record.applications`` |

A line linked to a ``CreditMemo`` is the credit memo's application, not the payment's: such
a line is not listed in the payment's ``applications``. A payment with a zero ``TotalAmt``
(QuickBooks' way to apply a credit memo to an invoice, or a voided payment) cannot be an
arcore ``Payment`` (its amount must be positive): it becomes a record without a document that
still lists its invoice applications.
"""

from __future__ import annotations

from arcore.adapter import Applied, Record
from arcore.documents import Payment, PaymentMethod
from arcore_quickbooks.mapping.common import (
    JSON,
    MappingContext,
    QuickBooksMappingError,
    as_date,
    as_money,
    currency_of,
    ref,
    ref_value,
    sync_token,
    updated_at,
)
from arcore_quickbooks.mapping.invoices import status_from_balance

__all__ = ["application_lines", "applications_of", "payment_to_record", "record_to_payment"]


def applications_of(obj: JSON, currency: str) -> tuple[Applied, ...]:
    """The invoices a QuickBooks ``Payment`` pays, from its lines' ``LinkedTxn``."""
    applied = []
    for line in obj.get("Line") or []:
        amount = as_money(line.get("Amount") or 0, currency, "Line.Amount")
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "Invoice" and amount:
                applied.append(Applied(target_id=str(linked["TxnId"]), amount=amount))
    return tuple(applied)


def application_lines(applications: tuple[Applied, ...] | list[Applied]) -> list[JSON]:
    """Payment lines applying to invoices: one line with one ``LinkedTxn`` per application."""
    return [
        {
            "Amount": applied.amount.amount,
            "LinkedTxn": [{"TxnId": applied.target_id, "TxnType": "Invoice"}],
        }
        for applied in applications
    ]


def payment_to_record(obj: JSON, context: MappingContext) -> Record:
    """A QuickBooks ``Payment`` as a ``payment`` record with its applications."""
    payment_id = str(obj["Id"])
    version, changed = sync_token(obj), updated_at(obj)
    if obj.get("status") == "Deleted":
        return Record(entity="payment", external_id=payment_id, updated_at=changed, deleted=True)
    currency = currency_of(obj, context)
    applications = applications_of(obj, currency)
    amount = as_money(obj.get("TotalAmt") or 0, currency, "TotalAmt")
    if not amount:
        return Record(
            entity="payment",
            external_id=payment_id,
            version=version,
            updated_at=changed,
            applications=applications,
        )
    received = as_date(obj.get("TxnDate"))
    if received is None:
        raise QuickBooksMappingError(f"payment {payment_id} has no TxnDate", field="TxnDate")
    payment = Payment(
        company_id=context.company_id,
        id=payment_id,
        external_ids={"quickbooks": payment_id},
        currency=currency,
        customer_id=ref_value(obj, "CustomerRef"),
        received_date=received,
        amount=amount,
        method=PaymentMethod.OTHER,
        reference=str(obj.get("PaymentRefNum") or ""),
        memo=str(obj.get("PrivateNote") or ""),
    )
    status = status_from_balance(obj, amount, "UnappliedAmt")
    return Record(
        entity="payment",
        external_id=payment_id,
        version=version,
        updated_at=changed,
        document=payment.model_copy(update={"status": status}),
        applications=applications,
    )


def record_to_payment(record: Record, context: MappingContext) -> JSON:
    """The QuickBooks ``Payment`` body for a ``payment`` record (lines from its applications).

    Raises:
        QuickBooksMappingError: the payment has no customer (QuickBooks requires one).
    """
    payment = record.document
    if not isinstance(payment, Payment):
        raise QuickBooksMappingError("a payment record must hold a Payment", field="document")
    if payment.customer_id is None:
        raise QuickBooksMappingError(
            f"payment {payment.id} has no customer",
            hint="Identify the payer before pushing it: QuickBooks needs a CustomerRef",
            field="customer_id",
        )
    body: JSON = {
        "CustomerRef": ref(payment.customer_id),
        "CurrencyRef": ref(payment.currency),
        "TotalAmt": payment.amount.amount,
        "TxnDate": payment.received_date.isoformat(),
        "Line": application_lines(record.applications),
    }
    if payment.reference:
        body["PaymentRefNum"] = payment.reference[:21]  # QuickBooks' limit
    if payment.memo:
        body["PrivateNote"] = payment.memo
    if record.external_id is not None:
        body["Id"] = record.external_id
    if record.version is not None:
        body["SyncToken"] = record.version
    return body
