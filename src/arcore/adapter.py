"""What an accounting-system adapter declares about itself.

An adapter (QuickBooks Online, Xero, Sage Intacct, Acumatica, or one you write) registers an
[`AdapterInfo`][arcore.adapter.AdapterInfo] through the
[`arcore_register_adapters`][arcore.plugins.hookspecs.arcore_register_adapters] hook. The sync
engine reads its [`Capabilities`][arcore.adapter.Capabilities] to plan work (which entities to
pull and push, how to page, how fast it may go) and calls its ``factory`` to connect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

__all__ = ["AdapterInfo", "Capabilities", "Entity", "IncrementalMethod", "RateLimit"]

Entity = Literal[
    "customer", "invoice", "debit_memo", "credit_memo", "payment", "refund", "customer_deposit"
]
"""The core document kinds an adapter may read or write."""

IncrementalMethod = Literal["change_data_capture", "modified_since", "cursor", "none"]
"""How an adapter lists changes since the last sync (``none``: full listing only)."""


class RateLimit(BaseModel):
    """One published limit of a vendor API: ``requests`` per ``per_seconds``.

    >>> RateLimit(requests=60, per_seconds=60, scope="tenant")
    RateLimit(requests=60, per_seconds=60, scope='tenant')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    requests: PositiveInt
    per_seconds: PositiveInt
    scope: Literal["tenant", "app", "user"] = "tenant"


class Capabilities(BaseModel):
    """What an adapter can do, declared once so the engine never guesses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reads: frozenset[Entity] = frozenset()
    """Entities the adapter can list and fetch."""
    writes: frozenset[Entity] = frozenset()
    """Entities the adapter can create, update and void."""
    incremental: IncrementalMethod = "none"
    """How changes since a cursor are listed."""
    webhooks: bool = False
    """Whether the vendor pushes signed change notices."""
    rate_limits: tuple[RateLimit, ...] = ()
    """Every published limit; the engine honours all of them."""
    max_concurrency: PositiveInt = 1
    """Requests in flight at once per connection."""
    page_size: PositiveInt = 100
    """Items per page when listing."""


class AdapterInfo(BaseModel):
    """An installed adapter: its name, version, capabilities and how to create it.

    Attributes:
        name: The short name users type (``arcore sync quickbooks``); lower case.
        title: The accounting system's name for people (``QuickBooks Online``).
        version: The adapter's own version (usually its distribution's).
        capabilities: What it can do.
        factory: Called by the sync engine with the connection settings to create a connected
            adapter.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    version: str
    capabilities: Capabilities = Capabilities()
    factory: Callable[..., object]
