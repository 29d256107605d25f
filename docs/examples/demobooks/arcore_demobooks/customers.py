"""DemoBooks customers ⇄ arcore ``Customer`` records.

A DemoBooks customer::

    {"id": "C-1", "version": "3", "modified_at": "2026-01-01T00:00:04Z",
     "name": "Blue Ox Ltd", "currency": "USD", "terms": "Net 30", "credit_limit": 5000.00}
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arcore.adapter import Record
from arcore.documents import Customer
from arcore.money import Money
from arcore.terms import parse_terms

PATH = "/v1/customers"
"""Where DemoBooks keeps them."""


def to_record(data: dict[str, Any], company_id: str) -> Record:
    """The record of a DemoBooks customer (amounts already ``Decimal``: see ``parse_json``)."""
    limit = data.get("credit_limit")
    return Record(
        entity="customer",
        external_id=data["id"],
        version=data["version"],
        updated_at=datetime.fromisoformat(data["modified_at"]),
        document=Customer(
            company_id=company_id,
            id=data["id"],
            name=data["name"],
            currency=data["currency"],
            terms=parse_terms(data.get("terms") or "Net 30"),
            credit_limit=None if limit is None else Money(limit, data["currency"]),
        ),
    )


def to_vendor(record: Record) -> dict[str, Any]:
    """The DemoBooks JSON of a customer record (what a create or an update sends)."""
    customer = record.document
    if not isinstance(customer, Customer):
        raise TypeError(f"a customer record holds a Customer, not {type(customer).__name__}")
    return {
        "name": customer.name,
        "currency": customer.currency,
        "terms": str(customer.terms),
        "credit_limit": customer.credit_limit.amount if customer.credit_limit else None,
    }
