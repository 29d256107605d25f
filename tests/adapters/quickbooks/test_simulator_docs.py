"""The simulator's docstring examples run, and its public names are documented."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import arcore_quickbooks.simulator as simulator_package

SUBMODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(
        simulator_package.__path__, prefix="arcore_quickbooks.simulator."
    )
    if not info.name.endswith("__main__")
)
MODULES = ["arcore_quickbooks.simulator", *SUBMODULES]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_every_exported_name_has_a_docstring() -> None:
    for public in simulator_package.__all__:
        obj = getattr(simulator_package, public)
        if inspect.isclass(obj):
            assert obj.__doc__, public
            for member_name, member in vars(obj).items():
                if not member_name.startswith("_") and callable(member):
                    assert member.__doc__, f"{public}.{member_name}"
