"""Rate limits per tenant on the simulator's clock: 60 a minute, 5,000 a day, 5 in flight."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xero_python.accounting import AccountingApi
from xero_python.api_client.oauth2 import TokenApi
from xero_python.exceptions import RateLimitException

from arcore_xero.simulator import Fault, XeroSimulator
from arcore_xero.simulator.limits import RateLimiter

if TYPE_CHECKING:
    from adapters.xero.conftest import Client, SimClock


def remaining(sim: XeroSimulator) -> tuple[int, int]:
    headers = sim.requests[-1].response_headers
    return int(headers["X-MinLimit-Remaining"]), int(headers["X-DayLimit-Remaining"])


def test_every_answer_carries_the_remaining_limits(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    accounting.get_contacts(tenant)
    assert remaining(simulator) == (59, 4999)
    accounting.get_contacts(tenant)
    assert remaining(simulator) == (58, 4998)
    assert simulator.requests[-1].response_headers["X-AppMinLimit-Remaining"] == "9998"


def test_minute_limit_then_retry_after_on_the_clock(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str, sim_clock: SimClock
) -> None:
    for _ in range(60):
        accounting.get_contacts(tenant)
    with pytest.raises(RateLimitException) as caught:
        accounting.get_contacts(tenant)
    assert caught.value.rate_limit == "minute"
    assert caught.value.headers["Retry-After"] == "60"
    # A refused call is not counted; other tenants are not affected.
    accounting.get_contacts("another-tenant")
    sim_clock.advance(seconds=59)
    with pytest.raises(RateLimitException):
        accounting.get_contacts(tenant)
    sim_clock.advance(seconds=1)
    accounting.get_contacts(tenant)


def test_day_limit(simulator: XeroSimulator, sim_clock: SimClock, tenant: str) -> None:
    limiter = RateLimiter(sim_clock, per_minute=60, per_day=5000)
    start = sim_clock.now
    for call in range(5000):
        sim_clock.now = start + timedelta(seconds=call * 2)  # 30 a minute: never the minute limit
        assert limiter.admit(tenant) is None
        limiter.release(tenant)
    refusal = limiter.admit(tenant)
    assert refusal is not None
    assert refusal.problem == "day"
    assert refusal.retry_after == 86400 - 9998
    sim_clock.now = start + timedelta(days=1)
    assert limiter.admit(tenant) is None


def test_day_limit_through_the_sdk(
    sim_clock: SimClock,
    make_client: Callable[..., Client],
    tenant: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with XeroSimulator(clock=sim_clock, per_day=3) as sim:
        monkeypatch.setattr(TokenApi, "refresh_token_url", sim.token_url)
        accounting = make_client(sim).accounting
        for _ in range(3):
            accounting.get_contacts(tenant)
        with pytest.raises(RateLimitException) as caught:
            accounting.get_contacts(tenant)
        assert caught.value.rate_limit == "day"
        assert sim.requests[-1].response_headers["X-DayLimit-Remaining"] == "0"


def test_concurrent_limit(simulator: XeroSimulator, accounting: AccountingApi, tenant: str) -> None:
    accounting.get_contacts(tenant)  # refresh the made-up token first
    simulator.add_fault(Fault("hold", path_contains="/Contacts", times=5))
    errors: list[BaseException] = []

    def call() -> None:
        try:
            accounting.get_contacts(tenant)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    try:
        assert simulator.wait_in_flight(tenant, 5)
        with pytest.raises(RateLimitException) as caught:
            accounting.get_organisations(tenant)
        assert caught.value.rate_limit == "concurrent"
    finally:
        simulator.release_held()
        for thread in threads:
            thread.join(10)
    assert errors == []
    assert simulator.in_flight(tenant) == 0
    accounting.get_organisations(tenant)


def test_throttle_fault(simulator: XeroSimulator, accounting: AccountingApi, tenant: str) -> None:
    simulator.add_fault(Fault("throttle", problem="appminute", seconds=7))
    with pytest.raises(RateLimitException) as caught:
        accounting.get_contacts(tenant)
    assert caught.value.rate_limit == "appminute"
    assert caught.value.headers["Retry-After"] == "7"


@given(st.lists(st.integers(min_value=0, max_value=180), min_size=1, max_size=150))
def test_never_more_than_60_admitted_in_any_rolling_minute(gaps: list[int]) -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    limiter = RateLimiter(lambda: now[0])
    admitted: list[datetime] = []
    for gap in gaps:
        now[0] += timedelta(seconds=gap / 10)
        refusal = limiter.admit("t")
        if refusal is None:
            admitted.append(now[0])
            limiter.release("t")
        else:
            assert refusal.problem == "minute"
            assert refusal.retry_after >= 1
            window = [a for a in admitted if a > now[0] - timedelta(minutes=1)]
            assert len(window) == 60
    for moment in admitted:
        window = [a for a in admitted if moment - timedelta(minutes=1) < a <= moment]
        assert len(window) <= 60
