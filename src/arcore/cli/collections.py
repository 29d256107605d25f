"""``arcore dunning``, ``arcore worklist`` and the collector's record commands.

- ``arcore dunning run``: decide and send the reminders due (``--dry-run`` lists them only);
- ``arcore dunning profile``: a customer's dunning group, language, collector, refused channels;
- ``arcore worklist``: the accounts to work today, ranked, with the next action;
- ``arcore interactions add|list``, ``arcore promise add|list``, ``arcore plan add|list``,
  ``arcore dispute open|resolve|list``: the collector's record.

Every command works on the books in a store (``--db``, ``--company``) through
[`arcore.store.collections`][arcore.store.collections],
[`arcore.store.dunning`][arcore.store.dunning] and
[`arcore.store.worklist`][arcore.store.worklist]; ``--json`` prints the result for scripts.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from arcore.cli import app, stdout
from arcore.cli.common import (
    DAY,
    AsJson,
    AsOf,
    By,
    Company,
    CustomerId,
    Url,
    customer_money,
    day_or_today,
    now,
    open_db,
    print_json,
)
from arcore.collections.channels import Channel, Delivery, Message
from arcore.collections.disputes import REASON_CODES, Dispute
from arcore.collections.interactions import INTERACTION_KINDS, Interaction
from arcore.collections.plans import plan_from_terms, plan_state
from arcore.collections.policy import (
    DEFAULT_POLICY,
    PolicySet,
    WorkingHours,
    policies_from_toml,
)
from arcore.collections.profile import CollectionProfile
from arcore.collections.promises import Promise, promise_status
from arcore.errors import ConfigurationError, ValidationError
from arcore.ledger import Ledger
from arcore.plugins import plugin_manager
from arcore.store import collections as records
from arcore.store.dunning import DunningReport, run_dunning
from arcore.store.worklist import load_worklist
from arcore.terms import InstallmentTerms, parse_terms

__all__ = ["dunning", "worklist_"]

dunning = typer.Typer(help="Dunning: reminders by policy, and customers' dunning profiles.")
app.add_typer(dunning, name="dunning")
interactions_app = typer.Typer(help="The interaction log: calls, emails, notes, pickups.")
app.add_typer(interactions_app, name="interactions")
promise_app = typer.Typer(help="Promises to pay.")
app.add_typer(promise_app, name="promise")
plan_app = typer.Typer(help="Payment plans (installment schedules for overdue items).")
app.add_typer(plan_app, name="plan")
dispute_app = typer.Typer(help="Disputed items: open, resolve, list.")
app.add_typer(dispute_app, name="dispute")

Day = Annotated[datetime | None, typer.Option(help="The date (default: today, UTC).", **DAY)]
RunAsOf = Annotated[
    datetime | None,
    typer.Option("--as-of", help="The date (default: today in the policy's time zone).", **DAY),
]


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --- dunning run -----------------------------------------------------------------------------


class _NotSent:
    """Stands in for a channel in a dry run: a dry run never sends."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, message: Message) -> Delivery:
        raise AssertionError(f"a dry run sent through {self.name}")  # pragma: no cover


_ENV_PREFIX = "ARCORE_CHANNEL_"


def _settings(values: list[str]) -> dict[str, dict[str, str]]:
    """Channel settings: ``ARCORE_CHANNEL_<CHANNEL>_<NAME>`` variables, then the options."""
    found: dict[str, dict[str, str]] = {}
    for variable, setting in os.environ.items():
        channel, _, name = variable.removeprefix(_ENV_PREFIX).lower().partition("_")
        if variable.startswith(_ENV_PREFIX) and channel and name:
            found.setdefault(channel, {})[name] = setting
    for value in values:
        key, sep, setting = value.partition("=")
        channel, dot, name = key.partition(".")
        if not sep or not dot or not channel or not name:
            # never repeat the value: it may be a password
            raise ValidationError(
                f"a --channel-setting for {key.strip()!r} is not CHANNEL.NAME=VALUE",
                hint="Write it like email.host=smtp.example.com",
                field="channel-setting",
                value=key.strip(),
            )
        found.setdefault(channel, {})[name] = setting
    return found


