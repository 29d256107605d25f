"""What aging and the KPIs read, from the books or from CSV files, as plain minor units.

Two sources give the same figures:

* **the store** (a [`LedgerStore`][arcore.ledger.repository.LedgerStore], as the
  [`Ledger`][arcore.ledger.Ledger] writes it): a few aggregate queries, so a million
  documents come back as one row per customer and band, not one object per document;
* **CSV files** in the import formats (see [Import CSV files](../how-to/import.md)):
  ``documents.csv`` and, optionally, ``applications.csv`` and ``customers.csv`` (for the
  terms of documents that give neither a due date nor terms), read row by row.

A document's balance from CSV files follows the importer exactly, so a report on the files
equals the report on the store they were imported into: ``open_amount`` (or ``amount`` when
empty) is what was open on the document date (what an ``open_amount`` leaves out was settled
that day); each application (applied + discount + write-off) dated on or before a date
lowers the balance as of that date; credit memos are negative; documents dated after the
date are not there yet. Payments are not read from files: unapplied cash is only in the
store's reports.

Every problem in the files (file, row, column, value) is collected and the input refused
whole with [`InputRejectedError`][arcore.errors.InputRejectedError], as the importer does.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Final

from arcore.csvfiles import (
    CellError,
    Problems,
    customer_from_row,
    date_cell,
    document_fields,
    read_rows,
    text_cell,
)
from arcore.errors import ArcoreError, InputRejectedError, NotFoundError
from arcore.ledger.accounts import AccountRole
from arcore.ledger.repository import LedgerSession, LedgerStore
from arcore.money import minor_units
from arcore.terms import Terms

__all__ = [
    "BalanceRow",
    "CustomerPeriod",
    "PeriodHistory",
    "band_bounds",
    "band_of",
    "csv_balances",
    "csv_period",
    "month_days",
    "store_aged_balances",
    "store_period",
]

BalanceRow = tuple[str, str | None, date, date | None, int]
"""One open item: ``(currency, customer_id, document_date, due_date, balance)``.

The balance is in minor units, positive for what the customer owes and negative for a
credit; ``due_date`` is ``None`` for credits and receipts.
"""

_RECEIVABLES: Final = frozenset({"invoice", "debit_memo"})
_ZERO: Final = Decimal(0)


def band_of(days: int, edges: Sequence[int]) -> int:
    """The index of the aging bucket an item ``days`` old falls in, for ascending ``edges``.

    Band 0 is ``current`` (days ≤ 0), band ``i`` holds ``edges[i-2] < days ≤ edges[i-1]``
    and the last band the items older than the last edge.

    >>> [band_of(days, (30, 60, 90)) for days in (-5, 0, 1, 30, 31, 90, 91)]
    [0, 0, 1, 1, 2, 3, 4]
    """
    return 0 if days <= 0 else bisect_left(edges, days) + 1


def band_bounds(as_of: date, edges: Sequence[int]) -> list[date]:
    """The earliest reference date of each band but the last, as of ``as_of``.

    An item falls in the first band whose bound its reference date is on or after: the
    same bands as [`band_of`][arcore.reports.history.band_of], as dates a query can
    compare with.

    >>> band_bounds(date(2026, 3, 31), (30,))
    [datetime.date(2026, 3, 31), datetime.date(2026, 3, 1)]
    """
    bounds = [as_of]
    for edge in edges:
        try:
            bounds.append(as_of - timedelta(days=edge))
        except OverflowError:
            bounds.append(date.min)
    return bounds


def month_days(year: int, month: int) -> int:
    """The number of days of a calendar month.

    >>> month_days(2024, 2), month_days(2026, 2)
    (29, 28)
    """
    return calendar.monthrange(year, month)[1]


@dataclass
class CustomerPeriod:
    """What the KPIs of one customer (or of everyone) in one currency are computed from.

    Every amount is in minor units.

    Attributes:
        beginning: AR at the end of the day before the period.
        ending: AR at the end of the period, per band of the ending aging (by due date).
        sales: Credit sales dated in the period.
        monthly: Credit sales per calendar month ``(year, month)``, of documents dated on
            or before the period's end (the month of the end counts up to the end).
        written_off: Written off in the period (bad debts net of recoveries, and small
            balances and short pays).
        settled: Σ total of the invoices and debit memos settled in the period.
        settled_days: Σ total × (settled date − document date) over them.
        settled_late: Σ total × max(0, settled date − due date) over them.
    """

    beginning: int = 0
    ending: list[int] = field(default_factory=list)
    sales: int = 0
    monthly: dict[tuple[int, int], int] = field(default_factory=dict)
    written_off: int = 0
    settled: int = 0
    settled_days: int = 0
    settled_late: int = 0

    def add(self, other: CustomerPeriod) -> None:
        """Add ``other``'s figures to these (for a total over customers)."""
        self.beginning += other.beginning
        if len(self.ending) < len(other.ending):
            self.ending.extend([0] * (len(other.ending) - len(self.ending)))
        for band, units in enumerate(other.ending):
            self.ending[band] += units
        self.sales += other.sales
        for month, units in other.monthly.items():
            self.monthly[month] = self.monthly.get(month, 0) + units
        self.written_off += other.written_off
        self.settled += other.settled
        self.settled_days += other.settled_days
        self.settled_late += other.settled_late

    def active(self) -> bool:
        """Whether anything happened or stayed open in the period (monthly history aside)."""
        return bool(
            self.beginning or any(self.ending) or self.sales or self.written_off or self.settled
        )


