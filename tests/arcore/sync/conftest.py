"""Fixtures of the sync tests: open books on each backend, a fake vendor, a fake clock."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# fake_adapter.py and sync_data.py live beside these tests (fake_adapter.py doubles as an
# example adapter); the suite imports in importlib mode, so put this folder on the path.
sys.path.insert(0, str(Path(__file__).parent))

from fake_adapter import FakeAdapter, FakeVendor
from sync_data import COMPANY

from arcore.ledger import Ledger
from arcore.store import SqlStore
from arcore.sync import FakeClock


@pytest.fixture
def books(store: SqlStore) -> SqlStore:
    """A store with the books of ``acme`` open."""
    Ledger(store, COMPANY).open_books("Acme Inc.", actor="test", idempotency_key="open")
    return store


@pytest.fixture
def ledger(books: SqlStore) -> Ledger:
    return Ledger(books, COMPANY)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def vendor() -> FakeVendor:
    return FakeVendor()


@pytest.fixture
def adapter(vendor: FakeVendor) -> FakeAdapter:
    return FakeAdapter(vendor)