def _channels(policies: PolicySet, settings: list[str], dry_run: bool) -> dict[str, Channel]:
    factories = plugin_manager().notification_channels()
    given = _settings(settings)
    wanted = {s.channel for p in (policies.default, *policies.groups.values()) for s in p.steps}
    built: dict[str, Channel] = {}
    for name in sorted(wanted):
        factory = factories.get(name)
        if factory is None:
            continue  # run_dunning names the missing channel and what to do
        if dry_run:
            built[name] = _NotSent(name)
            continue
        if not callable(factory):
            raise ConfigurationError(
                f"the channel registered as {name!r} is not a factory",
                hint="A plugin must register a callable taking the settings mapping",
                field="channel",
                value=name,
            )
        built[name] = factory(given.get(name, {}))
    return built


def _team_today(hours: WorkingHours) -> date:
    """Today in the team's time zone (the default ``--as-of``)."""
    return now().astimezone(ZoneInfo(hours.time_zone)).date()


def _run_moment(as_of: date, hours: WorkingHours) -> datetime:
    """The moment a run for ``as_of`` schedules its messages from.

    A run for the team's today schedules from now; a run for another day from the opening
    of that day's working hours in the team's zone (never the day before, west of UTC).
    """
    zone = ZoneInfo(hours.time_zone)
    moment = now()
    if as_of == moment.astimezone(zone).date():
        return moment
    return datetime.combine(as_of, hours.start, zone)


