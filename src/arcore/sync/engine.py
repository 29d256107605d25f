"""The sync engine: pull vendor changes into the ledger, push core changes to the vendor.

One [`SyncEngine`][arcore.sync.engine.SyncEngine] works for one company and one connected
adapter. See ``docs/concepts/sync.md`` for the rules it follows; in short:

* **Pull** pages through ``list_changes`` per entity (terms, customers, invoices, debit and
  credit memos, payments), maps vendor ids to core ids, rewrites references, and writes
  through the [`Ledger`][arcore.ledger.Ledger]'s commands with idempotency keys derived from
  ``(system, entity, external id, version)``: a re-run changes nothing. A page's cursor is
  saved after its records are written.
* **Push** sends core objects the vendor lacks (or that changed since last synchronised)
  with ``create``/``update``/``void``/``apply``, each through the
  [outbox][arcore.sync.outbox]: the idempotency key is committed before the call, the
  mapping after it; a pending write is re-sent with the same key.
* **Conflicts** follow the [policy][arcore.sync.conflicts.ConflictPolicy]; ledger documents
  are immutable, so a vendor change to the amounts of an issued document is always held.
* Every vendor call goes through the [rate limiter][arcore.sync.limiter.RateLimiter] and the
  [retries][arcore.sync.retry.call_with_retries], on the injected [clock][arcore.sync.clock.Clock].
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, Final, Literal, TypeVar, cast

from pydantic import BaseModel, TypeAdapter

from arcore.adapter import Adapter, Applied, ChangeNotice, Entity, NamedTerms, Record
from arcore.documents import (
    CreditMemo,
    Customer,
    CustomerDeposit,
    DebitMemo,
    Document,
    DocumentStatus,
    Invoice,
    Payment,
)
from arcore.errors import (
    ArcoreError,
    IllegalTransitionError,
    NotFoundError,
    StaleVersionError,
    VendorAuthError,
    VendorError,
    VendorNotFoundError,
    VendorValidationError,
    WebhookSignatureError,
)
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store.sql import SqlStore
from arcore.sync.clock import Clock, SystemClock
from arcore.sync.conflicts import Conflict, ConflictPolicy
from arcore.sync.limiter import RateLimiter
from arcore.sync.mapping import Mapped, MappingIndex, core_id_for
from arcore.sync.outbox import Operation, OutboxEntry, new_key
from arcore.sync.report import Direction, PlannedChange, SyncPlan, SyncReport
from arcore.sync.retry import RetryPolicy, call_with_retries

__all__ = ["PULL_ORDER", "PUSH_ORDER", "Progress", "SyncEngine"]

PULL_ORDER: Final[tuple[Entity, ...]] = (
    "term",
    "customer",
    "invoice",
    "debit_memo",
    "credit_memo",
    "payment",
)
"""Entities pulled, in this order (what is referenced comes before what refers to it)."""

PUSH_ORDER: Final[tuple[Entity, ...]] = (
    "customer",
    "invoice",
    "debit_memo",
    "credit_memo",
    "payment",
)
"""Entities pushed, in this order."""

Progress = Callable[[Direction, Entity, int, int | None], None]
"""``progress(direction, entity, done, total)``: called as objects are handled (total: ``None``
while a pull does not know it yet)."""

T = TypeVar("T")
_Receivable = Invoice | DebitMemo | CreditMemo
_DOCUMENT: Final[TypeAdapter[Document]] = TypeAdapter(Document)
_DOCUMENT_ENTITIES: Final = frozenset({"invoice", "debit_memo", "credit_memo", "payment"})
_CONTENT_EXCLUDED: Final = {"status", "disputed", "external_ids", "memo"}


class _UnresolvedError(ArcoreError):
    """A reference to a vendor object the engine has not mapped (yet)."""


class _HeldError(Exception):
    """The object was held as a conflict; the reason is in the report."""


def _content(obj: BaseModel) -> dict[str, Any]:
    """What of a core object is synchronised: everything but status, flags and external ids."""
    dumped: dict[str, Any] = obj.model_dump(mode="json", exclude=_CONTENT_EXCLUDED)
    return dumped


def _financial(document: Document) -> tuple[object, ...]:
    """What of an issued document the ledger has posted: who, when, how much, what it corrects.

    A vendor change to any of these cannot be taken into an issued (immutable) document.
    """
    total: Money = document.total if isinstance(document, Invoice) else document.amount
    return (
        document.kind,
        getattr(document, "customer_id", None),
        document.currency,
        _document_date(document),
        total,
        getattr(document, "corrects", None),
    )


def _sha(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def digest_of(obj: BaseModel) -> str:
    """The digest the mapping keeps of a core object: its content and whether it is void."""
    void = getattr(obj, "status", None) is DocumentStatus.VOID
    return _sha({"content": _content(obj), "void": void})


def _kept(row: Mapped | None) -> dict[str, Any]:
    """What a payment's or credit memo's mapping row keeps in ``data``.

    ``applied``: its applications as last synchronised, ``[core target, amount, currency]``;
    ``carried``: what it applies of credit memos' credit (a carrier record),
    ``[core memo, core target, amount, currency]``.
    """
    kept: dict[str, Any] = json.loads(row.data) if row is not None and row.data else {}
    return kept


def _applied_of(row: Mapped | None) -> dict[str, Money]:
    return _applied_dict(_kept(row).get("applied", []))


def _applied_dict(items: list[list[str]]) -> dict[str, Money]:
    return {target: Money(amount, currency) for target, amount, currency in items}


def _carried_of(row: Mapped | None) -> dict[tuple[str, str], Money]:
    return {
        (source, target): Money(amount, currency)
        for source, target, amount, currency in _kept(row).get("carried", [])
    }


def _applied_list(applied: dict[str, Money]) -> list[list[str]]:
    return sorted([t, str(m.amount), m.currency] for t, m in applied.items() if m)


def _keeping(
    row: Mapped,
    *,
    applied: dict[str, Money] | None = None,
    carried: dict[tuple[str, str], Money] | None = None,
) -> Mapped:
    """``row`` keeping these applications (and carried ones) in ``data``; ``applied`` digest."""
    kept = _kept(row)
    if applied is not None:
        kept["applied"] = _applied_list(applied)
    if carried is not None:
        kept["carried"] = sorted(
            [s, t, str(m.amount), m.currency] for (s, t), m in carried.items() if m
        )
    return row.but(data=json.dumps(kept), applied=_sha(kept.get("applied", [])))


def _rebuilt(model: BaseModel, **changes: object) -> Any:
    """``model`` with ``changes``, validated again (``model_copy`` would skip validation)."""
    return type(model).model_validate({**model.model_dump(), **changes})


@dataclass
class _Work:
    """State of one run: the report, the mappings, the open conflicts."""

    report: SyncReport
    mappings: MappingIndex
    conflicts: dict[tuple[str, str], Conflict]
    overwritten: set[str] = field(default_factory=set)


class SyncEngine:
    """Synchronise one company's books with one connected adapter.

    Args:
        store: The store of the books (and of the sync state).
        company_id: Whose books; they must be open.
        adapter: The connected adapter.
        system: The adapter's name (``quickbooks``): the key of every mapping and cursor.
        clock: Time and waiting ([`FakeClock`][arcore.sync.clock.FakeClock] in tests).
        policy: What to do with an object changed on both sides.
        retry: How vendor calls are retried.
        limiter: The connection's rate limiter (by default one sized from the adapter's
            capabilities, on ``clock``).
        progress: Called as objects are handled (the CLI draws progress bars with it).
        actor: Who the ledger records as making the changes.
    """

    def __init__(
        self,
        store: SqlStore,
        company_id: str,
        adapter: Adapter,
        *,
        system: str,
        clock: Clock | None = None,
        policy: ConflictPolicy = "hold",
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        progress: Progress | None = None,
        actor: str = "",
    ) -> None:
        """Prepare to synchronise ``company_id`` with ``adapter``."""
        self.store = store
        self.company_id = company_id
        self.adapter = adapter
        self.system = system
        self.clock = clock or SystemClock()
        self.policy = policy
        self.retry = retry or RetryPolicy()
        self.capabilities = adapter.capabilities
        self.limiter = limiter or RateLimiter.for_capabilities(self.capabilities, self.clock)
        self.progress = progress
        self.actor = actor or f"sync:{system}"
        self.ledger = Ledger(store, company_id, clock=self.clock.now)
        self.state = store.sync_state(company_id, system)

    # --- public ------------------------------------------------------------------------------

    def run(self, *, pull: bool = True, push: bool = True, full: bool = False) -> SyncReport:
        """Pull, then push (either may be turned off); return what was done."""
        report = SyncReport(self.system, self.company_id)
        if pull:
            self.pull(full=full, report=report)
        if push:
            self.push(report=report)
        return report

    def pull(self, *, full: bool = False, report: SyncReport | None = None) -> SyncReport:
        """Bring the vendor's changes into the ledger (``full``: everything, ignoring cursors)."""
        work = self._start(report)
        # Writes an interrupted push left pending go first: an object the vendor created
        # for us must be mapped before a listing shows it, or it would come back as new.
        self._flush_outbox(work)
        self._apply_resolutions(work)
        for entity in self._entities(PULL_ORDER, self.capabilities.reads):
            try:
                self._pull_entity(work, entity, full=full)
            except VendorAuthError:
                raise  # refreshed once and refused again: nothing else will work either
            except VendorError as error:
                work.report.fail("pull", entity, f"listing stopped: {_reason(error)}")
        return work.report

    def receive_webhook(
        self, body: bytes, headers: Mapping[str, str], *, tenant: str | None = None
    ) -> SyncReport:
        """Pull what a vendor's webhook delivery announces, once its signature is checked.

        Call it from the web endpoint the vendor posts to, with the raw body and the
        headers. Answer 401 on [`WebhookSignatureError`][arcore.errors.WebhookSignatureError]
        and 200 otherwise (the report says what was pulled).

        Args:
            body: The request body, exactly as received (the signature covers its bytes).
            headers: The request headers (their names in any case).
            tenant: This engine's tenant (QuickBooks realm, Xero tenant id): notices for
                another tenant are left out (``None``: keep them all).

        Raises:
            WebhookSignatureError: the signature is missing or wrong; nothing was read.
        """
        if not self.adapter.verify_webhook(body, headers):
            raise WebhookSignatureError(
                f"the {self.system} webhook's signature does not verify",
                hint="Answer 401; check the webhook verifier key in the sync configuration",
                system=self.system,
            )
        notices = self.adapter.parse_webhook(body)
        if tenant is not None:
            notices = [n for n in notices if n.tenant in ("", tenant)]
        return self.pull_notices(notices)

    def pull_notices(
        self, notices: Sequence[ChangeNotice], *, report: SyncReport | None = None
    ) -> SyncReport:
        """Pull the objects that change notices name (a webhook's), each read as it is now.

        Each object is read once with ``get`` (one not found is a deletion) and written as an
        incremental pull would write it, referenced entities first. Cursors do not move: the
        next incremental pull finds these objects unchanged.
        """
        work = self._start(report)
        rank = {entity: n for n, entity in enumerate(PULL_ORDER)}
        wanted = sorted(
            {
                (n.entity, n.external_id)
                for n in notices
                if n.entity in self.capabilities.reads and n.entity in rank
            },
            key=lambda item: (rank[item[0]], item[1]),
        )
        for entity, external_id in wanted:
            try:
                record = self._call(work, partial(self.adapter.get, entity, external_id))
            except VendorNotFoundError:
                record = Record(entity=entity, external_id=external_id, deleted=True)
            except VendorAuthError:
                raise
            except VendorError as error:
                work.report.fail("pull", entity, _reason(error), external_id=external_id)
                continue
            self._pull_record(work, record, self.policy)
        return work.report

    def _pull_entity(self, work: _Work, entity: Entity, *, full: bool) -> None:
        done = 0
        for page in self._pages(entity, full=full, work=work):
            for record in page.records:
                self._pull_record(work, record, self.policy)
            done += len(page.records)
            if page.cursor is not None:
                # Only now: a crash above re-reads this page, and its writes are idempotent.
                self.state.save_cursor(entity, page.cursor, at=self.clock.now())
            self._progress("pull", entity, done, None if page.more else done)

    def _flush_outbox(self, work: _Work) -> None:
        """Send again, with their stored keys, the writes a crash left pending."""
        for entry in self.state.pending():
            self._send(work, entry)

    def _apply_resolutions(self, work: _Work) -> None:
        """Apply the choices people made on held conflicts, then close them."""
        for _, conflict in sorted(work.conflicts.items()):
            if conflict.status != "resolved" or conflict.external_id is None:
                continue
            entity, core_id, external_id = conflict.entity, conflict.core_id, conflict.external_id
            try:
                current = self._call(work, partial(self.adapter.get, entity, external_id))
            except VendorError as error:
                work.report.fail(
                    "pull", entity, _reason(error), external_id=external_id, core_id=core_id
                )
                continue
            if conflict.resolution == "vendor_wins":
                self._pull_record(work, current, "vendor_wins")
                continue
            mapped = work.mappings.by_core(entity, core_id)
            if mapped is not None:  # core wins: the next push overwrites the vendor's version
                self._save(work, mapped.but(version=current.version, digest=""))
            self._close(work, entity, core_id)

    def push(self, *, report: SyncReport | None = None) -> SyncReport:
        """Send the core's new and changed objects to the vendor (pending writes first)."""
        work = self._start(report)
        self._flush_outbox(work)
        self._apply_resolutions(work)
        for entity in self._entities(PUSH_ORDER, self.capabilities.writes):
            objects = self._core_objects(entity)
            for done, obj in enumerate(objects, start=1):
                try:
                    for operation, record, applications in self._push_work(work, entity, obj):
                        self._write(work, entity, obj, operation, record, applications)
                except VendorAuthError:
                    raise
                except ArcoreError as error:  # an unpushed reference, a vendor refusal
                    work.report.fail("push", entity, str(error), core_id=obj.id)
                self._progress("push", entity, done, len(objects))
        return work.report

    def plan(self, *, pull: bool = True, push: bool = True, full: bool = False) -> SyncPlan:
        """What :meth:`run` would do, without writing anything anywhere.

        Reads the vendor's changes (``list_changes`` only) and the core; writes nothing to
        the core, the vendor, the cursors or the outbox.
        """
        plan = SyncPlan(self.system, self.company_id)
        work = self._start(None)
        if pull:
            for entity in self._entities(PULL_ORDER, self.capabilities.reads):
                for page in self._pages(entity, full=full, work=work):
                    for record in page.records:
                        change = self._planned_pull(work, record)
                        if change is not None:
                            plan.changes.append(change)
        if push:
            for entry in self.state.pending():
                plan.changes.append(
                    PlannedChange("push", entry.entity, entry.operation, None, entry.core_id)
                )
            for entity in self._entities(PUSH_ORDER, self.capabilities.writes):
                for obj in self._core_objects(entity):
                    mapped = work.mappings.by_core(entity, obj.id)
                    external_id = mapped.external_id if mapped else None
                    if (entity, obj.id) in work.conflicts:
                        plan.changes.append(
                            PlannedChange("push", entity, "conflict", external_id, obj.id)
                        )
                        continue
                    try:
                        steps = list(self._push_work(work, entity, obj))
                    except _UnresolvedError:
                        steps = [("create", None, ())]
                    for operation, _, _ in steps:
                        plan.changes.append(
                            PlannedChange("push", entity, operation, external_id, obj.id)
                        )
        return plan

    # --- plumbing ----------------------------------------------------------------------------

    def _start(self, report: SyncReport | None) -> _Work:
        report = report or SyncReport(self.system, self.company_id)
        return _Work(report, self.state.mappings(), self.state.conflicts())

    @staticmethod
    def _entities(order: Sequence[Entity], supported: frozenset[Entity]) -> list[Entity]:
        return [entity for entity in order if entity in supported]

    def _progress(self, direction: Direction, entity: Entity, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(direction, entity, done, total)

    def _call(self, work: _Work, call: Callable[[], T]) -> T:
        """One vendor call, through the rate limiter and the retries."""

        def counted() -> T:
            work.report.requests += 1
            return call()

        return call_with_retries(
            counted,
            policy=self.retry,
            clock=self.clock,
            refresh=self.adapter.refresh,
            before_each=self.limiter.acquire,
        )

    def _pages(self, entity: Entity, *, full: bool, work: _Work) -> Iterator[Any]:
        cursor = None if full else self.state.cursor(entity)
        size = self.capabilities.page_size
        while True:
            page = self._call(
                work, partial(self.adapter.list_changes, entity, cursor=cursor, page_size=size)
            )
            yield page
            if not page.more:
                return
            cursor = page.cursor

    def _save(self, work: _Work, row: Mapped) -> None:
        self.state.save_mappings([row], at=self.clock.now())
        work.mappings.put(row)

    def _hold(
        self,
        work: _Work,
        direction: Direction,
        entity: Entity,
        core_id: str,
        external_id: str | None,
        reason: str,
        *,
        core: BaseModel | None,
        vendor: Record | None,
    ) -> None:
        conflict = Conflict(
            entity=entity,
            core_id=core_id,
            external_id=external_id,
            reason=reason,
            core_data=core.model_dump_json() if core is not None else None,
            vendor_data=vendor.model_dump_json() if vendor is not None else None,
            vendor_version=vendor.version if vendor is not None else None,
            status="open",
            resolution=None,
        )
        self.state.record_conflict(conflict, at=self.clock.now())
        work.conflicts[(entity, core_id)] = conflict
        work.report.hold(direction, entity, reason, external_id=external_id, core_id=core_id)

    def _close(self, work: _Work, entity: Entity, core_id: str) -> None:
        if work.conflicts.pop((entity, core_id), None) is not None:
            self.state.close_conflict(entity, core_id)

    def _policy_for(
        self, work: _Work, entity: Entity, core_id: str, default: ConflictPolicy
    ) -> ConflictPolicy | None:
        """The policy for one object: ``None`` while its conflict is open (skip it)."""
        conflict = work.conflicts.get((entity, core_id))
        if conflict is None:
            return default
        if conflict.status == "open" or conflict.resolution is None:
            return None
        return conflict.resolution

    # --- pull --------------------------------------------------------------------------------

    def _resolve(self, work: _Work, entity: Entity, external_id: str) -> str:
        mapped = work.mappings.by_external(entity, external_id)
        if mapped is None:
            raise _UnresolvedError(
                f"it refers to {entity} {external_id}, which was never pulled",
                hint="Pull that object first (a full sync with --full pulls everything)",
                value=external_id,
            )
        return mapped.core_id

    def _key(self, record: Record, step: str) -> str:
        version = record.version or _sha(record.model_dump(mode="json"))[:16]
        key = f"sync:{self.system}:{record.entity}:{record.external_id}:{version}:{step}"
        # Ledger keys are at most 200 characters; long vendor ids are hashed, still unique.
        return key if len(key) <= 200 else f"sync:{self.system}:{_sha(key)}"

    def _pull_record(self, work: _Work, record: Record, default: ConflictPolicy) -> None:
        entity = record.entity
        external_id = record.external_id
        counts = work.report.of("pull", entity)
        if external_id is None:
            work.report.fail("pull", entity, "the vendor sent an object without an id")
            return
        mapped = work.mappings.by_external(entity, external_id)
        core_id = mapped.core_id if mapped else core_id_for(self.system, entity, external_id)
        policy = self._policy_for(work, entity, core_id, default)
        if policy is None:
            counts.conflicts += 1
            return
        if (
            mapped is not None
            and record.version is not None
            and mapped.version == record.version
            and mapped.deleted == record.deleted
            and (entity, core_id) not in work.conflicts
        ):
            counts.unchanged += 1
            return
        try:
            outcome = self._write_pulled(work, record, mapped, core_id, policy)
        except _HeldError:
            return
        except ArcoreError as error:
            work.report.fail("pull", entity, str(error), external_id=external_id, core_id=core_id)
            return
        self._close(work, entity, core_id)
        setattr(counts, outcome, getattr(counts, outcome) + 1)

    def _write_pulled(
        self,
        work: _Work,
        record: Record,
        mapped: Mapped | None,
        core_id: str,
        policy: ConflictPolicy,
    ) -> Literal["created", "updated", "deleted", "unchanged"]:
        external_id = cast(str, record.external_id)
        base = Mapped(record.entity, external_id, core_id, record.version)
        if record.deleted:
            if mapped is not None and _carried_of(mapped):
                self._pull_carried(work, record, mapped, {})  # its applications go with it
            if record.entity in _DOCUMENT_ENTITIES and self._exists(core_id):
                self._void(work, record, core_id)
            kept = mapped or base
            self._save(work, kept.but(version=record.version, deleted=True))
            return "deleted"
        document = record.document
        if document is None:
            return self._pull_carried(work, record, mapped or base, self._carried(work, record))
        if isinstance(document, NamedTerms):
            self._save(work, base.but(data=document.model_dump_json()))
            return "created" if mapped is None else "updated"
        if isinstance(document, Customer):
            return self._pull_customer(work, record, document, mapped, base, policy)
        if isinstance(document, Invoice | DebitMemo | CreditMemo | Payment):
            outcome = self._pull_document(work, record, document, mapped, base, policy)
            carried = self._carried(work, record)
            if carried or _carried_of(mapped):
                # A payment that also spends credit memos (QuickBooks links both on it).
                row = work.mappings.by_external(record.entity, external_id) or base
                also = self._pull_carried(work, record, row, carried)
                if outcome == "unchanged" and also != "unchanged":
                    outcome = "updated"
            return outcome
        raise _UnresolvedError(f"arcore does not synchronise {record.entity} objects")

    def _pull_customer(
        self,
        work: _Work,
        record: Record,
        customer: Customer,
        mapped: Mapped | None,
        base: Mapped,
        policy: ConflictPolicy,
    ) -> Literal["created", "updated", "unchanged"]:
        parent = self._resolve(work, "customer", customer.parent_id) if customer.parent_id else None
        incoming: Customer = _rebuilt(
            customer,
            company_id=self.company_id,
            id=base.core_id,
            parent_id=parent,
            external_ids={**customer.external_ids, self.system: base.external_id},
        )
        current = self._customer(base.core_id)
        if current is not None and mapped is not None and digest_of(current) != mapped.digest:
            # Changed in the core since last synchronised, and in the vendor: a conflict.
            if digest_of(current) == digest_of(incoming):
                pass
            elif policy == "hold":
                self._hold(
                    work, "pull", "customer", base.core_id, base.external_id,
                    "changed in arcore and in the vendor since the last sync",
                    core=current, vendor=record,
                )  # fmt: skip
                raise _HeldError
            elif policy == "core_wins":
                self._save(work, mapped.but(version=record.version, digest=""))
                return "unchanged"
        if current is None or digest_of(current) != digest_of(incoming):
            self.ledger.add_customer(
                incoming, actor=self.actor, idempotency_key=self._key(record, "customer")
            )
        self._save(work, base.but(digest=digest_of(incoming)))
        if current is None:
            return "created"
        return "updated" if digest_of(current) != digest_of(incoming) else "unchanged"

    def _pull_document(
        self,
        work: _Work,
        record: Record,
        document: Invoice | DebitMemo | CreditMemo | Payment,
        mapped: Mapped | None,
        base: Mapped,
        policy: ConflictPolicy,
    ) -> Literal["created", "updated", "deleted", "unchanged"]:
        changes: dict[str, object] = {
            "company_id": self.company_id,
            "id": base.core_id,
            "external_ids": {**document.external_ids, self.system: base.external_id},
        }
        if document.customer_id is not None:
            changes["customer_id"] = self._resolve(work, "customer", document.customer_id)
        corrects = getattr(document, "corrects", None)
        if corrects is not None:
            changes["corrects"] = self._corrected(work, corrects)
        void = document.status is DocumentStatus.VOID
        # The core derives paid/partly paid from its own applications; it issues what it takes.
        changes["status"] = DocumentStatus.ISSUED
        incoming: Invoice | DebitMemo | CreditMemo | Payment = _rebuilt(document, **changes)
        stated = record.applications is not None
        own = [applied for applied in record.applications or () if applied.source_id is None]
        targets = self._targets(work, own)
        current = self._document(base.core_id)
        outcome: Literal["created", "updated", "deleted", "unchanged"]
        if current is None:
            if isinstance(incoming, Payment):
                self.ledger.record_payment(
                    incoming, actor=self.actor, idempotency_key=self._key(record, "record")
                )
            else:
                self.ledger.issue(
                    incoming, actor=self.actor, idempotency_key=self._key(record, "issue")
                )
            outcome = "created"
        else:
            outcome = "unchanged"
            resolved = (record.entity, base.core_id) in work.conflicts
            if _financial(current) != _financial(incoming) and not void:
                if resolved and policy == "vendor_wins":
                    # A person corrected the core (a memo) and accepts the vendor's version.
                    after = self._document(base.core_id)
                    self._save(work, base.but(digest=digest_of(after) if after else ""))
                    return "updated"
                core_changed = mapped is not None and digest_of(current) != mapped.digest
                if policy == "core_wins" and mapped is not None:
                    self._save(work, mapped.but(version=record.version, digest=""))
                    return "unchanged"
                what = "in arcore and in the vendor" if core_changed else "in the vendor"
                self._hold(
                    work, "pull", record.entity, base.core_id, base.external_id,
                    f"its customer, date or amount changed {what}; an issued document is "
                    "never rewritten: post a credit or debit memo correcting it, then resolve",
                    core=current, vendor=record,
                )  # fmt: skip
                raise _HeldError
        if void:
            self._void(work, record, base.core_id)
            outcome = "created" if outcome == "created" else "deleted"
        if stated:
            applied = self._pull_applications(work, record, base.core_id, incoming, targets)
        else:  # the vendor states them on other records: what the core has is what it knows
            applied = self._core_applications(base.core_id)
        after = self._document(base.core_id)
        self._save(
            work,
            _keeping(
                work.mappings.by_external(record.entity, base.external_id) or base,
                applied=applied,
            ).but(digest=digest_of(after) if after else "", version=record.version, deleted=False),
        )
        if (
            outcome == "unchanged"
            and mapped is not None
            and stated
            and _applied_of(mapped) != applied
        ):
            outcome = "updated"
        return outcome

    def _carried(self, work: _Work, record: Record) -> dict[tuple[str, str], Money]:
        """What ``record`` applies of credit memos' credit, by (core memo, core target)."""
        carried: dict[tuple[str, str], Money] = {}
        for applied in record.applications or ():
            if applied.source_id is not None:
                key = (
                    self._resolve(work, "credit_memo", applied.source_id),
                    self._resolve(work, applied.target, applied.target_id),
                )
                carried[key] = carried[key] + applied.amount if key in carried else applied.amount
        return carried

    def _pull_carried(
        self, work: _Work, record: Record, row: Mapped, carried: dict[tuple[str, str], Money]
    ) -> Literal["created", "updated", "deleted", "unchanged"]:
        """Apply what a carrier record applies now, against what it applied before.

        A carrier (QuickBooks' zero-amount payment) applies other documents' credit, so the
        source's applications are changed by the difference only: other carriers of the same
        credit memo keep theirs.
        """
        before = _carried_of(row)
        for source in sorted({s for s, _ in before} | {s for s, _ in carried}):
            document = self._document(source)
            if not isinstance(document, CreditMemo):
                raise _UnresolvedError(f"it applies {source}, which is not a credit memo")
            have = self._core_applications(source)
            wanted = dict(have)
            zero = Money.zero(document.currency)
            for target in {t for s, t in (*before, *carried) if s == source}:
                delta = carried.get((source, target), zero) - before.get((source, target), zero)
                wanted[target] = have.get(target, zero) + delta
            applied = self._pull_applications(
                work, record, source, document, wanted, step=f"{source}:"
            )
            mapped = work.mappings.by_core("credit_memo", source)
            if mapped is not None:
                self._save(work, _keeping(mapped, applied=applied))
        self._save(work, _keeping(row, carried=carried).but(version=record.version))
        if not carried:
            return "deleted" if before else "unchanged"
        if not before and work.mappings.by_external(record.entity, row.external_id) is None:
            return "created"
        return "unchanged" if before == carried else "updated"

    def _corrected(self, work: _Work, external_id: str) -> str:
        corrected: tuple[Entity, ...] = ("invoice", "debit_memo")
        for entity in corrected:
            mapped = work.mappings.by_external(entity, external_id)
            if mapped is not None:
                return mapped.core_id
        raise _UnresolvedError(
            f"it corrects {external_id}, which was never pulled",
            hint="Pull invoices and debit memos first",
            value=external_id,
        )

    def _targets(self, work: _Work, applications: Sequence[Applied]) -> dict[str, Money]:
        found: dict[str, Money] = {}
        for applied in applications:
            target = self._resolve(work, applied.target, applied.target_id)
            found[target] = found[target] + applied.amount if target in found else applied.amount
        return found

    def _void(self, work: _Work, record: Record, core_id: str) -> None:
        current = self._document(core_id)
        if current is None or current.status is DocumentStatus.VOID:
            return
        try:
            self.ledger.void(
                core_id,
                on=max(self.clock.now().date(), _document_date(current)),
                actor=self.actor,
                idempotency_key=self._key(record, "void"),
            )
        except IllegalTransitionError as error:
            self._hold(
                work, "pull", record.entity, core_id, record.external_id,
                f"voided or deleted in the vendor, but arcore cannot void it: {error}",
                core=current, vendor=record,
            )  # fmt: skip
            raise _HeldError from error

    def _pull_applications(
        self,
        work: _Work,
        record: Record,
        source_id: str,
        source: Invoice | DebitMemo | CreditMemo | Payment,
        wanted: dict[str, Money],
        *,
        step: str = "",
    ) -> dict[str, Money]:
        """Make ``source_id``'s applications in the core equal to ``wanted`` (by target).

        ``step`` prefixes the ledger keys' step names (a carrier applies several sources).
        """
        if not isinstance(source, Payment | CreditMemo):
            return {}
        have: dict[str, list[Any]] = {}
        for stored in self.ledger.applications(source_id):
            application = stored.application
            if application.source_id == source_id and stored.reversal_entry_id is None:
                have.setdefault(application.target_id, []).append(application)
        source_date = _document_date(source)
        for target in sorted(set(have) | set(wanted)):
            held = have.get(target, [])
            total = sum((a.amount for a in held), Money.zero(source.currency))
            want = wanted.get(target, Money.zero(source.currency))
            if total == want:
                continue
            if want < total:
                # The vendor applied less: undo ours (reversal entries), then apply its amount.
                for application in held:
                    self.ledger.unapply(
                        application.id,
                        on=max(source_date, application.applied_date),
                        actor=self.actor,
                        idempotency_key=self._key(record, f"{step}unapply:{application.id}"),
                    )
                total = Money.zero(source.currency)
            if want > total:
                target_doc = self._document(target)
                on = max(source_date, _document_date(target_doc)) if target_doc else source_date
                self.ledger.apply(
                    source_id,
                    target,
                    want - total,
                    on=on,
                    actor=self.actor,
                    idempotency_key=self._key(record, f"{step}apply:{target}"),
                )
        return {target: amount for target, amount in wanted.items() if amount}

    def _planned_pull(self, work: _Work, record: Record) -> PlannedChange | None:
        entity = record.entity
        external_id = record.external_id
        mapped = work.mappings.by_external(entity, external_id) if external_id else None
        core_id = mapped.core_id if mapped else None
        if (
            mapped is not None
            and record.version is not None
            and mapped.version == record.version
            and mapped.deleted == record.deleted
        ):
            return None
        if core_id is not None and (entity, core_id) in work.conflicts:
            action: Any = "conflict"
        elif record.deleted:
            action = "delete"
        elif mapped is None:
            action = "create"
        else:
            action = "update"
        return PlannedChange("pull", entity, action, external_id, core_id)

    # --- reading the core --------------------------------------------------------------------

    def _customer(self, customer_id: str) -> Customer | None:
        try:
            return self.ledger.customer(customer_id)
        except NotFoundError:
            return None

    def _document(self, document_id: str) -> Document | None:
        try:
            return self.ledger.document(document_id)
        except NotFoundError:
            return None

    def _exists(self, document_id: str) -> bool:
        return self._document(document_id) is not None

    def _core_objects(self, entity: Entity) -> list[Customer] | list[Document]:
        if entity == "customer":
            return sorted(self.ledger.customers(), key=lambda customer: customer.id)
        ids = self.state.document_ids(entity)
        found = self.ledger.documents(ids)
        return [found[document_id] for document_id in ids if document_id in found]

    def _core_applications(self, source_id: str) -> dict[str, Money]:
        applied: dict[str, Money] = {}
        for stored in self.ledger.applications(source_id):
            application = stored.application
            if application.source_id != source_id or stored.reversal_entry_id is not None:
                continue
            target = application.target_id
            applied[target] = (
                applied[target] + application.amount if target in applied else application.amount
            )
        return applied

    # --- push --------------------------------------------------------------------------------

    def _external(self, work: _Work, entity: Entity, core_id: str) -> str:
        mapped = work.mappings.by_core(entity, core_id)
        if mapped is None:
            raise _UnresolvedError(
                f"it refers to {entity} {core_id}, which the vendor does not have yet",
                hint="Push that object first (its push failed: see the other failures)",
                value=core_id,
            )
        return mapped.external_id

    def _outbound(self, work: _Work, entity: Entity, obj: Customer | Document) -> Record:
        """The core object as a ``Record`` for the vendor: references in the vendor's ids."""
        mapped = work.mappings.by_core(entity, obj.id)
        changes: dict[str, object] = {}
        if isinstance(obj, Customer):
            if obj.parent_id is not None:
                changes["parent_id"] = self._external(work, "customer", obj.parent_id)
        else:
            customer_id = getattr(obj, "customer_id", None)
            if customer_id is not None:
                changes["customer_id"] = self._external(work, "customer", customer_id)
            corrects = getattr(obj, "corrects", None)
            if corrects is not None:
                kind = cast(Document, self._document(corrects)).kind
                changes["corrects"] = self._external(work, cast(Entity, kind), corrects)
        if mapped is not None:
            changes["id"] = mapped.external_id
        document = _rebuilt(obj, **changes) if changes else obj
        if not isinstance(document, Customer | Invoice | DebitMemo | CreditMemo | Payment):
            raise _UnresolvedError(f"arcore does not push {entity} objects")
        return Record(
            entity=entity,
            external_id=mapped.external_id if mapped else None,
            version=mapped.version if mapped else None,
            document=document,
        )

    def _push_work(
        self, work: _Work, entity: Entity, obj: Customer | Document
    ) -> Iterator[tuple[Operation, Record | None, tuple[Applied, ...]]]:
        """The writes one core object needs: ``(operation, record, applications)``."""
        if self._policy_for(work, entity, obj.id, self.policy) is None:
            work.report.of("push", entity).conflicts += 1
            return
        mapped = work.mappings.by_core(entity, obj.id)
        void = getattr(obj, "status", None) is DocumentStatus.VOID
        if mapped is None:
            if void:
                return  # never sent: nothing to void in the vendor
            record = self._outbound(work, entity, obj)
            if isinstance(obj, Payment | CreditMemo) and entity in self.capabilities.applies:
                # Sent with the create: a vendor whose payment must pay something (Xero)
                # needs them; one that cannot apply on create leaves them out of its answer.
                applied = self._core_applications(obj.id)
                if all(work.mappings.by_core(self._kind(t), t) for t in applied):
                    record = record.model_copy(
                        update={"applications": self._outbound_applications(work, applied)}
                    )
            yield "create", record, ()
        elif mapped.deleted:
            return
        elif digest_of(obj) != mapped.digest:
            if void and entity not in self.capabilities.voids:
                raise _UnresolvedError(
                    f"it was voided in arcore, and the {self.system} adapter cannot void "
                    f"{entity.replace('_', ' ')}s",
                    hint=f"Void it in {self.system} by hand",
                )
            record = self._outbound(work, entity, obj)
            yield ("void" if void else "update"), record, ()
        if void or not isinstance(obj, Payment | CreditMemo):
            return
        applied = self._core_applications(obj.id)
        mapped = work.mappings.by_core(entity, obj.id)
        if mapped is None:
            return  # not in the vendor yet (its create failed or is pending): a later run
        known = _applied_of(mapped)
        if known == applied:
            return
        zero = Money.zero(obj.currency)
        added = {t: applied.get(t, zero) - known.get(t, zero) for t in {*applied, *known}}
        if any(amount < zero for amount in added.values()):
            raise _UnresolvedError(
                f"it was unapplied in arcore after {self.system} had the application",
                hint=f"Unapply it in {self.system} by hand, then run the sync again",
            )
        if entity not in self.capabilities.applies:
            if applied:
                raise _UnresolvedError(
                    f"the {self.system} adapter cannot apply {entity.replace('_', ' ')}s",
                    hint=f"Apply it in {self.system} by hand",
                )
            return
        yield "apply", None, self._outbound_applications(work, added)

    def _kind(self, document_id: str) -> Entity:
        return cast(Entity, cast(Document, self._document(document_id)).kind)

    def _outbound_applications(self, work: _Work, applied: dict[str, Money]) -> tuple[Applied, ...]:
        """``applied`` (core target → amount) in the vendor's ids, by target id."""
        return tuple(
            Applied(
                target_id=self._external(work, kind, target),
                target=cast(Any, kind),
                amount=amount,
            )
            for target, amount in sorted(applied.items())
            if amount
            for kind in [self._kind(target)]
        )

    def _write(
        self,
        work: _Work,
        entity: Entity,
        obj: Customer | Document,
        operation: Operation,
        record: Record | None,
        applications: tuple[Applied, ...],
    ) -> None:
        """Store one write in the outbox (committed), then send it."""
        if record is None:  # an apply: name the object as the vendor has it now
            record = self._outbound(work, entity, obj)
        request = {
            "record": record.model_dump(mode="json"),
            "applications": [applied.model_dump(mode="json") for applied in applications],
            "digest": digest_of(obj),
            "applied": _applied_list(self._core_applications(obj.id))
            if isinstance(obj, Payment | CreditMemo)
            else "",
        }
        entry = OutboxEntry(new_key(), entity, obj.id, operation, json.dumps(request))
        self.state.add_pending(entry, at=self.clock.now())
        self._send(work, entry)

    def _send(self, work: _Work, entry: OutboxEntry) -> None:
        """Send one stored write with its stored key; then save the mapping and mark it done."""
        request = json.loads(entry.request)
        record = Record.model_validate(request["record"])
        applications = [Applied.model_validate(item) for item in request["applications"]]
        key = entry.idempotency_key
        adapter = self.adapter
        calls: dict[str, Callable[[], Record | None]] = {
            "create": lambda: adapter.create(record, idempotency_key=key),
            "update": lambda: adapter.update(record, idempotency_key=key),
            "void": lambda: adapter.void(record, idempotency_key=key),
            "apply": lambda: adapter.apply(record, applications, idempotency_key=key),
        }
        counts = work.report.of("push", entry.entity)
        try:
            result = self._call(work, calls[entry.operation])
        except StaleVersionError:
            self._finish(entry, "failed")
            self._stale(work, entry, record)
            return
        except (VendorValidationError, VendorNotFoundError) as error:
            self._finish(entry, "failed")
            work.report.fail(
                "push", entry.entity, _reason(error), external_id=record.external_id,
                core_id=entry.core_id,
            )  # fmt: skip
            return
        except VendorError as error:
            # Retries exhausted: the write stays pending and is re-sent, same key, next run.
            work.report.fail(
                "push", entry.entity, f"{_reason(error)} (will be re-sent on the next run)",
                external_id=record.external_id, core_id=entry.core_id,
            )  # fmt: skip
            return
        assert result is not None
        if result.carrier and entry.operation == "apply":
            self._carrier_sent(work, entry, result, request["applied"])
            counts.updated += 1
            return
        old = work.mappings.by_core(entry.entity, entry.core_id)
        external_id = result.external_id or record.external_id
        if external_id is None:
            work.report.fail(
                "push", entry.entity, "the vendor returned no id", core_id=entry.core_id
            )
            return
        row = (old or Mapped(entry.entity, external_id, entry.core_id, None)).but(
            external_id=external_id, version=result.version
        )
        if entry.operation == "apply":
            row = _keeping(row, applied=_applied_dict(request["applied"]))
        else:
            row = row.but(digest=request["digest"])
        own = [a for a in result.applications or () if a.source_id is None]
        if entry.operation == "create" and own:
            # What the vendor applied as part of the create (a later apply sends the rest).
            row = _keeping(row, applied=self._targets(work, own))
        self.state.save_mappings([row], at=self.clock.now(), done=key)
        work.mappings.put(row)
        self._close(work, entry.entity, entry.core_id)
        if entry.operation == "create":
            counts.created += 1
        elif entry.operation == "void":
            counts.deleted += 1
        else:
            counts.updated += 1

    def _carrier_sent(
        self, work: _Work, entry: OutboxEntry, carrier: Record, applied: list[list[str]]
    ) -> None:
        """The vendor recorded an apply as an object of its own: map it with what it carries."""
        carried = {
            (entry.core_id, self._resolve(work, one.target, one.target_id)): one.amount
            for one in carrier.applications or ()
        }
        source = work.mappings.by_core(entry.entity, entry.core_id)
        external_id = cast(str, carrier.external_id)
        core_id = core_id_for(self.system, carrier.entity, external_id)
        carrier_row = Mapped(carrier.entity, external_id, core_id, carrier.version)
        rows = [_keeping(carrier_row, carried=carried)]
        if source is not None:
            rows.append(_keeping(source, applied=_applied_dict(applied)))
        self.state.save_mappings(rows, at=self.clock.now(), done=entry.idempotency_key)
        for row in rows:
            work.mappings.put(row)
        self._close(work, entry.entity, entry.core_id)

    def _finish(self, entry: OutboxEntry, state: Literal["done", "failed"]) -> None:
        self.state.finish(entry.idempotency_key, state=state, at=self.clock.now())

    def _stale(self, work: _Work, entry: OutboxEntry, sent: Record) -> None:
        """The vendor's object changed since our version: refetch it and apply the policy."""
        assert sent.external_id is not None
        try:
            current = self._call(work, partial(self.adapter.get, entry.entity, sent.external_id))
        except VendorError as error:
            work.report.fail(
                "push", entry.entity, _reason(error), external_id=sent.external_id,
                core_id=entry.core_id,
            )  # fmt: skip
            return
        policy = self._policy_for(work, entry.entity, entry.core_id, self.policy) or "hold"
        core = (
            self._customer(entry.core_id)
            if entry.entity == "customer"
            else self._document(entry.core_id)
        )
        if policy == "core_wins" and core is not None and entry.core_id not in work.overwritten:
            work.overwritten.add(entry.core_id)  # once a run: the vendor may keep changing it
            mapped = work.mappings.by_core(entry.entity, entry.core_id)
            if mapped is not None:
                work.mappings.put(mapped.but(version=current.version))
            retry = sent.model_copy(update={"version": current.version})
            request = json.loads(entry.request)
            request["record"] = retry.model_dump(mode="json")
            again = OutboxEntry(
                new_key(), entry.entity, entry.core_id, entry.operation, json.dumps(request)
            )
            self.state.add_pending(again, at=self.clock.now())
            self._send(work, again)
        elif policy == "vendor_wins":
            self._pull_record(work, current, "vendor_wins")
        else:
            self._hold(
                work, "push", entry.entity, entry.core_id, sent.external_id,
                "changed in the vendor since the last sync (stale version) and in arcore",
                core=core, vendor=current,
            )  # fmt: skip


def _document_date(document: Document | _Receivable) -> date:
    if isinstance(document, Payment | CustomerDeposit):
        return document.received_date
    return document.document_date


def _reason(error: VendorError) -> str:
    detail = f" ({error.detail})" if error.detail and error.detail not in str(error) else ""
    return f"{error}{detail}"
