"""The matching engine's housekeeping (strategies and quality are tested elsewhere)."""

from __future__ import annotations

import gc

import pytest

from arcore.cashapp import match


def test_matching_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    match([], [], [])
    assert gc.isenabled()
    gc.disable()
    try:
        match([], [], [])
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(AttributeError):
        match([object()], [], [])  # type: ignore[list-item]
    assert gc.isenabled()
