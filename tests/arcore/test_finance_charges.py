"""Late fees and finance charges, with figures worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.errors import CurrencyMismatchError
from arcore.finance_charges import LateFeePolicy, chargeable_days, finance_charge
from arcore.money import Money
from strategies import money

D = date
DUE = D(2026, 1, 31)
THIRTY_DAYS_LATE = D(2026, 3, 2)  # Jan 31 +28 = Feb 28, +2 = Mar 2


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def policy(rate: str, period: str = "year", **kwargs: object) -> LateFeePolicy:
    return LateFeePolicy.model_validate({"rate": rate, "period": period, **kwargs})


@pytest.mark.parametrize(
    ("balance", "as_of", "late_fee", "expected"),
    [
        # 1000 x 18% x 30 / 365 = 5400 / 365 = 14.7945...
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("18"), usd("14.79")),
        # 1000 x 18% x 30 / 360 = 15 exactly
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("18", day_basis=360), usd("15.00")),
        # 1.5% a month is 18% a year
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("1.5", "month"), usd("14.79")),
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("1.5", "month", day_basis=360), usd("15.00")),
        # 0.05% a day x 30 days = 1.5%
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("0.05", "day"), usd("15.00")),
        # 10 days of grace: 40 days late, 30 charged
        (usd("1000.00"), D(2026, 3, 12), policy("18", grace_days=10), usd("14.79")),
        (usd("1000.00"), D(2026, 2, 10), policy("18", grace_days=10), usd("0.00")),
        (usd("1000.00"), D(2026, 2, 11), policy("18", grace_days=10), usd("0.49")),  # 0.4931
        # not late at all: on the due date, or before it
        (usd("1000.00"), DUE, policy("18"), usd("0.00")),
        (usd("1000.00"), D(2026, 1, 1), policy("18"), usd("0.00")),
        # flat fee on top; a minimum when the sum is lower
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("18", flat_fee=usd("25.00")), usd("39.79")),
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("18", minimum=usd("50.00")), usd("50.00")),
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("18", minimum=usd("10.00")), usd("14.79")),
        (usd("1000.00"), DUE, policy("18", flat_fee=usd("25"), minimum=usd("5")), usd("0.00")),
        (usd("1000.00"), THIRTY_DAYS_LATE, policy("0", flat_fee=usd("25.00")), usd("25.00")),
        # half a cent rounds up: 100 x 0.005% x 1 day = 0.005
        (usd("100.00"), D(2026, 2, 1), policy("0.005", "day"), usd("0.01")),
        # 100,000 yen at 14.6% for 10 days: 146,000 / 365 = 400 exactly
        (Money(100_000, "JPY"), D(2026, 2, 10), policy("14.6"), Money(400, "JPY")),
        # daily compounding: 100 x (1.01^2 - 1) = 2.01, simple would be 2.00
        (usd("100.00"), D(2026, 2, 2), policy("1", "day", compound=True), usd("2.01")),
        (usd("100.00"), D(2026, 2, 2), policy("1", "day"), usd("2.00")),
        # nothing is charged on a credit balance or a zero balance
        (usd("-1000.00"), THIRTY_DAYS_LATE, policy("18", flat_fee=usd("25")), usd("0.00")),
        (usd("0.00"), THIRTY_DAYS_LATE, policy("18", flat_fee=usd("25")), usd("0.00")),
    ],
)
def test_finance_charge_by_hand(
    balance: Money, as_of: date, late_fee: LateFeePolicy, expected: Money
) -> None:
    assert finance_charge(balance, DUE, as_of, late_fee) == expected


@pytest.mark.parametrize(
    ("due", "as_of", "days", "expected"),
    [
        # Feb 1 -> Mar 1 is 29 days in 2024 (leap), 28 in 2026 and 2100
        (D(2024, 2, 1), D(2024, 3, 1), 29, usd("105.85")),
        (D(2026, 2, 1), D(2026, 3, 1), 28, usd("102.20")),
        (D(2100, 2, 1), D(2100, 3, 1), 28, usd("102.20")),
        # over the year end: Dec 20 -> Jan 9 is 11 + 9 = 20 days
        (D(2026, 12, 20), D(2027, 1, 9), 20, usd("73.00")),
    ],
)
def test_days_late_over_leap_days_and_year_ends(
    due: date, as_of: date, days: int, expected: Money
) -> None:
    # 36.5% a year on 365 days is 0.1% a day: 3.65 a day on 3650.00
    late_fee = policy("36.5")
    assert chargeable_days(due, as_of, late_fee) == days
    assert finance_charge(usd("3650.00"), due, as_of, late_fee) == expected


def test_compound_thirty_days_at_eighteen_percent() -> None:
    # (1 + 0.18/365)^30 = exp(30 x ln(1.000493150685)) = exp(0.0147908...) = 1.0149008...
    charge = finance_charge(usd("1000.00"), DUE, THIRTY_DAYS_LATE, policy("18", compound=True))
    assert charge == usd("14.90")


def test_policy_validation() -> None:
    with pytest.raises(pydantic.ValidationError, match="float"):
        LateFeePolicy(rate=18.0, period="year")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        policy("-1")
    with pytest.raises(pydantic.ValidationError):
        policy("18", grace_days=-1)
    with pytest.raises(pydantic.ValidationError, match="flat_fee"):
        policy("18", flat_fee=usd("-1.00"))
    with pytest.raises(pydantic.ValidationError):
        policy("18", period="week")
    with pytest.raises(pydantic.ValidationError):
        policy("18", day_basis=366)
    with pytest.raises(pydantic.ValidationError):
        policy("18").grace_days = 3  # type: ignore[misc]


def test_fees_in_another_currency_are_refused() -> None:
    late_fee = policy("18", flat_fee=Money("25.00", "EUR"))
    with pytest.raises(CurrencyMismatchError) as caught:
        finance_charge(usd("1000.00"), DUE, THIRTY_DAYS_LATE, late_fee)
    assert caught.value.field == "flat_fee"


policies = st.builds(
    LateFeePolicy,
    rate=st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False),
    period=st.sampled_from(["year", "month", "day"]),
    day_basis=st.sampled_from([360, 365]),
    grace_days=st.integers(0, 60),
    compound=st.booleans(),
)


@given(money("USD", min_units=0), st.integers(-100, 1000), policies)
def test_charge_is_quantized_non_negative_and_grows_with_time(
    balance: Money, days: int, late_fee: LateFeePolicy
) -> None:
    as_of = DUE + timedelta(days=days)
    charge = finance_charge(balance, DUE, as_of, late_fee)
    assert charge.is_quantized()
    assert charge.amount >= 0
    if days <= late_fee.grace_days:
        assert charge == usd("0.00")
    later = finance_charge(balance, DUE, as_of + timedelta(days=1), late_fee)
    assert later >= charge


@given(money("USD", min_units=0, max_units=10**9), st.integers(1, 400), policies)
def test_compounding_never_charges_less_than_simple_interest(
    balance: Money, days: int, late_fee: LateFeePolicy
) -> None:
    simple = late_fee.model_copy(update={"compound": False, "grace_days": 0})
    compound = late_fee.model_copy(update={"compound": True, "grace_days": 0})
    as_of = DUE + timedelta(days=days)
    assert finance_charge(balance, DUE, as_of, compound) >= finance_charge(
        balance, DUE, as_of, simple
    )


@given(st.integers(0, 10**12), st.integers(1, 3650))
def test_simple_interest_matches_the_exact_formula(units: int, days: int) -> None:
    # 18% a year on 365 days, in whole cents, half up: (units x 18 x days x 2 + 36500) // 73000
    balance = Money.from_minor_units(units, "USD")
    expected_units = (units * 18 * days * 2 + 36500) // 73000
    charge = finance_charge(balance, DUE, DUE + timedelta(days=days), policy("18"))
    assert charge == Money.from_minor_units(expected_units, "USD")


def test_rate_is_kept_as_decimal() -> None:
    assert policy("1.5", "month").rate == Decimal("1.5")
