"""What a sync did ([`SyncReport`][arcore.sync.report.SyncReport]) or would do.

A dry run returns a [`SyncPlan`][arcore.sync.report.SyncPlan] instead of a report.
Counts are kept per direction and entity; every failure and conflict carries the object
and the reason, so a person can act on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from arcore.adapter import Entity

__all__ = [
    "Direction",
    "EntityCounts",
    "Failure",
    "PlannedChange",
    "SyncPlan",
    "SyncReport",
]

Direction = Literal["pull", "push"]
"""``pull``: vendor → core; ``push``: core → vendor."""


@dataclass(frozen=True)
class Failure:
    """One object that could not be synchronised, or was held as a conflict.

    Attributes:
        direction: Pull or push.
        entity: What kind of object.
        external_id: Its vendor id, if it has one.
        core_id: Its core id, if it has one.
        reason: Why, in words (the vendor's detail included; never a secret).
    """

    direction: Direction
    entity: Entity
    external_id: str | None
    core_id: str | None
    reason: str


@dataclass
class EntityCounts:
    """What happened to one entity in one direction.

    Attributes:
        created: Objects created on the receiving side.
        updated: Objects changed on the receiving side.
        deleted: Objects deleted or voided on the receiving side.
        unchanged: Objects seen that needed nothing.
        conflicts: Objects held as conflicts (see ``SyncReport.conflicts``).
        failures: Objects that failed (see ``SyncReport.failures``).
    """

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    conflicts: int = 0
    failures: int = 0


@dataclass
class SyncReport:
    """What a sync run did, per direction and entity, with every failure and conflict.

    Attributes:
        system: The adapter's name.
        company_id: Whose books.
        counts: ``(direction, entity)`` → counts, in the order the work was done.
        failures: Every object that failed, with the reason.
        conflicts: Every object held for review, with the reason.
        requests: Vendor calls made (retries included).
    """

    system: str
    company_id: str
    counts: dict[tuple[Direction, Entity], EntityCounts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    conflicts: list[Failure] = field(default_factory=list)
    requests: int = 0

    def of(self, direction: Direction, entity: Entity) -> EntityCounts:
        """The counts of ``entity`` in ``direction`` (created empty on first use)."""
        return self.counts.setdefault((direction, entity), EntityCounts())

    def fail(
        self,
        direction: Direction,
        entity: Entity,
        reason: str,
        *,
        external_id: str | None = None,
        core_id: str | None = None,
    ) -> None:
        """Record a failure of one object."""
        self.of(direction, entity).failures += 1
        self.failures.append(Failure(direction, entity, external_id, core_id, reason))

    def hold(
        self,
        direction: Direction,
        entity: Entity,
        reason: str,
        *,
        external_id: str | None = None,
        core_id: str | None = None,
    ) -> None:
        """Record an object held as a conflict."""
        self.of(direction, entity).conflicts += 1
        self.conflicts.append(Failure(direction, entity, external_id, core_id, reason))

    @property
    def ok(self) -> bool:
        """Whether nothing failed and nothing was held."""
        return not self.failures and not self.conflicts

    def rows(self) -> Iterator[tuple[Direction, Entity, EntityCounts]]:
        """``(direction, entity, counts)`` in the order the work was done."""
        for (direction, entity), counts in self.counts.items():
            yield direction, entity, counts


Action = Literal["create", "update", "delete", "void", "apply", "skip", "conflict"]


@dataclass(frozen=True)
class PlannedChange:
    """One change a dry run found: what a real run would do to one object.

    Attributes:
        direction: Pull or push.
        entity: What kind of object.
        action: ``create``, ``update``, ``delete``, ``void``, ``apply``, or ``conflict``
            (held: a real run would skip it).
        external_id: Its vendor id, if known.
        core_id: Its core id, if known.
    """

    direction: Direction
    entity: Entity
    action: Action
    external_id: str | None
    core_id: str | None


@dataclass
class SyncPlan:
    """What a sync would do, found without writing anywhere.

    Attributes:
        system: The adapter's name.
        company_id: Whose books.
        changes: Every change a real run would make, in order.
    """

    system: str
    company_id: str
    changes: list[PlannedChange] = field(default_factory=list)

    def counts(self) -> dict[tuple[Direction, Entity, Action], int]:
        """How many changes of each direction, entity and action."""
        found: dict[tuple[Direction, Entity, Action], int] = {}
        for change in self.changes:
            key = (change.direction, change.entity, change.action)
            found[key] = found.get(key, 0) + 1
        return found
