"""A quarter of daily dunning over a generated ledger, checked against an independent model.

The model below knows nothing of arcore.collections: for each item and day it works out which
steps are reached (due date + step days), whether the item is open, issued and undisputed on
that day, and applies "send the highest step not yet recorded, record the lower ones as
skipped". The store's dunning record after 90 daily runs must equal what the model predicts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from arcore.collections.disputes import Dispute
from arcore.collections.policy import DEFAULT_POLICY, PolicySet
from arcore.documents import Contact, Customer, Invoice, InvoiceLine, Payment
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import collections as records
from arcore.store.dunning import run_dunning
from arcore.store.schema import collection_dunning
from arcore.store.sql import SqlStore

from .conftest import COMPANY, outboxes

START, END = date(2026, 1, 1), date(2026, 3, 31)
STEPS = [(s.name, s.days) for s in DEFAULT_POLICY.steps]


@dataclass
class Item:
    id: str
    customer: str
    issued: date
    days: int  # Net N
    amount: int  # whole dollars
    paid: date | None  # paid in full on
    disputed: tuple[date, date] | None  # opened, resolved (rejected)

    @property
    def due(self) -> date:
        return self.issued + timedelta(days=self.days)


def generate(seed: int) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for n in range(14):
        issued = START - timedelta(days=40) + timedelta(days=rng.randrange(0, 100))
        days = rng.choice([0, 15, 30, 45])
        due = issued + timedelta(days=days)
        paid = due + timedelta(days=rng.randrange(-5, 60)) if rng.random() < 0.5 else None
        if paid is not None and paid < issued:
            paid = issued
        disputed = None
        if rng.random() < 0.3:
            opened = max(issued, START) + timedelta(days=rng.randrange(0, 40))
            disputed = (opened, opened + timedelta(days=rng.randrange(1, 30)))
        items.append(
            Item(f"inv-{n}", f"c-{n % 4}", issued, days, rng.randrange(50, 5000), paid, disputed)
        )
    return items


def expected(items: list[Item]) -> set[tuple[str, str, str, date]]:
    """(item, step, sent|skipped, day) the model predicts."""
    found: set[tuple[str, str, str, date]] = set()
    for item in items:
        recorded: set[str] = set()
        day = START
        while day <= END:
            open_ = item.issued <= day and (item.paid is None or item.paid > day)
            disputed = item.disputed is not None and item.disputed[0] <= day < item.disputed[1]
            reached = [name for name, days in STEPS if item.due + timedelta(days=days) <= day]
            pending = [name for name in reached if name not in recorded]
            if open_ and not disputed and pending:
                *lower, top = pending
                for name in lower:
                    found.add((item.id, name, "skipped", day))
                found.add((item.id, top, "sent", day))
                recorded.update(pending)
            day += timedelta(days=1)
    return found


def _books(store: SqlStore) -> Ledger:
    ledger = Ledger(store, COMPANY, clock=lambda: datetime(2026, 4, 1, tzinfo=UTC))
    ledger.open_books("Acme", actor="sim", idempotency_key="open")
    for n in range(4):
        ledger.add_customer(
            Customer(
                company_id=COMPANY, id=f"c-{n}", name=f"Customer {n}", currency="USD",
                contacts=(Contact(name="AP", email=f"ap@c{n}.example"),),
            ),
            actor="sim", idempotency_key=f"c-{n}",
        )  # fmt: skip
    return ledger


def test_a_quarter_of_daily_dunning_matches_the_model(store: SqlStore) -> None:
    items = generate(seed=20260101)
    ledger = _books(store)
    boxes = outboxes()
    policies = PolicySet(default=DEFAULT_POLICY)
    day = START - timedelta(days=40)
    while day <= END:
        for item in items:
            if item.issued == day:
                ledger.issue(
                    Invoice(
                        company_id=COMPANY, id=item.id, customer_id=item.customer,
                        currency="USD", number=item.id.upper(), document_date=day,
                        terms=f"Net {item.days}",
                        lines=[InvoiceLine(description="x", quantity=1,
                                           unit_price=Money(item.amount, "USD"))],
                    ),
                    actor="sim", idempotency_key=f"issue:{item.id}",
                )  # fmt: skip
            if item.paid == day:
                ledger.record_payment(
                    Payment(company_id=COMPANY, id=f"pay-{item.id}", customer_id=item.customer,
                            currency="USD", received_date=day, amount=Money(item.amount, "USD"),
                            method="ach"),
                    actor="sim", idempotency_key=f"pay:{item.id}",
                )  # fmt: skip
                ledger.apply(
                    f"pay-{item.id}", item.id, Money(item.amount, "USD"), on=day,
                    actor="sim", idempotency_key=f"apply:{item.id}",
                )  # fmt: skip
            if (
                item.disputed is not None
                and item.disputed[0] == day
                and (item.paid is None or item.paid > day)
            ):
                records.open_dispute(
                    store, ledger,
                    Dispute(id=f"d-{item.id}", document_id=item.id, customer_id=item.customer,
                            amount=Money(item.amount, "USD"), reason_code="quality", owner="qa",
                            opened_on=day),
                    actor="sim", at=datetime.combine(day, time(8), UTC),
                )  # fmt: skip
            if (
                item.disputed is not None
                and item.disputed[1] == day
                and records.disputes(store, COMPANY, document_id=item.id)
            ):
                records.resolve_dispute(
                    store, ledger, f"d-{item.id}", "rejected", on=day, actor="sim",
                    at=datetime.combine(day, time(8), UTC),
                )  # fmt: skip
        if day >= START:
            report = run_dunning(
                store, COMPANY, as_of=day, at=datetime.combine(day, time(7), UTC),
                policies=policies, channels=boxes, attach_statement=False,
            )  # fmt: skip
            assert report.failures == ()
        day += timedelta(days=1)

    # a dispute opened after the item was paid is never opened: the model must agree
    for item in items:
        if item.disputed is not None and item.paid is not None and item.paid <= item.disputed[0]:
            item.disputed = None
    t = collection_dunning
    with store.session(COMPANY, write=False) as session:
        rows = session.connection.execute(select(t.c.document_id, t.c.step, t.c.outcome, t.c.as_of))
        got = {(r[0], r[1], r[2], r[3]) for r in rows}
    want = expected(items)
    assert got == want
    assert any(outcome == "skipped" for _, _, outcome, _ in want)  # the first run skips some
    sends = {(d, s, day) for d, s, outcome, day in want if outcome == "sent"}
    assert len(sends) > 10
    # each message (customer, step, day) is one interaction of the dunning actor
    by_customer = {item.id: item.customer for item in items}
    messages = {(by_customer[d], s, day) for d, s, day in sends}
    logged = [i for i in records.interactions(store, COMPANY) if i.collector == "dunning"]
    assert len(logged) == len(messages)
    sent = sum(len(box.sent) for box in boxes.values())
    assert sent == len(messages)