@dataclass
class PeriodHistory:
    """The figures behind a period's KPIs, per currency and customer.

    Attributes:
        start: The period's first day.
        end: Its last day.
        edges: The bucket edges of the ending aging (``CustomerPeriod.ending``).
        customers: Per ``(currency, customer_id)``, its figures.
    """

    start: date
    end: date
    edges: tuple[int, ...]
    customers: dict[tuple[str, str | None], CustomerPeriod] = field(default_factory=dict)

    def of(self, currency: str, customer_id: str | None) -> CustomerPeriod:
        """The figures of a customer in a currency, created empty if new."""
        key = (currency, customer_id)
        found = self.customers.get(key)
        if found is None:
            found = self.customers[key] = CustomerPeriod(ending=[0] * (len(self.edges) + 2))
        return found


# --- the store ---------------------------------------------------------------------------------


@contextmanager
def _read_session(
    store: LedgerStore, company_id: str
) -> Iterator[tuple[LedgerSession, dict[AccountRole, str]]]:
    """A read-only session on the company's books, and its account codes by role."""
    with store.session(company_id, write=False) as session:
        books = session.books()
        if books is None:
            raise NotFoundError(
                f"no company {company_id!r} in the store",
                hint="Check --company (or ARCORE_COMPANY), or import the company's files first",
                field="company",
                value=company_id,
            )
        yield session, {role: books.chart.code(role) for role in AccountRole}


def _receipt_accounts(codes: dict[AccountRole, str]) -> tuple[str, str]:
    return codes[AccountRole.UNAPPLIED_CASH], codes[AccountRole.CUSTOMER_DEPOSITS]


def store_aged_balances(
    store: LedgerStore,
    company_id: str,
    as_of: date,
    *,
    edges: Sequence[int],
    by_document_date: bool = False,
) -> list[tuple[str, str | None, int, int]]:
    """Σ open balances as of ``as_of`` per currency, customer and aging band, from the store.

    Rows are ``(currency, customer_id, band, minor units)`` with bands as in
    [`band_of`][arcore.reports.history.band_of]; only entries dated on or before
    ``as_of`` count.

    Raises:
        NotFoundError: the company has no books in the store.
    """
    with _read_session(store, company_id) as (session, codes):
        return list(
            session.aged_balances(
                as_of=as_of,
                bounds=band_bounds(as_of, edges),
                by_document_date=by_document_date,
                receivable_account=codes[AccountRole.AR_CONTROL],
                receipt_accounts=_receipt_accounts(codes),
            )
        )


