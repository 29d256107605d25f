"""Which dunning step is due for each item: a pure function of the case and the date.

[`decide`][arcore.collections.dunning.decide] takes one customer's
[`CustomerCase`][arcore.collections.dunning.CustomerCase] (policy, open items, disputes,
promises, plans, payments, the steps already recorded, the channels the customer refuses) and
returns a [`Decision`][arcore.collections.dunning.Decision]: the steps to send, the steps
recorded as skipped, and why anything else was left alone. Nothing is sent or posted here;
[`arcore.store.dunning.run_dunning`][arcore.store.dunning.run_dunning] carries a decision out.

The rules, precisely:

- An item's days past due are ``as_of - due_date`` in calendar days; a step is *reached* when
  its ``days`` are at most that (a step of ``-3`` days is reached three days before the due
  date).
- A step is never repeated: a step recorded for an item (sent or skipped) is done.
- Never skipping silently: when several steps are reached and not yet recorded (the first run
  after a gap, or a new policy), only the highest is sent and the lower ones are recorded as
  ``skip`` with the reason. Lower steps left after a higher one was recorded are recorded as
  skipped (superseded) too.
- Excluded, and reported, not recorded (so they come back once the reason is gone): an item
  whose whole balance is disputed (the ledger's flag with no dispute record means the whole
  item), an item under a pending or kept promise-to-pay or an active payment plan, the
  past-due steps of a customer whose total dunnable past-due balance in the policy minimum's
  currency is below the minimum (every past-due item counts, whether a step is pending for it
  or not; disputed parts and items under a promise or plan do not; courtesy steps before the
  due date are not held back; other currencies have no minimum), and a step whose channel the
  customer refuses.
- A partly disputed item is dunned for its undisputed part only (``amount``); the fee, if
  any, is computed on that part with
  [`finance_charge`][arcore.finance_charges.finance_charge], from the due date, or, when an
  earlier step already charged interest on the item, from the date it was charged through
  (``CustomerCase.charged_through``; the grace days count only once), to ``as_of``.
- A step's message is scheduled at the first moment inside the policy's working hours at or
  after ``at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from arcore.collections.disputes import Dispute, disputed_amount
from arcore.collections.plans import PaymentPlan, plan_protects
from arcore.collections.policy import DunningPolicy, Step, next_working_moment
from arcore.collections.promises import Promise, Settlement, promise_protects
from arcore.documents import Identifier
from arcore.finance_charges import finance_charge
from arcore.money import Money

__all__ = [
    "CustomerCase",
    "Decision",
    "DunningItem",
    "Exclusion",
    "ExclusionReason",
    "PlannedStep",
    "decide",
    "history_key",
    "items_in_order",
]

ExclusionReason = Literal["disputed", "promise", "plan", "below_minimum", "channel_refused"]
"""Why an item (or a customer) was not dunned."""


def history_key(document_id: str, policy: str, step: str) -> tuple[str, str, str]:
    """The key a recorded step is remembered under: item, policy, step."""
    return (document_id, policy, step)


class DunningItem(BaseModel):
    """An open receivable of the customer (invoice or debit memo) as of the run's date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: Identifier
    """The item."""
    number: str | None = None
    """Its document number, for the message."""
    due_date: date
    """When it fell (or falls) due."""
    balance: Money
    """What is open on it, positive."""
    disputed: bool = False
    """The ledger's dispute flag (the whole item when no dispute record gives a part)."""


class CustomerCase(BaseModel):
    """Everything the decision needs about one customer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: Identifier
    """The customer."""
    policy: DunningPolicy
    """The customer's policy (from its group)."""
    items: tuple[DunningItem, ...] = ()
    """Its open receivables."""
    disputes: tuple[Dispute, ...] = ()
    """Its disputes (open or resolved; only those open on the date count)."""
    promises: tuple[Promise, ...] = ()
    """Its promises to pay."""
    plans: tuple[PaymentPlan, ...] = ()
    """Its payment plans."""
    settlements: tuple[Settlement, ...] = ()
    """Money applied to its items (to judge promises and plans)."""
    history: frozenset[tuple[str, str, str]] = frozenset()
    """Steps already recorded, as [`history_key`][arcore.collections.dunning.history_key]s."""
    refused_channels: frozenset[str] = frozenset()
    """Channels the customer's contact preferences forbid."""
    charged_through: Mapping[str, date] = {}
    """Per item, the date an earlier step charged its interest up to (none: never charged)."""


