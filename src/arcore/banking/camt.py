"""ISO 20022 cash-management statements: camt.053 (statement), camt.052 (report), camt.054.

The three messages share the statement structure (account, balances, entries), so one parser
reads them all, in any version (02, 04, 08...): elements are matched by local name, whatever
the namespace. The XML is read with ``defusedxml``, which refuses entity expansion and
external entities, so a hostile file cannot exhaust memory or read local files.

Each ``Ntry`` (entry) becomes one [`BankTransaction`][arcore.banking.model.BankTransaction];
its ``line`` is the entry's 1-based index within its statement. An entry that batches several
transactions (``TxDtls``) stays one line, with every transaction's references joined.
Opening balance is ``OPBD`` (or ``PRCD``), closing ``CLBD``.

>>> sniff(b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">')
True
"""

from __future__ import annotations

import xml.etree.ElementTree as StdET
from datetime import date, datetime
from pathlib import Path
from typing import Final

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from arcore.banking._common import build, join_text, money, read_bytes, strip_head
from arcore.banking.model import BankStatement, BankTransaction
from arcore.errors import BankFileError
from arcore.money import Money

__all__ = ["FORMAT", "parse", "sniff"]

FORMAT: Final = "camt053"
"""The registered name of this parser (it also reads camt.052 and camt.054)."""

_CONTAINERS: Final = {
    "BkToCstmrStmt": ("Stmt", "camt053"),
    "BkToCstmrAcctRpt": ("Rpt", "camt052"),
    "BkToCstmrDbtCdtNtfctn": ("Ntfctn", "camt054"),
}
_OPENING: Final = ("OPBD", "PRCD")
_CLOSING: Final = ("CLBD",)
_HINT: Final = "The file is damaged or not an ISO 20022 camt message; ask the bank for it again"


