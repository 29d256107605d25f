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
_days = st.integers(min_value=0, max_value=120)


@st.composite
def cases(draw: st.DrawFn) -> tuple[CustomerCase, date]:
    as_of = _START + timedelta(days=draw(_days))
    n = draw(st.integers(min_value=1, max_value=5))
    items, disputes, promises, settlements = [], [], [], []
    history: set[tuple[str, str, str]] = set()
    for i in range(n):
        doc = f"inv-{i}"
        balance = Money.from_minor_units(draw(st.integers(1, 100_000)), "USD")
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
            disputes.append(
                Dispute(
                    id=f"d-{i}",
                    document_id=doc,
                    customer_id="c-1",
                    amount=Money.from_minor_units(
                        draw(st.integers(1, balance.to_minor_units())), "USD"
                    ),
                    reason_code="other",
                    owner="x",
                    opened_on=opened,
                )
            )
        if draw(st.booleans()):
            made = _START + timedelta(days=draw(_days))
            promises.append(
                Promise(
                    id=f"p-{i}",
                    customer_id="c-1",
                    amount=balance,
                    made_on=made,
                    promised_date=made + timedelta(days=draw(st.integers(0, 30))),
                    document_ids=(doc,),
                    collector="x",
                )
            )
        if draw(st.booleans()):
            settlements.append(
                Settlement(
                    document_id=doc,
                    applied_date=_START + timedelta(days=draw(_days)),
                    amount=Money.from_minor_units(
                        draw(st.integers(1, balance.to_minor_units())), "USD"
                    ),
                )
            )
        for step in DEFAULT_POLICY.steps:
            if draw(st.integers(0, 3)) == 0:
                history.add(history_key(doc, "standard", step.name))
    return (
        CustomerCase(
            customer_id="c-1",
            policy=DEFAULT_POLICY,
            items=tuple(items),
            disputes=tuple(disputes),
            promises=tuple(promises),
            settlements=tuple(settlements),
            history=frozenset(history),
        ),
        as_of,
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_never_dunned_while_disputed_or_under_a_kept_promise(
    drawn: tuple[CustomerCase, date],
) -> None:
    from arcore.collections.disputes import disputed_amount
    from arcore.collections.promises import promise_protects

    case_, as_of = drawn
    decision = decide(case_, as_of=as_of, at=AT)
    by_id = {i.document_id: i for i in case_.items}
    for planned in decision.steps:
        item_ = by_id[planned.document_id]
        disputed = disputed_amount(case_.disputes, item_.document_id, as_of=as_of)
        # never the whole item while disputed; never more than the undisputed part
        if disputed is None:
            assert not item_.disputed
        else:
            assert planned.amount == item_.balance - disputed
            assert planned.amount.amount > 0
        assert not any(
            promise_protects(p, case_.settlements, item_.document_id, as_of=as_of)
            for p in case_.promises
        )
        # never a step recorded before
        assert (
            history_key(planned.document_id, planned.policy, planned.step.name) not in case_.history
        )
    # never skipping silently: every reached, unrecorded step of an item not excluded is
    # in the decision, sent or skipped
    excluded = {e.document_id for e in decision.exclusions}
    decided = {(p.document_id, p.step.name) for p in decision.steps}
    for item_ in case_.items:
        if item_.document_id in excluded:
            continue
        for step in DEFAULT_POLICY.reached((as_of - item_.due_date).days):
            if history_key(item_.document_id, "standard", step.name) not in case_.history:
                assert (item_.document_id, step.name) in decided
    # at most one send per item
    sends = [p.document_id for p in decision.sends]
    assert len(sends) == len(set(sends))
