"""Retries of vendor calls: exponential backoff with full jitter, honouring ``retry_after``.

What is retried is decided by the [`VendorError`][arcore.errors.VendorError] subclass the
adapter raised:

* [`TransientError`][arcore.errors.TransientError] and
  [`RateLimitedError`][arcore.errors.RateLimitedError]: wait and try again, up to
  ``max_attempts`` calls in all. The wait is drawn uniformly from ``0 .. min(cap, base ×
  2^attempt)`` ("full jitter", so many clients that failed together do not retry
  together), and is never shorter than the ``retry_after`` the vendor asked for.
* [`VendorAuthError`][arcore.errors.VendorAuthError]: refresh the token once (the
  ``refresh`` callable, usually ``adapter.refresh``), then try again; a second refusal is
  raised.
* anything else (validation, not found, stale version): raised at once; the engine decides.

Waiting goes through the [`Clock`][arcore.sync.clock.Clock], and the random draws through
an injectable ``random.Random``, so a test asserts exactly how long was waited without
waiting.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from arcore.errors import RateLimitedError, TransientError, VendorAuthError
from arcore.sync.clock import Clock

__all__ = ["RetryPolicy", "call_with_retries"]

T = TypeVar("T")


@dataclass
class RetryPolicy:
    """How often and how long to retry a vendor call.

    Attributes:
        max_attempts: Calls in all, the first included (1: never retry).
        base: Seconds of the first backoff ceiling; it doubles per attempt.
        cap: The largest backoff ceiling, in seconds.
        rng: The random source of the jitter (seed it for reproducible runs).
    """

    max_attempts: int = 6
    base: float = 0.5  # float-ok: seconds
    cap: float = 60.0  # float-ok: seconds
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:  # float-ok: seconds
        """The wait after failed attempt number ``attempt`` (1-based), jitter included."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        return self.rng.uniform(0, ceiling)


def call_with_retries(
    call: Callable[[], T],
    *,
    policy: RetryPolicy,
    clock: Clock,
    refresh: Callable[[], object] | None = None,
    before_each: Callable[[], None] | None = None,
) -> T:
    """Return ``call()``, retried by ``policy``; see the module documentation.

    Args:
        call: The vendor call.
        policy: How often and how long to retry.
        clock: Where to wait.
        refresh: Called once on the first ``VendorAuthError`` (then the call is retried).
        before_each: Called before every attempt (the rate limiter's ``acquire``).

    Raises:
        VendorError: the last error, once attempts are exhausted or it is not retryable.
    """
    attempt = 0
    refreshed = False
    while True:
        attempt += 1
        if before_each is not None:
            before_each()
        try:
            return call()
        except VendorAuthError:
            if refreshed or refresh is None:
                raise
            refreshed = True
            if before_each is not None:
                before_each()
            refresh()
            attempt -= 1  # a refreshed token earns the call a fresh try
        except (TransientError, RateLimitedError) as error:
            if attempt >= policy.max_attempts:
                raise
            wait = policy.backoff(attempt)
            if isinstance(error, RateLimitedError) and error.retry_after is not None:
                wait = max(wait, error.retry_after)
            clock.sleep(wait)
