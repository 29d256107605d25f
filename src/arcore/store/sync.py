"""The sync engine's state in the store: mappings, cursors, the outbox, conflicts, tokens.

[`SyncState`][arcore.store.sync.SyncState] is the only place that reads and writes the
``sync_*`` tables; the [engine][arcore.sync.engine.SyncEngine] gets one from
[`SqlStore.sync_state`][arcore.store.SqlStore.sync_state] and never sees SQL. Each method
is its own transaction, except [`save_mappings`][arcore.store.sync.SyncState.save_mappings],
which also marks an outbox entry done in the same one (the engine's step 3 of a push).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Connection, Table, delete, select, update

from arcore.adapter import Entity, Token
from arcore.errors import NotFoundError
from arcore.store.schema import (
    documents,
    sync_conflicts,
    sync_cursors,
    sync_mappings,
    sync_outbox,
    sync_tokens,
)
from arcore.store.sql import SqlStore
from arcore.sync.conflicts import Conflict, Resolution
from arcore.sync.mapping import Mapped, MappingIndex
from arcore.sync.outbox import OutboxEntry

__all__ = ["SyncState"]

_CONFLICT_COLUMNS = (
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


class SyncState:
    """The sync state of one company with one system (``quickbooks``, ``xero``...).

    Args:
        store: The store of the books.
        company_id: Whose books.
        system: The adapter's name: the key of every row.
    """

    def __init__(self, store: SqlStore, company_id: str, system: str) -> None:
        """Work on ``company_id``'s state with ``system`` in ``store``."""
        self.store = store
        self.company_id = company_id
        self.system = system

    def _where(self, table: Table) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        return table.c.company_id == self.company_id, table.c.system == self.system

    # --- mappings ----------------------------------------------------------------------------

    def mappings(self) -> MappingIndex:
        """Every mapping, indexed by both ids."""
        t = sync_mappings
        with self.store.session(self.company_id, write=False) as session:
            rows = session.connection.execute(
                select(
                    t.c.entity,
                    t.c.external_id,
                    t.c.core_id,
                    t.c.version,
                    t.c.digest,
                    t.c.applied,
                    t.c.deleted,
                    t.c.data,
                ).where(*self._where(t))
            )
            return MappingIndex(Mapped(*row) for row in rows)

    def save_mappings(
        self, rows: Iterable[Mapped], *, at: datetime, done: str | None = None
    ) -> None:
        """Insert or replace each object's mapping; with ``done``, mark that write done too.

        Both happen in one transaction: a crash leaves either all of it or none.
        """
        with self.store.session(self.company_id) as session:
            for row in rows:
                self._save_mapping(session.connection, row, at)
            if done is not None:
                self._finish(session.connection, done, "done", at)

    def _save_mapping(self, connection: Connection, row: Mapped, at: datetime) -> None:
        t = sync_mappings
        connection.execute(
            delete(t).where(
                *self._where(t),
                t.c.entity == row.entity,
                (t.c.external_id == row.external_id) | (t.c.core_id == row.core_id),
            )
        )
        connection.execute(
            t.insert().values(
                company_id=self.company_id,
                system=self.system,
                entity=row.entity,
                external_id=row.external_id,
                core_id=row.core_id,
                version=row.version,
                digest=row.digest,
                applied=row.applied,
                deleted=row.deleted,
                data=row.data,
                synced_at=at,
            )
        )

    # --- cursors -----------------------------------------------------------------------------

    def cursor(self, entity: Entity) -> str | None:
        """Where ``entity``'s next incremental pull starts (``None``: never pulled)."""
        t = sync_cursors
        with self.store.session(self.company_id, write=False) as session:
            found: str | None = session.connection.scalar(
                select(t.c.cursor).where(*self._where(t), t.c.entity == entity)
            )
        return found

    def save_cursor(self, entity: Entity, cursor: str, *, at: datetime) -> None:
        """Keep ``cursor`` as where ``entity``'s next pull starts."""
        t = sync_cursors
        with self.store.session(self.company_id) as session:
            session.connection.execute(delete(t).where(*self._where(t), t.c.entity == entity))
            session.connection.execute(
                t.insert().values(
                    company_id=self.company_id,
                    system=self.system,
                    entity=entity,
                    cursor=cursor,
                    saved_at=at,
                )
            )

    # --- the outbox --------------------------------------------------------------------------

    def add_pending(self, entry: OutboxEntry, *, at: datetime) -> None:
        """Store ``entry`` as pending (committed before it is sent)."""
        with self.store.session(self.company_id) as session:
            session.connection.execute(
                sync_outbox.insert().values(
                    company_id=self.company_id,
                    system=self.system,
                    idempotency_key=entry.idempotency_key,
                    entity=entry.entity,
                    core_id=entry.core_id,
                    operation=entry.operation,
                    request=entry.request,
                    state="pending",
                    created_at=at,
                )
            )

    def pending(self) -> list[OutboxEntry]:
        """Every write stored but not known to be done, oldest first."""
        t = sync_outbox
        with self.store.session(self.company_id, write=False) as session:
            rows = session.connection.execute(
                select(t.c.idempotency_key, t.c.entity, t.c.core_id, t.c.operation, t.c.request)
                .where(*self._where(t), t.c.state == "pending")
                .order_by(t.c.created_at, t.c.idempotency_key)
            )
            return [OutboxEntry(*row) for row in rows]

    def finish(
        self, idempotency_key: str, *, state: Literal["done", "failed"] = "done", at: datetime
    ) -> None:
        """Mark a write ``done`` (the vendor has it) or ``failed`` (refused: never resend)."""
        with self.store.session(self.company_id) as session:
            self._finish(session.connection, idempotency_key, state, at)

    def _finish(self, connection: Connection, key: str, state: str, at: datetime) -> None:
        t = sync_outbox
        connection.execute(
            update(t)
            .where(*self._where(t), t.c.idempotency_key == key)
            .values(state=state, finished_at=at)
        )

    # --- conflicts ---------------------------------------------------------------------------

    def conflicts(self) -> dict[tuple[str, str], Conflict]:
        """Every unclosed conflict, by ``(entity, core_id)``."""
        with self.store.session(self.company_id, write=False) as session:
            rows = session.connection.execute(
                select(*_CONFLICT_COLUMNS).where(*self._where(sync_conflicts))
            )
            found = [Conflict(*row) for row in rows]
        return {(conflict.entity, conflict.core_id): conflict for conflict in found}

    def record_conflict(self, conflict: Conflict, *, at: datetime) -> None:
        """Hold an object: store ``conflict`` as open (replacing an earlier one of the object)."""
        with self.store.session(self.company_id) as session:
            self._close(session.connection, conflict.entity, conflict.core_id)
            session.connection.execute(
                sync_conflicts.insert().values(
                    company_id=self.company_id,
                    system=self.system,
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

    def close_conflict(self, entity: Entity, core_id: str) -> None:
        """Forget the object's conflict (its resolution was applied)."""
        with self.store.session(self.company_id) as session:
            self._close(session.connection, entity, core_id)

    def _close(self, connection: Connection, entity: str, core_id: str) -> None:
        t = sync_conflicts
        connection.execute(
            delete(t).where(*self._where(t), t.c.entity == entity, t.c.core_id == core_id)
        )

    def resolve_conflict(
        self, entity: Entity, core_id: str, resolution: Resolution, *, at: datetime
    ) -> None:
        """Resolve a held object: the next run applies ``resolution`` to it, then closes it.

        Raises:
            NotFoundError: no conflict of that object.
        """
        t = sync_conflicts
        with self.store.session(self.company_id) as session:
            changed = session.connection.execute(
                update(t)
                .where(*self._where(t), t.c.entity == entity, t.c.core_id == core_id)
                .values(status="resolved", resolution=resolution, resolved_at=at)
            )
            if changed.rowcount == 0:
                raise NotFoundError(
                    f"no conflict of {entity} {core_id} with {self.system}",
                    hint="List the conflicts with arcore.sync.list_conflicts",
                    field="core_id",
                    value=core_id,
                )

    # --- the core's side ---------------------------------------------------------------------

    def document_ids(self, kind: str) -> list[str]:
        """The ids of the company's documents of ``kind``, by document date then id."""
        t = documents
        with self.store.session(self.company_id, write=False) as session:
            return list(
                session.connection.scalars(
                    select(t.c.id)
                    .where(t.c.company_id == self.company_id, t.c.kind == kind)
                    .order_by(t.c.document_date, t.c.id)
                )
            )

    # --- tokens ------------------------------------------------------------------------------

    def token(self, tenant: str) -> Token | None:
        """The tokens last saved for ``tenant``, if any."""
        t = sync_tokens
        with self.store.session(self.company_id, write=False) as session:
            text: str | None = session.connection.scalar(
                select(t.c.token).where(*self._where(t), t.c.tenant == tenant)
            )
        return None if text is None else Token.model_validate_json(text)

    def save_token(self, tenant: str, token: Token, *, at: datetime) -> None:
        """Keep ``token`` for ``tenant``, replacing what was saved (refresh tokens rotate)."""
        t = sync_tokens
        plain = {
            "access_token": token.access_token.get_secret_value(),
            "refresh_token": token.refresh_token.get_secret_value(),
            "expires_at": token.expires_at.isoformat(),
            "refresh_expires_at": (
                token.refresh_expires_at.isoformat() if token.refresh_expires_at else None
            ),
        }
        with self.store.session(self.company_id) as session:
            session.connection.execute(delete(t).where(*self._where(t), t.c.tenant == tenant))
            session.connection.execute(
                t.insert().values(
                    company_id=self.company_id,
                    system=self.system,
                    tenant=tenant,
                    token=json.dumps(plain),
                    saved_at=at,
                )
            )
