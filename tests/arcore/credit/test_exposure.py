"""Exposure, available credit, holds and the credit check (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.credit import (
    Exposure,
    HoldEvent,
    HoldReason,
    HoldState,
    check,
    crossing_day,
    hold_state,
)
from arcore.errors import CurrencyMismatchError
from arcore.money import Money
from strategies import money


def usd(text: str) -> Money:
    return Money(text, "USD")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def event(action: str, day: date, hour: int = 12) -> HoldEvent:
    return HoldEvent.model_validate(
        {"customer_id": "c-1", "action": action, "reason": "r", "by": "ana", "at": at(day, hour)}
    )


def test_crossing_day_by_hand() -> None:
    # Due 31 Jan 2026, threshold 30 days: 30 days past due on 2 Mar (Feb has 28 days), so
    # over it from 3 Mar.
    assert crossing_day(date(2026, 1, 31), 30) == date(2026, 3, 3)
    assert crossing_day(date(2026, 1, 31), 0) == date(2026, 2, 1)


def test_past_due_hold_and_its_release() -> None:
    crossing = [date(2026, 3, 3)]
    assert hold_state([], crossings=crossing, as_of=date(2026, 3, 2)).on_hold is False
    held = hold_state([], crossings=crossing, as_of=date(2026, 3, 3))
    assert held.past_due_since == date(2026, 3, 3)
    released = [event("release", date(2026, 3, 5))]
    assert hold_state(released, crossings=crossing, as_of=date(2026, 3, 9)).on_hold is False
    # A second item crossing after the release puts the customer back on hold.
    again = hold_state(released, crossings=[*crossing, date(2026, 3, 8)], as_of=date(2026, 3, 9))
    assert again.past_due_since == date(2026, 3, 8)
    # ...but not before it crosses.
    assert (
        hold_state(released, crossings=[date(2026, 3, 8)], as_of=date(2026, 3, 7)).on_hold is False
    )


def test_a_manual_hold_lasts_until_the_next_release() -> None:
    log = [event("place", date(2026, 3, 1))]
    assert hold_state(log).placed == log[0]
    log.append(event("release", date(2026, 3, 2)))
    assert hold_state(log).on_hold is False
    log.append(event("place", date(2026, 3, 4)))
    assert hold_state(log).placed == log[-1]
    # As of a date before the last placing, the earlier release counts.
    assert hold_state(log, as_of=date(2026, 3, 3)).on_hold is False


def test_check_by_hand() -> None:
    # Limit 1,000; open AR 600 (invoice 650 less a 50 credit); open orders 200.
    # Available = 1,000 − 800 = 200: an order of 200 passes, of 200.01 does not.
    exposure = Exposure(open_ar=usd("600.00"), open_orders=usd("200.00"))
    passing = check(usd("200.00"), limit=usd("1000.00"), exposure=exposure, hold=HoldState())
    assert (passing.approved, passing.available, passing.reasons) == (True, usd("200.00"), ())
    over = check(usd("200.01"), limit=usd("1000.00"), exposure=exposure, hold=HoldState())
    assert (over.approved, over.reasons) == (False, (HoldReason.OVER_LIMIT,))


def test_every_reason_is_given() -> None:
    hold = HoldState(placed=event("place", date(2026, 3, 1)), past_due_since=date(2026, 3, 3))
    exposure = Exposure(open_ar=usd("900.00"), open_orders=usd("0.00"))
    found = check(usd("500.00"), limit=usd("1000.00"), exposure=exposure, hold=hold)
    assert found.reasons == (HoldReason.ON_HOLD, HoldReason.PAST_DUE, HoldReason.OVER_LIMIT)
    assert len(found.details) == 3


def test_no_limit_means_no_limit_check() -> None:
    exposure = Exposure(open_ar=usd("900.00"), open_orders=usd("0.00"))
    found = check(usd("5000.00"), limit=None, exposure=exposure, hold=HoldState())
    assert (found.approved, found.available) == (True, None)


def test_currencies_are_never_mixed() -> None:
    exposure = Exposure(open_ar=usd("0.00"), open_orders=usd("0.00"))
    with pytest.raises(CurrencyMismatchError) as error:
        check(Money("1", "EUR"), limit=usd("10.00"), exposure=exposure, hold=HoldState())
    assert error.value.field == "amount"
    with pytest.raises(pydantic.ValidationError, match="open orders in EUR"):
        Exposure(open_ar=usd("0.00"), open_orders=Money("0", "EUR"))


@given(
    limit=money("USD", min_units=0),
    open_ar=money("USD"),
    orders=money("USD", min_units=0),
    amount=money("USD", min_units=1),
)
def test_available_is_limit_less_exposure_exactly(
    limit: Money, open_ar: Money, orders: Money, amount: Money
) -> None:
    exposure = Exposure(open_ar=open_ar, open_orders=orders)
    found = check(amount, limit=limit, exposure=exposure, hold=HoldState())
    assert found.available == limit - (open_ar + orders)
    assert found.approved == (amount <= limit - open_ar - orders)


@given(
    st.lists(st.tuples(st.sampled_from(["place", "release"]), st.integers(0, 60)), max_size=12),
    st.lists(st.integers(0, 60), max_size=5),
)
def test_after_a_release_only_a_later_event_holds(
    actions: list[tuple[str, int]], crossings: list[int]
) -> None:
    start = date(2026, 1, 1)
    days = [date.fromordinal(start.toordinal() + d) for d in crossings]
    log = [
        event(action, date.fromordinal(start.toordinal() + d), hour=i % 24)
        for i, (action, d) in enumerate(actions)
    ]
    state = hold_state(log, crossings=days)
    releases = [e for e in log if e.action == "release"]
    if releases:
        last = max(releases, key=lambda e: e.at)
        later_place = any(e.action == "place" and e.at > last.at for e in log)
        later_crossing = any(day > last.at.date() for day in days)
        assert state.on_hold == (later_place or later_crossing)
    else:
        assert state.on_hold == (any(e.action == "place" for e in log) or bool(days))
