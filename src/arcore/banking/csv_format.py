"""Bank statements exported as CSV, read through a column mapping.

CSV exports differ by bank, so a CSV file is never recognised automatically: the caller
describes its columns with a [`CsvMapping`][arcore.banking.csv_format.CsvMapping], either one
signed ``amount`` column or separate ``credit`` and ``debit`` columns (each holding a positive
amount). The whole file becomes one statement of the mapping's account.

>>> mapping = CsvMapping(date="Date", amount="Amount", reference="Text", currency="EUR",
...                      account="DE02120300000000202051", date_format="%d.%m.%Y",
...                      decimal=",")
>>> mapping.amount, mapping.decimal
('Amount', ',')
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from arcore.banking._common import build, money, read_text
from arcore.banking.model import BankStatement, BankTransaction
from arcore.errors import BankFileError

__all__ = ["FORMAT", "CsvMapping", "parse", "sniff"]

FORMAT: Final = "csv"
"""The registered name of this parser."""

_HINT: Final = "Fix the cell, or the column mapping if it does not describe this file"


class CsvMapping(BaseModel):
    """Which column of a bank's CSV export holds what.

    Attributes:
        date: The booking-date column.
        amount: The signed amount column (credits positive); or ``None`` with ``credit``
            and ``debit``.
        reference: The memo / remittance column.
        counterparty_name: The counterparty's name column, if any.
        counterparty_account: The counterparty's account column, if any.
        credit: The money-in column (positive amounts), with ``debit``, instead of ``amount``.
        debit: The money-out column (positive amounts), with ``credit``.
        date_format: ``strptime`` format of the date column.
        decimal: The decimal separator of the amounts: ``","`` or ``"."``. The other one, and
            spaces, are taken as thousands separators.
        currency: The account's ISO 4217 currency.
        account: The account (IBAN or number) the export is of.
        delimiter: The field separator; ``None`` to detect ``,``, ``;`` or tab.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: str
    amount: str | None = None
    reference: str
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    credit: str | None = None
    debit: str | None = None
    date_format: str = "%Y-%m-%d"
    decimal: Literal[",", "."] = "."
    currency: str
    account: str
    delimiter: str | None = None

    @model_validator(mode="after")
    def _one_amount_layout(self) -> CsvMapping:
        if (self.amount is None) == (self.credit is None or self.debit is None):
            raise ValueError("give either 'amount', or both 'credit' and 'debit'")
        return self


def sniff(head: bytes) -> bool:
    """Always ``False``: CSV exports are read only with an explicit mapping."""
    return False


def parse(path: Path, mapping: CsvMapping) -> list[BankStatement]:
    """The CSV export at ``path`` as one statement, its columns read through ``mapping``.

    Raises:
        BankFileError: a mapped column is missing from the header, or a cell holds a bad date
            or amount (``row`` is the file line, ``field`` the column).
    """
    path = Path(path)
    text = read_text(path)
    delimiter = mapping.delimiter or _detect_delimiter(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [
        mapping.date,
        mapping.reference,
        *(
            column
            for column in (
                mapping.amount,
                mapping.credit,
                mapping.debit,
                mapping.counterparty_name,
                mapping.counterparty_account,
            )
            if column is not None
        ),
    ]
    header = reader.fieldnames or []
    for column in columns:
        if column not in header:
            raise BankFileError(
                f"column {column!r} is not in the header ({', '.join(header) or 'empty'})",
                hint=_HINT,
                file=path,
                row=1,
                field=column,
            )
    transactions = []
    try:
        for row in reader:
            line = reader.line_num
            if not any((value or "").strip() for value in row.values()):
                continue
            transactions.append(_transaction(path, mapping, row, line))
    except csv.Error as exc:
        raise BankFileError(
            f"not readable as CSV: {exc}", hint=_HINT, file=path, row=reader.line_num
        ) from exc
    return [
        build(
            BankStatement,
            path=path,
            format=FORMAT,
            source=path.name,
            account=mapping.account,
            currency=mapping.currency,
            transactions=tuple(transactions),
        )
    ]


def _transaction(
    path: Path, mapping: CsvMapping, row: dict[str, str], line: int
) -> BankTransaction:
    def cell(column: str | None) -> str:
        return (row.get(column) or "").strip() if column is not None else ""

    if mapping.amount is not None:
        amount = _decimal(path, line, mapping.amount, cell(mapping.amount), mapping.decimal)
    else:
        credit = _decimal(path, line, mapping.credit, cell(mapping.credit), mapping.decimal)
        debit = _decimal(path, line, mapping.debit, cell(mapping.debit), mapping.decimal)
        amount = abs(credit) - abs(debit)
    return build(
        BankTransaction,
        path=path,
        row=line,
        account=mapping.account,
        booking_date=_date(path, line, mapping.date, cell(mapping.date), mapping.date_format),
        amount=money(amount, mapping.currency, path=path, row=line, field=mapping.amount),
        reference=cell(mapping.reference),
        counterparty_name=cell(mapping.counterparty_name),
        counterparty_account=cell(mapping.counterparty_account),
        line=line,
    )


def _decimal(path: Path, line: int, column: str | None, text: str, separator: str) -> Decimal:
    if not text:
        return Decimal(0)
    group = "." if separator == "," else ","
    cleaned = re.sub(r"[\s\u00a0']", "", text).replace(group, "").replace(separator, ".")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    if cleaned.endswith("-"):  # "12,50-", as some German exports write debits
        negative, cleaned = True, cleaned[:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise BankFileError(
            f"{text!r} is not an amount with {separator!r} as the decimal separator",
            hint=_HINT,
            file=path,
            row=line,
            field=column,
            value=text,
        ) from exc
    if not value.is_finite():
        raise BankFileError(
            f"{text!r} is not a finite amount", hint=_HINT, file=path, row=line, field=column
        )
    return -value if negative else value


def _date(path: Path, line: int, column: str, text: str, date_format: str) -> date:
    try:
        return datetime.strptime(text, date_format).date()
    except ValueError as exc:
        raise BankFileError(
            f"{text!r} is not a date in the format {date_format!r}",
            hint=_HINT,
            file=path,
            row=line,
            field=column,
            value=text,
        ) from exc


def _detect_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=first.count)
