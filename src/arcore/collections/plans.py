"""Payment plans: an installment schedule negotiated for an overdue balance.

The schedule comes from the credit-terms installment code
([`arcore.terms.schedule`][arcore.terms.schedule] over
[`InstallmentTerms`][arcore.terms.InstallmentTerms] counted from the day the plan is agreed),
so a plan's amounts sum to its total exactly. Each installment is met when the money applied to
the plan's items from the agreement day up to its due date (plus ``grace_days``) covers every
installment so far. Missing one breaks the plan, and dunning resumes; a plan paid in full is
completed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from arcore.collections.promises import Settlement, paid_towards
from arcore.documents import Identifier, PositiveAmount
from arcore.money import Money
from arcore.terms import InstallmentTerms, schedule

__all__ = [
    "InstallmentState",
    "PaymentPlan",
    "PlanState",
    "PlanStatus",
    "ScheduledInstallment",
    "plan_from_terms",
    "plan_protects",
    "plan_state",
]

PlanStatus = Literal["active", "completed", "broken", "cancelled"]
"""Where a plan stands as of a date."""


class ScheduledInstallment(BaseModel):
    """One installment of a plan: an amount due on a date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due_date: date
    """When it is due."""
    amount: PositiveAmount
    """How much is due."""


class PaymentPlan(BaseModel):
    """An installment schedule agreed for some overdue items."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier
    """The plan's id."""
    customer_id: Identifier
    """Whose plan."""
    agreed_on: date
    """When it was agreed; payments from this day count."""
    document_ids: tuple[Identifier, ...] = Field(min_length=1)
    """The items the plan covers (they leave dunning while it is kept)."""
    installments: tuple[ScheduledInstallment, ...] = Field(min_length=1)
    """The schedule, in due-date order."""
    grace_days: int = Field(default=0, ge=0)
    """Days after an installment's due date before it counts as missed."""
    collector: Identifier
    """Who negotiated it."""
    cancelled: bool = False
    """Withdrawn (kept for the record)."""

    @property
    def total(self) -> Money:
        """The sum of the installments."""
        first, *rest = (i.amount for i in self.installments)
        return sum(rest, first)


def plan_from_terms(
    id: str,
    customer_id: str,
    document_ids: Iterable[str],
    total: Money,
    terms: InstallmentTerms,
    *,
    agreed_on: date,
    collector: str,
    grace_days: int = 0,
) -> PaymentPlan:
    """Build a plan for ``total`` with the installment ``terms``, counted from ``agreed_on``.

    >>> from decimal import Decimal
    >>> from arcore.terms import parse_terms
    >>> plan = plan_from_terms("pp-1", "c-1", ["inv-1"], Money("100.00", "USD"),
    ...     parse_terms("Installments 50% Net 30, 50% Net 60"), agreed_on=date(2026, 1, 31),
    ...     collector="ana")
    >>> [(str(i.due_date), str(i.amount)) for i in plan.installments]
    [('2026-03-02', '50.00 USD'), ('2026-04-01', '50.00 USD')]
    """
    rows = schedule(terms, agreed_on, total)
    return PaymentPlan(
        id=id,
        customer_id=customer_id,
        agreed_on=agreed_on,
        document_ids=tuple(document_ids),
        installments=tuple(
            ScheduledInstallment(due_date=row.due_date, amount=row.amount) for row in rows
        ),
        grace_days=grace_days,
        collector=collector,
    )


class InstallmentState(BaseModel):
    """One installment as of a date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due_date: date
    """When it is due."""
    amount: Money
    """How much is due."""
    status: Literal["met", "missed", "open"]
    """Met (covered in time), missed (not covered by its due date plus grace), or open."""


class PlanState(BaseModel):
    """A plan as of a date: its status and each installment's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: PlanStatus
    """Active, completed, broken or cancelled."""
    paid: Money
    """Money applied to the plan's items since it was agreed, as of the date."""
    installments: tuple[InstallmentState, ...]
    """Each installment's state."""


def plan_state(plan: PaymentPlan, settlements: Iterable[Settlement], *, as_of: date) -> PlanState:
    """Where ``plan`` stands on ``as_of``, from the money applied to its items by then."""
    paid_list = list(settlements)
    currency = plan.total.currency

    def paid_by(day: date) -> Money:
        return paid_towards(paid_list, plan.document_ids, plan.agreed_on, day, currency)

    states: list[InstallmentState] = []
    owed = Money.zero(currency)
    broken = False
    for installment in plan.installments:
        owed += installment.amount
        deadline = installment.due_date + timedelta(days=plan.grace_days)
        if paid_by(min(deadline, as_of)) >= owed:
            status: Literal["met", "missed", "open"] = "met"
        elif as_of > deadline:
            status, broken = "missed", True
        else:
            status = "open"
        states.append(
            InstallmentState(
                due_date=installment.due_date, amount=installment.amount, status=status
            )
        )
    paid = paid_by(as_of)
    if plan.cancelled:
        overall: PlanStatus = "cancelled"
    elif broken:
        overall = "broken"
    elif paid >= plan.total:
        overall = "completed"
    else:
        overall = "active"
    return PlanState(status=overall, paid=paid, installments=tuple(states))


def plan_protects(
    plan: PaymentPlan, settlements: Iterable[Settlement], document_id: str, *, as_of: date
) -> bool:
    """Whether ``plan`` keeps ``document_id`` out of dunning on ``as_of`` (active or completed)."""
    if as_of < plan.agreed_on or document_id not in plan.document_ids:
        return False
    return plan_state(plan, settlements, as_of=as_of).status in ("active", "completed")
