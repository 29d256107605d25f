"""Collection KPIs for a period: DSO, count-back DSO, CEI, past-due shares, turnover...

The formulas and conventions are domain.md's ("Collection KPIs"):

* the period runs from ``start`` to ``end``, both included; ``N`` is its number of days;
* AR at a date is the open balance at the end of that day, as the aging of that date
  counts it: invoices and debit memos less credit memos, unapplied payments and deposits;
* credit sales are the invoices and debit memos dated in the period less the credit memos
  dated in it (void documents do not count): the **total** of the period, not a monthly
  average, in DSO, best possible DSO, CEI, turnover and the bad-debt ratio alike;
* beginning AR is the AR at the end of the day before ``start``.

Count-back DSO walks back from ``end`` through calendar months. The first step is the
month of ``end`` from its first day to ``end`` (``end.day`` days); each earlier step is a
whole calendar month. Each step's credit sales are subtracted from ending AR; when what is
left is at most a step's sales (and those are positive), the result is the days of the
steps already passed plus what is left ÷ that step's sales × its days. The walk may go back
before ``start``. Ending AR of zero or less gives 0; AR that even every sale on record
does not exhaust gives ``None``.

Written off (the bad-debt ratio's numerator) is everything taken off AR as uncollectible
in the period: bad debts charged to the allowance (net of recoveries) and small balances
and short pays charged to write-off expense (including the write-off part of
applications). Discounts are not write-offs.

Average days to pay and days late are over the invoices and debit memos settled in the
period: their balance as of ``end`` is zero and the last entry that moved it is dated in
the period (that date is the settled date, whatever closed it: a payment, a credit, a
write-off). The mean is weighted by each document's total.

Every ratio and day count is a ``Decimal`` rounded to 4 places, half up, from exact
intermediate values; a KPI whose formula divides by zero is ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict

from arcore.errors import ValidationError
from arcore.ledger.repository import LedgerStore
from arcore.money import Money
from arcore.reports.history import (
    CustomerPeriod,
    PeriodHistory,
    csv_period,
    month_days,
    store_period,
)
from arcore.reports.model import KpiReport, Kpis

__all__ = [
    "DEFAULT_TARGETS",
    "KPI_KEYS",
    "Comparison",
    "Target",
    "TargetResult",
    "check_targets",
    "countback_dso",
    "kpi_edges",
    "kpis_from_csv",
    "kpis_from_history",
    "kpis_from_store",
]

KPI_KEYS: Final = (
    "dso",
    "countback_dso",
    "best_possible_dso",
    "add",
    "cei",
    "past_due_pct",
    "past_due_over_20_pct",
    "over_90_amount",
    "bad_debt_ratio",
    "turnover",
    "avg_days_to_pay",
    "avg_days_late",
)
"""The KPIs ``arcore kpis`` writes, in order (fields of [`Kpis`][arcore.reports.Kpis])."""

_PLACES: Final = Decimal("0.0001")
_HUNDRED: Final = Decimal(100)
_OVER: Final = 90  # "nothing over 90 days past due"


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_PLACES, rounding=ROUND_HALF_UP)


def _ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    return None if not denominator else Decimal(numerator) / Decimal(denominator)


def kpi_edges(over_days: int) -> tuple[int, ...]:
    """The bucket edges of the ending aging the KPIs need: ``over_days`` and 90.

    >>> kpi_edges(20), kpi_edges(90), kpi_edges(0)
    ((20, 90), (90,), (90,))
    """
    return tuple(sorted({edge for edge in (over_days, _OVER) if edge > 0}))


def _over(ending: Sequence[int], edges: Sequence[int], days: int) -> int:
    """AR more than ``days`` days past due: the bands whose first day is after ``days``."""
    lows = [1, *(edge + 1 for edge in edges)]  # first day of bands 1, 2, ...
    return sum(units for band, units in enumerate(ending[1:], start=0) if lows[band] > days)


def countback_dso(ending_ar: int, monthly: dict[tuple[int, int], int], end: date) -> Decimal | None:
    """Count-back DSO, unrounded, from ending AR and credit sales per calendar month.

    ``monthly`` maps ``(year, month)`` to the credit sales dated in it (in the month of
    ``end``, those up to ``end``); see the module for the walk.

    >>> sales = {(2026, 3): 3000, (2026, 2): 2800, (2026, 1): 3100}
    >>> countback_dso(4400, sales, date(2026, 3, 31))
    Decimal('45')
    >>> countback_dso(0, sales, date(2026, 3, 31)), countback_dso(9000, sales, date(2026, 3, 31))
    (Decimal('0'), None)
    """
    if ending_ar <= 0:
        return Decimal(0)
    if not monthly:
        return None
    earliest = min(monthly)
    left = ending_ar
    days = 0
    year, month = end.year, end.month
    step_days = end.day
    while (year, month) >= earliest:
        sales = monthly.get((year, month), 0)
        if sales > 0 and left <= sales:
            return days + Decimal(left) * step_days / Decimal(sales)
        left -= sales
        days += step_days
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        step_days = month_days(year, month)
    return None


def _kpis(figures: CustomerPeriod, currency: str, history: PeriodHistory, over_days: int) -> Kpis:
    days = (history.end - history.start).days + 1
    ending = sum(figures.ending)
    current = figures.ending[0]
    sales = figures.sales
    dso = _ratio(ending * days, sales)
    best = _ratio(current * days, sales)
    collectible = figures.beginning + sales
    money = Money.from_minor_units
    return Kpis(
        dso=_rounded(dso),
        countback_dso=_rounded(countback_dso(ending, figures.monthly, history.end)),
        best_possible_dso=_rounded(best),
        add=_rounded(None if dso is None or best is None else dso - best),
        cei=_rounded(_ratio((collectible - ending) * _HUNDRED, collectible - current)),
        past_due_pct=_rounded(_ratio((ending - current) * _HUNDRED, ending)),
        past_due_over_20_pct=_rounded(
            _ratio(_over(figures.ending, history.edges, over_days) * _HUNDRED, ending)
        ),
        over_90_amount=money(_over(figures.ending, history.edges, _OVER), currency),
        bad_debt_ratio=_rounded(_ratio(figures.written_off, sales)),
        turnover=_rounded(_ratio(2 * sales, figures.beginning + ending)),
        avg_days_to_pay=_rounded(_ratio(figures.settled_days, figures.settled)),
        avg_days_late=_rounded(_ratio(figures.settled_late, figures.settled)),
        beginning_ar=money(figures.beginning, currency),
        ending_ar=money(ending, currency),
        credit_sales=money(sales, currency),
    )


def kpis_from_history(history: PeriodHistory, *, over_days: int = 20) -> KpiReport:
    """The KPIs of every customer and of everyone, per currency, from a period's figures.

    A customer is listed when it had AR at the start or the end, credit sales, write-offs
    or settlements in the period; receipts of no known customer count only in the overall
    figures. Overall figures are computed from the sums over customers (not averaged).

    ``history``'s ending aging must have the edges of
    [`kpi_edges(over_days)`][arcore.reports.kpis.kpi_edges].
    """
    overall: dict[str, CustomerPeriod] = {}
    customers: dict[str, dict[str, Kpis]] = {}
    for (currency, customer_id), figures in sorted(
        history.customers.items(), key=lambda entry: (entry[0][0], entry[0][1] or "")
    ):
        total = overall.setdefault(currency, CustomerPeriod(ending=[0] * len(figures.ending)))
        total.add(figures)
        if customer_id is not None and figures.active():
            customers.setdefault(customer_id, {})[currency] = _kpis(
                figures, currency, history, over_days
            )
    return KpiReport(
        start=history.start,
        end=history.end,
        overall={
            currency: _kpis(figures, currency, history, over_days)
            for currency, figures in overall.items()
            if figures.active()
        },
        customers=dict(sorted(customers.items())),
    )


def _checked_period(start: date, end: date, over_days: int) -> tuple[int, ...]:
    if start > end:
        raise ValidationError(
            f"the period starts {start}, after its end {end}",
            hint="Give --from on or before --to",
            field="start",
            value=start,
        )
    if over_days < 0:
        raise ValidationError(
            f"days past due must be zero or more, not {over_days}",
            hint="Give a number of days such as 20",
            field="over_days",
            value=over_days,
        )
    return kpi_edges(over_days)


def kpis_from_store(
    store: LedgerStore, company_id: str, start: date, end: date, *, over_days: int = 20
) -> KpiReport:
    """The KPIs of a company's books for the period ``start`` to ``end`` (both included).

    ``over_days`` is the K of "past due over K days %" (the report's
    ``past_due_over_20_pct``).

    Raises:
        NotFoundError: the company has no books in the store.
        ValidationError: ``start`` after ``end``, or ``over_days`` negative.
    """
    edges = _checked_period(start, end, over_days)
    history = store_period(store, company_id, start=start, end=end, edges=edges)
    return kpis_from_history(history, over_days=over_days)


def kpis_from_csv(
    documents: Path,
    applications: Path | None = None,
    *,
    start: date,
    end: date,
    over_days: int = 20,
    customers: Path | None = None,
) -> KpiReport:
    """The KPIs of CSV files in the import format for ``start`` to ``end``.

    Balances as [`aging_from_csv`][arcore.reports.aging.aging_from_csv] reads them; the
    write-offs are the applications' ``writeoff_amount``.

    Raises:
        InputRejectedError: any bad row of either file, every one listed.
        ValidationError: ``start`` after ``end``, or ``over_days`` negative.
    """
    edges = _checked_period(start, end, over_days)
    history = csv_period(
        documents, applications, start=start, end=end, edges=edges, customers=customers
    )
    return kpis_from_history(history, over_days=over_days)


# --- targets ---------------------------------------------------------------------------------


class Comparison(StrEnum):
    """How a KPI must compare with its target's limit to pass."""

    BELOW = "<"
    """Strictly below the limit."""
    AT_MOST = "<="
    """At or below the limit."""


