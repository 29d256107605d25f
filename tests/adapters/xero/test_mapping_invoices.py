from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("xero_python")

from adapters.xero.xero_examples import example_models
from adapters.xero.xero_harness import CONTEXT, model
from arcore.adapter import Record
from arcore.documents import DocumentStatus, Invoice, InvoiceLine
from arcore.money import Money
from arcore.terms import NetTerms
from arcore_xero.mapping.common import XeroMappingError
from arcore_xero.mapping.invoices import invoice_to_record, record_to_invoice

ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CONTACT = "c0ffee00-1234-4abc-8def-000000000001"


def _xero(lines: list[dict[str, Any]], **fields: Any) -> Any:
    """A Xero invoice as Xero would send it: its totals worked out from ``lines``."""
    sub = sum((Decimal(str(line["LineAmount"])) for line in lines), Decimal(0))
    tax = sum((Decimal(str(line.get("TaxAmount", 0))) for line in lines), Decimal(0))
    inclusive = fields.get("LineAmountTypes") == "Inclusive"
    total = sub if inclusive else sub + tax
    wire = {
        "Type": "ACCREC",
        "InvoiceID": ID,
        "InvoiceNumber": "INV-0042",
        "Contact": {"ContactID": CONTACT},
        "Date": "/Date(1759622400000+0000)/",  # 2025-10-05
        "DueDate": "/Date(1762214400000+0000)/",  # 2025-11-04
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "CurrencyCode": "USD",
        "LineItems": lines,
        "SubTotal": sub - tax if inclusive else sub,
        "TotalTax": tax,
        "Total": total,
        "AmountDue": total,
        "UpdatedDateUTC": "/Date(1759660000000+0000)/",
        **fields,
    }
    return model("invoice", wire)


def _line(amount: str, tax: str = "0", **fields: Any) -> dict[str, Any]:
    return {
        "Description": "Work",
        "Quantity": Decimal(1),
        "UnitAmount": Decimal(amount),
        "LineAmount": Decimal(amount),
        "TaxAmount": Decimal(tax),
        "AccountCode": "200",
        **fields,
    }


def _invoice(record: Record) -> Invoice:
    assert isinstance(record.document, Invoice)
    return record.document


def _round_trip(invoice: Invoice) -> Invoice:
    from xero_python.api_client.serializer import serialize

    sent = record_to_invoice(Record(entity="invoice", external_id=ID, document=invoice), CONTEXT)
    # Through JSON text as on the wire: xero-python writes amounts as floats.
    text = json.dumps(serialize(sent))
    wire = {**json.loads(text, parse_float=Decimal), "UpdatedDateUTC": "/Date(1759660000000+0000)/"}
    return _invoice(invoice_to_record(model("invoice", wire), CONTEXT))


def test_the_spec_examples_map_with_their_statuses_and_totals() -> None:
    voided, paid, authorised = (
        _invoice(invoice_to_record(obj, CONTEXT)) for obj in example_models("invoice")
    )
    assert (voided.status, voided.total) == (DocumentStatus.VOID, Money("40.00", "NZD"))
    assert (paid.status, paid.total, paid.tax_total) == (
        DocumentStatus.PAID,
        Money("46.00", "NZD"),
        Money("6.00", "NZD"),
    )
    assert paid.lines[0].tax_rate == Decimal(15)  # 6.00 on 40.00: NZ GST
    assert authorised.status is DocumentStatus.ISSUED
    assert authorised.total == Money("115.00", "NZD")
    assert voided.number == "INV-0001"
    assert voided.customer_id == "a3675fc4-f8dd-4f03-ba5b-f1870566bcd7"
    assert voided.memo == "Red Fish, Blue Fish"


