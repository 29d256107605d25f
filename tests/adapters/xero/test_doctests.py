from __future__ import annotations

import doctest
import importlib

import pytest

pytest.importorskip("xero_python")

MODULES = [
    "arcore_xero.errors",
    "arcore_xero.mapping.common",
    "arcore_xero.mapping.contacts",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
