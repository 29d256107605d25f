"""Promises to pay: an amount by a date; kept or broken is read from the payments.

A promise is *kept* once the money applied to the promised items (all of the customer's
items when none are named) between the day it was made and the promised date reaches the
promised amount; *broken* when the promised date has passed without that; *pending* before.
Dunning pauses for the promised items while a promise is pending or kept, up to and including
the promised date; a broken promise resumes it the day after.

>>> from datetime import date
>>> from arcore.money import Money
>>> promise = Promise(id="p-1", customer_id="c-1", amount=Money("500.00", "USD"),
...     made_on=date(2026, 3, 2), promised_date=date(2026, 3, 13), collector="ana")
>>> paid = [Settlement(document_id="inv-1", applied_date=date(2026, 3, 12),
...     amount=Money("500.00", "USD"))]
>>> promise_status(promise, [], as_of=date(2026, 3, 14)), promise_status(promise, paid,
...     as_of=date(2026, 3, 14))
('broken', 'kept')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from arcore.documents import Identifier, PositiveAmount
from arcore.money import Money

__all__ = [
    "Promise",
    "PromiseStatus",
    "Settlement",
    "paid_towards",
    "promise_protects",
    "promise_status",
]

PromiseStatus = Literal["pending", "kept", "broken", "cancelled"]
"""Where a promise stands as of a date."""


class Settlement(BaseModel):
    """Money applied to one of the customer's items (a payment, credit or deposit)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: Identifier
    """The invoice or debit memo settled."""
    applied_date: date
    """The application's date."""
    amount: Money
    """The amount applied (discounts and write-offs are not payments and are left out)."""


class Promise(BaseModel):
    """A customer's promise to pay ``amount`` by ``promised_date``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier
    """The promise's id."""
    customer_id: Identifier
    """Who promised."""
    amount: PositiveAmount
    """How much was promised."""
    made_on: date
    """The day the promise was made; payments from this day count."""
    promised_date: date
    """The day the money is promised by."""
    document_ids: tuple[Identifier, ...] = ()
    """The items promised; empty means the customer's whole balance."""
    collector: Identifier
    """Who took the promise."""
    cancelled: bool = False
    """Withdrawn by the collector (no longer counts, kept for the record)."""

    @model_validator(mode="after")
    def _dates(self) -> Promise:
        if self.promised_date < self.made_on:
            raise ValueError(f"promised_date {self.promised_date} is before made_on {self.made_on}")
        return self


def paid_towards(
    settlements: Iterable[Settlement],
    document_ids: tuple[str, ...],
    start: date,
    end: date,
    currency: str,
) -> Money:
    """The money applied to ``document_ids`` (any item when empty) from ``start`` to ``end``.

    >>> paid_towards([], (), date(2026, 1, 1), date(2026, 1, 31), "EUR")
    Money('0.00', 'EUR')
    """
    wanted = set(document_ids)
    return sum(
        (
            s.amount
            for s in settlements
            if start <= s.applied_date <= end
            and (not wanted or s.document_id in wanted)
            and s.amount.currency == currency
        ),
        Money.zero(currency),
    )


def promise_status(
    promise: Promise, settlements: Iterable[Settlement], *, as_of: date
) -> PromiseStatus:
    """Where ``promise`` stands on ``as_of``, judged only from money applied by then."""
    if promise.cancelled:
        return "cancelled"
    end = min(as_of, promise.promised_date)
    paid = paid_towards(
        settlements, promise.document_ids, promise.made_on, end, promise.amount.currency
    )
    if paid >= promise.amount:
        return "kept"
    return "broken" if as_of > promise.promised_date else "pending"


def promise_protects(
    promise: Promise, settlements: Iterable[Settlement], document_id: str, *, as_of: date
) -> bool:
    """Whether ``promise`` keeps ``document_id`` out of dunning on ``as_of``."""
    if as_of < promise.made_on or as_of > promise.promised_date:
        return False
    if promise.document_ids and document_id not in promise.document_ids:
        return False
    return promise_status(promise, settlements, as_of=as_of) in ("pending", "kept")
