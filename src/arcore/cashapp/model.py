"""What cash application reads and proposes: open documents, proposals, settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from arcore.money import Money
from arcore.terms import Terms

__all__ = ["MatchConfig", "MatchStatus", "OpenDocument", "Proposal", "Proposed"]


class OpenDocument(BaseModel):
    """An invoice or debit memo the engine may apply money to.

    A document with a zero ``balance`` is known but settled: a payment that names it goes to
    review (a second payment for a paid invoice), it is never applied to.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: str
    number: str
    customer_id: str
    currency: str
    document_date: date
    due_date: date | None = None
    balance: Money
    total: Money
    tax: Money | None = None
    terms: Terms | None = None
    disputed: bool = False


class MatchStatus(StrEnum):
    """What happens to a proposal."""

    AUTO = "auto"
    """Confident enough to post without a person."""
    REVIEW = "review"
    """A person must decide (ambiguity, a discrepancy, a short pay...)."""
    UNAPPLIED = "unapplied"
    """Nothing fits: the money stays unapplied, with suggestions in the reason."""


class Proposed(BaseModel):
    """One proposed application of the payment to a document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: str
    number: str
    amount: Money
    discount: Money
    write_off: Money

    @property
    def settled(self) -> Money:
        """How much of the document's balance this settles."""
        return self.amount + self.discount + self.write_off


class Proposal(BaseModel):
    """The engine's answer for one payment.

    Attributes:
        payment_id: The payment.
        status: ``auto``, ``review`` or ``unapplied``.
        customer_id: The customer the money is applied for (``None`` if not identified).
        applications: The proposed applications, oldest document first.
        unapplied: What stays unapplied (an overpayment, or everything).
        deduction: What the payment leaves open on the documents it pays (a short pay, to
            investigate).
        confidence: From 0 (a guess) to 1 (certain); ``auto`` at or above the threshold.
        reason: Why, in words a clerk reads.
        strategy: The strategy that proposed it.
        flags: Discrepancies found (``third_party_payer``, ``already_settled``,
            ``short_pay``, ``overpayment``, ``unknown_document``, ``ambiguous``...).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    payment_id: str
    status: MatchStatus
    customer_id: str | None
    applications: tuple[Proposed, ...] = ()
    unapplied: Money
    deduction: Money
    confidence: float = Field(ge=0, le=1)  # float-ok: a score, not money
    reason: str
    strategy: str
    flags: tuple[str, ...] = ()


class MatchConfig(BaseModel):
    """Settings of the matching engine.

    Attributes:
        threshold: Confidence at or above which a proposal is ``auto``.
        name_cutoff: Least fuzzy score (0-100, rapidfuzz ``WRatio``) for a payer name to
            identify a customer; two customers within ``name_margin`` of the best mean no
            identification.
        name_margin: See ``name_cutoff``.
        tolerance_percent: A short or over pay within this percent of the amount due (and
            within ``tolerance_max``) is proposed with the difference as a deduction or as
            unapplied cash, for review.
        tolerance_max: The most, in currency units, a tolerated difference may be.
        subset_items: How many of a customer's oldest open items the subset search looks at.
        subset_size: The most items one payment may be found to pay by subset search.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(default=0.9, ge=0, le=1)  # float-ok
    name_cutoff: float = Field(default=88.0, ge=0, le=100)  # float-ok
    name_margin: float = Field(default=3.0, ge=0)  # float-ok
    tolerance_percent: Decimal = Decimal(2)
    tolerance_max: Decimal = Decimal(50)
    subset_items: int = Field(default=60, ge=1, le=120)
    subset_size: int = Field(default=5, ge=2, le=5)
