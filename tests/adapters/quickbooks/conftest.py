"""Fixtures for the simulator tests: a settable clock, a running simulator, an SDK client.

The clients are the unmodified python-quickbooks and intuit-oauth, pointed at the simulator the
way ``vendors.md`` 1.3 describes (discovery URL as the environment, ``api_url_v3``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from arcore_quickbooks.simulator import QuickBooksSimulator

quickbooks = pytest.importorskip("quickbooks")
intuitlib_client = pytest.importorskip("intuitlib.client")

REALM = "9130355377"


@dataclass
class SimClock:
    """A clock the test moves by hand; the simulator never reads real time through it."""

    now: datetime = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def sim_clock() -> SimClock:
    return SimClock()


@pytest.fixture
def simulator(sim_clock: SimClock) -> Iterator[QuickBooksSimulator]:
    with QuickBooksSimulator(clock=sim_clock) as sim:
        yield sim


@pytest.fixture
def insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # requests-oauthlib refuses http:// unless told the transport is trusted (loopback).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def connect(sim: QuickBooksSimulator, realm: str = REALM, refresh_token: str = "made-up-rt") -> Any:
    """An SDK client with made-up credentials, as a newcomer would write it."""
    auth = intuitlib_client.AuthClient(
        "made-up-client-id", "made-up-secret", "http://localhost/callback", sim.discovery_url
    )
    qb = quickbooks.QuickBooks(
        auth_client=auth, refresh_token=refresh_token, company_id=realm, minorversion=75
    )
    qb.api_url_v3 = sim.api_url
    return qb


@pytest.fixture
def realm() -> str:
    return REALM


@pytest.fixture
def make_qb(insecure_transport: None) -> Any:
    """``make_qb(sim, realm=..., refresh_token=...)``: another SDK client."""
    return connect


@pytest.fixture
def qb(simulator: QuickBooksSimulator, insecure_transport: None) -> Any:
    return connect(simulator)
