from __future__ import annotations

import sys

from arcore.plugins import plugin_manager
from arcore_quickbooks import plugin


def test_adapter_is_registered_with_its_capabilities() -> None:
    info = plugin_manager(entry_points=False, plugins=[plugin]).adapter("quickbooks")
    capabilities = info.capabilities
    assert info.title == "QuickBooks Online"
    assert capabilities.reads == {"customer", "term", "invoice", "credit_memo", "payment"}
    assert capabilities.writes == {"customer", "invoice", "credit_memo", "payment"}
    assert capabilities.incremental == "change_data_capture"
    assert capabilities.webhooks
    ((limit),) = capabilities.rate_limits
    assert (limit.requests, limit.per_seconds, limit.scope) == (500, 60, "tenant")
    assert (capabilities.max_concurrency, capabilities.page_size) == (10, 1000)


def test_the_installed_entry_point_finds_it() -> None:
    assert "quickbooks" in plugin_manager().adapters()


def test_importing_the_plugin_does_not_import_the_sdk() -> None:
    import subprocess

    code = (
        "import sys, arcore_quickbooks.plugin; "
        "assert 'quickbooks' not in sys.modules and 'intuitlib.client' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