class Target(BaseModel):
    """A limit a KPI must respect, e.g. past-due below 30 %.

    Attributes:
        kpi: The [`Kpis`][arcore.reports.Kpis] field (``over_90_amount`` compares its
            amount).
        comparison: Strictly below, or at most.
        limit: The limit, in the KPI's unit (percent for ``*_pct``).
        label: What the target says, for people.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kpi: str
    comparison: Comparison
    limit: Decimal
    label: str


class TargetResult(BaseModel):
    """A target checked against a period's KPIs.

    Attributes:
        target: The target.
        value: The KPI's value (``None`` when its formula divides by zero).
        passed: Whether the value meets the target; ``None`` when there is no value to
            judge.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: Target
    value: Decimal | None
    passed: bool | None


DEFAULT_TARGETS: Final = (
    Target(
        kpi="past_due_pct",
        comparison=Comparison.BELOW,
        limit=Decimal(30),
        label="past-due below 30 %",
    ),
    Target(
        kpi="past_due_over_20_pct",
        comparison=Comparison.BELOW,
        limit=Decimal(20),
        label="past-due over 20 days below 20 %",
    ),
    Target(
        kpi="over_90_amount",
        comparison=Comparison.AT_MOST,
        limit=Decimal(0),
        label="nothing over 90 days past due",
    ),
)
"""The AR team's targets from ``seeds/`` (the yearly bad-debt target is the company's own)."""