def test_multi_line_invoice_with_per_line_tax_and_a_discounted_line() -> None:
    record = invoice_to_record(
        _xero(
            [
                _line("100.00", "20.00"),
                {**_line("33.33", "6.67"), "Quantity": Decimal(1)},
                {
                    "Description": "Discounted",
                    "Quantity": Decimal(4),
                    "UnitAmount": Decimal("25.00"),
                    "DiscountRate": Decimal(10),
                    "LineAmount": Decimal("90.00"),
                    "TaxAmount": Decimal("0.00"),
                    "AccountCode": "260",
                },
            ],
            AmountDue=Decimal("100.00"),
        ),
        CONTEXT,
    )
    invoice = _invoice(record)
    assert [line.tax_rate for line in invoice.lines] == [Decimal(20), Decimal(20), Decimal(0)]
    assert invoice.lines[2].amount == Money("90.00", "USD")
    assert invoice.lines[2].unit_price == Money("22.5", "USD")  # the discount lowered it
    assert invoice.lines[2].revenue_account == "260"
    assert invoice.lines[0].revenue_account is None  # the configured sales account
    assert invoice.total == Money("250.00", "USD")
    assert invoice.tax_rounding == "line"
    assert invoice.status is DocumentStatus.PARTIALLY_PAID
    assert invoice.terms == NetTerms(days=30)
    assert record.version == "2025-10-05T10:26:40.000+00:00"


def test_tax_inclusive_lines_are_read_net() -> None:
    invoice = _invoice(
        invoice_to_record(_xero([_line("115.00", "15.00")], LineAmountTypes="Inclusive"), CONTEXT)
    )
    assert invoice.subtotal == Money("100.00", "USD")
    assert invoice.lines[0].tax_rate == Decimal(15)
    assert invoice.total == Money("115.00", "USD")


def test_a_negative_line_is_a_discount_spread_over_the_others() -> None:
    invoice = _invoice(
        invoice_to_record(
            _xero([_line("300.00"), _line("100.00"), _line("-40.00", Description="Discount")]),
            CONTEXT,
        )
    )
    assert [line.amount for line in invoice.lines] == [
        Money("270.00", "USD"),
        Money("90.00", "USD"),
    ]
    assert invoice.total == Money("360.00", "USD")


def test_a_currency_without_minor_units() -> None:
    invoice = _invoice(
        invoice_to_record(
            _xero([_line("5000", "500")], CurrencyCode="JPY"),
            CONTEXT,
        )
    )
    assert invoice.total == Money("5500", "JPY")
    assert invoice.lines[0].tax_rate == Decimal(10)


def test_tax_rounded_per_invoice_is_reproduced_with_one_rate() -> None:
    # Three lines of 0.10 at 5 %: 0.005 each rounds to 0.01 per line, but 0.02 per invoice.
    lines = [_line("0.10", "0.01"), _line("0.10", "0.01"), _line("0.10", "0.01")]
    invoice = _invoice(
        invoice_to_record(
            _xero(
                lines, TotalTax=Decimal("0.02"), Total=Decimal("0.32"), AmountDue=Decimal("0.32")
            ),
            CONTEXT,
        )
    )
    assert invoice.tax_total == Money("0.02", "USD")
    assert invoice.tax_rounding == "document"


def test_a_total_arcore_cannot_reproduce_is_refused() -> None:
    with pytest.raises(XeroMappingError) as caught:
        invoice_to_record(_xero([_line("100.00")], Total=Decimal("100.01")), CONTEXT)
    assert caught.value.field == "Total"
    assert "100.01" in str(caught.value.value)


def test_a_bill_is_not_a_sales_invoice_and_a_deleted_draft_is_deleted() -> None:
    with pytest.raises(XeroMappingError, match="ACCPAY"):
        invoice_to_record(_xero([_line("1.00")], Type="ACCPAY"), CONTEXT)
    deleted = invoice_to_record(_xero([_line("1.00")], Status="DELETED"), CONTEXT)
    assert deleted.deleted
    assert deleted.document is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("DRAFT", DocumentStatus.DRAFT),
        ("SUBMITTED", DocumentStatus.APPROVED),
        ("VOIDED", DocumentStatus.VOID),
        ("PAID", DocumentStatus.PAID),
    ],
)
def test_xero_statuses(status: str, expected: DocumentStatus) -> None:
    assert (
        _invoice(invoice_to_record(_xero([_line("10.00")], Status=status), CONTEXT)).status
        is expected
    )


