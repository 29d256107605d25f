r"""OFX statements (bank and credit-card, OFX 1.x SGML and 2.x XML), read with ``ofxtools``.

Each ``STMTRS`` or ``CCSTMTRS`` in the file becomes one
[`BankStatement`][arcore.banking.model.BankStatement]; each ``STMTTRN`` a line, whose
``TRNAMT`` is already signed from the account holder's side. OFX gives the closing
(``LEDGERBAL``) balance but no opening balance. A line's ``line`` is the file line of its
``<STMTTRN>``.

``ofxtools`` validates against the OFX specification: a file that breaks it (a bank id longer
than nine characters, say) is refused with the element named.

>>> sniff(b"OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\n")
True
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from ofxtools.header import OFXHeaderError
from ofxtools.models.base import PrivateTagWarning
from ofxtools.Parser import OFXTree, ParseError
from ofxtools.Types import OFXTypeError, OFXTypeWarning

from arcore.banking._common import build, join_text, money, read_text, strip_head
from arcore.banking.model import BankStatement, BankTransaction
from arcore.errors import BankFileError

__all__ = ["FORMAT", "parse", "sniff"]

FORMAT: Final = "ofx"
"""The registered name of this parser."""

_HINT: Final = "The file is damaged or not valid OFX; download the statement again"


def sniff(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts an OFX file (header or ``<OFX>``)."""
    text = strip_head(head)[:1024].upper()
    return text.startswith(b"OFXHEADER") or (text.startswith(b"<") and b"<OFX" in text)


def parse(path: Path) -> list[BankStatement]:
    """Every bank and credit-card statement in the OFX file at ``path``.

    Raises:
        BankFileError: the header or the markup cannot be read, or an element's value breaks
            the OFX specification (``field`` names it, ``row`` is its line when found).
    """
    path = Path(path)
    lines = read_text(path).splitlines()
    tree = OFXTree()
    try:
        with warnings.catch_warnings():
            # ofxtools warns (rather than fails) on over-long free text and skips banks'
            # private tags (<INTU.BID>); neither matters for the statement.
            warnings.simplefilter("ignore", OFXTypeWarning)
            warnings.simplefilter("ignore", PrivateTagWarning)
            tree.parse(str(path))
            ofx = tree.convert()
    except (
        OFXTypeError,
        ParseError,
        OFXHeaderError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        ArithmeticError,  # decimal.InvalidOperation for a non-numeric amount
    ) as exc:
        raise _error(path, exc, lines) from exc
    except OSError as exc:
        raise BankFileError(f"cannot read the file: {exc}", hint=_HINT, file=path) from exc
    transaction_lines = iter(
        number for number, line in enumerate(lines, start=1) if "<STMTTRN>" in line.upper()
    )
    statements = [
        statement
        for statement in (getattr(ofx, "statements", None) or [])
        if hasattr(statement, "banktranlist")
    ]
    if not statements:
        raise BankFileError(
            "no bank or credit-card statement (STMTRS, CCSTMTRS) in the file",
            hint=_HINT,
            file=path,
            field="STMTRS",
        )
    return [_statement(path, statement, transaction_lines) for statement in statements]


def _statement(path: Path, statement: Any, transaction_lines: Any) -> BankStatement:
    currency = statement.curdef
    account = statement.account.acctid
    tranlist = statement.banktranlist
    transactions = tuple(
        _transaction(path, entry, account, currency, next(transaction_lines, None))
        for entry in (tranlist or [])
    )
    ledger = statement.ledgerbal
    period = ""
    if tranlist is not None and tranlist.dtstart and tranlist.dtend:
        period = f"{tranlist.dtstart:%Y-%m-%d}/{tranlist.dtend:%Y-%m-%d}"
    return build(
        BankStatement,
        path=path,
        format=FORMAT,
        source=path.name,
        account=account,
        currency=currency,
        statement_id=period,
        closing_balance=(
            money(ledger.balamt, currency, path=path, field="LEDGERBAL.BALAMT")
            if ledger is not None
            else None
        ),
        transactions=transactions,
    )


def _transaction(
    path: Path, entry: Any, account: str, currency: str, line: int | None
) -> BankTransaction:
    payee = getattr(entry, "payee", None)
    counterparty = getattr(entry, "bankacctto", None) or getattr(entry, "ccacctto", None)
    return build(
        BankTransaction,
        path=path,
        row=line,
        account=account,
        booking_date=_as_date(entry.dtposted),
        value_date=_as_date(entry.dtavail),
        amount=money(entry.trnamt, currency, path=path, row=line, field="STMTTRN.TRNAMT"),
        reference=join_text(entry.memo, entry.refnum, entry.checknum),
        counterparty_name=join_text(entry.name or (payee.name if payee is not None else None)),
        counterparty_account=counterparty.acctid if counterparty is not None else "",
        bank_reference=entry.fitid or "",
        type_code=entry.trntype or "",
        line=line,
    )


def _as_date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _error(path: Path, exc: Exception, lines: list[str]) -> BankFileError:
    message = str(exc)
    element = re.search(r"set (\w+)\.(\w+) to (.*?):", message)
    field = value = None
    row = None
    if element is not None:
        field = f"{element[1]}.{element[2]}".upper()
        value = element[3]
        tag = f"<{element[2].upper()}>"
        row = next(
            (n for n, line in enumerate(lines, start=1) if tag in line.upper() and value in line),
            None,
        )
    return BankFileError(
        f"not valid OFX: {message}", hint=_HINT, file=path, row=row, field=field, value=value
    )