def sniff(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts an ISO 20022 camt.052/053/054 message."""
    text = strip_head(head)
    return text.startswith(b"<") and any(
        marker in text
        for marker in (b"camt.05", b"<BkToCstmrStmt", b"<BkToCstmrAcctRpt", b"BkToCstmrDbtCdt")
    )


def parse(path: Path) -> list[BankStatement]:
    """Every statement (``Stmt``, ``Rpt`` or ``Ntfctn``) in the camt file at ``path``.

    Raises:
        BankFileError: the file is not well-formed XML, not a camt message, or an element
            (named by its path, ``Stmt[1]/Ntry[2]/Amt``) has a bad or missing value.
    """
    path = Path(path)
    data = read_bytes(path)
    try:
        root = SafeET.fromstring(data)
    except StdET.ParseError as exc:
        line, column = exc.position
        raise BankFileError(
            f"not well-formed XML at line {line}, column {column}: {exc}",
            hint=_HINT,
            file=path,
            row=line,
            value=_line_text(data, line),
        ) from exc
    except DefusedXmlException as exc:
        raise BankFileError(
            f"unsafe XML refused: {exc}",
            hint="Bank files never need DTDs or entities; ask the bank for a plain file",
            file=path,
        ) from exc
    message = next((child for child in root if _local(child.tag) in _CONTAINERS), None)
    if message is None:
        raise BankFileError(
            f"no camt statement in the file (root element {_local(root.tag)!r})",
            hint="Expected Document/BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn",
            file=path,
            field=_local(root.tag),
        )
    kind, format_name = _CONTAINERS[_local(message.tag)]
    statements = [child for child in message if _local(child.tag) == kind]
    return [
        _statement(path, element, f"{kind}[{index}]", format_name)
        for index, element in enumerate(statements, start=1)
    ]


def _statement(path: Path, element: StdET.Element, where: str, format_name: str) -> BankStatement:
    account = _child(element, "Acct")
    if account is None:
        raise _missing(path, f"{where}/Acct")
    number = _text(account, "Id", "IBAN") or _text(account, "Id", "Othr", "Id")
    currency = _text(account, "Ccy")
    entries = [child for child in element if _local(child.tag) == "Ntry"]
    if not currency:
        amounts = [_child(entry, "Amt") for entry in entries]
        currency = next((a.get("Ccy", "") for a in amounts if a is not None), "")
    if not currency:
        raise _missing(path, f"{where}/Acct/Ccy")
    opening = closing = None
    for index, balance in enumerate(_children(element, "Bal"), start=1):
        code = _text(balance, "Tp", "CdOrPrtry", "Cd")
        if code in _OPENING and opening is None:
            opening = _amount(path, balance, f"{where}/Bal[{index}]")
        elif code in _CLOSING:
            closing = _amount(path, balance, f"{where}/Bal[{index}]")
    transactions = tuple(
        _transaction(path, entry, f"{where}/Ntry[{index}]", number, index)
        for index, entry in enumerate(entries, start=1)
    )
    return build(
        BankStatement,
        path=path,
        format=format_name,
        source=path.name,
        account=number,
        currency=currency,
        statement_id=_text(element, "Id"),
        opening_balance=opening,
        closing_balance=closing,
        transactions=transactions,
    )


def _transaction(
    path: Path, entry: StdET.Element, where: str, account: str, index: int
) -> BankTransaction:
    amount = _amount(path, entry, where)
    booked = _date(path, entry, "BookgDt", where) or _date(path, entry, "ValDt", where)
    if booked is None:
        raise _missing(path, f"{where}/BookgDt")
    details = [tx for block in _children(entry, "NtryDtls") for tx in _children(block, "TxDtls")]
    references: list[str | None] = []
    for tx in details:
        end_to_end = _text(tx, "Refs", "EndToEndId")
        references.append(None if end_to_end == "NOTPROVIDED" else end_to_end)
        remittance = _child(tx, "RmtInf")
        if remittance is not None:
            references.extend(_texts(remittance, "Ustrd"))
            for structured in _children(remittance, "Strd"):
                references.append(_text(structured, "CdtrRefInf", "Ref"))
                references.extend(_texts(structured, "AddtlRmtInf"))
        references.append(_text(tx, "AddtlTxInf"))
    references.append(_text(entry, "AddtlNtryInf"))
    name = counterparty_account = ""
    side, side_account = ("Dbtr", "DbtrAcct") if amount.amount > 0 else ("Cdtr", "CdtrAcct")
    for tx in details:
        parties = _child(tx, "RltdPties")
        if parties is None:
            continue
        # Version 08 wraps the party in <Pty>; earlier versions do not.
        name = name or _text(parties, side, "Nm") or _text(parties, side, "Pty", "Nm")
        counterparty_account = (
            counterparty_account
            or _text(parties, side_account, "Id", "IBAN")
            or _text(parties, side_account, "Id", "Othr", "Id")
        )
    return build(
        BankTransaction,
        path=path,
        account=account,
        booking_date=booked,
        value_date=_date(path, entry, "ValDt", where),
        amount=amount,
        reference=join_text(*references),
        counterparty_name=name,
        counterparty_account=counterparty_account,
        bank_reference=_text(entry, "AcctSvcrRef"),
        type_code=_type_code(entry),
        line=index,
    )


def _type_code(entry: StdET.Element) -> str:
    code = _child(entry, "BkTxCd")
    if code is None:
        return ""
    domain = [
        _text(code, "Domn", "Cd"),
        _text(code, "Domn", "Fmly", "Cd"),
        _text(code, "Domn", "Fmly", "SubFmlyCd"),
    ]
    return "-".join(part for part in domain if part) or _text(code, "Prtry", "Cd")


def _amount(path: Path, element: StdET.Element, where: str) -> Money:
    amt = _child(element, "Amt")
    if amt is None or not (amt.text or "").strip():
        raise _missing(path, f"{where}/Amt")
    currency = amt.get("Ccy", "")
    text = (amt.text or "").strip()
    value = money(text, currency, path=path, field=f"{where}/Amt")
    if value.amount < 0:
        raise BankFileError(
            f"negative amount {text!r}; camt gives the sign in CdtDbtInd",
            hint=_HINT,
            file=path,
            field=f"{where}/Amt",
            value=text,
        )
    indicator = _text(element, "CdtDbtInd")
    if indicator == "CRDT":
        return value
    if indicator == "DBIT":
        return -value
    raise BankFileError(
        f"credit/debit indicator {indicator!r} is neither CRDT nor DBIT",
        hint=_HINT,
        file=path,
        field=f"{where}/CdtDbtInd",
        value=indicator,
    )


def _date(path: Path, element: StdET.Element, name: str, where: str) -> date | None:
    holder = _child(element, name)
    if holder is None:
        return None
    for tag in ("Dt", "DtTm"):
        text = _text(holder, tag)
        if text:
            try:
                if tag == "Dt":
                    return date.fromisoformat(text)
                return datetime.fromisoformat(text).date()
            except ValueError as exc:
                raise BankFileError(
                    f"{text!r} is not an ISO 8601 date",
                    hint=_HINT,
                    file=path,
                    field=f"{where}/{name}/{tag}",
                    value=text,
                ) from exc
    return None


def _missing(path: Path, where: str) -> BankFileError:
    return BankFileError(
        f"required element {where} is missing or empty",
        hint=_HINT,
        file=path,
        field=where,
    )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: StdET.Element, name: str) -> list[StdET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: StdET.Element, *names: str) -> StdET.Element | None:
    current: StdET.Element | None = element
    for name in names:
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == name), None)
    return current


def _text(element: StdET.Element, *names: str) -> str:
    found = _child(element, *names)
    return (found.text or "").strip() if found is not None else ""


def _texts(element: StdET.Element, name: str) -> list[str]:
    return [(child.text or "").strip() for child in _children(element, name)]


def _line_text(data: bytes, line: int) -> str:
    lines = data.splitlines()
    return lines[line - 1].decode("utf-8", "replace").strip() if 0 < line <= len(lines) else ""
