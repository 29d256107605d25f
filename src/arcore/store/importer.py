"""Import customers, documents, payments and applications from CSV files into a store.

The formats (UTF-8 CSV with a header; amounts as decimal strings; ISO 8601 dates; extra
columns ignored):

* customers: ``customer_id,name,aliases,bank_accounts,parent_id,currency,terms,credit_limit``
  (aliases and bank accounts separated by ``;``)
* documents: ``document_no,kind,customer_id,document_date,due_date,terms,currency,amount,
  open_amount`` (kind ``invoice``, ``debit_memo`` or ``credit_memo``; an empty due date
  comes from the terms, empty terms from the customer's; ``open_amount`` optional)
* payments: ``payment_id,received_date,amount,currency,payer_name,payer_account,reference,
  remittance,customer_id`` (remittance like ``INV-1001:500.00;INV-1002:250.00``)
* applications: ``payment_id,document_no,applied_date,applied_amount,discount_amount,
  writeoff_amount``

How the rows are posted:

* A document is history brought over from another system, so it is posted against the
  opening-balances account (Dr AR / Cr opening balances; the other way round for a credit
  memo), not against revenue a second time. An ``open_amount`` below the amount is what was
  settled before the import: Cr AR / Dr opening balances for the difference.
* A payment is posted as [`Ledger.record_payment`][arcore.ledger.service.Ledger.record_payment]
  would (Dr undeposited funds / Cr unapplied cash), an application as
  [`Ledger.apply`][arcore.ledger.service.Ledger.apply] would (discounts and write-offs included;
  discounts are taken as the old system granted them, not checked against the terms).

Everything happens in one transaction. Every row is checked, and every problem (file, row,
column, value) is collected; if there is any, the transaction is rolled back and
[`InputRejectedError`][arcore.errors.InputRejectedError] lists them all. A row already
imported with the same values is skipped, so importing the same files twice changes
nothing; the same id with different values is a problem.

Rows are read, checked and written in batches, so memory does not grow with the files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, func, select

from arcore.csvfiles import (
    COLUMNS,
    CellError,
    Problems,
    batches,
    customer_from_row,
    date_cell,
    document_fields,
    minor_cell,
    payment_fields,
    read_rows,
    text_cell,
    units_text,
)
from arcore.errors import InputRejectedError
from arcore.ledger.accounts import AccountRole, ChartOfAccounts
from arcore.ledger.journal import EntryKind
from arcore.ledger.repository import Books
from arcore.store.schema import documents, journal_entries
from arcore.store.sql import SqlSession, SqlStore
from arcore.terms import Terms

__all__ = ["COLUMNS", "ImportReport", "Progress", "import_files"]

_LOOKUP: Final = 500
_ACTOR: Final = "import"

Row = tuple[Any, ...]
_Line = tuple[str, str, int, str | None, str | None, str | None]
Progress = Callable[[str, int], None]
"""Told ``(file kind, rows read so far)`` after every batch, for a progress bar."""


@dataclass
class ImportReport:
    """What an import did, per file kind: rows read, rows written, rows already there."""

    read: dict[str, int] = field(default_factory=dict)
    imported: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)


# --- the import --------------------------------------------------------------------------


class _Writer:
    """Raw batched inserts on the session's connection (placeholders per dialect)."""

    def __init__(self, connection: Connection, company_id: str, next_seq: int) -> None:
        self.connection = connection
        self.company_id = company_id
        self.sqlite = connection.dialect.name == "sqlite"
        self.mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        self.seq = next_seq

    def day(self, value: date | None) -> object:
        # SQLAlchemy's Date type stores ISO text on SQLite; the raw driver gets the same.
        return value.isoformat() if self.sqlite and value is not None else value

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            marks = ", ".join([self.mark] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            self.connection.exec_driver_sql(sql, rows)

    def update_statuses(self, changes: list[tuple[str, str, str]]) -> None:
        """Set ``(status, company_id, id)`` on documents."""
        if changes:
            m = self.mark
            sql = f"UPDATE documents SET status = {m} WHERE company_id = {m} AND id = {m}"
            self.connection.exec_driver_sql(sql, changes)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


_ENTRY_COLUMNS: Final = (
    "company_id",
    "id",
    "seq",
    "entry_date",
    "kind",
    "actor",
    "reason",
    "idempotency_key",
    "reverses",
)
_POSTING_COLUMNS: Final = (
    "company_id",
    "entry_id",
    "line",
    "entry_date",
    "account",
    "currency",
    "amount_minor",
    "customer_id",
    "document_id",
    "source_id",
)
_DOCUMENT_COLUMNS: Final = (
    "company_id",
    "id",
    "kind",
    "customer_id",
    "number",
    "currency",
    "document_date",
    "due_date",
    "amount_minor",
    "status",
    "disputed",
    "entry_id",
    "data",
)
_APPLICATION_COLUMNS: Final = (
    "company_id",
    "id",
    "source_id",
    "target_id",
    "applied_date",
    "currency",
    "amount_minor",
    "discount_minor",
    "write_off_minor",
    "entry_id",
    "reversal_entry_id",
    "data",
)


@dataclass
class _Batch:
    """The rows one batch of a file adds."""

    entries: list[tuple[Any, ...]] = field(default_factory=list)
    postings: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[tuple[Any, ...]] = field(default_factory=list)

    def post(
        self,
        writer: _Writer,
        entry_id: str,
        day: date,
        kind: EntryKind,
        reason: str,
        lines: Sequence[_Line],
    ) -> None:
        """Add an entry and its lines (account, currency, units, customer, document, source)."""
        when = writer.day(day)
        writer_company = writer.company_id
        self.entries.append(
            (
                writer_company,
                entry_id,
                writer.next_seq(),
                when,
                kind.value,
                _ACTOR,
                reason,
                entry_id,
                None,
            )
        )
        for number, (account, currency, units, customer, document, source) in enumerate(
            lines, start=1
        ):
            if units:
                self.postings.append(
                    (
                        writer_company,
                        entry_id,
                        number,
                        when,
                        account,
                        currency,
                        units,
                        customer,
                        document,
                        source,
                    )
                )


class _Import:
    def __init__(
        self,
        session: SqlSession,
        chart: ChartOfAccounts,
        closed_through: date | None,
        progress: Progress | None,
    ) -> None:
        self.session = session
        self.connection = session.connection
        self.company_id = session.company_id
        self.chart = chart
        self.closed_through = closed_through
        self.progress = progress
        self.problems = Problems()
        self.report = ImportReport()
        last = self.connection.scalar(
            select(func.coalesce(func.max(journal_entries.c.seq), 0)).where(
                journal_entries.c.company_id == self.company_id
            )
        )
        self.writer = _Writer(self.connection, self.company_id, int(last or 0))
        self.overdrawn: dict[tuple[str, str], str] = {}  # (column, id) → problem
        self.customer_terms: dict[str, Terms | None] = {}  # customers seen (few, not documents)

    def code(self, role: AccountRole) -> str:
        return self.chart.code(role)

    def _in_closed_period(self, path: Path, number: int, column: str, day: date) -> bool:
        """Whether ``day`` is on or before the closed date (the row's problem is then listed)."""
        closed = self.closed_through
        if closed is None or day > closed:
            return False
        self.problems.add(
            path,
            number,
            column,
            day.isoformat(),
            f"the books are closed through {closed}; date it after {closed}",
        )
        return True

    def _count(self, kind: str, read: int, imported: int, unchanged: int) -> None:
        report = self.report
        report.read[kind] = report.read.get(kind, 0) + read
        report.imported[kind] = report.imported.get(kind, 0) + imported
        report.unchanged[kind] = report.unchanged.get(kind, 0) + unchanged
        if self.progress is not None:
            self.progress(kind, report.read[kind])

    def _existing(self, ids: Sequence[str], *columns: str) -> dict[str, Row]:
        """Documents already stored: id → the given columns (dates as dates)."""
        table = documents
        found: dict[str, Row] = {}
        for start in range(0, len(ids), _LOOKUP):
            chunk = ids[start : start + _LOOKUP]
            query = select(table.c.id, *(table.c[c] for c in columns)).where(
                table.c.company_id == self.company_id, table.c.id.in_(chunk)
            )
            for row in self.connection.execute(query):
                found[row[0]] = tuple(row[1:])
        return found

    def _lookup(self, table: str, columns: str, ids: Sequence[str]) -> dict[str, Row]:
        """Rows already stored: id → ``columns`` (comma-separated), as the driver gives them.

        Plain SQL (dates come back as text on SQLite): this runs for every row of a large
        file, and SQLAlchemy's compilation of a 500-item IN list costs more than the query.
        """
        found: dict[str, Row] = {}
        m = self.writer.mark
        for start in range(0, len(ids), _LOOKUP):
            chunk = ids[start : start + _LOOKUP]
            sql = (
                f"SELECT id, {columns} FROM {table} "
                f"WHERE company_id = {m} AND id IN ({', '.join([m] * len(chunk))})"
            )
            rows = self.connection.exec_driver_sql(sql, (self.company_id, *chunk)).fetchall()
            for row in rows:
                found[row[0]] = tuple(row[1:])
        return found

    def _parse_documents(
        self,
        path: Path,
        batch: list[tuple[int, dict[str, str]]],
        parse: Callable[[dict[str, str]], dict[str, Any]],
    ) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, Row]]:
        """Parse a batch of document or payment rows; what the store already holds of them."""
        parsed = []
        for number, row in batch:
            try:
                parsed.append((number, parse(row)))
            except CellError as bad:
                self.problems.add(path, number, bad.column, bad.value, bad.message)
        columns = ("kind", "customer_id", "currency", "document_date", "due_date", "amount_minor")
        return parsed, self._existing([item["id"] for _, item in parsed], *columns)

    # --- customers ---------------------------------------------------------------------------

    def customers(self, path: Path) -> None:
        for batch in batches(read_rows(path, "customers", self.problems)):
            imported = unchanged = 0
            for number, row in batch:
                try:
                    customer = customer_from_row(row, self.company_id)
                except CellError as bad:
                    self.problems.add(path, number, bad.column, bad.value, bad.message)
                    continue
                self.customer_terms[customer.id] = customer.terms
                stored = self.session.customer(customer.id)
                if stored == customer:
                    unchanged += 1
                    continue
                if (
                    customer.parent_id
                    and customer.parent_id not in self.customer_terms
                    and self.session.customer(customer.parent_id) is None
                ):
                    self.problems.add(
                        path,
                        number,
                        "parent_id",
                        customer.parent_id,
                        f"parent {customer.parent_id} is neither earlier in the file nor "
                        "in the store",
                    )
                    continue
                self.session.put_customer(customer)
                imported += 1
            self._count("customers", len(batch), imported, unchanged)

    def _terms_of(self, customer_id: str) -> Terms | None:
        if customer_id not in self.customer_terms:
            customer = self.session.customer(customer_id)
            self.customer_terms[customer_id] = None if customer is None else customer.terms
        return self.customer_terms[customer_id]

    def _known_customer(self, customer_id: str) -> bool:
        return customer_id in self.customer_terms or self._terms_of(customer_id) is not None

    # --- documents ---------------------------------------------------------------------------

    def documents(self, path: Path) -> None:
        ar, opening = self.code(AccountRole.AR_CONTROL), self.code(AccountRole.OPENING_BALANCES)
        for batch in batches(read_rows(path, "documents", self.problems)):
            parsed, existing = self._parse_documents(
                path, batch, lambda row: document_fields(row, self._terms_of)
            )
            out = _Batch()
            seen: set[str] = set()
            unchanged = 0
            for number, doc in parsed:
                doc_id = doc["id"]
                if doc_id in seen:
                    self.problems.add(path, number, "document_no", doc_id, "appears twice")
                    continue
                seen.add(doc_id)
                if not self._known_customer(doc["customer_id"]):
                    self.problems.add(
                        path,
                        number,
                        "customer_id",
                        doc["customer_id"],
                        "unknown customer; add it to customers.csv or import it first",
                    )
                    continue
                if doc_id in existing:
                    if self._same_document(path, number, doc, existing[doc_id]):
                        unchanged += 1
                    continue
                if self._in_closed_period(path, number, "document_date", doc["document_date"]):
                    continue
                self._post_document(out, doc, ar, opening)
            self._flush(out, "documents", _DOCUMENT_COLUMNS)
            self._count("documents", len(batch), len(out.records), unchanged)

    def _same_document(self, path: Path, number: int, doc: dict[str, Any], stored: Row) -> bool:
        ours = (
            doc["kind"],
            doc["customer_id"],
            doc["currency"],
            doc["document_date"],
            doc["due_date"],
            doc["amount"],
        )
        for column, mine, theirs in zip(
            ("kind", "customer_id", "currency", "document_date", "due_date", "amount"),
            ours,
            stored,
            strict=True,
        ):
            if mine != theirs:
                if column == "amount":  # as the file and the store's user write it
                    mine = units_text(mine, doc["currency"])
                    theirs = units_text(theirs, doc["currency"])
                self.problems.add(
                    path,
                    number,
                    column,
                    mine,
                    f"document {doc['id']} is already in the store with {column} {theirs}",
                )
                return False
        return True

    def _post_document(self, out: _Batch, doc: dict[str, Any], ar: str, opening: str) -> None:
        doc_id, currency, customer = doc["id"], doc["currency"], doc["customer_id"]
        sign = -1 if doc["kind"] == "credit_memo" else 1
        entry_id = f"import:{doc_id}"
        amount = doc["amount"] * sign
        out.post(
            self.writer,
            entry_id,
            doc["document_date"],
            EntryKind.OPENING_BALANCE,
            f"import {doc['kind'].replace('_', ' ')} {doc_id}",
            [
                (ar, currency, amount, customer, doc_id, None),
                (opening, currency, -amount, None, doc_id, None),
            ],
        )
        settled = (doc["amount"] - doc["open"]) * sign
        if settled:
            out.post(
                self.writer,
                f"import:{doc_id}:settled",
                doc["document_date"],
                EntryKind.OPENING_BALANCE,
                f"settled before the import: {doc_id}",
                [
                    (ar, currency, -settled, customer, doc_id, None),
                    (opening, currency, settled, None, doc_id, None),
                ],
            )
        status = (
            "issued"
            if doc["open"] == doc["amount"]
            else "paid"
            if not doc["open"]
            else ("partially_paid")
        )
        out.records.append(
            (
                self.company_id,
                doc_id,
                doc["kind"],
                customer,
                doc_id,
                currency,
                self.writer.day(doc["document_date"]),
                self.writer.day(doc["due_date"]),
                doc["amount"],
                status,
                False,
                entry_id,
                _document_json(self.company_id, doc, status),
            )
        )

    # --- payments ----------------------------------------------------------------------------

    def payments(self, path: Path) -> None:
        undeposited = self.code(AccountRole.UNDEPOSITED_FUNDS)
        unapplied = self.code(AccountRole.UNAPPLIED_CASH)
        for batch in batches(read_rows(path, "payments", self.problems)):
            parsed, existing = self._parse_documents(path, batch, payment_fields)
            out = _Batch()
            seen: set[str] = set()
            unchanged = 0
            for number, pay in parsed:
                pay_id, currency, customer = pay["id"], pay["currency"], pay["customer_id"]
                if pay_id in seen:
                    self.problems.add(path, number, "payment_id", pay_id, "appears twice")
                    continue
                seen.add(pay_id)
                if customer is not None and not self._known_customer(customer):
                    self.problems.add(path, number, "customer_id", customer, "unknown customer")
                    continue
                if pay_id in existing:
                    ours = (
                        "payment",
                        customer,
                        currency,
                        pay["received_date"],
                        None,
                        pay["amount"],
                    )
                    if ours == existing[pay_id]:
                        unchanged += 1
                    else:
                        self.problems.add(
                            path,
                            number,
                            "payment_id",
                            pay_id,
                            "already in the store with other values",
                        )
                    continue
                if self._in_closed_period(path, number, "received_date", pay["received_date"]):
                    continue
                entry_id = f"import:{pay_id}"
                out.post(
                    self.writer,
                    entry_id,
                    pay["received_date"],
                    EntryKind.PAYMENT,
                    f"import payment {pay_id}",
                    [
                        (undeposited, currency, pay["amount"], None, None, pay_id),
                        (unapplied, currency, -pay["amount"], customer, None, pay_id),
                    ],
                )
                out.records.append(
                    (
                        self.company_id,
                        pay_id,
                        "payment",
                        customer,
                        None,
                        currency,
                        self.writer.day(pay["received_date"]),
                        None,
                        pay["amount"],
                        "issued",
                        False,
                        entry_id,
                        _payment_json(self.company_id, pay),
                    )
                )
            self._flush(out, "documents", _DOCUMENT_COLUMNS)
            self._count("payments", len(batch), len(out.records), unchanged)

    # --- applications ------------------------------------------------------------------------

    def applications(self, path: Path) -> None:
        ar, unapplied = self.code(AccountRole.AR_CONTROL), self.code(AccountRole.UNAPPLIED_CASH)
        discounts = self.code(AccountRole.SALES_DISCOUNTS)
        write_offs = self.code(AccountRole.WRITE_OFF_EXPENSE)
        for batch in batches(read_rows(path, "applications", self.problems)):
            raw = []
            for number, row in batch:
                try:
                    raw.append(
                        (
                            number,
                            row,
                            text_cell(row, "payment_id", required=True),
                            text_cell(row, "document_no", required=True),
                            date_cell(row, "applied_date"),
                        )
                    )
                except CellError as bad:
                    self.problems.add(path, number, bad.column, bad.value, bad.message)
            docs = self._lookup(
                "documents",
                "kind, customer_id, currency, document_date",
                sorted({r[2] for r in raw} | {r[3] for r in raw}),
            )
            ids = [f"import:{r[2]}>{r[3]}@{r[4]}" for r in raw]
            existing = self._lookup(
                "applications", "amount_minor, discount_minor, write_off_minor", ids
            )
            out = _Batch()
            seen: set[str] = set()
            unchanged = 0
            for (number, row, pay_id, doc_id, day), app_id in zip(raw, ids, strict=True):
                assert day is not None
                payment, target = docs.get(pay_id), docs.get(doc_id)
                try:
                    if payment is None or payment[0] != "payment":
                        raise CellError(
                            "payment_id", pay_id, "no such payment in the files or store"
                        )
                    if target is None or target[0] not in ("invoice", "debit_memo"):
                        raise CellError("document_no", doc_id, "no such invoice or debit memo")
                    currency = target[2]
                    if payment[2] != currency:
                        raise CellError(
                            "document_no", doc_id, f"in {currency}, the payment in {payment[2]}"
                        )
                    if payment[1] not in (None, target[1]):
                        raise CellError(
                            "document_no",
                            doc_id,
                            f"customer {target[1]}'s; the payment is customer {payment[1]}'s",
                        )
                    if day < _as_date(payment[3]) or day < _as_date(target[3]):
                        raise CellError(
                            "applied_date", str(day), "before the payment or the document"
                        )
                    amount = minor_cell(row, "applied_amount", currency, zero=True)
                    discount = minor_cell(
                        row, "discount_amount", currency, required=False, zero=True
                    )
                    write_off = minor_cell(
                        row, "writeoff_amount", currency, required=False, zero=True
                    )
                except CellError as bad:
                    self.problems.add(path, number, bad.column, bad.value, bad.message)
                    continue
                amounts = (amount or 0, discount or 0, write_off or 0)
                if not any(amounts):
                    self.problems.add(path, number, "applied_amount", "0", "applies nothing")
                    continue
                if app_id in seen:
                    self.problems.add(path, number, "document_no", doc_id, "applied twice that day")
                    continue
                seen.add(app_id)
                if app_id in existing:
                    if existing[app_id] == amounts:
                        unchanged += 1
                    else:
                        self.problems.add(
                            path,
                            number,
                            "applied_amount",
                            row.get("applied_amount"),
                            "already imported with other amounts",
                        )
                    continue
                if self._in_closed_period(path, number, "applied_date", day):
                    continue
                customer = target[1]
                lines: list[_Line] = [(unapplied, currency, amounts[0], customer, None, pay_id)]
                for units, account in zip(amounts, (None, discounts, write_offs), strict=True):
                    if account is not None:
                        lines.append((account, currency, units, customer, doc_id, None))
                    lines.append((ar, currency, -units, customer, doc_id, pay_id))
                out.post(
                    self.writer,
                    app_id,
                    day,
                    EntryKind.APPLICATION,
                    f"import application of {pay_id} to {doc_id}",
                    lines,
                )
                out.records.append(
                    (
                        self.company_id,
                        app_id,
                        pay_id,
                        doc_id,
                        self.writer.day(day),
                        currency,
                        *amounts,
                        app_id,
                        None,
                        _application_json(
                            self.company_id, app_id, pay_id, doc_id, day, currency, amounts
                        ),
                    )
                )
            self._flush(out, "applications", _APPLICATION_COLUMNS)
            touched = sorted({r[2] for r in out.records} | {r[3] for r in out.records})
            self._settle(touched)
            self._count("applications", len(batch), len(out.records), unchanged)
        self._name_overdrawn_rows(path)

    def _settle(self, ids: Sequence[str]) -> None:
        """Check and settle the documents and payments an application batch touched.

        One query per chunk of ids reads each one's amount, status and balance (on the
        postings' document and source indexes). A balance outside 0..amount is over-applied
        (nothing is ever over-applied: it is recorded, to be reported by row); otherwise
        only the statuses that change are written.
        """
        ar, unapplied = self.code(AccountRole.AR_CONTROL), self.code(AccountRole.UNAPPLIED_CASH)
        m = self.writer.mark
        balance = (
            "(SELECT COALESCE(SUM(p.amount_minor), 0) FROM postings p "
            f"WHERE p.company_id = d.company_id AND p.{{link}} = d.id AND p.account = {m})"
        )
        changes: list[tuple[str, str, str]] = []
        for start in range(0, len(ids), _LOOKUP):
            chunk = ids[start : start + _LOOKUP]
            sql = (
                f"SELECT d.id, d.kind, d.amount_minor, d.status, d.currency, "
                f"{balance.format(link='document_id')}, {balance.format(link='source_id')} "
                f"FROM documents d WHERE d.company_id = {m} "
                f"AND d.id IN ({', '.join([m] * len(chunk))})"
            )
            rows = self.connection.exec_driver_sql(
                sql, (ar, unapplied, self.company_id, *chunk)
            ).fetchall()
            for doc_id, kind, amount, status, currency, receivable, cash in rows:
                if kind not in ("invoice", "debit_memo", "payment") or status == "void":
                    continue
                units = int(receivable) if kind != "payment" else -int(cash)
                if not 0 <= units <= amount:
                    column = "payment_id" if kind == "payment" else "document_no"
                    self.overdrawn[column, doc_id] = (
                        f"{kind.replace('_', ' ')} {doc_id} would be over-applied by "
                        f"{units_text(-units, currency)} {currency}"
                    )
                    continue
                new = "issued" if units == amount else "partially_paid" if units else "paid"
                if new == "paid" and status == "written_off":
                    continue  # closed either way; keep how it was closed
                if new != status:
                    changes.append((new, self.company_id, doc_id))
        self.writer.update_statuses(changes)

    def _name_overdrawn_rows(self, path: Path) -> None:
        """Report every row applying to what :meth:`_settle` found over-applied."""
        if not self.overdrawn:
            return
        # Read the file again: this is the error path, and the rows' cells were all valid.
        for number, row in read_rows(path, "applications", Problems()):
            for column in ("document_no", "payment_id"):
                message = self.overdrawn.get((column, text_cell(row, column)))
                if message is not None:
                    self.problems.add(
                        path, number, "applied_amount", text_cell(row, "applied_amount"), message
                    )

    def _flush(self, out: _Batch, table: str, columns: Sequence[str]) -> None:
        # Written even after a problem (it all rolls back), so later files still find the
        # rows they refer to and only real problems are reported.
        self.writer.insert("journal_entries", _ENTRY_COLUMNS, out.entries)
        self.writer.insert("postings", _POSTING_COLUMNS, out.postings)
        self.writer.insert(table, columns, out.records)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _money_json(units: int, currency: str) -> dict[str, str]:
    return {"amount": units_text(units, currency), "currency": currency}


