"""The worklist from the store: past-due amounts, promises, plans, disputes, follow-ups, risk.

[`load_worklist`][arcore.store.worklist.load_worklist] gathers an
[`AccountFacts`][arcore.collections.worklist.AccountFacts] per customer and ranks them with
[`worklist`][arcore.collections.worklist.worklist]. Risk comes from the credit behavioural
score ([`customer_behaviour`][arcore.store.credit.customer_behaviour]):
``(100 - score) / 100`` when the customer has a history, 0 otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from arcore.collections.disputes import Dispute, is_open
from arcore.collections.interactions import Interaction
from arcore.collections.plans import PaymentPlan, plan_state
from arcore.collections.profile import CollectionProfile
from arcore.collections.promises import Promise, Settlement, promise_status
from arcore.collections.worklist import AccountFacts, WorkItem, worklist
from arcore.credit.scoring import BehaviourScore
from arcore.documents import Customer
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store import collections as records
from arcore.store import credit
from arcore.store.sql import SqlStore

__all__ = ["account_facts", "load_worklist"]

_YEAR = timedelta(days=365)


def account_facts(store: SqlStore, company_id: str, *, as_of: date) -> list[AccountFacts]:
    """One [`AccountFacts`][arcore.collections.worklist.AccountFacts] per customer on ``as_of``.

    A fixed number of queries whatever the number of customers (open items, customers,
    profiles, interactions, promises, plans, settlements, disputes, and the behavioural
    score's own), grouped by customer in Python. Past-due amounts are kept per currency.
    """
    ledger = Ledger(store, company_id)
    profiles = records.load_profiles(store, company_id)
    past_due: dict[str, dict[str, Money]] = defaultdict(dict)
    oldest: dict[str, int] = defaultdict(int)
    for item in ledger.open_items(as_of=as_of):
        if (
            item.customer_id is None
            or item.kind not in ("invoice", "debit_memo")
            or item.due_date is None
            or item.due_date >= as_of
            or item.balance.amount <= 0
        ):
            continue
        cid = item.customer_id
        owed = past_due[cid]
        owed[item.currency] = owed.get(item.currency, Money.zero(item.currency)) + item.balance
        oldest[cid] = max(oldest[cid], (as_of - item.due_date).days)
    log: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in records.interactions(store, company_id):
        if interaction.occurred_at.date() <= as_of:
            log[interaction.customer_id].append(interaction)
    promises: dict[str, list[Promise]] = defaultdict(list)
    for promise in records.promises(store, company_id):
        promises[promise.customer_id].append(promise)
    plans: dict[str, list[PaymentPlan]] = defaultdict(list)
    for plan in records.plans(store, company_id):
        plans[plan.customer_id].append(plan)
    disputes: dict[str, list[Dispute]] = defaultdict(list)
    for dispute in records.disputes(store, company_id):
        if is_open(dispute, as_of=as_of):
            disputes[dispute.customer_id].append(dispute)
    settled = records.settlements_by_customer(store, company_id) if promises or plans else {}
    behaviour = credit.behaviour_scores(store, company_id, as_of=as_of)
    return [
        _facts(
            customer,
            profile=profiles.get(customer.id),
            past_due=past_due.get(customer.id, {}),
            oldest_days=oldest[customer.id],
            log=log[customer.id],
            promises=promises[customer.id],
            plans=plans[customer.id],
            paid=settled.get(customer.id, []),
            disputes=disputes[customer.id],
            risk=_risk(behaviour.get(customer.id)),
            as_of=as_of,
        )
        for customer in ledger.customers()
    ]


def _facts(
    customer: Customer,
    *,
    profile: CollectionProfile | None,
    past_due: dict[str, Money],
    oldest_days: int,
    log: list[Interaction],
    promises: list[Promise],
    plans: list[PaymentPlan],
    paid: list[Settlement],
    disputes: list[Dispute],
    risk: Decimal,
    as_of: date,
) -> AccountFacts:
    """One customer's facts from its own records (all already loaded)."""
    contacts = [i for i in log if i.kind in ("call", "email", "visit", "note", "pickup")]
    last_contact = max((i.occurred_at.date() for i in contacts), default=None)
    broken = [
        p
        for p in promises
        if p.promised_date >= as_of - _YEAR and promise_status(p, paid, as_of=as_of) == "broken"
    ]
    unanswered = [p for p in broken if last_contact is None or last_contact <= p.promised_date]
    running = [
        f"promise {p.id} of {p.amount} by {p.promised_date}"
        for p in promises
        if promise_status(p, paid, as_of=as_of) == "pending"
    ] + [
        f"payment plan {plan.id}"
        for plan in plans
        if plan_state(plan, paid, as_of=as_of).status == "active"
    ]
    broken_plans = [
        plan.id for plan in plans if plan_state(plan, paid, as_of=as_of).status == "broken"
    ]
    with_follow_up = [i for i in log if i.follow_up is not None]
    latest = with_follow_up[-1] if with_follow_up else None
    if latest is not None and latest.follow_up is not None:
        due = latest.follow_up
        # a person's contact on or after the agreed day means the follow-up was done
        if any(i.collector != "dunning" and i.occurred_at.date() >= due for i in contacts):
            latest = None
    calls = [i for i in log if i.kind == "call" and i.collector == "dunning"]
    own = customer.currency
    return AccountFacts(
        customer_id=customer.id,
        name=customer.name,
        collector=profile.collector if profile else None,
        past_due=past_due.get(own, Money.zero(own)),
        other_past_due=tuple(m for code, m in sorted(past_due.items()) if code != own),
        oldest_days=oldest_days,
        broken_promises=len(broken),
        risk=risk,
        follow_up=latest.follow_up if latest else None,
        follow_up_note=latest.outcome if latest else "",
        broken_promise_unanswered=(
            f"promise {unanswered[-1].id} of {unanswered[-1].amount} "
            f"by {unanswered[-1].promised_date}"
            if unanswered
            else None
        ),
        broken_plan=broken_plans[-1] if broken_plans else None,
        running=running[0] if running else None,
        open_dispute=(
            f"{disputes[0].id} ({disputes[0].amount}, {disputes[0].reason_code}) "
            f"with {disputes[0].owner}"
            if disputes
            else None
        ),
        call_task=calls[-1].outcome if calls else None,
    )


def _risk(behaviour: BehaviourScore | None) -> Decimal:
    if behaviour is None or not behaviour.has_history:
        return Decimal(0)
    return (Decimal(100 - behaviour.score) / 100).quantize(Decimal("0.01"))


def load_worklist(
    store: SqlStore, company_id: str, *, as_of: date, collector: str | None = None
) -> list[WorkItem]:
    """The ranked worklist for ``as_of``, for one collector or all."""
    return worklist(account_facts(store, company_id, as_of=as_of), as_of=as_of, collector=collector)
