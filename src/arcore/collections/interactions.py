"""The collector's record: every contact with a customer, with its outcome and follow-up.

Emails, calls, letters, SMS, notes, payment pickups and visits are logged by hand; reminders
the dunning run sends, promises, plans, disputes and escalations are logged automatically.

>>> from datetime import UTC, datetime
>>> Interaction(id="i-1", customer_id="c-1", kind="call", collector="ana",
...     occurred_at=datetime(2026, 3, 2, 10, 30, tzinfo=UTC), outcome="promised Friday").kind
'call'
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict

from arcore.documents import Identifier

__all__ = ["INTERACTION_KINDS", "Interaction", "InteractionKind"]

InteractionKind = Literal[
    "email",
    "call",
    "letter",
    "sms",
    "note",
    "pickup",
    "visit",
    "promise",
    "plan",
    "dispute",
    "escalation",
]
"""What kind of contact (``pickup``: a payment collected in person)."""

INTERACTION_KINDS: tuple[str, ...] = get_args(InteractionKind)
"""The interaction kinds, for prompts and validation messages."""


class Interaction(BaseModel):
    """One contact with a customer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier
    """The interaction's id."""
    customer_id: Identifier
    """The customer contacted."""
    kind: InteractionKind
    """What kind of contact."""
    occurred_at: AwareDatetime
    """When it happened (or is scheduled to, for a reminder)."""
    collector: Identifier
    """Who made it (``dunning`` for reminders the run sent)."""
    contact: str = ""
    """Whom at the customer (name, email or phone)."""
    outcome: str = ""
    """What came of it."""
    follow_up: date | None = None
    """When to contact the customer next, if agreed."""
    document_id: Identifier | None = None
    """The item it was about, if one."""
    note: str = ""
    """Free text."""