def store_period(
    store: LedgerStore, company_id: str, *, start: date, end: date, edges: Sequence[int]
) -> PeriodHistory:
    """The figures behind the KPIs of ``start`` to ``end``, from the store.

    All of it is read in one read-only transaction, so the figures agree with each other.

    Raises:
        NotFoundError: the company has no books in the store.
    """
    history = PeriodHistory(start=start, end=end, edges=tuple(edges))
    before = start - timedelta(days=1)
    with _read_session(store, company_id) as (session, codes):
        ar = codes[AccountRole.AR_CONTROL]
        receipts = _receipt_accounts(codes)
        for currency, customer, _band, units in session.aged_balances(
            as_of=before,
            bounds=[before],
            by_document_date=False,
            receivable_account=ar,
            receipt_accounts=receipts,
        ):
            history.of(currency, customer).beginning += units
        for currency, customer, band, units in session.aged_balances(
            as_of=end,
            bounds=band_bounds(end, edges),
            by_document_date=False,
            receivable_account=ar,
            receipt_accounts=receipts,
        ):
            history.of(currency, customer).ending[band] += units
        for currency, customer, year, month, units in session.monthly_credit_sales(end=end):
            figures = history.of(currency, customer)
            figures.monthly[year, month] = figures.monthly.get((year, month), 0) + units
            figures.sales += units
        # The period's sales: everything to its end less everything before its start.
        for currency, customer, _year, _month, units in session.monthly_credit_sales(end=before):
            history.of(currency, customer).sales -= units
        written_off = (codes[AccountRole.ALLOWANCE], codes[AccountRole.WRITE_OFF_EXPENSE])
        for currency, customer_id, units in session.posted_by_customer(
            accounts=written_off, start=start, end=end
        ):
            history.of(currency, customer_id).written_off += units
        for currency, customer, dated, due, units, settled in session.settled_receivables(
            start=start, end=end, receivable_account=ar
        ):
            _add_settled(history.of(currency, customer), dated, due, units, settled)
    return history


def _add_settled(
    figures: CustomerPeriod, dated: date, due: date | None, units: int, settled: date
) -> None:
    figures.settled += units
    figures.settled_days += units * (settled - dated).days
    figures.settled_late += units * max(0, (settled - (due or dated)).days)


# --- CSV files ---------------------------------------------------------------------------------


@dataclass
class _Applied:
    """What applications.csv applies to one document, as exact decimals (currency unknown yet)."""

    row: int  # its first row in the file
    first: date
    total: Decimal = Decimal(0)
    upto: list[Decimal] = field(default_factory=list)  # Σ applied on or before each cutoff
    last: date | None = None  # the latest application on or before the last cutoff
    written_off: Decimal = Decimal(0)  # write-offs inside the window


def _amount_cell(row: dict[str, str], column: str, *, required: bool) -> Decimal:
    if not required and not row.get(column):
        return _ZERO  # most rows leave discounts and write-offs empty: no checks to run
    value = text_cell(row, column, required=required)
    if not value:
        return _ZERO
    try:
        amount = Decimal(value)
    except ArithmeticError:
        raise CellError(column, value, f"{value!r} is not a decimal amount") from None
    if not amount.is_finite() or amount < 0:
        raise CellError(column, value, f"{value!r} must be a decimal amount, zero or positive")
    return amount


