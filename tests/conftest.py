"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from arcore.store import SqlStore, open_store

# The throwaway PostgreSQL cluster and its fixtures (postgres_cluster, postgres_database,
# postgres_url): see tests/postgres.py.
pytest_plugins = ["postgres"]

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _no_disabled_plugins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide which plugins are disabled; a developer's shell must not."""
    monkeypatch.delenv("ARCORE_DISABLED_PLUGINS", raising=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty store: a SQLite file on disk, then a PostgreSQL database.

    Tests that take it run once per backend; the PostgreSQL run uses the throwaway cluster
    of ``tests/postgres.py`` (skipped without server binaries, failing instead under CI).
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'arcore.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    """A migrated, empty store on each backend, closed after the test."""
    with open_store(store_url) as opened:
        yield opened
