"""Credit in the store: applications, approvers, open orders, holds, write-off reviews.

The functions here combine the store with the pure rules of [`arcore.credit`][arcore.credit].
Each one that writes runs in one transaction: a refused request (an unknown customer, someone
who is not an approver, an order in the wrong currency) leaves the store exactly as it was.
Time is always passed in (``at``, ``as_of``), never read from the system clock.

An app calls [`check_credit`][arcore.store.credit.check_credit] before taking an order, and
[`record_order`][arcore.store.credit.record_order] when it takes one (the order then counts in
the customer's exposure until it is invoiced or cancelled, and an order the check does not
approve is put on hold until an approver releases it). When it issues the order's invoice it
calls [`close_order`][arcore.store.credit.close_order] with the invoice's id: from the
invoice's date the invoice counts (as open AR) instead of the order, never both.

>>> import tempfile
>>> from datetime import UTC, date, datetime
>>> from arcore.documents import Customer, DocumentStatus
>>> from arcore.ledger import Ledger
>>> from arcore.money import Money
>>> from arcore.store import open_store
>>> store = open_store(f"sqlite:///{tempfile.mkdtemp()}/books.db")
>>> ledger = Ledger(store, "acme")
>>> _ = ledger.open_books("Acme Inc.", actor="ana", idempotency_key="open")
>>> _ = ledger.add_customer(Customer(company_id="acme", id="c-1", name="Globex",
...     currency="USD", credit_limit=Money("1000.00", "USD")), actor="ana", idempotency_key="c-1")
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
>>> found = record_order(store, "acme", "so-1", "c-1", Money("700.00", "USD"),
...                      on=date(2026, 3, 2), by="shop", at=at)
>>> found.approved, found.available
(True, Money('1000.00', 'USD'))
>>> found = check_credit(store, "acme", "c-1", Money("400.00", "USD"), as_of=date(2026, 3, 2))
>>> found.approved, found.available, [reason.value for reason in found.reasons]
(False, Money('300.00', 'USD'), ['over_limit'])
>>> store.close()
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, func, or_, select, update

from arcore.collections.promises import Promise, promise_status
from arcore.credit.allowance import AllowanceEstimate, allowance
from arcore.credit.applications import CreditApplication, CreditDecision, Recommendation
from arcore.credit.approvers import Approver, find_approver, may_approve, may_write_off
from arcore.credit.exposure import (
    DEFAULT_HOLD_AFTER_DAYS,
    CreditCheck,
    Exposure,
    HoldEvent,
    HoldState,
    check,
    crossing_day,
    hold_state,
)
from arcore.credit.rules import DEFAULT_RULES, CreditRules, recommend
from arcore.credit.scoring import BehaviourScore, ScoreProvider, SettledItem, behaviour_score
from arcore.credit.writeoffs import ReviewStatus, WriteOffReview
from arcore.documents import Customer, DocumentStatus
from arcore.errors import ConflictError, CurrencyMismatchError, NotFoundError, ValidationError
from arcore.ledger.accounts import AccountRole
from arcore.ledger.repository import OpenItem
from arcore.ledger.service import Ledger, Posted
from arcore.money import Money
from arcore.reports.aging import DEFAULT_EDGES, aging_from_store
from arcore.store import collections as records
from arcore.store.schema import (
    credit_applications,
    credit_approvers,
    credit_holds,
    credit_orders,
    credit_settings,
    credit_write_off_reviews,
    documents,
)
from arcore.store.sql import SqlSession, SqlStore
from arcore.terms import Terms

__all__ = [
    "BEHAVIOUR_WINDOW_DAYS",
    "ApplicationRecord",
    "Order",
    "add_approver",
    "allowance_from_store",
    "application",
    "approve_application",
    "approvers",
    "behaviour_scores",
    "check_credit",
    "close_order",
    "customer_behaviour",
    "customer_exposure",
    "customer_hold",
    "decide_write_off",
    "evaluate_application",
    "hold_after_days",
    "hold_log",
    "open_orders",
    "place_hold",
    "queue_for_review",
    "record_order",
    "recover_bad_debt",
    "release_hold",
    "review_queue",
    "save_application",
    "set_hold_after_days",
]

BEHAVIOUR_WINDOW_DAYS = 365
"""Days of history the behavioural score looks at by default (up to ``as_of``)."""

OrderStatus = Literal["open", "invoiced", "cancelled"]


class Order(BaseModel):
    """An order taken through the API, part of the customer's exposure while open.

    Attributes:
        id: The order's id (the app's).
        customer_id: Whose order.
        order_date: When it was taken.
        amount: Its amount, in the customer's currency.
        status: ``open`` until invoiced or cancelled.
        invoice_id: The invoice that billed it, once invoiced.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    customer_id: str
    order_date: date
    amount: Money
    status: OrderStatus
    invoice_id: str | None = None


