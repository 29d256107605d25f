"""Money: ISO 4217 minor units, exact arithmetic, rounding, allocation and parsing."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pydantic
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from arcore.errors import (
    ArcoreError,
    CurrencyMismatchError,
    FloatAmountError,
    InvalidAmountError,
    UnknownCurrencyError,
    ValidationError,
)
from arcore.money import (
    Money,
    allocate,
    is_currency,
    minor_units,
    normalize_currency,
    parse_amount,
    parse_money,
    to_decimal,
)
from strategies import (
    CURRENCIES,
    currencies,
    decimals,
    exponent_of,
    money,
    positive_money,
    ratios,
    unquantized_money,
)

# --- ISO 4217 minor units ------------------------------------------------------------------

# Typed from the ISO 4217 list (table A.1, "Minor unit" column): the oracle the package's
# figures must agree with.
ISO_4217_MINOR_UNITS = {
    # 0 places
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    # 2 places
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "CAD": 2,
    "AUD": 2,
    "NZD": 2,
    "CNY": 2,
    "HKD": 2,
    "SGD": 2,
    "INR": 2,
    "BRL": 2,
    "MXN": 2,
    "ZAR": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "TRY": 2,
    "ILS": 2,
    "AED": 2,
    "SAR": 2,
    "EGP": 2,
    "NGN": 2,
    "KES": 2,
    "MGA": 2,
    "MRU": 2,
    "CVE": 2,
    "VES": 2,
    "BOV": 2,
    "MXV": 2,
    "COU": 2,
    "CHE": 2,
    "CHW": 2,
    "USN": 2,
    # 3 places
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    # 4 places
    "CLF": 4,
    "UYW": 4,
}


@pytest.mark.parametrize(("code", "places"), sorted(ISO_4217_MINOR_UNITS.items()))
def test_minor_units_agree_with_iso_4217(code: str, places: int) -> None:
    assert minor_units(code) == places
    assert Money(1, code).exponent == places
    assert Money.zero(code).amount.as_tuple().exponent == -places


@pytest.mark.parametrize(
    "code",
    [
        "XAU",  # gold
        "XAG",  # silver
        "XPT",  # platinum
        "XPD",  # palladium
        "XDR",  # SDR
        "XXX",  # no currency
        "XTS",  # testing
        "XBA",  # bond market unit
    ],
)
def test_codes_without_minor_unit_are_refused(code: str) -> None:
    with pytest.raises(UnknownCurrencyError) as info:
        minor_units(code)
    assert info.value.field == "currency"
    assert info.value.value == code
    assert info.value.hint
    assert not is_currency(code)
    with pytest.raises(UnknownCurrencyError):
        Money(1, code)


@pytest.mark.parametrize("code", ["ABC", "ZZZ", "US", "USDX", "", "   ", "dollar", "U$D"])
def test_unknown_codes_are_refused(code: str) -> None:
    with pytest.raises(UnknownCurrencyError) as info:
        Money(1, code)
    assert info.value.value == code
    assert info.value.hint
    assert not is_currency(code)
    with pytest.raises(UnknownCurrencyError):
        normalize_currency(code)


@pytest.mark.parametrize("code", ["usd", "Usd", " usd ", "USD\n"])
def test_currency_codes_are_case_insensitive(code: str) -> None:
    assert minor_units(code) == 2
    assert is_currency(code)
    assert normalize_currency(code) == "USD"
    assert Money("1.50", code) == Money("1.50", "USD")
    assert Money("1.50", code).currency == "USD"


# --- what counts as an amount ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        (Decimal("12.34"), Decimal("12.34")),
        (12, Decimal(12)),
        (-7, Decimal(-7)),
        ("12.34", Decimal("12.34")),
        (" -0.50 ", Decimal("-0.50")),
        ("+3", Decimal(3)),
        (".5", Decimal("0.5")),
        ("5.", Decimal(5)),
    ],
)
def test_accepted_amounts_are_kept_exactly(given_value: Any, expected: Decimal) -> None:
    assert to_decimal(given_value) == expected
    assert Money(given_value, "USD").amount == expected


def test_amount_keeps_its_places() -> None:
    # A unit price may carry more places than the currency; nothing is rounded on the way in.
    assert str(Money("0.12345", "USD").amount) == "0.12345"
    assert str(Money("1.50", "USD").amount) == "1.50"


def _float_uses() -> list[tuple[str, Callable[[], object]]]:
    usd = Money("10.00", "USD")
    return [
        ("Money(1.5, ...)", lambda: Money(1.5, "USD")),  # type: ignore[arg-type]
        ("Money(1.0, ...)", lambda: Money(1.0, "USD")),  # type: ignore[arg-type]
        ("to_decimal(0.1)", lambda: to_decimal(0.1)),
        ("Money * float", lambda: usd * 1.5),
        ("float * Money", lambda: 1.5 * usd),
        ("Money * 1.0", lambda: usd * 1.0),
        ("from_minor_units(float)", lambda: Money.from_minor_units(100.0, "USD")),  # type: ignore[arg-type]
        ("allocate float ratios", lambda: allocate(usd, [0.5, 0.5])),  # type: ignore[list-item]
        ("allocate one float ratio", lambda: allocate(usd, [1, Decimal(1), 0.25])),  # type: ignore[list-item]
        ("Money.allocate float", lambda: usd.allocate([1.0])),  # type: ignore[list-item]
    ]


@pytest.mark.parametrize(("label", "use"), _float_uses(), ids=[label for label, _ in _float_uses()])
def test_floats_are_refused_everywhere(label: str, use: Callable[[], object]) -> None:
    with pytest.raises(FloatAmountError) as info:
        use()
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, InvalidAmountError)
    assert info.value.hint


@given(st.floats())
def test_no_float_is_ever_accepted_as_money(value: float) -> None:
    with pytest.raises(FloatAmountError):
        Money(value, "EUR")  # type: ignore[arg-type]
    with pytest.raises(FloatAmountError):
        to_decimal(value)
    with pytest.raises(FloatAmountError):
        Money("1", "EUR") * value


def test_adding_a_float_or_int_to_money_is_refused() -> None:
    usd = Money("1.00", "USD")
    with pytest.raises(TypeError):
        usd + 1.5
    with pytest.raises(TypeError):
        usd + 1
    with pytest.raises(TypeError):
        usd - Decimal(1)


@pytest.mark.parametrize("value", [True, False])
def test_bools_are_not_amounts(value: bool) -> None:
    with pytest.raises(InvalidAmountError):
        Money(value, "USD")
    with pytest.raises(InvalidAmountError):
        to_decimal(value)
    with pytest.raises(InvalidAmountError):
        Money.from_minor_units(value, "USD")
    with pytest.raises(TypeError):
        Money("1", "USD") * value


@pytest.mark.parametrize(
    "value",
    [
        Decimal("NaN"),
        Decimal("-NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        "NaN",
        "nan",
        "Infinity",
        "-inf",
        "1e5",
        "1E+2",
        "1,000",
        "1_000",
        "12..5",
        "",
        " ",
        "$12",
        "0x10",
        None,
        [1],
        Fraction(1, 3),
    ],
)
def test_non_finite_and_non_decimal_values_are_refused(value: Any) -> None:
    with pytest.raises(InvalidAmountError) as info:
        to_decimal(value, field="price")
    assert info.value.field == "price"
    assert info.value.hint
    with pytest.raises(InvalidAmountError):
        Money(value, "USD")


@pytest.mark.parametrize("factor", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_multiplying_by_a_non_finite_factor_is_refused(factor: Decimal) -> None:
    with pytest.raises(InvalidAmountError):
        Money("1.00", "USD") * factor


# --- arithmetic laws ---------------------------------------------------------------------------


def _same_currency_pair(strategy: Callable[[str], st.SearchStrategy[Money]]) -> Any:
    return currencies.flatmap(lambda code: st.tuples(strategy(code), strategy(code)))


def _same_currency_triple() -> st.SearchStrategy[tuple[Money, Money, Money]]:
    return currencies.flatmap(
        lambda code: st.tuples(unquantized_money(code), unquantized_money(code), money(code))
    )


@given(_same_currency_pair(unquantized_money))
def test_addition_is_commutative_and_exact(pair: tuple[Money, Money]) -> None:
    a, b = pair
    assert a + b == b + a
    assert Fraction((a + b).amount) == Fraction(a.amount) + Fraction(b.amount)
    assert Fraction((a - b).amount) == Fraction(a.amount) - Fraction(b.amount)
    assert (a + b).currency == a.currency


@given(_same_currency_triple())
def test_addition_is_associative(triple: tuple[Money, Money, Money]) -> None:
    a, b, c = triple
    assert (a + b) + c == a + (b + c)


@given(_same_currency_pair(unquantized_money))
def test_adding_then_subtracting_gives_back_the_original(pair: tuple[Money, Money]) -> None:
    a, b = pair
    assert a + b - b == a
    assert a - b + b == a


@given(unquantized_money())
def test_negation(a: Money) -> None:
    negated = -a
    assert -negated == a
    assert a + (-a) == Money(0, a.currency)
    assert -a == a * -1
    assert abs(-a) == abs(a)
    assert abs(a).amount >= 0
    assert +a == a
    assert bool(a) == (a.amount != 0)


@given(unquantized_money(), st.integers(min_value=-(10**6), max_value=10**6), decimals())
def test_multiplication_is_exact(a: Money, n: int, d: Decimal) -> None:
    assert Fraction((a * n).amount) == Fraction(a.amount) * n
    assert Fraction((a * d).amount) == Fraction(a.amount) * Fraction(d)
    assert a * n == n * a
    assert a * d == d * a


@given(_same_currency_pair(money))
def test_ordering_agrees_with_the_amounts(pair: tuple[Money, Money]) -> None:
    a, b = pair
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)
    assert (a > b) == (a.amount > b.amount)
    assert (a >= b) == (a.amount >= b.amount)
    assert (a == b) == (a.amount == b.amount)


def test_huge_amounts_stay_exact() -> None:
    big = Money(Decimal("1E+30"), "USD")
    cent = Money("0.01", "USD")
    total = big + cent
    assert total.amount == Decimal("1000000000000000000000000000000.01")
    assert total - big == cent
    assert total.to_minor_units() == 10**32 + 1
    assert total.is_quantized()
    assert (total * 3).amount == Decimal("3000000000000000000000000000000.03")
    assert str(total) == "1000000000000000000000000000000.01 USD"
    parts = allocate(total, [1, 1, 1])
    assert sum((p for p in parts), Money.zero("USD")) == total


@given(st.integers(min_value=-(10**40), max_value=10**40), currencies)
def test_sums_of_huge_amounts_are_exact(units: int, code: str) -> None:
    big = Money.from_minor_units(units, code)
    one = Money.from_minor_units(1, code)
    assert (big + one).to_minor_units() == units + 1
    assert big + one - big == one


# --- currencies never mix ----------------------------------------------------------------------

CROSS_CURRENCY_OPERATIONS: list[tuple[str, Callable[[Money, Money], object]]] = [
    ("add", lambda a, b: a + b),
    ("subtract", lambda a, b: a - b),
    ("lt", lambda a, b: a < b),
    ("le", lambda a, b: a <= b),
    ("gt", lambda a, b: a > b),
    ("ge", lambda a, b: a >= b),
    ("sum", lambda a, b: sum([a, b], Money.zero(a.currency))),
]


@pytest.mark.parametrize(
    ("name", "operation"),
    CROSS_CURRENCY_OPERATIONS,
    ids=[name for name, _ in CROSS_CURRENCY_OPERATIONS],
)
def test_cross_currency_arithmetic_and_comparison_raise(
    name: str, operation: Callable[[Money, Money], object]
) -> None:
    with pytest.raises(CurrencyMismatchError) as info:
        operation(Money("1.00", "USD"), Money("1.00", "EUR"))
    assert isinstance(info.value, ValueError)
    assert "USD" in str(info.value)
    assert "EUR" in str(info.value)
    assert info.value.hint


@given(money(), money())
def test_cross_currency_money_is_never_equal(a: Money, b: Money) -> None:
    assume(a.currency != b.currency)
    assert a != b
    assert not a == b  # noqa: SIM201  (checks __eq__ itself, not only __ne__)
    with pytest.raises(CurrencyMismatchError):
        a + b
    with pytest.raises(CurrencyMismatchError):
        a < b  # noqa: B015


def test_same_number_in_two_currencies_is_not_equal() -> None:
    assert Money("1.00", "USD") != Money("1.00", "EUR")
    assert Money("0", "USD") != Money("0", "JPY")


def test_money_never_equals_a_bare_number() -> None:
    assert Money("1.00", "USD") != Decimal("1.00")
    assert Money(1, "USD") != 1
    with pytest.raises(TypeError):
        Money(1, "USD") < 2  # noqa: B015


# --- immutability, hashing, pickling ------------------------------------------------------------


def test_money_is_immutable() -> None:
    m = Money("1.00", "USD")
    with pytest.raises(AttributeError):
        m.amount = Decimal(2)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        m._amount = Decimal(2)
    with pytest.raises(AttributeError):
        m._currency = "EUR"
    with pytest.raises(AttributeError):
        m.note = "x"
    with pytest.raises(AttributeError):
        del m._amount
    assert m == Money("1.00", "USD")


def test_arithmetic_returns_new_money() -> None:
    a = Money("1.00", "USD")
    b = a + Money("2.00", "USD")
    assert a * 5 == Money("5.00", "USD")
    assert -a == Money("-1.00", "USD")
    assert a == Money("1.00", "USD")
    assert b == Money("3.00", "USD")


@given(unquantized_money())
def test_equal_money_hashes_equal(m: Money) -> None:
    padded = Money(m.amount.quantize(Decimal("1E-9")), m.currency)
    assert padded == m
    assert hash(padded) == hash(m)
    assert len({m, padded, Money(m.amount, m.currency.lower())}) == 1


def test_money_works_as_a_dict_key() -> None:
    balances = {Money("1.0", "USD"): "a", Money("1", "EUR"): "b"}
    assert balances[Money("1.00", "USD")] == "a"
    assert balances[Money(1, "EUR")] == "b"
    assert Money(1, "JPY") not in balances


@given(unquantized_money())
def test_pickle_and_copy_round_trip(m: Money) -> None:
    for restored in (pickle.loads(pickle.dumps(m)), copy.copy(m), copy.deepcopy(m)):
        assert restored == m
        assert str(restored.amount) == str(m.amount)  # places kept too
        assert restored.currency == m.currency


# --- quantize and minor units ------------------------------------------------------------------


@given(unquantized_money())
def test_quantize_is_idempotent_and_quantizes(m: Money) -> None:
    once = m.quantize()
    assert once.is_quantized()
    assert once.quantize() == once
    assert once.amount.as_tuple().exponent == -m.exponent
    # Rounding moves the amount by at most half a minor unit.
    assert abs(Fraction(once.amount) - Fraction(m.amount)) <= Fraction(1, 2 * 10**m.exponent)


@given(unquantized_money(), st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN]))
def test_quantize_with_any_named_mode_quantizes(m: Money, rounding: str) -> None:
    once = m.quantize(rounding)
    assert once.is_quantized()
    assert once.quantize(rounding) == once


@pytest.mark.parametrize(
    ("amount", "code", "rounding", "expected"),
    [
        ("2.675", "USD", ROUND_HALF_UP, "2.68"),
        ("-2.675", "USD", ROUND_HALF_UP, "-2.68"),
        ("2.665", "USD", ROUND_HALF_EVEN, "2.66"),
        ("2.675", "USD", ROUND_HALF_EVEN, "2.68"),
        ("2.679", "USD", ROUND_DOWN, "2.67"),
        ("0.5", "JPY", ROUND_HALF_UP, "1"),
        ("1.5", "JPY", ROUND_HALF_EVEN, "2"),
        ("2.5", "JPY", ROUND_HALF_EVEN, "2"),
        ("1.0005", "KWD", ROUND_HALF_UP, "1.001"),
        ("1.00005", "CLF", ROUND_HALF_UP, "1.0001"),
    ],
)
def test_quantize_examples(amount: str, code: str, rounding: str, expected: str) -> None:
    result = Money(amount, code).quantize(rounding)
    assert str(result.amount) == expected


def test_quantize_defaults_to_round_half_up() -> None:
    assert Money("0.125", "USD").quantize() == Money("0.13", "USD")
    assert Money("0.125", "USD").quantize(ROUND_HALF_EVEN) == Money("0.12", "USD")


def test_quantize_to_explicit_places() -> None:
    assert str(Money("1.23456", "USD").quantize(places=4).amount) == "1.2346"
    assert str(Money("1234.5", "USD").quantize(places=0).amount) == "1235"


@pytest.mark.parametrize(
    ("amount", "code", "quantized"),
    [
        ("1.50", "USD", True),
        ("1.5", "USD", True),
        ("1.500000", "USD", True),
        ("1.505", "USD", False),
        ("1", "JPY", True),
        ("1.0", "JPY", True),
        ("1.1", "JPY", False),
        ("0.0001", "CLF", True),
        ("0.00001", "CLF", False),
    ],
)
def test_is_quantized(amount: str, code: str, quantized: bool) -> None:
    assert Money(amount, code).is_quantized() is quantized


@given(st.integers(min_value=-(10**18), max_value=10**18), currencies)
def test_from_minor_units_round_trips(units: int, code: str) -> None:
    m = Money.from_minor_units(units, code)
    assert m.is_quantized()
    assert m.to_minor_units() == units
    assert Fraction(m.amount) == Fraction(units, 10 ** minor_units(code))


@given(money())
def test_to_minor_units_round_trips(m: Money) -> None:
    assert Money.from_minor_units(m.to_minor_units(), m.currency) == m


@given(unquantized_money())
def test_quantized_money_converts_to_minor_units(m: Money) -> None:
    q = m.quantize()
    assert Money.from_minor_units(q.to_minor_units(), q.currency) == q


@pytest.mark.parametrize(
    ("amount", "code", "units"),
    [
        ("12.34", "USD", 1234),
        ("-0.01", "USD", -1),
        ("1.500000", "USD", 150),
        (Decimal("1E+2"), "USD", 10000),
        ("1234", "JPY", 1234),
        ("12.345", "KWD", 12345),
        ("1.2345", "CLF", 12345),
        ("0", "BHD", 0),
    ],
)
def test_to_minor_units_examples(amount: Any, code: str, units: int) -> None:
    assert Money(amount, code).to_minor_units() == units


def test_to_minor_units_refuses_to_round_silently() -> None:
    with pytest.raises(InvalidAmountError) as info:
        Money("1.005", "USD").to_minor_units()
    assert "quantize" in (info.value.hint or "")


@given(st.lists(unquantized_money(), max_size=20), currencies)
def test_many_to_minor_units_is_to_minor_units_of_each(amounts: list[Money], code: str) -> None:
    """The bulk conversion agrees with the one-by-one one, results and errors alike."""
    same = [Money(m.amount, code) for m in amounts]
    try:
        expected: list[int] | type[ArcoreError] = [m.to_minor_units() for m in same]
    except InvalidAmountError:
        expected = InvalidAmountError
    if expected is InvalidAmountError:
        with pytest.raises(InvalidAmountError):
            Money.many_to_minor_units(same, code)
    else:
        assert Money.many_to_minor_units(same, code) == expected


def test_many_to_minor_units_refuses_another_currency() -> None:
    with pytest.raises(CurrencyMismatchError) as info:
        Money.many_to_minor_units([Money("1.00", "USD"), Money("1", "JPY")], "USD")
    assert info.value.value == "JPY"


def test_zero_has_the_currency_places() -> None:
    assert str(Money.zero("USD")) == "0.00 USD"
    assert str(Money.zero("JPY")) == "0 JPY"
    assert str(Money.zero("KWD")) == "0.000 KWD"
    assert not Money.zero("USD")


# --- allocation --------------------------------------------------------------------------------


def _units(parts: list[Money]) -> list[int]:
    return [p.to_minor_units() for p in parts]


def _exact_shares(units: int, weights: list[Decimal]) -> list[Fraction]:
    whole = sum(Fraction(w) for w in weights)
    return [units * Fraction(w) / whole for w in weights]


@given(money(), ratios())
def test_allocation_sums_to_the_whole(total: Money, weights: list[Decimal]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert all(p.currency == total.currency for p in parts)
    assert all(p.is_quantized() for p in parts)
    assert sum(_units(parts)) == total.to_minor_units()
    assert sum(parts, Money.zero(total.currency)) == total


@given(money(), ratios())
def test_each_part_is_within_one_minor_unit_of_its_exact_share(
    total: Money, weights: list[Decimal]
) -> None:
    parts = _units(allocate(total, weights))
    for part, share in zip(parts, _exact_shares(total.to_minor_units(), weights), strict=True):
        assert abs(part - share) < 1


@given(positive_money(), ratios())
def test_leftover_units_go_to_the_largest_remainders_earliest_first(
    total: Money, weights: list[Decimal]
) -> None:
    parts = _units(allocate(total, weights))
    shares = _exact_shares(total.to_minor_units(), weights)
    floors = [share.numerator // share.denominator for share in shares]
    assert all(part - floor in (0, 1) for part, floor in zip(parts, floors, strict=True))
    bumped = [i for i, (p, f) in enumerate(zip(parts, floors, strict=True)) if p > f]
    kept = [i for i, (p, f) in enumerate(zip(parts, floors, strict=True)) if p == f]
    for i in bumped:
        for j in kept:
            ri, rj = shares[i] - floors[i], shares[j] - floors[j]
            assert ri > rj or (ri == rj and i < j)


@given(money(), ratios())
def test_zero_ratios_get_zero(total: Money, weights: list[Decimal]) -> None:
    parts = allocate(total, weights)
    for part, weight in zip(parts, weights, strict=True):
        if weight == 0:
            assert part.to_minor_units() == 0


@given(money(), ratios())
def test_negative_totals_split_like_their_absolute_value(
    total: Money, weights: list[Decimal]
) -> None:
    assert allocate(-total, weights) == [-p for p in allocate(total, weights)]
    assert sum(allocate(-total, weights), Money.zero(total.currency)) == -total


@given(money(), st.integers(min_value=1, max_value=50))
def test_equal_ratios_differ_by_at_most_one_unit_extra_units_first(total: Money, n: int) -> None:
    parts = _units(allocate(total, [1] * n))
    assert max(parts) - min(parts) <= 1
    magnitudes = [abs(p) for p in parts]
    assert magnitudes == sorted(magnitudes, reverse=True)  # order-stable: earlier parts first


@given(money(), ratios(), st.integers(min_value=1, max_value=1000))
def test_scaling_the_ratios_changes_nothing(
    total: Money, weights: list[Decimal], factor: int
) -> None:
    assert allocate(total, weights) == allocate(total, [w * factor for w in weights])


@given(money(), ratios())
def test_money_allocate_is_the_function(total: Money, weights: list[Decimal]) -> None:
    assert total.allocate(weights) == allocate(total, weights)


@pytest.mark.parametrize(
    ("total", "code", "weights", "expected"),
    [
        ("100.00", "USD", [1, 1, 1], ["33.34", "33.33", "33.33"]),
        ("10.00", "USD", [3, 3, 3], ["3.34", "3.33", "3.33"]),
        ("-100.00", "USD", [1, 1, 1], ["-33.34", "-33.33", "-33.33"]),
        ("0.05", "USD", [1, 1, 1], ["0.02", "0.02", "0.01"]),
        ("100", "JPY", [50, 30, 20], ["50", "30", "20"]),
        ("1", "JPY", [1, 1], ["1", "0"]),
        ("10.000", "KWD", [1, 2], ["3.333", "6.667"]),
        ("1.0000", "CLF", [1, 0, 2], ["0.3333", "0.0000", "0.6667"]),
        ("0.00", "USD", [1, 2], ["0.00", "0.00"]),
        ("100.00", "USD", ["0.7", "0.2", "0.1"], ["70.00", "20.00", "10.00"]),
        ("100.00", "USD", [Decimal("33.3"), Decimal("66.7")], ["33.30", "66.70"]),
    ],
)
def test_allocation_examples(
    total: str, code: str, weights: list[Any], expected: list[str]
) -> None:
    parts = allocate(Money(total, code), weights)
    assert [str(p.amount) for p in parts] == expected


@pytest.mark.parametrize(
    "weights",
    [[], [0], [0, 0], [1, -1], [-1], ["abc"], [True, 1], [Decimal("NaN")]],
)
def test_allocation_refuses_bad_ratios(weights: list[Any]) -> None:
    with pytest.raises(InvalidAmountError) as info:
        allocate(Money("10.00", "USD"), weights)
    assert info.value.field == "ratios"
    assert info.value.hint


def test_allocation_refuses_an_unquantized_total() -> None:
    with pytest.raises(InvalidAmountError):
        allocate(Money("10.005", "USD"), [1, 1])


# --- parsing amounts as they appear in exports ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1,234.56", "en_US", "1234.56"),
        ("1234.56", "en_US", "1234.56"),
        ("(12.00)", "en_US", "-12.00"),
        ("$1,234.56", "en_US", "1234.56"),
        ("-$1,234.56", "en_US", "-1234.56"),
        ("$-1,234.56", "en_US", "-1234.56"),
        ("($1,234.56)", "en_US", "-1234.56"),
        ("1,234.56-", "en_US", "-1234.56"),
        ("+5", "en_US", "5"),
        ("\u221212.50", "en_US", "-12.50"),  # typographic minus sign
        ("  1,000,000.00  ", "en_US", "1000000.00"),
        ("1,234.56 USD", "en_US", "1234.56"),
        ("USD 1,234.56", "en_US", "1234.56"),
        ("€12.00", "en_US", "12.00"),
        (".50", "en_US", "0.50"),
        ("1.234,56", "de_DE", "1234.56"),
        ("-1.234,56 €", "de_DE", "-1234.56"),
        ("1.234,56 EUR", "de_DE", "1234.56"),
        ("(1.234,56)", "de_DE", "-1234.56"),
        ("1 234,56", "fr_FR", "1234.56"),
        ("1\u202f234,56 €", "fr_FR", "1234.56"),
        ("1\u00a0234\u00a0567,89", "fr_FR", "1234567.89"),
        ("1'234.56", "de_CH", "1234.56"),
        ("1\u2019234.56", "de_CH", "1234.56"),
    ],
)
def test_parse_amount_examples(text: str, locale: str, expected: str) -> None:
    result = parse_amount(text, locale=locale)
    assert result == Decimal(expected)
    assert str(result) == expected  # places kept, nothing rounded


def _en_us(amount: Decimal, places: int) -> str:
    return f"{abs(amount):,.{places}f}"


def _de_de(amount: Decimal, places: int) -> str:
    return _en_us(amount, places).translate(str.maketrans(",.", ".,"))


def _fr_fr(amount: Decimal, places: int, group: str) -> str:
    return _en_us(amount, places).replace(",", group).replace(".", ",")


def _signed_forms(unsigned: str, prefix: str = "", suffix: str = "") -> list[tuple[str, int]]:
    """Every way exports write ``unsigned`` with a sign, and the sign it means."""
    body = f"{prefix}{unsigned}{suffix}"
    return [
        (body, 1),
        (f"-{body}", -1),
        (f"({body})", -1),
        (f"{prefix}{unsigned}-{suffix}", -1),
        (f"\u2212{body}", -1),
    ]


@given(money())
def test_parse_amount_reads_back_en_us_formatting(m: Money) -> None:
    unsigned = _en_us(m.amount, m.exponent)
    magnitude = abs(m.amount)
    for prefix in ("", "$"):
        for text, sign in _signed_forms(unsigned, prefix=prefix):
            assert parse_amount(text) == sign * magnitude, text
    assert parse_amount(f"{unsigned} {m.currency}") == magnitude
    assert parse_amount(str(m.amount)) == m.amount


@given(money())
def test_parse_amount_reads_back_de_de_formatting(m: Money) -> None:
    unsigned = _de_de(m.amount, m.exponent)
    magnitude = abs(m.amount)
    for suffix in ("", " €", " EUR"):
        for text, sign in _signed_forms(unsigned, suffix=suffix):
            assert parse_amount(text, locale="de_DE") == sign * magnitude, text


@given(money(), st.sampled_from([" ", "\u00a0", "\u202f"]))
def test_parse_amount_reads_back_fr_fr_formatting(m: Money, group: str) -> None:
    unsigned = _fr_fr(m.amount, m.exponent, group)
    magnitude = abs(m.amount)
    for suffix in ("", " €", "\u00a0€"):
        for text, sign in _signed_forms(unsigned, suffix=suffix):
            assert parse_amount(text, locale="fr_FR") == sign * magnitude, text


def _decimals_in_any_notation() -> st.SearchStrategy[Decimal]:
    """Finite decimals whose ``str`` may use exponent notation (``1E+2``, ``1E-7``, ``-0E-9``)."""
    return st.builds(
        lambda coefficient, exponent: Decimal(f"{coefficient}E{exponent}"),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.integers(min_value=-12, max_value=30),
    )


@given(
    st.one_of(
        money(), unquantized_money(), st.builds(Money, _decimals_in_any_notation(), currencies)
    )
)
def test_parse_money_reads_back_str(m: Money) -> None:
    assert parse_money(str(m), m.currency) == m
    assert parse_money(str(m), m.currency.lower()) == m


@given(st.builds(Money, _decimals_in_any_notation(), currencies))
def test_repr_reads_back(m: Money) -> None:
    assert eval(repr(m), {"Money": Money}) == m


def test_parse_money_examples() -> None:
    assert parse_money("$1,234.56", "USD") == Money("1234.56", "USD")
    assert parse_money("1.234,56 €", "EUR", locale="de_DE") == Money("1234.56", "EUR")
    assert parse_money("(12) JPY", "jpy") == Money(-12, "JPY")


def test_parse_money_refuses_another_currency() -> None:
    with pytest.raises(CurrencyMismatchError) as info:
        parse_money("12.00 EUR", "USD", field="amount", row=4, file="bank.csv")
    assert (info.value.field, info.value.row, info.value.file) == ("amount", 4, "bank.csv")
    assert info.value.value == "12.00 EUR"
    assert info.value.hint


def test_parse_money_refuses_an_unknown_target_currency() -> None:
    with pytest.raises(UnknownCurrencyError):
        parse_money("12.00", "ZZZ")


GARBAGE = [
    "",
    " ",
    "abc",
    "1,23.45",
    "1,2345.67",
    "1e5",
    "1E+5",
    "1_000",
    "(12.00-)",
    "(-12.00)",
    "--5",
    "+-5",
    "12 FOO",
    "FOO 12",
    "1.234,56",
    "1 234.56",
    "NaN",
    "nan",
    "Infinity",
    "∞",
    "12..5",
    "12.3.4",
    "1.",
    "$",
    "-",
    "()",
    "(12.00",
    "USD",
    "0x1F",
    "1$234",
    "12 USD EUR",
    "USD 12 EUR",
    "twelve",
    "12/3",
    "1,234.56.78",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_parse_amount_refuses_garbage_with_a_typed_error(text: str) -> None:
    with pytest.raises(InvalidAmountError) as info:
        parse_amount(text, field="amount", row=7, file="export.csv")
    error = info.value
    assert isinstance(error, ValidationError)
    assert isinstance(error, ValueError)
    assert error.value == text
    assert error.field == "amount"
    assert error.row == 7
    assert error.file == "export.csv"
    assert error.hint
    assert "1,234.56" in error.hint  # the hint shows the locale's own way of writing it
    assert str(error).startswith("export.csv, row 7, field 'amount': ")
    assert str(error).endswith(error.hint)


@pytest.mark.parametrize("text", GARBAGE)
def test_parse_money_refuses_garbage_with_a_typed_error(text: str) -> None:
    with pytest.raises(InvalidAmountError) as info:
        parse_money(text, "USD", field="paid", row=2, file="bank.csv")
    assert (info.value.field, info.value.row, info.value.file) == ("paid", 2, "bank.csv")
    assert info.value.value == text


@pytest.mark.parametrize(
    ("text", "locale"),
    [("1,234.56", "de_DE"), ("1.234.56", "de_DE"), ("1,234,56", "fr_FR"), ("1.234,56", "fr_FR")],
)
def test_parse_amount_refuses_the_wrong_locale(text: str, locale: str) -> None:
    with pytest.raises(InvalidAmountError) as info:
        parse_amount(text, locale=locale)
    assert info.value.hint


def test_parse_amount_reads_a_comma_as_the_decimal_mark_in_de_de() -> None:
    # "1,234" is one and 234 thousandths in Germany, never one thousand two hundred and thirty-four.
    assert parse_amount("1,234", locale="de_DE") == Decimal("1.234")


@pytest.mark.parametrize("locale", ["xx_YY", "", "garbage!!", "en-US-x-nonsense-"])
def test_unknown_locale_is_a_validation_error(locale: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_amount("1.00", locale=locale)
    assert not isinstance(info.value, InvalidAmountError)  # the locale is wrong, not the amount
    assert info.value.field == "locale"
    assert info.value.value == locale
    assert info.value.hint
    with pytest.raises(ValidationError):
        parse_money("1.00", "USD", locale=locale)


# --- pydantic ----------------------------------------------------------------------------------


class Invoice(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    number: str
    total: Money


def test_pydantic_validates_from_a_dict() -> None:
    invoice = Invoice.model_validate(
        {"number": "INV-1", "total": {"amount": "1234.50", "currency": "usd"}}
    )
    assert invoice.total == Money("1234.50", "USD")
    assert str(invoice.total.amount) == "1234.50"
    assert Invoice.model_validate(
        {"number": "2", "total": {"amount": 12, "currency": "JPY"}}
    ).total == Money(12, "JPY")
    assert Invoice(number="3", total=Money("1", "EUR")).total == Money("1", "EUR")


def test_pydantic_validates_from_json() -> None:
    invoice = Invoice.model_validate_json(
        '{"number": "INV-1", "total": {"amount": "0.10", "currency": "EUR"}}'
    )
    assert invoice.total == Money("0.10", "EUR")
    assert Invoice.model_validate_json(
        '{"number": "INV-2", "total": {"amount": 5, "currency": "KWD"}}'
    ).total == Money(5, "KWD")


def test_pydantic_dumps_amount_as_a_string() -> None:
    invoice = Invoice(number="INV-1", total=Money("1234.50", "USD"))
    assert invoice.model_dump() == {
        "number": "INV-1",
        "total": {"amount": "1234.50", "currency": "USD"},
    }
    assert invoice.model_dump(mode="json")["total"] == {"amount": "1234.50", "currency": "USD"}
    assert '"total":{"amount":"1234.50","currency":"USD"}' in invoice.model_dump_json()


@given(st.one_of(unquantized_money(), st.builds(Money, _decimals_in_any_notation(), currencies)))
def test_pydantic_json_round_trip(m: Money) -> None:
    invoice = Invoice(number="X", total=m)
    restored = Invoice.model_validate_json(invoice.model_dump_json())
    assert restored == invoice
    assert f"{restored.total.amount:f}" == f"{m.amount:f}"  # places kept too
    assert Invoice.model_validate(invoice.model_dump()) == invoice


@pytest.mark.parametrize(
    "payload",
    [
        '{"number": "1", "total": {"amount": 1.5, "currency": "USD"}}',
        '{"number": "1", "total": {"amount": "1.5", "currency": "XAU"}}',
        '{"number": "1", "total": {"amount": "1,5", "currency": "EUR"}}',
        '{"number": "1", "total": {"amount": "NaN", "currency": "EUR"}}',
        '{"number": "1", "total": {"amount": true, "currency": "EUR"}}',
        '{"number": "1", "total": {"amount": "1.5"}}',
        '{"number": "1", "total": "1.5 USD"}',
        '{"number": "1", "total": 1.5}',
    ],
)
def test_pydantic_refuses_bad_money_from_json(payload: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        Invoice.model_validate_json(payload)


@pytest.mark.parametrize(
    "value",
    [
        {"amount": 1.5, "currency": "USD"},
        {"amount": True, "currency": "USD"},
        {"amount": Decimal("Infinity"), "currency": "USD"},
        {"amount": "1", "currency": "ABC"},
        1.5,
        Decimal("1.5"),
    ],
)
def test_pydantic_refuses_bad_money_from_python(value: object) -> None:
    with pytest.raises(pydantic.ValidationError):
        Invoice.model_validate({"number": "1", "total": value})


# --- misc ----------------------------------------------------------------------------------------


def test_str_and_format() -> None:
    assert str(Money("-0.50", "EUR")) == "-0.50 EUR"
    assert repr(Money("1234.5", "usd")) == "Money('1234.5', 'USD')"
    assert f"{Money('1234.5', 'USD'):,.2f}" == "1,234.50 USD"
    assert f"{Money('3', 'JPY')}" == "3 JPY"


def test_every_error_money_raises_is_an_arcore_error() -> None:
    attempts: list[Callable[[], object]] = [
        lambda: Money(1, "XYZ"),
        lambda: Money("x", "USD"),
        lambda: Money(1, "USD") + Money(1, "EUR"),
        lambda: parse_amount("?"),
        lambda: allocate(Money(1, "USD"), []),
    ]
    for attempt in attempts:
        with pytest.raises(ArcoreError):
            attempt()


def test_strategies_cover_every_minor_unit_size() -> None:
    # The property tests above are only as broad as the currencies they draw from.
    assert {exponent_of(code) for code in CURRENCIES} == {0, 2, 3, 4}
