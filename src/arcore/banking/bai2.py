"""BAI2 cash-management balance reporting files, read with the ``bai2`` package.

A BAI2 file holds groups (one per bank and as-of date) of accounts; each account becomes one
[`BankStatement`][arcore.banking.model.BankStatement], its ``16`` transaction-detail records
its lines. BAI2 amounts are unsigned whole minor units of the account's currency; the
type code says credit (100-399) or debit (400-699), and arcore signs the amount from it. A
line has no date of its own: its booking date is the group's as-of date and its value date
the record's value-dated availability, when given. Opening and closing balances are the
account's ``010`` (opening ledger) and ``015`` (closing ledger) summaries.

The ``bai2`` package checks the record counts and control totals of every trailer; a file
whose trailers disagree with its content is refused.

>>> sniff(b"01,CITIDIRECT,8888888,150716,0713,00131100,,,2/")
True
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Final

from bai2.constants import TypeCodeTransaction
from bai2.exceptions import IntegrityException, NotSupportedYetException, ParsingException
from bai2.helpers import IteratorHelper
from bai2.parsers import Bai2FileParser

from arcore.banking._common import build, join_text, read_text, strip_head
from arcore.banking.model import BankStatement, BankTransaction
from arcore.errors import BankFileError
from arcore.money import Money

__all__ = ["FORMAT", "parse", "sniff"]

FORMAT: Final = "bai2"
"""The registered name of this parser."""

_HINT: Final = "The file is damaged or not BAI2; ask the bank for it again"


def sniff(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts a BAI2 file (an ``01`` file header)."""
    return strip_head(head).startswith(b"01,")


def parse(path: Path) -> list[BankStatement]:
    """One statement per account in the BAI2 file at ``path``.

    Raises:
        BankFileError: a record is malformed, missing or out of place, or a trailer's count or
            control total disagrees with the records; ``row`` is the line of the record.
    """
    path = Path(path)
    numbered = [
        (number, line.strip())
        for number, line in enumerate(read_text(path).splitlines(), start=1)
        if line.strip()
    ]
    # The bai2 package joins continuation (88) records to the record they continue, so its
    # n-th record starts on the n-th line that is not a continuation.
    record_lines = [number for number, line in numbered if not line.startswith("88,")]
    for number, line in numbered:
        if line[:3] not in _RECORD_CODES:
            raise BankFileError(
                f"{line[:3]!r} is not a BAI2 record code",
                hint=_HINT,
                file=path,
                row=number,
                field="record code",
                value=line,
            )
    helper = _CountingHelper(line for _, line in numbered)
    try:
        parsed = Bai2FileParser(helper).parse()
    except IntegrityException as exc:
        # Raised after the trailer that fails the check has been read.
        raise _error(path, exc, record_lines, max(helper.records - 1, 1), numbered) from exc
    except (ParsingException, NotSupportedYetException, ValueError, IndexError) as exc:
        raise _error(path, exc, record_lines, helper.records, numbered) from exc
    except StopIteration as exc:
        raise BankFileError(
            "the file ends before its file trailer (99 record)",
            hint=_HINT,
            file=path,
            row=numbered[-1][0] if numbered else None,
        ) from exc
    details = iter(number for number, line in numbered if line.startswith("16,"))
    return [
        _statement(path, group, account, details)
        for group in parsed.children
        for account in group.children
    ]


_RECORD_CODES: Final = frozenset(
    f"{code}," for code in ("01", "02", "03", "16", "49", "88", "98", "99")
)


class _CountingHelper(IteratorHelper):  # type: ignore[misc]
    """The bai2 package's record iterator, counting records so errors can name a line."""

    def __init__(self, lines: Any) -> None:
        self.records = 0
        super().__init__(lines)

    def advance(self) -> None:
        super().advance()
        self.records += 1


def _error(
    path: Path,
    exc: Exception,
    record_lines: list[int],
    record: int,
    numbered: list[tuple[int, str]],
) -> BankFileError:
    row = record_lines[min(record, len(record_lines)) - 1] if record_lines else None
    text = dict(numbered).get(row, "") if row is not None else ""
    return BankFileError(f"bad BAI2 record: {exc}", hint=_HINT, file=path, row=row, value=text)


def _statement(path: Path, group: Any, account: Any, details: Any) -> BankStatement:
    header = account.header
    currency = header.currency or group.header.currency or "USD"
    number = header.customer_account_number or ""
    balances = {summary.type_code.code: summary.amount for summary in header.summary_items}
    transactions = tuple(
        _transaction(path, detail, number, currency, group.header.as_of_date, next(details))
        for detail in account.children
    )
    return build(
        BankStatement,
        path=path,
        format=FORMAT,
        source=path.name,
        account=number,
        currency=currency,
        statement_id=f"{group.header.originator_id or ''}/{group.header.as_of_date:%Y-%m-%d}",
        opening_balance=_balance(balances.get("010"), currency),
        closing_balance=_balance(balances.get("015"), currency),
        transactions=transactions,
    )


def _balance(units: int | None, currency: str) -> Money | None:
    return None if units is None else Money.from_minor_units(units, currency)


def _transaction(
    path: Path, detail: Any, account: str, currency: str, as_of: date, line: int
) -> BankTransaction:
    units = detail.amount or 0
    if detail.type_code.transaction == TypeCodeTransaction.debit:
        units = -units
    availability = detail.availability or {}
    value_date = availability.get("date") if isinstance(availability, dict) else None
    return build(
        BankTransaction,
        path=path,
        row=line,
        account=account,
        booking_date=as_of,
        value_date=value_date,
        amount=Money.from_minor_units(units, currency),
        reference=join_text(detail.customer_reference, detail.text),
        bank_reference=detail.bank_reference or "",
        type_code=detail.type_code.code,
        line=line,
    )
