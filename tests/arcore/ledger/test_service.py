"""The ledger service on both store backends: what an AR team relies on, example by example.

Every test runs once on SQLite and once on PostgreSQL (the ``store`` fixture). Expected
amounts were worked out by hand; the comment next to each case shows how. Accounts are the
default chart (``DEFAULT_CODES``): 1000 bank, 1150 undeposited funds, 1200 AR control, 1290
allowance, 2150 unapplied cash, 2200 sales tax payable, 2300 customer deposits, 4000
revenue, 4200 fee income, 4900 sales returns, 4950 sales discounts, 6900 write-off expense.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select, text

from arcore.documents import (
    CreditMemo,
    Customer,
    CustomerDeposit,
    DebitMemo,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    Refund,
)
from arcore.errors import (
    ConflictError,
    CurrencyMismatchError,
    IllegalTransitionError,
    InvalidAmountError,
    NotFoundError,
    TermsError,
    ValidationError,
)
from arcore.ledger import DEFAULT_CODES, AccountRole, EntryKind, JournalEntry, Ledger, Posted
from arcore.money import Money
from arcore.store import SqlStore
from arcore.store.schema import closing_balances, journal_entries, metadata, postings
from arcore.terms import parse_terms

COMPANY = "acme"
RECORDED_AT = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
_R = AccountRole
BANK = DEFAULT_CODES[_R.BANK]  # 1000
UNDEPOSITED = DEFAULT_CODES[_R.UNDEPOSITED_FUNDS]  # 1150
AR = DEFAULT_CODES[_R.AR_CONTROL]  # 1200
ALLOWANCE = DEFAULT_CODES[_R.ALLOWANCE]  # 1290
UNAPPLIED = DEFAULT_CODES[_R.UNAPPLIED_CASH]  # 2150
TAX = DEFAULT_CODES[_R.SALES_TAX_PAYABLE]  # 2200
DEPOSITS = DEFAULT_CODES[_R.CUSTOMER_DEPOSITS]  # 2300
REVENUE = DEFAULT_CODES[_R.REVENUE]  # 4000
FEES = DEFAULT_CODES[_R.FEE_INCOME]  # 4200
RETURNS = DEFAULT_CODES[_R.SALES_RETURNS]  # 4900
DISCOUNTS = DEFAULT_CODES[_R.SALES_DISCOUNTS]  # 4950
WRITE_OFFS = DEFAULT_CODES[_R.WRITE_OFF_EXPENSE]  # 6900
S = DocumentStatus


def test_default_chart_numbers() -> None:
    # The hand-worked expectations below read the codes through DEFAULT_CODES; pin them once.
    assert (BANK, UNDEPOSITED, AR, ALLOWANCE, UNAPPLIED, TAX, DEPOSITS) == (
        "1000", "1150", "1200", "1290", "2150", "2200", "2300",
    )  # fmt: skip
    assert (REVENUE, FEES, RETURNS, DISCOUNTS, WRITE_OFFS) == (
        "4000", "4200", "4900", "4950", "6900",
    )  # fmt: skip


# --- building blocks -----------------------------------------------------------------------


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def key() -> str:
    """A fresh idempotency key, for commands whose key does not matter to the test."""
    return f"k-{uuid.uuid4().hex}"


def customer(
    customer_id: str, *, company: str = COMPANY, parent: str | None = None, exempt: bool = False
) -> Customer:
    return Customer(
        company_id=company,
        id=customer_id,
        name=f"Customer {customer_id}",
        currency="USD",
        parent_id=parent,
        tax_exempt=exempt,
        resale_certificate="CA-SR-0042" if exempt else None,
    )


def invoice(
    invoice_id: str,
    amount: str = "100.00",
    *,
    on: date = date(2026, 1, 1),
    customer_id: str = "c-1",
    terms: str = "Net 30",
    number: str | None = None,
    currency: str = "USD",
    tax_rate: Decimal = Decimal(0),
    company: str = COMPANY,
) -> Invoice:
    """A one-line invoice of ``amount`` (before tax)."""
    return Invoice(
        company_id=company,
        id=invoice_id,
        customer_id=customer_id,
        currency=currency,
        number=number or invoice_id.upper(),
        document_date=on,
        terms=parse_terms(terms),
        lines=(
            InvoiceLine(
                description="Widgets",
                quantity=Decimal(1),
                unit_price=Money(amount, currency),
                tax_rate=tax_rate,
            ),
        ),
    )


def payment(
    payment_id: str,
    amount: str,
    *,
    on: date,
    customer_id: str | None = "c-1",
    currency: str = "USD",
    company: str = COMPANY,
) -> Payment:
    return Payment(
        company_id=company,
        id=payment_id,
        customer_id=customer_id,
        currency=currency,
        received_date=on,
        amount=Money(amount, currency),
        method=PaymentMethod.CHECK,
    )


def credit_memo(
    memo_id: str, amount: str, *, on: date, tax: str = "0.00", customer_id: str = "c-1"
) -> CreditMemo:
    return CreditMemo(
        company_id=COMPANY,
        id=memo_id,
        customer_id=customer_id,
        currency="USD",
        number=memo_id.upper(),
        document_date=on,
        amount=usd(amount),
        tax=usd(tax),
    )


def deposit(deposit_id: str, amount: str, *, on: date, customer_id: str = "c-1") -> CustomerDeposit:
    return CustomerDeposit(
        company_id=COMPANY,
        id=deposit_id,
        customer_id=customer_id,
        currency="USD",
        received_date=on,
        amount=usd(amount),
        method=PaymentMethod.WIRE,
    )


def refund(
    refund_id: str, refunds: str, amount: str, *, on: date, customer_id: str = "c-1"
) -> Refund:
    return Refund(
        company_id=COMPANY,
        id=refund_id,
        customer_id=customer_id,
        currency="USD",
        document_date=on,
        amount=usd(amount),
        method=PaymentMethod.ACH,
        refunds=refunds,
    )


def issue(ledger: Ledger, document: Invoice | DebitMemo | CreditMemo) -> Posted:
    return ledger.issue(document, actor="ana", idempotency_key=f"issue:{document.id}")


def receive(ledger: Ledger, receipt: Payment | CustomerDeposit) -> Posted:
    if isinstance(receipt, Payment):
        return ledger.record_payment(receipt, actor="ana", idempotency_key=f"pay:{receipt.id}")
    return ledger.receive_deposit(receipt, actor="ana", idempotency_key=f"dep:{receipt.id}")


def apply(
    ledger: Ledger, source: str, target: str, amount: str, *, on: date, **extra: Any
) -> Posted:
    return ledger.apply(
        source, target, usd(amount), on=on, actor="ana", idempotency_key=key(), **extra
    )


def by_account(entry: JournalEntry) -> dict[str, str]:
    """Σ amounts per account of one entry, as text (debits positive)."""
    sums: dict[str, Money] = {}
    for posting in entry.postings:
        current = sums.get(posting.account, Money.zero(posting.amount.currency))
        sums[posting.account] = current + posting.amount
    return {account: str(amount) for account, amount in sums.items()}


def lines(entry: JournalEntry) -> set[tuple[str, str, str | None, str | None, str | None]]:
    """Each posting as (account, amount, customer, document, source)."""
    return {
        (p.account, str(p.amount), p.customer_id, p.document_id, p.source_id)
        for p in entry.postings
    }


def account(ledger: Ledger, code: str, *, as_of: date | None = None) -> Money:
    """The USD balance of one account (zero when it has no postings)."""
    return ledger.account_balances(as_of=as_of).get(code, {}).get("USD", usd("0"))


def kinds(entries: Iterable[JournalEntry]) -> list[str]:
    return [entry.kind.value for entry in entries]


def dump(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every arcore table, in a stable order."""
    with store.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in metadata.sorted_tables
        }


def count_rows(store: SqlStore) -> tuple[int, int]:
    """(journal entries, postings) of the whole store."""
    with store.engine.connect() as connection:
        entries = connection.scalar(select(func.count()).select_from(journal_entries))
        lines_ = connection.scalar(select(func.count()).select_from(postings))
    return int(entries or 0), int(lines_ or 0)


