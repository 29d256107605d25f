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

A line linked to a ``CreditMemo`` spends that credit memo's credit on the payment's invoices:
the invoices' lines are paid by the credit memos first (in line order), and what is left of
them by the payment. The credit memos' parts are listed with ``source="credit_memo"`` and the
memo's id. A payment with a zero ``TotalAmt`` (QuickBooks' way to apply a credit memo to an
invoice) cannot be an arcore ``Payment`` (its amount must be positive): it becomes a carrier
record, without a document, listing those applications. A voided payment (zero, marked
"Voided") says no more what it was: it is a deleted record.
"""

from __future__ import annotations

from arcore.adapter import Applied, Record
from arcore.documents import Payment, PaymentMethod
from arcore.money import Money
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
from arcore_quickbooks.mapping.invoices import is_voided, status_from_balance

__all__ = ["application_lines", "applications_of", "payment_to_record", "record_to_payment"]


def _linked(obj: JSON, currency: str, kind: str) -> list[tuple[str, Money]]:
    """``(TxnId, Line.Amount)`` of the lines linking a ``kind`` transaction, in line order."""
    found = []
    for line in obj.get("Line") or []:
        amount = as_money(line.get("Amount") or 0, currency, "Line.Amount")
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == kind and amount:
                found.append((str(linked["TxnId"]), amount))
    return found


def applications_of(obj: JSON, currency: str) -> tuple[Applied, ...]:
    """The invoices a QuickBooks ``Payment`` pays, from its lines' ``LinkedTxn``.

    Credit memos linked on the same payment pay the invoices first, in line order; the
    payment pays the rest.
    """
    credits = _linked(obj, currency, "CreditMemo")
    left = [amount for _, amount in credits]
    applied = []
    for invoice, owed in _linked(obj, currency, "Invoice"):
        for index, (memo, _) in enumerate(credits):
            part = min(left[index], owed)
            if part:
                applied.append(
                    Applied(target_id=invoice, amount=part, source="credit_memo", source_id=memo)
                )
                left[index], owed = left[index] - part, owed - part
        if owed:
            applied.append(Applied(target_id=invoice, amount=owed))
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
    currency = currency_of(obj, context)
    amount = as_money(obj.get("TotalAmt") or 0, currency, "TotalAmt")
    if obj.get("status") == "Deleted" or (not amount and is_voided(obj)):
        return Record(
            entity="payment",
            external_id=payment_id,
            version=None if obj.get("status") == "Deleted" else version,
            updated_at=changed,
            deleted=True,
        )
    applications = applications_of(obj, currency)
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
        "Line": application_lines(record.applications or ()),
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
