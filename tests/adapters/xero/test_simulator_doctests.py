"""The examples in the simulator's docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "arcore_xero.simulator.faults",
    "arcore_xero.simulator.query",
    "arcore_xero.simulator.server",
    "arcore_xero.simulator.store",
    "arcore_xero.simulator.webhooks",
    "arcore_xero.simulator.wire",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
