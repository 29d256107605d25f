"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

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
