"""The write-off review queue: items proposed for a bad-debt write-off, and the decisions.

A clerk (or a dunning step) queues an item with a reason; an approver approves it, and the
balance is written off through the ledger against the allowance for doubtful accounts
(Dr allowance / Cr AR), or rejects it. A queued item is never edited except to record that
decision, once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from arcore.documents import Identifier

__all__ = ["ReviewStatus", "WriteOffReview"]


class ReviewStatus(StrEnum):
    """Where a write-off review is."""

    PENDING = "pending"
    """Waiting for an approver."""
    APPROVED = "approved"
    """Approved; the balance was written off through the ledger."""
    REJECTED = "rejected"
    """Rejected: the item stays open and is collected as before."""


class WriteOffReview(BaseModel):
    """An item in the write-off review queue.

    Attributes:
        company_id: The company.
        id: The review's id (the write-off's idempotency key is ``credit-review:<id>``).
        document_id: The invoice or debit memo proposed.
        customer_id: Its customer.
        reason: Why it is proposed.
        queued_by: Who proposed it.
        queued_at: When.
        status: Pending, approved or rejected.
        decided_by: The approver who decided, once decided.
        decided_at: When.
        note: The approver's note.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_id: Identifier
    id: Identifier
    document_id: Identifier
    customer_id: str | None
    reason: str
    queued_by: Identifier
    queued_at: datetime
    status: ReviewStatus = ReviewStatus.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""
