"""Reading arcore's CSV formats: cells checked one by one, problems collected, rows streamed.

The formats of ``arcore import`` and ``arcore match`` (see
[Import CSV files](../how-to/import.md)). A bad cell raises [`CellError`][arcore.csvfiles.CellError]
naming its column and value; [`Problems`][arcore.csvfiles.Problems] collects them per file
and row so an input is refused with every problem listed at once.

>>> minor_cell({"amount": "12.50"}, "amount", "USD"), units_text(1250, "USD")
(1250, '12.50')
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError as PydanticValidationError

from arcore.documents import Customer
from arcore.errors import ArcoreError, ValidationError
from arcore.money import is_currency, minor_units
from arcore.terms import Terms, due_date, parse_terms

__all__ = [
    "BATCH",
    "COLUMNS",
    "KINDS",
    "REQUIRED",
    "CellError",
    "ListRow",
    "Problems",
    "Row",
    "batches",
    "currency_cell",
    "customer_from_row",
    "date_cell",
    "document_fields",
    "minor_cell",
    "neutralise",
    "payment_fields",
    "positions",
    "read_lists",
    "read_rows",
    "restore",
    "terms_cell",
    "text_cell",
    "units_text",
]

Row = tuple[int, dict[str, str]]
"""A row of a CSV file: its 1-based line number (the header is line 1) and its cells."""
ListRow = tuple[int, list[str]]
"""A row of a CSV file as a list of cells in the file's column order, numbered as ``Row``."""

BATCH: Final = 5000
"""Rows read, checked and written together."""
KINDS: Final = frozenset({"invoice", "debit_memo", "credit_memo"})
"""The kinds a documents.csv row may have."""

COLUMNS: Final = {
    "customers": (
        "customer_id",
        "name",
        "aliases",
        "bank_accounts",
        "parent_id",
        "currency",
        "terms",
        "credit_limit",
    ),
    "documents": (
        "document_no",
        "kind",
        "customer_id",
        "document_date",
        "due_date",
        "terms",
        "currency",
        "amount",
        "open_amount",
    ),
    "payments": (
        "payment_id",
        "received_date",
        "amount",
        "currency",
        "payer_name",
        "payer_account",
        "reference",
        "remittance",
        "customer_id",
    ),
    "applications": (
        "payment_id",
        "document_no",
        "applied_date",
        "applied_amount",
        "discount_amount",
        "writeoff_amount",
    ),
}
"""The columns each file has (``open_amount`` and the payments' optional columns may be empty)."""

REQUIRED: Final = {
    "customers": ("customer_id", "name", "currency"),
    "documents": ("document_no", "kind", "customer_id", "document_date", "currency", "amount"),
    "payments": ("payment_id", "received_date", "amount", "currency"),
    "applications": ("payment_id", "document_no", "applied_date", "applied_amount"),
    "proposals": ("payment_id", "document_no", "applied_amount"),
}
"""The columns a file of each kind must have."""


class Problems:
    """Every problem found, refused together at the end."""

    def __init__(self) -> None:
        self.found: list[ArcoreError] = []

    def add(self, file: Path, row: int, column: str, value: object, message: str) -> None:
        if value not in (None, "") and str(value) not in message:
            message = f"{value!r}: {message}"
        self.found.append(
            ValidationError(message, file=file.name, row=row, field=column, value=value)
        )

    # --- reading and checking cells --------------------------------------------------------------

    def sorted(self) -> list[ArcoreError]:
        """The problems in file then row order (a file's checks find them in several passes)."""
        files = {
            name: index for index, name in enumerate(dict.fromkeys(p.file for p in self.found))
        }
        return sorted(self.found, key=lambda problem: (files[problem.file], problem.row or 0))


class CellError(Exception):
    """A cell that cannot be read; carries the column, the value and why."""

    def __init__(self, column: str, value: str, message: str) -> None:
        super().__init__(message)
        self.column, self.value, self.message = column, value, message


def text_cell(row: dict[str, str], column: str, *, required: bool = False) -> str:
    """A cell's text, stripped (``CellError`` if ``required`` and empty)."""
    value = (row.get(column) or "").strip()
    if required and not value:
        raise CellError(column, value, f"{column} is empty")
    return value