class ApplicationRecord(BaseModel):
    """A stored credit application and where it is.

    Attributes:
        application: The application as received.
        status: ``received``, ``recommended`` or ``approved``.
        recommendation: The rule set's recommendation, once evaluated.
        decision: The approver's decision, once approved.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    application: CreditApplication
    status: Literal["received", "recommended", "approved"]
    recommendation: Recommendation | None = None
    decision: CreditDecision | None = None


# --- helpers ------------------------------------------------------------------------------------


def _new_id() -> str:
    return uuid.uuid4().hex


def _customer(session: SqlSession, customer_id: str) -> Customer:
    found = session.customer(customer_id)
    if found is None:
        raise NotFoundError(
            f"no customer {customer_id!r} in the company's books",
            hint="Add the customer first (arcore import, or Ledger.add_customer)",
            field="customer_id",
            value=customer_id,
        )
    return found


def _not_blank(field: str, value: str) -> None:
    if not value.strip():
        raise ValidationError(
            f"{field} cannot be empty", hint=f"Say {field}", field=field, value=value
        )


def _approvers(session: SqlSession) -> list[Approver]:
    t = credit_approvers
    rows = session.connection.execute(
        select(t.c.name, t.c.currency, t.c.max_limit_minor)
        .where(t.c.company_id == session.company_id)
        .order_by(t.c.name)
    )
    return [
        Approver(
            company_id=session.company_id,
            name=name,
            max_limit=None if units is None else Money.from_minor_units(int(units), currency),
        )
        for name, currency, units in rows
    ]


def _hold_after_days(session: SqlSession) -> int:
    t = credit_settings
    days = session.connection.scalar(
        select(t.c.hold_after_days).where(t.c.company_id == session.company_id)
    )
    return DEFAULT_HOLD_AFTER_DAYS if days is None else int(days)


def _events(
    session: SqlSession, customer_id: str, *, order_id: str | None = None, orders: bool = False
) -> list[HoldEvent]:
    """The hold log of the customer (``orders``: of its orders too; ``order_id``: of one)."""
    t = credit_holds
    where = [t.c.company_id == session.company_id, t.c.customer_id == customer_id]
    if order_id is not None:
        where.append(t.c.order_id == order_id)
    elif not orders:
        where.append(t.c.order_id.is_(None))
    rows = session.connection.execute(
        select(t.c.customer_id, t.c.order_id, t.c.action, t.c.reason, t.c.by, t.c.at).where(*where)
    )
    return sorted(
        (
            HoldEvent(
                customer_id=row.customer_id,
                order_id=row.order_id,
                action=row.action,
                reason=row.reason,
                by=row.by,
                at=_aware(row.at),
            )
            for row in rows
        ),
        key=lambda event: event.at,
    )


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; arcore stores UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _log(
    session: SqlSession,
    customer_id: str,
    action: Literal["place", "release"],
    *,
    reason: str,
    by: str,
    at: datetime,
    order_id: str | None = None,
) -> None:
    _not_blank("by", by)
    _not_blank("reason", reason)
    session.connection.execute(
        credit_holds.insert().values(
            company_id=session.company_id,
            id=_new_id(),
            customer_id=customer_id,
            order_id=order_id,
            action=action,
            reason=reason,
            by=by,
            at=at,
        )
    )


def _open_items(session: SqlSession, customer_id: str, as_of: date) -> list[OpenItem]:
    books = session.books()
    if books is None:
        raise NotFoundError(
            f"no company {session.company_id!r} in the store",
            hint="Check --company, or open the company's books first",
            field="company",
            value=session.company_id,
        )
    chart = books.chart
    return list(
        session.open_items(
            as_of=as_of,
            customer_id=customer_id,
            receivable_account=chart.code(AccountRole.AR_CONTROL),
            receipt_accounts=(
                chart.code(AccountRole.UNAPPLIED_CASH),
                chart.code(AccountRole.CUSTOMER_DEPOSITS),
            ),
        )
    )


def _open_orders_units(session: SqlSession, customer_id: str, currency: str, as_of: date) -> int:
    """Σ the customer's orders dated on or before ``as_of`` not yet invoiced on that day.

    An order invoiced by an invoice dated on or before ``as_of`` is that invoice's open AR,
    so it counts no more (the invoice counts); a cancelled order never counts.
    """
    t, d = credit_orders, documents
    billed = (
        select(d.c.id)
        .where(
            d.c.company_id == t.c.company_id,
            d.c.id == t.c.invoice_id,
            d.c.document_date <= as_of,
        )
        .exists()
    )
    total = session.connection.scalar(
        select(func.coalesce(func.sum(t.c.amount_minor), 0)).where(
            t.c.company_id == session.company_id,
            t.c.customer_id == customer_id,
            t.c.currency == currency,
            t.c.order_date <= as_of,
            or_(
                t.c.status == "open",
                and_(t.c.status == "invoiced", t.c.invoice_id.is_not(None), ~billed),
            ),
        )
    )
    return int(total or 0)


def _exposure(
    session: SqlSession, customer: Customer, items: Iterable[OpenItem], as_of: date
) -> Exposure:
    currency = customer.currency
    totals: dict[str, Money] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, Money.zero(item.currency)) + item.balance
    open_ar = totals.pop(currency, Money.zero(currency))
    units = _open_orders_units(session, customer.id, currency, as_of)
    orders = Money.from_minor_units(units, currency)
    return Exposure(
        open_ar=open_ar,
        open_orders=orders,
        other_currencies={code: total for code, total in sorted(totals.items()) if total},
    )


def _crossings(items: Iterable[OpenItem], days: int) -> list[date]:
    return [
        crossing_day(item.due_date, days)
        for item in items
        if item.kind in ("invoice", "debit_memo")
        and item.due_date is not None
        and item.balance.amount > 0
        and not item.disputed
    ]


def _check(
    session: SqlSession, customer_id: str, amount: Money, as_of: date
) -> tuple[CreditCheck, Customer]:
    customer = _customer(session, customer_id)
    if amount.currency != customer.currency:
        raise CurrencyMismatchError(
            f"the order is in {amount.currency}, customer {customer_id!r} is billed in "
            f"{customer.currency}",
            hint=f"Give the amount in {customer.currency}",
            field="amount",
            value=str(amount),
        )
    items = _open_items(session, customer_id, as_of)
    state = hold_state(
        _events(session, customer_id),
        crossings=_crossings(items, _hold_after_days(session)),
        as_of=as_of,
    )
    found = check(
        amount,
        limit=customer.credit_limit,
        exposure=_exposure(session, customer, items, as_of),
        hold=state,
        customer_id=customer_id,
    )
    return found, customer


# --- settings and approvers ---------------------------------------------------------------------


def hold_after_days(store: SqlStore, company_id: str) -> int:
    """The company's hold threshold in days past due (60 unless set)."""
    with store.session(company_id, write=False) as session:
        return _hold_after_days(session)


