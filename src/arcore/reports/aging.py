"""Aging: every open item's balance as of a date, in buckets by days past due, per customer.

domain.md, "Aging": as of a date D, each open item (invoices and debit memos positive;
credit memos, unapplied payments and deposits negative) counts with its balance as of D,
from the entries dated on or before D only. Its days are D − due date (or D − document
date with [`AgingBasis.DOCUMENT`][arcore.reports.model.AgingBasis]; items without a due
date, credits and receipts, count from their document date either way). Buckets are
``current`` (days ≤ 0), then one per edge (``1-30``, ``31-60``, ``61-90``) and the rest
(``91+``).

Sums are kept in integer minor units and turned into [`Money`][arcore.money.Money] at the
end, so every row's buckets add up to its total and the customers' rows to the currency's
``TOTAL`` row, exactly. Currencies are never added together: each has its own rows and
total.

>>> from datetime import date
>>> from arcore.ledger.repository import OpenItem
>>> from arcore.money import Money
>>> item = OpenItem(document_id="INV-1", kind="invoice", customer_id="c-1", number="INV-1",
...     document_date=date(2026, 1, 1), due_date=date(2026, 1, 31), currency="USD",
...     total=Money("100.00", "USD"), balance=Money("40.00", "USD"), status="partially_paid",
...     disputed=False)
>>> report = age([item], date(2026, 3, 3))  # 31 days past due
>>> [(b.label, str(m.amount)) for b, m in zip(report.buckets, report.rows[0].amounts)]
[('current', '0.00'), ('1-30', '0.00'), ('31-60', '40.00'), ('61-90', '0.00'), ('91+', '0.00')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Final

from arcore.ledger.repository import LedgerStore, OpenItem
from arcore.ledger.service import Ledger
from arcore.money import Money
from arcore.reports.history import (
    BalanceRow,
    band_of,
    csv_balances,
    store_aged_balances,
)
from arcore.reports.model import AgingBasis, AgingReport, AgingRow, Bucket, buckets

__all__ = [
    "DEFAULT_EDGES",
    "TOTAL",
    "age",
    "age_balances",
    "aging_from_csv",
    "aging_from_store",
    "in_currency",
]

DEFAULT_EDGES: Final = (30, 60, 90)
"""The default bucket edges: current, 1-30, 31-60, 61-90, 91+."""

TOTAL: Final = "TOTAL"
"""The ``customer_id`` of a currency's total row."""

_Key = tuple[str, str | None]


class _Sums:
    """Per currency and customer, the minor units of each bucket (and the items, if kept)."""

    def __init__(self, width: int, *, with_items: bool = False) -> None:
        self.width = width
        self.units: dict[_Key, list[int]] = {}
        self.items: dict[_Key, list[OpenItem]] | None = {} if with_items else None

    def add(self, currency: str, customer_id: str | None, band: int, units: int) -> None:
        key = (currency, customer_id)
        row = self.units.get(key)
        if row is None:
            row = self.units[key] = [0] * self.width
        row[band] += units

    def add_bands(self, currency: str, customer_id: str | None, bands: Sequence[int]) -> None:
        """Add a customer's sum per bucket at once."""
        key = (currency, customer_id)
        row = self.units.get(key)
        if row is None:
            self.units[key] = list(bands)
            return
        for band, units in enumerate(bands):
            row[band] += units

    def keep(self, item: OpenItem) -> None:
        assert self.items is not None
        self.items.setdefault((item.currency, item.customer_id), []).append(item)

    def report(self, as_of: date, basis: AgingBasis, columns: tuple[Bucket, ...]) -> AgingReport:
        per_currency: dict[str, list[tuple[str | None, list[int]]]] = {}
        for (currency, customer_id), units in sorted(self.units.items(), key=_row_order):
            if any(units):
                per_currency.setdefault(currency, []).append((customer_id, units))
        rows: list[AgingRow] = []
        totals: dict[str, AgingRow] = {}
        for currency, entries in per_currency.items():
            total = [sum(column) for column in zip(*(units for _, units in entries), strict=True)]
            entries.append((TOTAL, total))
            # One conversion per currency: a report may have a row for each of 100,000s of
            # customers, and looking the currency up once per row would cost as much again.
            width = self.width + 1
            money = Money.many_from_minor_units(
                [value for _, units in entries for value in (*units, sum(units))], currency
            )
            for number, (customer_id, _) in enumerate(entries):
                amounts = money[number * width : (number + 1) * width]
                items: Sequence[OpenItem] = ()
                if self.items is not None and customer_id != TOTAL:
                    items = sorted(self.items.get((currency, customer_id), []), key=_item_order)
                row = _row(customer_id, currency, amounts[:-1], amounts[-1], items)
                if customer_id == TOTAL:
                    totals[currency] = row
                else:
                    rows.append(row)
        return AgingReport(
            as_of=as_of, basis=basis, buckets=columns, rows=tuple(rows), totals=totals
        )


def _row_order(entry: tuple[_Key, list[int]]) -> tuple[str, bool, str]:
    (currency, customer_id), _ = entry
    return currency, customer_id is None, customer_id or ""


def _item_order(item: OpenItem) -> tuple[date, str]:
    return item.document_date, item.document_id


def _row(
    customer_id: str | None,
    currency: str,
    amounts: tuple[Money, ...],
    total: Money,
    items: Sequence[OpenItem],
) -> AgingRow:
    # Built from checked sums: nothing for pydantic to validate (a report has one per customer).
    return AgingRow.model_construct(
        customer_id=customer_id, currency=currency, amounts=amounts, total=total, items=tuple(items)
    )


