"""How a customer is collected: its dunning group, language, collector and refused channels."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from arcore.documents import Identifier

__all__ = ["CollectionProfile"]


class CollectionProfile(BaseModel):
    """A customer's collection settings (customers without one get the defaults).

    >>> CollectionProfile(customer_id="c-1").language
    'en'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: Identifier
    """The customer."""
    dunning_group: Identifier | None = None
    """The group whose dunning policy applies (``None``: the default policy)."""
    language: Identifier = "en"
    """The language of the reminder templates (``en``, ``de``...)."""
    collector: Identifier | None = None
    """Who works the account (the worklist's ``--collector``)."""
    refused_channels: frozenset[str] = frozenset()
    """Channels the customer's contact preferences forbid (``sms``, ``phone``...)."""
