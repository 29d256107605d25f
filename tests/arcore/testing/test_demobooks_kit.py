"""The whole conformance kit, run against the DemoBooks example adapter and its simulator.

The test class is the tutorial's own test file (docs/examples/demobooks/tests), collected here.
"""

from test_demobooks import TestDemoBooks

__all__ = ["TestDemoBooks"]
