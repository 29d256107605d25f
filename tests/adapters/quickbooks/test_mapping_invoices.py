from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.quickbooks.qbo_fixtures import INVOICE_JSON, decimal_json, entities, entity
from arcore.adapter import NamedTerms, Record
from arcore.documents import DocumentStatus, Invoice, InvoiceLine
from arcore.money import Money
from arcore.terms import Discount, NetTerms
from arcore_quickbooks.mapping.common import MappingContext, QuickBooksMappingError
from arcore_quickbooks.mapping.invoices import invoice_to_record, record_to_invoice

NET_30 = NamedTerms(id="3", name="Net 30", terms=NetTerms(days=30))
CONTEXT = MappingContext(company_id="acme", terms={"3": NET_30})


def _invoice(record: Record) -> Invoice:
    assert isinstance(record.document, Invoice)
    return record.document


def test_json_invoice_maps_every_field_that_matters() -> None:
    record = invoice_to_record(decimal_json(INVOICE_JSON), CONTEXT)
    invoice = _invoice(record)
    assert (record.entity, record.external_id, record.version) == ("invoice", "239", "0")
    assert record.updated_at == datetime(2015, 7, 24, 17, 35, 8, tzinfo=UTC)
    assert invoice.id == "239"
    assert invoice.customer_id == "1"
    assert invoice.number == "1070"
    assert invoice.document_date == date(2015, 7, 24)
    assert invoice.due_dates() == (date(2015, 8, 23),)
    assert invoice.due_date is None  # Net 30 gives that date: no override
    assert invoice.terms == NetTerms(days=30)  # through SalesTermRef 3
    assert invoice.currency == "USD"
    assert invoice.total == Money("150.00", "USD")
    assert invoice.status is DocumentStatus.ISSUED
    (line,) = invoice.lines  # the subtotal line is not an item line
    assert line.description == "Services"
    assert isinstance(line.unit_price.amount, Decimal)


def test_json_invoice_round_trips_through_the_record() -> None:
    source = decimal_json(INVOICE_JSON)
    body = record_to_invoice(invoice_to_record(source, CONTEXT), CONTEXT)
    for key in ("Id", "SyncToken", "DocNumber", "TxnDate", "DueDate", "CustomerRef", "TotalAmt"):
        assert str(body[key] if key != "CustomerRef" else body[key]["value"]) == str(
            source[key] if key != "CustomerRef" else source[key]["value"]
        ).replace("150.0", "150.00")
    assert body["SalesTermRef"] == {"value": "3"}
    assert body["CurrencyRef"]["value"] == "USD"
    assert [line["Amount"] for line in body["Line"]] == [Decimal("150.00")]
    assert body["TxnTaxDetail"]["TotalTax"] == Decimal("0.00")


