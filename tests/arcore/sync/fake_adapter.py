"""An in-memory accounting system and an adapter to it, with faults on demand.

``FakeVendor`` holds the vendor's objects (vendor ids, versions, a change log for cursors,
the idempotency keys it has seen); ``FakeAdapter`` implements arcore's ``Adapter`` protocol
over it. A ``Faults`` plan makes chosen calls fail: before the vendor does anything
(``TransientError``, ``RateLimitedError``, ``VendorAuthError``...), or after the vendor
committed the write but before the response arrives; ``Killed`` (a ``BaseException``,
which nothing in arcore catches) stands for the process dying at that point.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import SecretStr

from arcore.adapter import (
    Applied,
    Capabilities,
    ChangeNotice,
    Entity,
    Page,
    RateLimit,
    Record,
    Token,
)
from arcore.documents import DocumentStatus
from arcore.errors import StaleVersionError, VendorAuthError, VendorNotFoundError

SYSTEM = "fakebooks"

CAPABILITIES = Capabilities(
    reads=frozenset({"term", "customer", "invoice", "credit_memo", "payment"}),
    writes=frozenset({"customer", "invoice", "credit_memo", "payment"}),
    voids=frozenset({"invoice", "credit_memo", "payment"}),
    deletes=frozenset({"customer", "invoice", "credit_memo", "payment"}),
    applies=frozenset({"credit_memo", "payment"}),
    incremental="cursor",
    rate_limits=(RateLimit(requests=10, per_seconds=60),),
    max_concurrency=2,
    page_size=2,
)


class Killed(BaseException):
    """The process died here (nothing may catch it but the test)."""


Phase = Literal["before", "after_commit"]


@dataclass
class Faults:
    """Which calls fail, and how.

    ``plan`` maps ``(operation, call_number)`` (1-based, counted per operation) to
    ``(phase, exception factory)``; ``every`` makes every call of an operation fail the
    same way while it holds a count.
    """

    plan: dict[tuple[str, int], tuple[Phase, Callable[[], BaseException]]] = field(
        default_factory=dict
    )
    calls: dict[str, int] = field(default_factory=dict)

    def at(self, operation: str, phase: Phase) -> None:
        number = self.calls.get(operation, 0) + (1 if phase == "before" else 0)
        if phase == "before":
            self.calls[operation] = number
        fault = self.plan.get((operation, number))
        if fault is not None and fault[0] == phase:
            del self.plan[(operation, number)]
            raise fault[1]()


@dataclass
class Stored:
    record: Record
    seq: int


class FakeVendor:
    """The accounting system's data: objects by entity and id, a change log, seen keys."""

    def __init__(self) -> None:
        self.objects: dict[Entity, dict[str, Stored]] = {}
        self.seq = itertools.count(1)
        self.ids = itertools.count(100)
        self.replies: dict[str, Record] = {}  # idempotency key → the answer given
        self.requests: list[str] = []
        self.token_number = 0

    def put(self, record: Record) -> Record:
        """Store ``record`` (new or changed) as the latest change."""
        assert record.external_id is not None
        self.objects.setdefault(record.entity, {})[record.external_id] = Stored(
            record, next(self.seq)
        )
        return record

    def add(self, entity: Entity, document: Any, *, applications: Sequence[Applied] = ()) -> Record:
        """A new object made in the vendor (by a person there): id from ``document.id``."""
        return self.put(
            Record(
                entity=entity,
                external_id=document.id,
                version="0",
                document=document,
                applications=tuple(applications),
            )
        )

    def change(self, entity: Entity, external_id: str, **changes: Any) -> Record:
        """Change an object in the vendor (a person there), bumping its version."""
        old = self.objects[entity][external_id].record
        updates: dict[str, Any] = {"version": str(int(old.version or "0") + 1)}
        if "document" in changes:
            updates["document"] = changes.pop("document")
        updates.update(changes)
        return self.put(old.model_copy(update=updates))

    def live(self, entity: Entity) -> list[Record]:
        return [s.record for s in self.objects.get(entity, {}).values() if not s.record.deleted]


