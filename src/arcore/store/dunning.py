"""The dunning run: gather each customer's case from the store, decide, send, post, record.

For each customer with open receivables, [`run_dunning`][arcore.store.dunning.run_dunning]
builds a [`CustomerCase`][arcore.collections.CustomerCase] (policy of its group, open items as
of the date, disputes, promises, plans, payments, steps already recorded, refused channels),
calls [`decide`][arcore.collections.decide], and, unless it is a dry run, carries the decision
out customer by customer:

1. each fee or interest charge is posted as a debit memo through the ledger (idempotency key
   ``dunning:<item>:<policy>:<step>:fee``; a memo already posted by an earlier, interrupted
   run is reused, never posted twice);
2. one message per step reached (listing the customer's items at that step) is rendered from
   its template in the customer's language, the statement PDF attached for email and letters,
   and handed to the step's channel;
3. the step's action runs: a credit hold or write-off review through
   [`arcore.store.credit`][arcore.store.credit] (both safe to repeat), an escalation recorded
   here;
4. in one transaction, every step sent or skipped is recorded in ``collection_dunning`` (so it
   is never repeated), with an interaction logged per message and escalation.

A channel failure (SMTP down, no address) is reported and nothing of that step is recorded,
so the next run tries it again.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.engine import Connection

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
from arcore.errors import ArcoreError, ConfigurationError, NotFoundError
from arcore.ledger import Ledger
from arcore.money import Money
from arcore.reports.statements import render_pdf, statement
from arcore.store import collections as records
from arcore.store import credit
from arcore.store.schema import collection_dunning
from arcore.store.sql import SqlStore

__all__ = ["DunningReport", "Failure", "SentMessage", "dunning_history", "run_dunning"]

_KIND: Mapping[str, InteractionKind] = {
    "email": "email",
    "phone": "call",
    "letter": "letter",
    "sms": "sms",
}
_STATEMENT_DAYS = 90  # the statement attached covers the last quarter's movements


class SentMessage(BaseModel):
    """A message the run sent (or, in a dry run, would send)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
    """The dunned total of those items (first currency's, when items differ in currency)."""
    fees: tuple[Money, ...] = ()
    """Fees or interest charged with it."""
    fee_documents: tuple[str, ...] = ()
    """The debit memos posted (empty in a dry run)."""
    action: str | None = None
    """The step's action."""
    scheduled_at: AwareDatetime
    """When it goes out."""
    subject: str
    """Its subject line."""
    reference: str | None = None
    """The channel's reference (``None`` in a dry run)."""


class Failure(BaseModel):
    """A step that could not be carried out; nothing of it was recorded."""

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
    """Nothing was sent, posted or recorded."""
    messages: tuple[SentMessage, ...] = ()
    """Messages sent (or to send)."""
    skipped: tuple[PlannedStep, ...] = ()
    """Steps recorded as skipped (or to record), with their reasons."""
    exclusions: tuple[Exclusion, ...] = ()
    """Items and customers left out, with the reason."""
    failures: tuple[Failure, ...] = ()
    """Steps that failed (retried by the next run)."""


def dunning_history(store: SqlStore, company_id: str) -> dict[str, set[tuple[str, str, str]]]:
    """Every recorded (item, policy, step), by customer."""
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


