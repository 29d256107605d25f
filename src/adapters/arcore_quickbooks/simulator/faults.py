"""The fault plan: failures a test asks the simulator to inject, consumed in order."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal[
    "latency", "http_500", "drop_after_commit", "expire_token", "throttle", "not_found"
]
"""What a fault does; see :class:`Fault`."""

_KINDS = frozenset(
    {"latency", "http_500", "drop_after_commit", "expire_token", "throttle", "not_found"}
)


@dataclass
class Fault:
    """One entry of the fault plan.

    Kinds:
        ``latency``: wait ``seconds`` of real time, then answer normally.
        ``http_500``: answer HTTP 500 with a SystemFault body (code 10000); nothing is written.
        ``drop_after_commit``: apply the request (a write is committed and its ``requestid``
            response remembered), then close the connection without answering.
        ``expire_token``: the bearer token used is now expired; answer HTTP 401.
        ``throttle``: answer HTTP 429 with the 3001 fault body; ``Retry-After`` is
            ``ceil(seconds)`` when ``seconds > 0`` and absent otherwise (real QBO may not send it).
        ``not_found``: answer HTTP 400 with the 610 Object Not Found fault; nothing is read or
            written (an object deleted by someone else in between).

    Matching: the first fault in the plan whose ``method`` (empty = any) and ``path_contains``
    match the request is used and its ``times`` counted down; it leaves the plan at zero. An empty
    ``path_contains`` matches API requests (``/v3/...``) only, so a plan never breaks the OAuth
    discovery or token calls unless it names them (``path_contains="/oauth2/"``).

    Attributes:
        kind: what to inject.
        path_contains: a substring of the request path (``/v3/company/1/invoice``).
        method: ``GET`` or ``POST``; empty for any.
        times: how many matching requests the fault applies to.
        seconds: the latency, or the ``Retry-After`` of a throttle.

    Example:
        >>> Fault(kind="drop_after_commit", path_contains="/invoice", method="POST").times
        1
    """

    kind: FaultKind
    path_contains: str = ""
    method: str = ""
    times: int = 1
    seconds: float = 0.0  # float-ok: seconds

    def __post_init__(self) -> None:
        """Refuse an unknown kind or a non-positive count at once, not at request time."""
        if self.kind not in _KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(_KINDS)}")
        if self.times < 1:
            raise ValueError("Fault.times must be at least 1")
        if self.seconds < 0:
            raise ValueError("Fault.seconds must not be negative")

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request with this method and path."""
        if self.method and self.method.upper() != method.upper():
            return False
        if not self.path_contains:
            return path.startswith("/v3/")
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
                    return fault
        return None

    def pending(self) -> list[Fault]:
        """The faults not yet consumed, in order."""
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        """Forget every pending fault."""
        with self._lock:
            self._faults.clear()