def _read_applications(
    path: Path,
    cutoffs: Sequence[date],
    window: tuple[date, date] | None,
    problems: Problems,
) -> dict[str, _Applied]:
    applied: dict[str, _Applied] = {}
    last_cutoff = cutoffs[-1]
    for number, row in read_rows(path, "applications", problems):
        try:
            document_no = text_cell(row, "document_no", required=True)
            text_cell(row, "payment_id", required=True)
            day = date_cell(row, "applied_date")
            assert day is not None
            amount = _amount_cell(row, "applied_amount", required=True)
            discount = _amount_cell(row, "discount_amount", required=False)
            write_off = _amount_cell(row, "writeoff_amount", required=False)
        except CellError as bad:
            problems.add(path, number, bad.column, bad.value, bad.message)
            continue
        settled = amount + discount + write_off
        if not settled:
            problems.add(path, number, "applied_amount", "0", "applies nothing")
            continue
        entry = applied.get(document_no)
        if entry is None:
            entry = applied[document_no] = _Applied(
                row=number, first=day, upto=[Decimal(0)] * len(cutoffs)
            )
        entry.first = min(entry.first, day)
        entry.total += settled
        for index, cutoff in enumerate(cutoffs):
            if day <= cutoff:
                entry.upto[index] += settled
        if day <= last_cutoff and (entry.last is None or day > entry.last):
            entry.last = day
        if window is not None and window[0] <= day <= window[1]:
            entry.written_off += write_off
    return applied


def _units(amount: Decimal, currency: str) -> int | None:
    scaled = amount.scaleb(minor_units(currency))
    return int(scaled) if scaled == scaled.to_integral_value() else None


@dataclass
class _CsvDocument:
    """A documents.csv row with its balances as of each cutoff (minor units, signed)."""

    kind: str
    currency: str
    customer_id: str
    document_date: date
    due_date: date | None
    amount: int
    balances: list[int]
    last_moved: date | None  # the latest date its balance moved, up to the last cutoff
    written_off: int


def _customer_terms(path: Path, problems: Problems) -> dict[str, Terms]:
    terms: dict[str, Terms] = {}
    for number, row in read_rows(path, "customers", problems):
        try:
            customer = customer_from_row(row, "files")
        except CellError as bad:
            problems.add(path, number, bad.column, bad.value, bad.message)
            continue
        terms[customer.id] = customer.terms
    return terms


def _csv_documents(
    documents: Path,
    applications: Path | None,
    cutoffs: Sequence[date],
    window: tuple[date, date] | None = None,
    customers: Path | None = None,
) -> Iterator[_CsvDocument]:
    """Every document dated on or before the last cutoff, with its balances; see the module.

    Raises (once every row is read):
        InputRejectedError: any bad row, every one listed.
    """
    problems = Problems()
    applied = (
        {} if applications is None else _read_applications(applications, cutoffs, window, problems)
    )
    terms = {} if customers is None else _customer_terms(customers, problems)
    seen: set[str] = set()
    last_cutoff = cutoffs[-1]
    for number, row in read_rows(documents, "documents", problems):
        try:
            fields = document_fields(row, terms.get)
        except CellError as bad:
            problems.add(documents, number, bad.column, bad.value, bad.message)
            applied.pop(text_cell(row, "document_no"), None)  # reported once, here
            continue
        document_no: str = fields["id"]
        if document_no in seen:
            problems.add(documents, number, "document_no", document_no, "appears twice")
            continue
        seen.add(document_no)
        kind: str = fields["kind"]
        currency: str = fields["currency"]
        dated: date = fields["document_date"]
        opened: int = fields["open"]
        entry = applied.pop(document_no, None)
        settled_upto = [0] * len(cutoffs)
        last_moved = dated if opened != fields["amount"] else None
        written_off = 0
        if entry is not None:
            assert applications is not None
            if not _check_applied(applications, entry, kind, currency, dated, opened, problems):
                continue
            settled_upto = [_units(amount, currency) or 0 for amount in entry.upto]
            written_off = _units(entry.written_off, currency) or 0
            if entry.last is not None:
                last_moved = entry.last if last_moved is None else max(last_moved, entry.last)
        if dated > last_cutoff:
            continue
        sign = -1 if kind == "credit_memo" else 1
        yield _CsvDocument(
            kind=kind,
            currency=currency,
            customer_id=fields["customer_id"],
            document_date=dated,
            due_date=fields["due_date"],
            amount=fields["amount"],
            balances=[
                0 if dated > cutoff else sign * (opened - settled)
                for cutoff, settled in zip(cutoffs, settled_upto, strict=True)
            ],
            last_moved=last_moved,
            written_off=written_off,
        )
    if applications is not None:
        for document_no, entry in applied.items():
            problems.add(
                applications,
                entry.row,
                "document_no",
                document_no,
                "no such invoice or debit memo in the documents file",
            )
    if problems.found:
        raise _rejected(problems.sorted())


