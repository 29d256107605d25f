"""Objects for the sync tests: vendor-side and core-side customers and documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from arcore.documents import (
    CreditMemo,
    Customer,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
)
from arcore.money import Money

COMPANY = "acme"


def usd(text: str) -> Money:
    return Money(text, "USD")


def customer(id: str, name: str, *, company: str = "vendor", **more: Any) -> Customer:
    return Customer(company_id=company, id=id, name=name, currency="USD", **more)


def invoice(
    id: str,
    customer_id: str,
    amount: str,
    *,
    number: str | None = None,
    company: str = "vendor",
    on: date = date(2026, 1, 5),
) -> Invoice:
    return Invoice(
        company_id=company,
        id=id,
        customer_id=customer_id,
        currency="USD",
        number=number or f"INV-{id}",
        document_date=on,
        terms="Net 30",
        status=DocumentStatus.ISSUED if company == "vendor" else DocumentStatus.DRAFT,
        lines=[InvoiceLine(description="Widgets", quantity=Decimal(1), unit_price=usd(amount))],
    )


def credit_memo(
    id: str, customer_id: str, amount: str, *, corrects: str | None = None, company: str = "vendor"
) -> CreditMemo:
    return CreditMemo(
        company_id=company,
        id=id,
        customer_id=customer_id,
        currency="USD",
        number=f"CM-{id}",
        document_date=date(2026, 1, 10),
        amount=usd(amount),
        corrects=corrects,
        status=DocumentStatus.ISSUED if company == "vendor" else DocumentStatus.DRAFT,
    )


def payment(
    id: str, customer_id: str, amount: str, *, company: str = "vendor", on: date = date(2026, 1, 20)
) -> Payment:
    return Payment(
        company_id=company,
        id=id,
        customer_id=customer_id,
        currency="USD",
        received_date=on,
        amount=usd(amount),
        method="check",
        status=DocumentStatus.ISSUED if company == "vendor" else DocumentStatus.DRAFT,
    )
