"""The dunning run: decide, queue each message in an outbox, send it when due, then post fees.

[`run_dunning`][arcore.store.dunning.run_dunning] works in two phases, each made of short
transactions (on PostgreSQL each write transaction holds the company's advisory lock):

1. **Decide and queue.** For each customer with open receivables it builds a
   [`CustomerCase`][arcore.collections.CustomerCase] (policy of its group, open items as of the
   date, disputes, promises, plans, payments, steps already recorded, the date each item's
   interest was charged through, refused channels) and calls
   [`decide`][arcore.collections.decide]. The steps to send become messages, one per
   (policy, step, currency): a customer owing in USD and EUR gets one message per currency,
   each with its own total, so amounts in different currencies are never added up. Each
   message is rendered and written to ``collection_outbox`` as a ``pending`` row, with its
   fees fixed, in one transaction with the ``collection_dunning`` records of its steps (so a
   step is never decided twice) and of the steps skipped. The row's id is derived from the
   company, policy, step, customer, currency and items, so a second run can never queue the
   same message twice. A pending message for an item that a later step now replaces is
   marked ``superseded``: its step is recorded as skipped and no fee is posted for it.
2. **Send what is due.** Every pending row whose scheduled time (the first moment inside the
   team's working hours) has come by ``clock()`` is claimed (a lease, so two runs at the
   same time do not both send it) and sent through its channel, with the statement PDF
   attached to emails and letters. After a successful send, the fees are posted as debit
   memos (idempotency key ``dunning:<row>:<item>:fee``), the step's action runs (credit hold,
   write-off review: both safe to repeat), and in one transaction the row is marked ``sent``
   with the real send time, the steps are recorded as sent with their fee memos, the
   interaction is logged at the send time and an escalation is recorded.

A send that fails leaves the row pending (with the attempt count and the error) for the next
run, and posts no fee. A crash between the send and the marking can send that one message a
second time: every attempt carries the same ``Message-ID`` (``<row id>@<sender's domain>``,
see [`EmailChannel`][arcore.collections.email.EmailChannel]) so the recipient's mail system
can recognise the duplicate, and the fee memos are never posted twice.

Fee memos are recognisable (id ``dunning-fee:...``, and recorded in ``collection_dunning``):
they are never dunned or charged on their own; an open one is listed with its parent item.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict
from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from arcore.collections.channels import (
    Attachment,
    Channel,
    Delivery,
    Message,
    Recipient,
    render_message,
)
from arcore.collections.dunning import (
    CustomerCase,
    Decision,
    DunningItem,
    Exclusion,
    PlannedStep,
    decide,
    history_key,
    items_in_order,
)
from arcore.collections.interactions import Interaction, InteractionKind
from arcore.collections.policy import PolicySet
from arcore.collections.profile import CollectionProfile
from arcore.documents import Customer, DebitMemo
from arcore.errors import ArcoreError, ConfigurationError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.reports.statements import render_pdf, statement
from arcore.store import collections as records
from arcore.store import credit
from arcore.store.schema import collection_dunning, collection_outbox
from arcore.store.sql import SqlStore

__all__ = [
    "FEE_PREFIX",
    "DunningReport",
    "Failure",
    "SentMessage",
    "dunning_history",
    "outbox",
    "run_dunning",
]

FEE_PREFIX = "dunning-fee:"
"""How the id of every fee or interest debit memo the dunning run posts begins."""

_LEASE = timedelta(minutes=10)  # a sender's claim on a row; a crashed run's claim runs out
_KIND: Mapping[str, InteractionKind] = {
    "email": "email",
    "phone": "call",
    "letter": "letter",
    "sms": "sms",
}
_STATEMENT_DAYS = 90  # the statement attached covers the last quarter's movements


class SentMessage(BaseModel):
    """A dunning message: queued by a run, or sent (in a dry run: what would be queued)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Its outbox row (also the base of its ``Message-ID``)."""
    customer_id: str
    """The customer."""
    policy: str
    """The policy."""
    step: str
    """The step."""
    channel: str
    """The channel."""
    document_ids: tuple[str, ...]
    """The items listed."""
    amount: Money
    """The dunned total of those items (all in one currency: one message per currency)."""
    fees: tuple[Money, ...] = ()
    """Fees or interest charged with it (posted once it is sent)."""
    fee_documents: tuple[str, ...] = ()
    """The debit memos posted (empty until it is sent)."""
    action: str | None = None
    """The step's action."""
    scheduled_at: AwareDatetime
    """When it is due to go out (inside the team's working hours)."""
    subject: str
    """Its subject line."""
    status: str = "pending"
    """``pending`` (queued, not sent yet), ``sent`` or, in a dry run, ``dry-run``."""
    sent_at: AwareDatetime | None = None
    """When it was actually sent."""
    reference: str | None = None
    """The channel's reference (the email's Message-ID, the letter's path...)."""


