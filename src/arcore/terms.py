"""Credit terms (payment terms): the notation, and the dates and amounts it implies.

Terms are frozen pydantic models, one per family of notation, joined in the discriminated
union [`Terms`][arcore.terms.Terms]:

| notation | model |
| --- | --- |
| ``Due on receipt``, ``Net 30``, ``2/10 Net 30`` | ``NetTerms(days=30, discount=...)`` |
| ``Net 30 EOM``, ``2/10 EOM Net 30`` | ``NetTerms(days=30, eom=True, ...)`` |
| ``Net 10th Prox``, ``Net 10th Prox cutoff 25``, ``2/5th Prox Net 25th Prox`` | ``ProxTerms`` |
| ``Installments 50% Net 30, 50% Net 60`` | ``InstallmentTerms`` |

[`parse_terms`][arcore.terms.parse_terms] reads the notation as people write it;
``str(terms)`` writes it back in the canonical spelling above, and the two round-trip.
Dates come from plain functions: [`due_date`][arcore.terms.due_date],
[`discount_deadline`][arcore.terms.discount_deadline] and [`schedule`][arcore.terms.schedule]
(the installments, with amounts split by largest remainder so they sum to the total).

>>> from datetime import date
>>> from arcore.money import Money
>>> terms = parse_terms("2/10 n/30")
>>> str(terms)
'2/10 Net 30'
>>> due_date(terms, date(2026, 1, 31)), discount_deadline(terms, date(2026, 1, 31))
(datetime.date(2026, 3, 2), datetime.date(2026, 2, 10))
>>> discount_amount(terms, Money("1000.00", "USD"))
Money('20.00', 'USD')
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from datetime import MAXYEAR, date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Annotated, Final, Literal, TypeVar

import pydantic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import ErrorDetails

from arcore.calendars import BusinessCalendar, calendar_from_spec, next_business_day
from arcore.errors import ConfigurationError, InvalidAmountError, TermsError
from arcore.errors import ValidationError as ArcoreValidationError
from arcore.money import Money, allocate, to_decimal

__all__ = [
    "DEFAULT_POLICY",
    "MAX_DAYS",
    "Discount",
    "Installment",
    "InstallmentRow",
    "InstallmentTerms",
    "NetTerms",
    "ProxDiscount",
    "ProxTerms",
    "Terms",
    "TermsPolicy",
    "business_calendar",
    "discount_amount",
    "discount_available",
    "discount_deadline",
    "due_date",
    "ordinal",
    "parse_terms",
    "schedule",
]

MAX_DAYS: Final = 3650
"""The longest term arcore accepts, in days (ten years)."""

_ACCEPTED: Final = (
    "Write one of: 'Due on receipt', 'Net 30', '2/10 Net 30', 'Net 30 EOM', '2/10 EOM Net 30', "
    "'Net 10th Prox', 'Net 10th Prox cutoff 25', '2/5th Prox Net 25th Prox', "
    "'Installments 50% Net 30, 50% Net 60'"
)


# --- the notation -------------------------------------------------------------------------


def _exact_decimal(value: object) -> Decimal:
    # The same gate as money: Decimal, int or a decimal string; a float is refused.
    return to_decimal(value, field="percent")


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without going to exponent form: 2.50 -> 2.5, 20.0 -> 20."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: checked by pydantic
    return normal.quantize(Decimal(1)) if exponent > 0 else normal


Percent = Annotated[
    Decimal,
    BeforeValidator(_exact_decimal),
    Field(gt=0, lt=100, decimal_places=4),
    AfterValidator(_plain),
]
"""A discount percentage: 0 < percent < 100, at most four decimal places."""

Share = Annotated[
    Decimal,
    BeforeValidator(_exact_decimal),
    Field(gt=0, le=100, decimal_places=4),
    AfterValidator(_plain),
]
"""An installment's share of the total, in percent: 0 < share <= 100."""

Days = Annotated[int, Field(strict=True, ge=0, le=MAX_DAYS)]
DayOfMonth = Annotated[int, Field(strict=True, ge=1, le=31)]


