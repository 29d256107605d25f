"""Exposure, available credit, credit holds and the check an app makes before an order.

domain.md, "Credit": exposure = open AR + open orders not yet invoiced; available credit =
limit − exposure. A new order over available credit, or any customer with items over the hold
threshold, is on credit hold until released by someone allowed to.

Precisely, for a customer with a limit in currency C, as of a date D:

* **open AR** is the sum of the customer's open items in C as of D, credits (credit memos,
  unapplied payments and deposits) negative; balances in other currencies are reported
  apart and never converted or added.
* **open orders** is the sum of the customer's orders recorded through arcore, dated on or
  before D, that are open now (neither invoiced nor cancelled); a held order counts too.
* **available** = limit − (open AR + open orders), exactly; with no limit set there is no
  limit to check, and available is ``None``.
* An order of amount A is **over limit** when A > available.
* An item (invoice or debit memo with a balance, not in dispute) is **over the hold
  threshold** of N days when D − due date > N, that is from the day ``due + N + 1`` (its
  *crossing* day). The customer is **on hold for past due** while some item's crossing day
  falls after the last release (or there was no release): a release covers the items over
  the threshold when it was given, and a later crossing puts the customer back on hold.
* A hold **placed by hand** (or by a dunning step) stays until the next release.

[`check`][arcore.credit.exposure.check] approves an order when there is no reason to hold it.

>>> from datetime import date, datetime, UTC
>>> usd = lambda text: Money(text, "USD")
>>> found = check(usd("300.00"), limit=usd("1000.00"),
...               exposure=Exposure(open_ar=usd("600.00"), open_orders=usd("200.00")),
...               hold=HoldState())
>>> found.approved, found.available, found.reasons
(False, Money('200.00', 'USD'), (<HoldReason.OVER_LIMIT: 'over_limit'>,))
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from arcore.documents import Identifier
from arcore.errors import CurrencyMismatchError
from arcore.money import Money

__all__ = [
    "DEFAULT_HOLD_AFTER_DAYS",
    "CreditCheck",
    "Exposure",
    "HoldEvent",
    "HoldReason",
    "HoldState",
    "check",
    "crossing_day",
    "hold_state",
]

DEFAULT_HOLD_AFTER_DAYS = 60
"""Days past due after which an item puts its customer on hold, unless the company sets it."""


class HoldReason(StrEnum):
    """Why a credit check does not approve an order."""

    ON_HOLD = "on_hold"
    """A hold placed by hand or by a dunning step, not released since."""
    PAST_DUE = "past_due"
    """An item is over the hold threshold and crossed it after the last release."""
    OVER_LIMIT = "over_limit"
    """The order is more than the available credit."""


class HoldEvent(BaseModel):
    """One line of the credit-hold log: a hold placed or released (never edited).

    Attributes:
        customer_id: The customer.
        order_id: The order held (``None``: the customer as a whole).
        action: ``place`` or ``release``.
        reason: Why, in words.
        by: Who (a release only by an approver).
        at: When.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: Identifier
    order_id: Identifier | None = None
    action: Literal["place", "release"]
    reason: str
    by: Identifier
    at: datetime


