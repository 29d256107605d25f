"""What the reports compute: aging buckets and rows, aging reports, collection KPIs.

Every amount is [`Money`][arcore.money.Money] in one currency: a report holds one section
per currency and never sums across them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from arcore.errors import ValidationError
from arcore.ledger.repository import OpenItem
from arcore.money import Money

__all__ = [
    "AgingBasis",
    "AgingReport",
    "AgingRow",
    "Bucket",
    "KpiReport",
    "Kpis",
    "buckets",
]


class AgingBasis(StrEnum):
    """What the days of an item are counted from."""

    DUE = "due"
    """Days past the due date (days past due); the default."""
    DOCUMENT = "document"
    """Days since the document date (days outstanding)."""


class Bucket(BaseModel):
    """One column of an aging: the items whose days fall in ``[low, high]``.

    ``low`` is ``None`` for the first bucket (``current``: not yet due, days ≤ 0 by due
    date), ``high`` ``None`` for the last (``91+``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    low: int | None
    high: int | None

    def holds(self, days: int) -> bool:
        """Whether an item ``days`` old falls in this bucket."""
        return (self.low is None or days >= self.low) and (self.high is None or days <= self.high)


def buckets(edges: Sequence[int] = (30, 60, 90)) -> tuple[Bucket, ...]:
    """The buckets for ascending positive ``edges``: current, 1-30, 31-60, 61-90, 91+.

    >>> [b.label for b in buckets((30, 60, 90))]
    ['current', '1-30', '31-60', '61-90', '91+']
    >>> [b.label for b in buckets((15,))]
    ['current', '1-15', '16+']

    Raises:
        ValidationError: the edges are empty, not positive or not strictly ascending.
    """
    edges = list(edges)
    if not edges or any(e <= 0 for e in edges) or edges != sorted(set(edges)):
        raise ValidationError(
            f"aging bucket edges must be positive and strictly ascending, not {edges}",
            hint="Give edges such as 30,60,90",
            field="buckets",
            value=",".join(str(e) for e in edges),
        )
    found = [Bucket(label="current", low=None, high=0)]
    low = 1
    for edge in edges:
        found.append(Bucket(label=f"{low}-{edge}", low=low, high=edge))
        low = edge + 1
    found.append(Bucket(label=f"{low}+", low=low, high=None))
    return tuple(found)


class AgingRow(BaseModel):
    """One customer's aging in one currency (or the total of a currency, ``customer_id`` TOTAL).

    Attributes:
        customer_id: The customer (``TOTAL`` for a currency's total row; ``None`` for
            receipts no customer is known for).
        currency: The currency of every amount in the row.
        amounts: One amount per bucket of the report, in the report's bucket order.
        total: Σ ``amounts``, exactly: the customer's open balance.
        items: The open items behind the row, oldest first (empty unless asked for).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str | None
    currency: str
    amounts: tuple[Money, ...]
    total: Money
    items: tuple[OpenItem, ...] = ()


class AgingReport(BaseModel):
    """An aging as of a date: rows per customer and currency, and a total per currency.

    Attributes:
        as_of: Only entries dated on or before it count.
        basis: By due date (days past due) or by document date (days outstanding).
        buckets: The columns.
        rows: One row per customer and currency with a non-zero balance, sorted by
            currency, then customer id.
        totals: Per currency, the row of its totals (``customer_id`` ``TOTAL``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    basis: AgingBasis
    buckets: tuple[Bucket, ...]
    rows: tuple[AgingRow, ...]
    totals: dict[str, AgingRow]


class Kpis(BaseModel):
    """The collection KPIs of domain.md for one period, one currency, one scope.

    Ratios and days are ``Decimal`` (rounded to 4 places, half up); ``None`` where the
    formula divides by zero (no credit sales, no AR, nothing settled).

    Attributes:
        dso: Ending AR ÷ credit sales × days of the period.
        countback_dso: Count-back DSO, month by month.
        best_possible_dso: Current (not past due) AR ÷ credit sales × days.
        add: Average days delinquent: DSO − best possible DSO.
        cei: Collection effectiveness index, in percent.
        past_due_pct: Past-due AR ÷ total AR × 100, at the end of the period.
        past_due_over_20_pct: AR more than ``over_days`` (20) days past due ÷ total AR × 100.
        over_90_amount: AR more than 90 days past due.
        bad_debt_ratio: Written off in the period ÷ credit sales.
        turnover: Credit sales ÷ average AR.
        avg_days_to_pay: Over items fully settled in the period, amount-weighted mean of
            settled date − document date.
        avg_days_late: Same, of max(0, settled date − due date).
        beginning_ar: AR at the end of the day before the period.
        ending_ar: AR at the end of the period's last day.
        credit_sales: Invoices and debit memos less credit memos dated in the period.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    dso: Decimal | None
    countback_dso: Decimal | None
    best_possible_dso: Decimal | None
    add: Decimal | None
    cei: Decimal | None
    past_due_pct: Decimal | None
    past_due_over_20_pct: Decimal | None
    over_90_amount: Money
    bad_debt_ratio: Decimal | None
    turnover: Decimal | None
    avg_days_to_pay: Decimal | None
    avg_days_late: Decimal | None
    beginning_ar: Money
    ending_ar: Money
    credit_sales: Money


class KpiReport(BaseModel):
    """KPIs for a period: overall and per customer, per currency.

    Attributes:
        start: First day of the period (included).
        end: Last day of the period (included).
        overall: Per currency, the KPIs of every customer together.
        customers: Per customer id, per currency, that customer's KPIs.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    overall: dict[str, Kpis]
    customers: dict[str, dict[str, Kpis]]
