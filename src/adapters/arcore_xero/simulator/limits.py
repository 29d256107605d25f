"""Xero's rate limits on the simulator's clock: per tenant per minute, per day and in flight.

Xero counts per connection (app + organisation): 60 calls in a rolling minute, 5,000 in a rolling
day and 5 in flight at once, and 10,000 calls per minute per app across all tenants. A refused
call is not counted. Every answer carries what is left (``X-MinLimit-Remaining``,
``X-DayLimit-Remaining``, ``X-AppMinLimit-Remaining``); a refusal is HTTP 429 with
``Retry-After`` (seconds) and ``X-Rate-Limit-Problem`` (``minute``, ``day``, ``concurrent`` or
``appminute``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Refusal:
    """Why a call was refused and when to retry.

    Attributes:
        problem: the ``X-Rate-Limit-Problem`` value.
        retry_after: whole seconds until a slot frees (at least 1).
    """

    problem: str
    retry_after: int


@dataclass
class RateLimiter:
    """Counts calls per tenant on ``clock``. Not thread-safe: the server holds its lock."""

    clock: Callable[[], datetime]
    per_minute: int = 60
    per_day: int = 5000
    concurrent: int = 5
    app_per_minute: int = 10_000
    _minute: dict[str, deque[datetime]] = field(default_factory=dict)
    _day: dict[str, deque[datetime]] = field(default_factory=dict)
    _app: deque[datetime] = field(default_factory=deque)
    _in_flight: dict[str, int] = field(default_factory=dict)

    def admit(self, tenant_id: str) -> Refusal | None:
        """Count a call in (and in flight); ``None`` when admitted, else the refusal."""
        now = self.clock()
        minute = self._window(self._minute, tenant_id, now - MINUTE)
        day = self._window(self._day, tenant_id, now - DAY)
        while self._app and self._app[0] <= now - MINUTE:
            self._app.popleft()
        if len(day) >= self.per_day:
            return Refusal("day", _seconds(day[0] + DAY - now))
        if len(self._app) >= self.app_per_minute:
            return Refusal("appminute", _seconds(self._app[0] + MINUTE - now))
        if len(minute) >= self.per_minute:
            return Refusal("minute", _seconds(minute[0] + MINUTE - now))
        if self._in_flight.get(tenant_id, 0) >= self.concurrent:
            return Refusal("concurrent", 1)
        minute.append(now)
        day.append(now)
        self._app.append(now)
        self._in_flight[tenant_id] = self._in_flight.get(tenant_id, 0) + 1
        return None

    def release(self, tenant_id: str) -> None:
        """A call admitted by :meth:`admit` has been answered."""
        self._in_flight[tenant_id] = max(0, self._in_flight.get(tenant_id, 0) - 1)

    def in_flight(self, tenant_id: str) -> int:
        """Calls of ``tenant_id`` admitted and not yet answered."""
        return self._in_flight.get(tenant_id, 0)

    def remaining(self, tenant_id: str) -> dict[str, str]:
        """The remaining-limit headers for ``tenant_id`` as of now."""
        now = self.clock()
        minute = self._window(self._minute, tenant_id, now - MINUTE)
        day = self._window(self._day, tenant_id, now - DAY)
        while self._app and self._app[0] <= now - MINUTE:
            self._app.popleft()
        return {
            "X-MinLimit-Remaining": str(max(0, self.per_minute - len(minute))),
            "X-DayLimit-Remaining": str(max(0, self.per_day - len(day))),
            "X-AppMinLimit-Remaining": str(max(0, self.app_per_minute - len(self._app))),
        }

    @staticmethod
    def _window(
        windows: dict[str, deque[datetime]], tenant_id: str, start: datetime
    ) -> deque[datetime]:
        window = windows.setdefault(tenant_id, deque())
        while window and window[0] <= start:
            window.popleft()
        return window


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))
