"""The mapping table: core id ↔ external id and version, per company, system and entity.

Each object the engine has synchronised has one row: its vendor id, its core id, the
vendor's version last seen, and digests of the core object (and its applications) as last
synchronised, so a later push sends only what changed in the core since. The rows live in
the store ([`SyncState`][arcore.store.sync.SyncState]).

A vendor object pulled for the first time gets the core id
``f"{system}-{entity}-{external_id}"`` ([`core_id_for`][arcore.sync.mapping.core_id_for]):
deterministic, so a re-run after a crash finds the same id. A core object pushed for the
first time keeps its own id and gets the vendor's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from arcore.adapter import Entity

__all__ = ["Mapped", "MappingIndex", "core_id_for"]


def core_id_for(system: str, entity: Entity, external_id: str) -> str:
    """The core id given to a vendor object first seen in a pull.

    >>> core_id_for("quickbooks", "invoice", "1045")
    'quickbooks-invoice-1045'
    """
    return f"{system}-{entity}-{external_id}"


@dataclass(frozen=True)
class Mapped:
    """One synchronised object: its ids on both sides, and what was last synchronised.

    Attributes:
        entity: What kind of object.
        external_id: The vendor's id.
        core_id: The core's id.
        version: The vendor's version last seen (``None`` if the vendor keeps none).
        digest: Digest of the core object as last synchronised (empty: push it again).
        applied: Digest of its applications as last synchronised (payments, credit memos);
            ``data`` holds them.
        deleted: The vendor deleted it.
        data: Extra state as JSON: for terms, the ``NamedTerms``; for payments and credit
            memos, their applications as last synchronised and what they carry of credit
            memos' credit (see the engine).
    """

    entity: Entity
    external_id: str
    core_id: str
    version: str | None
    digest: str = ""
    applied: str = ""
    deleted: bool = False
    data: str | None = None

    def but(self, **changes: object) -> Mapped:
        """A copy with ``changes``."""
        return replace(self, **changes)  # type: ignore[arg-type]


class MappingIndex:
    """The mappings of one company and system, held in memory for a run, by both ids."""

    def __init__(self, rows: Iterable[Mapped] = ()) -> None:
        """Index ``rows``."""
        self._by_external: dict[tuple[str, str], Mapped] = {}
        self._by_core: dict[tuple[str, str], Mapped] = {}
        for row in rows:
            self.put(row)

    def put(self, row: Mapped) -> None:
        """Add or replace ``row``."""
        old = self._by_external.get((row.entity, row.external_id))
        if old is not None:
            self._by_core.pop((old.entity, old.core_id), None)
        self._by_external[(row.entity, row.external_id)] = row
        self._by_core[(row.entity, row.core_id)] = row

    def by_external(self, entity: Entity, external_id: str) -> Mapped | None:
        """The mapping of the vendor's ``external_id``, if any."""
        return self._by_external.get((entity, external_id))

    def by_core(self, entity: Entity, core_id: str) -> Mapped | None:
        """The mapping of the core's ``core_id``, if any."""
        return self._by_core.get((entity, core_id))

    def of(self, entity: Entity) -> list[Mapped]:
        """Every mapping of ``entity``."""
        return [row for (kind, _), row in self._by_external.items() if kind == entity]