class FakeAdapter:
    """arcore's ``Adapter`` over a ``FakeVendor``, with faults from a ``Faults`` plan."""

    def __init__(
        self,
        vendor: FakeVendor,
        *,
        faults: Faults | None = None,
        capabilities: Capabilities = CAPABILITIES,
        token_store: Any = None,
        tenant: str = "t-1",
    ) -> None:
        self.vendor = vendor
        self.faults = faults or Faults()
        self._capabilities = capabilities
        self.token_store = token_store
        self.tenant = tenant
        self.refreshes = 0

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    def _enter(self, operation: str) -> None:
        self.vendor.requests.append(operation)
        self.faults.at(operation, "before")

    def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
        self._enter("list_changes")
        since = int(cursor) if cursor else 0
        changed = sorted(
            (s for s in self.vendor.objects.get(entity, {}).values() if s.seq > since),
            key=lambda s: s.seq,
        )
        if cursor is None:
            changed = [s for s in changed if not s.record.deleted]
        page = changed[:page_size]
        more = len(changed) > page_size
        high = page[-1].seq if page else since
        return Page(records=tuple(s.record for s in page), cursor=str(high), more=more)

    def get(self, entity: Entity, external_id: str) -> Record:
        self._enter("get")
        stored = self.vendor.objects.get(entity, {}).get(external_id)
        if stored is None or stored.record.deleted:
            raise VendorNotFoundError(f"no {entity} {external_id}", system=SYSTEM)
        return stored.record

    def _write(self, operation: str, key: str, work: Callable[[], Record]) -> Record:
        self._enter(operation)
        if key in self.vendor.replies:  # the vendor replays a key it has seen
            result = self.vendor.replies[key]
        else:
            result = work()
            self.vendor.replies[key] = result
        self.faults.at(operation, "after_commit")
        return result

    def _current(self, record: Record) -> Record:
        assert record.external_id is not None
        stored = self.vendor.objects.get(record.entity, {}).get(record.external_id)
        if stored is None:
            raise VendorNotFoundError(f"no {record.entity} {record.external_id}", system=SYSTEM)
        if stored.record.version != record.version:
            raise StaleVersionError(
                f"{record.entity} {record.external_id} is at version {stored.record.version}",
                system=SYSTEM,
            )
        return stored.record

    def create(self, record: Record, *, idempotency_key: str) -> Record:
        def work() -> Record:
            external_id = str(next(self.vendor.ids))
            assert record.document is not None
            document = record.document.model_copy(update={"id": external_id})
            return self.vendor.put(
                record.model_copy(
                    update={"external_id": external_id, "version": "0", "document": document}
                )
            )

        return self._write("create", idempotency_key, work)

    def update(self, record: Record, *, idempotency_key: str) -> Record:
        def work() -> Record:
            old = self._current(record)
            return self.vendor.put(
                record.model_copy(
                    update={
                        "version": str(int(old.version or "0") + 1),
                        "applications": old.applications,
                    }
                )
            )

        return self._write("update", idempotency_key, work)

    def void(self, record: Record, *, idempotency_key: str) -> Record:
        def work() -> Record:
            old = self._current(record)
            assert old.document is not None
            document = old.document.model_copy(update={"status": DocumentStatus.VOID})
            return self.vendor.put(
                old.model_copy(
                    update={"version": str(int(old.version or "0") + 1), "document": document}
                )
            )

        return self._write("void", idempotency_key, work)

    def delete(self, record: Record, *, idempotency_key: str) -> None:
        def work() -> Record:
            old = self._current(record)
            return self.vendor.put(
                old.model_copy(update={"deleted": True, "document": None, "version": "x"})
            )

        self._write("delete", idempotency_key, work)

    def apply(
        self, record: Record, applications: Sequence[Applied], *, idempotency_key: str
    ) -> Record:
        def work() -> Record:
            old = self._current(record)
            return self.vendor.put(
                old.model_copy(
                    update={
                        "version": str(int(old.version or "0") + 1),
                        "applications": tuple(applications),
                    }
                )
            )

        return self._write("apply", idempotency_key, work)

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        return False

    def parse_webhook(self, body: bytes) -> list[ChangeNotice]:
        return []

    def refresh(self) -> Token:
        self._enter("refresh")
        self.refreshes += 1
        self.vendor.token_number += 1
        token = Token(
            access_token=SecretStr(f"access-{self.vendor.token_number}"),
            refresh_token=SecretStr(f"refresh-{self.vendor.token_number}"),
            expires_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=1),
        )
        if self.token_store is not None:
            self.token_store.save(SYSTEM, self.tenant, token)
        return token


def auth_error() -> VendorAuthError:
    return VendorAuthError("token expired", system=SYSTEM)
