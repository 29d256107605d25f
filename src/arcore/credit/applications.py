"""Credit applications: who asks for credit, with which references, and what was decided.

A [`CreditApplication`][arcore.credit.applications.CreditApplication] is the form a new (or
existing) customer fills in: company details, trade references and the limit asked for. An
external score ([`ExternalScore`][arcore.credit.applications.ExternalScore]) is attached when
a score provider is plugged in. The rule set of [`arcore.credit.rules`][arcore.credit.rules]
turns them into a [`Recommendation`][arcore.credit.applications.Recommendation]; a named
approver then records the [`CreditDecision`][arcore.credit.applications.CreditDecision].
Everything here is frozen data: a new decision is a new record, never an edit.

>>> from datetime import date
>>> from arcore.money import Money
>>> application = CreditApplication(
...     company_id="acme", id="app-1", customer_id="c-7", legal_name="Blue Ox Ltd",
...     received=date(2026, 3, 2), requested_limit=Money("20000.00", "USD"),
...     trade_references=[TradeReference(name="Steel Co", rating="prompt")])
>>> application.requested_limit
Money('20000.00', 'USD')
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from arcore.documents import Identifier, NonNegativeAmount, PositiveAmount
from arcore.errors import CurrencyMismatchError
from arcore.terms import Terms

__all__ = [
    "CreditApplication",
    "CreditDecision",
    "ExternalScore",
    "Recommendation",
    "ReferenceRating",
    "TradeReference",
]


class ReferenceRating(StrEnum):
    """How a trade reference says the applicant pays them."""

    PROMPT = "prompt"
    """Pays on or before the due date."""
    SLOW = "slow"
    """Pays, but late."""
    POOR = "poor"
    """Pays very late, only after chasing, or not at all."""


class TradeReference(BaseModel):
    """A supplier who already gives the applicant credit, and what they report.

    Attributes:
        name: The supplier.
        contact: Who at the supplier answered (name, phone or e-mail).
        rating: How the applicant pays them.
        highest_credit: The most credit they have given the applicant, if they said.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Identifier
    contact: str = ""
    rating: ReferenceRating
    highest_credit: NonNegativeAmount | None = None


class ExternalScore(BaseModel):
    """A score from an outside provider (a D&B-style bureau, a file of scores).

    Scores are on a 0 to 100 scale, higher meaning safer (D&B's PAYDEX is on this scale;
    a provider with another scale converts before returning).

    Attributes:
        provider: The provider's registered name.
        score: 0 (worst) to 100 (best).
        as_of: The date the provider computed it.
        reference: The provider's own id for the report, if any.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Identifier
    score: int = Field(ge=0, le=100)
    as_of: date
    reference: str = ""


class CreditApplication(BaseModel):
    """An application for credit, as received.

    Attributes:
        company_id: The company asked for credit.
        id: The application's id.
        customer_id: The customer (in the books, or to be added) the credit is for.
        legal_name: The applicant's registered name.
        registration_number: Company registration (or D-U-N-S) number, if given; score
            providers look applicants up by it.
        address: The registered address.
        years_in_business: How long the applicant has traded.
        received: The date the application was received.
        requested_limit: The credit limit asked for (in the currency the customer is
            billed in).
        requested_terms: The payment terms asked for, if any.
        trade_references: Suppliers who give the applicant credit.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_id: Identifier
    id: Identifier
    customer_id: Identifier
    legal_name: Identifier
    registration_number: str = ""
    address: str = ""
    years_in_business: int = Field(default=0, ge=0)
    received: date
    requested_limit: PositiveAmount
    requested_terms: Terms | None = None
    trade_references: tuple[TradeReference, ...] = ()

    @model_validator(mode="after")
    def _one_currency(self) -> CreditApplication:
        currency = self.requested_limit.currency
        for index, reference in enumerate(self.trade_references):
            credit = reference.highest_credit
            if credit is not None and credit.currency != currency:
                raise CurrencyMismatchError(
                    f"trade reference {reference.name!r} gives its highest credit in "
                    f"{credit.currency}, the application asks for {currency}",
                    hint="Give every amount of an application in one currency",
                    field=f"trade_references[{index}].highest_credit",
                    value=str(credit),
                )
        return self


class Recommendation(BaseModel):
    """What the rule set recommends for an application, and why.

    Attributes:
        grade: The risk grade, ``A`` (safest) to ``D``.
        limit: The recommended credit limit (zero for grade ``D``: cash in advance).
        terms: The recommended payment terms.
        reasons: Each rule that moved the grade, in the order applied, in words.
        external_score: The external score used, if any.
        behaviour_score: The behavioural score used, if the customer has history.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    grade: str = Field(pattern="^[ABCD]$")
    limit: NonNegativeAmount
    terms: Terms
    reasons: tuple[str, ...]
    external_score: ExternalScore | None = None
    behaviour_score: int | None = None


class CreditDecision(BaseModel):
    """An approver's decision on an application: the limit and terms granted.

    Attributes:
        application_id: The application decided.
        customer_id: Whose limit it sets.
        recommendation: What the rule set recommended.
        approved_limit: The limit granted (may differ from the recommendation).
        approved_terms: The terms granted.
        approved_by: The named approver.
        approved_at: When.
        note: Why, especially when the grant differs from the recommendation.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    application_id: Identifier
    customer_id: Identifier
    recommendation: Recommendation
    approved_limit: NonNegativeAmount
    approved_terms: Terms
    approved_by: Identifier
    approved_at: datetime
    note: str = ""

    @model_validator(mode="after")
    def _limit_in_recommended_currency(self) -> CreditDecision:
        expected = self.recommendation.limit.currency
        if self.approved_limit.currency != expected:
            raise CurrencyMismatchError(
                f"the approved limit is in {self.approved_limit.currency}, the application "
                f"in {expected}",
                hint=f"Approve a limit in {expected}",
                field="approved_limit",
                value=str(self.approved_limit),
            )
        return self