def _document_json(company_id: str, doc: dict[str, Any], status: str) -> str:
    currency = doc["currency"]
    data: dict[str, Any] = {
        "kind": doc["kind"],
        "company_id": company_id,
        "id": doc["id"],
        "customer_id": doc["customer_id"],
        "number": doc["id"],
        "currency": currency,
        "document_date": doc["document_date"].isoformat(),
        "status": status,
        "memo": "imported",
    }
    if doc["kind"] == "invoice":
        data["lines"] = [
            {
                "description": "Imported balance",
                "quantity": "1",
                "unit_price": _money_json(doc["amount"], currency),
            }
        ]
    else:
        data["amount"] = _money_json(doc["amount"], currency)
    if doc["kind"] != "credit_memo":
        data["due_date"] = doc["due_date"].isoformat()
        data["terms"] = str(doc["terms"]) if doc["terms"] is not None else "Net 0"
    return json.dumps(data, separators=(",", ":"))


def _payment_json(company_id: str, pay: dict[str, Any]) -> str:
    currency = pay["currency"]
    return json.dumps(
        {
            "kind": "payment",
            "company_id": company_id,
            "id": pay["id"],
            "customer_id": pay["customer_id"],
            "currency": currency,
            "received_date": pay["received_date"].isoformat(),
            "amount": _money_json(pay["amount"], currency),
            "method": "other",
            "reference": pay["reference"],
            "payer_name": pay["payer_name"],
            "payer_account": pay["payer_account"],
            "remittance": [
                {"document_number": number, "amount": {"amount": paid, "currency": currency}}
                for number, paid in pay["remittance"]
            ],
            "status": "issued",
        },
        separators=(",", ":"),
    )


