"""Registers the Xero adapter; the ``xero`` entry point names this module.

Importing this module imports only arcore: xero-python is imported by the factory, so
``arcore adapters`` lists the adapter even where the ``xero`` extra is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from arcore import __version__
from arcore.adapter import AdapterInfo, Capabilities, Connection, RateLimit
from arcore.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from arcore_xero.adapter import XeroAdapter

__all__ = ["CAPABILITIES", "arcore_register_adapters", "connect"]

CAPABILITIES: Final = Capabilities(
    reads=frozenset({"customer", "invoice", "credit_memo", "payment"}),
    writes=frozenset({"customer", "invoice", "credit_memo", "payment"}),
    voids=frozenset({"invoice", "credit_memo", "payment"}),
    applies=frozenset({"credit_memo", "payment"}),
    incremental="modified_since",
    webhooks=True,
    rate_limits=(
        RateLimit(requests=60, per_seconds=60, scope="tenant"),
        RateLimit(requests=5000, per_seconds=86400, scope="tenant"),
    ),
    max_concurrency=5,
    page_size=100,
)
"""What the Xero adapter does. Xero's published limits per organisation (tenant): 60 calls a
minute, 5,000 a day, 5 at once; pages of 100. Payment terms are read and written on the
customer (Xero has no terms object), so ``term`` is not an entity here. A payment is voided by
reversing it (Xero's ``Status: DELETED``)."""


def connect(connection: Connection, **options: Any) -> XeroAdapter:
    """Create a connected [`XeroAdapter`][arcore_xero.adapter.XeroAdapter].

    Called by the sync engine with the connection; ``options`` (``clock=``) go to the adapter.
    """
    from arcore_xero.adapter import XeroAdapter  # imports xero-python

    return XeroAdapter(connection, **options)


@hookimpl
def arcore_register_adapters(register: Callable[[AdapterInfo], None]) -> None:
    """Register the Xero adapter."""
    register(
        AdapterInfo(
            name="xero",
            title="Xero",
            version=__version__,
            capabilities=CAPABILITIES,
            factory=connect,
        )
    )
