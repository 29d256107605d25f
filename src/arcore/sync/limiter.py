"""A per-connection rate limiter sized from an adapter's declared limits.

Every [`RateLimit`][arcore.adapter.RateLimit] in
[`Capabilities.rate_limits`][arcore.adapter.Capabilities] is honoured at once (QuickBooks:
500 per minute per realm; Xero: 60 per minute and 5,000 per day per tenant). Each limit is
kept as a sliding window of the times of its last ``requests`` calls: a call waits until
the oldest of them is ``per_seconds`` old. Unlike a token bucket that starts full (which
lets up to twice the limit through in some window), this keeps **every** window of
``per_seconds`` at or under ``requests`` calls, while still letting calls through as fast
as the limit allows.

``max_concurrency`` bounds the calls in flight at once (a semaphore): the engine itself
calls one at a time, but a limiter shared by threads keeps to it.

>>> from arcore.adapter import Capabilities, RateLimit
>>> from arcore.sync.clock import FakeClock
>>> clock = FakeClock()
>>> limiter = RateLimiter.for_capabilities(
...     Capabilities(rate_limits=(RateLimit(requests=2, per_seconds=10),)), clock)
>>> for _ in range(5):
...     limiter.acquire()
>>> clock.slept
20.0
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from arcore.adapter import Capabilities, RateLimit
from arcore.sync.clock import Clock

__all__ = ["RateLimiter"]


@dataclass
class _Window:
    limit: RateLimit
    calls: deque[datetime] = field(default_factory=deque)

    def wait(self, now: datetime) -> float:  # float-ok: seconds
        """Seconds until one more call fits in the window."""
        horizon = self.limit.per_seconds
        while self.calls and (now - self.calls[0]).total_seconds() >= horizon:
            self.calls.popleft()
        if len(self.calls) < self.limit.requests:
            return 0.0
        return horizon - (now - self.calls[0]).total_seconds()


class RateLimiter:
    """Keeps calls of one connection (one company and system) within its declared limits.

    Args:
        limits: Every limit to honour.
        clock: Where time is read and waited on.
        max_concurrency: Calls in flight at once.
    """

    def __init__(self, limits: Sequence[RateLimit], clock: Clock, *, max_concurrency: int = 1):
        """Honour ``limits`` on ``clock``."""
        self.clock = clock
        self.limits = tuple(limits)
        self.max_concurrency = max_concurrency
        self._windows = [_Window(limit) for limit in self.limits]
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(max_concurrency)
        self.calls = 0
        """How many calls were let through."""

    @classmethod
    def for_capabilities(cls, capabilities: Capabilities, clock: Clock) -> RateLimiter:
        """A limiter of an adapter's declared ``rate_limits`` and ``max_concurrency``."""
        return cls(capabilities.rate_limits, clock, max_concurrency=capabilities.max_concurrency)

    def acquire(self) -> None:
        """Wait (on the clock) until one more call keeps every limit, and count it."""
        with self._lock:
            while True:
                now = self.clock.now()
                wait = max((window.wait(now) for window in self._windows), default=0.0)
                if wait <= 0:
                    break
                self.clock.sleep(wait)
            for window in self._windows:
                window.calls.append(now)
            self.calls += 1

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``max_concurrency`` slots for a call, after :meth:`acquire`."""
        with self._in_flight:
            self.acquire()
            yield
