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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Final, NamedTuple

from arcore.csvfiles import (
    COLUMNS,
    KINDS,
    CellError,
    Problems,
    customer_from_row,
    date_cell,
    document_fields,
    positions,
    read_lists,
    read_rows,
    terms_cell,
    text_cell,
)
from arcore.errors import ArcoreError, InputRejectedError, NotFoundError
from arcore.ledger.accounts import AccountRole
from arcore.ledger.repository import LedgerSession, LedgerStore
from arcore.money import is_currency, minor_units
from arcore.terms import Terms, due_date

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
) -> list[tuple[str, str | None, tuple[int, ...]]]:
    """Σ open balances as of ``as_of`` per currency, customer and aging band, from the store.

    Rows are ``(currency, customer_id, minor units per band)``, one per customer and
    currency with a non-zero band, with bands as in
    [`band_of`][arcore.reports.history.band_of]; only entries dated on or before
    ``as_of`` count. After a period close, the close's balances stand for the history
    before it (see [`Ledger.close_period`][arcore.ledger.service.Ledger.close_period]).

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
        for currency, customer, bands in session.aged_balances(
            as_of=before,
            bounds=[before],
            by_document_date=False,
            receivable_account=ar,
            receipt_accounts=receipts,
        ):
            history.of(currency, customer).beginning += sum(bands)
        for currency, customer, bands in session.aged_balances(
            as_of=end,
            bounds=band_bounds(end, edges),
            by_document_date=False,
            receivable_account=ar,
            receipt_accounts=receipts,
        ):
            ending = history.of(currency, customer).ending
            for band, units in enumerate(bands):
                ending[band] += units
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


@dataclass(slots=True)  # one per document with applications: millions
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


def _application_cells(row: dict[str, str]) -> tuple[str, date, Decimal, Decimal]:
    """An applications.csv row's document, date, amount settled and write-off, all checked.

    Raises:
        CellError: the first bad cell of the row.
    """
    document_no = text_cell(row, "document_no", required=True)
    text_cell(row, "payment_id", required=True)
    day = date_cell(row, "applied_date")
    assert day is not None
    amount = _amount_cell(row, "applied_amount", required=True)
    discount = _amount_cell(row, "discount_amount", required=False)
    write_off = _amount_cell(row, "writeoff_amount", required=False)
    return document_no, day, amount + discount + write_off, write_off


def _plain_amount(text: str) -> Decimal | None:
    """A stripped cell as a finite decimal, zero or positive; ``None`` for anything else."""
    if not text:
        return _ZERO
    try:
        amount = Decimal(text)
    except ArithmeticError:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _fast_application(
    cells: list[str], at: dict[str, int | None], days: dict[str, date]
) -> tuple[str, date, Decimal, Decimal] | None:
    """What :func:`_application_cells` reads from a sound row, faster; ``None`` for any doubt.

    A ``None`` row is read again the slow way, which names its problem.
    """
    try:
        document_no = cells[at["document_no"]].strip()  # type: ignore[index]
        payment_id = cells[at["payment_id"]].strip()  # type: ignore[index]
        day_text = cells[at["applied_date"]].strip()  # type: ignore[index]
        amount_text = cells[at["applied_amount"]].strip()  # type: ignore[index]
        discount_at, write_off_at = at["discount_amount"], at["writeoff_amount"]
        discount_text = "" if discount_at is None else cells[discount_at].strip()
        write_off_text = "" if write_off_at is None else cells[write_off_at].strip()
    except IndexError:
        return None
    if not (document_no and payment_id and amount_text):
        return None
    day = days.get(day_text)
    if day is None:
        try:
            day = days[day_text] = date.fromisoformat(day_text)
        except ValueError:
            return None
    amount = _plain_amount(amount_text)
    if amount is None:
        return None
    if not (discount_text or write_off_text):  # most rows
        return document_no, day, amount, _ZERO
    discount = _plain_amount(discount_text)
    write_off = _plain_amount(write_off_text)
    if discount is None or write_off is None:
        return None
    return document_no, day, amount + discount + write_off, write_off


def _read_applications(
    path: Path,
    cutoffs: Sequence[date],
    window: tuple[date, date] | None,
    problems: Problems,
) -> dict[str, _Applied]:
    applied: dict[str, _Applied] = {}
    last_cutoff = cutoffs[-1]
    single = len(cutoffs) == 1  # aging; the KPIs have two
    header: list[str] = []
    at: dict[str, int | None] = {}
    days: dict[str, date] = {}  # a year of dates, parsed once each
    for number, cells in read_lists(path, "applications", problems, header):
        if not at:
            at = positions(header, COLUMNS["applications"])
        cell = _fast_application(cells, at, days)
        if cell is None:
            try:
                cell = _application_cells(dict(zip(header, cells, strict=False)))
            except CellError as bad:
                problems.add(path, number, bad.column, bad.value, bad.message)
                continue
        document_no, day, settled, write_off = cell
        if not settled:
            problems.add(path, number, "applied_amount", "0", "applies nothing")
            continue
        entry = applied.get(document_no)
        if entry is None:
            entry = applied[document_no] = _Applied(
                row=number, first=day, upto=[_ZERO] * len(cutoffs)
            )
        elif day < entry.first:
            entry.first = day
        entry.total += settled
        upto = entry.upto
        if single:
            if day <= last_cutoff:
                upto[0] += settled
        else:
            for index, cutoff in enumerate(cutoffs):
                if day <= cutoff:
                    upto[index] += settled
        if day <= last_cutoff and (entry.last is None or day > entry.last):
            entry.last = day
        if write_off and window is not None and window[0] <= day <= window[1]:
            entry.written_off += write_off
    return applied


def _units(amount: Decimal, currency: str) -> int | None:
    scaled = amount.scaleb(minor_units(currency))
    return int(scaled) if scaled == scaled.to_integral_value() else None


@dataclass(slots=True)
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


class _DocumentFields(NamedTuple):
    """The fields of a documents.csv row aging needs (amounts in minor units)."""

    id: str
    kind: str
    customer_id: str
    currency: str
    document_date: date
    due_date: date | None
    amount: int
    open: int


def _plain_units(text: str, places: int) -> int | None:
    """Plain decimal digits (``"1234.5"``) as minor units; ``None`` for any other text.

    Only what :func:`~arcore.csvfiles.minor_cell` reads the same way: ASCII digits with at
    most ``places`` decimals. Anything else (signs, exponents, more decimals) is left to it.
    """
    whole, point, part = text.partition(".")
    if not (whole.isascii() and whole.isdigit()) or len(part) > places:
        return None
    if part and not (part.isascii() and part.isdigit()):
        return None
    if point and not part:
        return None
    units: int = int(whole) * 10**places
    return units + int(part) * 10 ** (places - len(part)) if part else units


def _fast_document(
    cells: list[str],
    at: tuple[int, ...],
    terms_of: Callable[[str], Terms | None],
    days: dict[str, date],
    scales: dict[str, int],
) -> _DocumentFields | None:
    """What :func:`~arcore.csvfiles.document_fields` reads from a sound row, faster.

    ``None`` for any doubt: that row is read again the slow way, which names its problem.
    ``at`` is where the cells of ``_DOCUMENT_CELLS`` are (-1: no such column); ``days`` and
    ``scales`` remember the dates and currencies already read.
    """
    i_no, i_kind, i_customer, i_currency, i_dated, i_due, i_terms, i_amount, i_open = at
    try:
        document_no = cells[i_no].strip()
        kind = cells[i_kind].strip()
        customer_id = cells[i_customer].strip()
        currency = cells[i_currency].strip()
        dated_text = cells[i_dated].strip()
        due_text = "" if i_due < 0 else cells[i_due].strip()
        terms_text = "" if i_terms < 0 else cells[i_terms].strip()
        amount_text = cells[i_amount].strip()
        open_text = "" if i_open < 0 else cells[i_open].strip()
    except IndexError:  # a short row
        return None
    kind = kind.lower()
    currency = currency.upper()
    places = scales.get(currency)
    if places is None:
        if not is_currency(currency):
            return None
        places = scales[currency] = minor_units(currency)
    if kind not in KINDS or not document_no or not customer_id:
        return None
    amount = _plain_units(amount_text, places)
    opened = amount if not open_text else _plain_units(open_text, places)
    if not amount or opened is None or opened > amount:
        return None
    dated = days.get(dated_text)
    due = days.get(due_text) if due_text else None
    if dated is None or (due_text and due is None):
        try:
            dated = days[dated_text] = date.fromisoformat(dated_text)
            if due_text:
                due = days[due_text] = date.fromisoformat(due_text)
        except ValueError:
            return None
    if due is None and kind != "credit_memo":
        try:
            terms = terms_cell(terms_text) if terms_text else terms_of(customer_id)
            if terms is None:
                return None
            due = due_date(terms, dated)
        except (CellError, ArcoreError):
            return None
    elif terms_text:
        try:
            terms_cell(terms_text)  # checked even when unused, as the importer does
        except CellError:
            return None
    if due is not None and due < dated:
        return None
    return _DocumentFields(document_no, kind, customer_id, currency, dated, due, amount, opened)


_DOCUMENT_CELLS: Final = (
    "document_no",
    "kind",
    "customer_id",
    "currency",
    "document_date",
    "due_date",
    "terms",
    "amount",
    "open_amount",
)


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
    header: list[str] = []
    at: tuple[int, ...] = ()
    days: dict[str, date] = {}
    scales: dict[str, int] = {}
    for number, cells in read_lists(documents, "documents", problems, header):
        if not at:
            found = positions(header, _DOCUMENT_CELLS)
            at = tuple(-1 if index is None else index for index in found.values())
        fields = _fast_document(cells, at, terms.get, days, scales)
        if fields is None:
            row = dict(zip(header, cells, strict=False))
            try:
                slow = document_fields(row, terms.get)
            except CellError as bad:
                problems.add(documents, number, bad.column, bad.value, bad.message)
                applied.pop(text_cell(row, "document_no"), None)  # reported once, here
                continue
            fields = _DocumentFields(
                slow["id"],
                slow["kind"],
                slow["customer_id"],
                slow["currency"],
                slow["document_date"],
                slow["due_date"],
                slow["amount"],
                slow["open"],
            )
        document_no, kind, customer_id, currency, dated, due, amount, opened = fields
        if document_no in seen:
            problems.add(documents, number, "document_no", document_no, "appears twice")
            continue
        seen.add(document_no)
        entry = applied.pop(document_no, None)
        if entry is None and dated > last_cutoff:
            continue  # not there yet, and nothing applied to check
        settled_upto = [0] * len(cutoffs)
        last_moved = dated if opened != amount else None
        written_off = 0
        if entry is not None:
            assert applications is not None
            sums = _checked_applied(applications, entry, kind, currency, dated, opened, problems)
            if sums is None:
                continue
            settled_upto, written_off = sums
            if entry.last is not None:
                last_moved = entry.last if last_moved is None else max(last_moved, entry.last)
        if dated > last_cutoff:
            continue
        sign = -1 if kind == "credit_memo" else 1
        yield _CsvDocument(
            kind=kind,
            currency=currency,
            customer_id=customer_id,
            document_date=dated,
            due_date=due,
            amount=amount,
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


def _checked_applied(
    path: Path,
    entry: _Applied,
    kind: str,
    currency: str,
    dated: date,
    opened: int,
    problems: Problems,
) -> tuple[list[int], int] | None:
    """The applications to a document in minor units (Σ up to each cutoff, write-offs).

    ``None`` if they are not sound, each problem added.
    """
    before = len(problems.found)
    if kind not in _RECEIVABLES:
        problems.add(
            path, entry.row, "document_no", None, "applications settle invoices and debit memos"
        )
        return None
    total = _units(entry.total, currency)
    upto = [_units(amount, currency) for amount in entry.upto]
    written_off = _units(entry.written_off, currency) if entry.written_off else 0
    if total is None or None in upto or written_off is None:
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
    if len(problems.found) != before:
        return None
    return [units or 0 for units in upto], written_off or 0


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
