from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.quickbooks.qbo_fixtures import PAYMENT_JSON, decimal_json, entities, entity
from arcore.adapter import Applied, Record
from arcore.documents import DocumentStatus, Payment, PaymentMethod
from arcore.money import Money
from arcore_quickbooks.mapping.common import MappingContext
from arcore_quickbooks.mapping.payments import payment_to_record, record_to_payment

CONTEXT = MappingContext(company_id="acme")


def test_json_payment_maps_amount_reference_and_applications() -> None:
    record = payment_to_record(decimal_json(PAYMENT_JSON), CONTEXT)
    payment = record.document
    assert isinstance(payment, Payment)
    assert payment.amount == Money("629.10", "USD")
    assert payment.received_date == date(2016, 4, 13)
    assert (payment.reference, payment.customer_id) == ("4077", "10")
    assert payment.status is DocumentStatus.PAID  # UnappliedAmt 0
    assert record.applications == (Applied(target_id="103", amount=Money("629.10", "USD")),)


def test_real_payments_unapplied_and_deleted() -> None:
    record = payment_to_record(entity("fetch_payment_by_id.xml", "Payment"), CONTEXT)
    assert isinstance(record.document, Payment)
    assert record.document.status is DocumentStatus.ISSUED  # nothing applied
    assert record.document.memo == "Payment smoke test"
    (deleted,) = entities("payment_changes.xml", "Payment")
    assert payment_to_record(deleted, CONTEXT).deleted


def test_zero_payment_linking_a_credit_memo_carries_its_application() -> None:
    source = decimal_json(PAYMENT_JSON)
    source["TotalAmt"] = 0
    source["UnappliedAmt"] = 0
    source["Line"].append(
        {"Amount": Decimal("629.10"), "LinkedTxn": [{"TxnId": "52", "TxnType": "CreditMemo"}]}
    )
    record = payment_to_record(source, CONTEXT)
    assert record.document is None  # a zero payment cannot be an arcore Payment
    assert record.carrier
    assert not record.deleted
    assert record.applications == (
        Applied(
            target_id="103",
            amount=Money("629.10", "USD"),
            source="credit_memo",
            source_id="52",
        ),
    )


def test_payment_and_credit_memos_share_its_invoices_memos_first() -> None:
    """$100 paid and two memos (15 + 20) spent on invoices of 30 and 105."""
    source = decimal_json(PAYMENT_JSON)
    source.update(TotalAmt=Decimal("100.00"), UnappliedAmt=0)
    source["Line"] = [
        {"Amount": Decimal("30.00"), "LinkedTxn": [{"TxnId": "i1", "TxnType": "Invoice"}]},
        {"Amount": Decimal("105.00"), "LinkedTxn": [{"TxnId": "i2", "TxnType": "Invoice"}]},
        {"Amount": Decimal("15.00"), "LinkedTxn": [{"TxnId": "m1", "TxnType": "CreditMemo"}]},
        {"Amount": Decimal("20.00"), "LinkedTxn": [{"TxnId": "m2", "TxnType": "CreditMemo"}]},
    ]
    record = payment_to_record(source, CONTEXT)
    usd = lambda text: Money(text, "USD")  # noqa: E731
    memo = {"source": "credit_memo"}
    assert record.applications == (
        Applied(target_id="i1", amount=usd("15.00"), source_id="m1", **memo),  # type: ignore[arg-type]
        Applied(target_id="i1", amount=usd("15.00"), source_id="m2", **memo),  # type: ignore[arg-type]
        Applied(target_id="i2", amount=usd("5.00"), source_id="m2", **memo),  # type: ignore[arg-type]
        Applied(target_id="i2", amount=usd("100.00")),
    )
    own = sum((a.amount for a in record.applications if a.source is None), usd("0"))
    assert isinstance(record.document, Payment)
    assert own == record.document.amount


def test_voided_payment_is_a_deleted_record() -> None:
    source = decimal_json(PAYMENT_JSON)
    source.update(TotalAmt=0, UnappliedAmt=0, PrivateNote="Voided")
    record = payment_to_record(source, CONTEXT)
    assert record.deleted
    assert record.document is None


def test_record_round_trips_through_quickbooks_json() -> None:
    payment = Payment(
        company_id="acme",
        id="9",
        customer_id="10",
        currency="USD",
        received_date=date(2026, 3, 1),
        amount=Money("100.00", "USD"),
        method=PaymentMethod.CHECK,
        reference="CHK-1001",
        status=DocumentStatus.ISSUED,
    )
    applications = (Applied(target_id="103", amount=Money("60.00", "USD")),)
    record = Record(entity="payment", external_id=None, document=payment, applications=applications)
    body = record_to_payment(record, CONTEXT)
    assert body["Line"] == [
        {"Amount": Decimal("60.00"), "LinkedTxn": [{"TxnId": "103", "TxnType": "Invoice"}]}
    ]
    assert "Id" not in body
    answer = {**body, "Id": "150", "SyncToken": "0", "UnappliedAmt": Decimal("40.00")}
    back = payment_to_record(answer, CONTEXT)
    assert isinstance(back.document, Payment)
    assert back.applications == applications
    assert (back.document.amount, back.document.reference) == (payment.amount, "CHK-1001")
    assert back.document.status is DocumentStatus.PARTIALLY_PAID
