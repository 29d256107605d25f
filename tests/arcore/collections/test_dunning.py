"""The dunning decision: step boundaries, no repeats, no silent skips, exclusions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arcore.collections.disputes import Dispute
from arcore.collections.dunning import CustomerCase, DunningItem, decide, history_key
from arcore.collections.plans import PaymentPlan, ScheduledInstallment
from arcore.collections.policy import DEFAULT_POLICY, DunningPolicy, Step
from arcore.collections.promises import Promise, Settlement
from arcore.finance_charges import LateFeePolicy
from arcore.money import Money

AT = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)  # a Tuesday, inside 09-17 UTC


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def item(doc: str, due: date, balance: str = "100.00", disputed: bool = False) -> DunningItem:
    return DunningItem(
        document_id=doc, number=doc.upper(), due_date=due, balance=usd(balance), disputed=disputed
    )


def case(*items: DunningItem, **more: object) -> CustomerCase:
    return CustomerCase(customer_id="c-1", policy=DEFAULT_POLICY, items=items, **more)  # type: ignore[arg-type]


def test_month_end_due_date_step_boundaries() -> None:
    # Due 2026-01-31. 7 days past due is 2026-02-07 (first); 21 days is 2026-02-21 (second);
    # courtesy (-3) is 2026-01-28.
    inv = item("inv-1", date(2026, 1, 31))
    assert decide(case(inv), as_of=date(2026, 1, 27), at=AT).steps == ()
    courtesy = decide(case(inv), as_of=date(2026, 1, 28), at=AT).sends
    assert [s.step.name for s in courtesy] == ["courtesy"]
    assert courtesy[0].days_past_due == -3
    sent = frozenset({history_key("inv-1", "standard", "courtesy")})
    assert decide(case(inv, history=sent), as_of=date(2026, 2, 6), at=AT).steps == ()
    first = decide(case(inv, history=sent), as_of=date(2026, 2, 7), at=AT).sends
    assert [(s.step.name, s.days_past_due) for s in first] == [("first", 7)]
    sent |= {history_key("inv-1", "standard", "first")}
    assert decide(case(inv, history=sent), as_of=date(2026, 2, 20), at=AT).steps == ()
    assert [
        s.step.name for s in decide(case(inv, history=sent), as_of=date(2026, 2, 21), at=AT).sends
    ] == ["second"]


def test_a_gap_sends_the_highest_step_and_records_the_rest_as_skipped() -> None:
    # Due 2026-01-31, first run on 2026-03-08: 36 days past due reaches courtesy, first,
    # second and call (35): the call is due, the three before it are skipped with a reason.
    decision = decide(case(item("inv-1", date(2026, 1, 31))), as_of=date(2026, 3, 8), at=AT)
    assert [(s.step.name, s.outcome) for s in decision.steps] == [
        ("courtesy", "skip"),
        ("first", "skip"),
        ("second", "skip"),
        ("call", "send"),
    ]
    assert all("passed" in s.reason for s in decision.steps if s.outcome == "skip")
    assert decision.steps[-1].scheduled_at == AT


def test_never_the_same_step_twice() -> None:
    inv = item("inv-1", date(2026, 1, 31))
    done = frozenset(history_key("inv-1", "standard", s.name) for s in DEFAULT_POLICY.steps)
    assert decide(case(inv, history=done), as_of=date(2026, 12, 31), at=AT).steps == ()


def test_disputed_part_leaves_dunning() -> None:
    inv = item("inv-1", date(2026, 1, 31), "100.00", disputed=True)
    part = Dispute(
        id="d-1",
        document_id="inv-1",
        customer_id="c-1",
        amount=usd("40.00"),
        reason_code="pricing",
        owner="sales",
        opened_on=date(2026, 2, 1),
    )
    decision = decide(case(inv, disputes=(part,)), as_of=date(2026, 2, 7), at=AT)
    assert [s.amount for s in decision.sends] == [usd("60.00")]
    whole = decide(case(inv), as_of=date(2026, 2, 7), at=AT)  # flag without a record: all
    assert whole.sends == ()
    assert [e.reason for e in whole.exclusions] == ["disputed"]
    # resolved on the 5th: dunned in full again on the 7th
    resolved = part.model_copy(
        update={"status": "resolved", "resolution": "rejected", "resolved_on": date(2026, 2, 5)}
    )
    plain = item("inv-1", date(2026, 1, 31), "100.00")
    again = decide(case(plain, disputes=(resolved,)), as_of=date(2026, 2, 7), at=AT)
    assert [s.amount for s in again.sends] == [usd("100.00")]


def test_promise_pauses_then_broken_promise_resumes() -> None:
    inv = item("inv-1", date(2026, 1, 31))
    promise = Promise(
        id="p-1",
        customer_id="c-1",
        amount=usd("100.00"),
        made_on=date(2026, 2, 2),
        promised_date=date(2026, 2, 10),
        collector="ana",
    )
    paused = decide(case(inv, promises=(promise,)), as_of=date(2026, 2, 10), at=AT)
    assert paused.sends == ()
    assert paused.exclusions[0].reason == "promise"
    resumed = decide(case(inv, promises=(promise,)), as_of=date(2026, 2, 11), at=AT)
    assert [s.step.name for s in resumed.sends] == ["first"]


def test_plan_protects_until_an_installment_is_missed() -> None:
    inv = item("inv-1", date(2026, 1, 31), "100.00")
    plan = PaymentPlan(
        id="pp-1",
        customer_id="c-1",
        agreed_on=date(2026, 2, 1),
        document_ids=("inv-1",),
        installments=(
            ScheduledInstallment(due_date=date(2026, 2, 15), amount=usd("50.00")),
            ScheduledInstallment(due_date=date(2026, 3, 15), amount=usd("50.00")),
        ),
        collector="ana",
    )
    paid = (Settlement(document_id="inv-1", applied_date=date(2026, 2, 14), amount=usd("50.00")),)
    inv_half = item("inv-1", date(2026, 1, 31), "50.00")
    kept = decide(case(inv_half, plans=(plan,), settlements=paid), as_of=date(2026, 3, 15), at=AT)
    assert kept.sends == ()
    assert kept.exclusions[0].reason == "plan"
    broken = decide(case(inv_half, plans=(plan,), settlements=paid), as_of=date(2026, 3, 16), at=AT)
    # 2026-03-16 is 44 days past the 31 January due date: the call (35) is due
    assert [s.step.name for s in broken.sends] == ["call"]
    missed_first = decide(case(inv, plans=(plan,)), as_of=date(2026, 2, 16), at=AT)
    assert [s.step.name for s in missed_first.sends] == ["first"]


def test_minimum_and_refused_channel() -> None:
    policy = DEFAULT_POLICY.model_copy(update={"minimum": usd("150.00")})
    items = (item("inv-1", date(2026, 1, 31), "100.00"), item("inv-2", date(2026, 1, 31), "49.99"))
    low = decide(
        CustomerCase(customer_id="c-1", policy=policy, items=items), as_of=date(2026, 2, 7), at=AT
    )
    assert low.sends == ()
    assert [e.reason for e in low.exclusions] == ["below_minimum"]
    enough = (*items, item("inv-3", date(2026, 1, 31), "0.01"))
    ok = decide(
        CustomerCase(customer_id="c-1", policy=policy, items=enough), as_of=date(2026, 2, 7), at=AT
    )
    assert len(ok.sends) == 3
    refused = decide(
        case(items[0], refused_channels=frozenset({"email"})), as_of=date(2026, 2, 7), at=AT
    )
    assert refused.steps == ()
    assert refused.exclusions[0].reason == "channel_refused"


def test_fee_is_simple_interest_on_the_dunned_part() -> None:
    # 12 % a year on a 365-day basis, no grace: 1000.00 x 0.12 x 30 / 365 = 9.863... -> 9.86
    fee = LateFeePolicy(rate=Decimal(12), period="year")
    policy = DunningPolicy(
        name="fees",
        steps=(Step(name="interest", days=30, channel="email", template="second", fee=fee),),
    )
    inv = DunningItem(document_id="inv-1", due_date=date(2026, 1, 31), balance=usd("1000.00"))
    decision = decide(
        CustomerCase(customer_id="c-1", policy=policy, items=(inv,)), as_of=date(2026, 3, 2), at=AT
    )
    assert decision.sends[0].fee == usd("9.86")


# --- the property -------------------------------------------------------------------------

_START = date(2026, 1, 1)
_days = st.integers(min_value=0, max_value=90)
_FEE = LateFeePolicy(rate=Decimal(12), period="year")
_LADDER = DunningPolicy(
    name="ladder",
    steps=(
        Step(name="courtesy", days=-3, channel="email", template="courtesy"),
        Step(name="first", days=7, channel="email", template="first", fee=_FEE),
        Step(name="second", days=21, channel="email", template="second", fee=_FEE),
        Step(name="call", days=35, channel="phone", template="call", fee=_FEE),
    ),
)


def _minor(draw: st.DrawFn, high: int) -> Money:
    return Money.from_minor_units(draw(st.integers(1, high)), "USD")


@st.composite
def cases(draw: st.DrawFn) -> CustomerCase:
    """A customer with items, partial and whole disputes, item and whole-balance promises,
    payment plans and payments, under a ladder with interest and maybe a minimum."""
    n = draw(st.integers(min_value=1, max_value=4))
    items, disputes, promises, plans, settlements = [], [], [], [], []
    for i in range(n):
        doc = f"inv-{i}"
        balance = _minor(draw, 100_000)
        items.append(
            DunningItem(
                document_id=doc,
                due_date=_START + timedelta(days=draw(_days)),
                balance=balance,
                disputed=draw(st.booleans()),
            )
        )
        if draw(st.booleans()):
            opened = _START + timedelta(days=draw(_days))
            resolved = draw(st.none() | st.integers(0, 60))
            disputes.append(
                Dispute(
                    id=f"d-{i}",
                    document_id=doc,
                    customer_id="c-1",
                    amount=_minor(draw, balance.to_minor_units()),
                    reason_code="other",
                    owner="x",
                    opened_on=opened,
                    **(
                        {}
                        if resolved is None
                        else {
                            "status": "resolved",
                            "resolution": "rejected",
                            "resolved_on": opened + timedelta(days=resolved),
                        }
                    ),
                )
            )
        if draw(st.booleans()):
            made = _START + timedelta(days=draw(_days))
            promises.append(
                Promise(
                    id=f"p-{i}",
                    customer_id="c-1",
                    amount=_minor(draw, balance.to_minor_units()),
                    made_on=made,
                    promised_date=made + timedelta(days=draw(st.integers(0, 30))),
                    # an item's promise, or one for the whole balance
                    document_ids=draw(st.sampled_from([(doc,), ()])),
                    collector="x",
                    cancelled=draw(st.integers(0, 4)) == 0,
                )
            )
        if draw(st.integers(0, 2)) == 0:
            agreed = _START + timedelta(days=draw(_days))
            plans.append(
                PaymentPlan(
                    id=f"pp-{i}",
                    customer_id="c-1",
                    agreed_on=agreed,
                    document_ids=(doc,),
                    installments=tuple(
                        ScheduledInstallment(
                            due_date=agreed + timedelta(days=10 * (k + 1)),
                            amount=_minor(draw, 50_000),
                        )
                        for k in range(draw(st.integers(1, 3)))
                    ),
                    grace_days=draw(st.integers(0, 5)),
                    collector="x",
                    cancelled=draw(st.integers(0, 4)) == 0,
                )
            )
        for _ in range(draw(st.integers(0, 2))):
            settlements.append(
                Settlement(
                    document_id=doc,
                    applied_date=_START + timedelta(days=draw(_days)),
                    amount=_minor(draw, balance.to_minor_units()),
                )
            )
    minimum = draw(st.none() | st.integers(1, 200_000))
    policy = _LADDER.model_copy(
        update={"minimum": None if minimum is None else Money.from_minor_units(minimum, "USD")}
    )
    return CustomerCase(
        customer_id="c-1",
        policy=policy,
        items=tuple(items),
        disputes=tuple(disputes),
        promises=tuple(promises),
        plans=tuple(plans),
        settlements=tuple(settlements),
    )


# --- an independent model of the rules (domain.md "Collections"), written from the spec ---


def _paid(case_: CustomerCase, docs: tuple[str, ...], start: date, end: date) -> Decimal:
    return sum(
        (
            s.amount.amount
            for s in case_.settlements
            if start <= s.applied_date <= end and (not docs or s.document_id in docs)
        ),
        Decimal(0),
    )


def _model_disputed(case_: CustomerCase, it: DunningItem, day: date) -> Decimal | None:
    open_ = [
        d.amount.amount
        for d in case_.disputes
        if d.document_id == it.document_id
        and d.opened_on <= day
        and (d.resolved_on is None or d.resolved_on > day)
    ]
    if open_:
        return sum(open_, Decimal(0))
    return it.balance.amount if it.disputed else None


def _model_protected(case_: CustomerCase, it: DunningItem, day: date) -> bool:
    # a promise protects from the day it is made to its date, whether paid yet or not
    for p in case_.promises:
        covers = not p.document_ids or it.document_id in p.document_ids
        if covers and not p.cancelled and p.made_on <= day <= p.promised_date:
            return True
    # a plan protects from its agreement until an installment is missed (none cancelled)
    for plan in case_.plans:
        if plan.cancelled or it.document_id not in plan.document_ids or day < plan.agreed_on:
            continue
        owed, missed = Decimal(0), False
        for inst in plan.installments:
            owed += inst.amount.amount
            deadline = inst.due_date + timedelta(days=plan.grace_days)
            if day > deadline and _paid(case_, plan.document_ids, plan.agreed_on, deadline) < owed:
                missed = True
        if not missed:
            return True
    return False


def _model_dunnable(case_: CustomerCase, it: DunningItem, day: date) -> Decimal:
    disputed = _model_disputed(case_, it, day)
    return max(it.balance.amount - (disputed or Decimal(0)), Decimal(0))


def _model_below_minimum(case_: CustomerCase, day: date) -> bool:
    minimum = case_.policy.minimum
    if minimum is None:
        return False
    past_due = sum(
        (
            _model_dunnable(case_, it, day)
            for it in case_.items
            if it.due_date < day and not _model_protected(case_, it, day)
        ),
        Decimal(0),
    )
    return past_due < minimum.amount


def _simple_interest(amount: Decimal, days: int) -> Decimal:
    return amount * Decimal(12) / 100 / 365 * days


@settings(max_examples=150, deadline=None)
@given(cases(), st.lists(st.integers(1, 9), min_size=1, max_size=20))
def test_a_sequence_of_daily_runs_obeys_the_rules(case_: CustomerCase, gaps: list[int]) -> None:
    history: set[tuple[str, str, str]] = set()
    charged: dict[str, date] = {}
    fees: dict[str, list[tuple[date, Decimal]]] = {}
    day = _START
    for gap in gaps:
        day += timedelta(days=gap)
        today = case_.model_copy(
            update={"history": frozenset(history), "charged_through": dict(charged)}
        )
        decision = decide(today, as_of=day, at=AT)
        sends = [p.document_id for p in decision.sends]
        assert len(sends) == len(set(sends))  # at most one message per item a day
        for planned in decision.steps:
            it = next(i for i in case_.items if i.document_id == planned.document_id)
            key = history_key(planned.document_id, planned.policy, planned.step.name)
            assert key not in history  # never a step twice
            assert planned.step.days <= (day - it.due_date).days  # never before it is reached
            if planned.outcome == "skip":
                continue
            assert not _model_protected(case_, it, day)
            assert planned.amount.amount == _model_dunnable(case_, it, day) > 0
            if it.due_date < day:  # the minimum holds back what is past due
                assert not _model_below_minimum(case_, day)
            if planned.fee is not None:
                fees.setdefault(it.document_id, []).append((day, planned.fee.amount))
                charged[it.document_id] = day
        # never silently: every reached step of an item not left out is now decided
        left_out = {e.document_id for e in decision.exclusions}
        history |= {history_key(p.document_id, p.policy, p.step.name) for p in decision.steps}
        for it in case_.items:
            if it.document_id in left_out:
                continue
            if _model_dunnable(case_, it, day) <= 0 or _model_protected(case_, it, day):
                continue
            for step in case_.policy.reached((day - it.due_date).days):
                if it.due_date < day and _model_below_minimum(case_, day):
                    continue
                assert history_key(it.document_id, case_.policy.name, step.name) in history
    # interest: no day is charged twice. Each fee is at most the interest on the whole
    # balance for the days since the previous fee (or the due date), plus half a cent of
    # rounding: charging the whole period again at each step breaks this.
    for doc, charges in fees.items():
        it = next(i for i in case_.items if i.document_id == doc)
        start = it.due_date
        for on, fee in charges:
            top = _simple_interest(it.balance.amount, (on - start).days)
            assert fee <= top + Decimal("0.005")
            start = on


def test_minimum_is_judged_on_the_whole_past_due_balance() -> None:
    policy = DEFAULT_POLICY.model_copy(update={"minimum": usd("100.00")})
    old = item("inv-old", date(2026, 1, 1), "5000.00")  # past due; its steps are all recorded
    new = item("inv-new", date(2026, 3, 1), "20.00")  # reaches "first" on 8 Mar
    done = frozenset(history_key("inv-old", "standard", s.name) for s in policy.steps)
    owing = CustomerCase(customer_id="c-1", policy=policy, items=(old, new), history=done)
    decision = decide(owing, as_of=date(2026, 3, 8), at=AT)
    assert [(s.document_id, s.step.name) for s in decision.sends] == [("inv-new", "first")]
    assert decision.exclusions == ()
    # not-yet-due amounts do not count towards it: 20.00 past due and 500.00 not due yet
    later = item("inv-later", date(2026, 4, 30), "500.00")
    small = CustomerCase(customer_id="c-1", policy=policy, items=(new, later))
    held = decide(small, as_of=date(2026, 3, 8), at=AT)
    assert held.sends == ()
    assert [(e.document_id, e.reason) for e in held.exclusions] == [(None, "below_minimum")]
    # a courtesy reminder for an item not yet due is not held back by the minimum
    courtesy = decide(small, as_of=date(2026, 4, 27), at=AT)
    assert ("inv-later", "courtesy") in {(s.document_id, s.step.name) for s in courtesy.sends}


def test_interest_runs_from_the_date_it_was_last_charged() -> None:
    policy = DunningPolicy(
        name="interest",
        steps=(
            Step(name="a", days=7, channel="email", template="first", fee=_FEE_GRACE),
            Step(name="b", days=21, channel="email", template="second", fee=_FEE_GRACE),
        ),
    )
    inv = item("inv-1", date(2026, 1, 31), "1000.00")
    first = decide(
        CustomerCase(customer_id="c-1", policy=policy, items=(inv,)), as_of=date(2026, 2, 7), at=AT
    )
    # 7 days late less 3 grace days: 4 days at 12 %/year on 1000.00 = 1.32 (1.315...)
    assert [(s.fee, s.charged_through) for s in first.sends] == [(usd("1.32"), date(2026, 2, 7))]
    second = decide(
        CustomerCase(
            customer_id="c-1",
            policy=policy,
            items=(inv,),
            history=frozenset({history_key("inv-1", "interest", "a")}),
            charged_through={"inv-1": date(2026, 2, 7)},
        ),
        as_of=date(2026, 2, 21),
        at=AT,
    )
    # 14 more days, the grace not taken again: 4.60 (4.602...), not 5.92 for 18 days
    assert [s.fee for s in second.sends] == [usd("4.60")]


_FEE_GRACE = LateFeePolicy(rate=Decimal(12), period="year", grace_days=3)