class Failure(BaseModel):
    """A message that could not be sent; it stays pending and the next run retries it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str
    """The customer."""
    step: str
    """The step."""
    error: str
    """What went wrong, with the hint."""


class DunningReport(BaseModel):
    """What a run did (or, dry, would do)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    """The run's date."""
    dry_run: bool
    """Nothing was queued, sent, posted or recorded."""
    queued: tuple[SentMessage, ...] = ()
    """Messages decided by this run (in a dry run: that it would queue)."""
    messages: tuple[SentMessage, ...] = ()
    """Messages sent by this run (queued by it or by an earlier run)."""
    skipped: tuple[PlannedStep, ...] = ()
    """Steps recorded as skipped (or to record), with their reasons."""
    exclusions: tuple[Exclusion, ...] = ()
    """Items and customers left out, with the reason."""
    failures: tuple[Failure, ...] = ()
    """Sends that failed (still pending: the next run retries them)."""


class _Queued(BaseModel):
    """An outbox row's ``data``: everything needed to send it and record it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: tuple[PlannedStep, ...]
    recipient: Recipient
    subject: str
    body: str
    attach: bool


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def dunning_history(store: SqlStore, company_id: str) -> dict[str, set[tuple[str, str, str]]]:
    """Every recorded (item, policy, step), by customer (queued, sent or skipped)."""
    t = collection_dunning
    found: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(
            select(t.c.customer_id, t.c.document_id, t.c.policy, t.c.step).where(
                t.c.company_id == company_id
            )
        )
        for customer_id, document_id, policy, step in rows:
            found[customer_id].add(history_key(document_id, policy, step))
    return found


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    history: dict[str, set[tuple[str, str, str]]]
    charged_through: dict[str, date]
    fee_parents: dict[str, str]


def _dunning_record(store: SqlStore, company_id: str) -> _Record:
    t = collection_dunning
    history: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    charged: dict[str, date] = {}
    parents: dict[str, str] = {}
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(
            select(
                t.c.customer_id,
                t.c.document_id,
                t.c.policy,
                t.c.step,
                t.c.outcome,
                t.c.charged_through,
                t.c.fee_document_id,
            ).where(t.c.company_id == company_id)
        )
        for customer_id, document_id, policy, step, outcome, through, fee_id in rows:
            history[customer_id].add(history_key(document_id, policy, step))
            # only a sent step's fee is posted: a pending one is superseded by any later step
            if (
                outcome == "sent"
                and through is not None
                and through > charged.get(document_id, date.min)
            ):
                charged[document_id] = through
            if fee_id is not None:
                parents[fee_id] = document_id
    return _Record(history=dict(history), charged_through=charged, fee_parents=parents)


def outbox(store: SqlStore, company_id: str, *, status: str | None = None) -> list[SentMessage]:
    """The dunning messages queued for ``company_id`` (only ``status`` ones when given).

    Ordered by scheduled time, then id.
    """
    t = collection_outbox
    query = select(t).where(t.c.company_id == company_id)
    if status is not None:
        query = query.where(t.c.status == status)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(query.order_by(t.c.scheduled_at, t.c.id)).mappings()
        return [_summary_of_row(r) for r in rows]


def _summary_of_row(r: RowMapping) -> SentMessage:
    queued = _Queued.model_validate_json(str(r["data"]))
    sent_at = r["sent_at"]
    scheduled = r["scheduled_at"]
    assert isinstance(scheduled, datetime)
    return _summary(
        str(r["id"]),
        queued,
        scheduled_at=_aware(scheduled),
        status=str(r["status"]),
        sent_at=_aware(sent_at) if isinstance(sent_at, datetime) else None,
        reference=None if r["reference"] is None else str(r["reference"]),
        fee_documents=tuple(json.loads(str(r["fee_document_ids"] or "[]"))),
    )


def _check_channels(policies: PolicySet, channels: Mapping[str, Channel]) -> None:
    for policy in (policies.default, *policies.groups.values()):
        for step in policy.steps:
            if step.channel not in channels:
                raise ConfigurationError(
                    f"step {step.name!r} of policy {policy.name!r} uses channel "
                    f"{step.channel!r}, which is not set up",
                    hint=(
                        "Install a plugin that registers it (there is no built-in SMS sender) "
                        "or give its settings, e.g. --channel-setting email.host=..."
                    ),
                    field="channel",
                    value=step.channel,
                )


class _Case(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    customer: Customer
    profile: CollectionProfile
    case: CustomerCase
    open_fees: dict[str, list[tuple[str, Money]]]


def _cases(
    store: SqlStore,
    ledger: Ledger,
    policies: PolicySet,
    as_of: date,
    customer_ids: set[str] | None,
) -> list[_Case]:
    company_id = ledger.company_id
    profiles = records.load_profiles(store, company_id)
    record = _dunning_record(store, company_id)
    items: dict[str, list[DunningItem]] = defaultdict(list)
    fees: dict[str, dict[str, list[tuple[str, Money]]]] = defaultdict(lambda: defaultdict(list))
    for item in ledger.open_items(as_of=as_of):
        if (
            item.kind not in ("invoice", "debit_memo")
            or item.customer_id is None
            or item.due_date is None
            or item.balance.amount <= 0
        ):
            continue
        if item.document_id.startswith(FEE_PREFIX) or item.document_id in record.fee_parents:
            # a fee is never dunned or charged on its own: it is listed with its item
            parent = record.fee_parents.get(item.document_id)
            if parent is not None:
                fees[item.customer_id][parent].append(
                    (item.number or item.document_id, item.balance)
                )
            continue
        items[item.customer_id].append(
            DunningItem(
                document_id=item.document_id,
                number=item.number,
                due_date=item.due_date,
                balance=item.balance,
                disputed=item.disputed,
            )
        )
    disputes = defaultdict(list)
    for dispute in records.disputes(store, company_id):
        disputes[dispute.customer_id].append(dispute)
    promises = defaultdict(list)
    for promise in records.promises(store, company_id):
        promises[promise.customer_id].append(promise)
    plans = defaultdict(list)
    for plan in records.plans(store, company_id):
        plans[plan.customer_id].append(plan)
    cases = []
    for customer in ledger.customers():
        if customer.id not in items or (customer_ids and customer.id not in customer_ids):
            continue
        profile = profiles.get(customer.id, CollectionProfile(customer_id=customer.id))
        needs_payments = bool(promises[customer.id] or plans[customer.id])
        own = items_in_order(items[customer.id])
        case = CustomerCase(
            customer_id=customer.id,
            policy=policies.policy_for(profile.dunning_group),
            items=own,
            disputes=tuple(disputes[customer.id]),
            promises=tuple(promises[customer.id]),
            plans=tuple(plans[customer.id]),
            settlements=tuple(
                records.settlements(store, company_id, customer.id) if needs_payments else ()
            ),
            history=frozenset(record.history.get(customer.id, set())),
            refused_channels=profile.refused_channels,
            charged_through={
                i.document_id: record.charged_through[i.document_id]
                for i in own
                if i.document_id in record.charged_through
            },
        )
        cases.append(
            _Case(
                customer=customer,
                profile=profile,
                case=case,
                open_fees={k: list(v) for k, v in fees[customer.id].items()},
            )
        )
    return cases


def _recipient(customer: Customer, channel: str) -> Recipient:
    want = {"email": "email", "sms": "phone", "phone": "phone"}.get(channel)
    contacts = list(customer.contacts)
    preferred = [c for c in contacts if c.preferred_channel == channel]
    usable = [c for c in contacts if want is None or getattr(c, want)]
    candidates = preferred + usable + contacts
    if not candidates:
        return Recipient(name=customer.name)
    chosen = candidates[0]
    return Recipient(name=chosen.name, email=chosen.email, phone=chosen.phone)


def _fee_memo(
    ledger: Ledger, row_id: str, index: int, planned: PlannedStep, fee: Money, actor: str
) -> str:
    memo_id = f"{FEE_PREFIX}{row_id}:{index}"
    memo = DebitMemo(
        company_id=ledger.company_id,
        id=memo_id,
        customer_id=planned.customer_id,
        currency=fee.currency,
        number=f"FEE-{planned.number or planned.document_id}-{planned.step.name}",
        document_date=planned.charged_through or planned.due_date,
        amount=fee,
        corrects=planned.document_id,
        reason=f"dunning step {planned.step.name!r} on {planned.number or planned.document_id}",
    )
    # the same key on every attempt: a run that stopped after posting never posts it twice
    ledger.issue(
        memo,
        actor=actor,
        idempotency_key=f"dunning:{row_id}:{planned.document_id}:fee",
        reason=memo.reason,
    )
    return memo_id


def _statement_pdf(ledger: Ledger, customer_id: str, as_of: date) -> Attachment:
    built = statement(ledger, customer_id, as_of - timedelta(days=_STATEMENT_DAYS), as_of)
    with tempfile.TemporaryDirectory(prefix="arcore-dunning-") as folder:
        path = render_pdf(built, Path(folder) / "statement.pdf")
        data = path.read_bytes()
    return Attachment(
        filename=f"statement-{customer_id}-{as_of.isoformat()}.pdf",
        content_type="application/pdf",
        data=data,
    )


def _total(amounts: Sequence[Money], currency: str) -> Money:
    # every amount of a message is in its one currency (messages are split by currency)
    return sum(amounts, Money.zero(currency))


def _context(
    customer: Customer,
    recipient: Recipient,
    group: Sequence[PlannedStep],
    open_fees: Mapping[str, list[tuple[str, Money]]],
    as_of: date,
    company_name: str,
) -> dict[str, object]:
    currency = group[0].amount.currency
    fees = [p.fee for p in group if p.fee is not None]
    earlier = [
        {"number": number, "amount": amount}
        for p in group
        for number, amount in open_fees.get(p.document_id, [])
    ]
    return {
        "company_name": company_name,
        "customer_name": customer.name,
        "contact_name": recipient.name,
        "contact_phone": recipient.phone or "",
        "as_of": as_of.isoformat(),
        "currency": currency,
        "items": [
            {
                "document_id": p.document_id,
                "number": p.number,
                "due_date": p.due_date.isoformat(),
                "days_past_due": p.days_past_due,
                "amount": p.amount,
                "fee": p.fee,
                "open_fees": [
                    {"number": number, "amount": amount}
                    for number, amount in open_fees.get(p.document_id, [])
                ],
            }
            for p in group
        ],
        "total": _total(
            [p.amount for p in group] + [f["amount"] for f in earlier],  # type: ignore[misc]
            currency,
        ),
        "fees": _total(fees, currency) if fees else None,
    }


def _groups(decision: Decision) -> list[list[PlannedStep]]:
    by_step: dict[tuple[str, str, str], list[PlannedStep]] = defaultdict(list)
    for planned in decision.sends:
        by_step[(planned.policy, planned.step.name, planned.amount.currency)].append(planned)
    return list(by_step.values())


def _row_id(company_id: str, group: Sequence[PlannedStep]) -> str:
    first = group[0]
    key = [
        company_id,
        first.customer_id,
        first.policy,
        first.step.name,
        first.amount.currency,
        sorted(p.document_id for p in group),
    ]
    digest = hashlib.sha256(json.dumps(key).encode()).hexdigest()
    return f"dun-{digest[:32]}"


def _summary(
    row_id: str,
    queued: _Queued,
    *,
    scheduled_at: datetime,
    status: str,
    sent_at: datetime | None = None,
    reference: str | None = None,
    fee_documents: tuple[str, ...] = (),
) -> SentMessage:
    first = queued.steps[0]
    return SentMessage(
        id=row_id,
        customer_id=first.customer_id,
        policy=first.policy,
        step=first.step.name,
        channel=first.step.channel,
        document_ids=tuple(p.document_id for p in queued.steps),
        amount=_total([p.amount for p in queued.steps], first.amount.currency),
        fees=tuple(p.fee for p in queued.steps if p.fee is not None),
        fee_documents=fee_documents,
        action=first.step.action,
        scheduled_at=scheduled_at,
        subject=queued.subject,
        status=status,
        sent_at=sent_at,
        reference=reference,
    )


def _render(
    found: _Case,
    group: list[PlannedStep],
    *,
    as_of: date,
    company_name: str,
    template_dir: Path | None,
    attach: bool,
) -> _Queued:
    step = group[0].step
    recipient = _recipient(found.customer, step.channel)
    subject, body = render_message(
        step.template,
        found.profile.language,
        _context(found.customer, recipient, group, found.open_fees, as_of, company_name),
        template_dir=template_dir,
    )
    return _Queued(
        steps=tuple(group),
        recipient=recipient,
        subject=subject,
        body=body,
        attach=attach and step.channel in ("email", "letter"),
    )


def _dunning_row(
    company_id: str,
    planned: PlannedStep,
    *,
    as_of: date,
    at: datetime,
    message_id: str | None = None,
) -> dict[str, object]:
    return {
        "company_id": company_id,
        "document_id": planned.document_id,
        "policy": planned.policy,
        "step": planned.step.name,
        "customer_id": planned.customer_id,
        "outcome": "pending" if planned.outcome == "send" else "skipped",
        "channel": planned.step.channel,
        "as_of": as_of,
        "scheduled_at": None if planned.scheduled_at is None else records.utc(planned.scheduled_at),
        "reason": planned.reason,
        "fee_document_id": None,
        "recorded_at": records.utc(at),
        "charged_through": planned.charged_through,
        "message_id": message_id,
    }


def _already_decided(connection: Connection, company_id: str, steps: Sequence[PlannedStep]) -> bool:
    t = collection_dunning
    for planned in steps:
        found = connection.execute(
            select(t.c.outcome).where(
                t.c.company_id == company_id,
                t.c.document_id == planned.document_id,
                t.c.policy == planned.policy,
                t.c.step == planned.step.name,
            )
        ).first()
        if found is not None:
            return True
    return False


def _supersede(
    connection: Connection, company_id: str, customer_id: str, new: Sequence[PlannedStep]
) -> None:
    """Mark pending messages about items that a later step of the same policy now covers."""
    t, d = collection_outbox, collection_dunning
    later = {(p.document_id, p.policy): p.step.name for p in new}
    rows = connection.execute(
        select(t.c.id, t.c.data).where(
            t.c.company_id == company_id, t.c.customer_id == customer_id, t.c.status == "pending"
        )
    ).all()
    for row_id, data in rows:
        queued = _Queued.model_validate_json(data)
        replaced = [p for p in queued.steps if (p.document_id, p.policy) in later]
        if not replaced:
            continue
        connection.execute(
            update(t)
            .where(t.c.company_id == company_id, t.c.id == row_id)
            .values(status="superseded", claimed_until=None)
        )
        for p in queued.steps:
            by = later.get((p.document_id, p.policy))
            connection.execute(
                update(d)
                .where(
                    d.c.company_id == company_id,
                    d.c.document_id == p.document_id,
                    d.c.policy == p.policy,
                    d.c.step == p.step.name,
                )
                .values(
                    outcome="skipped",
                    charged_through=None,
                    reason=(
                        f"superseded: not sent before step {by!r} was reached"
                        if by is not None
                        else "superseded: sent with a message replaced by a later step"
                    ),
                )
            )


def _queue(
    store: SqlStore,
    company_id: str,
    decision: Decision,
    rendered: Sequence[tuple[str, _Queued]],
    *,
    as_of: date,
    at: datetime,
) -> bool:
    """Write the decision down in one transaction; ``False`` if another run already had."""
    with store.session(company_id) as session:
        connection = session.connection
        if _already_decided(connection, company_id, decision.steps):
            return False
        sends = [p for _, q in rendered for p in q.steps]
        if sends:
            _supersede(connection, company_id, sends[0].customer_id, sends)
        for planned in decision.steps:
            if planned.outcome == "skip":
                connection.execute(
                    collection_dunning.insert().values(
                        **_dunning_row(company_id, planned, as_of=as_of, at=at)
                    )
                )
        for row_id, queued in rendered:
            first = queued.steps[0]
            assert first.scheduled_at is not None  # a step to send is always scheduled
            for planned in queued.steps:
                connection.execute(
                    collection_dunning.insert().values(
                        **_dunning_row(company_id, planned, as_of=as_of, at=at, message_id=row_id)
                    )
                )
            connection.execute(
                collection_outbox.insert().values(
                    company_id=company_id,
                    id=row_id,
                    customer_id=first.customer_id,
                    policy=first.policy,
                    step=first.step.name,
                    channel=first.step.channel,
                    currency=first.amount.currency,
                    status="pending",
                    as_of=as_of,
                    scheduled_at=records.utc(first.scheduled_at),
                    data=queued.model_dump_json(),
                    attempts=0,
                    last_error=None,
                    claimed_until=None,
                    sent_at=None,
                    reference=None,
                    fee_document_ids=None,
                    created_at=records.utc(at),
                )
            )
    return True


def _claim(store: SqlStore, company_id: str, row_id: str, now: datetime) -> bool:
    t = collection_outbox
    with store.session(company_id) as session:
        claimed = session.connection.execute(
            update(t)
            .where(
                t.c.company_id == company_id,
                t.c.id == row_id,
                t.c.status == "pending",
                or_(t.c.claimed_until.is_(None), t.c.claimed_until < records.utc(now)),
            )
            .values(claimed_until=records.utc(now + _LEASE))
        )
        return claimed.rowcount == 1


def _release(store: SqlStore, company_id: str, row_id: str, error: str) -> None:
    t = collection_outbox
    with store.session(company_id) as session:
        session.connection.execute(
            update(t)
            .where(t.c.company_id == company_id, t.c.id == row_id)
            .values(claimed_until=None, attempts=t.c.attempts + 1, last_error=error)
        )


def _act(
    store: SqlStore, company_id: str, steps: Sequence[PlannedStep], *, actor: str, at: datetime
) -> None:
    step = steps[0].step
    reason = f"dunning step {step.name!r} of policy {steps[0].policy!r}"
    if step.action == "credit_hold":
        credit.place_hold(store, company_id, steps[0].customer_id, reason=reason, by=actor, at=at)
    elif step.action == "write_off_review":
        for planned in steps:
            credit.queue_for_review(
                store, company_id, planned.document_id, reason=reason, by=actor, at=at
            )


def _mark_sent(
    store: SqlStore,
    company_id: str,
    row_id: str,
    queued: _Queued,
    delivery: Delivery,
    fee_ids: Mapping[str, str],
    *,
    as_of: date,
    sent_at: datetime,
    actor: str,
) -> None:
    t, d = collection_outbox, collection_dunning
    first = queued.steps[0]
    with store.session(company_id) as session:
        connection = session.connection
        connection.execute(
            update(t)
            .where(t.c.company_id == company_id, t.c.id == row_id)
            .values(
                status="sent",
                sent_at=records.utc(sent_at),
                reference=delivery.reference,
                fee_document_ids=json.dumps(list(fee_ids.values())),
                claimed_until=None,
                attempts=t.c.attempts + 1,
                last_error=None,
            )
        )
        for planned in queued.steps:
            connection.execute(
                update(d)
                .where(
                    and_(
                        d.c.company_id == company_id,
                        d.c.document_id == planned.document_id,
                        d.c.policy == planned.policy,
                        d.c.step == planned.step.name,
                    )
                )
                .values(
                    outcome="sent",
                    fee_document_id=fee_ids.get(planned.document_id),
                    reason=delivery.reference or planned.reason,
                )
            )
        records.insert_interaction(
            connection,
            company_id,
            Interaction(
                id=f"dunning:{row_id}",
                customer_id=first.customer_id,
                kind=_KIND.get(first.step.channel, "note"),
                occurred_at=sent_at,
                collector=actor,
                contact=delivery.contact or queued.recipient.name,
                outcome=_outcome(first.step.channel, queued.subject),
                follow_up=sent_at.date() if first.step.channel == "phone" else None,
                document_id=first.document_id if len(queued.steps) == 1 else None,
                note=delivery.reference,
            ),
            at=sent_at,
        )
        if first.step.action == "escalate":
            records.escalate(
                connection,
                company_id,
                id=row_id,
                customer_id=first.customer_id,
                document_ids=[p.document_id for p in queued.steps],
                agency=first.step.agency,
                on=as_of,
                amount=_total([p.amount for p in queued.steps], first.amount.currency),
                reason=f"dunning step {first.step.name!r}",
                at=sent_at,
            )


def _due_rows(
    store: SqlStore, company_id: str, now: datetime, customer_ids: set[str] | None
) -> list[RowMapping]:
    t = collection_outbox
    query = select(t).where(
        t.c.company_id == company_id,
        t.c.status == "pending",
        t.c.scheduled_at <= records.utc(now),
    )
    if customer_ids:
        query = query.where(t.c.customer_id.in_(sorted(customer_ids)))
    with store.session(company_id, write=False) as session:
        order = (t.c.scheduled_at, t.c.customer_id, t.c.created_at, t.c.id)
        return list(session.connection.execute(query.order_by(*order)).mappings())


def _send_one(
    store: SqlStore,
    ledger: Ledger,
    row: RowMapping,
    channels: Mapping[str, Channel],
    *,
    clock: Callable[[], datetime],
    actor: str,
) -> SentMessage | Failure:
    company_id = ledger.company_id
    row_id = str(row["id"])
    queued = _Queued.model_validate_json(str(row["data"]))
    first = queued.steps[0]
    as_of = row["as_of"]
    assert isinstance(as_of, date)
    scheduled = row["scheduled_at"]
    assert isinstance(scheduled, datetime)
    if first.step.channel not in channels:
        _release(store, company_id, row_id, f"channel {first.step.channel!r} is not set up")
        raise ConfigurationError(
            f"a pending message uses channel {first.step.channel!r}, which is not set up",
            hint="Give the channel's settings, e.g. --channel-setting email.host=...",
            field="channel",
            value=first.step.channel,
        )
    try:
        attachments = (_statement_pdf(ledger, first.customer_id, as_of),) if queued.attach else ()
        sent_at = clock()
        message = Message(
            company_id=company_id,
            customer_id=first.customer_id,
            channel=first.step.channel,
            step=first.step.name,
            recipient=queued.recipient,
            subject=queued.subject,
            body=queued.body,
            scheduled_at=_aware(scheduled),
            sent_at=sent_at,
            message_id=row_id,
            document_ids=tuple(p.document_id for p in queued.steps),
            attachments=attachments,
        )
        delivery = channels[first.step.channel].send(message)
    except ArcoreError as exc:
        _release(store, company_id, row_id, str(exc))
        if isinstance(exc, ConfigurationError):
            raise
        return Failure(customer_id=first.customer_id, step=first.step.name, error=str(exc))
    # Sent: now (and only now) the fees are posted, the action taken, the step recorded.
    fee_ids = {
        p.document_id: _fee_memo(ledger, row_id, index, p, p.fee, actor)
        for index, p in enumerate(queued.steps)
        if p.fee is not None
    }
    _act(store, company_id, queued.steps, actor=actor, at=sent_at)
    _mark_sent(
        store,
        company_id,
        row_id,
        queued,
        delivery,
        fee_ids,
        as_of=as_of,
        sent_at=sent_at,
        actor=actor,
    )
    return _summary(
        row_id,
        queued,
        scheduled_at=_aware(scheduled),
        status="sent",
        sent_at=sent_at,
        reference=delivery.reference,
        fee_documents=tuple(fee_ids.values()),
    )


def run_dunning(
    store: SqlStore,
    company_id: str,
    *,
    as_of: date,
    at: datetime,
    policies: PolicySet,
    channels: Mapping[str, Channel],
    dry_run: bool = False,
    actor: str = "dunning",
    customer_ids: set[str] | None = None,
    template_dir: Path | None = None,
    attach_statement: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> DunningReport:
    """Run dunning for ``company_id`` on ``as_of``; see the module documentation.

    Args:
        store: The store.
        company_id: Whose books.
        as_of: The run's date (days past due, promises and disputes are judged on it).
        at: The run's moment (time-zone aware): messages are scheduled from it (at the first
            moment inside working hours at or after it), and it is the time recorded.
        policies: The dunning policies.
        channels: The channels by name (each step's channel must be there).
        dry_run: Decide and render only: nothing is queued, sent, posted or recorded.
        actor: Who the postings and log entries are by.
        customer_ids: Only these customers (all when ``None``).
        template_dir: A folder of templates taking precedence over the built-in ones.
        attach_statement: Attach the statement PDF to emails and letters.
        clock: The real time now (default: ``at``): pending messages scheduled at or before
            it are sent, and it is their send time (the email's ``Date:``, the log's time).

    Raises:
        ConfigurationError: a step's channel is not set up, a template is unusable, or the
            channel refused its configuration (the message stays pending).
        NotFoundError: the company's books are not open.
    """
    _check_channels(policies, channels)
    now = clock if clock is not None else (lambda: at)
    ledger = Ledger(store, company_id, clock=now)
    company_name = ledger.books().name
    queued: list[SentMessage] = []
    skipped: list[PlannedStep] = []
    exclusions: list[Exclusion] = []
    for found in _cases(store, ledger, policies, as_of, customer_ids):
        decision = decide(found.case, as_of=as_of, at=at)
        rendered = []
        for group in _groups(decision):
            message = _render(
                found,
                group,
                as_of=as_of,
                company_name=company_name,
                template_dir=template_dir,
                attach=attach_statement,
            )
            rendered.append((_row_id(company_id, group), message))
        if (
            not dry_run
            and decision.steps
            and not _queue(store, company_id, decision, rendered, as_of=as_of, at=at)
        ):
            continue  # a run at the same time decided this customer first
        exclusions.extend(decision.exclusions)
        skipped.extend(p for p in decision.steps if p.outcome == "skip")
        for row_id, message in rendered:
            scheduled = message.steps[0].scheduled_at
            assert scheduled is not None  # a step to send is always scheduled
            status = "dry-run" if dry_run else "pending"
            queued.append(_summary(row_id, message, scheduled_at=scheduled, status=status))
    sent: list[SentMessage] = []
    failures: list[Failure] = []
    if not dry_run:
        for row in _due_rows(store, company_id, now(), customer_ids):
            if not _claim(store, company_id, str(row["id"]), now()):
                continue  # another run is sending it
            outcome = _send_one(store, ledger, row, channels, clock=now, actor=actor)
            if isinstance(outcome, Failure):
                failures.append(outcome)
            else:
                sent.append(outcome)
    return DunningReport(
        as_of=as_of,
        dry_run=dry_run,
        queued=tuple(queued),
        messages=tuple(sent),
        skipped=tuple(skipped),
        exclusions=tuple(exclusions),
        failures=tuple(failures),
    )


def _outcome(channel: str, subject: str) -> str:
    verb = {"phone": "call task", "letter": "letter written"}.get(channel, "sent")
    return f"{verb}: {subject}"