def _arcore(lines: tuple[InvoiceLine, ...], **fields: Any) -> Invoice:
    return Invoice(
        company_id="acme",
        id=ID,
        external_ids={"xero": ID},
        currency=fields.pop("currency", "USD"),
        customer_id=CONTACT,
        number="A-17",
        document_date=date(2026, 10, 1),
        terms=NetTerms(days=30),
        lines=lines,
        status=DocumentStatus.ISSUED,
        memo="PO 4711",
        **fields,
    )


def test_an_arcore_invoice_goes_out_exclusive_with_its_own_tax_and_due_date() -> None:
    from xero_python.api_client.serializer import serialize

    invoice = _arcore(
        (
            InvoiceLine(
                description="Hours",
                quantity=Decimal("2.5"),
                unit_price=Money("33.3333", "USD"),
                tax_rate=Decimal("8.25"),
            ),
            InvoiceLine(
                description="Stamps",
                quantity=Decimal(3),
                unit_price=Money("0.10", "USD"),
                revenue_account="260",
            ),
        )
    )
    body = serialize(
        record_to_invoice(Record(entity="invoice", external_id=None, document=invoice), CONTEXT)
    )
    assert body["Type"] == "ACCREC"
    assert body["Status"] == "AUTHORISED"
    assert body["LineAmountTypes"] == "Exclusive"
    assert body["DueDate"] == "/Date(1793404800000)/"  # 2026-10-31
    assert body["Reference"] == "PO 4711"
    first, second = body["LineItems"]
    assert (first["LineAmount"], first["TaxAmount"], first["TaxType"]) == (
        83.33,
        6.87,
        "OUTPUT",
    )  # float-ok: the SDK's JSON
    assert (second["AccountCode"], second["TaxType"]) == ("260", "NONE")
    assert "InvoiceID" not in body
    assert _round_trip(invoice) == invoice


def test_document_rounding_is_spread_over_the_lines_and_read_back() -> None:
    invoice = _arcore(
        tuple(
            InvoiceLine(
                description=f"Item {n}",
                quantity=Decimal(1),
                unit_price=Money("0.10", "USD"),
                tax_rate=Decimal(5),
            )
            for n in range(3)
        ),
        tax_rounding="document",
    )
    back = _round_trip(invoice)
    assert back.tax_total == invoice.tax_total == Money("0.02", "USD")
    assert back.total == invoice.total


_RATES = st.sampled_from(
    [
        Decimal(0),
        Decimal(5),
        Decimal("7.5"),
        Decimal("8.25"),
        Decimal(10),
        Decimal("12.5"),
        Decimal(15),
        Decimal(20),
    ]
)
_LINES = st.lists(
    st.builds(
        lambda cents, quantity, rate: InvoiceLine(
            description="Line",
            quantity=Decimal(quantity),
            unit_price=Money(Decimal(cents).scaleb(-2), "USD"),
            tax_rate=rate,
        ),
        st.integers(min_value=1, max_value=10_000_000),
        st.integers(min_value=1, max_value=50),
        _RATES,
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(_LINES)
def test_invoices_round_trip_with_the_same_total_and_tax(lines: list[InvoiceLine]) -> None:
    invoice = _arcore(tuple(lines))
    back = _round_trip(invoice)
    assert (back.subtotal, back.tax_total, back.total) == (
        invoice.subtotal,
        invoice.tax_total,
        invoice.total,
    )
    assert [line.amount for line in back.lines] == [line.amount for line in invoice.lines]
    assert [line.tax for line in back.lines] == [line.tax for line in invoice.lines]
