"""The conformance kit: prove an adapter keeps arcore's adapter contract, in a few lines.

Subclass [`AdapterConformance`][arcore.testing.AdapterConformance] in the adapter's tests and
give it two fixtures, ``adapter`` (connected to a simulator or sandbox) and ``vendor`` (a
[`VendorHarness`][arcore.testing.VendorHarness] driving it); pytest runs the inherited tests:

```python
import pytest
from arcore.testing import AdapterConformance

from arcore_demobooks import plugin


class TestDemoBooks(AdapterConformance):
    system = "demobooks"
    plugin = plugin

    @pytest.fixture
    def vendor(self): ...

    @pytest.fixture
    def adapter(self, vendor, token_store): ...
```

The kit is test code: it imports pytest, and nothing in arcore imports it.
"""

import pytest

# pytest rewrites the kit's asserts, as in a test module, so a failure shows the values compared.
pytest.register_assert_rewrite("arcore.testing.kit")

from arcore.testing.harness import FailureKind, VendorHarness  # noqa: E402
from arcore.testing.kit import (  # noqa: E402
    EXPECTED_ERRORS,
    AdapterConformance,
    MemoryTokenStore,
    assert_no_secrets,
)

__all__ = [
    "EXPECTED_ERRORS",
    "AdapterConformance",
    "FailureKind",
    "MemoryTokenStore",
    "VendorHarness",
    "assert_no_secrets",
]
