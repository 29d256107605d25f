"""Books with customers and invoices for the collections tests, and a recording channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from arcore.collections.channels import Delivery, Message
from arcore.documents import Contact, Customer, Invoice, InvoiceLine
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store.sql import SqlStore

COMPANY = "acme"
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, inside working hours


def usd(amount: str) -> Money:
    return Money(amount, "USD")


@dataclass
class Outbox:
    """A channel that keeps what it is given (a test double of the Channel protocol)."""

    name: str
    sent: list[Message] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)

    def send(self, message: Message) -> Delivery:
        from arcore.errors import TransientError

        if message.customer_id in self.fail_for:
            raise TransientError("the test server is down", hint="try later", system="test")
        self.sent.append(message)
        return Delivery(channel=self.name, reference=f"{self.name}-{len(self.sent)}")


def outboxes() -> dict[str, Outbox]:
    return {name: Outbox(name) for name in ("email", "phone", "letter")}


def as_channels(boxes: Mapping[str, Outbox]) -> dict[str, Outbox]:
    return dict(boxes)


def invoice(customer_id: str, id: str, issued: date, amount: str, terms: str = "Net 30") -> Invoice:
    return Invoice(
        company_id=COMPANY,
        id=id,
        customer_id=customer_id,
        currency="USD",
        number=id.upper(),
        document_date=issued,
        terms=terms,
        lines=[InvoiceLine(description="Services", quantity=1, unit_price=usd(amount))],
    )


@pytest.fixture
def ledger(store: SqlStore) -> Ledger:
    """Acme's books: Globex (two invoices due 31 Jan and 28 Feb) and Initech (one)."""
    books = Ledger(store, COMPANY, clock=lambda: AT)
    books.open_books("Acme Inc.", actor="ana", idempotency_key="open")
    for cid, name in (("c-1", "Globex"), ("c-2", "Initech")):
        books.add_customer(
            Customer(
                company_id=COMPANY,
                id=cid,
                name=name,
                currency="USD",
                contacts=(
                    Contact(name=f"AP {name}", email=f"ap@{cid}.example", phone="+1 555 0100"),
                ),
            ),
            actor="ana",
            idempotency_key=f"cust:{cid}",
        )
    for inv in (
        invoice("c-1", "inv-1", date(2026, 1, 1), "1000.00"),  # due 2026-01-31
        invoice("c-1", "inv-2", date(2026, 1, 29), "200.00"),  # due 2026-02-28
        invoice("c-2", "inv-3", date(2026, 1, 1), "300.00"),  # due 2026-01-31
    ):
        books.issue(inv, actor="ana", idempotency_key=f"issue:{inv.id}")
    return books
