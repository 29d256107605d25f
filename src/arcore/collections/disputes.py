"""Disputes: an item, or part of it, contested by the customer.

The disputed part leaves dunning but stays in aging (the ledger's balance is untouched until
the dispute is resolved). A dispute has a reason code and an owner; it is resolved by a
credit memo for the disputed part, a rebill (the item credited in full and issued again), or
rejected (nothing posted, dunning resumes). The postings go through the ledger: see
[`arcore.store.collections.resolve_dispute`][arcore.store.collections.resolve_dispute].

>>> from datetime import date
>>> from arcore.money import Money
>>> dispute = Dispute(id="d-1", document_id="inv-1", customer_id="c-1",
...     amount=Money("40.00", "USD"), reason_code="pricing", owner="sales",
...     opened_on=date(2026, 2, 3))
>>> disputed_amount([dispute], "inv-1", as_of=date(2026, 2, 10))
Money('40.00', 'USD')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, model_validator

from arcore.documents import Identifier, PositiveAmount
from arcore.money import Money

__all__ = [
    "REASON_CODES",
    "Dispute",
    "ReasonCode",
    "Resolution",
    "disputed_amount",
    "is_open",
]

ReasonCode = Literal[
    "pricing", "quantity", "quality", "not_received", "duplicate", "tax", "terms", "other"
]
"""Why the customer disputes the item."""

REASON_CODES: tuple[str, ...] = get_args(ReasonCode)
"""The reason codes, for prompts and validation messages."""

Resolution = Literal["credit_memo", "rebill", "rejected"]
"""How a dispute ended."""


class Dispute(BaseModel):
    """A contested item or part of one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier
    """The dispute's id."""
    document_id: Identifier
    """The invoice or debit memo contested."""
    customer_id: Identifier
    """Whose item."""
    amount: PositiveAmount
    """The disputed part (the whole balance for a whole-item dispute)."""
    reason_code: ReasonCode
    """Why."""
    owner: Identifier
    """Who works it out (a person or team)."""
    opened_on: date
    """When the customer raised it."""
    status: Literal["open", "resolved"] = "open"
    """Open until resolved."""
    resolution: Resolution | None = None
    """How it ended, once resolved."""
    resolved_on: date | None = None
    """When it was resolved."""
    resolution_documents: tuple[Identifier, ...] = ()
    """The credit memo or new invoice the resolution posted."""
    note: str = ""
    """Free text."""

    @model_validator(mode="after")
    def _resolved_consistently(self) -> Dispute:
        resolved = self.status == "resolved"
        if resolved != (self.resolution is not None) or resolved != (self.resolved_on is not None):
            raise ValueError("a resolved dispute has a resolution and a date; an open one neither")
        if self.resolved_on is not None and self.resolved_on < self.opened_on:
            raise ValueError(f"resolved_on {self.resolved_on} is before opened_on {self.opened_on}")
        return self


def is_open(dispute: Dispute, *, as_of: date) -> bool:
    """Whether ``dispute`` was open on ``as_of`` (opened by then, not yet resolved)."""
    if dispute.opened_on > as_of:
        return False
    return dispute.resolved_on is None or dispute.resolved_on > as_of


def disputed_amount(disputes: Iterable[Dispute], document_id: str, *, as_of: date) -> Money | None:
    """The total disputed on ``document_id`` on ``as_of``, or ``None`` when nothing is."""
    amounts = [
        d.amount for d in disputes if d.document_id == document_id and is_open(d, as_of=as_of)
    ]
    if not amounts:
        return None
    first, *rest = amounts
    return sum(rest, first)