def date_cell(row: dict[str, str], column: str, *, required: bool = True) -> date | None:
    """An ISO 8601 date cell (``None`` when empty and not ``required``)."""
    value = text_cell(row, column, required=required)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CellError(column, value, f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def currency_cell(row: dict[str, str], column: str = "currency") -> str:
    """An ISO 4217 currency code cell, upper-cased."""
    value = text_cell(row, column, required=True).upper()
    if not is_currency(value):
        raise CellError(column, value, f"{value!r} is not an ISO 4217 currency code")
    return value


def minor_cell(
    row: dict[str, str], column: str, currency: str, *, required: bool = True, zero: bool = False
) -> int | None:
    """A decimal string as whole minor units of ``currency`` (never through a float)."""
    value = text_cell(row, column, required=required)
    if not value:
        return None
    try:
        amount = Decimal(value)
    except ArithmeticError:
        raise CellError(column, value, f"{value!r} is not a decimal amount") from None
    if not amount.is_finite():
        raise CellError(column, value, f"{value!r} is not a decimal amount")
    scaled = amount.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise CellError(column, value, f"{value} has more decimals than {currency} allows")
    units = int(scaled)
    if units < 0 or (units == 0 and not zero):
        raise CellError(column, value, f"{value} must be {'zero or ' if zero else ''}positive")
    return units


def terms_cell(text: str, column: str = "terms") -> Terms:
    """Credit terms in any notation [`parse_terms`][arcore.terms.parse_terms] reads."""
    try:
        return _parsed_terms(text)
    except ArcoreError as error:
        raise CellError(column, text, error.message) from None


_TERMS_CACHE: dict[str, Terms] = {}


def _parsed_terms(text: str) -> Terms:
    # A registry of parsed notations: files repeat a handful of terms a million times.
    found = _TERMS_CACHE.get(text)
    if found is None:
        found = _TERMS_CACHE[text] = parse_terms(text)
    return found


def units_text(units: int, currency: str) -> str:
    """Minor units as the decimal string of the amount (``12345, "USD"`` → ``123.45``)."""
    places = minor_units(currency)
    sign, units = ("-", -units) if units < 0 else ("", units)
    if not places:
        return f"{sign}{units}"
    whole, part = divmod(units, 10**places)
    return f"{sign}{whole}.{part:0{places}d}"


_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP's CSV injection list)."""


def neutralise(text: str) -> str:
    """Return ``text`` made safe from spreadsheet formula injection.

    Text a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return) is prefixed with ``'``; other text is returned unchanged.

    >>> neutralise("=1+2"), neutralise("-5"), neutralise("@SUM(A1)"), neutralise("Acme")
    ("'=1+2", "'-5", "'@SUM(A1)", 'Acme')
    """
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undo [`neutralise`][arcore.csvfiles.neutralise]: the text as it was before.

    >>> restore("'=1+2"), restore("'quoted"), restore("Acme")
    ('=1+2', "'quoted", 'Acme')
    """
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


def read_rows(path: Path, kind: str, problems: Problems) -> Iterator[Row]:
    """The rows of a ``kind`` file, numbered; an unreadable file or header goes to ``problems``.

    Each row is a dict by column name, as ``csv.DictReader`` gives it (a missing cell is
    ``None``); [`read_lists`][arcore.csvfiles.read_lists] gives lists, for speed.
    """
    header: list[str] = []
    for number, cells in read_lists(path, kind, problems, header):
        row = dict(zip(header, cells, strict=False))
        if len(cells) < len(header):
            row.update(dict.fromkeys(header[len(cells) :]))  # type: ignore[arg-type]
        yield number, row


def read_lists(path: Path, kind: str, problems: Problems, header: list[str]) -> Iterator[ListRow]:
    """The rows of a ``kind`` file as lists of cells, numbered as ``read_rows`` numbers them.

    For files of millions of rows: no dict per row. ``header`` is filled with the file's
    column names before the first row is yielded; an unreadable file or header goes to
    ``problems`` as with ``read_rows``. Rows may be shorter than the header.
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        problems.add(path, 0, "", str(path), f"cannot read the file: {error.strerror}")
        return
    with handle:
        reader = csv.reader(handle)
        try:
            header.extend(next(reader, []))
        except UnicodeDecodeError:
            problems.add(path, 1, "", None, "the file is not UTF-8 text")
            return
        except csv.Error as error:
            problems.add(path, reader.line_num, "", None, f"unreadable: {error}")
            return
        missing = [c for c in REQUIRED[kind] if c not in header]
        for column in missing:
            problems.add(path, 1, column, None, f"the header has no {column} column")
        if missing:
            return
        number = 1
        try:
            for cells in reader:
                if cells:  # csv.DictReader skips empty lines too, and does not count them
                    number += 1
                    yield number, cells
        except (UnicodeDecodeError, csv.Error) as error:
            problems.add(path, reader.line_num, "", None, f"unreadable: {error}")


def positions(header: Sequence[str], columns: Sequence[str]) -> dict[str, int | None]:
    """Where each of ``columns`` is in ``header``, ``None`` if absent.

    A repeated name is at its last place, the cell a dict of the row would keep.
    """
    found: dict[str, int | None] = dict.fromkeys(columns)
    for index, name in enumerate(header):
        if name in found:
            found[name] = index
    return found


def batches(
    rows: Iterator[tuple[int, dict[str, str]]],
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """``rows`` in lists of [`BATCH`][arcore.csvfiles.BATCH]."""
    batch: list[tuple[int, dict[str, str]]] = []
    for item in rows:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def customer_from_row(row: dict[str, str], company_id: str) -> Customer:
    """A customers.csv row as a [`Customer`][arcore.documents.Customer].

    Raises:
        CellError: the first bad cell of the row.
    """
    currency = currency_cell(row)
    limit = minor_cell(row, "credit_limit", currency, required=False, zero=True)
    terms_text = text_cell(row, "terms")
    fields: dict[str, Any] = {
        "company_id": company_id,
        "id": text_cell(row, "customer_id", required=True),
        "name": text_cell(row, "name", required=True),
        "aliases": _listed(text_cell(row, "aliases")),
        "bank_accounts": _listed(text_cell(row, "bank_accounts")),
        "parent_id": text_cell(row, "parent_id") or None,
        "currency": currency,
    }
    if terms_text:
        fields["terms"] = terms_cell(terms_text)
    if limit is not None:
        fields["credit_limit"] = {"amount": units_text(limit, currency), "currency": currency}
    try:
        return Customer.model_validate(fields)
    except PydanticValidationError as error:
        detail = error.errors()[0]
        column = str(detail["loc"][0]) if detail["loc"] else ""
        raise CellError(column, str(detail.get("input", "")), detail["msg"]) from None


def _listed(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def document_fields(row: dict[str, str], terms_of: Callable[[str], Terms | None]) -> dict[str, Any]:
    """A documents.csv row as plain fields (amounts in minor units; ``open`` the balance).

    ``terms_of`` gives a customer's terms, for rows with neither a due date nor terms.

    Raises:
        CellError: the first bad cell of the row.
    """
    kind = text_cell(row, "kind", required=True).lower()
    if kind not in KINDS:
        raise CellError("kind", kind, "kind must be invoice, debit_memo or credit_memo")
    currency = currency_cell(row)
    amount = minor_cell(row, "amount", currency)
    assert amount is not None
    opened = minor_cell(row, "open_amount", currency, required=False, zero=True)
    if opened is not None and opened > amount:
        raise CellError("open_amount", row["open_amount"], "open_amount exceeds the amount")
    dated = date_cell(row, "document_date")
    assert dated is not None
    customer_id = text_cell(row, "customer_id", required=True)
    due = date_cell(row, "due_date", required=False)
    terms_text = text_cell(row, "terms")
    terms = terms_cell(terms_text) if terms_text else None
    if due is None and kind != "credit_memo":
        terms = terms or terms_of(customer_id)
        if terms is None:
            raise CellError(
                "due_date", "", "no due date, no terms, and no customer to take terms from"
            )
        try:
            due = due_date(terms, dated)
        except ArcoreError as error:
            raise CellError("terms", terms_text, error.message) from None
    if due is not None and due < dated:
        raise CellError("due_date", row["due_date"], f"due {due} before the document date {dated}")
    return {
        "id": text_cell(row, "document_no", required=True),
        "kind": kind,
        "customer_id": customer_id,
        "currency": currency,
        "document_date": dated,
        "due_date": due,
        "terms": terms,
        "amount": amount,
        "open": amount if opened is None else opened,
    }


def payment_fields(row: dict[str, str]) -> dict[str, Any]:
    """A payments.csv row as plain fields (amounts in minor units, remittance as pairs).

    Raises:
        CellError: the first bad cell of the row.
    """
    currency = currency_cell(row)
    amount = minor_cell(row, "amount", currency)
    remittance = []
    for part in text_cell(row, "remittance").split(";"):
        if not part.strip():
            continue
        number, sep, paid = part.partition(":")
        if not sep or not number.strip():
            raise CellError("remittance", part, "expected DOCUMENT:AMOUNT pairs separated by ;")
        units = minor_cell({"remittance": paid}, "remittance", currency)
        assert units is not None
        remittance.append((number.strip(), units_text(units, currency)))
    return {
        "id": text_cell(row, "payment_id", required=True),
        "received_date": date_cell(row, "received_date"),
        "amount": amount,
        "currency": currency,
        "payer_name": text_cell(row, "payer_name"),
        "payer_account": text_cell(row, "payer_account"),
        "reference": text_cell(row, "reference"),
        "remittance": remittance,
        "customer_id": text_cell(row, "customer_id") or None,
    }
