"""Late fees and finance charges on overdue balances.

A [`LateFeePolicy`][arcore.finance_charges.LateFeePolicy] states a rate per period, a grace
period, an optional flat fee and minimum, and whether interest compounds (it does not unless
the policy says so). [`finance_charge`][arcore.finance_charges.finance_charge] returns the
charge as of a date; arcore posts it as a debit memo, never by editing the invoice.

>>> from datetime import date
>>> from arcore.money import Money
>>> policy = LateFeePolicy(rate=Decimal(18), period="year")
>>> finance_charge(Money("1000.00", "USD"), date(2026, 1, 31), date(2026, 3, 2), policy)
Money('14.79', 'USD')
"""

from __future__ import annotations

from datetime import date
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Annotated, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from arcore.errors import CurrencyMismatchError
from arcore.money import Money, minor_units, to_decimal

__all__ = ["LateFeePolicy", "chargeable_days", "finance_charge"]

# Compound growth is computed to 60 significant digits, far beyond the minor unit of any
# balance arcore handles, with an exponent range no interest can overflow.
_COMPOUND: Final = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)

_PERIODS_PER_YEAR: Final = {"year": 1, "month": 12}


def _exact_rate(value: object) -> Decimal:
    return to_decimal(value, field="rate")


class LateFeePolicy(BaseModel):
    """How a late balance is charged.

    >>> LateFeePolicy(rate=Decimal("1.5"), period="month", grace_days=10).day_basis
    365
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate: Annotated[Decimal, BeforeValidator(_exact_rate), Field(ge=0)]
    """Interest in percent per ``period`` (``18`` for 18 % a year)."""
    period: Literal["year", "month", "day"]
    """The period ``rate`` is stated for."""
    day_basis: Literal[360, 365] = 365
    """Days in a year when converting a yearly or monthly rate to a daily one."""
    grace_days: int = Field(default=0, ge=0, strict=True)
    """Days after the due date before anything is charged; interest runs from their end."""
    flat_fee: Money | None = None
    """A fixed fee charged once an item is late beyond the grace period."""
    minimum: Money | None = None
    """The smallest charge made once an item is late beyond the grace period."""
    compound: bool = False
    """Compound daily; by default interest is simple (never compounding unless stated)."""

    @model_validator(mode="after")
    def _fees_not_negative(self) -> LateFeePolicy:
        for name, fee in (("flat_fee", self.flat_fee), ("minimum", self.minimum)):
            if fee is not None and fee.amount < 0:
                raise ValueError(f"{name} must not be negative, not {fee}")
        return self

    def daily_rate(self) -> Fraction:
        """Return the interest rate per day as an exact fraction (0.18 / 365 for 18 %/year).

        A monthly rate is a twelfth of a yearly one: 1.5 % a month is 18 % a year, divided by
        ``day_basis``. A daily rate is used as stated, whatever the basis.

        >>> LateFeePolicy(rate=Decimal(18), period="year", day_basis=360).daily_rate()
        Fraction(1, 2000)
        """
        rate = Fraction(self.rate) / 100
        if self.period == "day":
            return rate
        return rate * _PERIODS_PER_YEAR[self.period] / self.day_basis


def chargeable_days(due: date, as_of: date, policy: LateFeePolicy) -> int:
    """Return the days of interest as of ``as_of``: days late beyond the grace period, or 0.

    A balance due on the 31st is one day late on the 1st; with ``grace_days`` of 10 it is
    charged from the 11th day late, which counts as one chargeable day.

    >>> policy = LateFeePolicy(rate=Decimal(18), period="year", grace_days=10)
    >>> chargeable_days(date(2026, 1, 31), date(2026, 2, 10), policy)
    0
    >>> chargeable_days(date(2026, 1, 31), date(2026, 2, 11), policy)
    1
    """
    return max(0, (as_of - due).days - policy.grace_days)


def _round_half_up(value: Fraction, currency: str) -> Money:
    """Round a non-negative exact amount half up to whole minor units of ``currency``."""
    units = int(value * 10 ** minor_units(currency) + Fraction(1, 2))  # floor(x + 1/2)
    return Money.from_minor_units(units, currency)


def _interest(balance: Money, days: int, policy: LateFeePolicy) -> Fraction:
    daily = policy.daily_rate()
    if not policy.compound:
        return Fraction(balance.amount) * daily * days
    growth = _COMPOUND.power(_COMPOUND.add(Decimal(1), _decimal(daily)), days)
    return Fraction(balance.amount) * (Fraction(growth) - 1)


def _decimal(value: Fraction) -> Decimal:
    return _COMPOUND.divide(Decimal(value.numerator), Decimal(value.denominator))


def finance_charge(balance: Money, due: date, as_of: date, policy: LateFeePolicy) -> Money:
    """Return the finance charge on ``balance``, due on ``due``, as of ``as_of``.

    Conventions, precisely:

    - Days late = ``as_of - due`` in calendar days; chargeable days = days late minus
      ``policy.grace_days`` (see [`chargeable_days`][arcore.finance_charges.chargeable_days]).
      With no chargeable day, or a balance of zero or less, the charge is zero: no interest,
      no flat fee, no minimum.
    - Daily rate = ``rate`` / 100 / ``day_basis`` for a yearly rate, ``rate`` / 100 × 12 /
      ``day_basis`` for a monthly one, ``rate`` / 100 for a daily one.
    - Simple interest (the default) = balance × daily rate × chargeable days, computed exactly.
      With ``compound``, interest = balance × ((1 + daily rate) ^ chargeable days − 1).
    - Charge = interest + ``flat_fee``, raised to ``minimum`` when below it, then rounded once,
      ``ROUND_HALF_UP``, to the currency's minor unit.

    >>> policy = LateFeePolicy(rate=Decimal("1.5"), period="month", flat_fee=Money(25, "USD"))
    >>> finance_charge(Money("1000.00", "USD"), date(2026, 1, 31), date(2026, 3, 2), policy)
    Money('39.79', 'USD')

    Raises:
        CurrencyMismatchError: ``flat_fee`` or ``minimum`` is in another currency than
            ``balance``.
    """
    for name, fee in (("flat_fee", policy.flat_fee), ("minimum", policy.minimum)):
        if fee is not None and fee.currency != balance.currency:
            raise CurrencyMismatchError(
                f"the policy's {name} is in {fee.currency}, the balance in {balance.currency}",
                hint="Use a late-fee policy in the balance's currency",
                field=name,
                value=fee,
            )
    zero = Money.zero(balance.currency)
    days = chargeable_days(due, as_of, policy)
    if days == 0 or balance.amount <= 0:
        return zero
    charge = _interest(balance, days, policy)
    if policy.flat_fee is not None:
        charge += Fraction(policy.flat_fee.amount)
    if policy.minimum is not None:
        charge = max(charge, Fraction(policy.minimum.amount))
    return _round_half_up(charge, balance.currency)
