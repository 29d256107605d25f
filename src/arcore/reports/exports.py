"""Exports: aging, KPIs, open items and the journal as CSV, XLSX or JSON tables.

A table is a header and rows of cells; [`write_table`][arcore.reports.exports.write_table]
writes one to a file chosen by its suffix, streaming the rows (a journal of millions of
postings never sits in memory), and the ``*_table`` helpers turn reports into tables:

>>> from arcore.reports import AgingBasis, AgingReport, AgingRow, buckets
>>> from arcore.money import Money
>>> from datetime import date
>>> usd = [Money(a, "USD") for a in ("100.00", "0.00", "0.00", "0.00", "-5.00")]
>>> row = AgingRow(customer_id="c-1", currency="USD", amounts=tuple(usd),
...                total=Money("95.00", "USD"))
>>> report = AgingReport(as_of=date(2026, 3, 31), basis=AgingBasis.DUE, buckets=buckets(),
...     rows=(row,), totals={"USD": row.model_copy(update={"customer_id": "TOTAL"})})
>>> header, rows = aging_table(report)
>>> header
('customer_id', 'current', '1-30', '31-60', '61-90', '91+', 'total')
>>> for cells in rows:
...     print(",".join(cell_text(cell) for cell in cells))
c-1,100.00,0.00,0.00,0.00,-5.00,95.00
TOTAL,100.00,0.00,0.00,0.00,-5.00,95.00

How cells are written:

* ``Money`` and ``Decimal``: exactly. CSV and JSON hold the decimal text (``"-1234.50"``;
  a ``Money`` cell holds its amount only: the tables carry the currency in a column of
  its own). XLSX holds a number whose stored text is the exact decimal, formatted with the
  currency's minor units (``#,##0.00``). openpyxl would write a ``Decimal`` through
  ``float`` (``"%.16g"``, so ``9.99999999999999`` becomes ``9.999999999999989``); arcore
  writes the cell's text itself instead. Excel reads numbers as binary doubles (15
  significant digits): amounts of up to 13 integer digits with 2 decimals survive.
* ``bool``: ``true`` / ``false`` in CSV, JSON booleans, XLSX booleans.
* ``date``: ISO 8601 (``2026-03-31``) in CSV and JSON, a date cell shown ``yyyy-mm-dd``
  in XLSX; ``datetime``: ISO 8601 text everywhere.
* ``float``: refused ([`FloatAmountError`][arcore.errors.FloatAmountError]); money never
  floats.
* Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
  with ``'`` in CSV and XLSX so a spreadsheet does not run it as a formula (OWASP's CSV
  injection advice). Numbers are not text: a negative amount stays a number. JSON is
  data, not a spreadsheet, and is written as it is.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from arcore.csvfiles import neutralise
from arcore.errors import FloatAmountError, ValidationError
from arcore.ledger.journal import JournalEntry
from arcore.ledger.repository import OpenItem
from arcore.money import Money
from arcore.reports.model import AgingReport, AgingRow, KpiReport, Kpis

__all__ = [
    "EXPORT_SUFFIXES",
    "JOURNAL_COLUMNS",
    "OPEN_ITEM_COLUMNS",
    "Table",
    "aging_table",
    "cell_text",
    "journal_table",
    "kpis_table",
    "open_items_table",
    "write_table",
]

EXPORT_SUFFIXES = (".csv", ".xlsx", ".json")
"""The file suffixes [`write_table`][arcore.reports.exports.write_table] writes."""

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class Table(NamedTuple):
    """A header and its rows, as the ``*_table`` helpers return them.

    Unpacks as ``header, rows``; ``write_table(path, *table)`` writes it.

    Attributes:
        header: The column names.
        rows: The rows, each with one cell per column; an iterator for tables that may be
            large (the journal), read once.
    """

    header: tuple[str, ...]
    rows: Iterable[Sequence[object]]


def cell_text(value: object) -> str:
    """Return a cell's value as exact text, as CSV writes it (before neutralising).

    >>> cell_text(Money("-1234.50", "USD")), cell_text(date(2026, 3, 1)), cell_text(None)
    ('-1234.50', '2026-03-01', '')
    >>> cell_text(True), cell_text(Decimal("1E+3"))
    ('true', '1000')

    Raises:
        FloatAmountError: ``value`` is a ``float``.
    """
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return "true" if plain else "false"  # as JSON writes it
    if isinstance(plain, Decimal):
        return f"{plain:f}"
    if isinstance(plain, date):
        return plain.isoformat()
    return str(plain)


def _plain(value: object) -> str | int | bool | Decimal | date | None:
    """The value reduced to what a cell holds: text, an int, a bool, a Decimal or a date."""
    if isinstance(value, float):
        raise FloatAmountError(
            f"float {value!r} refused in an export",
            hint="Put Money, Decimal or int in the table; money never floats",
            value=value,
        )
    if value is None or isinstance(value, bool | int | Decimal):
        return value
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | str):
        return value
    return str(value)


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a table to ``path`` as CSV, XLSX or JSON, by its suffix, streaming the rows.

    JSON is a list of objects keyed by the header. The file appears only once it is
    complete: the rows go to ``path`` with ``.part`` appended, renamed at the end (and
    removed if writing fails).

    Args:
        path: Where to write; its suffix (``.csv``, ``.xlsx``, ``.json``) picks the format.
        header: The column names.
        rows: One sequence per row, as many cells as ``header``; read once.

    Raises:
        ValidationError: an unknown suffix, or a row whose length is not the header's.
        FloatAmountError: a ``float`` cell.
    """
    writer = {".csv": _write_csv, ".xlsx": _write_xlsx, ".json": _write_json}.get(
        path.suffix.lower()
    )
    if writer is None:
        raise ValidationError(
            f"cannot export to {path.name!r}: unknown file type {path.suffix or '(none)'!r}",
            hint=f"Name the file with one of {', '.join(EXPORT_SUFFIXES)}",
            field="path",
            value=str(path),
        )
    header = tuple(header)
    partial = path.with_name(path.name + ".part")
    try:
        writer(partial, header, _checked(header, rows, path))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _checked(
    header: tuple[str, ...], rows: Iterable[Sequence[object]], path: Path
) -> Iterator[Sequence[object]]:
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise ValidationError(
                f"row {number} has {len(row)} cells for {len(header)} columns",
                hint="Give every row one cell per column of the header",
                file=path,
                row=number,
            )
        yield row