def set_hold_after_days(
    store: SqlStore, company_id: str, days: int, *, by: str, at: datetime
) -> None:
    """Set the hold threshold: items more than ``days`` past due put a customer on hold.

    Raises:
        ValidationError: ``days`` is negative.
        NotAllowedError: ``by`` is not an approver.
    """
    if days < 0:
        raise ValidationError(
            f"the hold threshold cannot be negative ({days} days)",
            hint="Give a number of days past due, 0 or more",
            field="hold_after_days",
            value=days,
        )
    t = credit_settings
    with store.session(company_id) as session:
        find_approver(_approvers(session), by, action="change the hold threshold")
        session.connection.execute(t.delete().where(t.c.company_id == company_id))
        session.connection.execute(
            t.insert().values(
                company_id=company_id, hold_after_days=days, updated_by=by, updated_at=at
            )
        )


def approvers(store: SqlStore, company_id: str) -> list[Approver]:
    """The company's credit approvers, by name."""
    with store.session(company_id, write=False) as session:
        return _approvers(session)


def add_approver(
    store: SqlStore,
    company_id: str,
    name: str,
    *,
    max_limit: Money | None = None,
    by: str,
    at: datetime,
) -> Approver:
    """Allow ``name`` to approve limits (up to ``max_limit``) and release holds.

    The company's first approver may be added by anyone (someone has to start); after
    that only an approver may add (or change) one.

    Raises:
        NotAllowedError: approvers exist and ``by`` is not one of them.
    """
    approver = Approver(company_id=company_id, name=name, max_limit=max_limit)
    _not_blank("by", by)
    t = credit_approvers
    with store.session(company_id) as session:
        existing = _approvers(session)
        if existing:
            find_approver(existing, by, action="add an approver")
        session.connection.execute(
            t.delete().where(t.c.company_id == company_id, t.c.name == approver.name)
        )
        session.connection.execute(
            t.insert().values(
                company_id=company_id,
                name=approver.name,
                currency=None if max_limit is None else max_limit.currency,
                max_limit_minor=None if max_limit is None else max_limit.to_minor_units(),
                added_by=by,
                added_at=at,
            )
        )
    return approver


# --- exposure, holds and the credit check --------------------------------------------------------


def customer_exposure(
    store: SqlStore, company_id: str, customer_id: str, *, as_of: date
) -> Exposure:
    """The customer's open AR as of ``as_of`` and open orders, in its currency.

    Raises:
        NotFoundError: no such customer (or company).
    """
    with store.session(company_id, write=False) as session:
        customer = _customer(session, customer_id)
        return _exposure(session, customer, _open_items(session, customer_id, as_of), as_of)


def check_credit(
    store: SqlStore, company_id: str, customer_id: str, amount: Money, *, as_of: date
) -> CreditCheck:
    """Whether ``customer_id`` may place an order of ``amount``: call it before taking one.

    Approved unless the customer is on hold (placed by hand or by a dunning step, or for an
    item over the hold threshold since the last release) or the amount is over the
    available credit (limit − open AR − open orders). Nothing is written.

    Raises:
        NotFoundError: no such customer (or company).
        CurrencyMismatchError: ``amount`` is not in the customer's currency.
    """
    with store.session(company_id, write=False) as session:
        return _check(session, customer_id, amount, as_of)[0]


