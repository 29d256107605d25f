"""DemoBooks invoices ⇄ arcore ``Invoice`` records.

A DemoBooks invoice::

    {"id": "I-7", "version": "1", "modified_at": "2026-01-01T00:00:09Z", "status": "open",
     "customer_id": "C-1", "number": "INV-1042", "date": "2026-01-31", "currency": "USD",
     "terms": "2/10 Net 30", "memo": "",
     "lines": [{"description": "Widget", "quantity": 3, "unit_price": 19.99, "tax_rate": 8.25}]}

``status`` is ``open`` or ``void``; DemoBooks has no drafts, so every invoice it holds is issued.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arcore.adapter import Record
from arcore.documents import DocumentStatus, Invoice, InvoiceLine
from arcore.money import Money
from arcore.terms import parse_terms

PATH = "/v1/invoices"
"""Where DemoBooks keeps them."""

STATUSES = {"open": DocumentStatus.ISSUED, "void": DocumentStatus.VOID}
"""DemoBooks status → arcore status."""


def to_record(data: dict[str, Any], company_id: str) -> Record:
    """The record of a DemoBooks invoice (amounts already ``Decimal``: see ``parse_json``)."""
    currency = data["currency"]
    return Record(
        entity="invoice",
        external_id=data["id"],
        version=data["version"],
        updated_at=datetime.fromisoformat(data["modified_at"]),
        document=Invoice(
            company_id=company_id,
            id=data["id"],
            customer_id=data["customer_id"],
            number=data["number"],
            document_date=date.fromisoformat(data["date"]),
            currency=currency,
            terms=parse_terms(data["terms"]),
            status=STATUSES[data["status"]],
            memo=data.get("memo", ""),
            lines=tuple(
                InvoiceLine(
                    description=line["description"],
                    quantity=line["quantity"],
                    unit_price=Money(line["unit_price"], currency),
                    tax_rate=line.get("tax_rate", 0),
                )
                for line in data["lines"]
            ),
        ),
    )


def to_vendor(record: Record) -> dict[str, Any]:
    """The DemoBooks JSON of an invoice record (what a create or an update sends)."""
    invoice = record.document
    if not isinstance(invoice, Invoice):
        raise TypeError(f"an invoice record holds an Invoice, not {type(invoice).__name__}")
    return {
        "customer_id": invoice.customer_id,
        "number": invoice.number,
        "date": invoice.document_date.isoformat(),
        "currency": invoice.currency,
        "terms": str(invoice.terms),
        "memo": invoice.memo,
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price.amount,
                "tax_rate": line.tax_rate,
            }
            for line in invoice.lines
        ],
    }
