"""Worklist ranking and next actions, worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arcore.collections.worklist import AccountFacts, next_action, score, worklist
from arcore.money import Money

DAY = date(2026, 3, 2)


def facts(cid: str, amount: str, days: int, **more: object) -> AccountFacts:
    return AccountFacts(
        customer_id=cid, name=cid.upper(), past_due=Money(amount, "USD"), oldest_days=days, **more
    )  # type: ignore[arg-type]


def test_score_by_hand() -> None:
    # 900 x (1 + 60/30) x (1 + 2/2) x (1 + 0.5) = 900 x 3 x 2 x 1.5 = 8100
    assert score(facts("a", "900.00", 60, broken_promises=2, risk=Decimal("0.5"))) == Decimal(
        "8100.00"
    )
    # 1000 x (1 + 10/30) = 1333.333... -> 1333.33
    assert score(facts("b", "1000.00", 10)) == Decimal("1333.33")


def test_ranking_amount_days_promises_and_risk() -> None:
    accounts = [
        facts("big-new", "5000.00", 5),  # 5000 x 1.1666 = 5833.33
        facts("old", "2000.00", 90),  # 2000 x 4 = 8000
        facts("liar", "1500.00", 30, broken_promises=2),  # 1500 x 2 x 2 = 6000
        facts("risky", "2500.00", 30, risk=Decimal("0.2")),  # 2500 x 2 x 1.2 = 6000 (tie: id)
        facts("paid", "0.00", 0),
    ]
    ranked = worklist(accounts, as_of=DAY)
    assert [(i.rank, i.customer_id) for i in ranked] == [
        (1, "old"), (2, "liar"), (3, "risky"), (4, "big-new"),
    ]  # fmt: skip


def test_follow_up_keeps_a_paid_account_on_the_list_and_collector_filter() -> None:
    accounts = [
        facts("a", "0.00", 0, follow_up=DAY, follow_up_note="send the POD", collector="ana"),
        facts("b", "10.00", 3, collector="bo"),
    ]
    assert [i.customer_id for i in worklist(accounts, as_of=DAY, collector="ana")] == ["a"]
    assert worklist(accounts, as_of=date(2026, 3, 1), collector="ana") == []


def test_next_action_order() -> None:
    base = facts("a", "100.00", 40)
    assert next_action(base, as_of=DAY) == "call about 100.00 USD past due (40 days)"
    with_task = base.model_copy(update={"call_task": "call task: Call A"})
    assert next_action(with_task, as_of=DAY) == "call: call task: Call A"
    disputed = with_task.model_copy(update={"open_dispute": "d-1 (40.00 USD, pricing) with sales"})
    assert next_action(disputed, as_of=DAY).startswith("chase dispute d-1")
    waiting = disputed.model_copy(update={"running": "promise p-1 of 100.00 USD by 2026-03-06"})
    assert next_action(waiting, as_of=DAY) == "wait: promise p-1 of 100.00 USD by 2026-03-06"
    plan = waiting.model_copy(update={"broken_plan": "pp-1"})
    assert next_action(plan, as_of=DAY) == "call: payment plan pp-1 missed an installment"
    broken = plan.model_copy(update={"broken_promise_unanswered": "promise p-0"})
    assert next_action(broken, as_of=DAY) == "call: promise p-0 was broken"
    follow = broken.model_copy(update={"follow_up": DAY, "follow_up_note": "ring back"})
    assert next_action(follow, as_of=DAY) == "follow up (agreed for 2026-03-02): ring back"
    assert next_action(follow, as_of=date(2026, 3, 1)) == "call: promise p-0 was broken"
