from collections.abc import Iterator

import pytest

from arcore.testing import AdapterConformance, MemoryTokenStore
from arcore_demobooks import plugin
from arcore_demobooks.adapter import DemoBooksAdapter
from arcore_demobooks.harness import DemoBooksHarness
from arcore_demobooks.simulator import DemoBooksServer


class TestDemoBooks(AdapterConformance):
    system = "demobooks"
    plugin = plugin

    @pytest.fixture
    def vendor(self) -> Iterator[DemoBooksHarness]:
        with DemoBooksServer() as server:
            yield DemoBooksHarness(server)

    @pytest.fixture
    def adapter(self, vendor: DemoBooksHarness, token_store: MemoryTokenStore) -> DemoBooksAdapter:
        return plugin.connect(vendor.connection(token_store))