def _cases(
    store: SqlStore,
    ledger: Ledger,
    policies: PolicySet,
    as_of: date,
    customer_ids: set[str] | None,
) -> list[tuple[Customer, CollectionProfile, CustomerCase]]:
    company_id = ledger.company_id
    profiles = records.load_profiles(store, company_id)
    history = dunning_history(store, company_id)
    items: dict[str, list[DunningItem]] = defaultdict(list)
    for item in ledger.open_items(as_of=as_of):
        if (
            item.kind in ("invoice", "debit_memo")
            and item.customer_id is not None
            and item.due_date is not None
            and item.balance.amount > 0
        ):
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
        cases.append(
            (
                customer,
                profile,
                CustomerCase(
                    customer_id=customer.id,
                    policy=policies.policy_for(profile.dunning_group),
                    items=items_in_order(items[customer.id]),
                    disputes=tuple(disputes[customer.id]),
                    promises=tuple(promises[customer.id]),
                    plans=tuple(plans[customer.id]),
                    settlements=tuple(
                        records.settlements(store, company_id, customer.id)
                        if needs_payments
                        else ()
                    ),
                    history=frozenset(history[customer.id]),
                    refused_channels=profile.refused_channels,
                ),
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


def _fee_memo(ledger: Ledger, planned: PlannedStep, fee: Money, as_of: date, actor: str) -> str:
    memo_id = f"fee-{planned.document_id}-{planned.policy}-{planned.step.name}"
    try:
        ledger.document(memo_id)
        return memo_id  # posted by an earlier run that stopped before recording
    except NotFoundError:
        pass
    memo = DebitMemo(
        company_id=ledger.company_id,
        id=memo_id,
        customer_id=planned.customer_id,
        currency=fee.currency,
        number=f"FEE-{planned.number or planned.document_id}-{planned.step.name}",
        document_date=as_of,
        amount=fee,
        corrects=planned.document_id,
        reason=f"dunning step {planned.step.name!r} on {planned.number or planned.document_id}",
    )
    ledger.issue(
        memo,
        actor=actor,
        idempotency_key=f"dunning:{planned.document_id}:{planned.policy}:{planned.step.name}:fee",
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


def _total(amounts: list[Money]) -> Money:
    first, *rest = amounts
    return sum((m for m in rest if m.currency == first.currency), first)


def _context(
    customer: Customer,
    recipient: Recipient,
    group: list[PlannedStep],
    as_of: date,
    company_name: str,
) -> dict[str, object]:
    fees = [p.fee for p in group if p.fee is not None]
    return {
        "company_name": company_name,
        "customer_name": customer.name,
        "contact_name": recipient.name,
        "contact_phone": recipient.phone or "",
        "as_of": as_of.isoformat(),
        "items": [
            {
                "document_id": p.document_id,
                "number": p.number,
                "due_date": p.due_date.isoformat(),
                "days_past_due": p.days_past_due,
                "amount": p.amount,
                "fee": p.fee,
            }
            for p in group
        ],
        "total": _total([p.amount for p in group]),
        "fees": _total(fees) if fees else None,
    }


def _record(
    connection: Connection,
    company_id: str,
    planned: PlannedStep,
    *,
    as_of: date,
    at: datetime,
    fee_document_id: str | None = None,
    reference: str = "",
) -> None:
    connection.execute(
        collection_dunning.insert().values(
            company_id=company_id,
            document_id=planned.document_id,
            policy=planned.policy,
            step=planned.step.name,
            customer_id=planned.customer_id,
            outcome="sent" if planned.outcome == "send" else "skipped",
            channel=planned.step.channel,
            as_of=as_of,
            scheduled_at=None
            if planned.scheduled_at is None
            else records.utc(planned.scheduled_at),
            reason=planned.reason if planned.outcome == "skip" else reference or planned.reason,
            fee_document_id=fee_document_id,
            recorded_at=records.utc(at),
        )
    )


class _Sent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    group: tuple[PlannedStep, ...]
    message: SentMessage
    recipient: Recipient
    delivery: Delivery | None
    fee_ids: Mapping[str, str]


def _message_for(
    ledger: Ledger,
    customer: Customer,
    profile: CollectionProfile,
    group: list[PlannedStep],
    *,
    as_of: date,
    company_name: str,
    template_dir: Path | None,
    attach: bool,
) -> tuple[Message, Recipient]:
    step = group[0].step
    recipient = _recipient(customer, step.channel)
    subject, body = render_message(
        step.template,
        profile.language,
        _context(customer, recipient, group, as_of, company_name),
        template_dir=template_dir,
    )
    scheduled = group[0].scheduled_at
    assert scheduled is not None  # a step to send is always scheduled
    attachments = (
        (_statement_pdf(ledger, customer.id, as_of),)
        if attach and step.channel in ("email", "letter")
        else ()
    )
    message = Message(
        company_id=ledger.company_id,
        customer_id=customer.id,
        channel=step.channel,
        step=step.name,
        recipient=recipient,
        subject=subject,
        body=body,
        scheduled_at=scheduled,
        document_ids=tuple(p.document_id for p in group),
        attachments=attachments,
    )
    return message, recipient


def _groups(decision: Decision) -> list[list[PlannedStep]]:
    by_step: dict[tuple[str, str], list[PlannedStep]] = defaultdict(list)
    for planned in decision.sends:
        by_step[(planned.policy, planned.step.name)].append(planned)
    return list(by_step.values())


def _summary(
    group: list[PlannedStep], subject: str, fee_ids: Mapping[str, str], reference: str | None
) -> SentMessage:
    first = group[0]
    scheduled = first.scheduled_at
    assert scheduled is not None
    return SentMessage(
        customer_id=first.customer_id,
        policy=first.policy,
        step=first.step.name,
        channel=first.step.channel,
        document_ids=tuple(p.document_id for p in group),
        amount=_total([p.amount for p in group]),
        fees=tuple(p.fee for p in group if p.fee is not None),
        fee_documents=tuple(fee_ids.values()),
        action=first.step.action,
        scheduled_at=scheduled,
        subject=subject,
        reference=reference,
    )


def _act(
    store: SqlStore,
    connection_work: list[tuple[str, PlannedStep, list[PlannedStep]]],
    company_id: str,
    group: list[PlannedStep],
    *,
    actor: str,
    at: datetime,
) -> None:
    step = group[0].step
    reason = f"dunning step {step.name!r} of policy {group[0].policy!r}"
    if step.action == "credit_hold":
        credit.place_hold(store, company_id, group[0].customer_id, reason=reason, by=actor, at=at)
    elif step.action == "write_off_review":
        for planned in group:
            credit.queue_for_review(
                store, company_id, planned.document_id, reason=reason, by=actor, at=at
            )
    elif step.action == "escalate":
        connection_work.append(("escalate", group[0], group))


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
) -> DunningReport:
    """Run dunning for ``company_id`` on ``as_of``; see the module documentation.

    Args:
        store: The store.
        company_id: Whose books.
        as_of: The run's date (days past due, promises and disputes are judged on it).
        at: The run's moment (time-zone aware); messages are scheduled from it, and it is
            the time recorded.
        policies: The dunning policies.
        channels: The channels by name (each step's channel must be there).
        dry_run: Decide and render only: nothing is sent, posted or recorded.
        actor: Who the postings and log entries are by.
        customer_ids: Only these customers (all when ``None``).
        template_dir: A folder of templates taking precedence over the built-in ones.
        attach_statement: Attach the statement PDF to emails and letters.

    Raises:
        ConfigurationError: a step's channel is not set up, or a template is unusable.
        NotFoundError: the company's books are not open.
    """
    _check_channels(policies, channels)
    ledger = Ledger(store, company_id, clock=lambda: at)
    company_name = ledger.books().name
    messages: list[SentMessage] = []
    skipped: list[PlannedStep] = []
    exclusions: list[Exclusion] = []
    failures: list[Failure] = []
    for customer, profile, case in _cases(store, ledger, policies, as_of, customer_ids):
        decision = decide(case, as_of=as_of, at=at)
        exclusions.extend(decision.exclusions)
        skips = [p for p in decision.steps if p.outcome == "skip"]
        done: list[_Sent] = []
        failed: set[str] = set()
        for group in _groups(decision):
            fee_ids: dict[str, str] = {}
            try:
                if not dry_run:
                    for planned in group:
                        if planned.fee is not None:
                            fee_ids[planned.document_id] = _fee_memo(
                                ledger, planned, planned.fee, as_of, actor
                            )
                message, recipient = _message_for(
                    ledger,
                    customer,
                    profile,
                    group,
                    as_of=as_of,
                    company_name=company_name,
                    template_dir=template_dir,
                    attach=attach_statement and not dry_run,
                )
                delivery = None if dry_run else channels[message.channel].send(message)
            except ConfigurationError:
                raise
            except ArcoreError as exc:
                failures.append(
                    Failure(customer_id=customer.id, step=group[0].step.name, error=str(exc))
                )
                failed.update(p.document_id for p in group)
                continue
            summary = _summary(
                group, message.subject, fee_ids, None if delivery is None else delivery.reference
            )
            messages.append(summary)
            done.append(
                _Sent(
                    group=tuple(group),
                    message=summary,
                    recipient=recipient,
                    delivery=delivery,
                    fee_ids=fee_ids,
                )
            )
        # the steps passed over for an item whose send failed wait for the retry with it
        skips = [p for p in skips if p.document_id not in failed]
        skipped.extend(skips)
        if dry_run or not (done or skips):
            continue
        _execute(store, company_id, done, skips, as_of=as_of, at=at, actor=actor)
    return DunningReport(
        as_of=as_of,
        dry_run=dry_run,
        messages=tuple(messages),
        skipped=tuple(skipped),
        exclusions=tuple(exclusions),
        failures=tuple(failures),
    )


def _execute(
    store: SqlStore,
    company_id: str,
    done: list[_Sent],
    skips: list[PlannedStep],
    *,
    as_of: date,
    at: datetime,
    actor: str,
) -> None:
    later: list[tuple[str, PlannedStep, list[PlannedStep]]] = []
    for sent in done:
        _act(store, later, company_id, list(sent.group), actor=actor, at=at)
    with store.session(company_id) as session:
        connection = session.connection
        for planned in skips:
            _record(connection, company_id, planned, as_of=as_of, at=at)
        for sent in done:
            reference = sent.delivery.reference if sent.delivery is not None else ""
            for planned in sent.group:
                _record(
                    connection,
                    company_id,
                    planned,
                    as_of=as_of,
                    at=at,
                    fee_document_id=sent.fee_ids.get(planned.document_id),
                    reference=reference,
                )
            first = sent.group[0]
            scheduled = sent.message.scheduled_at
            kind: InteractionKind = _KIND.get(first.step.channel, "note")
            records.insert_interaction(
                connection,
                company_id,
                Interaction(
                    # an (item, step) is recorded once, so its first item makes the id unique
                    id=f"dunning:{first.policy}:{first.step.name}:{first.document_id}",
                    customer_id=first.customer_id,
                    kind=kind,
                    occurred_at=scheduled,
                    collector=actor,
                    contact=sent.delivery.contact if sent.delivery else sent.recipient.name,
                    outcome=_outcome(first.step.channel, sent.message.subject),
                    follow_up=scheduled.date() if first.step.channel == "phone" else None,
                    document_id=first.document_id if len(sent.group) == 1 else None,
                    note=reference,
                ),
                at=at,
            )
        for _, first, group in later:
            records.escalate(
                connection,
                company_id,
                id=f"{first.policy}:{first.step.name}:{first.document_id}",
                customer_id=first.customer_id,
                document_ids=[p.document_id for p in group],
                agency=first.step.agency,
                on=as_of,
                amount=_total([p.amount for p in group]),
                reason=f"dunning step {first.step.name!r}",
                at=at,
            )


def _outcome(channel: str, subject: str) -> str:
    verb = {"phone": "call task", "letter": "letter written"}.get(channel, "sent")
    return f"{verb}: {subject}"