def open_ledger(store: SqlStore, company: str = COMPANY) -> Ledger:
    ledger = Ledger(store, company, clock=lambda: RECORDED_AT)
    ledger.open_books(f"{company} Inc.", actor="ana", idempotency_key="open")
    for entry in (
        customer("c-1", company=company),
        customer("c-2", company=company),
        customer("parent", company=company),
        customer("sub", company=company, parent="parent"),
        customer("exempt", company=company, exempt=True),
    ):
        ledger.add_customer(entry, actor="ana", idempotency_key=f"customer:{entry.id}")
    return ledger


@pytest.fixture
def ledger(store: SqlStore) -> Ledger:
    """acme's books, open, with customers c-1, c-2, parent, sub (of parent) and exempt."""
    return open_ledger(store)


# --- issuing documents ---------------------------------------------------------------------


def test_issue_invoice_posts_ar_revenue_and_tax_and_stores_it(ledger: Ledger) -> None:
    # 10 × 10.00 at 8.25 % = 100.00 + 8.25 tax; 3 × 4.99 to account 4100 = 14.97, no tax.
    # Total 123.22: Dr 1200 123.22 / Cr 4000 100.00, Cr 4100 14.97, Cr 2200 8.25.
    draft = Invoice(
        company_id=COMPANY,
        id="inv-1",
        customer_id="c-1",
        currency="USD",
        number="INV-1",
        document_date=d(1, 31),
        terms=parse_terms("Net 30"),
        lines=(
            InvoiceLine(
                description="Widgets",
                quantity=Decimal(10),
                unit_price=usd("10.00"),
                tax_rate=Decimal("8.25"),
            ),
            InvoiceLine(
                description="Gadgets",
                quantity=Decimal(3),
                unit_price=usd("4.99"),
                revenue_account="4100",
            ),
        ),
    )
    assert draft.status is S.DRAFT

    posted = ledger.issue(draft, actor="ana", idempotency_key="issue:inv-1")

    assert posted.command == "issue"
    assert not posted.replayed
    (entry,) = posted.entries
    assert entry.kind is EntryKind.INVOICE
    assert entry.entry_date == d(1, 31)
    assert (entry.actor, entry.idempotency_key) == ("ana", "issue:inv-1")
    assert by_account(entry) == {
        AR: "123.22 USD",
        REVENUE: "-100.00 USD",
        "4100": "-14.97 USD",
        TAX: "-8.25 USD",
    }
    assert (AR, "123.22 USD", "c-1", "inv-1", None) in lines(entry)
    stored = ledger.document("inv-1")
    assert stored.status is S.ISSUED
    assert stored == posted.document
    assert isinstance(stored, Invoice)
    assert stored.lines == draft.lines
    assert list(ledger.journal(document_id="inv-1")) == [entry]
    assert ledger.balance("c-1") == {"USD": usd("123.22")}
    assert ledger.document_balance("inv-1") == usd("123.22")


def test_issue_debit_memo_credits_its_account_or_revenue(ledger: Ledger) -> None:
    fee = DebitMemo(
        company_id=COMPANY,
        id="dm-1",
        customer_id="c-1",
        currency="USD",
        number="DM-1",
        document_date=d(2, 1),
        amount=usd("25.00"),
        account=FEES,
    )
    correction = fee.model_copy(update={"id": "dm-2", "number": "DM-2", "account": None})

    (fee_entry,) = issue(ledger, fee).entries
    (up_entry,) = issue(ledger, correction).entries

    assert fee_entry.kind is EntryKind.DEBIT_MEMO
    assert by_account(fee_entry) == {AR: "25.00 USD", FEES: "-25.00 USD"}
    assert by_account(up_entry) == {AR: "25.00 USD", REVENUE: "-25.00 USD"}
    assert ledger.document("dm-1").status is S.ISSUED
    assert ledger.balance("c-1") == {"USD": usd("50.00")}


def test_issue_credit_memo_debits_returns_and_tax_and_is_an_open_credit(ledger: Ledger) -> None:
    # 54.13 with 4.13 tax: Dr 4900 50.00, Dr 2200 4.13 / Cr 1200 54.13 tagged with the memo.
    (entry,) = issue(ledger, credit_memo("cm-1", "54.13", on=d(2, 1), tax="4.13")).entries

    assert entry.kind is EntryKind.CREDIT_MEMO
    assert by_account(entry) == {RETURNS: "50.00 USD", TAX: "4.13 USD", AR: "-54.13 USD"}
    assert (AR, "-54.13 USD", "c-1", "cm-1", None) in lines(entry)
    assert ledger.document("cm-1").status is S.ISSUED
    assert ledger.balance("c-1") == {"USD": usd("-54.13")}
    assert ledger.document_balance("cm-1") == usd("54.13")
    (item,) = ledger.open_items(customer_id="c-1")
    assert (item.document_id, item.kind, item.balance) == ("cm-1", "credit_memo", usd("-54.13"))


def test_issue_refusals_are_typed_and_change_nothing(ledger: Ledger, store: SqlStore) -> None:
    issue(ledger, invoice("inv-1"))
    before = dump(store)

    with pytest.raises(NotFoundError):
        issue(ledger, invoice("inv-2", customer_id="nobody"))
    with pytest.raises(ConflictError):  # same id, another number
        issue(ledger, invoice("inv-1", number="INV-99"))
    with pytest.raises(ConflictError):  # another id, same number
        issue(ledger, invoice("inv-3", number="INV-1"))
    with pytest.raises(ValidationError, match="tax-exempt"):
        issue(ledger, invoice("inv-4", customer_id="exempt", tax_rate=Decimal(5)))
    with pytest.raises(ValidationError, match="belongs to company"):
        issue(ledger, invoice("inv-5", company="other"))

    assert dump(store) == before
    # An invoice that claims to be settled already would be posted as wholly open.
    for status in (S.PARTIALLY_PAID, S.PAID, S.WRITTEN_OFF, S.VOID):
        with pytest.raises(IllegalTransitionError):
            issue(ledger, invoice("inv-6").model_copy(update={"status": status}))
    assert dump(store) == before
    # Without tax the exempt customer is billed normally.
    issue(ledger, invoice("inv-4", customer_id="exempt"))
    assert ledger.balance("exempt") == {"USD": usd("100.00")}


def test_commands_need_open_books(store: SqlStore) -> None:
    ledger = Ledger(store, "never-opened")
    with pytest.raises(NotFoundError):
        ledger.add_customer(
            customer("c-1", company="never-opened"), actor="ana", idempotency_key="c"
        )
    with pytest.raises(ConflictError):
        open_ledger(store, "twice").open_books("again", actor="ana", idempotency_key="open-2")


# --- payments and applications -------------------------------------------------------------


def test_payment_goes_to_undeposited_funds_and_unapplied_cash(ledger: Ledger) -> None:
    (entry,) = receive(ledger, payment("pay-1", "150.00", on=d(2, 3))).entries

    assert entry.kind is EntryKind.PAYMENT
    assert entry.entry_date == d(2, 3)
    assert by_account(entry) == {UNDEPOSITED: "150.00 USD", UNAPPLIED: "-150.00 USD"}
    assert ledger.document("pay-1").status is S.ISSUED
    assert ledger.document_balance("pay-1") == usd("150.00")
    assert ledger.balance("c-1") == {"USD": usd("-150.00")}