def _write_csv(path: Path, header: tuple[str, ...], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(name) for name in header])
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])


def _csv_cell(value: object) -> str:
    plain = _plain(value)
    text = cell_text(plain)
    return neutralise(text) if isinstance(plain, str) else text


def _write_json(path: Path, header: tuple[str, ...], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        first = True
        for row in rows:
            handle.write("\n  " if first else ",\n  ")
            first = False
            record = {name: _json_cell(value) for name, value in zip(header, row, strict=True)}
            json.dump(record, handle, ensure_ascii=False)
        handle.write("\n]\n" if not first else "]\n")


def _json_cell(value: object) -> str | int | bool | None:
    plain = _plain(value)
    if plain is None or isinstance(plain, bool | int | str):
        return plain
    return cell_text(plain)  # Decimal and date: exact text


def _write_xlsx(path: Path, header: tuple[str, ...], rows: Iterable[Sequence[object]]) -> None:
    book = Workbook(write_only=True)
    # Named after the file ("aging.xlsx" -> "aging"), without what Excel forbids in a name.
    title = _SHEET_FORBIDDEN.sub("_", path.name.removesuffix(".part").rsplit(".", 1)[0])
    sheet = book.create_sheet(title[:31].strip("'") or "Sheet1")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    titles = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=neutralise(name))
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    book.save(path)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> Cell:
    plain = _plain(value)
    if isinstance(plain, Decimal):
        places = value.exponent if isinstance(value, Money) else 0
        exponent = plain.as_tuple().exponent
        places = max(places, -exponent if isinstance(exponent, int) else 0)
        cell = WriteOnlyCell(sheet, value=f"{plain:f}")
        # openpyxl writes a Decimal cell through float ("%.16g"); binding the exact text and
        # marking the cell numeric stores the decimal's own digits in the sheet.
        cell.data_type = "n"
        cell.number_format = "#,##0" + ("." + "0" * places if places else "")
        return cell
    if isinstance(plain, date):
        cell = WriteOnlyCell(sheet)
        cell.value = plain
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(plain, str):
        return WriteOnlyCell(sheet, value=neutralise(plain))
    return WriteOnlyCell(sheet, value=plain)


# --- reports as tables ---------------------------------------------------------------------------


