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
from arcore.documents import CreditMemo, DocumentStatus
from arcore.money import Money
from arcore_xero.mapping.common import XeroMappingError
from arcore_xero.mapping.credit_notes import (
    credit_note_to_record,
    record_to_allocations,
    record_to_credit_note,
)

ID = "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d"
INVOICE = "d4956132-ed94-4dd7-9eaa-aa22dfdf06f2"


def _wire(body: dict[str, Any], **fields: Any) -> Any:
    text = json.dumps(body)  # through JSON text as on the wire (the SDK writes floats)
    return model(
        "credit_memo",
        {
            **json.loads(text, parse_float=Decimal),
            "CreditNoteID": ID,
            "UpdatedDateUTC": "/Date(1759660000000+0000)/",
            **fields,
        },
    )


def _memo(**fields: Any) -> CreditMemo:
    return CreditMemo(
        company_id="acme",
        id=ID,
        external_ids={"xero": ID},
        customer_id="a3675fc4-f8dd-4f03-ba5b-f1870566bcd7",
        currency="NZD",
        number="CN-0009",
        document_date=date(2026, 10, 6),
        amount=Money("118.80", "NZD"),
        tax=Money("19.80", "NZD"),
        status=DocumentStatus.ISSUED,
        **fields,
    )


def test_the_spec_examples_sales_credit_note_maps_and_a_supplier_one_is_refused() -> None:
    sales, supplier = example_models("credit_memo")
    record = credit_note_to_record(sales, CONTEXT)
    memo = record.document
    assert isinstance(memo, CreditMemo)
    assert (memo.amount, memo.tax) == (Money("34.50", "NZD"), Money("4.50", "NZD"))
    assert memo.status is DocumentStatus.PARTIALLY_PAID  # RemainingCredit 32.50 of 34.50
    assert record.applications == ()
    with pytest.raises(XeroMappingError, match="ACCPAYCREDIT"):
        credit_note_to_record(supplier, CONTEXT)


def test_a_credit_memo_round_trips_with_reason_memo_and_tax() -> None:
    from xero_python.api_client.serializer import serialize

    memo = _memo(memo="RMA 7", reason="Returned goods")
    sent = record_to_credit_note(
        Record(entity="credit_memo", external_id=None, document=memo), CONTEXT
    )
    body = serialize(sent)
    assert body["Type"] == "ACCRECCREDIT"
    assert body["Status"] == "AUTHORISED"
    (line,) = body["LineItems"]
    assert (line["LineAmount"], line["TaxAmount"], line["Description"]) == (  # float-ok: JSON
        99.0,
        19.8,
        "Returned goods",
    )
    back = credit_note_to_record(
        _wire(body, Total=Decimal("118.80"), TotalTax=Decimal("19.80")), CONTEXT
    )
    assert back.document == memo


def test_allocations_are_the_applications_and_deleted_ones_are_left_out() -> None:
    from xero_python.api_client.serializer import serialize

    memo = _memo()
    body = serialize(
        record_to_credit_note(Record(entity="credit_memo", external_id=ID, document=memo), CONTEXT)
    )
    allocations = [
        {"Invoice": {"InvoiceID": INVOICE}, "Amount": Decimal("18.80"), "Date": "/Date(0)/"},
        {
            "Invoice": {"InvoiceID": "gone"},
            "Amount": Decimal("5.00"),
            "Date": "/Date(0)/",
            "IsDeleted": True,
        },
    ]
    record = credit_note_to_record(
        _wire(
            body,
            Total=Decimal("118.80"),
            TotalTax=Decimal("19.80"),
            RemainingCredit=Decimal("100.00"),
            Allocations=allocations,
        ),
        CONTEXT,
    )
    assert record.applications == (Applied(target_id=INVOICE, amount=Money("18.80", "NZD")),)
    assert isinstance(record.document, CreditMemo)
    assert record.document.status is DocumentStatus.PARTIALLY_PAID


def test_allocations_to_send_and_what_xero_cannot_allocate_to() -> None:
    from xero_python.api_client.serializer import serialize

    applied = [Applied(target_id=INVOICE, amount=Money("10.00", "USD"))]
    body = serialize(record_to_allocations(applied, date(2026, 10, 7)))
    assert body == {
        "Allocations": [
            {
                "Invoice": body["Allocations"][0]["Invoice"],
                "Amount": 10.0,
                "Date": "/Date(1791331200000)/",
            }  # float-ok: JSON
        ]
    }
    assert body["Allocations"][0]["Invoice"]["InvoiceID"] == INVOICE
    debit = [Applied(target_id="d-1", target="debit_memo", amount=Money("1.00", "USD"))]
    with pytest.raises(XeroMappingError, match="debit_memo"):
        record_to_allocations(debit, date(2026, 10, 7))


def test_a_voided_and_a_deleted_credit_note() -> None:
    from xero_python.api_client.serializer import serialize

    body = serialize(
        record_to_credit_note(
            Record(entity="credit_memo", external_id=ID, document=_memo()), CONTEXT
        )
    )
    voided = credit_note_to_record(_wire(body, Status="VOIDED", Total=Decimal("118.80")), CONTEXT)
    assert isinstance(voided.document, CreditMemo)
    assert voided.document.status is DocumentStatus.VOID
    deleted = credit_note_to_record(_wire(body, Status="DELETED"), CONTEXT)
    assert deleted.deleted
    assert deleted.document is None
