"""Time for the sync engine: read it and wait on it through one injectable object.

The engine, its retries and its rate limiter never call ``time.sleep`` or ``datetime.now``
themselves: they ask a [`Clock`][arcore.sync.clock.Clock]. In production that is a
[`SystemClock`][arcore.sync.clock.SystemClock]; tests and benchmarks use a
[`FakeClock`][arcore.sync.clock.FakeClock], whose ``sleep`` moves its time forward at once.

>>> from datetime import UTC, datetime
>>> clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
>>> clock.sleep(90)
>>> clock.now().isoformat(), clock.slept
('2026-01-01T00:01:30+00:00', 90.0)
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Where the sync engine reads the time and waits."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def sleep(self, seconds: float) -> None:  # float-ok: seconds, not money
        """Wait ``seconds`` (zero or less: do not wait)."""
        ...


class SystemClock:
    """The real clock: UTC wall time, and ``time.sleep``."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:  # float-ok: seconds, not money
        """Sleep for ``seconds`` (nothing when zero or negative)."""
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that advances instead of sleeping, for tests and benchmarks.

    Args:
        start: The time it starts at (UTC midnight, 1 January 2026, by default).

    Attributes:
        slept: Seconds slept in total.
        sleeps: Every wait asked for, in order.
    """

    def __init__(self, start: datetime | None = None) -> None:
        """Start at ``start``."""
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self.slept = 0.0  # float-ok: seconds
        self.sleeps: list[float] = []  # float-ok: seconds

    def now(self) -> datetime:
        """The simulated time."""
        return self._now

    def sleep(self, seconds: float) -> None:  # float-ok: seconds, not money
        """Move the simulated time forward by ``seconds`` (nothing when zero or negative)."""
        if seconds <= 0:
            return
        self.sleeps.append(float(seconds))  # float-ok: seconds
        self.slept += seconds
        self._now += timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:  # float-ok: seconds, not money
        """Move the time forward without counting it as a wait (time passing elsewhere)."""
        self._now += timedelta(seconds=seconds)