def _columns(edges: Sequence[int]) -> tuple[tuple[int, ...], tuple[Bucket, ...]]:
    columns = buckets(edges)  # validates the edges
    return tuple(edges), columns


def age(
    items: Iterable[OpenItem],
    as_of: date,
    *,
    basis: AgingBasis = AgingBasis.DUE,
    edges: Sequence[int] = DEFAULT_EDGES,
    with_items: bool = False,
) -> AgingReport:
    """Age open items (balances already as of ``as_of``) into buckets; see the module.

    ``items`` is read once, and without ``with_items`` only the sums per customer are
    kept, so a stream of any length ages in constant memory per customer. Items with a
    zero balance are skipped.

    Args:
        items: Open items, e.g. what
            [`Ledger.open_items(as_of=...)`][arcore.ledger.service.Ledger.open_items] returns.
        as_of: The date the days are counted to.
        basis: By due date (days past due) or by document date (days outstanding).
        edges: Ascending positive bucket edges.
        with_items: Keep each row's items (oldest first) in ``AgingRow.items``.

    Raises:
        ValidationError: the edges are not positive and ascending.
    """
    ordered, columns = _columns(edges)
    sums = _Sums(len(columns), with_items=with_items)
    day = as_of.toordinal()
    by_document = AgingBasis(basis) is AgingBasis.DOCUMENT
    for item in items:
        units = item.balance.to_minor_units()
        if not units:
            continue
        dated = item.document_date if by_document or item.due_date is None else item.due_date
        sums.add(item.currency, item.customer_id, band_of(day - dated.toordinal(), ordered), units)
        if with_items:
            sums.keep(item)
    return sums.report(as_of, AgingBasis(basis), columns)


def age_balances(
    rows: Iterable[BalanceRow],
    as_of: date,
    *,
    basis: AgingBasis = AgingBasis.DUE,
    edges: Sequence[int] = DEFAULT_EDGES,
) -> AgingReport:
    """Age plain rows ``(currency, customer_id, document_date, due_date, minor units)``.

    The same as [`age`][arcore.reports.aging.age] on tuples instead of
    [`OpenItem`][arcore.ledger.repository.OpenItem] objects: what the file source streams.

    Raises:
        ValidationError: the edges are not positive and ascending.
    """
    ordered, columns = _columns(edges)
    sums = _Sums(len(columns))
    day = as_of.toordinal()
    by_document = AgingBasis(basis) is AgingBasis.DOCUMENT
    for currency, customer_id, document_date, due_date, units in rows:
        if not units:
            continue
        dated = document_date if by_document or due_date is None else due_date
        sums.add(currency, customer_id, band_of(day - dated.toordinal(), ordered), units)
    return sums.report(as_of, AgingBasis(basis), columns)


def aging_from_store(
    store: LedgerStore,
    company_id: str,
    as_of: date,
    *,
    basis: AgingBasis = AgingBasis.DUE,
    edges: Sequence[int] = DEFAULT_EDGES,
    with_items: bool = False,
) -> AgingReport:
    """The aging of a company's books as of ``as_of``, from the ledger's history.

    Only entries dated on or before ``as_of`` count, whatever was posted since. Without
    ``with_items`` the store adds the balances up per customer and bucket itself (one
    aggregate query), so nothing per document is held in memory; with it, the open items
    are read as [`Ledger.open_items`][arcore.ledger.service.Ledger.open_items] reads them.

    Raises:
        NotFoundError: the company has no books in the store.
        ValidationError: the edges are not positive and ascending.
    """
    ordered, columns = _columns(edges)
    basis = AgingBasis(basis)
    if with_items:
        return age(
            Ledger(store, company_id).open_items(as_of=as_of),
            as_of,
            basis=basis,
            edges=ordered,
            with_items=True,
        )
    sums = _Sums(len(columns))
    for currency, customer_id, bands in store_aged_balances(
        store, company_id, as_of, edges=ordered, by_document_date=basis is AgingBasis.DOCUMENT
    ):
        sums.add_bands(currency, customer_id, bands)
    return sums.report(as_of, basis, columns)


def aging_from_csv(
    documents: Path,
    applications: Path | None = None,
    *,
    as_of: date,
    basis: AgingBasis = AgingBasis.DUE,
    edges: Sequence[int] = DEFAULT_EDGES,
    customers: Path | None = None,
) -> AgingReport:
    """The aging of CSV files in the import format as of ``as_of``.

    ``customers`` (a customers.csv) gives the terms of documents that have neither a due
    date nor terms, as the importer takes them.

    A document's balance as of ``as_of`` is its ``open_amount`` (its ``amount`` when
    empty) less the applications dated on or before ``as_of``; documents dated after
    ``as_of`` are left out (see [`arcore.reports.history`][arcore.reports.history]).
    The files are streamed; only the applications' sums per document are held.

    Raises:
        InputRejectedError: any bad row of either file, every one listed with its file,
            row, column and value.
        ValidationError: the edges are not positive and ascending.
    """
    ordered, _ = _columns(edges)
    return age_balances(
        csv_balances(documents, applications, as_of=as_of, customers=customers),
        as_of,
        basis=basis,
        edges=ordered,
    )


def in_currency(report: AgingReport, currency: str) -> AgingReport:
    """The part of ``report`` in ``currency``: its rows and its total (empty if none).

    >>> from datetime import date
    >>> empty = age([], date(2026, 1, 31))
    >>> in_currency(empty, "usd").totals
    {}
    """
    code = currency.strip().upper()
    return report.model_copy(
        update={
            "rows": tuple(row for row in report.rows if row.currency == code),
            "totals": {c: row for c, row in report.totals.items() if c == code},
        }
    )
