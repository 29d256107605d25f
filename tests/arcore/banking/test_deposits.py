"""Deposit verification: receipts in undeposited funds against bank credits, then posted."""

from __future__ import annotations

from datetime import date

from arcore.banking.deposits import (
    DepositReport,
    ReconcileConfig,
    payments_from_credits,
    reconcile,
    verify,
)
from arcore.banking.model import BankTransaction
from arcore.documents import Customer, Payment
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import SqlStore

ACCOUNT = "NL26VAYB8060476890"


def usd(text: str) -> Money:
    return Money(text, "USD")


def payment(pid: str, amount: str, day: int, method: str = "check", reference: str = "") -> Payment:
    return Payment(
        company_id="acme", id=pid, customer_id="c-1", currency="USD",
        received_date=date(2026, 3, day), amount=usd(amount), method=method, reference=reference,
    )  # fmt: skip


def credit(amount: str, day: int, line: int, reference: str = "") -> BankTransaction:
    return BankTransaction(
        account=ACCOUNT, booking_date=date(2026, 3, day), amount=usd(amount),
        reference=reference, bank_reference=f"B{line}", line=line,
    )  # fmt: skip


RECEIPTS = [
    payment("chk-1", "100.00", 2),
    payment("chk-2", "100.00", 2, reference="CHK 4471"),
    payment("wire-1", "250.00", 3),
    payment("card-1", "40.00", 4, method="card"),
    payment("card-2", "60.00", 4, method="card"),
    payment("slip-1", "30.00", 5),
    payment("slip-2", "45.50", 5),
    payment("late-1", "999.00", 6),
]
CREDITS = [
    credit("100.00", 3, 1, reference="DEPOSIT CHK 4471"),  # two 100s: the reference decides
    credit("250.00", 4, 2),
    credit("97.00", 5, 3, reference="CARD SETTLEMENT"),  # 40 + 60 less a 3.00 fee
    credit("75.50", 6, 4, reference="DEPOSIT SLIP"),  # 30 + 45.50
    credit("55.00", 6, 5, reference="INV-77 ACME"),  # nobody recorded it
    credit("-20.00", 6, 6, reference="BANK CHARGE"),  # a debit: not a deposit
]


def test_reconcile_pairs_credits_with_receipts() -> None:
    report = reconcile(RECEIPTS, CREDITS)
    matched = {m.credit.bank_reference: (m.receipt_ids, m.fee) for m in report.matches}
    assert matched == {
        "B1": (("chk-2",), None),
        "B2": (("wire-1",), None),
        "B3": (("card-1", "card-2"), usd("3.00")),
        "B4": (("slip-1", "slip-2"), None),
    }
    assert report.unmatched_receipts == ("chk-1", "late-1")
    assert [c.bank_reference for c in report.unmatched_credits] == ["B5"]


def test_outside_the_window_or_ambiguous_stays_unmatched() -> None:
    early = [credit("100.00", 1, 1)]  # booked before either check was received
    assert reconcile(RECEIPTS, early).matches == ()
    tie = [credit("100.00", 3, 1)]  # two checks of 100.00 and nothing to tell them apart
    assert reconcile(RECEIPTS, tie).matches == ()
    narrow = ReconcileConfig(window_days=0)
    assert reconcile(RECEIPTS, [credit("250.00", 4, 2)], config=narrow).matches == ()


def test_a_fee_above_the_limit_is_no_card_settlement() -> None:
    report = reconcile(RECEIPTS, [credit("88.00", 5, 3)])  # 12 % of 100.00 kept
    assert report.matches == ()


def test_verify_posts_through_the_ledger_once(store: SqlStore) -> None:
    ledger = Ledger(store, "acme")
    ledger.open_books("Acme", actor="t", idempotency_key="open")
    ledger.add_customer(
        Customer(company_id="acme", id="c-1", name="Globex", currency="USD"),
        actor="t", idempotency_key="c-1",
    )  # fmt: skip
    for receipt in RECEIPTS:
        ledger.record_payment(receipt, actor="t", idempotency_key=f"pay:{receipt.id}")
    assert {r.id for r in ledger.undeposited_receipts()} == {r.id for r in RECEIPTS}
    report = reconcile(ledger.undeposited_receipts(), CREDITS)
    verify(ledger, report, actor="t")
    balances = ledger.account_balances()
    # Bank: 100 + 250 + 97 (net) + 75.50; fees 3.00; undeposited: the two unmatched checks.
    assert balances["1000"]["USD"] == usd("522.50")
    assert balances["6150"]["USD"] == usd("3.00")
    assert balances["1150"]["USD"] == usd("1099.00")
    assert {r.id for r in ledger.undeposited_receipts()} == {"chk-1", "late-1"}
    before = sum(1 for _ in ledger.journal())
    replay = verify(ledger, report, actor="t")
    assert all(p.replayed for p in replay)
    assert sum(1 for _ in ledger.journal()) == before


def test_unknown_credits_become_payments() -> None:
    report: DepositReport = reconcile(RECEIPTS, CREDITS)
    [made] = payments_from_credits(report.unmatched_credits, company_id="acme")
    assert (made.id, made.amount, made.reference) == ("bank-B5", usd("55.00"), "INV-77 ACME")
    assert made.customer_id is None
