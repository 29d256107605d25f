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
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, select, update

from arcore.adapter import Entity
from arcore.store.schema import sync_outbox

__all__ = ["Operation", "OutboxEntry", "add_pending", "finish", "new_key", "pending_entries"]

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


def add_pending(
    connection: Connection, company_id: str, system: str, entry: OutboxEntry, *, at: datetime
) -> None:
    """Store ``entry`` as pending (commit before sending it)."""
    connection.execute(
        sync_outbox.insert().values(
            company_id=company_id,
            system=system,
            idempotency_key=entry.idempotency_key,
            entity=entry.entity,
            core_id=entry.core_id,
            operation=entry.operation,
            request=entry.request,
            state="pending",
            created_at=at,
        )
    )


def pending_entries(connection: Connection, company_id: str, system: str) -> list[OutboxEntry]:
    """Every write stored but not known to be done, oldest first."""
    t = sync_outbox
    rows = connection.execute(
        select(t.c.idempotency_key, t.c.entity, t.c.core_id, t.c.operation, t.c.request)
        .where(t.c.company_id == company_id, t.c.system == system, t.c.state == "pending")
        .order_by(t.c.created_at, t.c.idempotency_key)
    )
    return [OutboxEntry(*row) for row in rows]


def finish(
    connection: Connection,
    company_id: str,
    system: str,
    idempotency_key: str,
    *,
    state: Literal["done", "failed"] = "done",
    at: datetime,
) -> None:
    """Mark a write ``done`` (the vendor has it) or ``failed`` (refused: never resend)."""
    t = sync_outbox
    connection.execute(
        update(t)
        .where(
            t.c.company_id == company_id,
            t.c.system == system,
            t.c.idempotency_key == idempotency_key,
        )
        .values(state=state, finished_at=at)
    )
