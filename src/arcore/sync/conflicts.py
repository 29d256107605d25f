"""Conflicts: objects changed on both sides, or changed in a way the core cannot take.

A conflict is recorded with both versions (the core's and the vendor's) and the object is
skipped by every later run while the conflict is ``open``. A person resolves it with
[`resolve_conflict`][arcore.sync.conflicts.resolve_conflict], choosing ``vendor_wins`` or
``core_wins``; the next run applies that choice to the object once and closes the conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, delete, select, update

from arcore.adapter import Entity
from arcore.errors import NotFoundError
from arcore.store.schema import sync_conflicts
from arcore.store.sql import SqlStore

__all__ = [
    "Conflict",
    "ConflictPolicy",
    "Resolution",
    "close_conflict",
    "list_conflicts",
    "load_conflicts",
    "record_conflict",
    "resolve_conflict",
]

ConflictPolicy = Literal["vendor_wins", "core_wins", "hold"]
"""What the engine does when an object changed on both sides (see the concepts page)."""

Resolution = Literal["vendor_wins", "core_wins"]
"""How a person resolves a held conflict."""


@dataclass(frozen=True)
class Conflict:
    """One object held for review.

    Attributes:
        entity: What kind of object.
        core_id: Its core id.
        external_id: Its vendor id.
        reason: Why it was held.
        core_data: The core's version, as JSON.
        vendor_data: The vendor's version (a ``Record``), as JSON.
        vendor_version: The vendor's version id when it was held.
        status: ``open`` (skipped) or ``resolved`` (the next run applies ``resolution``).
        resolution: The choice made, once resolved.
    """

    entity: Entity
    core_id: str
    external_id: str | None
    reason: str
    core_data: str | None
    vendor_data: str | None
    vendor_version: str | None
    status: Literal["open", "resolved"]
    resolution: Resolution | None


_COLUMNS = (
    sync_conflicts.c.entity,
    sync_conflicts.c.core_id,
    sync_conflicts.c.external_id,
    sync_conflicts.c.reason,
    sync_conflicts.c.core_data,
    sync_conflicts.c.vendor_data,
    sync_conflicts.c.vendor_version,
    sync_conflicts.c.status,
    sync_conflicts.c.resolution,
)


def load_conflicts(
    connection: Connection, company_id: str, system: str
) -> dict[tuple[str, str], Conflict]:
    """Every unclosed conflict of ``company_id`` and ``system``, by ``(entity, core_id)``."""
    t = sync_conflicts
    rows = connection.execute(
        select(*_COLUMNS).where(t.c.company_id == company_id, t.c.system == system)
    )
    found = [Conflict(*row) for row in rows]
    return {(conflict.entity, conflict.core_id): conflict for conflict in found}


def record_conflict(
    connection: Connection, company_id: str, system: str, conflict: Conflict, *, at: datetime
) -> None:
    """Hold an object: store ``conflict`` as open (replacing an earlier one of the object)."""
    close_conflict(connection, company_id, system, conflict.entity, conflict.core_id)
    connection.execute(
        sync_conflicts.insert().values(
            company_id=company_id,
            system=system,
            entity=conflict.entity,
            core_id=conflict.core_id,
            external_id=conflict.external_id,
            reason=conflict.reason,
            core_data=conflict.core_data,
            vendor_data=conflict.vendor_data,
            vendor_version=conflict.vendor_version,
            status="open",
            detected_at=at,
        )
    )


def close_conflict(
    connection: Connection, company_id: str, system: str, entity: Entity, core_id: str
) -> None:
    """Forget the object's conflict (its resolution was applied)."""
    t = sync_conflicts
    connection.execute(
        delete(t).where(
            t.c.company_id == company_id,
            t.c.system == system,
            t.c.entity == entity,
            t.c.core_id == core_id,
        )
    )


def list_conflicts(store: SqlStore, company_id: str, system: str) -> list[Conflict]:
    """Every conflict of ``company_id`` and ``system``, open or resolved, by entity and id."""
    with store.session(company_id, write=False) as session:
        found = load_conflicts(session.connection, company_id, system)
    return [found[key] for key in sorted(found)]


def resolve_conflict(
    store: SqlStore,
    company_id: str,
    system: str,
    entity: Entity,
    core_id: str,
    resolution: Resolution,
    *,
    at: datetime,
) -> None:
    """Resolve a held object: the next run applies ``resolution`` to it, then closes it.

    Raises:
        NotFoundError: no conflict of that object.
    """
    t = sync_conflicts
    with store.session(company_id) as session:
        changed = session.connection.execute(
            update(t)
            .where(
                t.c.company_id == company_id,
                t.c.system == system,
                t.c.entity == entity,
                t.c.core_id == core_id,
            )
            .values(status="resolved", resolution=resolution, resolved_at=at)
        )
        if changed.rowcount == 0:
            raise NotFoundError(
                f"no conflict of {entity} {core_id} with {system}",
                hint="List the conflicts with arcore.sync.list_conflicts",
                field="core_id",
                value=core_id,
            )