def test_documents_are_read_together_with_their_status(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-1"))
    receive(ledger, payment("pay-1", "100.00", on=d(2, 3)))
    ledger.apply("pay-1", "inv-1", usd("100.00"), on=d(2, 3), actor="ana", idempotency_key=key())
    ids = [f"inv-{n}" for n in range(2, 1203)]  # more than one query's worth of ids
    for document_id in ids[:3]:
        issue(ledger, invoice(document_id))

    found = ledger.documents(["inv-1", "pay-1", "nope", *ids])

    assert sorted(found) == sorted(["inv-1", "pay-1", *ids[:3]])
    assert found["inv-1"].status is S.PAID
    assert found["inv-2"] == ledger.document("inv-2")


@pytest.mark.parametrize(
    ("received", "applied"),
    [(d(2, 10), d(2, 10)), (d(2, 10), d(2, 12)), (d(2, 5), d(2, 5))],
    ids=["day-10", "received-day-10-applied-later", "day-5"],
)
def test_discount_earned_within_the_window(ledger: Ledger, received: date, applied: date) -> None:
    # 2/10 Net 30 on an invoice of 100.00 dated 31 Jan: 2.00 off if received by 10 Feb
    # (the received date counts, not the day the clerk applies it).
    issue(ledger, invoice("inv-1", on=d(1, 31), terms="2/10 Net 30"))
    receive(ledger, payment("pay-1", "98.00", on=received))

    posted = apply(ledger, "pay-1", "inv-1", "98.00", on=applied, discount=usd("2.00"))

    (entry,) = posted.entries
    assert entry.kind is EntryKind.APPLICATION
    assert entry.entry_date == applied
    assert by_account(entry) == {UNAPPLIED: "98.00 USD", DISCOUNTS: "2.00 USD", AR: "-100.00 USD"}
    assert ledger.document("inv-1").status is S.PAID
    assert ledger.document("pay-1").status is S.PAID
    assert ledger.balance("c-1") == {}
    assert account(ledger, DISCOUNTS) == usd("2.00")


def test_discount_refused_on_day_11_and_beyond_the_terms(ledger: Ledger, store: SqlStore) -> None:
    issue(ledger, invoice("inv-1", on=d(1, 31), terms="2/10 Net 30"))
    receive(ledger, payment("late", "98.00", on=d(2, 11)))
    receive(ledger, payment("early", "97.99", on=d(2, 10)))
    before = dump(store)

    with pytest.raises(TermsError):
        apply(ledger, "late", "inv-1", "98.00", on=d(2, 11), discount=usd("2.00"))
    with pytest.raises(TermsError):  # 2 % of 100.00 is 2.00, not 2.01
        apply(ledger, "early", "inv-1", "97.99", on=d(2, 10), discount=usd("2.01"))
    assert dump(store) == before

    # Without the discount the late payment leaves 2.00 open.
    apply(ledger, "late", "inv-1", "98.00", on=d(2, 11))
    assert ledger.document("inv-1").status is S.PARTIALLY_PAID
    assert ledger.document_balance("inv-1") == usd("2.00")


def test_discount_is_taken_once(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-1", "200.00", on=d(1, 31), terms="2/10 Net 30"))
    receive(ledger, payment("pay-1", "98.00", on=d(2, 2)))
    receive(ledger, payment("pay-2", "98.00", on=d(2, 3)))
    # 2 % of 200.00 = 4.00 in all: 2.00 + 2.00 fits, a third 0.01 does not.
    apply(ledger, "pay-1", "inv-1", "98.00", on=d(2, 2), discount=usd("2.00"))
    with pytest.raises(TermsError):
        apply(ledger, "pay-2", "inv-1", "98.00", on=d(2, 3), discount=usd("2.01"))
    apply(ledger, "pay-2", "inv-1", "98.00", on=d(2, 3), discount=usd("2.00"))
    assert ledger.document("inv-1").status is S.PAID


def test_over_application_refused(ledger: Ledger, store: SqlStore) -> None:
    issue(ledger, invoice("inv-1", "100.00"))
    receive(ledger, payment("big", "150.00", on=d(1, 5)))
    receive(ledger, payment("small", "50.00", on=d(1, 5)))
    before = dump(store)

    with pytest.raises(InvalidAmountError):  # more than the invoice owes
        apply(ledger, "big", "inv-1", "100.01", on=d(1, 5))
    with pytest.raises(InvalidAmountError):  # more than the payment holds
        apply(ledger, "small", "inv-1", "50.01", on=d(1, 5))
    apply(ledger, "big", "inv-1", "60.00", on=d(1, 5))
    with pytest.raises(InvalidAmountError):  # 60 + 40.01 > 100
        apply(ledger, "small", "inv-1", "40.01", on=d(1, 6))
    apply(ledger, "small", "inv-1", "40.00", on=d(1, 6))

    assert ledger.document("inv-1").status is S.PAID
    assert ledger.document_balance("big") == usd("90.00")
    assert ledger.document_balance("small") == usd("10.00")
    assert dump(store) != before


def test_back_dated_over_application_refused(ledger: Ledger) -> None:
    # Today's total would be fine after the first application alone, but an application
    # dated before it must fit the balance open on its own date too: 100 − 80 on 20 Jan,
    # then 30 on 10 Jan leaves 70 on 10 Jan and −10 on 20 Jan.
    issue(ledger, invoice("inv-1", "100.00"))
    receive(ledger, payment("pay-1", "80.00", on=d(1, 5)))
    receive(ledger, payment("pay-2", "30.00", on=d(1, 5)))
    apply(ledger, "pay-1", "inv-1", "80.00", on=d(1, 20))
    with pytest.raises(InvalidAmountError):
        apply(ledger, "pay-2", "inv-1", "30.00", on=d(1, 10))


def test_application_dated_before_either_document_refused(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-1", on=d(1, 31)))
    receive(ledger, payment("pay-1", "100.00", on=d(1, 15)))
    receive(ledger, payment("pay-2", "100.00", on=d(2, 15)))

    with pytest.raises(ValidationError, match="precedes"):  # before the invoice
        apply(ledger, "pay-1", "inv-1", "100.00", on=d(1, 20))
    with pytest.raises(ValidationError, match="precedes"):  # before the payment arrived
        apply(ledger, "pay-2", "inv-1", "100.00", on=d(2, 10))
    apply(ledger, "pay-1", "inv-1", "100.00", on=d(1, 31))
    assert ledger.document("inv-1").status is S.PAID


def test_cross_customer_refused_but_parent_may_pay_its_subsidiary(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-c2", customer_id="c-2"))
    issue(ledger, invoice("inv-sub", customer_id="sub"))
    issue(ledger, invoice("inv-parent", customer_id="parent"))
    issue(ledger, credit_memo("cm-parent", "10.00", on=d(1, 1), customer_id="parent"))
    receive(ledger, payment("pay-c1", "100.00", on=d(1, 5)))
    receive(ledger, payment("pay-parent", "100.00", on=d(1, 5), customer_id="parent"))
    receive(ledger, payment("pay-sub", "100.00", on=d(1, 5), customer_id="sub"))

    with pytest.raises(ValidationError):
        apply(ledger, "pay-c1", "inv-c2", "100.00", on=d(1, 5))
    with pytest.raises(ValidationError):  # a subsidiary does not pay its parent's bills
        apply(ledger, "pay-sub", "inv-parent", "100.00", on=d(1, 5))
    with pytest.raises(ValidationError):  # a parent's credit memo is not cash
        apply(ledger, "cm-parent", "inv-sub", "10.00", on=d(1, 5))

    (entry,) = apply(ledger, "pay-parent", "inv-sub", "100.00", on=d(1, 5)).entries
    # Each line belongs to whose it is: the parent's cash, the subsidiary's receivable.
    assert {(p.account, p.customer_id) for p in entry.postings} == {
        (UNAPPLIED, "parent"), (AR, "sub"),
    }  # fmt: skip
    assert entry.id in {e.id for e in ledger.journal(customer_id="parent")}
    assert ledger.document("inv-sub").status is S.PAID
    assert ledger.document("pay-parent").status is S.PAID
    # sub: its invoice is paid by the parent; its own 100.00 is still unapplied.
    assert ledger.balance("sub") == {"USD": usd("-100.00")}
    # parent: its invoice 100.00 − its memo 10.00; its payment is fully used.
    assert ledger.balance("parent") == {"USD": usd("90.00")}


def test_currency_mismatch_refused(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-usd"))
    issue(ledger, invoice("inv-eur", currency="EUR"))
    receive(ledger, payment("pay-eur", "100.00", on=d(1, 5), currency="EUR"))

    with pytest.raises(CurrencyMismatchError):
        ledger.apply(
            "pay-eur", "inv-usd", Money("100.00", "EUR"), on=d(1, 5), actor="ana",
            idempotency_key="a-1",
        )  # fmt: skip
    with pytest.raises(CurrencyMismatchError):
        apply(ledger, "pay-eur", "inv-eur", "100.00", on=d(1, 5))  # USD amount, EUR documents
    ledger.apply(
        "pay-eur", "inv-eur", Money("100.00", "EUR"), on=d(1, 5), actor="ana", idempotency_key="a-2"
    )
    assert ledger.balance("c-1") == {"USD": usd("100.00")}


def test_statuses_follow_applications_and_unapplications(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-1", "100.00"))
    receive(ledger, payment("pay-1", "30.00", on=d(1, 5)))
    receive(ledger, payment("pay-2", "70.00", on=d(1, 6)))

    def status() -> tuple[DocumentStatus, ...]:
        return tuple(ledger.document(i).status for i in ("inv-1", "pay-1", "pay-2"))

    assert status() == (S.ISSUED, S.ISSUED, S.ISSUED)

    (first,) = apply(ledger, "pay-1", "inv-1", "30.00", on=d(1, 5)).applications
    assert status() == (S.PARTIALLY_PAID, S.PAID, S.ISSUED)
    (second,) = apply(ledger, "pay-2", "inv-1", "50.00", on=d(1, 6)).applications
    assert status() == (S.PARTIALLY_PAID, S.PAID, S.PARTIALLY_PAID)
    (third,) = apply(ledger, "pay-2", "inv-1", "20.00", on=d(1, 7)).applications
    assert status() == (S.PAID, S.PAID, S.PAID)

    ledger.unapply(third.id, on=d(1, 8), actor="ana", idempotency_key="u-3")
    assert status() == (S.PARTIALLY_PAID, S.PAID, S.PARTIALLY_PAID)
    assert ledger.document_balance("inv-1") == usd("20.00")
    ledger.unapply(second.id, on=d(1, 8), actor="ana", idempotency_key="u-2")
    ledger.unapply(first.id, on=d(1, 8), actor="ana", idempotency_key="u-1")
    assert status() == (S.ISSUED, S.ISSUED, S.ISSUED)
    assert ledger.document_balance("inv-1") == usd("100.00")
    assert ledger.balance("c-1") == {}  # 100 owed − 30 − 70 unapplied


def test_unapply_and_reapply_keeps_both_in_the_journal(ledger: Ledger) -> None:
    # A misapplied payment: 100.00 went to INV-1, it was meant for INV-2.
    issue(ledger, invoice("inv-1", "100.00"))
    issue(ledger, invoice("inv-2", "100.00"))
    receive(ledger, payment("pay-1", "100.00", on=d(1, 5)))
    applied = apply(ledger, "pay-1", "inv-1", "100.00", on=d(1, 5))
    (wrong,) = applied.applications
    (wrong_entry,) = applied.entries

    fixed = ledger.unapply(
        wrong.id, on=d(1, 9), reapply_to="inv-2", actor="bob", idempotency_key="fix"
    )

    undo, again = fixed.entries
    assert undo.kind is EntryKind.REVERSAL
    assert undo.reverses == wrong_entry.id
    assert undo.entry_date == d(1, 9)
    assert undo.actor == "bob"
    assert by_account(undo) == {UNAPPLIED: "-100.00 USD", AR: "100.00 USD"}
    assert (AR, "100.00 USD", "c-1", "inv-1", "pay-1") in lines(undo)
    assert again.kind is EntryKind.APPLICATION
    assert again.entry_date == d(1, 9)
    assert (AR, "-100.00 USD", "c-1", "inv-2", "pay-1") in lines(again)
    (reapplied,) = fixed.applications
    assert (reapplied.source_id, reapplied.target_id, reapplied.amount) == (
        "pay-1", "inv-2", usd("100.00"),
    )  # fmt: skip

    trail = list(ledger.journal(document_id="pay-1"))
    assert [entry.id for entry in trail] == [
        e.id for e in (*receive_entries(ledger, "pay-1"), wrong_entry, undo, again)
    ]
    records = ledger.applications("pay-1")
    assert [(r.application.target_id, r.reversal_entry_id) for r in records] == [
        ("inv-1", undo.id),
        ("inv-2", None),
    ]
    assert ledger.document("inv-1").status is S.ISSUED
    assert ledger.document("inv-2").status is S.PAID
    assert ledger.document_balance("inv-1") == usd("100.00")
    assert ledger.document_balance("inv-2") == usd("0.00")
    # As of before the fix the books still show the payment on INV-1.
    assert ledger.document_balance("inv-1", as_of=d(1, 8)) == usd("0.00")
    assert ledger.document_balance("inv-2", as_of=d(1, 8)) == usd("100.00")

    with pytest.raises(ConflictError):
        ledger.unapply(wrong.id, on=d(1, 10), actor="ana", idempotency_key="fix-again")
    with pytest.raises(NotFoundError):
        ledger.unapply("app-unknown", on=d(1, 10), actor="ana", idempotency_key="nothing")


def receive_entries(ledger: Ledger, receipt_id: str) -> list[JournalEntry]:
    return [
        entry
        for entry in ledger.journal(document_id=receipt_id)
        if entry.kind in (EntryKind.PAYMENT, EntryKind.CUSTOMER_DEPOSIT)
    ]


# --- credits, deposits and refunds ---------------------------------------------------------


def test_credit_memo_applied_to_invoice(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-1", "100.00"))
    issue(ledger, credit_memo("cm-1", "30.00", on=d(1, 3)))

    (entry,) = apply(ledger, "cm-1", "inv-1", "30.00", on=d(1, 4)).entries

    # Dr 1200 30.00 (the memo's credit used) / Cr 1200 30.00 (the invoice): nets to zero.
    assert lines(entry) == {
        (AR, "30.00 USD", "c-1", "cm-1", None),
        (AR, "-30.00 USD", "c-1", "inv-1", "cm-1"),
    }
    assert ledger.document("cm-1").status is S.PAID
    assert ledger.document("inv-1").status is S.PARTIALLY_PAID
    assert ledger.document_balance("inv-1") == usd("70.00")
    assert ledger.document_balance("cm-1") == usd("0.00")
    assert ledger.balance("c-1") == {"USD": usd("70.00")}
    assert account(ledger, AR) == usd("70.00")
    issue(ledger, credit_memo("cm-2", "5.00", on=d(1, 3)))
    with pytest.raises(ValidationError):  # a discount is earned by cash, not by a memo
        apply(ledger, "cm-2", "inv-1", "1.00", on=d(1, 4), discount=usd("1.00"))


def test_customer_deposit_received_applied_and_refunded(ledger: Ledger) -> None:
    (received,) = receive(ledger, deposit("dep-1", "500.00", on=d(1, 2))).entries
    assert by_account(received) == {UNDEPOSITED: "500.00 USD", DEPOSITS: "-500.00 USD"}
    assert account(ledger, AR) == usd("0")  # no AR until applied
    assert ledger.balance("c-1") == {"USD": usd("-500.00")}

    issue(ledger, invoice("inv-1", "400.00", on=d(1, 10)))
    (applied,) = apply(ledger, "dep-1", "inv-1", "400.00", on=d(1, 10)).entries
    assert by_account(applied) == {DEPOSITS: "400.00 USD", AR: "-400.00 USD"}
    assert ledger.document("inv-1").status is S.PAID
    assert ledger.document("dep-1").status is S.PARTIALLY_PAID
    assert ledger.document_balance("dep-1") == usd("100.00")

    with pytest.raises(InvalidAmountError):
        ledger.refund(
            refund("ref-x", "dep-1", "100.01", on=d(1, 15)), actor="ana", idempotency_key=key()
        )
    posted = ledger.refund(
        refund("ref-1", "dep-1", "100.00", on=d(1, 15)), actor="ana", idempotency_key="ref-1"
    )
    (entry,) = posted.entries
    assert entry.kind is EntryKind.REFUND
    assert by_account(entry) == {DEPOSITS: "100.00 USD", BANK: "-100.00 USD"}
    assert ledger.document("ref-1").status is S.ISSUED
    assert ledger.document("dep-1").status is S.PAID
    assert ledger.balance("c-1") == {}
    assert account(ledger, DEPOSITS) == usd("0.00")  # −500 + 400 + 100


def test_refund_of_payment_remainder_and_over_refund(ledger: Ledger, store: SqlStore) -> None:
    issue(ledger, invoice("inv-1", "100.00"))
    receive(ledger, payment("pay-1", "150.00", on=d(1, 5)))
    apply(ledger, "pay-1", "inv-1", "100.00", on=d(1, 5))
    before = dump(store)

    with pytest.raises(InvalidAmountError):  # 50.00 is left, not 50.01
        ledger.refund(
            refund("ref-x", "pay-1", "50.01", on=d(1, 8)), actor="ana", idempotency_key=key()
        )
    with pytest.raises(InvalidAmountError):  # dated before the money came in
        ledger.refund(
            refund("ref-y", "pay-1", "10.00", on=d(1, 4)), actor="ana", idempotency_key=key()
        )
    with pytest.raises(ValidationError):  # another customer's credit
        ledger.refund(
            refund("ref-z", "pay-1", "10.00", on=d(1, 8), customer_id="c-2"),
            actor="ana",
            idempotency_key=key(),
        )
    with pytest.raises(ValidationError):  # an invoice holds no credit
        ledger.refund(
            refund("ref-w", "inv-1", "10.00", on=d(1, 8)), actor="ana", idempotency_key=key()
        )
    assert dump(store) == before

    (entry,) = ledger.refund(
        refund("ref-1", "pay-1", "50.00", on=d(1, 8)), actor="ana", idempotency_key="r"
    ).entries
    assert by_account(entry) == {UNAPPLIED: "50.00 USD", BANK: "-50.00 USD"}
    assert (BANK, "-50.00 USD", None, None, "ref-1") in lines(entry)
    assert ledger.document("pay-1").status is S.PAID
    assert ledger.document_balance("pay-1") == usd("0.00")
    assert ledger.balance("c-1") == {}


def test_refund_of_credit_memo(ledger: Ledger) -> None:
    issue(ledger, credit_memo("cm-1", "40.00", on=d(1, 3)))
    with pytest.raises(InvalidAmountError):
        ledger.refund(
            refund("ref-x", "cm-1", "40.01", on=d(1, 5)), actor="ana", idempotency_key=key()
        )

    (entry,) = ledger.refund(
        refund("ref-1", "cm-1", "25.00", on=d(1, 5)), actor="ana", idempotency_key=key()
    ).entries

    # Dr 1200 (tagged with the memo, its credit shrinks) / Cr 1000.
    assert lines(entry) == {
        (AR, "25.00 USD", "c-1", "cm-1", None),
        (BANK, "-25.00 USD", None, None, "ref-1"),
    }
    assert ledger.document("cm-1").status is S.PARTIALLY_PAID
    assert ledger.document_balance("cm-1") == usd("15.00")
    assert ledger.balance("c-1") == {"USD": usd("-15.00")}
    with pytest.raises(InvalidAmountError):  # 15.00 left
        ledger.refund(
            refund("ref-2", "cm-1", "15.01", on=d(1, 6)), actor="ana", idempotency_key=key()
        )
    ledger.refund(refund("ref-2", "cm-1", "15.00", on=d(1, 6)), actor="ana", idempotency_key=key())
    assert ledger.document("cm-1").status is S.PAID
    assert ledger.balance("c-1") == {}


def test_payment_amount_is_applications_plus_remainder_plus_refunds(ledger: Ledger) -> None:
    # Invariant 3 on hand numbers: 500.00 = (120.00 + 200.00) applied + 100.00 left + 80.00
    # refunded; an application that was unapplied (50.00) counts for nothing.
    issue(ledger, invoice("inv-1", "120.00"))
    issue(ledger, invoice("inv-2", "300.00"))
    receive(ledger, payment("pay-1", "500.00", on=d(1, 5)))
    apply(ledger, "pay-1", "inv-1", "120.00", on=d(1, 5))
    (undone,) = apply(ledger, "pay-1", "inv-2", "50.00", on=d(1, 6)).applications
    ledger.unapply(undone.id, on=d(1, 7), actor="ana", idempotency_key=key())
    apply(ledger, "pay-1", "inv-2", "200.00", on=d(1, 8))
    ledger.refund(refund("ref-1", "pay-1", "80.00", on=d(1, 9)), actor="ana", idempotency_key=key())

    live = [r.application.amount for r in ledger.applications("pay-1") if not r.reversal_entry_id]
    assert live == [usd("120.00"), usd("200.00")]
    assert ledger.document_balance("pay-1") == usd("100.00")
    refunds = [e for e in ledger.journal(document_id="pay-1") if e.kind is EntryKind.REFUND]
    assert [by_account(e)[UNAPPLIED] for e in refunds] == ["80.00 USD"]
    refunded = [p.amount for e in refunds for p in e.postings if p.account == UNAPPLIED]
    total = sum((*live, ledger.document_balance("pay-1"), *refunded), usd("0"))
    paid_in = ledger.document("pay-1")
    assert isinstance(paid_in, Payment)
    assert total == paid_in.amount == usd("500.00")
    assert ledger.document("pay-1").status is S.PARTIALLY_PAID
    assert account(ledger, UNAPPLIED) == usd("-100.00")


# --- write-offs ----------------------------------------------------------------------------


def test_small_balance_write_off(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-1", "100.00"))
    receive(ledger, payment("pay-1", "99.50", on=d(1, 20)))
    apply(ledger, "pay-1", "inv-1", "99.50", on=d(1, 20))
    with pytest.raises(InvalidAmountError):  # 0.50 is open, not 0.51
        ledger.write_off("inv-1", usd("0.51"), on=d(1, 21), actor="ana", idempotency_key=key())

    posted = ledger.write_off("inv-1", on=d(1, 21), actor="ana", idempotency_key=key())

    (entry,) = posted.entries
    assert entry.kind is EntryKind.WRITE_OFF
    assert entry.entry_date == d(1, 21)
    assert lines(entry) == {
        (WRITE_OFFS, "0.50 USD", "c-1", "inv-1", None),
        (AR, "-0.50 USD", "c-1", "inv-1", None),
    }
    assert posted.document is not None
    assert posted.document.status is S.WRITTEN_OFF
    assert ledger.document("inv-1").status is S.WRITTEN_OFF
    assert ledger.balance("c-1") == {}
    with pytest.raises(InvalidAmountError):  # nothing left to write off
        ledger.write_off("inv-1", on=d(1, 22), actor="ana", idempotency_key=key())
    with pytest.raises(InvalidAmountError):  # a small balance is not a bad debt to recover
        ledger.recover("inv-1", usd("0.50"), on=d(1, 22), actor="ana", idempotency_key=key())


def test_bad_debt_through_the_allowance_and_recovery(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-1", "100.00"))
    receive(ledger, payment("pay-1", "60.00", on=d(1, 20)))
    apply(ledger, "pay-1", "inv-1", "60.00", on=d(1, 20))

    (entry,) = ledger.write_off(
        "inv-1", on=d(3, 31), bad_debt=True, actor="ana", idempotency_key=key()
    ).entries

    assert entry.kind is EntryKind.BAD_DEBT
    assert by_account(entry) == {ALLOWANCE: "40.00 USD", AR: "-40.00 USD"}
    assert ledger.document("inv-1").status is S.WRITTEN_OFF
    assert ledger.balance("c-1") == {}

    with pytest.raises(InvalidAmountError):  # only 40.00 was written off
        ledger.recover("inv-1", usd("40.01"), on=d(4, 15), actor="ana", idempotency_key=key())
    (back,) = ledger.recover(
        "inv-1", usd("15.00"), on=d(4, 15), actor="ana", idempotency_key=key()
    ).entries
    assert back.kind is EntryKind.RECOVERY
    assert by_account(back) == {ALLOWANCE: "-15.00 USD", AR: "15.00 USD"}
    assert ledger.document("inv-1").status is S.PARTIALLY_PAID
    assert ledger.balance("c-1") == {"USD": usd("15.00")}
    with pytest.raises(InvalidAmountError):  # 40 − 15 = 25.00 is left to recover
        ledger.recover("inv-1", usd("25.01"), on=d(4, 16), actor="ana", idempotency_key=key())
    ledger.recover("inv-1", usd("25.00"), on=d(4, 16), actor="ana", idempotency_key=key())
    assert ledger.document_balance("inv-1") == usd("40.00")
    assert account(ledger, ALLOWANCE) == usd("0.00")
    with pytest.raises(InvalidAmountError):
        ledger.recover("inv-1", usd("0.01"), on=d(4, 17), actor="ana", idempotency_key=key())


# --- voids and deposit verification --------------------------------------------------------


def test_void_invoice_by_reversal(ledger: Ledger) -> None:
    (original,) = issue(ledger, invoice("inv-1", "100.00", on=d(1, 10))).entries

    posted = ledger.void("inv-1", on=d(2, 1), actor="ana", idempotency_key="void:inv-1")

    (undo,) = posted.entries
    assert undo.kind is EntryKind.REVERSAL
    assert undo.reverses == original.id
    assert undo.entry_date == d(2, 1)
    assert by_account(undo) == {AR: "-100.00 USD", REVENUE: "100.00 USD"}
    assert [e.id for e in ledger.journal(document_id="inv-1")] == [original.id, undo.id]
    assert ledger.document("inv-1").status is S.VOID
    assert ledger.balance("c-1") == {}
    assert ledger.document_balance("inv-1") == usd("0.00")
    assert account(ledger, AR) == usd("0.00")
    assert account(ledger, REVENUE) == usd("0.00")
    # Before the void date the books still show it.
    assert ledger.balance("c-1", as_of=d(1, 31)) == {"USD": usd("100.00")}
    assert account(ledger, AR, as_of=d(1, 31)) == usd("100.00")
    with pytest.raises(IllegalTransitionError):  # void is final
        ledger.void("inv-1", on=d(2, 2), actor="ana", idempotency_key=key())
    receive(ledger, payment("pay-1", "100.00", on=d(2, 2)))
    with pytest.raises(IllegalTransitionError):  # a void invoice takes no applications
        apply(ledger, "pay-1", "inv-1", "100.00", on=d(2, 2))


def test_void_after_an_application_refused_until_unapplied(ledger: Ledger, store: SqlStore) -> None:
    issue(ledger, invoice("inv-1", "100.00"))
    receive(ledger, payment("pay-1", "40.00", on=d(1, 5)))
    (applied,) = apply(ledger, "pay-1", "inv-1", "40.00", on=d(1, 5)).applications
    before = dump(store)

    with pytest.raises(IllegalTransitionError):
        ledger.void("inv-1", on=d(1, 6), actor="ana", idempotency_key=key())
    with pytest.raises(IllegalTransitionError):
        ledger.void("pay-1", on=d(1, 6), actor="ana", idempotency_key=key())
    assert dump(store) == before

    ledger.unapply(applied.id, on=d(1, 7), actor="ana", idempotency_key=key())
    ledger.void("inv-1", on=d(1, 8), actor="ana", idempotency_key=key())
    assert ledger.document("inv-1").status is S.VOID
    assert ledger.balance("c-1") == {"USD": usd("-40.00")}  # the payment, unapplied again


def test_void_unverified_payment(ledger: Ledger) -> None:
    receive(ledger, payment("pay-1", "75.00", on=d(1, 5)))
    (undo,) = ledger.void("pay-1", on=d(1, 6), actor="ana", idempotency_key=key()).entries
    assert by_account(undo) == {UNDEPOSITED: "-75.00 USD", UNAPPLIED: "75.00 USD"}
    assert ledger.document("pay-1").status is S.VOID
    assert ledger.balance("c-1") == {}
    with pytest.raises(ConflictError):  # a void receipt is not verified at the bank
        ledger.verify_deposit(["pay-1"], on=d(1, 7), actor="ana", idempotency_key=key())


def test_verify_deposit_moves_undeposited_funds_to_bank(ledger: Ledger, store: SqlStore) -> None:
    receive(ledger, payment("pay-1", "75.00", on=d(1, 5)))
    receive(ledger, deposit("dep-1", "25.00", on=d(1, 5)))

    posted = ledger.verify_deposit(
        ["pay-1", "dep-1"], on=d(1, 6), bank_reference="STMT-1", actor="ana", idempotency_key="v"
    )

    assert [by_account(e) for e in posted.entries] == [
        {BANK: "75.00 USD", UNDEPOSITED: "-75.00 USD"},
        {BANK: "25.00 USD", UNDEPOSITED: "-25.00 USD"},
    ]
    assert all(e.kind is EntryKind.DEPOSIT_VERIFIED for e in posted.entries)
    assert account(ledger, BANK) == usd("100.00")
    assert account(ledger, UNDEPOSITED) == usd("0.00")
    assert ledger.balance("c-1") == {"USD": usd("-100.00")}  # verification moves no AR
    before = dump(store)

    with pytest.raises(ConflictError):
        ledger.verify_deposit(["pay-1"], on=d(1, 7), actor="ana", idempotency_key=key())
    with pytest.raises(ConflictError):  # a verified receipt is returned by a debit memo
        ledger.void("pay-1", on=d(1, 7), actor="ana", idempotency_key=key())
    assert dump(store) == before


# --- idempotency ---------------------------------------------------------------------------


def test_same_key_replays_the_first_result(ledger: Ledger, store: SqlStore) -> None:
    document = invoice("inv-1", "100.00")
    first = ledger.issue(document, actor="ana", idempotency_key="issue-1")
    receive(ledger, payment("pay-1", "100.00", on=d(1, 5)))
    applied = ledger.apply(
        "pay-1", "inv-1", usd("60.00"), on=d(1, 5), actor="ana", idempotency_key="apply-1"
    )
    before = dump(store)
    counted = count_rows(store)

    again = ledger.issue(document, actor="ana", idempotency_key="issue-1")
    applied_again = ledger.apply(
        "pay-1", "inv-1", usd("60.00"), on=d(1, 5), actor="ana", idempotency_key="apply-1"
    )

    assert again.replayed
    assert applied_again.replayed
    assert not first.replayed
    assert not applied.replayed
    assert again.model_copy(update={"replayed": False}) == first
    assert applied_again.model_copy(update={"replayed": False}) == applied
    assert applied_again.applications[0].id == applied.applications[0].id
    assert count_rows(store) == counted
    assert dump(store) == before
    assert ledger.document_balance("inv-1") == usd("40.00")


def test_same_key_for_another_request_is_a_conflict(ledger: Ledger, store: SqlStore) -> None:
    ledger.issue(invoice("inv-1", "100.00"), actor="ana", idempotency_key="k-1")
    before = dump(store)

    with pytest.raises(ConflictError, match="idempotency key"):
        ledger.issue(invoice("inv-1", "100.01"), actor="ana", idempotency_key="k-1")
    with pytest.raises(ConflictError, match="idempotency key"):
        ledger.void("inv-1", on=d(1, 2), actor="ana", idempotency_key="k-1")
    assert dump(store) == before


def test_a_refused_command_does_not_use_up_its_key(ledger: Ledger) -> None:
    document = invoice("inv-1", customer_id="late-comer")
    with pytest.raises(NotFoundError):
        ledger.issue(document, actor="ana", idempotency_key="issue-late")
    ledger.add_customer(customer("late-comer"), actor="ana", idempotency_key=key())

    posted = ledger.issue(document, actor="ana", idempotency_key="issue-late")

    assert not posted.replayed
    assert ledger.balance("late-comer") == {"USD": usd("100.00")}


def test_commands_need_an_actor_and_a_key(ledger: Ledger) -> None:
    with pytest.raises(ValidationError):
        ledger.issue(invoice("inv-1"), actor=" ", idempotency_key="k")
    with pytest.raises(ValidationError):
        ledger.issue(invoice("inv-1"), actor="ana", idempotency_key="")


# --- atomicity -----------------------------------------------------------------------------


def test_failed_reapply_leaves_every_table_as_it_was(ledger: Ledger, store: SqlStore) -> None:
    # Unapplying 100.00 from INV-1 succeeds on its own; reapplying it to INV-2, which owes
    # only 50.00, fails after the reversal was written: nothing of it may remain.
    issue(ledger, invoice("inv-1", "100.00"))
    issue(ledger, invoice("inv-2", "50.00"))
    receive(ledger, payment("pay-1", "100.00", on=d(1, 5)))
    (applied,) = apply(ledger, "pay-1", "inv-1", "100.00", on=d(1, 5)).applications
    before = dump(store)

    with pytest.raises(InvalidAmountError):
        ledger.unapply(
            applied.id, on=d(1, 9), reapply_to="inv-2", actor="ana", idempotency_key="fix"
        )

    assert dump(store) == before
    (record,) = ledger.applications("pay-1")
    assert record.reversal_entry_id is None
    assert ledger.document("inv-1").status is S.PAID
    # The key was not used up: the same unapply without reapplying now goes through.
    assert not ledger.unapply(applied.id, on=d(1, 9), actor="ana", idempotency_key="fix2").replayed


def test_failed_verification_leaves_every_table_as_it_was(ledger: Ledger, store: SqlStore) -> None:
    receive(ledger, payment("pay-1", "75.00", on=d(1, 5)))
    before = dump(store)

    with pytest.raises(NotFoundError):
        ledger.verify_deposit(
            ["pay-1", "pay-unknown"], on=d(1, 6), actor="ana", idempotency_key="v"
        )

    assert dump(store) == before
    assert account(ledger, BANK) == usd("0")
    ledger.verify_deposit(["pay-1"], on=d(1, 6), actor="ana", idempotency_key="v")
    assert account(ledger, BANK) == usd("75.00")


# --- closing periods -----------------------------------------------------------------------


def test_close_period(ledger: Ledger, store: SqlStore) -> None:
    issue(ledger, invoice("inv-1", "100.00", on=d(1, 10)))
    receive(ledger, payment("pay-1", "100.00", on=d(1, 20)))
    ledger.close_period(d(1, 31), actor="ana", idempotency_key="close-jan")
    assert ledger.books().closed_through == d(1, 31)
    before = dump(store)

    with pytest.raises(ConflictError):  # on the closed date
        issue(ledger, invoice("inv-2", on=d(1, 31)))
    with pytest.raises(ConflictError):
        apply(ledger, "pay-1", "inv-1", "100.00", on=d(1, 25))
    with pytest.raises(ConflictError):
        ledger.void("inv-1", on=d(1, 31), actor="ana", idempotency_key=key())
    with pytest.raises(ConflictError):  # periods close forward only
        ledger.close_period(d(1, 15), actor="ana", idempotency_key=key())
    assert dump(store) == before

    issue(ledger, invoice("inv-2", on=d(2, 1)))
    apply(ledger, "pay-1", "inv-1", "100.00", on=d(2, 1))
    assert ledger.document("inv-1").status is S.PAID
    ledger.close_period(d(2, 28), actor="ana", idempotency_key="close-feb")
    assert ledger.books().closed_through == d(2, 28)


def closing_rows(store: SqlStore, through: date) -> dict[str, tuple[Any, ...]]:
    """What the close through ``through`` kept: item → (customer, dates, signed balance)."""
    query = select(closing_balances).where(closing_balances.c.through == through)
    with store.engine.connect() as connection:
        return {
            row.item_id: (row.customer_id, row.document_date, row.due_date, row.balance_minor)
            for row in connection.execute(query)
        }


def test_a_close_keeps_what_is_open_and_never_changes(ledger: Ledger, store: SqlStore) -> None:
    issue(ledger, invoice("inv-1", "100.00", on=d(1, 10)))  # due 9 Feb (Net 30)
    issue(ledger, invoice("inv-2", "40.00", on=d(1, 12)))
    receive(ledger, payment("pay-1", "130.00", on=d(1, 20)))
    apply(ledger, "pay-1", "inv-1", "100.00", on=d(1, 20))  # settled: not kept
    apply(ledger, "pay-1", "inv-2", "25.00", on=d(2, 3))  # after the close: 40.00 kept
    ledger.close_period(d(1, 31), actor="ana", idempotency_key="close-jan")
    assert closing_rows(store, d(1, 31)) == {
        "inv-2": ("c-1", d(1, 12), d(2, 11), 4000),
        "pay-1": ("c-1", d(1, 20), None, -3000),  # 130.00 received, 100.00 applied by then
    }
    # The next close starts from this one and the postings since.
    ledger.close_period(d(2, 28), actor="ana", idempotency_key="close-feb")
    assert closing_rows(store, d(2, 28)) == {
        "inv-2": ("c-1", d(1, 12), d(2, 11), 1500),
        "pay-1": ("c-1", d(1, 20), None, -500),
    }
    # Closing again through the same date keeps nothing twice.
    ledger.close_period(d(2, 28), actor="ana", idempotency_key="close-feb-again")
    assert len(closing_rows(store, d(2, 28))) == 2
    before = dump(store)
    for statement in (
        "UPDATE closing_balances SET balance_minor = 0",
        "DELETE FROM closing_balances",
        "DELETE FROM period_closes",
    ):
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            store.engine.begin() as connection,
        ):
            connection.execute(text(statement))
    assert dump(store) == before


# --- as-of queries -------------------------------------------------------------------------


def test_as_of_queries_ignore_later_entries(ledger: Ledger) -> None:
    # INV-1 100.00 on 1 Jan. PAY-A 30.00 received and applied 20 Jan; then, recorded later,
    # PAY-B 50.00 received and applied 10 Jan. Open on INV-1: 100 to 9 Jan, 50 from 10 Jan,
    # 20 from 20 Jan.
    issue(ledger, invoice("inv-1", "100.00", on=d(1, 1)))
    receive(ledger, payment("pay-a", "30.00", on=d(1, 20)))
    apply(ledger, "pay-a", "inv-1", "30.00", on=d(1, 20))
    receive(ledger, payment("pay-b", "50.00", on=d(1, 10)))
    apply(ledger, "pay-b", "inv-1", "50.00", on=d(1, 10))

    expected = {
        d(12, 31, 2025): None,
        d(1, 1): "100.00",
        d(1, 9): "100.00",
        d(1, 10): "50.00",
        d(1, 19): "50.00",
        d(1, 20): "20.00",
        None: "20.00",
    }
    for day, open_ in expected.items():
        assert ledger.balance("c-1", as_of=day) == ({"USD": usd(open_)} if open_ else {}), day
        assert ledger.document_balance("inv-1", as_of=day) == usd(open_ or "0"), day
        items = ledger.open_items(customer_id="c-1", as_of=day)
        assert [(i.document_id, i.balance) for i in items] == (
            [("inv-1", usd(open_))] if open_ else []
        ), day

    # Ledger totals: 1200 = 100 − 50 on 15 Jan; 1150 holds PAY-B only; 2150 −50 + 50 = 0.
    as_of_15 = ledger.account_balances(as_of=d(1, 15))
    assert {code: str(amounts["USD"]) for code, amounts in as_of_15.items()} == {
        UNDEPOSITED: "50.00 USD",
        AR: "50.00 USD",
        UNAPPLIED: "0.00 USD",
        REVENUE: "-100.00 USD",
    }
    assert account(ledger, UNDEPOSITED, as_of=d(1, 20)) == usd("80.00")
    assert account(ledger, AR, as_of=d(1, 20)) == usd("20.00")
    assert ledger.account_balances(as_of=d(12, 31, 2025)) == {}


def test_as_of_open_items_show_unapplied_receipts(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-1", "100.00", on=d(1, 1)))
    receive(ledger, payment("pay-1", "100.00", on=d(1, 5)))
    apply(ledger, "pay-1", "inv-1", "100.00", on=d(1, 12))

    items = ledger.open_items(customer_id="c-1", as_of=d(1, 8))

    # On 8 Jan the payment was in but not yet applied: +100.00 owed, −100.00 unapplied.
    assert [(i.document_id, i.kind, i.balance) for i in items] == [
        ("inv-1", "invoice", usd("100.00")),
        ("pay-1", "payment", usd("-100.00")),
    ]
    assert ledger.balance("c-1", as_of=d(1, 8)) == {}
    assert ledger.document_balance("pay-1", as_of=d(1, 8)) == usd("100.00")
    assert ledger.document_balance("pay-1") == usd("0.00")
    assert ledger.open_items(customer_id="c-1") == []


# --- the journal ---------------------------------------------------------------------------


def test_journal_filters(ledger: Ledger) -> None:
    inv_1 = ledger.issue(invoice("inv-1", on=d(1, 1)), actor="ana", idempotency_key=key())
    inv_2 = ledger.issue(
        invoice("inv-2", on=d(1, 15), customer_id="c-2"), actor="bob", idempotency_key=key()
    )
    pay_1 = ledger.record_payment(
        payment("pay-1", "100.00", on=d(1, 20)), actor="bob", idempotency_key=key()
    )
    app = ledger.apply(
        "pay-1", "inv-1", usd("100.00"), on=d(1, 20), actor="ana", idempotency_key=key()
    )
    ids = {
        "inv-1": inv_1.entries[0].id,
        "inv-2": inv_2.entries[0].id,
        "pay-1": pay_1.entries[0].id,
        "app": app.entries[0].id,
    }
    name = {entry_id: label for label, entry_id in ids.items()}

    def labels(**filters: Any) -> list[str]:
        return [name[entry.id] for entry in ledger.journal(**filters)]

    assert labels() == ["inv-1", "inv-2", "pay-1", "app"]
    assert labels(customer_id="c-1") == ["inv-1", "pay-1", "app"]
    assert labels(customer_id="c-2") == ["inv-2"]
    assert labels(customer_id="nobody") == []
    assert labels(document_id="inv-1") == ["inv-1", "app"]
    assert labels(document_id="pay-1") == ["pay-1", "app"]
    assert labels(actor="bob") == ["inv-2", "pay-1"]
    assert labels(actor="ana") == ["inv-1", "app"]
    assert labels(start=d(1, 10), end=d(1, 20)) == ["inv-2", "pay-1", "app"]
    assert labels(start=d(1, 1), end=d(1, 1)) == ["inv-1"]
    assert labels(start=d(1, 16)) == ["pay-1", "app"]
    assert labels(end=d(1, 14)) == ["inv-1"]
    assert labels(customer_id="c-1", actor="bob", start=d(1, 2)) == ["pay-1"]


def test_journal_is_in_date_order_whatever_the_recording_order(ledger: Ledger) -> None:
    issue(ledger, invoice("inv-late", on=d(3, 1)))
    issue(ledger, invoice("inv-early", on=d(1, 1)))
    dated = [(e.entry_date, by_account(e)[AR]) for e in ledger.journal()]
    assert dated == [(d(1, 1), "100.00 USD"), (d(3, 1), "100.00 USD")]


# --- company isolation ---------------------------------------------------------------------


def test_companies_never_see_each_others_rows(store: SqlStore) -> None:
    acme = open_ledger(store, "acme")
    beta = open_ledger(store, "beta")
    for ledger, amount in ((acme, "100.00"), (beta, "250.00")):
        company = ledger.company_id
        # Same ids, numbers and idempotency keys in both books.
        issue(ledger, invoice("inv-1", amount, company=company))
        receive(ledger, payment("pay-1", "40.00", on=d(1, 5), company=company))
        apply(ledger, "pay-1", "inv-1", "40.00", on=d(1, 5))
    issue(acme, invoice("inv-acme", "5.00"))

    acme_invoice = acme.document("inv-1")
    beta_invoice = beta.document("inv-1")
    assert isinstance(acme_invoice, Invoice)
    assert isinstance(beta_invoice, Invoice)
    assert (acme_invoice.company_id, acme_invoice.total) == ("acme", usd("100.00"))
    assert (beta_invoice.company_id, beta_invoice.total) == ("beta", usd("250.00"))
    assert acme.balance("c-1") == {"USD": usd("65.00")}  # 100 − 40 + 5
    assert beta.balance("c-1") == {"USD": usd("210.00")}  # 250 − 40
    assert [i.document_id for i in beta.open_items()] == ["inv-1"]
    assert beta.document_balance("inv-1") == usd("210.00")
    assert len(list(acme.journal())) == 4
    assert len(list(beta.journal())) == 3
    assert {e.company_id for e in beta.journal()} == {"beta"}
    assert [r.application.company_id for r in beta.applications("inv-1")] == ["beta"]
    assert account(acme, AR) == usd("65.00")
    assert account(beta, AR) == usd("210.00")
    with pytest.raises(NotFoundError):
        beta.document("inv-acme")
    assert list(beta.journal(document_id="inv-acme")) == []
    # A command in one company cannot touch the other's documents.
    with pytest.raises(NotFoundError):
        beta.void("inv-acme", on=d(1, 9), actor="ana", idempotency_key=key())
    assert acme.document("inv-acme").status is S.ISSUED


# --- the journal is append-only ------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["UPDATE postings SET amount_minor = 0", "DELETE FROM journal_entries"],
    ids=["update-postings", "delete-entries"],
)
def test_journal_tables_are_append_only(ledger: Ledger, store: SqlStore, statement: str) -> None:
    issue(ledger, invoice("inv-1", "100.00"))
    before = dump(store)

    with (
        pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
        store.engine.begin() as connection,
    ):
        connection.execute(text(statement))

    assert dump(store) == before
    assert ledger.balance("c-1") == {"USD": usd("100.00")}


# --- invariant 4 ---------------------------------------------------------------------------


def test_ar_control_and_unapplied_cash_match_the_open_items(ledger: Ledger) -> None:
    # c-1: INV-1 100.00, INV-2 250.00, DM-1 25.00, CM-1 40.00 (15.00 of it applied to INV-1),
    #      PAY-1 300.00 (200.00 to INV-2), PAY-3 50.00 (10.00 to DM-1, 20.00 refunded).
    # c-2: INV-3 60.00, PAY-2 80.00 unapplied.
    # Open: INV-1 85.00 + INV-2 50.00 + DM-1 15.00 + INV-3 60.00 = 210.00; CM-1 25.00 unused.
    # AR control 1200 = 210.00 − 25.00 = 185.00.
    # Unapplied: PAY-1 100.00 + PAY-2 80.00 + PAY-3 20.00 = 200.00, so 2150 = −200.00.
    issue(ledger, invoice("inv-1", "100.00"))
    issue(ledger, invoice("inv-2", "250.00"))
    issue(
        ledger,
        DebitMemo(
            company_id=COMPANY,
            id="dm-1",
            customer_id="c-1",
            currency="USD",
            number="DM-1",
            document_date=d(1, 2),
            amount=usd("25.00"),
            account=FEES,
        ),
    )
    issue(ledger, credit_memo("cm-1", "40.00", on=d(1, 3)))
    issue(ledger, invoice("inv-3", "60.00", customer_id="c-2"))
    apply(ledger, "cm-1", "inv-1", "15.00", on=d(1, 4))
    receive(ledger, payment("pay-1", "300.00", on=d(1, 5)))
    apply(ledger, "pay-1", "inv-2", "200.00", on=d(1, 5))
    receive(ledger, payment("pay-2", "80.00", on=d(1, 6), customer_id="c-2"))
    receive(ledger, payment("pay-3", "50.00", on=d(1, 7)))
    apply(ledger, "pay-3", "dm-1", "10.00", on=d(1, 7))
    ledger.refund(refund("ref-1", "pay-3", "20.00", on=d(1, 8)), actor="ana", idempotency_key=key())

    assert account(ledger, AR) == usd("185.00")
    assert account(ledger, UNAPPLIED) == usd("-200.00")

    balances = {i.document_id: i.balance for i in ledger.open_items()}
    assert balances == {
        "inv-1": usd("85.00"),
        "inv-2": usd("50.00"),
        "dm-1": usd("15.00"),
        "cm-1": usd("-25.00"),
        "pay-1": usd("-100.00"),
        "pay-3": usd("-20.00"),
        "inv-3": usd("60.00"),
        "pay-2": usd("-80.00"),
    }
    assert ledger.balance("c-1") == {"USD": usd("5.00")}  # 85 + 50 + 15 − 25 − 100 − 20
    assert ledger.balance("c-2") == {"USD": usd("-20.00")}  # 60 − 80
    # The same identity as of a date in the middle: on 5 Jan INV-1 85, INV-2 50, DM-1 25,
    # INV-3 60 are open (220.00) less CM-1's 25.00 = 195.00; only PAY-1's 100.00 is unapplied.
    assert account(ledger, AR, as_of=d(1, 5)) == usd("195.00")
    assert account(ledger, UNAPPLIED, as_of=d(1, 5)) == usd("-100.00")
