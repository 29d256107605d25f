"""Registers the QuickBooks Online adapter; the ``quickbooks`` entry point names this module.

Importing this module imports only arcore: python-quickbooks and intuit-oauth are imported by
the factory, so ``arcore adapters`` lists the adapter even where the ``quickbooks`` extra is
not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from arcore import __version__
from arcore.adapter import AdapterInfo, Capabilities, Connection, RateLimit
from arcore.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from arcore_quickbooks.adapter import QuickBooksAdapter

__all__ = ["CAPABILITIES", "arcore_register_adapters", "connect"]

CAPABILITIES: Final = Capabilities(
    reads=frozenset({"customer", "term", "invoice", "credit_memo", "payment"}),
    writes=frozenset({"customer", "invoice", "credit_memo", "payment"}),
    voids=frozenset({"invoice", "payment"}),
    applies=frozenset({"credit_memo", "payment"}),
    incremental="change_data_capture",
    webhooks=True,
    rate_limits=(RateLimit(requests=500, per_seconds=60, scope="tenant"),),
    max_concurrency=10,
    page_size=1000,
)
"""What the QuickBooks Online adapter does: QBO's published limits are 500 requests a minute
and 10 concurrent requests per company (realm), and 1000 rows per query page."""


def connect(connection: Connection, **options: Any) -> QuickBooksAdapter:
    """Create a connected [`QuickBooksAdapter`][arcore_quickbooks.adapter.QuickBooksAdapter].

    Called by the sync engine with the connection; ``options`` (``clock=``) go to the adapter.
    """
    from arcore_quickbooks.adapter import QuickBooksAdapter  # imports the SDKs

    return QuickBooksAdapter(connection, **options)


@hookimpl
def arcore_register_adapters(register: Callable[[AdapterInfo], None]) -> None:
    """Register the QuickBooks Online adapter."""
    register(
        AdapterInfo(
            name="quickbooks",
            title="QuickBooks Online",
            version=__version__,
            capabilities=CAPABILITIES,
            factory=connect,
        )
    )
