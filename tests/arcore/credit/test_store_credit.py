"""Credit in the store, on SQLite and PostgreSQL: dates and amounts worked out by hand.

The books: customer c-1 (USD, limit 1,000.00, Net 30) with invoice INV-1 of 650.00 dated
2026-01-01 (due 2026-01-31) and a credit memo of 50.00: open AR 600.00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from arcore.credit import CreditApplication, HoldReason, NotAllowedError, ReviewStatus
from arcore.credit.scoring import csv_score_provider
from arcore.documents import CreditMemo, Customer, DocumentStatus, Invoice, InvoiceLine, Payment
from arcore.errors import ConflictError, CurrencyMismatchError, NotFoundError, ValidationError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import SqlStore
from arcore.store import credit as sc
from arcore.terms import NetTerms

CO = "acme"


def usd(text: str) -> Money:
    return Money(text, "USD")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def invoice(number: str, dated: date, amount: str, customer: str = "c-1") -> Invoice:
    return Invoice(
        company_id=CO,
        id=number,
        customer_id=customer,
        currency="USD",
        number=number,
        document_date=dated,
        terms="Net 30",
        lines=[InvoiceLine(description="Goods", quantity=Decimal(1), unit_price=usd(amount))],
    )


@pytest.fixture
def books(store: SqlStore) -> Ledger:
    ledger = Ledger(store, CO, clock=lambda: at(date(2026, 1, 1)))
    ledger.open_books("Acme", actor="ana", idempotency_key="open")
    ledger.add_customer(
        Customer(company_id=CO, id="c-1", name="Globex", currency="USD", credit_limit=usd("1000")),
        actor="ana",
        idempotency_key="c-1",
    )
    ledger.add_customer(
        Customer(company_id=CO, id="c-2", name="Initech", currency="USD"),
        actor="ana",
        idempotency_key="c-2",
    )
    ledger.issue(invoice("INV-1", date(2026, 1, 1), "650.00"), actor="ana", idempotency_key="i1")
    memo = CreditMemo(
        company_id=CO,
        id="CM-1",
        customer_id="c-1",
        currency="USD",
        number="CM-1",
        document_date=date(2026, 1, 5),
        amount=usd("50.00"),
    )
    ledger.issue(memo, actor="ana", idempotency_key="cm1")
    sc.add_approver(store, CO, "boss", by="setup", at=at(date(2026, 1, 1)))
    sc.add_approver(
        store, CO, "clerk-lead", max_limit=usd("5000.00"), by="boss", at=at(date(2026, 1, 1))
    )
    return ledger


def test_exposure_and_available_credit(store: SqlStore, books: Ledger) -> None:
    day = date(2026, 1, 10)
    first = sc.record_order(store, CO, "SO-1", "c-1", usd("200.00"), on=day, by="shop", at=at(day))
    assert first.approved
    exposure = sc.customer_exposure(store, CO, "c-1", as_of=day)
    assert (exposure.open_ar, exposure.open_orders, exposure.total) == (
        usd("600.00"),
        usd("200.00"),
        usd("800.00"),
    )
    ok = sc.check_credit(store, CO, "c-1", usd("200.00"), as_of=day)
    assert (ok.approved, ok.available) == (True, usd("200.00"))
    over = sc.check_credit(store, CO, "c-1", usd("200.01"), as_of=day)
    assert (over.approved, over.reasons) == (False, (HoldReason.OVER_LIMIT,))
    # Cancelling the order takes it out of the exposure.
    sc.close_order(store, CO, "SO-1", status="cancelled", by="shop", at=at(day))
    assert sc.check_credit(store, CO, "c-1", usd("400.00"), as_of=day).approved
    with pytest.raises(ConflictError):
        sc.close_order(store, CO, "SO-1", status="cancelled", by="shop", at=at(day))


def test_the_check_is_as_of_a_date(store: SqlStore, books: Ledger) -> None:
    # Before the credit memo (5 Jan) open AR was 650.00: available 350.00.
    found = sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=date(2026, 1, 4))
    assert found.available == usd("350.00")
    # An order dated 20 Jan counts from 20 Jan on.
    day = date(2026, 1, 20)
    sc.record_order(store, CO, "SO-2", "c-1", usd("100.00"), on=day, by="shop", at=at(day))
    before = sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=date(2026, 1, 19))
    assert before.exposure.open_orders == usd("0.00")
    after = sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=day)
    assert (after.exposure.open_orders, after.available) == (usd("100.00"), usd("300.00"))
    assert [o.id for o in sc.open_orders(store, CO, "c-1")] == ["SO-2"]


def test_checks_refuse_other_currencies_and_unknown_customers(
    store: SqlStore, books: Ledger
) -> None:
    with pytest.raises(CurrencyMismatchError):
        sc.check_credit(store, CO, "c-1", Money("1", "EUR"), as_of=date(2026, 1, 10))
    with pytest.raises(NotFoundError):
        sc.check_credit(store, CO, "nobody", usd("1.00"), as_of=date(2026, 1, 10))


def test_a_customer_without_limit_is_only_held_for_holds(store: SqlStore, books: Ledger) -> None:
    found = sc.check_credit(store, CO, "c-2", usd("99999.00"), as_of=date(2026, 1, 10))
    assert (found.approved, found.limit, found.available) == (True, None, None)


def test_an_order_over_the_limit_is_held_until_an_approver_releases_it(
    store: SqlStore, books: Ledger
) -> None:
    day = date(2026, 1, 10)
    found = sc.record_order(store, CO, "SO-9", "c-1", usd("500.00"), on=day, by="shop", at=at(day))
    assert found.reasons == (HoldReason.OVER_LIMIT,)
    log = sc.hold_log(store, CO, "c-1")
    assert [(e.order_id, e.action, e.by) for e in log] == [("SO-9", "place", "shop")]
    with pytest.raises(NotAllowedError):
        sc.release_hold(store, CO, "c-1", order_id="SO-9", reason="ok", by="shop", at=at(day))
    assert len(sc.hold_log(store, CO, "c-1")) == 1  # the refused attempt changed nothing
    sc.release_hold(
        store, CO, "c-1", order_id="SO-9", reason="paid up front", by="boss", at=at(day)
    )
    assert [e.action for e in sc.hold_log(store, CO, "c-1")] == ["place", "release"]
    with pytest.raises(ConflictError):
        sc.release_hold(store, CO, "c-1", order_id="SO-9", reason="again", by="boss", at=at(day))
    with pytest.raises(ConflictError):
        sc.record_order(store, CO, "SO-9", "c-1", usd("1.00"), on=day, by="shop", at=at(day))


def test_past_due_items_hold_the_customer_until_released(store: SqlStore, books: Ledger) -> None:
    sc.set_hold_after_days(store, CO, 30, by="boss", at=at(date(2026, 1, 1)))
    assert sc.hold_after_days(store, CO) == 30
    # INV-1 is due 31 Jan: 30 days past due on 2 Mar, over the threshold from 3 Mar.
    assert sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=date(2026, 3, 2)).approved
    held = sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=date(2026, 3, 3))
    assert held.reasons == (HoldReason.PAST_DUE,)
    with pytest.raises(NotAllowedError):
        sc.release_hold(store, CO, "c-1", reason="x", by="shop", at=at(date(2026, 3, 5)))
    assert sc.hold_log(store, CO, "c-1") == []
    sc.release_hold(store, CO, "c-1", reason="promised", by="clerk-lead", at=at(date(2026, 3, 5)))
    assert sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=date(2026, 3, 5)).approved
    # INV-2 dated 11 Jan is due 10 Feb and crosses 30 days on 13 Mar: on hold again.
    books.issue(invoice("INV-2", date(2026, 1, 11), "10.00"), actor="ana", idempotency_key="i2")
    assert sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=date(2026, 3, 12)).approved
    again = sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=date(2026, 3, 13))
    assert again.reasons == (HoldReason.PAST_DUE,)


def test_disputed_items_do_not_hold_the_customer(store: SqlStore, books: Ledger) -> None:
    books.set_dispute("INV-1", True, actor="ana", idempotency_key="d1")
    assert sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=date(2026, 6, 1)).approved


def test_a_manual_hold_and_its_release(store: SqlStore, books: Ledger) -> None:
    day = date(2026, 1, 10)
    sc.place_hold(store, CO, "c-1", reason="dunning step 3", by="dunning", at=at(day))
    sc.place_hold(store, CO, "c-1", reason="dunning step 3", by="dunning", at=at(day, 10))
    assert len(sc.hold_log(store, CO, "c-1")) == 1  # a repeated run logs nothing new
    found = sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=day)
    assert found.reasons == (HoldReason.ON_HOLD,)
    assert "dunning step 3" in found.details[0]
    sc.release_hold(store, CO, "c-1", reason="paid", by="boss", at=at(day, 11))
    assert sc.check_credit(store, CO, "c-1", usd("1.00"), as_of=day).approved
    with pytest.raises(ConflictError):
        sc.release_hold(store, CO, "c-1", reason="paid", by="boss", at=at(day, 12))
    with pytest.raises(NotFoundError):
        sc.place_hold(store, CO, "nobody", reason="x", by="dunning", at=at(day))


def test_only_approvers_add_approvers(store: SqlStore, books: Ledger) -> None:
    with pytest.raises(NotAllowedError):
        sc.add_approver(store, CO, "mallory", by="mallory", at=at(date(2026, 1, 2)))
    assert [a.name for a in sc.approvers(store, CO)] == ["boss", "clerk-lead"]
    assert sc.approvers(store, CO)[1].max_limit == usd("5000.00")


def test_an_application_is_scored_recommended_and_approved(
    store: SqlStore, books: Ledger, tmp_path: Path
) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text("customer_id,score,as_of\nc-2,72,2026-02-01\n", encoding="utf-8")
    application = CreditApplication(
        company_id=CO,
        id="APP-1",
        customer_id="c-2",
        legal_name="Initech LLC",
        years_in_business=4,
        received=date(2026, 2, 2),
        requested_limit=usd("8000.00"),
        trade_references=[
            {"name": "Steel Co", "rating": "prompt"},
            {"name": "Bolt Co", "rating": "prompt"},
        ],
    )
    sc.save_application(store, application, by="ana", at=at(date(2026, 2, 2)))
    with pytest.raises(ConflictError):  # not evaluated yet
        sc.approve_application(store, CO, "APP-1", by="boss", at=at(date(2026, 2, 3)))
    found = sc.evaluate_application(
        store, CO, "APP-1", as_of=date(2026, 2, 3), provider=csv_score_provider(scores)
    )
    # Score 72 → B: 75 % of 8,000 = 6,000, Net 30. c-2 has no history: no behaviour step.
    assert (found.grade, found.limit, found.terms) == ("B", usd("6000.00"), NetTerms(days=30))
    # clerk-lead may approve up to 5,000 only; the refusal changes nothing.
    with pytest.raises(NotAllowedError):
        sc.approve_application(store, CO, "APP-1", by="clerk-lead", at=at(date(2026, 2, 3)))
    assert books.customer("c-2").credit_limit is None
    assert sc.application(store, CO, "APP-1").status == "recommended"
    decision = sc.approve_application(
        store,
        CO,
        "APP-1",
        by="clerk-lead",
        at=at(date(2026, 2, 3)),
        limit=usd("5000.00"),
        terms="Net 15",
        note="start lower",
    )
    assert decision.approved_by == "clerk-lead"
    customer = books.customer("c-2")
    assert (customer.credit_limit, customer.terms) == (usd("5000.00"), NetTerms(days=15))
    record = sc.application(store, CO, "APP-1")
    assert record.status == "approved"
    assert record.decision == decision
    with pytest.raises(ConflictError):
        sc.approve_application(store, CO, "APP-1", by="boss", at=at(date(2026, 2, 4)))


def test_behaviour_from_the_ledger(store: SqlStore, books: Ledger) -> None:
    # INV-1 (due 31 Jan) settled on 20 Feb by a payment of 600 and the credit memo: 20 days
    # late. INV-3 (dated 1 Feb, due 3 Mar) paid 1 Mar: on time. Average 10.00 days late,
    # half paid late: 100 − 10 − 15 = 75.
    books.issue(invoice("INV-3", date(2026, 2, 1), "100.00"), actor="ana", idempotency_key="i3")
    books.apply("CM-1", "INV-1", usd("50.00"), on=date(2026, 2, 1), actor="ana",
                idempotency_key="a0")  # fmt: skip
    for pid, day, amount, target in (
        ("P-1", date(2026, 2, 20), "600.00", "INV-1"),
        ("P-2", date(2026, 3, 1), "100.00", "INV-3"),
    ):
        books.record_payment(
            Payment(company_id=CO, id=pid, customer_id="c-1", currency="USD",
                    received_date=day, amount=usd(amount), method="check"),
            actor="ana", idempotency_key=pid,
        )  # fmt: skip
        books.apply(pid, target, usd(amount), on=day, actor="ana", idempotency_key=f"a-{pid}")
    found = sc.customer_behaviour(store, CO, "c-1", as_of=date(2026, 3, 31))
    assert (found.items, found.avg_days_late, found.share_paid_late) == (
        2,
        Decimal("10.00"),
        Decimal("0.5000"),
    )
    assert found.score == 75
    # A window that ends before the settlements sees nothing.
    assert sc.customer_behaviour(store, CO, "c-1", as_of=date(2026, 2, 19)).items == 0


def test_allowance_from_the_books(store: SqlStore, books: Ledger) -> None:
    # As of 31 Mar: INV-1 (650.00, due 31 Jan) is 59 days past due → 31-60; the unapplied
    # credit memo (−50.00, dated 5 Jan, no due date) is 85 days old → 61-90.
    # 31-60: 650.00 × 5 % = 32.50; a negative bucket is not provided for. Allowance 32.50.
    rates = {"current": Decimal(0), "1-30": Decimal(1), "31-60": Decimal(5),
             "61-90": Decimal(20), "91+": Decimal(50)}  # fmt: skip
    found = sc.allowance_from_store(store, CO, date(2026, 3, 31), rates)["USD"]
    assert [line.open for line in found.lines] == [
        usd("0.00"),
        usd("0.00"),
        usd("650.00"),
        usd("-50.00"),
        usd("0.00"),
    ]
    assert found.allowance == usd("32.50")


def test_write_off_review_and_recovery_through_the_ledger(store: SqlStore, books: Ledger) -> None:
    day = date(2026, 6, 1)
    sc.queue_for_review(store, CO, "INV-1", reason="bankrupt", by="dunning", at=at(day))
    sc.queue_for_review(store, CO, "INV-1", reason="bankrupt", by="dunning", at=at(day, 10))
    queue = sc.review_queue(store, CO)
    assert [(r.document_id, r.status, r.customer_id) for r in queue] == [
        ("INV-1", ReviewStatus.PENDING, "c-1")
    ]
    review = queue[0].id
    with pytest.raises(NotAllowedError):
        sc.decide_write_off(store, CO, review, approve=True, by="shop", at=at(day), on=day)
    assert books.document("INV-1").status is DocumentStatus.ISSUED
    decided = sc.decide_write_off(
        store, CO, review, approve=True, by="boss", at=at(day), on=day, note="agency gave up"
    )
    assert (decided.status, decided.decided_by) == (ReviewStatus.APPROVED, "boss")
    assert books.document("INV-1").status is DocumentStatus.WRITTEN_OFF
    assert books.document_balance("INV-1") == usd("0.00")
    assert sc.review_queue(store, CO) == []
    with pytest.raises(ConflictError):
        sc.decide_write_off(store, CO, review, approve=False, by="boss", at=at(day), on=day)
    posted = sc.recover_bad_debt(
        store, CO, "INV-1", usd("100.00"), on=date(2026, 7, 1), by="boss",
        at=at(date(2026, 7, 1)), idempotency_key="recover-1",
    )  # fmt: skip
    assert not posted.replayed
    assert books.document_balance("INV-1") == usd("100.00")


def test_a_rejected_review_leaves_the_item_open(store: SqlStore, books: Ledger) -> None:
    day = date(2026, 6, 1)
    sc.queue_for_review(store, CO, "INV-1", reason="slow", by="ana", at=at(day))
    review = sc.review_queue(store, CO)[0].id
    decided = sc.decide_write_off(store, CO, review, approve=False, by="boss", at=at(day), on=day)
    assert decided.status is ReviewStatus.REJECTED
    assert books.document_balance("INV-1") == usd("650.00")
    assert [r.status for r in sc.review_queue(store, CO, status=None)] == [ReviewStatus.REJECTED]
    with pytest.raises(NotFoundError):
        sc.queue_for_review(store, CO, "nope", reason="x", by="ana", at=at(day))


def test_a_write_off_above_the_approvers_maximum_is_refused(store: SqlStore, books: Ledger) -> None:
    day = date(2026, 6, 1)
    sc.add_approver(store, CO, "junior", max_limit=usd("500.00"), by="boss", at=at(day))
    sc.add_approver(store, CO, "euro", max_limit=Money("9000.00", "EUR"), by="boss", at=at(day))
    sc.queue_for_review(store, CO, "INV-1", reason="bankrupt", by="dunning", at=at(day))
    review = sc.review_queue(store, CO)[0].id
    # 650.00 open on INV-1: over junior's 500.00, and euro's cap is in another currency
    for who in ("junior", "euro"):
        with pytest.raises(NotAllowedError) as refused:
            sc.decide_write_off(store, CO, review, approve=True, by=who, at=at(day), on=day)
        assert refused.value.field == "amount"
    assert books.document_balance("INV-1") == usd("650.00")
    assert [r.status for r in sc.review_queue(store, CO)] == [ReviewStatus.PENDING]
    # a part paid brings it under junior's cap
    books.record_payment(
        Payment(company_id=CO, id="P-1", customer_id="c-1", currency="USD",
                received_date=day, amount=usd("200.00"), method="check"),
        actor="ana", idempotency_key="p1",
    )  # fmt: skip
    books.apply("P-1", "INV-1", usd("200.00"), on=day, actor="ana", idempotency_key="a1")
    decided = sc.decide_write_off(store, CO, review, approve=True, by="junior", at=at(day), on=day)
    assert decided.status is ReviewStatus.APPROVED
    assert books.document_balance("INV-1") == usd("0.00")


def test_an_invoiced_order_and_its_invoice_never_count_both(store: SqlStore, books: Ledger) -> None:
    taken, billed = date(2026, 1, 10), date(2026, 1, 15)
    sc.record_order(store, CO, "SO-1", "c-1", usd("300.00"), on=taken, by="shop", at=at(taken))
    books.issue(invoice("INV-9", billed, "300.00"), actor="ana", idempotency_key="i9")
    # the app names the invoice it issued for the order
    with pytest.raises(ValidationError) as missing:
        sc.close_order(store, CO, "SO-1", status="invoiced", by="shop", at=at(billed))
    assert missing.value.field == "invoice_id"
    books.issue(invoice("INV-X", billed, "300.00", customer="c-2"), actor="ana",
                idempotency_key="ix")  # fmt: skip
    for wrong in ("INV-X", "CM-1"):
        with pytest.raises(ValidationError):
            sc.close_order(store, CO, "SO-1", status="invoiced", by="shop", at=at(billed),
                           invoice_id=wrong)  # fmt: skip
    with pytest.raises(NotFoundError):
        sc.close_order(store, CO, "SO-1", status="invoiced", by="shop", at=at(billed),
                       invoice_id="INV-404")  # fmt: skip
    assert [o.id for o in sc.open_orders(store, CO, "c-1")] == ["SO-1"]  # nothing changed
    sc.close_order(store, CO, "SO-1", status="invoiced", by="shop", at=at(billed),
                   invoice_id="INV-9")  # fmt: skip
    assert sc.open_orders(store, CO, "c-1") == []

    def counted(day: date) -> tuple[Money, Money]:
        found = sc.customer_exposure(store, CO, "c-1", as_of=day)
        return found.open_ar, found.open_orders

    # open AR 600.00 (INV-1 less CM-1); the order until the day before the invoice's date,
    # the invoice from that date: 900.00 every day, never 1,200.00
    assert counted(date(2026, 1, 9)) == (usd("600.00"), usd("0.00"))  # not taken yet
    assert counted(date(2026, 1, 14)) == (usd("600.00"), usd("300.00"))
    assert counted(billed) == (usd("900.00"), usd("0.00"))
    assert sc.check_credit(store, CO, "c-1", usd("100.00"), as_of=billed).available == usd("100.00")
