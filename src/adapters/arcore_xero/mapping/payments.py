"""Xero ``Payment`` (``PaymentType: ACCRECPAYMENT``) ⇄ arcore [`Payment`][arcore.documents.Payment].

| Xero | arcore |
| --- | --- |
| ``PaymentID`` | ``id`` (a Xero id) |
| ``Amount``, ``Invoice.CurrencyCode`` (else the base currency) | ``amount``, ``currency`` |
| ``Date`` | ``received_date`` |
| ``Reference`` | ``reference`` |
| ``Invoice.Contact.ContactID`` | ``customer_id`` |
| ``Invoice.InvoiceID`` with ``Amount`` | ``Record.applications`` (exactly one) |
| ``Status`` ``AUTHORISED`` / ``DELETED`` | ``status`` paid / void (a reversed payment) |

A Xero payment pays exactly one invoice, all of its amount: there is no unapplied payment in
Xero (money received on account is an overpayment or prepayment, another object), and a
payment cannot be changed, only reversed (``Status: DELETED``) and entered again. So an
arcore payment reaches Xero as one Xero payment when it is applied to exactly one invoice for
its whole amount; see the adapter for how ``create`` and ``apply`` handle the rest.
Xero keeps no payment method or memo: they read back as ``other`` and empty.
"""

from __future__ import annotations

from typing import Any

from arcore.adapter import Applied, Record
from arcore.documents import DocumentStatus, Payment, PaymentMethod
from arcore_xero.mapping.common import (
    MappingContext,
    XeroMappingError,
    as_money,
    enum_text,
    version_of,
    wire_amount,
)

__all__ = ["payment_to_record", "record_to_payment", "single_application"]


def payment_to_record(obj: Any, context: MappingContext) -> Record:
    """A xero-python ``Payment`` on a sales invoice as a ``payment`` record.

    Raises:
        XeroMappingError: not a payment of a sales invoice, or without invoice or date.
    """
    payment_id = str(obj.payment_id)
    version = version_of(obj.updated_date_utc)
    kind = enum_text(obj.payment_type)
    if kind and kind != "ACCRECPAYMENT":
        raise XeroMappingError(
            f"payment {payment_id} is a {kind}, not a payment of a sales invoice",
            field="PaymentType",
            value=kind,
        )
    invoice = obj.invoice
    invoice_id = getattr(invoice, "invoice_id", None) if invoice is not None else None
    if not invoice_id or obj.date is None:
        raise XeroMappingError(
            f"payment {payment_id} has no Invoice.InvoiceID or Date", field="Invoice"
        )
    currency = enum_text(getattr(invoice, "currency_code", None)) or context.home_currency
    amount = as_money(obj.amount, currency, "Amount")
    if amount.amount <= 0:
        raise XeroMappingError(
            f"payment {payment_id} has an Amount of {amount}", field="Amount", value=str(amount)
        )
    contact = getattr(invoice, "contact", None)
    customer_id = getattr(contact, "contact_id", None) if contact is not None else None
    reversed_ = enum_text(obj.status) == "DELETED"
    payment = Payment(
        company_id=context.company_id,
        id=payment_id,
        external_ids={"xero": payment_id},
        currency=currency,
        customer_id=str(customer_id) if customer_id else None,
        received_date=obj.date,
        amount=amount,
        method=PaymentMethod.OTHER,
        reference=str(obj.reference or ""),
        status=DocumentStatus.VOID if reversed_ else DocumentStatus.PAID,
    )
    return Record(
        entity="payment",
        external_id=payment_id,
        version=version,
        updated_at=obj.updated_date_utc,
        document=payment,
        applications=(Applied(target_id=str(invoice_id), target="invoice", amount=amount),),
    )


def single_application(record: Record) -> Applied:
    """The one invoice application a payment must have to be a Xero payment.

    Raises:
        XeroMappingError: the payment applies to no invoice, to several, or to one for less
            than its amount (Xero has no unapplied payment).
    """
    payment = record.document
    if not isinstance(payment, Payment):
        raise XeroMappingError("a payment record must hold a Payment", field="document")
    applications = record.applications or ()
    if len(applications) != 1 or applications[0].target != "invoice":
        raise XeroMappingError(
            f"payment {payment.id} is applied to {len(applications)} documents; a Xero "
            "payment pays exactly one invoice",
            hint="Record one payment per invoice in arcore to send it to Xero",
            field="applications",
            value=len(applications),
        )
    (applied,) = applications
    if applied.amount != payment.amount:
        raise XeroMappingError(
            f"payment {payment.id} of {payment.amount} applies {applied.amount}; Xero has no "
            "unapplied payments",
            hint="Apply the whole payment to the invoice (or record the rest as a separate "
            "payment once it is applied)",
            field="applications[1].amount",
            value=str(applied.amount),
        )
    return applied


def record_to_payment(record: Record, context: MappingContext) -> Any:
    """The xero-python ``Payment`` to send for a payment applied to one invoice.

    Raises:
        XeroMappingError: the payment does not pay exactly one invoice its whole amount.
    """
    from xero_python.accounting.models import Account, Invoice
    from xero_python.accounting.models import Payment as XeroPayment

    applied = single_application(record)
    payment = record.document
    assert isinstance(payment, Payment)
    return XeroPayment(
        invoice=Invoice(invoice_id=applied.target_id),
        account=Account(code=context.payment_account_code),
        date=payment.received_date,
        amount=wire_amount(payment.amount, "amount"),
        reference=payment.reference,
    )
