"""The collector's record in the store: profiles, interactions, promises, plans, disputes.

Each function runs in one transaction of ``store.session(company_id)``. The domain models
live in [`arcore.collections`][arcore.collections]; this module only moves them in and out of
the ``collection_*`` tables (see [`arcore.store.schema`][arcore.store.schema]). Dispute
resolutions post through the [`Ledger`][arcore.ledger.Ledger] with idempotency keys derived
from the dispute, so a retried resolution never posts twice.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.engine import Connection, RowMapping

from arcore.collections.disputes import Dispute, Resolution
from arcore.collections.interactions import Interaction
from arcore.collections.plans import PaymentPlan
from arcore.collections.profile import CollectionProfile
from arcore.collections.promises import Promise, Settlement, promise_status
from arcore.documents import CreditMemo, Invoice
from arcore.errors import ConflictError, NotFoundError, ValidationError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.store.schema import (
    applications,
    collection_disputes,
    collection_escalations,
    collection_interactions,
    collection_plans,
    collection_profiles,
    collection_promises,
    documents,
)
from arcore.store.sql import SqlStore

__all__ = [
    "add_interaction",
    "add_plan",
    "add_promise",
    "broken_promises",
    "dispute_count",
    "disputes",
    "escalate",
    "insert_interaction",
    "interactions",
    "load_profiles",
    "open_dispute",
    "plans",
    "promises",
    "resolve_dispute",
    "save_profile",
    "settlements",
    "settlements_by_customer",
    "utc",
]


def _money(minor: int, currency: str) -> Money:
    return Money.from_minor_units(minor, currency)


# --- profiles ------------------------------------------------------------------------------


def save_profile(
    store: SqlStore, company_id: str, profile: CollectionProfile, *, at: datetime
) -> None:
    """Create or replace ``profile`` (group, language, collector, refused channels)."""
    t = collection_profiles
    row = {
        "dunning_group": profile.dunning_group,
        "language": profile.language,
        "collector": profile.collector,
        "blocked_channels": json.dumps(sorted(profile.refused_channels)),
        "updated_at": utc(at),
    }
    with store.session(company_id) as session:
        done = session.connection.execute(
            update(t)
            .where(t.c.company_id == company_id, t.c.customer_id == profile.customer_id)
            .values(**row)
        )
        if done.rowcount == 0:
            session.connection.execute(
                t.insert().values(company_id=company_id, customer_id=profile.customer_id, **row)
            )


def load_profiles(store: SqlStore, company_id: str) -> dict[str, CollectionProfile]:
    """Every customer's profile, by customer id (customers without one are absent)."""
    t = collection_profiles
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(select(t).where(t.c.company_id == company_id))
        return {
            r.customer_id: CollectionProfile(
                customer_id=r.customer_id,
                dunning_group=r.dunning_group,
                language=r.language,
                collector=r.collector,
                refused_channels=frozenset(json.loads(r.blocked_channels)),
            )
            for r in rows
        }