@dunning.command("run")
def run_(
    url: Url = None,
    company: Company = "default",
    as_of: RunAsOf = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be done; send and post nothing.")
    ] = False,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            dir_okay=False,
            exists=True,
            help="Dunning policies (TOML); the built-in ladder by default.",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates", file_okay=False, exists=True, help="Your templates folder (first)."
        ),
    ] = None,
    channel_setting: Annotated[
        list[str] | None,
        typer.Option(
            "--channel-setting",
            metavar="CHANNEL.NAME=VALUE",
            help=(
                "A channel setting, e.g. email.host=smtp.example.com (repeatable). Secrets "
                "are better in the environment: ARCORE_CHANNEL_EMAIL_PASSWORD."
            ),
        ),
    ] = None,
    customer: Annotated[
        list[str] | None, typer.Option("--customer", help="Only this customer (repeatable).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Decide the reminders due on --as-of and send every queued one whose time has come.

    A reminder is queued for the team's working hours (the default policy's time zone and
    hours): a run at night queues it and the first run inside working hours sends it. The
    default --as-of is today in that time zone. Never the same step twice for an item.

    Exit status 0, or 4 when some send failed (it stays queued; the next run tries again).
    """
    policies = (
        policies_from_toml(policy.read_text(encoding="utf-8"), source=str(policy))
        if policy is not None
        else PolicySet(default=DEFAULT_POLICY)
    )
    hours = policies.default.working_hours
    day = _team_today(hours) if as_of is None else as_of.date()
    channels = _channels(policies, channel_setting or [], dry_run)
    with open_db(url) as store:
        report = run_dunning(
            store,
            company,
            as_of=day,
            at=_run_moment(day, hours),
            clock=now,
            policies=policies,
            channels=channels,
            dry_run=dry_run,
            customer_ids=set(customer) if customer else None,
            template_dir=templates,
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        _print_report(report)
    if report.failures:
        raise typer.Exit(4)


def _print_report(report: DunningReport) -> None:
    title = f"Dunning {'(dry run) ' if report.dry_run else ''}as of {report.as_of}"
    table = Table(title=title)
    for column in (
        "Customer",
        "Step",
        "Channel",
        "Items",
        "Amount",
        "Fees",
        "Action",
        "Scheduled",
        "Status",
    ):
        table.add_column(column)
    sent = {m.id for m in report.messages}
    shown = [*report.messages, *(m for m in report.queued if m.id not in sent)]
    for m in shown:
        table.add_row(
            escape(m.customer_id),
            escape(m.step),
            m.channel,
            escape(", ".join(m.document_ids)),
            str(m.amount),
            ", ".join(str(f) for f in m.fees),
            m.action or "",
            m.scheduled_at.isoformat(timespec="minutes"),
            m.status,
        )
    stdout.print(table)
    for s in report.skipped:
        stdout.print(f"skipped {escape(s.document_id)} {escape(s.step.name)}: {escape(s.reason)}")
    for e in report.exclusions:
        what = e.document_id or "all items"
        stdout.print(
            f"left out {escape(e.customer_id)} {escape(what)} ({e.reason}): {escape(e.detail)}"
        )
    for f in report.failures:
        stdout.print(f"[red]failed[/] {escape(f.customer_id)} {escape(f.step)}: {escape(f.error)}")


@dunning.command("profile")
def profile_(
    customer: CustomerId,
    url: Url = None,
    company: Company = "default",
    group: Annotated[str | None, typer.Option("--group", help="Dunning group.")] = None,
    language: Annotated[str, typer.Option("--language", help="Template language.")] = "en",
    collector: Annotated[str | None, typer.Option("--collector", help="Who works it.")] = None,
    refuse: Annotated[
        list[str] | None, typer.Option("--refuse", help="A channel never to use (repeatable).")
    ] = None,
) -> None:
    """Set a customer's dunning group, language, collector and refused channels."""
    profile = CollectionProfile(
        customer_id=customer,
        dunning_group=group,
        language=language,
        collector=collector,
        refused_channels=frozenset(refuse or ()),
    )
    with open_db(url) as store:
        Ledger(store, company).customer(customer)  # refuses an unknown customer
        records.save_profile(store, company, profile, at=now())
    stdout.print(f"profile of {escape(customer)} saved")


# --- worklist --------------------------------------------------------------------------------


@app.command("worklist")
def worklist_(
    url: Url = None,
    company: Company = "default",
    as_of: AsOf = None,
    collector: Annotated[
        str | None, typer.Option("--collector", help="Only this collector's accounts.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The accounts to work today, highest priority first, with the next action."""
    day = day_or_today(as_of)
    with open_db(url) as store:
        items = load_worklist(store, company, as_of=day, collector=collector)
    if as_json:
        print_json([i.model_dump(mode="json") for i in items])
        return
    table = Table(title=f"Worklist {day}" + (f" for {collector}" if collector else ""))
    for column in ("#", "Customer", "Past due", "Days", "Broken", "Risk", "Score", "Next action"):
        table.add_column(column)
    for i in items:
        table.add_row(
            str(i.rank),
            escape(f"{i.customer_id} {i.name}"),
            " + ".join(str(m) for m in (i.past_due, *i.other_past_due) if m) or str(i.past_due),
            str(i.oldest_days),
            str(i.broken_promises),
            str(i.risk),
            str(i.score),
            escape(i.next_action),
        )
    stdout.print(table)


# --- interactions ----------------------------------------------------------------------------


@interactions_app.command("add")
def interaction_add(
    customer: CustomerId,
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {', '.join(INTERACTION_KINDS)}.")],
    by: By,
    url: Url = None,
    company: Company = "default",
    contact: Annotated[str, typer.Option("--contact", help="Whom at the customer.")] = "",
    outcome: Annotated[str, typer.Option("--outcome", help="What came of it.")] = "",
    follow_up: Annotated[
        datetime | None, typer.Option("--follow-up", help="When to contact next.", **DAY)
    ] = None,
    document: Annotated[str | None, typer.Option("--document", help="The item.")] = None,
    note: Annotated[str, typer.Option("--note", help="Free text.")] = "",
    when: Annotated[
        datetime | None,
        typer.Option(
            "--when",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"],
            metavar="YYYY-MM-DD[THH:MM]",
            help="When it happened, UTC (default: now).",
        ),
    ] = None,
) -> None:
    """Log a call, email, letter, note, visit or payment pickup."""
    if kind not in INTERACTION_KINDS:
        raise ValidationError(
            f"{kind!r} is not an interaction kind",
            hint=f"Use one of: {', '.join(INTERACTION_KINDS)}",
            field="kind",
            value=kind,
        )
    moment = now()
    interaction = Interaction(
        id=_new_id("int"),
        customer_id=customer,
        kind=kind,  # type: ignore[arg-type]  # checked above
        occurred_at=moment if when is None else when.replace(tzinfo=UTC),
        collector=by,
        contact=contact,
        outcome=outcome,
        follow_up=None if follow_up is None else follow_up.date(),
        document_id=document,
        note=note,
    )
    with open_db(url) as store:
        Ledger(store, company).customer(customer)
        records.add_interaction(store, company, interaction, at=moment)
    stdout.print(f"logged {interaction.id}")


@interactions_app.command("list")
def interaction_list(
    url: Url = None,
    company: Company = "default",
    customer: Annotated[str | None, typer.Option("--customer", help="One customer.")] = None,
    collector: Annotated[str | None, typer.Option("--collector", help="One collector.")] = None,
    as_json: AsJson = False,
) -> None:
    """The interaction log, oldest first, per customer and/or collector."""
    with open_db(url) as store:
        found = records.interactions(store, company, customer_id=customer, collector=collector)
    if as_json:
        print_json([i.model_dump(mode="json") for i in found])
        return
    table = Table(title="Interactions")
    for column in ("When", "Customer", "Kind", "Who", "Contact", "Outcome", "Follow-up"):
        table.add_column(column)
    for i in found:
        table.add_row(
            i.occurred_at.isoformat(timespec="minutes"),
            escape(i.customer_id),
            i.kind,
            escape(i.collector),
            escape(i.contact),
            escape(i.outcome),
            str(i.follow_up or ""),
        )
    stdout.print(table)


# --- promises and plans ----------------------------------------------------------------------


@promise_app.command("add")
def promise_add(
    customer: CustomerId,
    amount: Annotated[str, typer.Option("--amount", help="The amount promised.")],
    by_date: Annotated[datetime, typer.Option("--date", help="Promised by.", **DAY)],
    by: By,
    url: Url = None,
    company: Company = "default",
    made_on: Day = None,
    document: Annotated[
        list[str] | None, typer.Option("--document", help="An item promised (repeatable).")
    ] = None,
) -> None:
    """Record a promise to pay (dunning pauses for its items until the date)."""
    with open_db(url) as store:
        promise = Promise(
            id=_new_id("ptp"),
            customer_id=customer,
            amount=customer_money(store, company, customer, amount, "amount"),
            made_on=day_or_today(made_on),
            promised_date=by_date.date(),
            document_ids=tuple(document or ()),
            collector=by,
        )
        records.add_promise(store, company, promise, at=now())
    stdout.print(f"recorded {promise.id}")


@promise_app.command("list")
def promise_list(
    url: Url = None,
    company: Company = "default",
    customer: Annotated[str | None, typer.Option("--customer", help="One customer.")] = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Promises to pay and where each stands (pending, kept, broken) on --as-of."""
    day = day_or_today(as_of)
    rows = []
    with open_db(url) as store:
        for p in records.promises(store, company, customer):
            paid = records.settlements(store, company, p.customer_id)
            rows.append((p, promise_status(p, paid, as_of=day)))
    if as_json:
        print_json([{**p.model_dump(mode="json"), "status": s} for p, s in rows])
        return
    table = Table(title=f"Promises to pay as of {day}")
    for column in ("Id", "Customer", "Amount", "Made", "By", "Status"):
        table.add_column(column)
    for p, s in rows:
        table.add_row(
            p.id, escape(p.customer_id), str(p.amount), str(p.made_on), str(p.promised_date), s
        )
    stdout.print(table)


@plan_app.command("add")
def plan_add(
    customer: CustomerId,
    terms: Annotated[
        str,
        typer.Option(
            "--terms", help="Installment terms, e.g. 'Installments 50% Net 30, 50% Net 60'."
        ),
    ],
    document: Annotated[
        list[str], typer.Option("--document", help="An item covered (repeatable).")
    ],
    by: By,
    url: Url = None,
    company: Company = "default",
    agreed_on: Day = None,
    grace_days: Annotated[int, typer.Option("--grace-days", min=0)] = 0,
) -> None:
    """Agree a payment plan over the open balance of the given items."""
    parsed = parse_terms(terms)
    if not isinstance(parsed, InstallmentTerms):
        raise ValidationError(
            f"{terms!r} are not installment terms",
            hint="Write them like 'Installments 50% Net 30, 50% Net 60'",
            field="terms",
            value=terms,
        )
    day = day_or_today(agreed_on)
    with open_db(url) as store:
        ledger = Ledger(store, company)
        balances = [ledger.document_balance(d, as_of=day) for d in document]
        total = sum(balances[1:], balances[0])
        plan = plan_from_terms(
            _new_id("plan"),
            customer,
            document,
            total,
            parsed,
            agreed_on=day,
            collector=by,
            grace_days=grace_days,
        )
        records.add_plan(store, company, plan, at=now())
    stdout.print(
        f"recorded {plan.id}: "
        + ", ".join(f"{i.amount} on {i.due_date}" for i in plan.installments)
    )


@plan_app.command("list")
def plan_list(
    url: Url = None,
    company: Company = "default",
    customer: Annotated[str | None, typer.Option("--customer", help="One customer.")] = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Payment plans and each installment's state on --as-of."""
    day = day_or_today(as_of)
    with open_db(url) as store:
        rows = [
            (
                plan,
                plan_state(plan, records.settlements(store, company, plan.customer_id), as_of=day),
            )
            for plan in records.plans(store, company, customer)
        ]
    if as_json:
        print_json(
            [{**p.model_dump(mode="json"), "state": s.model_dump(mode="json")} for p, s in rows]
        )
        return
    for plan, state in rows:
        stdout.print(
            f"{plan.id} {escape(plan.customer_id)} {plan.total}: {state.status}, paid {state.paid}"
        )
        for i in state.installments:
            stdout.print(f"  {i.due_date} {i.amount} {i.status}")


# --- disputes --------------------------------------------------------------------------------


@dispute_app.command("open")
def dispute_open(
    document: Annotated[str, typer.Option("--document", help="The item disputed.")],
    reason: Annotated[str, typer.Option("--reason", help=f"One of: {', '.join(REASON_CODES)}.")],
    owner: Annotated[str, typer.Option("--owner", help="Who works it out.")],
    by: By,
    url: Url = None,
    company: Company = "default",
    amount: Annotated[
        str | None, typer.Option("--amount", help="The disputed part (default: all open).")
    ] = None,
    opened_on: Day = None,
    note: Annotated[str, typer.Option("--note", help="Free text.")] = "",
) -> None:
    """Open a dispute on an item, or part of it (it leaves dunning, stays in aging)."""
    if reason not in REASON_CODES:
        raise ValidationError(
            f"{reason!r} is not a dispute reason code",
            hint=f"Use one of: {', '.join(REASON_CODES)}",
            field="reason",
            value=reason,
        )
    day = day_or_today(opened_on)
    with open_db(url) as store:
        ledger = Ledger(store, company)
        item = ledger.document(document)
        customer_id = str(getattr(item, "customer_id", ""))
        disputed = (
            ledger.document_balance(document, as_of=day)
            if amount is None
            else customer_money(store, company, customer_id, amount, "amount")
        )
        dispute = records.open_dispute(
            store,
            ledger,
            Dispute(
                id=_new_id("dsp"),
                document_id=document,
                customer_id=customer_id,
                amount=disputed,
                reason_code=reason,  # type: ignore[arg-type]  # checked above
                owner=owner,
                opened_on=day,
                note=note,
            ),
            actor=by,
            at=now(),
        )
    stdout.print(f"opened {dispute.id} on {escape(document)} for {dispute.amount}")


@dispute_app.command("resolve")
def dispute_resolve(
    dispute_id: Annotated[str, typer.Argument(help="The dispute.")],
    resolution: Annotated[str, typer.Option("--resolution", help="credit_memo or rejected.")],
    by: By,
    url: Url = None,
    company: Company = "default",
    on: Day = None,
) -> None:
    """Resolve a dispute: a credit memo for the disputed part, or rejected.

    A rebill (credit the item, issue a corrected invoice) needs the new invoice: use
    ``arcore.store.collections.resolve_dispute`` from Python.
    """
    if resolution not in ("credit_memo", "rejected"):
        raise ValidationError(
            f"{resolution!r} is not a resolution this command takes",
            hint="Use credit_memo or rejected (rebill from Python, with the new invoice)",
            field="resolution",
            value=resolution,
        )
    with open_db(url) as store:
        resolved = records.resolve_dispute(
            store,
            Ledger(store, company),
            dispute_id,
            resolution,  # type: ignore[arg-type]  # checked above
            on=day_or_today(on),
            actor=by,
            at=now(),
        )
    posted = ", ".join(resolved.resolution_documents) or "nothing posted"
    stdout.print(f"resolved {resolved.id}: {resolved.resolution} ({posted})")


@dispute_app.command("list")
def dispute_list(
    url: Url = None,
    company: Company = "default",
    customer: Annotated[str | None, typer.Option("--customer", help="One customer.")] = None,
    as_json: AsJson = False,
) -> None:
    """Disputes, oldest first."""
    with open_db(url) as store:
        found = records.disputes(store, company, customer_id=customer)
    if as_json:
        print_json([d.model_dump(mode="json") for d in found])
        return
    table = Table(title="Disputes")
    for column in ("Id", "Item", "Customer", "Amount", "Reason", "Owner", "Opened", "Status"):
        table.add_column(column)
    for d in found:
        table.add_row(
            d.id,
            escape(d.document_id),
            escape(d.customer_id),
            str(d.amount),
            d.reason_code,
            escape(d.owner),
            str(d.opened_on),
            d.status if d.resolution is None else f"{d.status}: {d.resolution}",
        )
    stdout.print(table)
