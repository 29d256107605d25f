"""The bad-debt allowance estimated from the aging, with a rate per bucket.

For each currency (never added across currencies), from the aging's total row:

1. each bucket's base is its total, or zero when the bucket is negative (credits are not
   provided for);
2. each bucket's allowance is base × rate ÷ 100, rounded half up to the currency's minor
   unit;
3. the allowance is the sum of the buckets', but never more than the currency's total open
   balance (nor less than zero): when credits in some buckets bring the total below the sum,
   ``cap`` is the (negative) difference.

Rates are percentages from 0 to 100, one for every bucket of the aging, given as
``label:rate`` text such as ``current:0.5%,1-30:1%,31-60:5%,61-90:20%,91+:50%``
([`parse_rates`][arcore.credit.allowance.parse_rates]).

>>> from datetime import date
>>> from arcore.reports import AgingBasis, AgingReport, AgingRow, buckets
>>> usd = [Money(a, "USD") for a in ("1000.00", "500.00", "200.00", "100.00", "80.00")]
>>> total = AgingRow(customer_id="TOTAL", currency="USD", amounts=tuple(usd),
...                  total=Money("1880.00", "USD"))
>>> aging = AgingReport(as_of=date(2026, 3, 31), basis=AgingBasis.DUE, buckets=buckets(),
...                     rows=(), totals={"USD": total})
>>> rates = parse_rates("current:1%,1-30:2%,31-60:10%,61-90:25%,91+:50%", aging.buckets)
>>> estimate = allowance(aging, rates)["USD"]
>>> [str(line.allowance) for line in estimate.lines], str(estimate.allowance)
(['10.00 USD', '10.00 USD', '20.00 USD', '25.00 USD', '40.00 USD'], '105.00 USD')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from arcore.errors import ValidationError
from arcore.money import Money
from arcore.reports.model import AgingReport, Bucket

__all__ = ["AllowanceEstimate", "AllowanceLine", "allowance", "parse_rates"]


class AllowanceLine(BaseModel):
    """One bucket of an allowance estimate.

    Attributes:
        bucket: The aging bucket's label.
        open: The bucket's total open balance.
        rate: The percentage provided for.
        allowance: max(open, 0) × rate ÷ 100, rounded half up to the minor unit.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    bucket: str
    open: Money
    rate: Decimal
    allowance: Money


class AllowanceEstimate(BaseModel):
    """The allowance for doubtful accounts of one currency.

    Attributes:
        currency: The currency.
        lines: One line per bucket, in the aging's order.
        total_open: The currency's total open balance.
        cap: The (zero or negative) adjustment keeping the allowance within the total open.
        allowance: Σ lines' allowances + cap.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str
    lines: tuple[AllowanceLine, ...]
    total_open: Money
    cap: Money
    allowance: Money


def parse_rates(text: str, buckets: Sequence[Bucket]) -> dict[str, Decimal]:
    """Rates per bucket label from ``label:rate`` text (``%`` optional), one per bucket.

    Raises:
        ValidationError: a part is malformed, names none of ``buckets``, repeats one,
            gives a rate outside 0 to 100, or a bucket has no rate.
    """
    labels = [bucket.label for bucket in buckets]
    rates: dict[str, Decimal] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        label, sep, rate_text = part.partition(":")
        label = label.strip()
        if not sep or label not in labels or label in rates:
            problem = "repeats a bucket" if label in rates else "names no bucket of the aging"
            raise ValidationError(
                f"rate {part!r} {problem}" if sep else f"rate {part!r} is not label:rate",
                hint=f"Give one label:rate per bucket, the labels being {', '.join(labels)}",
                field="rates",
                value=part,
            )
        try:
            rate = Decimal(rate_text.strip().removesuffix("%").strip())
        except InvalidOperation:
            rate = Decimal(-1)
        if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
            raise ValidationError(
                f"rate {rate_text.strip()!r} of bucket {label} is not a percentage from 0 to 100",
                hint="Write rates like 5% or 0.5",
                field="rates",
                value=part,
            )
        rates[label] = rate
    missing = [label for label in labels if label not in rates]
    if missing:
        raise ValidationError(
            f"no rate for the bucket(s) {', '.join(missing)}",
            hint="Give a rate for every bucket of the aging (0% is a rate)",
            field="rates",
            value=text,
        )
    return rates


def allowance(aging: AgingReport, rates: Mapping[str, Decimal]) -> dict[str, AllowanceEstimate]:
    """The allowance per currency from ``aging`` and a rate per bucket (see the module).

    Raises:
        ValidationError: a bucket of the aging has no rate, or a rate is outside 0 to 100.
    """
    for bucket in aging.buckets:
        rate = rates.get(bucket.label)
        if rate is None or not Decimal(0) <= rate <= Decimal(100):
            raise ValidationError(
                f"bucket {bucket.label} has no rate from 0 to 100 (got {rate})",
                hint="Give a rate for every bucket of the aging",
                field="rates",
                value=None if rate is None else str(rate),
            )
    estimates: dict[str, AllowanceEstimate] = {}
    for currency, row in sorted(aging.totals.items()):
        zero = Money.zero(currency)
        lines = []
        for bucket, amount in zip(aging.buckets, row.amounts, strict=True):
            rate = rates[bucket.label]
            base = amount if amount > zero else zero
            lines.append(
                AllowanceLine(
                    bucket=bucket.label,
                    open=amount,
                    rate=rate,
                    allowance=(base * (rate / 100)).quantize(),
                )
            )
        summed = sum((line.allowance for line in lines), zero)
        ceiling = row.total if row.total > zero else zero
        final = summed if summed <= ceiling else ceiling
        estimates[currency] = AllowanceEstimate(
            currency=currency,
            lines=tuple(lines),
            total_open=row.total,
            cap=final - summed,
            allowance=final,
        )
    return estimates