# --- interactions --------------------------------------------------------------------------


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC: SQLite keeps no offset, so every stored time is UTC."""
    return moment.astimezone(UTC)


def insert_interaction(
    connection: Connection, company_id: str, interaction: Interaction, *, at: datetime
) -> None:
    """Insert ``interaction`` inside a transaction the caller holds."""
    connection.execute(
        collection_interactions.insert().values(
            company_id=company_id,
            **{**interaction.model_dump(), "occurred_at": utc(interaction.occurred_at)},
            recorded_at=utc(at),
        )
    )


def add_interaction(
    store: SqlStore, company_id: str, interaction: Interaction, *, at: datetime
) -> None:
    """Log ``interaction``.

    Raises:
        ConflictError: an interaction with its id is already logged.
    """
    with store.session(company_id) as session:
        _refuse_existing(session.connection, collection_interactions, company_id, interaction.id)
        insert_interaction(session.connection, company_id, interaction, at=at)


def _refuse_existing(connection: Connection, t: Table, company_id: str, id: str) -> None:
    found = connection.execute(
        select(t.c.id).where(t.c.company_id == company_id, t.c.id == id)
    ).first()
    if found is not None:
        raise ConflictError(
            f"{t.name} already holds {id!r}",
            hint="Use a new id",
            field="id",
            value=id,
        )


def interactions(
    store: SqlStore,
    company_id: str,
    *,
    customer_id: str | None = None,
    collector: str | None = None,
    since: date | None = None,
) -> list[Interaction]:
    """The interaction log, oldest first, for a customer and/or a collector."""
    t = collection_interactions
    query = select(t).where(t.c.company_id == company_id)
    if customer_id is not None:
        query = query.where(t.c.customer_id == customer_id)
    if collector is not None:
        query = query.where(t.c.collector == collector)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(query.order_by(t.c.occurred_at, t.c.id)).mappings()
        found = [_interaction(r) for r in rows]
    if since is not None:
        found = [i for i in found if i.occurred_at.date() >= since]
    return found


def _interaction(r: RowMapping) -> Interaction:
    occurred = r["occurred_at"]
    if occurred.tzinfo is None:  # SQLite gives back naive UTC
        occurred = occurred.replace(tzinfo=UTC)
    return Interaction(
        id=r["id"],
        customer_id=r["customer_id"],
        kind=r["kind"],
        occurred_at=occurred,
        collector=r["collector"],
        contact=r["contact"],
        outcome=r["outcome"],
        follow_up=r["follow_up"],
        document_id=r["document_id"],
        note=r["note"],
    )


# --- settlements ---------------------------------------------------------------------------


_PAID_WITH = ("payment", "customer_deposit")  # money received; a credit memo is not a payment


def settlements(store: SqlStore, company_id: str, customer_id: str) -> list[Settlement]:
    """Payments and deposits applied to ``customer_id``'s items (they keep promises and plans).

    Credit memos applied (a dispute's resolution, a correction) are left out: they lower
    what is owed but are not money the customer paid. Unapplied applications are left out.
    """
    return settlements_by_customer(store, company_id, customer_id=customer_id).get(customer_id, [])


def settlements_by_customer(
    store: SqlStore, company_id: str, *, customer_id: str | None = None
) -> dict[str, list[Settlement]]:
    """Every customer's (or one's) settlements, in one query, keyed by customer id.

    The rows of [`settlements`][arcore.store.collections.settlements], for all customers.
    """
    a, d = applications, documents
    source = documents.alias("source")
    query = (
        select(d.c.customer_id, a.c.target_id, a.c.applied_date, a.c.amount_minor, a.c.currency)
        .join(d, and_(d.c.company_id == a.c.company_id, d.c.id == a.c.target_id))
        .join(source, and_(source.c.company_id == a.c.company_id, source.c.id == a.c.source_id))
        .where(
            a.c.company_id == company_id,
            d.c.customer_id.is_not(None) if customer_id is None else d.c.customer_id == customer_id,
            source.c.kind.in_(_PAID_WITH),
            a.c.reversal_entry_id.is_(None),
            a.c.amount_minor > 0,
        )
    )
    found: dict[str, list[Settlement]] = defaultdict(list)
    with store.session(company_id, write=False) as session:
        for customer, target, applied, units, currency in session.connection.execute(query):
            found[customer].append(
                Settlement(document_id=target, applied_date=applied, amount=_money(units, currency))
            )
    return dict(found)


# --- promises ------------------------------------------------------------------------------


def add_promise(store: SqlStore, company_id: str, promise: Promise, *, at: datetime) -> None:
    """Record ``promise`` and log it as an interaction of its collector.

    Raises:
        ConflictError: a promise with its id exists.
    """
    with store.session(company_id) as session:
        _refuse_existing(session.connection, collection_promises, company_id, promise.id)
        session.connection.execute(
            collection_promises.insert().values(
                company_id=company_id,
                id=promise.id,
                customer_id=promise.customer_id,
                currency=promise.amount.currency,
                amount_minor=promise.amount.to_minor_units(),
                made_on=promise.made_on,
                promised_date=promise.promised_date,
                document_ids=json.dumps(list(promise.document_ids)),
                collector=promise.collector,
                cancelled=promise.cancelled,
                recorded_at=utc(at),
            )
        )
        insert_interaction(
            session.connection,
            company_id,
            Interaction(
                id=f"promise:{promise.id}",
                customer_id=promise.customer_id,
                kind="promise",
                occurred_at=at,
                collector=promise.collector,
                outcome=f"promised {promise.amount} by {promise.promised_date}",
                follow_up=promise.promised_date,
            ),
            at=at,
        )


def promises(store: SqlStore, company_id: str, customer_id: str | None = None) -> list[Promise]:
    """Promises to pay, oldest first, of one customer or all."""
    t = collection_promises
    query = select(t).where(t.c.company_id == company_id)
    if customer_id is not None:
        query = query.where(t.c.customer_id == customer_id)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(query.order_by(t.c.made_on, t.c.id)).mappings()
        return [
            Promise(
                id=r["id"],
                customer_id=r["customer_id"],
                amount=_money(r["amount_minor"], r["currency"]),
                made_on=r["made_on"],
                promised_date=r["promised_date"],
                document_ids=tuple(json.loads(r["document_ids"])),
                collector=r["collector"],
                cancelled=r["cancelled"],
            )
            for r in rows
        ]


def broken_promises(
    store: SqlStore,
    company_id: str,
    customer_id: str,
    *,
    as_of: date,
    since: date | None = None,
) -> int:
    """How many of ``customer_id``'s promises were broken as of ``as_of``.

    Only promises whose promised date is on or after ``since`` count (all when ``None``).
    A promise is broken when the promised date passed before ``as_of`` without the promised
    amount applied to the promised items (see
    [`promise_status`][arcore.collections.promises.promise_status]).
    """
    made = [
        p
        for p in promises(store, company_id, customer_id)
        if since is None or p.promised_date >= since
    ]
    if not made:
        return 0
    paid = settlements(store, company_id, customer_id)
    return sum(1 for p in made if promise_status(p, paid, as_of=as_of) == "broken")


# --- payment plans -------------------------------------------------------------------------


def add_plan(store: SqlStore, company_id: str, plan: PaymentPlan, *, at: datetime) -> None:
    """Record ``plan`` and log it as an interaction.

    Raises:
        ConflictError: a plan with its id exists.
    """
    with store.session(company_id) as session:
        _refuse_existing(session.connection, collection_plans, company_id, plan.id)
        session.connection.execute(
            collection_plans.insert().values(
                company_id=company_id,
                id=plan.id,
                customer_id=plan.customer_id,
                currency=plan.total.currency,
                amount_minor=plan.total.to_minor_units(),
                agreed_on=plan.agreed_on,
                document_ids=json.dumps(list(plan.document_ids)),
                data=plan.model_dump_json(),
                collector=plan.collector,
                cancelled=plan.cancelled,
                recorded_at=utc(at),
            )
        )
        insert_interaction(
            session.connection,
            company_id,
            Interaction(
                id=f"plan:{plan.id}",
                customer_id=plan.customer_id,
                kind="plan",
                occurred_at=at,
                collector=plan.collector,
                outcome=f"payment plan of {len(plan.installments)} installments, {plan.total}",
                follow_up=plan.installments[0].due_date,
            ),
            at=at,
        )


def plans(store: SqlStore, company_id: str, customer_id: str | None = None) -> list[PaymentPlan]:
    """Payment plans, oldest first, of one customer or all."""
    t = collection_plans
    query = select(t.c.data, t.c.cancelled).where(t.c.company_id == company_id)
    if customer_id is not None:
        query = query.where(t.c.customer_id == customer_id)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(query.order_by(t.c.agreed_on, t.c.id))
        return [
            PaymentPlan.model_validate_json(data).model_copy(update={"cancelled": cancelled})
            for data, cancelled in rows
        ]


# --- disputes ------------------------------------------------------------------------------


def _dispute(r: RowMapping) -> Dispute:
    return Dispute(
        id=r["id"],
        document_id=r["document_id"],
        customer_id=r["customer_id"],
        amount=_money(r["amount_minor"], r["currency"]),
        reason_code=r["reason_code"],
        owner=r["owner"],
        opened_on=r["opened_on"],
        status=r["status"],
        resolution=r["resolution"],
        resolved_on=r["resolved_on"],
        resolution_documents=tuple(json.loads(r["resolution_documents"])),
        note=r["note"],
    )


def disputes(
    store: SqlStore,
    company_id: str,
    *,
    customer_id: str | None = None,
    document_id: str | None = None,
) -> list[Dispute]:
    """Disputes, oldest first, of a customer, an item, or all."""
    t = collection_disputes
    query = select(t).where(t.c.company_id == company_id)
    if customer_id is not None:
        query = query.where(t.c.customer_id == customer_id)
    if document_id is not None:
        query = query.where(t.c.document_id == document_id)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(query.order_by(t.c.opened_on, t.c.id)).mappings()
        return [_dispute(r) for r in rows]


def dispute_count(
    store: SqlStore, company_id: str, customer_id: str, *, since: date | None = None
) -> int:
    """How many disputes ``customer_id`` opened on or after ``since`` (all when ``None``)."""
    t = collection_disputes
    query = select(func.count()).where(t.c.company_id == company_id, t.c.customer_id == customer_id)
    if since is not None:
        query = query.where(t.c.opened_on >= since)
    with store.session(company_id, write=False) as session:
        return int(session.connection.execute(query).scalar_one())


def open_dispute(
    store: SqlStore,
    ledger: Ledger,
    dispute: Dispute,
    *,
    actor: str,
    at: datetime,
) -> Dispute:
    """Open ``dispute``: record the disputed part and log it, then flag the item in the ledger.

    The record comes first: should the ledger flag fail, the record alone already keeps the
    disputed part out of dunning (an item is never left flagged without a record, which would
    silence all of it). Running the same call again finishes the job: an identical record
    already there is kept, and the flag's idempotency key makes it set once.

    Raises:
        NotFoundError: the item does not exist.
        ValidationError: the disputed amount is more than the item's open balance, or the
            item is not the customer's.
        ConflictError: another dispute with its id exists.
    """
    document = ledger.document(dispute.document_id)
    if getattr(document, "customer_id", None) != dispute.customer_id:
        raise ValidationError(
            f"{dispute.document_id!r} is not an item of customer {dispute.customer_id!r}",
            hint="Check the document id and the customer",
            field="customer_id",
            value=dispute.customer_id,
        )
    open_balance = ledger.document_balance(dispute.document_id, as_of=dispute.opened_on)
    if dispute.amount > open_balance:
        raise ValidationError(
            f"the disputed {dispute.amount} is more than the {open_balance} open on "
            f"{dispute.document_id} on {dispute.opened_on}",
            hint="Dispute at most the open balance",
            field="amount",
            value=str(dispute.amount),
        )
    company_id = ledger.company_id
    with store.session(company_id) as session:
        if not _same_dispute_recorded(session.connection, company_id, dispute):
            _record_dispute(session.connection, company_id, dispute, actor=actor, at=at)
    ledger.set_dispute(
        dispute.document_id,
        True,
        actor=actor,
        idempotency_key=f"dispute:{dispute.id}:open",
        reason=f"dispute {dispute.id}: {dispute.reason_code}",
    )
    return dispute


def _same_dispute_recorded(connection: Connection, company_id: str, dispute: Dispute) -> bool:
    """Whether ``dispute`` is recorded already (a re-run); a different one of its id refuses."""
    t = collection_disputes
    row = (
        connection.execute(select(t).where(t.c.company_id == company_id, t.c.id == dispute.id))
        .mappings()
        .first()
    )
    if row is None:
        return False
    recorded = _dispute(row)
    if (
        recorded.document_id,
        recorded.customer_id,
        recorded.amount,
        recorded.reason_code,
        recorded.opened_on,
    ) != (
        dispute.document_id,
        dispute.customer_id,
        dispute.amount,
        dispute.reason_code,
        dispute.opened_on,
    ) or recorded.status != "open":
        raise ConflictError(
            f"collection_disputes already has {dispute.id!r}",
            hint="Use a new id",
            field="id",
            value=dispute.id,
        )
    return True


def _record_dispute(
    connection: Connection, company_id: str, dispute: Dispute, *, actor: str, at: datetime
) -> None:
    connection.execute(
        collection_disputes.insert().values(
            company_id=company_id,
            id=dispute.id,
            document_id=dispute.document_id,
            customer_id=dispute.customer_id,
            currency=dispute.amount.currency,
            amount_minor=dispute.amount.to_minor_units(),
            reason_code=dispute.reason_code,
            owner=dispute.owner,
            opened_on=dispute.opened_on,
            status="open",
            resolution=None,
            resolved_on=None,
            resolution_documents="[]",
            note=dispute.note,
            recorded_at=utc(at),
        )
    )
    insert_interaction(
        connection,
        company_id,
        Interaction(
            id=f"dispute:{dispute.id}",
            customer_id=dispute.customer_id,
            kind="dispute",
            occurred_at=at,
            collector=actor,
            outcome=f"disputed {dispute.amount} ({dispute.reason_code}), owner {dispute.owner}",
            document_id=dispute.document_id,
            note=dispute.note,
        ),
        at=at,
    )


def _check_still_open(ledger: Ledger, dispute: Dispute, memo_id: str) -> None:
    """Refuse a credit for more than the item still has open (unless an earlier try posted it)."""
    try:
        ledger.document(memo_id)
        return  # posted by an earlier attempt that stopped before recording the resolution
    except NotFoundError:
        pass
    open_now = ledger.document_balance(dispute.document_id)
    if dispute.amount > open_now:
        raise ValidationError(
            f"dispute {dispute.id!r} is for {dispute.amount}, but {dispute.document_id} has "
            f"only {open_now} open now (paid or credited since the dispute was opened)",
            hint=(
                "Resolve it as 'rejected' and credit what is still owed by hand, or reverse "
                "the payment or credit first"
            ),
            field="amount",
            value=str(dispute.amount),
        )


def resolve_dispute(
    store: SqlStore,
    ledger: Ledger,
    dispute_id: str,
    resolution: Resolution,
    *,
    on: date,
    actor: str,
    at: datetime,
    rebill: Invoice | None = None,
    number: str | None = None,
) -> Dispute:
    """Resolve a dispute through the ledger and record how.

    - ``credit_memo``: a credit memo for the disputed part (number ``number``, default
      ``CM-<dispute id>``) is issued and applied to the item;
    - ``rebill``: a credit memo for the item's whole open balance is issued and applied, and
      ``rebill`` (the corrected invoice) is issued;
    - ``rejected``: nothing is posted; the disputed part is dunned again.

    The item's ledger dispute flag is cleared once none of its disputes is open.

    Raises:
        NotFoundError: no such dispute.
        ConflictError: it is already resolved.
        ValidationError: ``rebill`` missing for a rebill, or given otherwise; or, for a
            credit memo, the item no longer has the disputed amount open (it is never credited
            beyond its balance).
    """
    company_id = ledger.company_id
    found = disputes(store, company_id)
    dispute = next((d for d in found if d.id == dispute_id), None)
    if dispute is None:
        raise NotFoundError(
            f"no dispute {dispute_id!r}",
            hint="List disputes with 'arcore dispute list'",
            field="dispute_id",
            value=dispute_id,
        )
    if dispute.status == "resolved":
        raise ConflictError(
            f"dispute {dispute_id!r} was resolved on {dispute.resolved_on} ({dispute.resolution})",
            hint="A resolved dispute cannot be resolved again; open a new one",
            field="dispute_id",
            value=dispute_id,
        )
    if (resolution == "rebill") != (rebill is not None):
        raise ValidationError(
            "a rebill needs the corrected invoice, and only a rebill takes one",
            hint="Pass the new invoice with resolution 'rebill' only",
            field="rebill",
            value=None if rebill is None else rebill.id,
        )
    posted: list[str] = []
    key = f"dispute:{dispute.id}"
    if resolution in ("credit_memo", "rebill"):
        amount = dispute.amount
        if resolution == "credit_memo":
            _check_still_open(ledger, dispute, f"cm-{dispute.id}")
        else:
            amount = ledger.document_balance(dispute.document_id)
        memo = CreditMemo(
            company_id=company_id,
            id=f"cm-{dispute.id}",
            customer_id=dispute.customer_id,
            currency=amount.currency,
            number=number or f"CM-{dispute.id}",
            document_date=on,
            amount=amount,
            corrects=dispute.document_id,
            reason=f"dispute {dispute.id} resolved: {resolution}",
        )
        ledger.issue(memo, actor=actor, idempotency_key=f"{key}:memo", reason=memo.reason)
        ledger.apply(
            memo.id,
            dispute.document_id,
            amount,
            on=on,
            actor=actor,
            idempotency_key=f"{key}:apply",
            reason=memo.reason,
        )
        posted.append(memo.id)
        if rebill is not None:
            ledger.issue(rebill, actor=actor, idempotency_key=f"{key}:rebill", reason=memo.reason)
            posted.append(rebill.id)
    others_open = any(
        d.document_id == dispute.document_id and d.status == "open" and d.id != dispute.id
        for d in found
    )
    if not others_open and ledger.document(dispute.document_id).disputed:
        ledger.set_dispute(
            dispute.document_id,
            False,
            actor=actor,
            idempotency_key=f"{key}:clear",
            reason=f"dispute {dispute.id} resolved: {resolution}",
        )
    resolved = dispute.model_copy(
        update={
            "status": "resolved",
            "resolution": resolution,
            "resolved_on": on,
            "resolution_documents": tuple(posted),
        }
    )
    Dispute.model_validate(resolved.model_dump())  # the resolved record is consistent
    t = collection_disputes
    with store.session(company_id) as session:
        session.connection.execute(
            update(t)
            .where(t.c.company_id == company_id, t.c.id == dispute.id)
            .values(
                status="resolved",
                resolution=resolution,
                resolved_on=on,
                resolution_documents=json.dumps(posted),
            )
        )
        insert_interaction(
            session.connection,
            company_id,
            Interaction(
                id=f"{key}:resolved",
                customer_id=dispute.customer_id,
                kind="dispute",
                occurred_at=at,
                collector=actor,
                outcome=f"dispute resolved: {resolution}"
                + (f" ({', '.join(posted)})" if posted else ""),
                document_id=dispute.document_id,
            ),
            at=at,
        )
    return resolved


# --- escalations ---------------------------------------------------------------------------


def escalate(
    connection: Connection,
    company_id: str,
    *,
    id: str,
    customer_id: str,
    document_ids: Sequence[str],
    agency: str,
    on: date,
    amount: Money,
    reason: str,
    at: datetime,
) -> None:
    """Record that ``customer_id``'s items went to ``agency`` (inside the caller's transaction).

    One row per call and an ``escalation`` interaction naming the items.
    """
    connection.execute(
        collection_escalations.insert().values(
            company_id=company_id,
            id=id,
            customer_id=customer_id,
            document_id=document_ids[0] if len(document_ids) == 1 else None,
            agency=agency,
            escalated_on=on,
            currency=amount.currency,
            amount_minor=amount.to_minor_units(),
            reason=reason,
            recorded_at=utc(at),
        )
    )
    insert_interaction(
        connection,
        company_id,
        Interaction(
            id=f"escalation:{id}",
            customer_id=customer_id,
            kind="escalation",
            occurred_at=at,
            collector="dunning",
            contact=agency,
            outcome=f"escalated {amount} to {agency}: {', '.join(document_ids)}",
            note=reason,
        ),
        at=at,
    )