class PlannedStep(BaseModel):
    """A step to record for an item: sent now, or skipped with its reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str
    """The customer."""
    document_id: str
    """The item."""
    number: str | None
    """The item's number."""
    policy: str
    """The policy's name."""
    step: Step
    """The step."""
    outcome: Literal["send", "skip"]
    """Send it now, or record it as skipped."""
    days_past_due: int
    """The item's days past due on the run's date (negative before the due date)."""
    due_date: date
    """The item's due date."""
    amount: Money
    """What is dunned: the open balance less any disputed part."""
    fee: Money | None = None
    """The fee or interest to post with the step (``None`` without one or when it is zero)."""
    charged_through: date | None = None
    """The date ``fee`` charges interest up to (the run's date) when the step has a fee."""
    scheduled_at: AwareDatetime | None = None
    """When to send (inside working hours); ``None`` for a skipped step."""
    reason: str
    """Why it is sent or skipped, in words."""


class Exclusion(BaseModel):
    """An item (or the whole customer) left out of this run, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str
    """The customer."""
    document_id: str | None
    """The item, or ``None`` for the whole customer."""
    reason: ExclusionReason
    """Why."""
    detail: str
    """The particulars, in words."""


class Decision(BaseModel):
    """What one run decided for one customer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: tuple[PlannedStep, ...] = ()
    """Steps to record, sends and skips, in item then ladder order."""
    exclusions: tuple[Exclusion, ...] = ()
    """What was left out."""

    @property
    def sends(self) -> tuple[PlannedStep, ...]:
        """The steps to send."""
        return tuple(s for s in self.steps if s.outcome == "send")


class _Candidate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item: DunningItem
    days: int
    reached: tuple[Step, ...]
    pending: tuple[Step, ...]
    amount: Money


def _dunnable(case: CustomerCase, item: DunningItem, as_of: date) -> Money:
    disputed = disputed_amount(case.disputes, item.document_id, as_of=as_of)
    if disputed is None:
        return Money.zero(item.balance.currency) if item.disputed else item.balance
    rest = item.balance - disputed
    return rest if rest.amount > 0 else Money.zero(item.balance.currency)


def _protection(case: CustomerCase, item: DunningItem, as_of: date) -> Exclusion | None:
    for promise in case.promises:
        if promise_protects(promise, case.settlements, item.document_id, as_of=as_of):
            return Exclusion(
                customer_id=case.customer_id,
                document_id=item.document_id,
                reason="promise",
                detail=f"promise {promise.id}: {promise.amount} by {promise.promised_date}",
            )
    for plan in case.plans:
        if plan_protects(plan, case.settlements, item.document_id, as_of=as_of):
            return Exclusion(
                customer_id=case.customer_id,
                document_id=item.document_id,
                reason="plan",
                detail=f"payment plan {plan.id} is being kept",
            )
    return None


def _candidates(case: CustomerCase, as_of: date) -> tuple[list[_Candidate], list[Exclusion]]:
    policy = case.policy
    found: list[_Candidate] = []
    left_out: list[Exclusion] = []
    for item in case.items:
        if item.balance.amount <= 0:
            continue
        days = (as_of - item.due_date).days
        reached = policy.reached(days)
        pending = tuple(
            s
            for s in reached
            if history_key(item.document_id, policy.name, s.name) not in case.history
        )
        if not pending:
            continue
        amount = _dunnable(case, item, as_of)
        if amount.amount <= 0:
            left_out.append(
                Exclusion(
                    customer_id=case.customer_id,
                    document_id=item.document_id,
                    reason="disputed",
                    detail=f"{item.balance} open, all of it disputed",
                )
            )
            continue
        protected = _protection(case, item, as_of)
        if protected is not None:
            left_out.append(protected)
            continue
        found.append(
            _Candidate(item=item, days=days, reached=reached, pending=pending, amount=amount)
        )
    return found, left_out