def aging_table(report: AgingReport) -> Table:
    """The aging as a table: ``customer_id,current,1-30,31-60,61-90,91+,total``.

    The bucket columns follow the report's bucket labels. One row per customer whose row
    has a non-zero amount, sorted by customer id (receipts of no known customer, an empty
    ``customer_id``, after them), then the ``TOTAL`` row. With several currencies a
    ``currency`` column follows ``customer_id`` and each currency (in code order) has its
    customers then its own ``TOTAL``: amounts of two currencies are never added.
    """
    currencies = sorted({row.currency for row in report.rows} | set(report.totals))
    several = len(currencies) > 1
    header = (
        "customer_id",
        *(("currency",) if several else ()),
        *(bucket.label for bucket in report.buckets),
        "total",
    )

    def line(customer_id: str | None, row: AgingRow) -> list[object]:
        return [customer_id, *((row.currency,) if several else ()), *row.amounts, row.total]

    rows: list[Sequence[object]] = []
    for currency in currencies:
        mine = [r for r in report.rows if r.currency == currency]
        mine.sort(key=lambda r: (r.customer_id is None, r.customer_id or ""))
        rows += [line(r.customer_id, r) for r in mine if r.total or any(r.amounts)]
        total = report.totals.get(currency)
        if total is not None:
            rows.append(line("TOTAL", total))
    return Table(header, rows)


_KPI_FIELDS = tuple(Kpis.model_fields)


def kpis_table(report: KpiReport) -> Table:
    """The KPIs as a table: one row per customer and currency, then ``TOTAL`` per currency.

    Columns: ``customer_id``, ``currency``, ``start``, ``end``, then every field of
    `arcore.reports.Kpis` in its order (``dso`` ... ``credit_sales``). Ratios and
    days are decimals, amounts money; a KPI that divides by zero is an empty cell (JSON
    ``null``).
    """
    header = ("customer_id", "currency", "start", "end", *_KPI_FIELDS)

    def line(customer_id: str, currency: str, kpis: Kpis) -> list[object]:
        return [
            customer_id,
            currency,
            report.start,
            report.end,
            *(getattr(kpis, name) for name in _KPI_FIELDS),
        ]

    rows: list[Sequence[object]] = []
    currencies = sorted(set(report.overall) | {c for per in report.customers.values() for c in per})
    for currency in currencies:
        for customer_id in sorted(report.customers):
            kpis = report.customers[customer_id].get(currency)
            if kpis is not None:
                rows.append(line(customer_id, currency, kpis))
        if currency in report.overall:
            rows.append(line("TOTAL", currency, report.overall[currency]))
    return Table(header, rows)


OPEN_ITEM_COLUMNS = (
    "customer_id",
    "document_id",
    "kind",
    "number",
    "document_date",
    "due_date",
    "currency",
    "total",
    "balance",
    "status",
    "disputed",
)


def open_items_table(items: Iterable[OpenItem]) -> Table:
    """Open items as a table, in the order given (streamed: ``items`` is read once).

    Columns: ``customer_id, document_id, kind, number, document_date, due_date, currency,
    total, balance, status, disputed``; credits have a negative balance.
    """
    rows = (
        (
            item.customer_id,
            item.document_id,
            item.kind,
            item.number,
            item.document_date,
            item.due_date,
            item.currency,
            item.total,
            item.balance,
            item.status,
            item.disputed,
        )
        for item in items
    )
    return Table(OPEN_ITEM_COLUMNS, rows)


JOURNAL_COLUMNS = (
    "entry_id",
    "entry_date",
    "kind",
    "account",
    "debit",
    "credit",
    "currency",
    "customer_id",
    "document_id",
    "source_id",
    "actor",
    "reason",
    "reverses",
    "idempotency_key",
)


def journal_table(entries: Iterable[JournalEntry]) -> Table:
    """The journal as a table: one row per posting line (streamed: ``entries`` is read once).

    Columns: ``entry_id, entry_date, kind, account, debit, credit, currency, customer_id,
    document_id, source_id, actor, reason, reverses, idempotency_key``. ``debit`` and
    ``credit`` are positive amounts, the other side zero; Σ debits = Σ credits per entry.
    """
    return Table(JOURNAL_COLUMNS, _posting_rows(entries))


def _posting_rows(entries: Iterable[JournalEntry]) -> Iterator[tuple[object, ...]]:
    for entry in entries:
        for posting in entry.postings:
            yield (
                entry.id,
                entry.entry_date,
                entry.kind,
                posting.account,
                posting.debit,
                posting.credit,
                posting.amount.currency,
                posting.customer_id,
                posting.document_id,
                posting.source_id,
                entry.actor,
                entry.reason,
                entry.reverses,
                entry.idempotency_key,
            )
