"""Shared fixtures for the bank statement parsers: the real files in ``shared/data/bank``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BANK_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "bank"


@pytest.fixture
def bank_data() -> Path:
    """The folder of real bank files; skipped when absent, a failure under CI."""
    if not BANK_DATA.is_dir():
        message = f"real bank files not found at {BANK_DATA} (shared/data/bank beside the project)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return BANK_DATA