def _check_applied(
    path: Path,
    entry: _Applied,
    kind: str,
    currency: str,
    dated: date,
    opened: int,
    problems: Problems,
) -> bool:
    """Whether the applications to a document are sound; each problem is added."""
    before = len(problems.found)
    if kind not in _RECEIVABLES:
        problems.add(
            path, entry.row, "document_no", None, "applications settle invoices and debit memos"
        )
        return False
    total = _units(entry.total, currency)
    parts = (*entry.upto, entry.written_off)
    if total is None or any(_units(amount, currency) is None for amount in parts):
        problems.add(
            path, entry.row, "applied_amount", str(entry.total), f"too many decimals for {currency}"
        )
    elif total > opened:
        problems.add(
            path, entry.row, "applied_amount", str(entry.total), "more than the document has open"
        )
    if entry.first < dated:
        problems.add(
            path, entry.row, "applied_date", str(entry.first), f"before the document ({dated})"
        )
    return len(problems.found) == before


def _rejected(problems: Sequence[ArcoreError]) -> InputRejectedError:
    lines = [f"  - {problem}" for problem in problems[: InputRejectedError.SHOWN]]
    if len(problems) > InputRejectedError.SHOWN:
        lines.append(f"  - ... and {len(problems) - InputRejectedError.SHOWN} more")
    noun = "problem" if len(problems) == 1 else "problems"
    return InputRejectedError(
        f"{len(problems)} {noun} in the files, so no report was made; fix these rows and run "
        "the report again:\n" + "\n".join(lines),
        problems=problems,
    )


def csv_balances(
    documents: Path,
    applications: Path | None = None,
    *,
    as_of: date,
    customers: Path | None = None,
) -> Iterator[BalanceRow]:
    """The open items of CSV files as of ``as_of``, one document at a time; see the module.

    Documents with a zero balance as of ``as_of`` are left out. ``customers`` (a
    customers.csv) gives the terms of documents that have neither a due date nor terms.

    Raises (once every row is read):
        InputRejectedError: any bad row, every one listed with its file, row, column and
            value.
    """
    for document in _csv_documents(documents, applications, (as_of,), customers=customers):
        balance = document.balances[0]
        if balance:
            yield (
                document.currency,
                document.customer_id,
                document.document_date,
                document.due_date,
                balance,
            )


def csv_period(
    documents: Path,
    applications: Path | None = None,
    *,
    start: date,
    end: date,
    edges: Sequence[int],
    customers: Path | None = None,
) -> PeriodHistory:
    """The figures behind the KPIs of ``start`` to ``end``, from CSV files; see the module.

    Write-offs are the ``writeoff_amount`` of applications dated in the period;
    ``customers`` gives the terms of documents without a due date or terms.

    Raises:
        InputRejectedError: any bad row, every one listed.
    """
    history = PeriodHistory(start=start, end=end, edges=tuple(edges))
    before = start - timedelta(days=1)
    ending_of = end.toordinal()
    for document in _csv_documents(documents, applications, (before, end), (start, end), customers):
        figures = history.of(document.currency, document.customer_id)
        opening, closing = document.balances
        figures.beginning += opening
        if closing:
            reference = document.due_date or document.document_date
            figures.ending[band_of(ending_of - reference.toordinal(), edges)] += closing
        signed = -document.amount if document.kind == "credit_memo" else document.amount
        dated = document.document_date
        figures.monthly[dated.year, dated.month] = (
            figures.monthly.get((dated.year, dated.month), 0) + signed
        )
        if start <= dated:
            figures.sales += signed
        figures.written_off += document.written_off
        if (
            document.kind in _RECEIVABLES
            and not closing
            and document.last_moved is not None
            and start <= document.last_moved
        ):
            _add_settled(figures, dated, document.due_date, document.amount, document.last_moved)
    return history