def record_order(
    store: SqlStore,
    company_id: str,
    order_id: str,
    customer_id: str,
    amount: Money,
    *,
    on: date,
    by: str,
    at: datetime,
) -> CreditCheck:
    """Record an order taken (open, not yet invoiced) and return its credit check.

    The check is made as of ``on`` without the order itself, then the order is saved (it
    counts in the exposure from now on). An order the check does not approve is placed on
    hold (``by`` recorded, the reasons as the hold's reason) until an approver releases it
    with [`release_hold`][arcore.store.credit.release_hold]. All in one transaction.

    Raises:
        ConflictError: an order with this id was already recorded.
        ValidationError: the amount is not positive.
        NotFoundError: no such customer.
        CurrencyMismatchError: ``amount`` is not in the customer's currency.
    """
    _not_blank("order_id", order_id)
    _not_blank("by", by)
    if amount.amount <= 0 or not amount.is_quantized():
        raise ValidationError(
            f"an order's amount must be positive, in whole minor units, not {amount}",
            hint="Give the order's total",
            field="amount",
            value=str(amount),
        )
    t = credit_orders
    with store.session(company_id) as session:
        exists = session.connection.scalar(
            select(t.c.id).where(t.c.company_id == company_id, t.c.id == order_id)
        )
        if exists is not None:
            raise ConflictError(
                f"order {order_id!r} was already recorded",
                hint="Give each order its own id; use close_order to invoice or cancel it",
                field="order_id",
                value=order_id,
            )
        found, _customer_record = _check(session, customer_id, amount, on)
        session.connection.execute(
            t.insert().values(
                company_id=company_id,
                id=order_id,
                customer_id=customer_id,
                order_date=on,
                currency=amount.currency,
                amount_minor=amount.to_minor_units(),
                status="open",
                recorded_by=by,
                recorded_at=at,
            )
        )
        if not found.approved:
            _log(
                session,
                customer_id,
                "place",
                reason="; ".join(found.details),
                by=by,
                at=at,
                order_id=order_id,
            )
    return found


