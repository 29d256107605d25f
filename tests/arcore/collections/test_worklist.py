"""Worklist ranking and next actions, worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from arcore.collections.disputes import Dispute
from arcore.collections.interactions import Interaction
from arcore.collections.plans import PaymentPlan, ScheduledInstallment
from arcore.collections.promises import Promise
from arcore.collections.worklist import AccountFacts, next_action, score, worklist
from arcore.credit.scoring import SettledItem, behaviour_score
from arcore.documents import Customer, Invoice, InvoiceLine, Payment
from arcore.ledger import Ledger
from arcore.ledger.accounts import AccountRole
from arcore.money import Money
from arcore.store import collections as records
from arcore.store import credit
from arcore.store.sql import SqlStore
from arcore.store.worklist import account_facts, load_worklist
from strategies import positive_money

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


# --- several currencies ------------------------------------------------------------------


def test_amounts_of_different_currencies_are_never_compared() -> None:
    yen = AccountFacts(
        customer_id="jp", name="JP", past_due=Money("1000000", "JPY"), oldest_days=5
    )  # urgency 1.1666...
    accounts = [
        yen,
        facts("us-small", "10.00", 90),  # urgency 4, score 40
        facts("us-big", "5000.00", 30),  # urgency 2, score 10000
        AccountFacts(  # owes in USD and EUR: placed by the better of its two places
            customer_id="mixed",
            name="MIXED",
            past_due=Money("100.00", "USD"),
            other_past_due=(Money("8000.00", "EUR"),),
            oldest_days=60,
        ),
    ]
    ranked = worklist(accounts, as_of=DAY)
    # heads: EUR mixed (urgency 3), JPY jp (1.17), USD us-big (2, the highest USD score)
    # -> mixed; then us-big (2) before jp (1.17); then USD's next, us-small (4), before jp;
    # mixed's USD place is skipped (already placed)
    assert [(i.customer_id, i.ranked_in) for i in ranked] == [
        ("mixed", "EUR"), ("us-big", "USD"), ("us-small", "USD"), ("jp", "JPY"),
    ]  # fmt: skip
    assert ranked[0].score == Decimal("24000.00")  # 8000 x 3, in EUR
    assert ranked[0].other_past_due == (Money("8000.00", "EUR"),)
    assert next_action(accounts[3], as_of=DAY) == (
        "call about 100.00 USD + 8000.00 EUR past due (60 days)"
    )
    # within one currency the amount decides, as it always did
    assert [i.customer_id for i in worklist(accounts[1:3], as_of=DAY)] == ["us-big", "us-small"]


@st.composite
def accounts(draw: st.DrawFn) -> list[AccountFacts]:
    """Accounts owing in one to three currencies, with any days, promises and risk."""
    found = []
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        codes = draw(st.lists(st.sampled_from(["USD", "EUR", "JPY"]), min_size=1, max_size=3,
                              unique=True))  # fmt: skip
        owed = [draw(positive_money(code, max_units=10**9)) for code in codes]
        found.append(
            AccountFacts(
                customer_id=f"c-{n}",
                name=f"C{n}",
                past_due=owed[0],
                other_past_due=tuple(sorted(owed[1:], key=lambda m: m.currency)),
                oldest_days=draw(st.integers(min_value=0, max_value=400)),
                broken_promises=draw(st.integers(min_value=0, max_value=4)),
                risk=draw(st.decimals(min_value=0, max_value=1, places=2)),
            )
        )
    return found


def _scaled(account: AccountFacts, code: str, factor: int) -> AccountFacts:
    def scale(m: Money) -> Money:
        return Money(m.amount * factor, m.currency) if m.currency == code else m

    return account.model_copy(
        update={
            "past_due": scale(account.past_due),
            "other_past_due": tuple(scale(m) for m in account.other_past_due),
        }
    )


@given(
    accounts(), st.sampled_from(["USD", "EUR", "JPY"]), st.integers(min_value=2, max_value=10**6)
)
def test_the_ranking_never_weighs_one_currency_against_another(
    listed: list[AccountFacts], code: str, factor: int
) -> None:
    ranked = worklist(listed, as_of=DAY)
    # every account owing something is listed once
    assert sorted(i.customer_id for i in ranked) == sorted(a.customer_id for a in listed)
    # within a currency, the accounts it placed come by score
    for currency in {i.ranked_in for i in ranked}:
        mine = [i for i in ranked if i.ranked_in == currency]
        assert [i.score for i in mine] == sorted((i.score for i in mine), reverse=True)
    # multiplying every amount of one currency (a change of rate) changes nobody's place
    rescaled = worklist([_scaled(a, code, factor) for a in listed], as_of=DAY)
    assert [(i.customer_id, i.ranked_in) for i in rescaled] == [
        (i.customer_id, i.ranked_in) for i in ranked
    ]


def test_an_account_owing_only_in_another_currency_is_listed() -> None:
    only_eur = AccountFacts(
        customer_id="e", name="E", past_due=Money("0.00", "USD"),
        other_past_due=(Money("50.00", "EUR"),), oldest_days=3,
    )  # fmt: skip
    [item] = worklist([only_eur], as_of=DAY)
    assert (item.ranked_in, item.score) == ("EUR", Decimal("55.00"))


# --- from the store ------------------------------------------------------------------------

CO = "acme"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def books(store: SqlStore, customers: int = 2) -> Ledger:
    """Customers c-0.. (USD) each with an invoice of 100.00 x (n + 1) due 2026-01-31."""
    ledger = Ledger(store, CO, clock=lambda: at(date(2026, 1, 1)))
    ledger.open_books("Acme", actor="ana", idempotency_key="open")
    for n in range(customers):
        cid = f"c-{n}"
        ledger.add_customer(
            Customer(company_id=CO, id=cid, name=f"Customer {n}", currency="USD"),
            actor="ana",
            idempotency_key=cid,
        )
        issue(ledger, cid, f"inv-{n}", Money(f"{100 * (n + 1)}.00", "USD"))
    return ledger


def issue(ledger: Ledger, cid: str, id: str, amount: Money, dated: date = date(2026, 1, 1)) -> None:
    ledger.issue(
        Invoice(
            company_id=CO, id=id, customer_id=cid, currency=amount.currency, number=id.upper(),
            document_date=dated, terms="Net 30",
            lines=[InvoiceLine(description="Goods", quantity=Decimal(1), unit_price=amount)],
        ),
        actor="ana", idempotency_key=f"issue:{id}",
    )  # fmt: skip


def log(store: SqlStore, id: str, cid: str, when: datetime, **more: Any) -> None:
    records.add_interaction(
        store,
        CO,
        Interaction(id=id, customer_id=cid, occurred_at=when, **{"kind": "call", **more}),
        at=when,
    )


def facts_of(store: SqlStore, day: date) -> dict[str, AccountFacts]:
    return {f.customer_id: f for f in account_facts(store, CO, as_of=day)}


def test_a_customer_owing_in_two_currencies_is_worked_not_crashed(store: SqlStore) -> None:
    ledger = books(store, 1)
    issue(ledger, "c-0", "inv-eur", Money("500.00", "EUR"))
    day = date(2026, 3, 2)  # 30 days past due
    found = facts_of(store, day)["c-0"]
    assert found.past_due == Money("100.00", "USD")
    assert found.other_past_due == (Money("500.00", "EUR"),)
    [item] = load_worklist(store, CO, as_of=day)
    assert item.ranked_in == "EUR"  # 500 EUR is not compared with 100 USD: EUR sorts first
    assert item.next_action == "call about 100.00 USD + 500.00 EUR past due (30 days)"


def test_a_broken_promise_is_unanswered_until_someone_talks_to_the_customer(
    store: SqlStore,
) -> None:
    books(store, 1)
    promise = Promise(
        id="p-1", customer_id="c-0", amount=Money("100.00", "USD"), made_on=date(2026, 2, 2),
        promised_date=date(2026, 2, 10), collector="ana",
    )  # fmt: skip
    records.add_promise(store, CO, promise, at=at(date(2026, 2, 2)))
    waiting = facts_of(store, date(2026, 2, 10))["c-0"]
    assert (waiting.running, waiting.broken_promise_unanswered) == (
        "promise p-1 of 100.00 USD by 2026-02-10",
        None,
    )
    broken = facts_of(store, date(2026, 2, 11))["c-0"]
    assert broken.broken_promises == 1
    assert broken.broken_promise_unanswered == "promise p-1 of 100.00 USD by 2026-02-10"
    # a dunning email is a contact too; one on the promised day does not answer the break
    log(store, "i-1", "c-0", at(date(2026, 2, 10)), kind="email", collector="dunning")
    assert facts_of(store, date(2026, 2, 11))["c-0"].broken_promise_unanswered is not None
    log(store, "i-2", "c-0", at(date(2026, 2, 12)), collector="ana", outcome="will pay")
    assert facts_of(store, date(2026, 2, 11))["c-0"].broken_promise_unanswered is not None
    answered = facts_of(store, date(2026, 2, 12))["c-0"]
    assert (answered.broken_promise_unanswered, answered.broken_promises) == (None, 1)


def test_a_follow_up_is_done_by_a_persons_contact_on_or_after_its_day(store: SqlStore) -> None:
    books(store, 1)
    log(store, "i-1", "c-0", at(date(2026, 2, 5)), collector="ana", outcome="send POD",
        follow_up=date(2026, 2, 9))  # fmt: skip
    due = facts_of(store, date(2026, 2, 9))["c-0"]
    assert (due.follow_up, due.follow_up_note) == (date(2026, 2, 9), "send POD")
    # the dunning run's email on the day does not do the follow-up, nor a call before it
    log(store, "i-2", "c-0", at(date(2026, 2, 9)), kind="email", collector="dunning")
    log(store, "i-3", "c-0", at(date(2026, 2, 8)), kind="note", collector="bo")
    assert facts_of(store, date(2026, 2, 9))["c-0"].follow_up == date(2026, 2, 9)
    log(store, "i-4", "c-0", at(date(2026, 2, 9), 15), collector="bo", outcome="POD sent")
    assert facts_of(store, date(2026, 2, 9))["c-0"].follow_up is None
    assert facts_of(store, date(2026, 2, 8))["c-0"].follow_up == date(2026, 2, 9)


def test_a_call_task_of_the_dunning_run(store: SqlStore) -> None:
    books(store, 2)
    log(store, "task-1", "c-1", at(date(2026, 2, 20)), collector="dunning",
        outcome="call task: second reminder")  # fmt: skip
    log(store, "call-0", "c-0", at(date(2026, 2, 20)), collector="ana", outcome="left message")
    found = facts_of(store, date(2026, 2, 21))
    assert found["c-1"].call_task == "call task: second reminder"
    assert found["c-0"].call_task is None  # a person's call is not a task
    assert facts_of(store, date(2026, 2, 19))["c-1"].call_task is None  # not yet made
    [first, second] = load_worklist(store, CO, as_of=date(2026, 2, 21))
    assert (first.customer_id, first.next_action) == ("c-1", "call: call task: second reminder")
    assert second.next_action == "call about 100.00 USD past due (21 days)"


# --- a bounded number of queries ---------------------------------------------------------


def generated_book(store: SqlStore, customers: int) -> None:
    """Customers with payments, promises (kept and broken), plans, disputes and calls."""
    ledger = books(store, customers)
    for n in range(customers):
        cid, inv = f"c-{n}", f"inv-{n}"
        day = date(2026, 2, 1) + timedelta(days=n % 7)
        if n % 2 == 0:
            ledger.record_payment(
                Payment(company_id=CO, id=f"pay-{n}", customer_id=cid, currency="USD",
                        received_date=day, amount=Money("50.00", "USD"), method="check"),
                actor="ana", idempotency_key=f"pay-{n}",
            )  # fmt: skip
            ledger.apply(
                f"pay-{n}", inv, Money("50.00", "USD"), on=day, actor="ana",
                idempotency_key=f"apply-{n}",
            )  # fmt: skip
        if n % 3 != 2:
            promise = Promise(
                id=f"p-{n}", customer_id=cid, amount=Money("50.00", "USD"),
                made_on=date(2026, 1, 20), promised_date=date(2026, 2, 5), collector="ana",
                document_ids=(inv,) if n % 2 else (),
            )  # fmt: skip
            records.add_promise(store, CO, promise, at=at(date(2026, 1, 20)))
        if n % 4 == 1:
            plan = PaymentPlan(
                id=f"pp-{n}", customer_id=cid, agreed_on=date(2026, 2, 1),
                document_ids=(inv,), collector="bo",
                installments=(
                    ScheduledInstallment(due_date=date(2026, 2, 15), amount=Money("50.00", "USD")),
                ),
            )  # fmt: skip
            records.add_plan(store, CO, plan, at=at(date(2026, 2, 1)))
        if n % 5 == 3:
            records.open_dispute(
                store, ledger,
                Dispute(id=f"d-{n}", document_id=inv, customer_id=cid,
                        amount=Money("10.00", "USD"), reason_code="pricing", owner="sales",
                        opened_on=date(2026, 2, 3)),
                actor="ana", at=at(date(2026, 2, 3)),
            )  # fmt: skip
        log(store, f"i-{n}", cid, at(day), collector="dunning" if n % 2 else "ana",
            outcome=f"contact {n}", follow_up=day + timedelta(days=n % 3))  # fmt: skip


@contextmanager
def counting(store: SqlStore) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_the_worklist_runs_a_fixed_number_of_queries(store: SqlStore) -> None:
    generated_book(store, 12)
    day = date(2026, 3, 2)
    with counting(store) as few:
        assert len(load_worklist(store, CO, as_of=day)) == 12
    # twelve more customers of every kind: not one more statement
    ledger = Ledger(store, CO)
    for n in range(12, 24):
        ledger.add_customer(
            Customer(company_id=CO, id=f"c-{n}", name=f"Customer {n}", currency="USD"),
            actor="ana",
            idempotency_key=f"c-{n}",
        )
        issue(ledger, f"c-{n}", f"inv-{n}", Money("10.00", "USD"))
        records.add_promise(
            store, CO,
            Promise(id=f"p-{n}", customer_id=f"c-{n}", amount=Money("5.00", "USD"),
                    made_on=date(2026, 1, 20), promised_date=date(2026, 2, 5), collector="ana"),
            at=at(date(2026, 1, 20)),
        )  # fmt: skip
        log(store, f"i-{n}", f"c-{n}", at(date(2026, 2, 2)), collector="ana",
            follow_up=date(2026, 2, 4))  # fmt: skip
    with counting(store) as more:
        assert len(load_worklist(store, CO, as_of=day)) == 24
    assert len(more) == len(few)


def test_grouped_facts_equal_those_gathered_customer_by_customer(store: SqlStore) -> None:
    generated_book(store, 15)
    for day in (date(2026, 2, 4), date(2026, 2, 16), date(2026, 3, 2)):
        start = day - timedelta(days=credit.BEHAVIOUR_WINDOW_DAYS)
        grouped = credit.behaviour_scores(store, CO, as_of=day)
        paid = records.settlements_by_customer(store, CO)
        for n in range(15):
            cid = f"c-{n}"
            # the per-customer path the worklist used to take, one customer at a time
            assert sorted(paid.get(cid, []), key=repr) == sorted(
                records.settlements(store, CO, cid), key=repr
            )
            one_by_one = behaviour_score(
                _settled(store, cid, start, day),
                disputes=records.dispute_count(store, CO, cid, since=start),
                broken_promises=records.broken_promises(store, CO, cid, as_of=day, since=start),
            )
            assert grouped.get(cid, behaviour_score(())) == one_by_one, (cid, day)
            assert credit.customer_behaviour(store, CO, cid, as_of=day) == one_by_one


def _settled(store: SqlStore, cid: str, start: date, end: date) -> list[SettledItem]:
    with store.session(CO, write=False) as session:
        chart = session.books()
        assert chart is not None
        return [
            SettledItem(due=due or dated, settled=settled_on)
            for _c, customer, dated, due, _u, settled_on in session.settled_receivables(
                start=start, end=end, receivable_account=chart.chart.code(AccountRole.AR_CONTROL)
            )
            if customer == cid
        ]
