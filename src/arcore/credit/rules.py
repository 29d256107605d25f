"""The rule set that turns a credit application into a recommended limit and terms.

The rules, applied in this order (a grade never goes above ``A`` or below ``D``):

1. **Start grade** from the external score: 80 to 100 gives ``A``, 60 to 79 ``B``, 40 to 59
   ``C``, 0 to 39 ``D``. Without an external score the start grade is ``C``.
2. **Trade references**: fewer than two references rated ``prompt`` lowers the grade one
   step; any reference rated ``poor`` lowers it one step more.
3. **Years in business**: under two years lowers the grade one step.
4. **Behaviour** (existing customers whose behavioural score has history): a score under 50
   lowers the grade one step; a score of 90 or more raises it one step.
5. **Limit and terms by grade**:

    | grade | limit | terms |
    | --- | --- | --- |
    | A | 100 % of the requested limit | Net 30 |
    | B | 75 % of the requested limit | Net 30 |
    | C | 50 % of the requested limit | Net 15 |
    | D | 0 (no credit) | Due on receipt |

6. **Cap by references**: when references give their highest credit, the limit is at most
   twice the largest of them.
7. **Rounding**: the limit is rounded *down* to a whole unit of the currency (no cents are
   ever recommended), and the terms never exceed those requested (a request for Net 15 is
   not recommended Net 30).

The percentages, thresholds and terms are the fields of
[`CreditRules`][arcore.credit.rules.CreditRules]; their defaults are the rules above, and a
company may pass its own.

>>> from datetime import date
>>> from arcore.credit.applications import CreditApplication, ExternalScore, TradeReference
>>> from arcore.money import Money
>>> application = CreditApplication(company_id="acme", id="app-1", customer_id="c-7",
...     legal_name="Blue Ox Ltd", received=date(2026, 3, 2), years_in_business=5,
...     requested_limit=Money("20000.00", "USD"),
...     trade_references=[TradeReference(name="Steel Co", rating="prompt"),
...                       TradeReference(name="Bolt Co", rating="prompt")])
>>> score = ExternalScore(provider="csv", score=72, as_of=date(2026, 3, 1))
>>> found = recommend(application, external=score)
>>> found.grade, found.limit, str(found.terms)
('B', Money('15000.00', 'USD'), 'Net 30')
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from arcore.credit.applications import (
    CreditApplication,
    ExternalScore,
    Recommendation,
    ReferenceRating,
)
from arcore.credit.scoring import BehaviourScore
from arcore.money import Money
from arcore.terms import NetTerms, Terms, due_date

__all__ = ["DEFAULT_RULES", "GRADES", "CreditRules", "recommend"]

GRADES: Final = ("A", "B", "C", "D")
"""Risk grades, safest first."""


class CreditRules(BaseModel):
    """The parameters of the rule set (see the module); the defaults are arcore's rules.

    Attributes:
        score_bands: Lowest external score of grades A, B and C (below the last: D).
        no_score_grade: The start grade without an external score.
        prompt_references: Fewer ``prompt`` references than this lowers the grade.
        min_years: Fewer years in business than this lowers the grade.
        low_behaviour: A behavioural score below this lowers the grade.
        high_behaviour: A behavioural score at or above this raises the grade.
        limit_percent: Percent of the requested limit per grade A, B, C, D.
        terms: Recommended terms per grade A, B, C, D.
        reference_multiple: The limit is at most this times the largest highest credit a
            reference reports.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    score_bands: tuple[int, int, int] = (80, 60, 40)
    no_score_grade: str = Field(default="C", pattern="^[ABCD]$")
    prompt_references: int = Field(default=2, ge=0)
    min_years: int = Field(default=2, ge=0)
    low_behaviour: int = Field(default=50, ge=0, le=100)
    high_behaviour: int = Field(default=90, ge=0, le=101)
    limit_percent: tuple[Decimal, Decimal, Decimal, Decimal] = (
        Decimal(100),
        Decimal(75),
        Decimal(50),
        Decimal(0),
    )
    terms: tuple[Terms, Terms, Terms, Terms] = (
        NetTerms(days=30),
        NetTerms(days=30),
        NetTerms(days=15),
        NetTerms(days=0),
    )
    reference_multiple: Decimal = Decimal(2)


DEFAULT_RULES: Final = CreditRules()
"""arcore's rule set, as the module documentation states it."""


def _start_grade(external: ExternalScore | None, rules: CreditRules) -> tuple[int, str]:
    if external is None:
        grade = GRADES.index(rules.no_score_grade)
        return grade, f"no external score: start at grade {GRADES[grade]}"
    bands = rules.score_bands
    grade = next((index for index, low in enumerate(bands) if external.score >= low), 3)
    return grade, f"external score {external.score} ({external.provider}): grade {GRADES[grade]}"


def _longest(terms: Terms) -> int:
    """Days from an invoice dated 1 January 2001 to its (last) due date: a length to compare."""
    issued = date(2001, 1, 1)
    return (due_date(terms, issued) - issued).days


def recommend(
    application: CreditApplication,
    *,
    external: ExternalScore | None = None,
    behaviour: BehaviourScore | None = None,
    rules: CreditRules = DEFAULT_RULES,
) -> Recommendation:
    """The recommended limit and terms for ``application`` by ``rules`` (see the module).

    Args:
        application: The application.
        external: The external score, if a provider gave one.
        behaviour: The customer's behavioural score, if it is an existing customer.
        rules: The rule set (arcore's by default).
    """
    grade, first = _start_grade(external, rules)
    reasons = [first]

    def lower(why: str) -> None:
        nonlocal grade
        if grade < 3:
            grade += 1
        reasons.append(f"{why}: grade {GRADES[grade]}")

    references = application.trade_references
    prompt = sum(1 for r in references if r.rating is ReferenceRating.PROMPT)
    if prompt < rules.prompt_references:
        lower(f"{prompt} prompt trade reference(s), fewer than {rules.prompt_references}")
    if any(r.rating is ReferenceRating.POOR for r in references):
        lower("a trade reference reports poor payment")
    if application.years_in_business < rules.min_years:
        lower(f"{application.years_in_business} year(s) in business, fewer than {rules.min_years}")
    if behaviour is not None and behaviour.has_history:
        if behaviour.score < rules.low_behaviour:
            lower(f"behavioural score {behaviour.score}, under {rules.low_behaviour}")
        elif behaviour.score >= rules.high_behaviour:
            grade = max(0, grade - 1)
            reasons.append(
                f"behavioural score {behaviour.score}, at least {rules.high_behaviour}: "
                f"grade {GRADES[grade]}"
            )
    requested = application.requested_limit
    limit = requested * (rules.limit_percent[grade] / 100)
    highest = [r.highest_credit for r in references if r.highest_credit is not None]
    if highest:
        cap = max(highest) * rules.reference_multiple
        if limit > cap:
            limit = cap
            reasons.append(
                f"limit capped at {rules.reference_multiple} × the largest reference credit"
            )
    whole = limit.amount.quantize(Decimal(1), rounding=ROUND_DOWN)
    limit = Money(whole, requested.currency).quantize()
    terms = rules.terms[grade]
    asked = application.requested_terms
    if asked is not None and _longest(asked) < _longest(terms):
        reasons.append(f"terms {terms} shortened to the {asked} requested")
        terms = asked
    return Recommendation(
        grade=GRADES[grade],
        limit=limit,
        terms=terms,
        reasons=tuple(reasons),
        external_score=external,
        behaviour_score=(
            behaviour.score if behaviour is not None and behaviour.has_history else None
        ),
    )