def test_record_round_trips_through_quickbooks_json() -> None:
    invoice = Invoice(
        company_id="acme",
        id="77",
        customer_id="5",
        currency="USD",
        number="INV-9",
        document_date=date(2026, 1, 31),
        terms=NetTerms(days=30, discount=Discount(percent=2, days=10)),
        lines=[
            InvoiceLine(
                description="Hours", quantity=Decimal("1.5"), unit_price=Money("80", "USD")
            ),
            InvoiceLine(
                description="Widget",
                quantity=Decimal(3),
                unit_price=Money("19.99", "USD"),
                tax_rate=Decimal("8.25"),
            ),
        ],
        tax_rounding="document",
        status=DocumentStatus.ISSUED,
    )
    record = Record(entity="invoice", external_id="77", version="4", document=invoice)
    terms = NamedTerms(id="8", name="2% 10 Net 30", terms=invoice.terms)
    context = MappingContext(company_id="acme", terms={"8": terms})
    body = record_to_invoice(record, context, item_id="21")
    assert body["SalesTermRef"] == {"value": "8"}
    assert body["DueDate"] == "2026-03-02"
    assert body["Line"][0]["SalesItemLineDetail"]["ItemRef"] == {"value": "21"}
    assert body["Line"][1]["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "TAX"}
    # QuickBooks answers with the same object, plus the balance and the tax detail.
    answer = {**body, "Balance": body["TotalAmt"]}
    back = _invoice(invoice_to_record(answer, context))
    assert back.total == invoice.total == Money("184.92", "USD")
    assert back.tax_total == invoice.tax_total
    assert back.terms == invoice.terms
    assert [(line.quantity, line.unit_price, line.tax_rate) for line in back.lines] == [
        (line.quantity, line.unit_price, line.tax_rate) for line in invoice.lines
    ]
    assert back.status is DocumentStatus.ISSUED


def test_real_invoice_with_tax_reproduces_total_tax_exactly() -> None:
    (invoice_103, deleted) = entities("change_data_capture_response.xml", "Invoice")
    record = invoice_to_record(invoice_103, CONTEXT)
    invoice = _invoice(record)
    assert invoice.tax_total == Money("46.60", "USD")
    assert invoice.total == Money("629.10", "USD")
    assert [line.quantity for line in invoice.lines] == [Decimal(1), Decimal("3.5"), Decimal(2)]
    assert invoice.status is DocumentStatus.PAID  # Balance 0
    assert invoice_to_record(deleted, CONTEXT).deleted


def test_real_invoice_with_discount_line_spreads_the_discount() -> None:
    invoice = _invoice(
        invoice_to_record(
            entity("invoice_with_discount_line_item_response.xml", "Invoice"), CONTEXT
        )
    )
    assert invoice.total == Money("45.00", "USD")  # TotalAmt: 50.00 less the 10 % discount
    assert invoice.currency == "USD"  # no CurrencyRef: the home currency


def test_real_fetched_invoice_and_voided_invoice() -> None:
    fetched = _invoice(invoice_to_record(entity("fetch_invoice_by_id.xml", "Invoice"), CONTEXT))
    assert (fetched.number, fetched.customer_id, fetched.memo) == ("1001", "2", "Statement Memo")
    assert fetched.due_dates() == (date(2013, 11, 30),)
    voided = invoice_to_record(entity("invoice_void_success_response.xml", "Invoice"), CONTEXT)
    assert _invoice(voided).status is DocumentStatus.VOID


def test_voided_invoice_lines_are_rebuilt_from_quantity_and_price() -> None:
    source = decimal_json(INVOICE_JSON)
    line = source["Line"][0]
    line["SalesItemLineDetail"].update(Qty=Decimal(3), UnitPrice=Decimal("50.00"))
    source["Line"] = [{**line, "Amount": 0}]
    source.update(TotalAmt=0, Balance=0, PrivateNote="Voided")
    invoice = _invoice(invoice_to_record(source, CONTEXT))
    assert invoice.status is DocumentStatus.VOID
    assert invoice.total == Money("150.00", "USD")


def test_voided_invoice_with_zero_amounts_is_a_deleted_record() -> None:
    source = decimal_json(INVOICE_JSON)
    source["Line"] = [{**source["Line"][0], "Amount": 0}]
    source.update(TotalAmt=0, Balance=0, PrivateNote="Voided")
    record = invoice_to_record(source, CONTEXT)
    assert record.document is None
    assert record.deleted  # QuickBooks no longer states what it was
    assert record.version == "0"


def test_due_date_other_than_the_terms_give_is_an_override() -> None:
    source = decimal_json(INVOICE_JSON)
    source["DueDate"] = "2015-08-30"
    invoice = _invoice(invoice_to_record(source, CONTEXT))
    assert invoice.terms == NetTerms(days=30)
    assert invoice.due_date == date(2015, 8, 30)
    assert record_to_invoice(invoice_to_record(source, CONTEXT), CONTEXT)["DueDate"] == "2015-08-30"


def test_total_disagreeing_with_totalamt_is_refused() -> None:
    source = decimal_json(INVOICE_JSON)
    source["TotalAmt"] = Decimal("151.00")
    with pytest.raises(QuickBooksMappingError, match="TotalAmt"):
        invoice_to_record(source, CONTEXT)


def test_float_amount_is_refused() -> None:
    import json

    with pytest.raises(QuickBooksMappingError, match="float"):
        invoice_to_record(json.loads(INVOICE_JSON), CONTEXT)


def test_partially_paid_from_balance() -> None:
    source = decimal_json(INVOICE_JSON)
    source["Balance"] = Decimal("50.00")
    assert _invoice(invoice_to_record(source, CONTEXT)).status is DocumentStatus.PARTIALLY_PAID


def test_unit_price_with_more_places_than_the_currency_is_kept() -> None:
    source = decimal_json(INVOICE_JSON)
    line = source["Line"][0]
    line["Amount"] = Decimal("50.00")
    line["SalesItemLineDetail"].update(Qty=Decimal("1.5"), UnitPrice=Decimal("33.333"))
    source["Line"] = [line]
    source.update(TotalAmt=Decimal("50.00"), Balance=Decimal("50.00"))
    (kept,) = _invoice(invoice_to_record(source, CONTEXT)).lines
    assert (kept.quantity, kept.unit_price.amount) == (Decimal("1.5"), Decimal("33.333"))
