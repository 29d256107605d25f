from __future__ import annotations

from datetime import date

from adapters.quickbooks.qbo_fixtures import entities, entity
from arcore.adapter import Record
from arcore.documents import CreditMemo, DocumentStatus
from arcore.money import Money
from arcore_quickbooks.mapping.common import MappingContext
from arcore_quickbooks.mapping.credit_memos import credit_memo_to_record, record_to_credit_memo

CONTEXT = MappingContext(company_id="acme")


def test_real_credit_memo_maps_amount_currency_and_status() -> None:
    record = credit_memo_to_record(entity("fetch_credit_memo.xml", "CreditMemo"), CONTEXT)
    memo = record.document
    assert isinstance(memo, CreditMemo)
    assert (record.external_id, record.version) == ("52", "0")
    assert (memo.number, memo.customer_id, memo.currency) == ("R3454653464", "2", "BRL")
    assert memo.amount == Money("10.00", "BRL")
    assert memo.document_date == date(2013, 12, 17)
    assert memo.status is DocumentStatus.ISSUED  # RemainingCredit = TotalAmt
    assert record.applications is None  # stated on the payments that apply it


def test_deleted_credit_memo_from_cdc() -> None:
    (deleted,) = entities("credit_memo_changes.xml", "CreditMemo")
    record = credit_memo_to_record(deleted, CONTEXT)
    assert record.deleted
    assert record.document is None
    assert record.external_id == "39"


def test_record_round_trips_with_tax_and_remaining_credit() -> None:
    memo = CreditMemo(
        company_id="acme",
        id="60",
        customer_id="7",
        currency="USD",
        number="CM-88",
        document_date=date(2026, 2, 1),
        amount=Money("108.25", "USD"),
        tax=Money("8.25", "USD"),
        reason="Returned goods",
        status=DocumentStatus.ISSUED,
    )
    body = record_to_credit_memo(
        Record(entity="credit_memo", external_id="60", version="1", document=memo), CONTEXT
    )
    assert body["TotalAmt"] == memo.amount.amount
    assert body["Line"][0]["Amount"] == memo.subtotal.amount
    assert body["TxnTaxDetail"]["TotalTax"] == memo.tax.amount
    answer = {**body, "RemainingCredit": "8.25"}
    back = credit_memo_to_record(answer, CONTEXT).document
    assert isinstance(back, CreditMemo)
    assert (back.amount, back.tax, back.number, back.reason) == (
        memo.amount,
        memo.tax,
        memo.number,
        memo.reason,
    )
    assert back.status is DocumentStatus.PARTIALLY_PAID
