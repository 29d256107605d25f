"""Hypothesis strategies for the arcore domain, shared by every test module.

One place for them, so every property test draws money, terms and documents the same way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

from hypothesis import strategies as st

from arcore.money import Money, minor_units
from arcore.terms import (
    MAX_DAYS,
    Discount,
    InstallmentRow,
    InstallmentTerms,
    NetTerms,
    ProxDiscount,
    ProxTerms,
)

# Currencies with 0, 2, 3 and 4 minor units: JPY, USD/EUR, KWD/BHD, CLF.
CURRENCIES = ("USD", "EUR", "JPY", "KWD", "BHD", "CLF", "GBP", "CHF")

currencies = st.sampled_from(CURRENCIES)

MAX_UNITS = 10**15  # a quadrillion minor units: beyond any receivable


def money(
    currency: str | st.SearchStrategy[str] | None = None,
    *,
    min_units: int = -MAX_UNITS,
    max_units: int = MAX_UNITS,
) -> st.SearchStrategy[Money]:
    """Quantized money (whole minor units) in ``currency`` (or any of :data:`CURRENCIES`)."""
    code_strategy: st.SearchStrategy[str]
    if currency is None:
        code_strategy = currencies
    elif isinstance(currency, str):
        code_strategy = st.just(currency)
    else:
        code_strategy = currency
    return st.builds(
        Money.from_minor_units,
        st.integers(min_value=min_units, max_value=max_units),
        code_strategy,
    )


def positive_money(
    currency: str | None = None, max_units: int = MAX_UNITS
) -> st.SearchStrategy[Money]:
    """Quantized money strictly above zero."""
    return money(currency, min_units=1, max_units=max_units)


def decimals(places: int = 6, limit: int = 10**12) -> st.SearchStrategy[Decimal]:
    """Finite decimals with up to ``places`` places and magnitude below ``limit``."""
    return st.decimals(
        min_value=-limit, max_value=limit, places=places, allow_nan=False, allow_infinity=False
    )


def unquantized_money(currency: str | None = None) -> st.SearchStrategy[Money]:
    """Money that may carry more places than the currency's minor unit (unit prices, rates)."""
    code_strategy = st.just(currency) if currency else currencies
    return st.builds(Money, decimals(), code_strategy)


def ratios(max_size: int = 12) -> st.SearchStrategy[list[Decimal]]:
    """Non-negative allocation ratios, not all zero."""
    return st.lists(
        st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=max_size,
    ).filter(lambda rs: any(r > 0 for r in rs))


def exponent_of(code: str) -> int:
    """The minor-unit places of ``code`` (re-exported for tests that build amounts by hand)."""
    return minor_units(code)


# --- credit terms ------------------------------------------------------------------------
# Strategies for arcore.terms: every notation, within the bounds the models accept, and the
# document dates arcore promises to handle.


FIRST_DOCUMENT_DATE = date(1900, 1, 1)
LAST_DOCUMENT_DATE = date(9000, 12, 31)

document_dates = st.dates(min_value=FIRST_DOCUMENT_DATE, max_value=LAST_DOCUMENT_DATE)
"""Any date a document may carry: 1900-01-01 to 9000-12-31."""

term_days = st.integers(min_value=0, max_value=MAX_DAYS)
days_of_month = st.integers(min_value=1, max_value=31)

percents = st.one_of(
    st.sampled_from([Decimal(1), Decimal(2), Decimal("1.5"), Decimal("0.5"), Decimal(10)]),
    st.decimals(
        min_value=Decimal("0.0001"),
        max_value=Decimal("99.9999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    ),
)
"""Discount percentages: 0 < p < 100, at most four places."""


def discounts(max_days: int = MAX_DAYS) -> st.SearchStrategy[Discount]:
    """A discount whose window is at most ``max_days`` long."""
    return st.builds(Discount, percent=percents, days=st.integers(0, max_days))


@st.composite
def net_terms(draw: st.DrawFn) -> NetTerms:
    """Due on receipt, Net N, X/D Net N, Net N EOM and X/D EOM Net N."""
    days = draw(term_days)
    discount = draw(st.none() | discounts(days))
    return NetTerms(days=days, eom=draw(st.booleans()), discount=discount)


@st.composite
def prox_terms(draw: st.DrawFn) -> ProxTerms:
    """Dth Prox, with or without cutoff and discount."""
    day = draw(days_of_month)
    discount = draw(st.none() | st.builds(ProxDiscount, percent=percents, day=st.integers(1, day)))
    return ProxTerms(day=day, cutoff=draw(st.none() | days_of_month), discount=discount)


@st.composite
def installment_terms(draw: st.DrawFn, max_rows: int = 6) -> InstallmentTerms:
    """Installment schedules whose shares (in hundredths of a percent) sum to 100 %."""
    count = draw(st.integers(1, max_rows))
    cuts = sorted(draw(st.sets(st.integers(1, 9_999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10_000]
    shares = [Decimal(hi - lo).scaleb(-2) for lo, hi in pairwise(bounds)]
    days = sorted(draw(st.lists(term_days, min_size=count, max_size=count)))
    rows = []
    for share, row_days in zip(shares, days, strict=True):
        discount = draw(st.none() | discounts(row_days))
        rows.append(InstallmentRow(share=share, days=row_days, discount=discount))
    return InstallmentTerms(rows=tuple(rows))


terms = st.one_of(net_terms(), prox_terms(), installment_terms())
"""Any valid credit terms."""
