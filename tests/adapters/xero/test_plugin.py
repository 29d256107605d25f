from __future__ import annotations

import sys

from arcore.plugins import plugin_manager
from arcore_xero import plugin


def test_adapter_is_registered_with_xeros_limits() -> None:
    info = plugin_manager(entry_points=False, plugins=[plugin]).adapter("xero")
    capabilities = info.capabilities
    assert info.title == "Xero"
    assert (
        capabilities.reads
        == capabilities.writes
        == {
            "customer",
            "invoice",
            "credit_memo",
            "payment",
        }
    )
    assert capabilities.voids == {"invoice", "credit_memo", "payment"}
    assert capabilities.applies == {"credit_memo", "payment"}
    assert capabilities.deletes == frozenset()
    assert capabilities.incremental == "modified_since"
    assert capabilities.webhooks
    limits = {
        (limit.requests, limit.per_seconds, limit.scope) for limit in capabilities.rate_limits
    }
    assert limits == {(60, 60, "tenant"), (5000, 86400, "tenant")}
    assert (capabilities.max_concurrency, capabilities.page_size) == (5, 100)


def test_the_installed_entry_point_finds_it() -> None:
    assert "xero" in plugin_manager().adapters()


def test_importing_the_plugin_does_not_import_the_sdk() -> None:
    import subprocess

    code = "import sys, arcore_xero.plugin; assert 'xero_python' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
