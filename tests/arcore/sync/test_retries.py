"""Retries with backoff and jitter on the fake clock, token refresh, and the rate limiter."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from fake_adapter import FakeAdapter, FakeVendor, Faults, auth_error
from sync_data import COMPANY, customer

from arcore.adapter import Capabilities, RateLimit
from arcore.errors import RateLimitedError, TransientError, VendorAuthError, VendorValidationError
from arcore.store import SqlStore
from arcore.sync import FakeClock, RateLimiter, RetryPolicy, SyncEngine, call_with_retries


def _rate_limited(after: float) -> RateLimitedError:  # float-ok: seconds
    return RateLimitedError("throttled", retry_after=after, system="fakebooks")


def _transient() -> TransientError:
    return TransientError("503 Service Unavailable", system="fakebooks")


class Flaky:
    """Fails with the given errors in order, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_transient_errors_are_retried_with_full_jitter_backoff() -> None:
    clock = FakeClock()
    call = Flaky(_transient(), _transient(), _transient())
    policy = RetryPolicy(base=1, cap=60, rng=random.Random(7))

    assert call_with_retries(call, policy=policy, clock=clock) == "ok"

    assert call.calls == 4
    expected = random.Random(7)
    assert clock.sleeps == [expected.uniform(0, ceiling) for ceiling in (1, 2, 4)]


def test_the_backoff_ceiling_is_capped() -> None:
    policy = RetryPolicy(base=1, cap=5, rng=random.Random(1))
    assert all(policy.backoff(attempt) <= 5 for attempt in range(1, 30))


def test_a_rate_limit_waits_at_least_retry_after_on_the_clock() -> None:
    clock = FakeClock()
    start = clock.now()
    call = Flaky(_rate_limited(30), _rate_limited(45))

    call_with_retries(call, policy=RetryPolicy(base=0.1, cap=1), clock=clock)

    assert clock.sleeps == [30, 45]
    assert clock.now() - start == timedelta(seconds=75)


def test_attempts_are_bounded_and_the_last_error_raised() -> None:
    clock = FakeClock()
    call = Flaky(*[_transient() for _ in range(10)])

    with pytest.raises(TransientError):
        call_with_retries(call, policy=RetryPolicy(max_attempts=3), clock=clock)

    assert call.calls == 3
    assert len(clock.sleeps) == 2


def test_errors_that_retrying_cannot_fix_are_raised_at_once() -> None:
    clock = FakeClock()
    call = Flaky(VendorValidationError("bad", system="fakebooks"))

    with pytest.raises(VendorValidationError):
        call_with_retries(call, policy=RetryPolicy(), clock=clock)

    assert call.calls == 1
    assert clock.slept == 0


def test_an_auth_error_refreshes_once_then_retries() -> None:
    refreshes: list[int] = []
    call = Flaky(auth_error())

    assert (
        call_with_retries(
            call, policy=RetryPolicy(), clock=FakeClock(), refresh=lambda: refreshes.append(1)
        )
        == "ok"
    )
    assert refreshes == [1]

    twice = Flaky(auth_error(), auth_error())
    with pytest.raises(VendorAuthError):
        call_with_retries(
            twice, policy=RetryPolicy(), clock=FakeClock(), refresh=lambda: refreshes.append(1)
        )
    assert refreshes == [1, 1]


def test_the_engine_retries_throttled_listings_on_its_clock(
    books: SqlStore, vendor: FakeVendor, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    faults = Faults(plan={("list_changes", 2): ("before", lambda: _rate_limited(120))})
    adapter = FakeAdapter(vendor, faults=faults)

    report = SyncEngine(books, COMPANY, adapter, system="fakebooks", clock=clock).pull()

    assert report.ok
    assert 120 in clock.sleeps
    assert clock.slept >= 120


def test_the_engine_refreshes_an_expired_token_once_mid_sync(
    books: SqlStore, vendor: FakeVendor, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    adapter = FakeAdapter(vendor, faults=Faults(plan={("list_changes", 2): ("before", auth_error)}))

    report = SyncEngine(books, COMPANY, adapter, system="fakebooks", clock=clock).pull()

    assert report.ok
    assert adapter.refreshes == 1
    assert report.of("pull", "customer").created == 1


def test_a_token_refused_after_refresh_stops_the_sync(
    books: SqlStore, vendor: FakeVendor, clock: FakeClock
) -> None:
    plan = {("list_changes", n): ("before", auth_error) for n in (1, 2)}
    adapter = FakeAdapter(vendor, faults=Faults(plan=plan))  # type: ignore[arg-type]

    with pytest.raises(VendorAuthError):
        SyncEngine(books, COMPANY, adapter, system="fakebooks", clock=clock).pull()
    assert adapter.refreshes == 1


def _windows_hold(times: list[datetime], limit: RateLimit) -> bool:
    span = timedelta(seconds=limit.per_seconds)
    return all(
        sum(1 for other in times if start <= other < start + span) <= limit.requests
        for start in times
    )


def test_the_limiter_keeps_every_window_within_every_declared_limit() -> None:
    clock = FakeClock()
    limits = (RateLimit(requests=5, per_seconds=10), RateLimit(requests=12, per_seconds=60))
    limiter = RateLimiter(limits, clock, max_concurrency=2)
    times = []

    for _ in range(40):
        limiter.acquire()
        times.append(clock.now())
        clock.advance(0.5)  # the call itself takes time

    assert all(_windows_hold(times, limit) for limit in limits)
    # ...and goes as fast as they allow: 40 calls at 12 a minute need a little over 3 minutes.
    assert timedelta(minutes=3) <= times[-1] - times[0] < timedelta(minutes=3, seconds=10)


def test_the_engine_stays_within_the_adapters_limit_without_sleeping_for_real(
    books: SqlStore, vendor: FakeVendor, clock: FakeClock
) -> None:
    for n in range(30):
        vendor.add("customer", customer(f"C{n}", f"Customer {n}"))
    limit = RateLimit(requests=4, per_seconds=60)
    adapter = FakeAdapter(
        vendor,
        capabilities=Capabilities(reads=frozenset({"customer"}), rate_limits=(limit,), page_size=2),
    )
    times: list[datetime] = []
    original = adapter.list_changes

    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        times.append(clock.now())
        return original(*args, **kwargs)

    adapter.list_changes = timed  # type: ignore[method-assign]

    SyncEngine(books, COMPANY, adapter, system="fakebooks", clock=clock).pull()

    assert len(times) == 15  # 30 customers, 2 a page
    assert _windows_hold(times, limit)
    assert clock.slept >= 3 * 60
