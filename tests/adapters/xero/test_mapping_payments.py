from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

pytest.importorskip("xero_python")

from adapters.xero.xero_examples import example_models
from adapters.xero.xero_harness import CONTEXT, model
from arcore.adapter import Applied, Record
from arcore.documents import DocumentStatus, Payment, PaymentMethod
from arcore.money import Money
from arcore_xero.mapping.common import XeroMappingError
from arcore_xero.mapping.payments import payment_to_record, record_to_payment

INVOICE = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CONTACT = "c0ffee00-1234-4abc-8def-000000000001"


def _payment(amount: str = "46.00") -> Payment:
    return Payment(
        company_id="acme",
        id="p-1",
        customer_id=CONTACT,
        currency="USD",
        received_date=date(2026, 10, 20),
        amount=Money(amount, "USD"),
        method=PaymentMethod.CHECK,
        reference="CHQ 1001",
    )


def _record(payment: Payment, *applied: Applied) -> Record:
    return Record(entity="payment", external_id=None, document=payment, applications=applied)


def test_the_spec_examples_invoice_payment_maps_and_a_credit_refund_is_refused() -> None:
    invoice_payment, refund = example_models("payment")
    record = payment_to_record(invoice_payment, CONTEXT)
    payment = record.document
    assert isinstance(payment, Payment)
    assert payment.amount == Money("46.00", "NZD")  # the invoice's currency
    assert payment.status is DocumentStatus.PAID
    assert payment.method is PaymentMethod.OTHER  # Xero does not say
    (applied,) = record.applications or ()
    assert applied.amount == payment.amount
    assert applied.target_id == invoice_payment.invoice.invoice_id
    with pytest.raises(XeroMappingError, match="ARCREDITPAYMENT"):
        payment_to_record(refund, CONTEXT)


def test_a_payment_of_one_invoice_round_trips_and_a_reversed_one_reads_void() -> None:
    from xero_python.api_client.serializer import serialize

    applied = Applied(target_id=INVOICE, amount=Money("46.00", "USD"))
    body = serialize(record_to_payment(_record(_payment(), applied), CONTEXT))
    assert body["Account"]["Code"] == "090"
    assert body["Invoice"]["InvoiceID"] == INVOICE
    wire: dict[str, Any] = {
        **json.loads(json.dumps(body), parse_float=Decimal),
        "PaymentID": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
        "PaymentType": "ACCRECPAYMENT",
        "Status": "AUTHORISED",
        "UpdatedDateUTC": "/Date(1759660000000+0000)/",
    }
    wire["Invoice"] = {**wire["Invoice"], "Contact": {"ContactID": CONTACT}, "CurrencyCode": "USD"}
    record = payment_to_record(model("payment", wire), CONTEXT)
    assert isinstance(record.document, Payment)
    kept = {"customer_id", "currency", "received_date", "amount", "reference"}
    assert record.document.model_dump(include=kept) == _payment().model_dump(include=kept)
    assert record.applications == (applied,)
    reversed_ = payment_to_record(model("payment", {**wire, "Status": "DELETED"}), CONTEXT)
    assert isinstance(reversed_.document, Payment)
    assert reversed_.document.status is DocumentStatus.VOID
    assert not reversed_.deleted


@pytest.mark.parametrize(
    ("applied", "message"),
    [
        ((), "applied to 0 documents"),
        (
            (
                Applied(target_id="a", amount=Money("20.00", "USD")),
                Applied(target_id="b", amount=Money("26.00", "USD")),
            ),
            "applied to 2 documents",
        ),
        ((Applied(target_id="a", amount=Money("40.00", "USD")),), "no unapplied payments"),
    ],
)
def test_what_a_xero_payment_cannot_be_is_refused(
    applied: tuple[Applied, ...], message: str
) -> None:
    with pytest.raises(XeroMappingError, match=message) as caught:
        record_to_payment(_record(_payment(), *applied), CONTEXT)
    assert caught.value.hint
