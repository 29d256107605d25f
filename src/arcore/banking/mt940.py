r"""SWIFT MT940 (end-of-day) and MT942 (intraday) statements, read with the ``mt-940`` package.

A file may hold several statements, each starting at a ``:20:`` tag; each becomes one
[`BankStatement`][arcore.banking.model.BankStatement] (the package itself would merge them).
Every ``:61:`` statement line becomes a
[`BankTransaction`][arcore.banking.model.BankTransaction] with its ``:86:`` information as
the reference: the amount is signed by the debit/credit mark (``C``/``RD`` positive, ``D``/``RC``
negative), the booking date is the entry date (or the value date when there is none).
Opening and closing balances are ``:60F:``/``:62F:`` (or the intermediate ``M`` forms); an
MT942 has neither.

Before handing a statement to the package, arcore checks the amount and dates of every
``:61:`` and balance line itself, so that an error names the line.

>>> sniff(b":20:STARTUMS\r\n:25:12345678/0123456789\r\n:28C:1/1\r\n")
True
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import mt940 as mt940_package

from arcore.banking._common import build, join_text, money, read_text
from arcore.banking.model import BankStatement, BankTransaction
from arcore.errors import BankFileError
from arcore.money import Money

__all__ = ["FORMAT", "parse", "sniff"]

FORMAT: Final = "mt940"
"""The registered name of this parser (it also reads MT942)."""

_HINT: Final = "The file is damaged or not SWIFT MT940; ask the bank for it again"
_LINE: Final = re.compile(
    r":61:(?P<date>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])[A-Z]?(?P<amount>\d+,\d*)[NSF]"
)
_BALANCE: Final = re.compile(r":6[0245][FM]?:[CD](?P<date>\d{6})[A-Z]{3}(?P<amount>\d+,\d*)\s*$")
_SNIFF: Final = re.compile(rb"(^|[\r\n{]|\{4:)\s*:20:.*?[\r\n]+:25:", re.DOTALL)


def sniff(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) holds an MT940/MT942 ``:20:`` then ``:25:``."""
    return _SNIFF.search(head) is not None


def parse(path: Path) -> list[BankStatement]:
    """Every statement in the MT940/MT942 file at ``path``.

    Raises:
        BankFileError: a ``:61:`` or balance line has a bad amount or date, a statement has
            no account (``:25:``), or the ``mt-940`` package cannot read a statement; ``row``
            is the line.
    """
    path = Path(path)
    lines = read_text(path).splitlines()
    chunks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith(":20:"):
            chunks.append((number, []))
        if chunks:
            chunks[-1][1].append(line)
    if not chunks:
        raise BankFileError(
            "no statement (':20:' tag) in the file",
            hint=_HINT,
            file=path,
            field=":20:",
        )
    return [_statement(path, first, chunk) for first, chunk in chunks]


def _statement(path: Path, first: int, chunk: list[str]) -> BankStatement:
    entry_lines = [first + offset for offset, line in enumerate(chunk) if line.startswith(":61:")]
    for offset, line in enumerate(chunk):
        _check_line(path, first + offset, line)
    collection = mt940_package.models.Transactions()
    try:
        parsed = collection.parse("\n".join(chunk))
    except (RuntimeError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise BankFileError(
            f"the mt-940 package cannot read the statement: {exc}",
            hint=_HINT,
            file=path,
            row=first,
            value=chunk[0],
        ) from exc
    if len(parsed) != len(entry_lines):
        raise BankFileError(
            f"{len(entry_lines)} ':61:' lines but {len(parsed)} transactions were read",
            hint=_HINT,
            file=path,
            row=first,
            value=chunk[0],
        )
    data = collection.data
    account = str(data.get("account_identification") or "")
    if not account:
        raise BankFileError(
            "the statement has no account (':25:' tag)",
            hint=_HINT,
            file=path,
            row=first,
            field=":25:",
        )
    opening = _balance(
        path,
        _tag_line(first, chunk, ":60"),
        data,
        "final_opening_balance",
        "intermediate_opening_balance",
    )
    closing = _balance(
        path,
        _tag_line(first, chunk, ":62"),
        data,
        "final_closing_balance",
        "intermediate_closing_balance",
    )
    transactions = tuple(
        _transaction(path, line, entry.data, account)
        for line, entry in zip(entry_lines, parsed, strict=True)
    )
    currency = next(
        (
            value.currency
            for value in (opening, closing, *(t.amount for t in transactions))
            if value is not None
        ),
        None,
    )
    if currency is None:
        raise BankFileError(
            "the statement has no balance and no lines, so no currency",
            hint=_HINT,
            file=path,
            row=first,
        )
    number = str(data.get("statement_number") or "")
    sequence = str(data.get("sequence_number") or "")
    return build(
        BankStatement,
        path=path,
        row=first,
        format=FORMAT,
        source=path.name,
        account=account,
        currency=currency,
        statement_id=f"{number}/{sequence}" if sequence else number,
        opening_balance=opening,
        closing_balance=closing,
        transactions=transactions,
    )


def _tag_line(first: int, chunk: list[str], prefix: str) -> int:
    return next((first + i for i, line in enumerate(chunk) if line.startswith(prefix)), first)


def _check_line(path: Path, number: int, line: str) -> None:
    if line.startswith(":61:"):
        match = _LINE.match(line)
        what = "statement line (:61:)"
    elif re.match(r":6[0245][FM]?:", line):
        match = _BALANCE.match(line)
        what = "balance"
    else:
        return
    if match is None:
        raise BankFileError(
            f"malformed {what}: expected a D/C mark, a date YYMMDD and an amount like '123,45'",
            hint=_HINT,
            file=path,
            row=number,
            value=line,
        )
    try:
        datetime.strptime(match["date"], "%y%m%d")
        entry = match.groupdict().get("entry")
        if entry:
            datetime.strptime(f"2000{entry}", "%Y%m%d")  # a leap year, so 0229 passes
    except ValueError as exc:
        raise BankFileError(
            f"bad date in {what}: {exc}", hint=_HINT, file=path, row=number, value=line
        ) from exc


def _balance(path: Path, row: int, data: dict[str, Any], *names: str) -> Money | None:
    for name in names:
        balance = data.get(name)
        if balance is not None and not isinstance(balance.amount, str):
            return money(balance.amount.amount, balance.amount.currency, path=path, row=row)
    return None


def _transaction(path: Path, line: int, data: dict[str, Any], account: str) -> BankTransaction:
    amount = data["amount"]
    value_date = _as_date(data.get("date"))
    booking_date = _as_date(data.get("entry_date")) or value_date
    customer_reference = data.get("customer_reference")
    return build(
        BankTransaction,
        path=path,
        row=line,
        account=account,
        booking_date=booking_date,
        value_date=value_date,
        amount=money(amount.amount, amount.currency, path=path, row=line),
        reference=join_text(
            data.get("end_to_end_reference"),
            data.get("purpose"),
            data.get("transaction_details"),
            None if customer_reference == "NONREF" else customer_reference,
        ),
        counterparty_name=join_text(data.get("applicant_name") or data.get("recipient_name")),
        counterparty_account=str(data.get("applicant_iban") or data.get("applicant_bin") or ""),
        bank_reference=str(data.get("bank_reference") or ""),
        type_code=str(data.get("id") or ""),
        line=line,
    )


def _as_date(value: object) -> date | None:
    # mt940's Date subclasses datetime.date; a plain date keeps the model's type exact.
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return None
