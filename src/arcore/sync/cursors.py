"""Where each entity's next incremental pull starts, per company and system.

The engine saves a page's cursor only after every record of the page was written to the
core, in a transaction of its own: a crash in the middle re-reads the page, and the ledger's
idempotency keys make the second write of a record a no-op.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select

from arcore.adapter import Entity
from arcore.store.schema import sync_cursors

__all__ = ["load_cursor", "save_cursor"]


def load_cursor(connection: Connection, company_id: str, system: str, entity: Entity) -> str | None:
    """The cursor saved for ``entity``, or ``None`` (never pulled: a full listing)."""
    t = sync_cursors
    found: str | None = connection.scalar(
        select(t.c.cursor).where(
            t.c.company_id == company_id, t.c.system == system, t.c.entity == entity
        )
    )
    return found


def save_cursor(
    connection: Connection,
    company_id: str,
    system: str,
    entity: Entity,
    cursor: str,
    *,
    at: datetime,
) -> None:
    """Keep ``cursor`` as where ``entity``'s next pull starts."""
    t = sync_cursors
    connection.execute(
        delete(t).where(t.c.company_id == company_id, t.c.system == system, t.c.entity == entity)
    )
    connection.execute(
        t.insert().values(
            company_id=company_id, system=system, entity=entity, cursor=cursor, saved_at=at
        )
    )
