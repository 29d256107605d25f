"""The outbox: every external write, with its idempotency key, stored before it is sent.

A push of one object goes in three steps, each its own transaction:

1. a ``pending`` row is committed with a fresh idempotency key and the exact request;
2. the vendor is called with that key;
3. the mapping (external id, version) is saved and the row marked ``done``, together.

A crash before 2 leaves a pending row whose request the vendor never saw; a crash during or
after 2 leaves one whose request the vendor may have carried out. Either way the next run
sends the stored request again with the **same** key, and the vendor (QuickBooks
``requestid``, Xero ``Idempotency-Key``) carries it out at most once. So no crash point
creates a duplicate, and none loses a write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from arcore.adapter import Entity

__all__ = ["Operation", "OutboxEntry", "new_key"]

Operation = Literal["create", "update", "void", "apply"]
"""The kinds of external write."""


def new_key() -> str:
    """A fresh idempotency key: 36 characters, within every vendor's limit."""
    return f"arc-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class OutboxEntry:
    """One external write, as stored before it was sent.

    Attributes:
        idempotency_key: The key sent with it (the same on every retry and re-run).
        entity: What kind of object.
        core_id: The core object it writes.
        operation: ``create``, ``update``, ``void`` or ``apply``.
        request: What was sent, as JSON (see the engine).
    """

    idempotency_key: str
    entity: Entity
    core_id: str
    operation: Operation
    request: str
