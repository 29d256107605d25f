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

from arcore.adapter import Entity
from arcore.store.sql import SqlStore

__all__ = [
    "Conflict",
    "ConflictPolicy",
    "Resolution",
    "list_conflicts",
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


def list_conflicts(store: SqlStore, company_id: str, system: str) -> list[Conflict]:
    """Every conflict of ``company_id`` and ``system``, open or resolved, by entity and id."""
    found = store.sync_state(company_id, system).conflicts()
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
    store.sync_state(company_id, system).resolve_conflict(entity, core_id, resolution, at=at)
