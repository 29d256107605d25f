"""The bad-debt allowance from the aging, with a rate per bucket."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.credit import allowance, parse_rates
from arcore.errors import ValidationError
from arcore.money import Money
from arcore.reports import AgingBasis, AgingReport, AgingRow, buckets
from strategies import CURRENCIES, money


def aging(totals: dict[str, list[Money]]) -> AgingReport:
    rows = {
        currency: AgingRow(
            customer_id="TOTAL",
            currency=currency,
            amounts=tuple(amounts),
            total=sum(amounts, Money.zero(currency)),
        )
        for currency, amounts in totals.items()
    }
    return AgingReport(
        as_of=date(2026, 3, 31), basis=AgingBasis.DUE, buckets=buckets(), rows=(), totals=rows
    )


RATES = "current:0.5%,1-30:1%,31-60:5%,61-90:20%,91+:50%"


def test_allowance_by_hand() -> None:
    # 1,234.57 × 0.5 % = 6.17285 → 6.17; 800.00 × 1 % = 8.00; 333.33 × 5 % = 16.6665 →
    # 16.67; 0 × 20 % = 0; 101.01 × 50 % = 50.505 → 50.51 (half up). Σ 80.35.
    amounts = [Money(a, "USD") for a in ("1234.57", "800.00", "333.33", "0.00", "101.01")]
    report = aging({"USD": amounts})
    estimate = allowance(report, parse_rates(RATES, report.buckets))["USD"]
    assert [str(line.allowance.amount) for line in estimate.lines] == [
        "6.17",
        "8.00",
        "16.67",
        "0.00",
        "50.51",
    ]
    assert estimate.allowance == Money("81.35", "USD")
    assert estimate.cap == Money("0.00", "USD")


def test_currencies_are_estimated_apart_and_jpy_rounds_to_yen() -> None:
    report = aging(
        {
            "USD": [Money(a, "USD") for a in ("100.00", "0", "0", "0", "10.00")],
            "JPY": [Money(a, "JPY") for a in ("1001", "0", "0", "0", "3")],
        }
    )
    found = allowance(report, parse_rates(RATES, report.buckets))
    assert found["USD"].allowance == Money("5.50", "USD")  # 0.50 + 5.00
    assert found["JPY"].allowance == Money("7", "JPY")  # 5.005 → 5, 1.5 → 2


def test_credits_are_not_provided_for_and_the_cap_keeps_it_within_the_open_total() -> None:
    # current −1,000 (credits), 91+ 1,100: open total 100; 50 % of 1,100 = 550 → capped at 100.
    amounts = [Money(a, "USD") for a in ("-1000.00", "0", "0", "0", "1100.00")]
    report = aging({"USD": amounts})
    estimate = allowance(report, parse_rates(RATES, report.buckets))["USD"]
    assert estimate.lines[0].allowance == Money("0.00", "USD")
    assert (estimate.allowance, estimate.cap) == (Money("100.00", "USD"), Money("-450.00", "USD"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("current:1%,1-30:1%,31-60:5%,61-90:20%", "current:1%,1-30:1%,31-60:5%,61-90:20%"),
        ("current:1%,1-30:1%,31-60:5%,61-90:20%,91+:150%", "91+:150%"),
        ("current:1%,1-30:x,31-60:5%,61-90:20%,91+:50%", "1-30:x"),
        ("current:1%,1-45:1%", "1-45:1%"),
        ("current:1%,current:2%", "current:2%"),
        ("current", "current"),
    ],
)
def test_bad_rates_are_refused_naming_the_part(text: str, value: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_rates(text, buckets())
    assert (error.value.field, error.value.value) == ("rates", value)


rates = st.lists(
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), min_size=5, max_size=5
)


@given(
    st.dictionaries(
        st.sampled_from(CURRENCIES), st.lists(st.integers(-(10**9), 10**9), min_size=5, max_size=5)
    ),
    rates,
)
def test_allowance_is_within_zero_and_the_open_total(
    units: dict[str, list[int]], percents: list[Decimal]
) -> None:
    report = aging(
        {code: [Money.from_minor_units(u, code) for u in row] for code, row in units.items()}
    )
    chosen = dict(zip((b.label for b in report.buckets), percents, strict=True))
    for code, estimate in allowance(report, chosen).items():
        zero = Money.zero(code)
        assert zero <= estimate.allowance
        assert estimate.allowance <= max(estimate.total_open, zero)
        assert (
            estimate.allowance
            == sum((line.allowance for line in estimate.lines), zero) + estimate.cap
        )
        assert estimate.allowance.is_quantized()


@given(money("USD", min_units=0, max_units=10**12))
def test_a_full_rate_provides_for_everything(amount: Money) -> None:
    zero = Money.zero("USD")
    report = aging({"USD": [zero, zero, zero, zero, amount]})
    chosen = {b.label: Decimal(100) for b in report.buckets}
    assert allowance(report, chosen)["USD"].allowance == amount