def ordinal(n: int) -> str:
    """Return ``n`` with its English ordinal suffix.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '31st']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _percent_text(percent: Decimal) -> str:
    return format(percent, "f")


class Discount(BaseModel):
    """An early-payment discount: ``percent`` off when paid within ``days``.

    >>> str(Discount(percent=Decimal("1.50"), days=10))
    '1.5/10'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    percent: Percent
    """Percent off, 0 < percent < 100 (``2`` for 2 %)."""
    days: Days
    """Length of the window, in days after the window's start (the document date or EOM)."""

    def __str__(self) -> str:
        return f"{_percent_text(self.percent)}/{self.days}"


class ProxDiscount(BaseModel):
    """A prox discount: ``percent`` off when paid by day ``day`` of the prox terms' target month.

    >>> str(ProxDiscount(percent=Decimal(2), day=5))
    '2/5th Prox'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    percent: Percent
    """Percent off, 0 < percent < 100."""
    day: DayOfMonth
    """Day of the target month the window ends on (the month's last day if it is shorter)."""

    def __str__(self) -> str:
        return f"{_percent_text(self.percent)}/{ordinal(self.day)} Prox"


class NetTerms(BaseModel):
    """``Net N`` terms, optionally from the end of the month (EOM) and with a discount.

    Covers ``Due on receipt`` (``Net 0``), ``Net 30``, ``2/10 Net 30``, ``Net 30 EOM`` and
    ``2/10 EOM Net 30``. With ``eom`` both the due date and the discount window count from the
    last day of the document's month; without it, from the document date.

    >>> str(NetTerms(days=0)), str(NetTerms(days=30, eom=True))
    ('Due on receipt', 'Net 30 EOM')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["net"] = "net"
    """Discriminator of the [`Terms`][arcore.terms.Terms] union."""
    days: Days
    """Days after the document date (or after the month end with ``eom``) the amount is due."""
    eom: bool = False
    """Count from the last day of the document's month instead of the document date."""
    discount: Discount | None = None
    """The early-payment discount, if any; its window never ends after the due date."""

    @model_validator(mode="after")
    def _discount_within_term(self) -> NetTerms:
        if self.discount is not None and self.discount.days > self.days:
            raise ValueError(
                f"the discount window ({self.discount.days} days) must not end after the due "
                f"date ({self.days} days)"
            )
        return self

    def __str__(self) -> str:
        if self.eom:
            if self.discount is not None:
                return f"{self.discount} EOM Net {self.days}"
            return f"Net {self.days} EOM"
        if self.discount is not None:
            return f"{self.discount} Net {self.days}"
        return "Due on receipt" if self.days == 0 else f"Net {self.days}"


class ProxTerms(BaseModel):
    """Proximo terms: due on day ``day`` of the month after the document's month.

    With a ``cutoff`` day, a document dated after that day of its month is due in the month
    after next instead. A day beyond the target month's length means its last day.

    >>> str(ProxTerms(day=10, cutoff=25))
    'Net 10th Prox cutoff 25'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["prox"] = "prox"
    """Discriminator of the [`Terms`][arcore.terms.Terms] union."""
    day: DayOfMonth
    """Day of the target month the amount is due on."""
    cutoff: DayOfMonth | None = None
    """Documents dated after this day of their month move to the month after next."""
    discount: ProxDiscount | None = None
    """The early-payment discount, ending on a day of the same target month."""

    @model_validator(mode="after")
    def _discount_within_term(self) -> ProxTerms:
        if self.discount is not None and self.discount.day > self.day:
            raise ValueError(
                f"the discount day ({self.discount.day}) must not come after the due day "
                f"({self.day})"
            )
        return self

    def __str__(self) -> str:
        text = f"Net {ordinal(self.day)} Prox"
        if self.discount is not None:
            text = f"{self.discount} {text}"
        return text if self.cutoff is None else f"{text} cutoff {self.cutoff}"


class InstallmentRow(BaseModel):
    """One installment: ``share`` percent of the total, due ``days`` after the document date.

    >>> str(InstallmentRow(share=Decimal(40), days=30, discount=Discount(percent=2, days=10)))
    '40% 2/10 Net 30'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    share: Share
    """Percent of the total this installment carries."""
    days: Days
    """Days after the document date this installment is due."""
    discount: Discount | None = None
    """Discount on this installment, its window counted from the document date."""

    @model_validator(mode="after")
    def _discount_within_term(self) -> InstallmentRow:
        if self.discount is not None and self.discount.days > self.days:
            raise ValueError(
                f"the discount window ({self.discount.days} days) must not end after the "
                f"installment's due date ({self.days} days)"
            )
        return self

    def __str__(self) -> str:
        discount = "" if self.discount is None else f"{self.discount} "
        return f"{_percent_text(self.share)}% {discount}Net {self.days}"


class InstallmentTerms(BaseModel):
    """An installment schedule: rows whose shares sum to exactly 100 %, in due-date order.

    >>> half = Decimal(50)
    >>> rows = (InstallmentRow(share=half, days=30), InstallmentRow(share=half, days=60))
    >>> str(InstallmentTerms(rows=rows))
    'Installments 50% Net 30, 50% Net 60'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["installments"] = "installments"
    """Discriminator of the [`Terms`][arcore.terms.Terms] union."""
    rows: tuple[InstallmentRow, ...] = Field(min_length=1)
    """The installments, in order of their days (equal days allowed)."""

    @model_validator(mode="after")
    def _shares_and_order(self) -> InstallmentTerms:
        total = sum((row.share for row in self.rows), Decimal(0))
        if total != 100:
            raise ValueError(f"installment shares must sum to 100%, not {_plain(total)}%")
        days = [row.days for row in self.rows]
        if days != sorted(days):
            raise ValueError("installments must be listed in order of their days")
        return self

    def __str__(self) -> str:
        return "Installments " + ", ".join(str(row) for row in self.rows)


def _terms_from_text(value: object) -> object:
    return parse_terms(value) if isinstance(value, str) else value


Terms = Annotated[
    NetTerms | ProxTerms | InstallmentTerms,
    Field(discriminator="kind"),
    BeforeValidator(_terms_from_text),
]
"""Any credit terms. As a pydantic field it also accepts the notation as text (``"Net 30"``)."""


# --- settings outside the notation ---------------------------------------------------------


class TermsPolicy(BaseModel):
    """How terms are applied, beyond what the notation says.

    >>> TermsPolicy(discount_base="subtotal", business_days=True, calendar="US-NY").calendar
    'US-NY'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    discount_base: Literal["total", "subtotal"] = "total"
    """The discount is a percent of the total with tax (``total``) or without (``subtotal``)."""
    business_days: bool = False
    """Roll due dates that fall on a non-business day to the next business day."""
    calendar: str = "weekends"
    """Business-day calendar spec: ``weekends``, ``US``, ``US-NY``, ``GB-ENG``..."""


DEFAULT_POLICY: Final = TermsPolicy()
"""Discount on the total, no business-day rolling."""


class Installment(BaseModel):
    """One line of a payment schedule: what is due when, and the discount it can earn."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due_date: date
    """When this amount is due (rolled to a business day when a calendar applies)."""
    amount: Money
    """The amount due; a schedule's amounts sum to the document total exactly."""
    discount_deadline: date | None
    """Last day (money received) the discount is earned, or None without a discount."""
    discount_amount: Money
    """The discount earned by paying this amount by the deadline (zero without one)."""


def business_calendar(policy: TermsPolicy) -> BusinessCalendar | None:
    """Return the calendar ``policy`` rolls due dates with, or None when it does not roll them.

    Only the specs arcore itself knows are resolved (see
    [`calendar_from_spec`][arcore.calendars.calendar_from_spec]); a caller with plugin
    calendars resolves the spec itself and passes ``calendar=`` to the functions below.

    Raises:
        ConfigurationError: ``business_days`` is set and the calendar spec is unknown.
    """
    if not policy.business_days:
        return None
    found = calendar_from_spec(policy.calendar)
    if found is None:
        raise ConfigurationError(
            f"unknown business-day calendar {policy.calendar!r}",
            hint="Use 'weekends' or a country code such as 'US', 'US-NY' or 'GB-ENG'",
            field="calendar",
            value=policy.calendar,
        )
    return found


# --- dates ---------------------------------------------------------------------------------


def _too_late(terms: object, issued: date) -> TermsError:
    return TermsError(
        f"{terms} from {issued.isoformat()} gives a date after {date.max.isoformat()}",
        hint="Check the document date",
        field="issued",
        value=issued,
    )


def _add_days(start: date, days: int, terms: object, issued: date) -> date:
    try:
        return start + timedelta(days=days)
    except OverflowError:
        raise _too_late(terms, issued) from None


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def _prox_date(terms: ProxTerms, issued: date, day: int) -> date:
    ahead = 2 if terms.cutoff is not None and issued.day > terms.cutoff else 1
    year, month0 = divmod(issued.year * 12 + issued.month - 1 + ahead, 12)
    if year > MAXYEAR:
        raise _too_late(terms, issued)
    month = month0 + 1
    return date(year, month, min(day, monthrange(year, month)[1]))


def _roll(day: date, calendar: BusinessCalendar | None, terms: object, issued: date) -> date:
    if calendar is None:
        return day
    try:
        return next_business_day(day, calendar)
    except ArcoreValidationError as exc:
        raise TermsError(
            f"{terms} from {issued.isoformat()}: {exc.message}",
            hint=exc.hint,
            field="issued",
            value=issued,
        ) from exc


def _unrolled_due_date(terms: NetTerms | ProxTerms | InstallmentTerms, issued: date) -> date:
    if isinstance(terms, NetTerms):
        start = _month_end(issued) if terms.eom else issued
        return _add_days(start, terms.days, terms, issued)
    if isinstance(terms, ProxTerms):
        return _prox_date(terms, issued, terms.day)
    # Rows are in order of their days, so the last is the final due date.
    return _add_days(issued, terms.rows[-1].days, terms, issued)


def due_date(terms: Terms, issued: date, *, calendar: BusinessCalendar | None = None) -> date:
    """Return the date the whole amount is due (the last installment's, for installments).

    With a ``calendar``, a due date on a non-business day rolls to the next business day.

    >>> due_date(parse_terms("Net 30 EOM"), date(2024, 1, 15))
    datetime.date(2024, 3, 1)
    >>> due_date(parse_terms("Net 10th Prox cutoff 25"), date(2026, 1, 26))
    datetime.date(2026, 3, 10)

    Raises:
        TermsError: the due date (or the business day after it) would be after ``date.max``.
    """
    return _roll(_unrolled_due_date(terms, issued), calendar, terms, issued)


def discount_deadline(terms: Terms, issued: date) -> date | None:
    """Return the last day a payment received earns the discount, or None without one.

    Installment terms return None: each row has its own deadline, see
    [`schedule`][arcore.terms.schedule]. Discount deadlines are never rolled to business days.

    >>> discount_deadline(parse_terms("2/10 EOM Net 30"), date(2024, 2, 5))
    datetime.date(2024, 3, 10)

    Raises:
        TermsError: the deadline would be after ``date.max``.
    """
    if isinstance(terms, NetTerms):
        if terms.discount is None:
            return None
        start = _month_end(issued) if terms.eom else issued
        return _add_days(start, terms.discount.days, terms, issued)
    if isinstance(terms, ProxTerms):
        if terms.discount is None:
            return None
        return _prox_date(terms, issued, terms.discount.day)
    return None


# --- amounts -------------------------------------------------------------------------------


def _check_amounts(total: Money, tax: Money | None) -> None:
    total.to_minor_units()  # raises InvalidAmountError when not quantized
    if total.amount < 0:
        raise InvalidAmountError(
            f"terms apply to a non-negative total, not {total}",
            hint="Apply terms to invoices and debit memos; credits carry no terms",
            field="total",
            value=total,
        )
    if tax is not None:
        tax.to_minor_units()
        if tax < Money.zero(total.currency) or tax > total:
            raise InvalidAmountError(
                f"tax {tax} must lie between zero and the total {total}",
                hint="Pass the tax included in the total",
                field="tax",
                value=tax,
            )


def _discount_on(percent: Decimal, base: Money, cap: Money) -> Money:
    discount = (base * percent.scaleb(-2)).quantize(ROUND_HALF_UP)
    return max(Money.zero(cap.currency), min(discount, cap))


def _amounts(
    terms: Terms, total: Money, tax: Money | None, policy: TermsPolicy
) -> list[tuple[Money, Money]]:
    """Return (amount, discount) per schedule row."""
    _check_amounts(total, tax)
    base = total - tax if tax is not None and policy.discount_base == "subtotal" else total
    if isinstance(terms, InstallmentTerms):
        shares = [row.share for row in terms.rows]
        pairs = zip(allocate(total, shares), allocate(base, shares), strict=True)
        return [
            (amount, _discount_on(row.discount.percent, row_base, amount))
            if row.discount is not None
            else (amount, Money.zero(total.currency))
            for row, (amount, row_base) in zip(terms.rows, pairs, strict=True)
        ]
    if terms.discount is None:
        return [(total, Money.zero(total.currency))]
    return [(total, _discount_on(terms.discount.percent, base, total))]


def _deadlines(terms: Terms, issued: date) -> list[date | None]:
    if isinstance(terms, InstallmentTerms):
        return [
            None if row.discount is None else _add_days(issued, row.discount.days, terms, issued)
            for row in terms.rows
        ]
    return [discount_deadline(terms, issued)]


def _due_dates(terms: Terms, issued: date, calendar: BusinessCalendar | None) -> list[date]:
    if isinstance(terms, InstallmentTerms):
        return [
            _roll(_add_days(issued, row.days, terms, issued), calendar, terms, issued)
            for row in terms.rows
        ]
    return [due_date(terms, issued, calendar=calendar)]


def schedule(
    terms: Terms,
    issued: date,
    total: Money,
    *,
    tax: Money | None = None,
    policy: TermsPolicy = DEFAULT_POLICY,
    calendar: BusinessCalendar | None = None,
) -> tuple[Installment, ...]:
    """Return the payment schedule of a document of ``total`` dated ``issued``.

    One row for net and prox terms, one per row for installment terms, with amounts split by
    largest remainder over the shares so they sum to ``total`` exactly. Each row's discount is
    its percent of the base (``total``, or ``total - tax`` when ``policy.discount_base`` is
    ``"subtotal"``; the base is split over the rows like the total), rounded half up to the
    currency's minor unit, and never more than the row's amount.

    Due dates roll to the next business day with ``calendar``, or else with
    ``business_calendar(policy)`` when ``policy.business_days`` is set.

    >>> rows = schedule(parse_terms("Installments 40% 2/10 Net 30, 60% Net 60"),
    ...                 date(2026, 1, 31), Money("100.00", "USD"))
    >>> [(str(r.due_date), str(r.amount), str(r.discount_amount)) for r in rows]
    [('2026-03-02', '40.00 USD', '0.80 USD'), ('2026-04-01', '60.00 USD', '0.00 USD')]

    Raises:
        InvalidAmountError: ``total`` is negative or not in whole minor units, or ``tax`` is
            not between zero and ``total``.
        CurrencyMismatchError: ``tax`` is in another currency.
        ConfigurationError: the policy's calendar spec is unknown.
        TermsError: a date would be after ``date.max``.
    """
    amounts = _amounts(terms, total, tax, policy)
    roll_with = calendar if calendar is not None else business_calendar(policy)
    return tuple(
        Installment(
            due_date=due, amount=amount, discount_deadline=deadline, discount_amount=discount
        )
        for due, deadline, (amount, discount) in zip(
            _due_dates(terms, issued, roll_with), _deadlines(terms, issued), amounts, strict=True
        )
    )


def discount_amount(
    terms: Terms, total: Money, *, tax: Money | None = None, policy: TermsPolicy = DEFAULT_POLICY
) -> Money:
    """Return the whole discount the terms offer on ``total`` (every row paid in its window).

    >>> discount_amount(parse_terms("1.5/10 Net 30"), Money("99.99", "USD"))
    Money('1.50', 'USD')
    """
    discounts = [discount for _, discount in _amounts(terms, total, tax, policy)]
    return sum(discounts[1:], discounts[0])


def discount_available(
    terms: Terms,
    issued: date,
    total: Money,
    received: date,
    *,
    tax: Money | None = None,
    policy: TermsPolicy = DEFAULT_POLICY,
) -> Money:
    """Return the discount earned when the whole amount is received on ``received``.

    ``received`` is the day the money was received, not the day it was posted. A row's
    discount counts when ``received`` is on or before its deadline; zero after every window.

    >>> terms = parse_terms("2/10 Net 30")
    >>> total = Money("1000.00", "USD")
    >>> discount_available(terms, date(2026, 1, 31), total, date(2026, 2, 10))
    Money('20.00', 'USD')
    >>> discount_available(terms, date(2026, 1, 31), total, date(2026, 2, 11))
    Money('0.00', 'USD')
    """
    earned = Money.zero(total.currency)
    for deadline, (_, discount) in zip(
        _deadlines(terms, issued), _amounts(terms, total, tax, policy), strict=True
    ):
        if deadline is not None and received <= deadline:
            earned += discount
    return earned


# --- parsing -------------------------------------------------------------------------------

# Numbers are bounded in length so int() never meets a 5,000-digit string; the models check
# the actual ranges and say what is wrong.
_N: Final = r"[0-9]{1,9}"
_PCT: Final = r"(?P<pct>[0-9]{1,3}(?:\.[0-9]{1,12})?|\.[0-9]{1,12})"
_PCT_SEP: Final = r"\s*(?:%\s*/?|/)\s*"  # 2/10, 2%/10, 2% 10, 2 / 10
_DAYS_WORD: Final = r"(?:\s*days?)?"
_ORD: Final = r"(?:st|nd|rd|th)?"
_NET_DAYS: Final = rf"(?:net|n)\s*[/-]?\s*(?P<days>{_N}){_DAYS_WORD}"
_DISCOUNT: Final = rf"{_PCT}{_PCT_SEP}(?P<ddays>{_N}){_DAYS_WORD}"
_RECEIPT: Final = r"(?:(?:due|payable)\s+)?(?:on|upon)\s+receipt(?:\s+of\s+invoice)?"

_RECEIPT_RE: Final = re.compile(_RECEIPT, re.ASCII)
_NET_RE: Final = re.compile(
    rf"(?:{_DISCOUNT}\s*)?(?P<eom1>eom\s*)?(?:{_NET_DAYS}|(?P<bare>net))(?:\s*(?P<eom2>eom))?",
    re.ASCII,
)
_PROX_RE: Final = re.compile(
    rf"(?:{_PCT}{_PCT_SEP}(?P<dday>{_N}){_ORD}\s*prox\s*)?"
    rf"(?:(?:net|n)\s*/?\s*)?(?P<day>{_N}){_ORD}\s*prox"
    rf"(?:\s*cut\s*-?\s*off\s*(?:day\s*)?(?P<cutoff>{_N}){_ORD})?",
    re.ASCII,
)
_ROW_RE: Final = re.compile(
    rf"(?P<share>[0-9]{{1,3}}(?:\.[0-9]{{1,12}})?)\s*%\s*"
    rf"(?:(?:{_DISCOUNT}\s*)?{_NET_DAYS}|(?P<receipt>{_RECEIPT}))",
    re.ASCII,
)
_INSTALLMENTS_RE: Final = re.compile(r"installments?\s*:?\s*(?P<rows>.*)", re.ASCII | re.DOTALL)
_ROW_SPLIT_RE: Final = re.compile(r"\s*(?:[,;+]|\band\b)\s*", re.ASCII)

_T = TypeVar("_T")


def _normalize(text: str) -> str:
    text = " ".join(text.casefold().split())
    text = re.sub(r"\be\.\s*o\.\s*m\b\.?|\bend\s+of\s+(?:the\s+)?month\b", "eom", text)
    text = re.sub(r"\bprox(?:imo|\.)", "prox", text)
    return text.strip(" .")


def _build(text: str, make: Callable[[], _T]) -> _T:
    try:
        return make()
    except pydantic.ValidationError as exc:
        reasons = "; ".join(_reason(error) for error in exc.errors())
        raise TermsError(
            f"{text!r} is not valid credit terms: {reasons}",
            hint=_ACCEPTED,
            field="terms",
            value=text,
        ) from None


def _reason(error: ErrorDetails) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {message}" if where else message


def _discount(match: re.Match[str]) -> Discount | None:
    if match["pct"] is None:
        return None
    return Discount(percent=Decimal(match["pct"]), days=int(match["ddays"]))


def _net_terms(match: re.Match[str]) -> NetTerms | None:
    eom = match["eom1"] is not None or match["eom2"] is not None
    if match["eom1"] is not None and match["eom2"] is not None:
        return None
    if match["days"] is None:  # "Net EOM": due on the last day of the month
        return NetTerms(days=0, eom=True, discount=_discount(match)) if eom else None
    return NetTerms(days=int(match["days"]), eom=eom, discount=_discount(match))


def _prox_terms(match: re.Match[str]) -> ProxTerms:
    discount = None
    if match["pct"] is not None:
        discount = ProxDiscount(percent=Decimal(match["pct"]), day=int(match["dday"]))
    cutoff = None if match["cutoff"] is None else int(match["cutoff"])
    return ProxTerms(day=int(match["day"]), cutoff=cutoff, discount=discount)


def _installment_row(match: re.Match[str]) -> InstallmentRow:
    days = 0 if match["receipt"] is not None else int(match["days"])
    return InstallmentRow(share=Decimal(match["share"]), days=days, discount=_discount(match))


def _installment_terms(text: str, normal: str) -> InstallmentTerms | None:
    prefixed = _INSTALLMENTS_RE.fullmatch(normal)
    body = prefixed["rows"] if prefixed else normal
    parts = _ROW_SPLIT_RE.split(body.strip(" ,;"))
    if not prefixed and len(parts) < 2:
        return None
    matches = [_ROW_RE.fullmatch(part) for part in parts]
    if any(match is None for match in matches):
        if prefixed:
            raise _unreadable(text)
        return None
    rows: list[InstallmentRow] = []
    for match in matches:
        assert match is not None  # checked above
        rows.append(_build(text, partial(_installment_row, match)))
    return _build(text, lambda: InstallmentTerms(rows=tuple(rows)))


def _unreadable(text: str) -> TermsError:
    return TermsError(
        f"cannot read credit terms {text!r}", hint=_ACCEPTED, field="terms", value=text
    )


def parse_terms(text: str) -> Terms:
    """Read credit terms written the way invoices and customer records write them.

    Case and spacing do not matter, nor commas between parts. Accepted spellings include
    ``Due on receipt`` / ``Due upon receipt`` / ``Net 0``; ``Net 30`` / ``N30`` / ``Net30`` /
    ``Net 30 days``; ``2/10 Net 30`` / ``2/10 n/30`` / ``2% 10 Net 30`` / ``2/10, Net 30``;
    ``Net 30 EOM`` / ``EOM Net 30`` / ``Net 30 end of month``; ``Net EOM`` (= ``Net 0 EOM``);
    ``2/10 EOM Net 30`` / ``2/10 Net 30 EOM``; ``10th Prox`` / ``Net 10 Prox`` /
    ``Net 10th Proximo``, with ``cutoff 25``; ``2/5th Prox Net 25th Prox``; and
    ``Installments 50% Net 30, 50% Net 60`` (the prefix may be left out when there are two
    rows or more). ``str()`` of the result is the canonical spelling.

    >>> parse_terms("2% 10, net 30 days")
    NetTerms(kind='net', days=30, eom=False, discount=Discount(percent=Decimal('2'), days=10))
    >>> str(parse_terms("net 10 prox cut-off 25th"))
    'Net 10th Prox cutoff 25'

    Raises:
        TermsError: the text is not credit terms, or describes impossible ones (shares not
            summing to 100 %, a discount window ending after the due date, a 32nd day...);
            ``field`` is ``"terms"`` and ``value`` the text.
    """
    collapsed = " ".join(text.casefold().split())
    installments = _installment_terms(text, _normalize(collapsed))
    if installments is not None:
        return installments
    normal = _normalize(collapsed.replace(",", " ").replace(";", " "))
    if _RECEIPT_RE.fullmatch(normal):
        return NetTerms(days=0)
    if match := _PROX_RE.fullmatch(normal):
        return _build(text, partial(_prox_terms, match))
    if match := _NET_RE.fullmatch(normal):
        net = _build(text, partial(_net_terms, match))
        if net is not None:
            return net
    raise _unreadable(text)
