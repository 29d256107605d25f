"""The examples in arcore's docstrings are run, so the documentation cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import typing

import pytest

import arcore

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(arcore.__path__, prefix="arcore.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_has_a_docstring(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__, name
    for public in getattr(module, "__all__", ()):
        obj = getattr(module, public)
        if typing.get_origin(obj) is not None:
            continue  # a type alias: documented by the string below it, read by mkdocstrings
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__doc__, f"{name}.{public} has no docstring"
