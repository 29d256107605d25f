"""Random command sequences against the ledger, checked against a model after every step.

A hypothesis ``RuleBasedStateMachine`` issues invoices and credit memos, records payments
and deposits, applies, unapplies, writes off, recovers, refunds, voids, verifies deposits,
closes periods and replays commands, with dates drawn from one quarter so that back-dated
entries are common. A plain model keeps every document's dated balance movements and
decides independently whether each command is legal; the ledger must agree, and after every
step every invariant of domain.md is checked on the store, as of today and as of a past date.

It runs on both backends; each example works in a company of its own (a fresh company id),
which also checks that companies never see each other's rows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from arcore.documents import (
    CreditMemo,
    Customer,
    CustomerDeposit,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    Refund,
)
from arcore.errors import ArcoreError
from arcore.ledger import DEFAULT_CODES, AccountRole, Ledger, Posted
from arcore.money import Money
from arcore.reports import AgingBasis, age, aging_from_store
from arcore.store import SqlStore

START = date(2026, 1, 1)
DAYS = 90
CUSTOMERS = {"parent": "USD", "child": "USD", "yen": "JPY"}
PARENT_OF = {"child": "parent"}
AR = DEFAULT_CODES[AccountRole.AR_CONTROL]
UNAPPLIED = DEFAULT_CODES[AccountRole.UNAPPLIED_CASH]
DEPOSITS = DEFAULT_CODES[AccountRole.CUSTOMER_DEPOSITS]
RECEIVABLE = ("invoice", "credit_memo")
CREDIT = ("credit_memo", "payment", "customer_deposit")

days = st.integers(min_value=0, max_value=DAYS).map(lambda n: START + timedelta(days=n))
units = st.integers(min_value=1, max_value=50_000)
# Days after the later document's date: mostly after it, sometimes before (refused).
offsets = st.integers(min_value=-3, max_value=30)
companies = itertools.count()


@dataclass
class Doc:
    """The model of one document: its face amount and dated movements of what is open."""

    kind: str
    customer: str | None
    currency: str
    dated: date
    total: int  # minor units
    moves: list[tuple[date, int]] = field(default_factory=list)  # Δ of what is open
    written_off: list[tuple[date, int]] = field(default_factory=list)  # bad debt net
    verified: bool = False
    void: bool = False
    refunds: str | None = None  # for a refund: the credit it pays back

    def open_as_of(self, day: date | None = None) -> int:
        return self.total + sum(d for when, d in self.moves if day is None or when <= day)

    def bounded(self, moves: list[tuple[date, int]], low: int, high: int) -> bool:
        running = 0
        for day in sorted({when for when, _ in moves}):
            running += sum(d for when, d in moves if when == day)
            if not low <= running <= high:
                return False
        return True

    def fits(self, extra: list[tuple[date, int]]) -> bool:
        """Would what is open stay in 0..total on every date with ``extra`` movements?"""
        moves = [(self.dated, self.total), *self.moves, *extra]
        return self.bounded(moves, 0, self.total)


@dataclass
class App:
    source: str
    target: str
    amount: int
    write_off: int
    dated: date
    live: bool = True


def money(minor: int, currency: str) -> Money:
    return Money.from_minor_units(minor, currency)


class LedgerMachine(RuleBasedStateMachine):
    """See the module documentation."""

    store: SqlStore

    def __init__(self) -> None:
        super().__init__()
        self.company = f"co-{next(companies)}"
        self.ledger = Ledger(self.store, self.company)
        self.ledger.open_books(f"Company {self.company}", actor="test", idempotency_key="open")
        for customer_id, currency in CUSTOMERS.items():
            self.ledger.add_customer(
                Customer(
                    company_id=self.company,
                    id=customer_id,
                    name=customer_id.title(),
                    currency=currency,
                    parent_id=PARENT_OF.get(customer_id),
                ),
                actor="test",
                idempotency_key=f"customer:{customer_id}",
            )
        self.docs: dict[str, Doc] = {}
        self.apps: dict[str, App] = {}
        self.closed: date | None = None
        self.closes = 0
        self.done: list[tuple[str, dict[str, Any]]] = []  # successful commands, to replay
        self.keys = itertools.count()
        self.as_of = START + timedelta(days=45)

    # --- running a command on both sides ---------------------------------------------------

    def run(self, legal: bool, command: str, **kwargs: Any) -> bool:
        """Run ``command``; the ledger must accept it exactly when the model says it's legal."""
        kwargs = {"actor": "test", "idempotency_key": f"k{next(self.keys)}", **kwargs}
        before = self.entry_count()
        refused: ArcoreError | None = None
        try:
            posted: Posted = getattr(self.ledger, command)(**kwargs)
        except ArcoreError as error:
            refused = error
        if refused is not None:
            assert not legal, f"{command} {kwargs} refused: {refused}"
            assert self.entry_count() == before, "a refused command changed the journal"
            return False
        assert legal, f"{command} {kwargs} accepted, but the model says it is illegal"
        assert not posted.replayed
        self.done.append((command, kwargs))
        return True

    def entry_count(self) -> int:
        return sum(1 for _ in self.ledger.journal())

    def open_period(self, day: date) -> bool:
        return self.closed is None or day > self.closed

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{len(self.docs) + 1}"

    def pick(self, data: st.DataObject, kinds: tuple[str, ...]) -> str | None:
        ids = sorted(i for i, doc in self.docs.items() if doc.kind in kinds)
        return data.draw(st.sampled_from(ids)) if ids else None

    # --- rules ---------------------------------------------------------------------------------

    @initialize(
        invoices=st.lists(
            st.tuples(st.sampled_from(sorted(CUSTOMERS)), days, units), min_size=2, max_size=4
        ),
        receipts=st.lists(
            st.tuples(st.sampled_from(sorted(CUSTOMERS)), days, units), min_size=2, max_size=4
        ),
    )
    def seed(
        self, invoices: list[tuple[str, date, int]], receipts: list[tuple[str, date, int]]
    ) -> None:
        for customer, day, amount in invoices:
            self.issue(customer, day, amount, memo=False)
        for customer, day, amount in receipts:
            self.receive(customer, day, amount, deposit=False)

    @rule(customer=st.sampled_from(sorted(CUSTOMERS)), day=days, amount=units, memo=st.booleans())
    def issue(self, customer: str, day: date, amount: int, memo: bool) -> None:
        currency = CUSTOMERS[customer]
        doc_id = self.new_id("cm" if memo else "inv")
        common = {
            "company_id": self.company,
            "id": doc_id,
            "customer_id": customer,
            "currency": currency,
            "number": doc_id.upper(),
            "document_date": day,
        }
        document: Invoice | CreditMemo
        if memo:
            document = CreditMemo(**common, amount=money(amount, currency))
        else:
            document = Invoice(
                **common,
                terms="Net 30",
                lines=[
                    InvoiceLine(
                        description="Goods",
                        quantity=Decimal(1),
                        unit_price=money(amount, currency),
                    )
                ],
            )
        if self.run(self.open_period(day), "issue", document=document):
            kind = "credit_memo" if memo else "invoice"
            self.docs[doc_id] = Doc(kind, customer, currency, day, amount)

    @rule(
        customer=st.sampled_from([*sorted(CUSTOMERS), None]),
        day=days,
        amount=units,
        deposit=st.booleans(),
    )
    def receive(self, customer: str | None, day: date, amount: int, deposit: bool) -> None:
        if deposit and customer is None:
            customer = "parent"
        currency = CUSTOMERS[customer or "parent"]
        doc_id = self.new_id("dep" if deposit else "pay")
        common = {
            "company_id": self.company,
            "id": doc_id,
            "customer_id": customer,
            "currency": currency,
            "received_date": day,
            "amount": money(amount, currency),
            "method": "wire",
        }
        if deposit:
            ok = self.run(
                self.open_period(day), "receive_deposit", deposit=CustomerDeposit(**common)
            )
        else:
            ok = self.run(self.open_period(day), "record_payment", payment=Payment(**common))
        if ok:
            kind = "customer_deposit" if deposit else "payment"
            self.docs[doc_id] = Doc(kind, customer, currency, day, amount)

    def after(self, offset: int, *docs: Doc) -> date:
        return max(doc.dated for doc in docs) + timedelta(days=offset)

    @rule(
        data=st.data(),
        offset=offsets,
        fraction=st.integers(1, 105),
        write_off=st.sampled_from([0, 0, 0, 1, 250]),
        anyone=st.integers(0, 9),
    )
    def apply(
        self, data: st.DataObject, offset: int, fraction: int, write_off: int, anyone: int
    ) -> None:
        source_id = self.pick(data, CREDIT)
        if source_id is None:
            return
        source = self.docs[source_id]
        targets = sorted(
            i
            for i, doc in self.docs.items()
            if doc.kind == "invoice"
            # Mostly the customer's own invoices; now and then anyone's (often refused).
            and (anyone == 0 or source.customer in (None, doc.customer))
        )
        if not targets:
            return
        target_id = data.draw(st.sampled_from(targets))
        target = self.docs[target_id]
        day = self.after(offset, source, target)
        amount = max(1, min(source.open_as_of(), target.open_as_of()) * fraction // 100)
        payer_ok = source.customer in (None, target.customer) or (
            source.kind == "payment" and PARENT_OF.get(target.customer or "") == source.customer
        )
        legal = (
            not source.void
            and not target.void
            and source.currency == target.currency
            and payer_ok
            and day >= source.dated
            and day >= target.dated
            and self.open_period(day)
            and source.fits([(day, -amount)])
            and target.fits([(day, -amount - write_off)])
        )
        app_id = f"app{len(self.apps) + 1}"
        currency = target.currency
        if self.run(
            legal,
            "apply",
            source_id=source_id,
            target_id=target_id,
            amount=money(amount, currency),
            write_off=money(write_off, currency),
            on=day,
            application_id=app_id,
        ):
            source.moves.append((day, -amount))
            target.moves.append((day, -amount - write_off))
            self.apps[app_id] = App(source_id, target_id, amount, write_off, day)

    @rule(data=st.data(), offset=offsets)
    def unapply(self, data: st.DataObject, offset: int) -> None:
        live = sorted(i for i, app in self.apps.items() if app.live)
        if not live:
            return
        app_id = data.draw(st.sampled_from(live))
        app = self.apps[app_id]
        day = app.dated + timedelta(days=offset)
        source, target = self.docs[app.source], self.docs[app.target]
        legal = (
            day >= app.dated
            and self.open_period(day)
            and source.fits([(day, app.amount)])
            and target.fits([(day, app.amount + app.write_off)])
        )
        if self.run(legal, "unapply", application_id=app_id, on=day):
            app.live = False
            source.moves.append((day, app.amount))
            target.moves.append((day, app.amount + app.write_off))

    @rule(data=st.data(), offset=offsets, amount=units, bad_debt=st.booleans())
    def write_off(self, data: st.DataObject, offset: int, amount: int, bad_debt: bool) -> None:
        target_id = self.pick(data, ("invoice",))
        if target_id is None:
            return
        target = self.docs[target_id]
        day = self.after(offset, target)
        amount = min(amount, max(target.open_as_of(), 1))
        legal = not target.void and self.open_period(day) and target.fits([(day, -amount)])
        if self.run(
            legal,
            "write_off",
            document_id=target_id,
            amount=money(amount, target.currency),
            on=day,
            bad_debt=bad_debt,
        ):
            target.moves.append((day, -amount))
            if bad_debt:
                target.written_off.append((day, amount))

    @rule(data=st.data(), offset=offsets, amount=units)
    def recover(self, data: st.DataObject, offset: int, amount: int) -> None:
        target_id = self.pick(data, ("invoice",))
        if target_id is None:
            return
        target = self.docs[target_id]
        day = self.after(offset, target) + timedelta(days=15)
        written = sum(d for _, d in target.written_off)
        amount = min(amount, max(written, 1))
        legal = (
            not target.void
            and self.open_period(day)
            and target.fits([(day, amount)])
            and target.bounded([*target.written_off, (day, -amount)], 0, target.total)
        )
        if self.run(
            legal, "recover", document_id=target_id, amount=money(amount, target.currency), on=day
        ):
            target.moves.append((day, amount))
            target.written_off.append((day, -amount))

    @rule(data=st.data(), offset=offsets, fraction=st.integers(1, 110))
    def refund(self, data: st.DataObject, offset: int, fraction: int) -> None:
        source_id = self.pick(data, CREDIT)
        if source_id is None:
            return
        source = self.docs[source_id]
        day = self.after(offset, source)
        amount = max(1, source.open_as_of() * fraction // 100)
        customer = source.customer or "parent"
        legal = not source.void and self.open_period(day) and source.fits([(day, -amount)])
        refund_id = self.new_id("ref")
        refund = Refund(
            company_id=self.company,
            id=refund_id,
            customer_id=customer,
            currency=source.currency,
            document_date=day,
            amount=money(amount, source.currency),
            method="ach",
            refunds=source_id,
        )
        if self.run(legal, "refund", refund=refund):
            source.moves.append((day, -amount))
            self.docs[refund_id] = Doc(
                "refund", customer, source.currency, day, amount, refunds=source_id
            )

    @rule(data=st.data(), offset=offsets)
    def void(self, data: st.DataObject, offset: int) -> None:
        doc_id = self.pick(data, (*RECEIVABLE, "payment", "customer_deposit", "refund"))
        if doc_id is None:
            return
        doc = self.docs[doc_id]
        day = self.after(offset, doc)
        legal = not doc.void and day >= doc.dated and self.open_period(day)
        if doc.kind == "refund":
            credit = self.docs[doc.refunds or ""]
            legal = legal and credit.fits([(day, doc.total)])
        else:
            untouched = doc.open_as_of() == doc.total
            legal = legal and untouched and not doc.verified and doc.fits([(day, -doc.total)])
        if self.run(legal, "void", document_id=doc_id, on=day):
            doc.void = True
            if doc.kind == "refund":
                self.docs[doc.refunds or ""].moves.append((day, doc.total))
            else:
                doc.moves.append((day, -doc.total))

    @rule(data=st.data(), offset=offsets)
    def verify_deposit(self, data: st.DataObject, offset: int) -> None:
        receipt_id = self.pick(data, ("payment", "customer_deposit"))
        if receipt_id is None:
            return
        receipt = self.docs[receipt_id]
        day = self.after(offset, receipt)
        legal = (
            not receipt.void
            and not receipt.verified
            and day >= receipt.dated
            and self.open_period(day)
        )
        if self.run(legal, "verify_deposit", receipt_ids=[receipt_id], on=day):
            receipt.verified = True

    @precondition(lambda self: self.closes < 3)
    @rule(day=st.integers(min_value=0, max_value=40).map(lambda n: START + timedelta(days=n)))
    def close_period(self, day: date) -> None:
        self.closes += 1
        legal = self.closed is None or day >= self.closed
        if self.run(legal, "close_period", through=day):
            self.closed = day

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        if not self.done:
            return
        command, kwargs = data.draw(st.sampled_from(self.done))
        before = self.entry_count()
        posted: Posted = getattr(self.ledger, command)(**kwargs)
        assert posted.replayed
        assert self.entry_count() == before

    @rule(day=days)
    def look_back(self, day: date) -> None:
        self.as_of = day

    # --- invariants ----------------------------------------------------------------------------

    def signed(self, doc: Doc, day: date | None) -> int:
        """The balance the ledger shows for ``doc``: owed positive, credits negative."""
        if day is not None and doc.dated > day:
            return 0
        left = doc.open_as_of(day)
        return left if doc.kind == "invoice" else -left

    @invariant()
    def balances_match_the_model(self) -> None:
        for day in (None, self.as_of):
            shown = {
                item.document_id: item.balance.to_minor_units()
                for item in self.ledger.open_items(as_of=day)
            }
            for doc_id, doc in self.docs.items():
                if doc.kind == "refund":
                    continue
                left = doc.open_as_of(day) if day is None or doc.dated <= day else 0
                assert 0 <= left <= doc.total, f"{doc_id} open {left} as of {day}"  # inv. 2
                assert shown.get(doc_id, 0) == self.signed(doc, day), (doc_id, day)
            balances = self.ledger.account_balances(as_of=day)
            for currency in set(CUSTOMERS.values()):
                shown_total = {
                    account: by_currency[currency].to_minor_units()
                    for account, by_currency in balances.items()
                    if currency in by_currency
                }
                # Invariant 4, as of now and as of a past date (invariant 6).
                for account, kinds in (
                    (AR, RECEIVABLE),
                    (UNAPPLIED, ("payment",)),
                    (DEPOSITS, ("customer_deposit",)),
                ):
                    expected = sum(
                        self.signed(doc, day)
                        for doc in self.docs.values()
                        if doc.kind in kinds and doc.currency == currency
                    )
                    assert shown_total.get(account, 0) == expected, (account, currency, day)
                # Invariant 1: the trial balance nets to zero per currency.
                assert sum(shown_total.values()) == 0

    @invariant()
    def aging_from_the_closes_ages_the_open_items(self) -> None:
        """The store's aging (from closing balances after a close) ages the open items.

        The open items are checked against the model above; the aging reads the closing
        balances of the latest close on or before its date and the postings since.
        """
        for day in {self.as_of, self.closed or START, START + timedelta(days=DAYS)}:
            for basis in AgingBasis:
                expected = age(self.ledger.open_items(as_of=day), day, basis=basis)
                assert aging_from_store(self.store, self.company, day, basis=basis) == expected

    @invariant()
    def receipts_add_up(self) -> None:
        """Invariant 3: amount = Σ applications + unapplied remainder + Σ refunds."""
        for doc_id, doc in self.docs.items():
            if doc.kind != "payment" or doc.void:
                continue
            applied = sum(a.amount for a in self.apps.values() if a.live and a.source == doc_id)
            refunded = sum(
                r.total
                for r in self.docs.values()
                if r.kind == "refund" and r.refunds == doc_id and not r.void
            )
            remainder = self.ledger.document_balance(doc_id).to_minor_units()
            assert doc.total == applied + remainder + refunded

    @invariant()
    def statuses_follow_balances(self) -> None:
        for item_id, doc in self.docs.items():
            status = self.ledger.document(item_id).status
            if doc.void:
                assert status is DocumentStatus.VOID
            elif doc.kind == "refund" or doc.open_as_of() == doc.total:
                assert status is DocumentStatus.ISSUED
            elif doc.open_as_of() == 0:
                assert status in (DocumentStatus.PAID, DocumentStatus.WRITTEN_OFF)
            else:
                assert status is DocumentStatus.PARTIALLY_PAID


def test_ledger_keeps_every_invariant(store: SqlStore) -> None:
    machine = type("Machine", (LedgerMachine,), {"store": store})
    run_state_machine_as_test(
        machine,
        settings=settings(settings(), max_examples=30, stateful_step_count=40, deadline=None),
    )
