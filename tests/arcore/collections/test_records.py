"""Promises, plans, disputes and templates as pure functions, with dates worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from arcore.collections.channels import render_message
from arcore.collections.disputes import Dispute, disputed_amount
from arcore.collections.plans import plan_from_terms, plan_state
from arcore.collections.promises import Promise, Settlement, promise_status
from arcore.errors import NotFoundError
from arcore.money import Money
from arcore.terms import parse_terms


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def paid(day: date, amount: str, doc: str = "inv-1") -> Settlement:
    return Settlement(document_id=doc, applied_date=day, amount=usd(amount))


def test_promise_kept_broken_pending() -> None:
    promise = Promise(
        id="p", customer_id="c", amount=usd("100.00"), made_on=date(2026, 1, 30),
        promised_date=date(2026, 2, 28), document_ids=("inv-1",), collector="ana",
    )  # fmt: skip
    assert promise_status(promise, [], as_of=date(2026, 2, 28)) == "pending"
    assert promise_status(promise, [], as_of=date(2026, 3, 1)) == "broken"
    # paid in two parts by the date: kept
    two = [paid(date(2026, 2, 1), "60.00"), paid(date(2026, 2, 28), "40.00")]
    assert promise_status(promise, two, as_of=date(2026, 3, 1)) == "kept"
    # the second part a day late, or before the promise, or to another item: broken
    assert (
        promise_status(promise, [two[0], paid(date(2026, 3, 1), "40.00")], as_of=date(2026, 3, 2))
        == "broken"
    )
    assert (
        promise_status(promise, [paid(date(2026, 1, 29), "100.00")], as_of=date(2026, 3, 2))
        == "broken"
    )
    assert (
        promise_status(promise, [paid(date(2026, 2, 2), "100.00", "inv-2")], as_of=date(2026, 3, 2))
        == "broken"
    )
    assert (
        promise_status(promise.model_copy(update={"cancelled": True}), [], as_of=date(2026, 3, 2))
        == "cancelled"
    )


def test_plan_from_installment_terms_and_missed_installment() -> None:
    # 1000.00 in shares of 33.34/33.33/33.33 % from 31 Jan: 333.40 on 2 Mar (Net 30), 333.30
    # on 1 Apr (Net 60), 333.30 on 1 May (Net 90); the shares give exact cents, no remainder.
    plan = plan_from_terms(
        "pp", "c", ["inv-1"], usd("1000.00"),
        parse_terms("Installments 33.34% Net 30, 33.33% Net 60, 33.33% Net 90"),
        agreed_on=date(2026, 1, 31), collector="ana", grace_days=2,
    )  # fmt: skip
    assert [(i.due_date, i.amount) for i in plan.installments] == [
        (date(2026, 3, 2), usd("333.40")),
        (date(2026, 4, 1), usd("333.30")),
        (date(2026, 5, 1), usd("333.30")),
    ]
    first = plan.installments[0].amount
    on_time = [paid(date(2026, 3, 4), str(first.amount))]  # within the 2 grace days
    state = plan_state(plan, on_time, as_of=date(2026, 3, 5))
    assert state.status == "active"
    assert [i.status for i in state.installments] == ["met", "open", "open"]
    assert plan_state(plan, [], as_of=date(2026, 3, 4)).status == "active"
    assert plan_state(plan, [], as_of=date(2026, 3, 5)).status == "broken"
    everything = [paid(date(2026, 2, 10), "1000.00")]
    assert plan_state(plan, everything, as_of=date(2026, 2, 11)).status == "completed"


def test_partial_disputes_add_up_while_open() -> None:
    a = Dispute(id="a", document_id="inv-1", customer_id="c", amount=usd("10.00"),
                reason_code="tax", owner="o", opened_on=date(2026, 1, 5))  # fmt: skip
    b = a.model_copy(update={"id": "b", "amount": usd("5.00"), "opened_on": date(2026, 1, 10)})
    assert disputed_amount([a, b], "inv-1", as_of=date(2026, 1, 4)) is None
    assert disputed_amount([a, b], "inv-1", as_of=date(2026, 1, 9)) == usd("10.00")
    assert disputed_amount([a, b], "inv-1", as_of=date(2026, 1, 10)) == usd("15.00")
    with pytest.raises(ValueError, match="resolution"):
        Dispute(
            id="x", document_id="inv-1", customer_id="c", amount=usd("1.00"),
            reason_code="tax", owner="o", opened_on=date(2026, 1, 5), status="resolved",
        )  # fmt: skip


def test_templates_in_two_languages_and_fallback() -> None:
    context = {
        "company_name": "Acme", "customer_name": "Globex", "as_of": "2026-02-07",
        "items": [{"number": "INV-1", "document_id": "inv-1", "due_date": "2026-01-31",
                   "days_past_due": 7, "amount": usd("100.00")}],
        "total": usd("100.00"), "fees": usd("5.00"),
    }  # fmt: skip
    subject, body = render_message("second", "en", context)
    assert subject == "Second reminder: 100.00 USD is overdue"
    assert "INV-1  due 2026-01-31  7 days past due  100.00 USD" in body
    assert "Late charges of 5.00 USD" in body
    subject, body = render_message("second", "de", context)
    assert subject == "Zweite Mahnung: 100.00 USD überfällig"
    assert "7 Tage überfällig" in body
    assert render_message("second", "fr", context)[0].startswith("Second reminder")
    with pytest.raises(NotFoundError):
        render_message("nope", "en", context)