def check_targets(kpis: Kpis, targets: Sequence[Target] = DEFAULT_TARGETS) -> list[TargetResult]:
    """Check KPIs against targets, one result per target, in order.

    >>> from arcore.money import Money
    >>> kpis = Kpis(dso=None, countback_dso=None, best_possible_dso=None, add=None, cei=None,
    ...     past_due_pct=Decimal("31.5"), past_due_over_20_pct=Decimal("4"),
    ...     over_90_amount=Money("0.00", "USD"), bad_debt_ratio=None, turnover=None,
    ...     avg_days_to_pay=None, avg_days_late=None, beginning_ar=Money("0.00", "USD"),
    ...     ending_ar=Money("0.00", "USD"), credit_sales=Money("0.00", "USD"))
    >>> [result.passed for result in check_targets(kpis)]
    [False, True, True]

    Raises:
        ValidationError: a target names no KPI.
    """
    results = []
    for target in targets:
        if target.kpi not in Kpis.model_fields:
            raise ValidationError(
                f"no KPI named {target.kpi!r}",
                hint=f"Name one of {', '.join(Kpis.model_fields)}",
                field="kpi",
                value=target.kpi,
            )
        found = getattr(kpis, target.kpi)
        value = found.amount if isinstance(found, Money) else found
        passed = None
        if value is not None:
            passed = (
                value < target.limit
                if target.comparison is Comparison.BELOW
                else (value <= target.limit)
            )
        results.append(TargetResult(target=target, value=value, passed=passed))
    return results