def _order_row(session: SqlSession, order_id: str) -> Any:
    t = credit_orders
    row = session.connection.execute(
        select(t).where(t.c.company_id == session.company_id, t.c.id == order_id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"no order {order_id!r} was recorded",
            hint="Check the order id (arcore credit orders lists the open ones)",
            field="order_id",
            value=order_id,
        )
    return row


def close_order(
    store: SqlStore,
    company_id: str,
    order_id: str,
    *,
    status: Literal["invoiced", "cancelled"],
    by: str,
    at: datetime,
    invoice_id: str | None = None,
) -> None:
    """Mark an open order invoiced (by ``invoice_id``) or cancelled.

    An app calls this when it issues the order's invoice, naming it. The order then counts
    in the exposure up to the day before the invoice's date and the invoice from that date
    (as open AR), so no day counts both; exposure as of an earlier date is unchanged. A
    cancelled order counts no more.

    Raises:
        ValidationError: ``invoiced`` without an ``invoice_id`` (or ``cancelled`` with one),
            or the invoice is not an issued invoice of the order's customer in its currency.
        NotFoundError: no such order, or no such invoice.
        ConflictError: the order is not open any more.
    """
    if status not in ("invoiced", "cancelled"):
        raise ValidationError(
            f"an order is closed as invoiced or cancelled, not {status!r}",
            hint="Use invoiced or cancelled",
            field="status",
            value=status,
        )
    if (status == "invoiced") != (invoice_id is not None):
        raise ValidationError(
            f"an {status} order takes "
            + ("the id of its invoice" if status == "invoiced" else "no invoice id"),
            hint="Name the invoice issued for the order (invoice_id) when it is invoiced",
            field="invoice_id",
            value=invoice_id,
        )
    _not_blank("by", by)
    t = credit_orders
    with store.session(company_id) as session:
        row = _order_row(session, order_id)
        if row.status != "open":
            raise ConflictError(
                f"order {order_id!r} is already {row.status}",
                hint="Only an open order can be invoiced or cancelled",
                field="status",
                value=status,
            )
        if invoice_id is not None:
            _check_invoice(session, invoice_id, row)
        session.connection.execute(
            update(t)
            .where(t.c.company_id == company_id, t.c.id == order_id)
            .values(status=status, closed_by=by, closed_at=at, invoice_id=invoice_id)
        )


_UNPOSTED = frozenset({DocumentStatus.DRAFT, DocumentStatus.APPROVED, DocumentStatus.VOID})


def _check_invoice(session: SqlSession, invoice_id: str, order: Any) -> None:
    """Refuse an invoice that cannot be the order's: unknown, another customer's, void..."""
    document = session.document(invoice_id)
    if document is None:
        raise NotFoundError(
            f"no invoice {invoice_id!r} in the company's books",
            hint="Issue the invoice first, then close the order with its id",
            field="invoice_id",
            value=invoice_id,
        )
    problem = None
    if document.kind != "invoice":
        problem = f"{invoice_id!r} is a {document.kind}, not an invoice"
    elif getattr(document, "customer_id", None) != order.customer_id:
        problem = f"invoice {invoice_id!r} is not customer {order.customer_id!r}'s"
    elif document.currency != order.currency:
        problem = f"invoice {invoice_id!r} is in {document.currency}, the order in {order.currency}"
    elif document.status in _UNPOSTED:
        problem = f"invoice {invoice_id!r} is {document.status.value}"
    if problem is not None:
        raise ValidationError(
            f"{problem}, so it cannot bill order {order.id!r}",
            hint="Give the issued invoice of the order's customer, in the order's currency",
            field="invoice_id",
            value=invoice_id,
        )


def open_orders(store: SqlStore, company_id: str, customer_id: str | None = None) -> list[Order]:
    """The open orders (of one customer, or all), by customer, date and id."""
    t = credit_orders
    where = [t.c.company_id == company_id, t.c.status == "open"]
    if customer_id is not None:
        where.append(t.c.customer_id == customer_id)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(
            select(t).where(*where).order_by(t.c.customer_id, t.c.order_date, t.c.id)
        )
        return [
            Order(
                id=row.id,
                customer_id=row.customer_id,
                order_date=row.order_date,
                amount=Money.from_minor_units(int(row.amount_minor), row.currency),
                status=row.status,
                invoice_id=row.invoice_id,
            )
            for row in rows
        ]


def place_hold(
    store: SqlStore, company_id: str, customer_id: str, *, reason: str, by: str, at: datetime
) -> None:
    """Put a customer on credit hold (by hand, or from a dunning step), logged.

    The hold stays until an approver releases it. A customer already on a hold placed by
    hand (or by a dunning step) gets no second log line, so a dunning run may repeat.

    Raises:
        NotFoundError: no such customer.
        ValidationError: ``reason`` or ``by`` is empty.
    """
    _not_blank("reason", reason)
    _not_blank("by", by)
    with store.session(company_id) as session:
        _customer(session, customer_id)
        if hold_state(_events(session, customer_id)).placed is not None:
            return
        _log(session, customer_id, "place", reason=reason, by=by, at=at)


def release_hold(
    store: SqlStore,
    company_id: str,
    customer_id: str,
    *,
    reason: str,
    by: str,
    at: datetime,
    order_id: str | None = None,
) -> None:
    """Release a customer's credit hold (or one held order's), by an approver only; logged.

    A customer's release ends a hold placed by hand and covers every item over the hold
    threshold as of ``at`` (an item crossing it later puts the customer back on hold).

    Raises:
        NotAllowedError: ``by`` is not an approver; nothing is recorded.
        ConflictError: nothing is on hold.
        NotFoundError: no such customer, or order.
    """
    _not_blank("reason", reason)
    with store.session(company_id) as session:
        find_approver(_approvers(session), by, action="release a credit hold")
        _customer(session, customer_id)
        if order_id is not None:
            row = _order_row(session, order_id)
            if row.customer_id != customer_id:
                raise ValidationError(
                    f"order {order_id!r} is {row.customer_id!r}'s, not {customer_id!r}'s",
                    hint="Give the order's customer",
                    field="order_id",
                    value=order_id,
                )
            held = hold_state(_events(session, customer_id, order_id=order_id)).on_hold
        else:
            items = _open_items(session, customer_id, at.date())
            held = hold_state(
                _events(session, customer_id),
                crossings=_crossings(items, _hold_after_days(session)),
                as_of=at.date(),
            ).on_hold
        if not held:
            what = f"order {order_id!r}" if order_id is not None else f"customer {customer_id!r}"
            raise ConflictError(
                f"{what} is not on credit hold",
                hint="Check arcore credit check / arcore credit holds",
                field="order_id" if order_id is not None else "customer_id",
                value=order_id or customer_id,
            )
        _log(session, customer_id, "release", reason=reason, by=by, at=at, order_id=order_id)


def hold_log(store: SqlStore, company_id: str, customer_id: str) -> list[HoldEvent]:
    """Every hold placed and released for the customer and its orders, oldest first."""
    with store.session(company_id, write=False) as session:
        return _events(session, customer_id, orders=True)


def customer_hold(store: SqlStore, company_id: str, customer_id: str, *, as_of: date) -> HoldState:
    """Whether the customer is on credit hold as of ``as_of``, and why."""
    with store.session(company_id, write=False) as session:
        _customer(session, customer_id)
        items = _open_items(session, customer_id, as_of)
        return hold_state(
            _events(session, customer_id),
            crossings=_crossings(items, _hold_after_days(session)),
            as_of=as_of,
        )


# --- the behavioural score ------------------------------------------------------------------------


def customer_behaviour(
    store: SqlStore,
    company_id: str,
    customer_id: str,
    *,
    as_of: date,
    since: date | None = None,
) -> BehaviourScore:
    """The customer's behavioural score over ``since`` to ``as_of`` (default: 365 days).

    Settled items are the customer's invoices and debit memos whose balance reached zero
    in the window (by payment, credit, discount or write-off), with the date it did;
    disputes and broken promises come from the collections records.

    Raises:
        NotFoundError: no such customer (or company).
    """
    with store.session(company_id, write=False) as session:
        _customer(session, customer_id)
    return behaviour_scores(store, company_id, as_of=as_of, since=since).get(
        customer_id, behaviour_score(())
    )


def behaviour_scores(
    store: SqlStore, company_id: str, *, as_of: date, since: date | None = None
) -> dict[str, BehaviourScore]:
    """Every customer's behavioural score, as for one in `customer_behaviour`.

    A fixed number of queries whatever the number of customers (one per kind of fact:
    settled items, disputes, promises, settlements), grouped by customer in Python.
    Customers with nothing in the window are absent.

    Raises:
        NotFoundError: the company has no books.
    """
    start = since if since is not None else as_of - timedelta(days=BEHAVIOUR_WINDOW_DAYS)
    settled: dict[str, list[SettledItem]] = defaultdict(list)
    with store.session(company_id, write=False) as session:
        books = session.books()
        if books is None:
            raise NotFoundError(
                f"no company {company_id!r} in the store",
                hint="Check --company, or open the company's books first",
                field="company",
                value=company_id,
            )
        for _currency, customer, dated, due, _units, day in session.settled_receivables(
            start=start, end=as_of, receivable_account=books.chart.code(AccountRole.AR_CONTROL)
        ):
            if customer is not None:
                settled[customer].append(SettledItem(due=due or dated, settled=day))
    disputes: Counter[str] = Counter(
        d.customer_id for d in records.disputes(store, company_id) if d.opened_on >= start
    )
    made: dict[str, list[Promise]] = defaultdict(list)
    for promise in records.promises(store, company_id):
        if promise.promised_date >= start:
            made[promise.customer_id].append(promise)
    paid = records.settlements_by_customer(store, company_id) if made else {}
    broken = {
        cid: sum(
            1 for p in promises if promise_status(p, paid.get(cid, []), as_of=as_of) == "broken"
        )
        for cid, promises in made.items()
    }
    return {
        cid: behaviour_score(
            settled.get(cid, ()), disputes=disputes.get(cid, 0), broken_promises=broken.get(cid, 0)
        )
        for cid in sorted({*settled, *disputes, *broken})
    }


# --- credit applications --------------------------------------------------------------------------


def _application_row(session: SqlSession, application_id: str) -> Any:
    t = credit_applications
    row = session.connection.execute(
        select(t).where(t.c.company_id == session.company_id, t.c.id == application_id)
    ).first()
    if row is None:
        raise NotFoundError(
            f"no credit application {application_id!r}",
            hint="Record it first (arcore credit apply)",
            field="application_id",
            value=application_id,
        )
    return row


def _record(row: Any) -> ApplicationRecord:
    return ApplicationRecord(
        application=CreditApplication.model_validate_json(row.data),
        status=row.status,
        recommendation=(
            None
            if row.recommendation is None
            else Recommendation.model_validate_json(row.recommendation)
        ),
        decision=None if row.decision is None else CreditDecision.model_validate_json(row.decision),
    )


def save_application(
    store: SqlStore, application: CreditApplication, *, by: str, at: datetime
) -> None:
    """Record a credit application as received.

    Raises:
        ConflictError: an application with its id exists.
    """
    _not_blank("by", by)
    t = credit_applications
    company_id = application.company_id
    with store.session(company_id) as session:
        exists = session.connection.scalar(
            select(t.c.id).where(t.c.company_id == company_id, t.c.id == application.id)
        )
        if exists is not None:
            raise ConflictError(
                f"credit application {application.id!r} was already recorded",
                hint="Give a new application its own id",
                field="id",
                value=application.id,
            )
        session.connection.execute(
            t.insert().values(
                company_id=company_id,
                id=application.id,
                customer_id=application.customer_id,
                received=application.received,
                status="received",
                data=application.model_dump_json(),
                recorded_by=by,
                recorded_at=at,
            )
        )


def application(store: SqlStore, company_id: str, application_id: str) -> ApplicationRecord:
    """A stored application with its recommendation and decision.

    Raises:
        NotFoundError: no such application.
    """
    with store.session(company_id, write=False) as session:
        return _record(_application_row(session, application_id))


def evaluate_application(
    store: SqlStore,
    company_id: str,
    application_id: str,
    *,
    as_of: date,
    provider: ScoreProvider | None = None,
    rules: CreditRules = DEFAULT_RULES,
) -> Recommendation:
    """Score an application and save the rule set's recommended limit and terms.

    The external score comes from ``provider`` (if given); the behavioural score from the
    customer's history when the customer is already in the books. Evaluating again (new
    score, new history) replaces the recommendation, until the application is approved.

    Raises:
        NotFoundError: no such application.
        ConflictError: it was already approved.
    """
    record = application(store, company_id, application_id)
    if record.status == "approved":
        raise ConflictError(
            f"credit application {application_id!r} was already approved",
            hint="Record a new application to review the customer's credit",
            field="application_id",
            value=application_id,
        )
    credit_application = record.application
    external = provider.score(credit_application) if provider is not None else None
    with store.session(company_id, write=False) as session:
        known = session.customer(credit_application.customer_id) is not None
    behaviour = (
        customer_behaviour(store, company_id, credit_application.customer_id, as_of=as_of)
        if known
        else None
    )
    found = recommend(credit_application, external=external, behaviour=behaviour, rules=rules)
    t = credit_applications
    with store.session(company_id) as session:
        row = _application_row(session, application_id)
        if row.status == "approved":  # approved meanwhile
            raise ConflictError(
                f"credit application {application_id!r} was approved meanwhile",
                hint="Record a new application to review the customer's credit",
                field="application_id",
                value=application_id,
            )
        session.connection.execute(
            update(t)
            .where(t.c.company_id == company_id, t.c.id == application_id)
            .values(status="recommended", recommendation=found.model_dump_json())
        )
    return found


def approve_application(
    store: SqlStore,
    company_id: str,
    application_id: str,
    *,
    by: str,
    at: datetime,
    limit: Money | None = None,
    terms: Terms | str | None = None,
    note: str = "",
) -> CreditDecision:
    """Approve an evaluated application: the customer's limit and terms are set to the grant.

    ``limit`` and ``terms`` default to the recommendation's. The decision, the application's
    status and the customer's new limit and terms are saved in one transaction.

    Raises:
        NotAllowedError: ``by`` is not an approver, or may not approve that limit.
        ConflictError: the application was not evaluated, or was already approved.
        NotFoundError: no such application, or the customer is not in the books.
    """
    t = credit_applications
    with store.session(company_id) as session:
        approver = find_approver(_approvers(session), by, action="approve a credit limit")
        record = _record(_application_row(session, application_id))
        if record.status != "recommended" or record.recommendation is None:
            raise ConflictError(
                f"credit application {application_id!r} is {record.status}, not recommended",
                hint="Evaluate it first (arcore credit evaluate); an approved one stays approved",
                field="application_id",
                value=application_id,
            )
        recommendation = record.recommendation
        decision = CreditDecision.model_validate(
            {
                "application_id": application_id,
                "customer_id": record.application.customer_id,
                "recommendation": recommendation,
                "approved_limit": limit if limit is not None else recommendation.limit,
                "approved_terms": terms if terms is not None else recommendation.terms,
                "approved_by": by,
                "approved_at": at,
                "note": note,
            }
        )
        may_approve(approver, decision.approved_limit)
        customer = _customer(session, decision.customer_id)
        session.put_customer(
            Customer.model_validate(
                {
                    **customer.model_dump(),
                    "credit_limit": decision.approved_limit,
                    "terms": decision.approved_terms,
                }
            )
        )
        session.connection.execute(
            update(t)
            .where(t.c.company_id == company_id, t.c.id == application_id)
            .values(
                status="approved",
                decision=decision.model_dump_json(),
                approved_by=by,
                approved_at=at,
            )
        )
    return decision


# --- bad debt -----------------------------------------------------------------------------------


def allowance_from_store(
    store: SqlStore,
    company_id: str,
    as_of: date,
    rates: Mapping[str, Decimal],
    *,
    edges: tuple[int, ...] = DEFAULT_EDGES,
) -> dict[str, AllowanceEstimate]:
    """The bad-debt allowance per currency from the company's aging as of ``as_of``.

    Raises:
        NotFoundError: the company has no books.
        ValidationError: bad edges, or a bucket without a rate.
    """
    return allowance(aging_from_store(store, company_id, as_of, edges=edges), rates)


def _review(company_id: str, row: Any) -> WriteOffReview:
    return WriteOffReview(
        company_id=company_id,
        id=row.id,
        document_id=row.document_id,
        customer_id=row.customer_id,
        reason=row.reason,
        queued_by=row.queued_by,
        queued_at=_aware(row.queued_at),
        status=ReviewStatus(row.status),
        decided_by=row.decided_by,
        decided_at=None if row.decided_at is None else _aware(row.decided_at),
        note=row.note,
    )


def _document_open(session: SqlSession, document_id: str) -> Money:
    """What is open on an invoice or debit memo now (what approving would write off)."""
    document = session.document(document_id)
    books = session.books()
    if document is None or books is None:
        raise NotFoundError(
            f"no document {document_id!r} in the company's books",
            hint="The review names a document that is gone; reject the review",
            field="document_id",
            value=document_id,
        )
    moves = session.movements(books.chart.code(AccountRole.AR_CONTROL), document_id=document_id)
    return sum((amount for _day, amount in moves), Money.zero(document.currency))


def queue_for_review(
    store: SqlStore, company_id: str, document_id: str, *, reason: str, by: str, at: datetime
) -> None:
    """Propose an invoice or debit memo for a bad-debt write-off (from a clerk or a dunning step).

    A document already waiting in the queue is not queued twice, so a dunning run may
    repeat.

    Raises:
        NotFoundError: no such document.
        ValidationError: it is not an invoice or debit memo, or ``reason``/``by`` is empty.
    """
    _not_blank("reason", reason)
    _not_blank("by", by)
    t = credit_write_off_reviews
    with store.session(company_id) as session:
        document = session.document(document_id)
        if document is None:
            raise NotFoundError(
                f"no document {document_id!r} in the company's books",
                hint="Give the id of an invoice or debit memo",
                field="document_id",
                value=document_id,
            )
        if document.kind not in ("invoice", "debit_memo"):
            raise ValidationError(
                f"a {document.kind} cannot be written off as bad debt",
                hint="Queue invoices and debit memos only",
                field="document_id",
                value=document_id,
            )
        waiting = session.connection.scalar(
            select(t.c.id).where(
                t.c.company_id == company_id,
                t.c.document_id == document_id,
                t.c.status == ReviewStatus.PENDING.value,
            )
        )
        if waiting is not None:
            return
        session.connection.execute(
            t.insert().values(
                company_id=company_id,
                id=_new_id(),
                document_id=document_id,
                customer_id=getattr(document, "customer_id", None),
                reason=reason,
                queued_by=by,
                queued_at=at,
                status=ReviewStatus.PENDING.value,
                note="",
            )
        )


def review_queue(
    store: SqlStore, company_id: str, *, status: ReviewStatus | None = ReviewStatus.PENDING
) -> list[WriteOffReview]:
    """The write-off reviews (pending ones by default; ``None``: all), oldest first."""
    t = credit_write_off_reviews
    where = [t.c.company_id == company_id]
    if status is not None:
        where.append(t.c.status == ReviewStatus(status).value)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(select(t).where(*where).order_by(t.c.queued_at, t.c.id))
        return [_review(company_id, row) for row in rows]


def decide_write_off(
    store: SqlStore,
    company_id: str,
    review_id: str,
    *,
    approve: bool,
    by: str,
    at: datetime,
    on: date,
    note: str = "",
) -> WriteOffReview:
    """Approve (write off through the ledger) or reject a pending write-off review.

    Approving writes off what is open on the document on ``on`` against the allowance for
    doubtful accounts (``Ledger.write_off(bad_debt=True)``, idempotency key
    ``credit-review:<review id>``, actor ``by``), then marks the review approved. Should the
    second step fail, deciding again replays the write-off (same key) and finishes.

    Raises:
        NotAllowedError: ``by`` is not an approver, or approving would write off more
            than the approver's ``max_limit`` (or an amount in another currency than it);
            nothing changes.
        NotFoundError: no such review.
        ConflictError: the review was already decided.
    """
    t = credit_write_off_reviews
    with store.session(company_id, write=False) as session:
        approver = find_approver(_approvers(session), by, action="decide a write-off")
        row = session.connection.execute(
            select(t).where(t.c.company_id == company_id, t.c.id == review_id)
        ).first()
        if row is not None and approve:
            may_write_off(approver, _document_open(session, row.document_id))
    if row is None:
        raise NotFoundError(
            f"no write-off review {review_id!r}",
            hint="List the queue with arcore credit writeoffs list",
            field="review_id",
            value=review_id,
        )
    if row.status != ReviewStatus.PENDING.value:
        raise ConflictError(
            f"write-off review {review_id!r} was already {row.status}",
            hint="A review is decided once",
            field="review_id",
            value=review_id,
        )
    if approve:
        Ledger(store, company_id, clock=lambda: at).write_off(
            row.document_id,
            on=on,
            bad_debt=True,
            actor=by,
            idempotency_key=f"credit-review:{review_id}",
            reason=f"bad debt: {row.reason}" + (f" ({note})" if note else ""),
        )
    status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    with store.session(company_id) as session:
        changed = session.connection.execute(
            update(t)
            .where(
                t.c.company_id == company_id,
                t.c.id == review_id,
                t.c.status == ReviewStatus.PENDING.value,
            )
            .values(status=status.value, decided_by=by, decided_at=at, note=note)
        ).rowcount
        if changed != 1:
            raise ConflictError(
                f"write-off review {review_id!r} was decided meanwhile",
                hint="A review is decided once",
                field="review_id",
                value=review_id,
            )
        decided = session.connection.execute(
            select(t).where(t.c.company_id == company_id, t.c.id == review_id)
        ).one()
    return _review(company_id, decided)


def recover_bad_debt(
    store: SqlStore,
    company_id: str,
    document_id: str,
    amount: Money,
    *,
    on: date,
    by: str,
    at: datetime,
    idempotency_key: str,
    reason: str = "",
) -> Posted:
    """Reinstate part of a written-off bad debt (Dr AR / Cr allowance) so it can be paid.

    Through ``Ledger.recover``; the money then arrives as an ordinary payment.

    Raises:
        InvalidAmountError: more than was written off as bad debt (net of recoveries).
    """
    return Ledger(store, company_id, clock=lambda: at).recover(
        document_id,
        amount,
        on=on,
        actor=by,
        idempotency_key=idempotency_key,
        reason=reason,
    )