def _json_text(text: str) -> str:
    """``text`` as a JSON string; plain ids need no escaping, others go through json."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text)


def _application_json(
    company_id: str,
    app_id: str,
    source: str,
    target: str,
    day: date,
    currency: str,
    amounts: tuple[int, int, int],
) -> str:
    # Built by hand (a million times in a large import); ids go through json.dumps.
    amount, discount, write_off = (
        f'{{"amount":"{units_text(units, currency)}","currency":"{currency}"}}' for units in amounts
    )
    dumps = _json_text
    return (
        f'{{"company_id":{dumps(company_id)},"id":{dumps(app_id)},'
        f'"source_id":{dumps(source)},"target_id":{dumps(target)},'
        f'"applied_date":"{day.isoformat()}","amount":{amount},"discount":{discount},'
        f'"write_off":{write_off}}}'
    )


def import_files(
    store: SqlStore,
    company_id: str,
    *,
    customers: Path | None = None,
    documents: Path | None = None,
    payments: Path | None = None,
    applications: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the given CSV files into ``company_id``'s books, all or nothing.

    The company's books are opened (default chart, named after the id) if they are not.
    Files are read in the order customers, documents, payments, applications, so each may
    refer to rows of the files before it or to what the store already holds.

    Raises:
        InputRejectedError: any row has a problem; every problem is listed and nothing is
            written.
    """
    with store.session(company_id) as session:
        books = session.books()
        if books is None:
            books = Books(company_id=company_id, name=company_id)
            session.insert_books(books)
        job = _Import(session, books.chart, books.closed_through, progress)
        for path, step in (
            (customers, job.customers),
            (documents, job.documents),
            (payments, job.payments),
            (applications, job.applications),
        ):
            if path is not None:
                step(Path(path))
        if job.problems.found:
            raise InputRejectedError.listing(job.problems.sorted())
        return job.report
