"""Bank statement lines in the store: saved once, then used by deposit verification.

A line's id is a digest of what identifies it (account, dates, amount, references,
counterparty, and its rank among identical lines of the same statement), so importing the
same statement twice adds nothing. A line is ``open`` until deposit verification either
matches it to receipts (``matched``) or records it as a new payment (``recorded``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final

from sqlalchemy import select, update

from arcore.banking.model import BankStatement, BankTransaction
from arcore.money import Money
from arcore.store.schema import bank_transactions
from arcore.store.sql import SqlStore

__all__ = ["STATUSES", "mark_lines", "open_lines", "save_statements"]

STATUSES: Final = ("open", "matched", "recorded")
"""What deposit verification has done with a line."""


def _line_id(line: BankTransaction, rank: int) -> str:
    parts = (
        line.account, line.booking_date.isoformat(), str(line.value_date), str(line.amount),
        line.bank_reference, line.reference, line.counterparty_name, line.counterparty_account,
        str(rank),
    )  # fmt: skip
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def save_statements(
    store: SqlStore, company_id: str, statements: Iterable[BankStatement]
) -> tuple[int, int]:
    """Save the statements' lines; return (lines added, lines already there)."""
    rows = []
    for statement in statements:
        seen: dict[str, int] = {}
        for line in statement.transactions:
            base = _line_id(line, 0)
            rank = seen[base] = seen.get(base, -1) + 1
            rows.append(
                {
                    "company_id": company_id,
                    "id": _line_id(line, rank),
                    "account": line.account,
                    "booking_date": line.booking_date,
                    "value_date": line.value_date,
                    "currency": line.amount.currency,
                    "amount_minor": line.amount.to_minor_units(),
                    "reference": line.reference,
                    "counterparty_name": line.counterparty_name,
                    "counterparty_account": line.counterparty_account,
                    "bank_reference": line.bank_reference,
                    "type_code": line.type_code,
                    "source": statement.source,
                    "line": line.line,
                    "status": "open",
                }
            )
    with store.session(company_id) as session:
        known: set[str] = set()
        ids = [row["id"] for row in rows]
        for start in range(0, len(ids), 500):
            known.update(
                session.connection.scalars(
                    select(bank_transactions.c.id).where(
                        bank_transactions.c.company_id == company_id,
                        bank_transactions.c.id.in_(ids[start : start + 500]),
                    )
                )
            )
        new = [row for row in rows if row["id"] not in known]
        if new:
            session.connection.execute(bank_transactions.insert(), new)
    return len(new), len(rows) - len(new)


def open_lines(
    store: SqlStore, company_id: str, *, through: date | None = None
) -> list[tuple[str, BankTransaction]]:
    """The lines not yet used, booked on or before ``through``, by date: (id, line)."""
    t = bank_transactions
    query = select(t).where(t.c.company_id == company_id, t.c.status == "open")
    if through is not None:
        query = query.where(t.c.booking_date <= through)
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(query.order_by(t.c.booking_date, t.c.line, t.c.id))
        return [
            (
                row.id,
                BankTransaction(
                    account=row.account,
                    booking_date=row.booking_date,
                    value_date=row.value_date,
                    amount=Money.from_minor_units(row.amount_minor, row.currency),
                    reference=row.reference,
                    counterparty_name=row.counterparty_name,
                    counterparty_account=row.counterparty_account,
                    # Without the bank's own id, the line's: it keys the verification.
                    bank_reference=row.bank_reference or row.id,
                    type_code=row.type_code,
                    line=row.line,
                ),
            )
            for row in rows
        ]


def mark_lines(store: SqlStore, company_id: str, ids: Sequence[str], status: str) -> None:
    """Record what deposit verification did with lines (``matched`` or ``recorded``)."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    t = bank_transactions
    with store.session(company_id) as session:
        for start in range(0, len(ids), 500):
            session.connection.execute(
                update(t)
                .where(t.c.company_id == company_id, t.c.id.in_(ids[start : start + 500]))
                .values(status=status)
            )
