"""Registers the DemoBooks adapter; the entry point "demobooks" names this module."""

from __future__ import annotations

from collections.abc import Callable

from arcore import AdapterInfo, hookimpl
from arcore.adapter import Connection
from arcore_demobooks import __version__
from arcore_demobooks.adapter import CAPABILITIES, DemoBooksAdapter


def connect(connection: Connection) -> DemoBooksAdapter:
    """A connected adapter for ``connection`` (called by the sync engine)."""
    return DemoBooksAdapter(connection)


@hookimpl
def arcore_register_adapters(register: Callable[[AdapterInfo], None]) -> None:
    """Register DemoBooks."""
    register(
        AdapterInfo(
            name="demobooks",
            title="DemoBooks",
            version=__version__,
            capabilities=CAPABILITIES,
            factory=connect,
        )
    )