class HoldState(BaseModel):
    """Whether a customer (or an order) is on hold, and why.

    Attributes:
        placed: The hold placed by hand and not released since, if any.
        past_due_since: The latest crossing day not covered by a release, if any.
        released: The last release, if any.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    placed: HoldEvent | None = None
    past_due_since: date | None = None
    released: HoldEvent | None = None

    @property
    def on_hold(self) -> bool:
        """Whether the customer is on hold for any reason."""
        return self.placed is not None or self.past_due_since is not None


def crossing_day(due: date, hold_after_days: int) -> date:
    """The first day an item due on ``due`` is over a threshold of ``hold_after_days`` days.

    >>> crossing_day(date(2026, 1, 31), 60)
    datetime.date(2026, 4, 2)
    """
    return due + timedelta(days=hold_after_days + 1)


def hold_state(
    events: Iterable[HoldEvent], *, crossings: Iterable[date] = (), as_of: date | None = None
) -> HoldState:
    """The hold state from the log's ``events`` (of one customer, or one order) and crossings.

    Args:
        events: Hold log lines, any order; lines after ``as_of`` are ignored.
        crossings: Crossing days of the customer's items over the threshold (empty for an
            order).
        as_of: The date the state is for (``None``: every line counts).
    """
    kept = sorted((e for e in events if as_of is None or e.at.date() <= as_of), key=lambda e: e.at)
    released = next((e for e in reversed(kept) if e.action == "release"), None)
    placed = next(
        (
            e
            for e in reversed(kept)
            if e.action == "place" and (released is None or e.at > released.at)
        ),
        None,
    )
    due = [day for day in crossings if as_of is None or day <= as_of]
    latest = max(due, default=None)
    if latest is not None and released is not None and latest <= released.at.date():
        latest = None
    return HoldState(placed=placed, past_due_since=latest, released=released)


class Exposure(BaseModel):
    """What a customer owes and has on order, in the currency of its limit.

    Attributes:
        open_ar: Σ open items (credits negative).
        open_orders: Σ open orders not yet invoiced.
        other_currencies: Open AR in other currencies, apart (never converted).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    open_ar: Money
    open_orders: Money
    other_currencies: dict[str, Money] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_currency(self) -> Exposure:
        if self.open_ar.currency != self.open_orders.currency:
            raise CurrencyMismatchError(
                f"open AR is in {self.open_ar.currency}, open orders in "
                f"{self.open_orders.currency}",
                hint="Give both in the currency of the customer's limit",
                field="open_orders",
                value=str(self.open_orders),
            )
        return self

    @property
    def currency(self) -> str:
        """The currency of the exposure."""
        return self.open_ar.currency

    @property
    def total(self) -> Money:
        """Open AR + open orders."""
        return self.open_ar + self.open_orders


class CreditCheck(BaseModel):
    """The answer to "may this customer place an order of this amount?".

    Attributes:
        customer_id: The customer (empty for a bare check).
        amount: The order's amount.
        approved: True when there is no reason to hold the order.
        limit: The customer's limit (``None``: no limit set).
        exposure: Open AR and open orders.
        available: limit − exposure (``None`` without a limit).
        reasons: Why the order is held, if it is.
        details: The reasons in words (who placed a hold, which day an item crossed...).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str = ""
    amount: Money
    approved: bool
    limit: Money | None
    exposure: Exposure
    available: Money | None
    reasons: tuple[HoldReason, ...]
    details: tuple[str, ...]


def check(
    amount: Money,
    *,
    limit: Money | None,
    exposure: Exposure,
    hold: HoldState,
    customer_id: str = "",
) -> CreditCheck:
    """Whether an order of ``amount`` may be taken; see the module for the rules.

    Raises:
        CurrencyMismatchError: the amount or the limit is not in the exposure's currency.
    """
    for field, money in (("amount", amount), ("limit", limit)):
        if money is not None and money.currency != exposure.currency:
            raise CurrencyMismatchError(
                f"the {field} is in {money.currency}, the customer's exposure in "
                f"{exposure.currency}",
                hint=f"Check orders in {exposure.currency}, the customer's currency",
                field=field,
                value=str(money),
            )
    reasons: list[HoldReason] = []
    details: list[str] = []
    if hold.placed is not None:
        reasons.append(HoldReason.ON_HOLD)
        details.append(
            f"on hold since {hold.placed.at.isoformat()} by {hold.placed.by}: {hold.placed.reason}"
        )
    if hold.past_due_since is not None:
        reasons.append(HoldReason.PAST_DUE)
        details.append(f"an item went over the hold threshold on {hold.past_due_since}")
    available = None if limit is None else limit - exposure.total
    if available is not None and amount > available:
        reasons.append(HoldReason.OVER_LIMIT)
        details.append(f"the order of {amount} is over the available credit of {available}")
    return CreditCheck(
        customer_id=customer_id,
        amount=amount,
        approved=not reasons,
        limit=limit,
        exposure=exposure,
        available=available,
        reasons=tuple(reasons),
        details=tuple(details),
    )
