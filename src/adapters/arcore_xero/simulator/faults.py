"""The fault plan: failures a test asks the simulator to inject, consumed in order."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal[
    "latency",
    "http_500",
    "http_503",
    "drop_after_commit",
    "expire_token",
    "throttle",
    "hold",
    "not_found",
]
"""What a fault does; see :class:`Fault`."""

_KINDS = frozenset(
    {
        "latency",
        "http_500",
        "http_503",
        "drop_after_commit",
        "expire_token",
        "throttle",
        "hold",
        "not_found",
    }
)
_PROBLEMS = frozenset({"minute", "day", "concurrent", "appminute"})
API_PREFIX = "/api.xro/2.0/"
"""Paths of the Accounting API; an empty ``path_contains`` matches only these."""


@dataclass
class Fault:
    """One entry of the fault plan.

    Kinds:
        ``latency``: wait ``seconds`` of real time, then answer normally.
        ``http_500`` / ``http_503``: answer that status; nothing is written.
        ``drop_after_commit``: apply the request (a write is committed and its
            ``Idempotency-Key`` response remembered), then close the connection unanswered.
        ``expire_token``: the bearer token used is now expired; answer HTTP 401.
        ``throttle``: answer HTTP 429 with ``X-Rate-Limit-Problem: <problem>`` and
            ``Retry-After: ceil(seconds)`` (at least 1).
        ``hold``: keep the request in flight (counted against the concurrency limit) until
            :meth:`XeroSimulator.release_held` is called, then answer normally.
        ``not_found``: answer HTTP 404 (Xero's plain sentence); nothing is read or written (an
            object deleted by someone else in between).

    Matching: the first fault in the plan whose ``method`` (empty = any) and ``path_contains``
    match the request is used and its ``times`` counted down; it leaves the plan at zero. An
    empty ``path_contains`` matches Accounting API requests (``/api.xro/2.0/...``) only, so a plan
    never breaks the token or connections endpoints unless it names them
    (``path_contains="/connect/token"``).

    Attributes:
        kind: what to inject.
        path_contains: a substring of the request path (``/api.xro/2.0/Invoices``).
        method: ``GET``, ``PUT`` or ``POST``; empty for any.
        times: how many matching requests the fault applies to.
        seconds: the latency, or the ``Retry-After`` of a throttle.
        problem: the ``X-Rate-Limit-Problem`` of a throttle (``minute``, ``day``,
            ``concurrent`` or ``appminute``).

    Example:
        >>> Fault(kind="drop_after_commit", path_contains="/Invoices", method="PUT").times
        1
    """

    kind: FaultKind
    path_contains: str = ""
    method: str = ""
    times: int = 1
    seconds: float = 0.0  # float-ok: seconds
    problem: str = "minute"

    def __post_init__(self) -> None:
        """Refuse an unknown kind, problem or a non-positive count at once."""
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(_KINDS)}")
        if self.problem not in _PROBLEMS:
            raise ValueError(
                f"unknown rate-limit problem {self.problem!r}; expected one of {sorted(_PROBLEMS)}"
            )
        if self.times < 1:
            raise ValueError("Fault.times must be at least 1")
        if self.seconds < 0:
            raise ValueError("Fault.seconds must not be negative")

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request with this method and path."""
        if self.method and self.method.upper() != method.upper():
            return False
        if not self.path_contains:
            return path.startswith(API_PREFIX)
        return self.path_contains in path


@dataclass
class FaultPlan:
    """An ordered, thread-safe list of :class:`Fault` entries."""

    _faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> None:
        """Append a fault (a copy, so the caller's object is not counted down)."""
        with self._lock:
            self._faults.append(dataclasses.replace(fault))

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching fault, counted down once; ``None`` when nothing matches."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        del self._faults[index]
                    return dataclasses.replace(fault, times=1)
        return None

    def pending(self) -> list[Fault]:
        """The faults not yet consumed, in order."""
        with self._lock:
            return [dataclasses.replace(fault) for fault in self._faults]

    def clear(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            self._faults.clear()
