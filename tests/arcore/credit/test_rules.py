"""The rule set for recommended limits and terms, with the numbers worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcore.credit import (
    CreditApplication,
    ExternalScore,
    TradeReference,
    behaviour_score,
    recommend,
)
from arcore.credit.scoring import SettledItem
from arcore.money import Money
from arcore.terms import NetTerms
from strategies import positive_money

USD = "USD"


def application(
    *,
    requested: str = "20000.00",
    prompt: int = 2,
    slow: int = 0,
    poor: int = 0,
    years: int = 5,
    terms: str | None = None,
    highest: str | None = None,
) -> CreditApplication:
    references = [
        TradeReference(
            name=f"{rating}-{i}",
            rating=rating,
            highest_credit=None if highest is None else Money(highest, USD),
        )
        for rating, count in (("prompt", prompt), ("slow", slow), ("poor", poor))
        for i in range(count)
    ]
    return CreditApplication(
        company_id="acme",
        id="app-1",
        customer_id="c-7",
        legal_name="Blue Ox Ltd",
        received=date(2026, 3, 2),
        years_in_business=years,
        requested_limit=Money(requested, USD),
        requested_terms=terms,
        trade_references=references,
    )


def score(value: int) -> ExternalScore:
    return ExternalScore(provider="csv", score=value, as_of=date(2026, 3, 1))


@pytest.mark.parametrize(
    ("external", "grade", "limit", "terms"),
    [
        (95, "A", "20000.00", "Net 30"),  # 100 % of 20,000
        (80, "A", "20000.00", "Net 30"),  # the band's lowest score
        (79, "B", "15000.00", "Net 30"),  # 75 % of 20,000
        (60, "B", "15000.00", "Net 30"),
        (59, "C", "10000.00", "Net 15"),  # 50 %
        (40, "C", "10000.00", "Net 15"),
        (39, "D", "0.00", "Due on receipt"),
        (None, "C", "10000.00", "Net 15"),  # no score: start at C
    ],
)
def test_start_grade_from_the_external_score(
    external: int | None, grade: str, limit: str, terms: str
) -> None:
    found = recommend(application(), external=None if external is None else score(external))
    assert (found.grade, found.limit, str(found.terms)) == (grade, Money(limit, USD), terms)


def test_references_and_years_lower_the_grade_one_step_each() -> None:
    # 85 → A; one prompt reference (< 2) → B; a poor one → C; 1 year in business → D.
    found = recommend(application(prompt=1, poor=1, years=1), external=score(85))
    assert found.grade == "D"
    assert found.limit == Money("0.00", USD)
    assert str(found.terms) == "Due on receipt"
    assert len(found.reasons) == 4


def test_slow_references_do_not_count_as_prompt() -> None:
    found = recommend(application(prompt=1, slow=3), external=score(85))
    assert found.grade == "B"  # only one prompt reference


def test_the_grade_never_goes_below_d() -> None:
    found = recommend(application(prompt=0, poor=1, years=0), external=score(10))
    assert found.grade == "D"


def test_good_behaviour_raises_and_bad_behaviour_lowers() -> None:
    on_time = [SettledItem(due=date(2026, 1, 31), settled=date(2026, 1, 30))] * 4
    good = behaviour_score(on_time)  # 100
    found = recommend(application(), external=score(70), behaviour=good)
    assert (found.grade, found.limit) == ("A", Money("20000.00", USD))
    late = [SettledItem(due=date(2026, 1, 1), settled=date(2026, 2, 15))] * 2  # 45 days
    bad = behaviour_score(late, broken_promises=1)  # 100 - 40 - 30 - 10 = 20
    assert bad.score == 20
    found = recommend(application(), external=score(85), behaviour=bad)
    assert (found.grade, found.behaviour_score) == ("B", 20)


def test_no_history_is_neutral() -> None:
    found = recommend(application(), external=score(70), behaviour=behaviour_score([]))
    assert (found.grade, found.behaviour_score) == ("B", None)


def test_the_limit_is_rounded_down_to_whole_units() -> None:
    # 75 % of 1,234.56 = 925.92 → 925.00
    found = recommend(application(requested="1234.56"), external=score(70))
    assert found.limit == Money("925.00", USD)


def test_the_limit_is_capped_at_twice_the_largest_reference() -> None:
    found = recommend(application(highest="4000.00"), external=score(90))
    assert found.limit == Money("8000.00", USD)  # not 20,000


def test_terms_never_exceed_those_requested() -> None:
    found = recommend(application(terms="Net 10"), external=score(90))
    assert found.terms == NetTerms(days=10)


@given(requested=positive_money(USD, max_units=10**12), external=st.integers(0, 100))
def test_the_limit_is_never_above_the_request(requested: Money, external: int) -> None:
    app = application(requested=str(requested.amount))
    found = recommend(app, external=score(external))
    assert Money("0.00", USD) <= found.limit <= requested
    assert found.limit.amount == found.limit.amount.to_integral_value()