def _below_minimum(case: CustomerCase, as_of: date) -> Exclusion | None:
    minimum = case.policy.minimum
    if minimum is None:
        return None
    total = Money.zero(minimum.currency)
    for item in case.items:
        if (
            item.balance.currency != minimum.currency
            or item.due_date >= as_of
            or item.balance.amount <= 0
            or _protection(case, item, as_of) is not None
        ):
            continue
        total += _dunnable(case, item, as_of)
    if total >= minimum:
        return None
    return Exclusion(
        customer_id=case.customer_id,
        document_id=None,
        reason="below_minimum",
        detail=f"{total} to dun is below the minimum of {minimum}",
    )


def _charge(case: CustomerCase, candidate: _Candidate, step: Step, as_of: date) -> Money:
    assert step.fee is not None  # only called for a step with a fee
    item = candidate.item
    since = case.charged_through.get(item.document_id)
    if since is None or since <= item.due_date:
        return finance_charge(candidate.amount, item.due_date, as_of, step.fee)
    # interest up to ``since`` is charged already, and so was any grace period
    return finance_charge(
        candidate.amount, since, as_of, step.fee.model_copy(update={"grace_days": 0})
    )


def _steps_for(
    case: CustomerCase, candidate: _Candidate, as_of: date, at: datetime
) -> tuple[list[PlannedStep], Exclusion | None]:
    policy, item = case.policy, candidate.item
    top = candidate.pending[-1]

    def planned(step: Step, outcome: Literal["send", "skip"], reason: str) -> PlannedStep:
        fee, through = None, None
        if outcome == "send" and step.fee is not None:
            charge = _charge(case, candidate, step, as_of)
            fee = charge if charge.amount > 0 else None
            through = as_of
        return PlannedStep(
            customer_id=case.customer_id,
            document_id=item.document_id,
            number=item.number,
            policy=policy.name,
            step=step,
            outcome=outcome,
            days_past_due=candidate.days,
            due_date=item.due_date,
            amount=candidate.amount,
            fee=fee,
            charged_through=through,
            scheduled_at=at if outcome == "send" else None,
            reason=reason,
        )

    if top != candidate.reached[-1]:
        latest = candidate.reached[-1]
        return [
            planned(s, "skip", f"superseded: the later step {latest.name!r} is already recorded")
            for s in candidate.pending
        ], None
    if top.channel in case.refused_channels:
        return [], Exclusion(
            customer_id=case.customer_id,
            document_id=item.document_id,
            reason="channel_refused",
            detail=f"step {top.name!r} uses {top.channel!r}, which the customer refuses",
        )
    steps = [
        planned(
            s,
            "skip",
            f"passed: at {candidate.days} days past due step {top.name!r} "
            f"({top.days} days) is due, so {s.name!r} ({s.days} days) is not sent",
        )
        for s in candidate.pending[:-1]
    ]
    steps.append(planned(top, "send", f"{candidate.days} days past due reaches step {top.name!r}"))
    return steps, None


def decide(case: CustomerCase, *, as_of: date, at: datetime) -> Decision:
    """Decide the dunning steps for one customer on ``as_of``; see the module documentation.

    Args:
        case: The customer's policy, items and record.
        as_of: The run's date: days past due, disputes, promises and plans are judged on it.
        at: The run's moment (time-zone aware): messages are scheduled from it.

    Raises:
        ValidationError: ``at`` has no time zone.
    """
    scheduled = next_working_moment(case.policy.working_hours, at)
    found, left_out = _candidates(case, as_of)
    below = _below_minimum(case, as_of)
    if below is not None:
        minimum = case.policy.minimum
        assert minimum is not None  # _below_minimum returns None without a minimum
        held = [c for c in found if c.amount.currency == minimum.currency and c.days > 0]
        found = [c for c in found if c not in held]
        if held:
            left_out.append(below)
    planned: list[PlannedStep] = []
    for candidate in found:
        steps, refused = _steps_for(case, candidate, as_of, scheduled)
        planned.extend(steps)
        if refused is not None:
            left_out.append(refused)
    return Decision(steps=tuple(planned), exclusions=tuple(left_out))


def items_in_order(items: Iterable[DunningItem]) -> tuple[DunningItem, ...]:
    """``items`` oldest due date first, then by id (the order messages list them in)."""
    return tuple(sorted(items, key=lambda i: (i.due_date, i.document_id)))
