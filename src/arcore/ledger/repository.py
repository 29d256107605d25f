"""What the ledger needs from a store: the records it reads and the session it writes through.

The ledger service speaks only to these protocols; the SQL backends in
[`arcore.store`][arcore.store] implement them for SQLite and PostgreSQL. Every method of a
[`LedgerSession`][arcore.ledger.repository.LedgerSession] works inside one company and one
transaction: what a command writes is committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from arcore.documents import Application, Customer, Document, DocumentStatus
from arcore.ledger.accounts import ChartOfAccounts
from arcore.ledger.journal import JournalEntry
from arcore.money import Money

__all__ = [
    "AppliedRecord",
    "Books",
    "LedgerSession",
    "LedgerStore",
    "OpenItem",
    "StoredCommand",
]


class Books(BaseModel):
    """A company's set of books: its chart of accounts and how far it is closed.

    Attributes:
        company_id: The company.
        name: Its name, for reports.
        chart: Which account code plays each role.
        closed_through: Postings dated on or before this date are refused; ``None`` when no
            period has been closed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_id: str
    name: str
    chart: ChartOfAccounts = ChartOfAccounts()
    closed_through: date | None = None


class StoredCommand(BaseModel):
    """A command already carried out, found by its idempotency key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    command: str
    digest: str
    result: str


class AppliedRecord(BaseModel):
    """An application as stored: the entry that posted it and, once unapplied, its reversal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    application: Application
    entry_id: str
    reversal_entry_id: str | None = None


class OpenItem(BaseModel):
    """A document with a balance as of a date, signed from the customer's point of view.

    Attributes:
        document_id: The invoice, memo, payment or deposit.
        kind: Its kind (``invoice``, ``debit_memo``, ``credit_memo``, ``payment``,
            ``customer_deposit``).
        customer_id: Whose it is (``None`` for a payment not yet identified).
        number: The document number (``None`` for receipts: their reference is on the
            document).
        document_date: Its date (a receipt's received date).
        due_date: When it falls due (receivables only).
        currency: Its currency.
        total: Its face amount, positive.
        balance: What is open: positive for what the customer owes (invoices, debit memos),
            negative for credits in the customer's favour (credit memos, unapplied payments
            and deposits).
        status: Its status now.
        disputed: Whether it is in dispute now.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: str
    kind: str
    customer_id: str | None
    number: str | None
    document_date: date
    due_date: date | None
    currency: str
    total: Money
    balance: Money
    status: DocumentStatus
    disputed: bool


class LedgerSession(Protocol):
    """One company's books inside one transaction."""

    @property
    def company_id(self) -> str:
        """The company every read and write is confined to."""
        ...

    def books(self) -> Books | None:
        """The company's books, or ``None`` if the company was never opened."""
        ...

    def insert_books(self, books: Books) -> None:
        """Open the company's books."""
        ...

    def set_closed_through(self, closed_through: date) -> None:
        """Record the last closed date."""
        ...

    def record_close(
        self, through: date, *, receivable_account: str, receipt_accounts: Sequence[str]
    ) -> None:
        """Keep what is open at the end of ``through`` (the books now close through it).

        Aging as of a later date may start from these balances instead of the history.
        """
        ...

    def command(self, idempotency_key: str) -> StoredCommand | None:
        """The command carried out under ``idempotency_key``, if any."""
        ...

    def insert_command(
        self,
        idempotency_key: str,
        command: str,
        digest: str,
        *,
        actor: str,
        reason: str,
        recorded_at: datetime,
        result: str,
    ) -> None:
        """Remember a command's result under its idempotency key."""
        ...

    def customer(self, customer_id: str) -> Customer | None:
        """A customer by id."""
        ...

    def customers(self) -> list[Customer]:
        """Every customer of the company, by id."""
        ...

    def put_customer(self, customer: Customer) -> None:
        """Insert a customer or replace its master data."""
        ...

    def document(self, document_id: str) -> Document | None:
        """A document by id, with its current status and dispute flag."""
        ...

    def documents(self, document_ids: Sequence[str]) -> dict[str, Document]:
        """Documents by id (unknown ids left out), each with its status and dispute flag."""
        ...

    def document_entry_id(self, document_id: str) -> str | None:
        """The id of the entry that issued or recorded a document (imported ones too)."""
        ...

    def document_id_by_number(self, kind: str, number: str) -> str | None:
        """The id of the document of ``kind`` numbered ``number``, if any."""
        ...

    def insert_document(self, document: Document, *, entry_id: str | None) -> None:
        """Store a document, with the entry that posted it."""
        ...

    def set_status(self, document_id: str, status: DocumentStatus, disputed: bool) -> None:
        """Record a document's new status and dispute flag."""
        ...

    def application(self, application_id: str) -> AppliedRecord | None:
        """An application by id."""
        ...

    def applications(
        self, *, source_id: str | None = None, target_id: str | None = None
    ) -> list[AppliedRecord]:
        """The applications of a source or to a target, oldest first."""
        ...

    def insert_application(self, application: Application, *, entry_id: str) -> None:
        """Store an application and the entry that posted it."""
        ...

    def mark_unapplied(self, application_id: str, *, reversal_entry_id: str) -> None:
        """Record the entry that reversed an application."""
        ...

    def insert_entries(self, entries: Sequence[JournalEntry]) -> None:
        """Append journal entries."""
        ...

    def entry(self, entry_id: str) -> JournalEntry | None:
        """A journal entry by id."""
        ...

    def movements(
        self,
        account: str,
        *,
        document_id: str | None = None,
        source_id: str | None = None,
    ) -> list[tuple[date, Money]]:
        """Σ postings on ``account`` tagged with the document or source, per date, by date."""
        ...

    def open_items(
        self,
        *,
        as_of: date | None,
        customer_id: str | None,
        receivable_account: str,
        receipt_accounts: Sequence[str],
    ) -> Iterator[OpenItem]:
        """Documents with a non-zero balance as of a date, by customer, date and id."""
        ...

    def source_balances(self, account: str) -> dict[str, Money]:
        """Σ postings on ``account`` per tagged source (payment, deposit), non-zero ones."""
        ...

    def account_balances(self, *, as_of: date | None) -> dict[str, dict[str, Money]]:
        """Σ postings per account and currency, entries dated on or before ``as_of``."""
        ...

    def entries(
        self,
        *,
        customer_id: str | None = None,
        document_id: str | None = None,
        actor: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[JournalEntry]:
        """The journal, filtered, in date then recording order."""
        ...

    def aged_balances(
        self,
        *,
        as_of: date,
        bounds: Sequence[date],
        by_document_date: bool,
        receivable_account: str,
        receipt_accounts: Sequence[str],
    ) -> Iterator[tuple[str, str | None, tuple[int, ...]]]:
        """Σ open balances as of a date per currency and customer, one sum per age band.

        Rows are ``(currency, customer_id, minor units per band)``. Band ``i`` holds items
        whose reference date (due date, or document date) is on or after ``bounds[i]`` and
        before ``bounds[i - 1]``; band ``len(bounds)`` the rest.
        """
        ...

    def monthly_credit_sales(self, *, end: date) -> Iterator[tuple[str, str, int, int, int]]:
        """Invoices and debit memos less credit memos per currency, customer, year, month."""
        ...

    def posted_by_customer(
        self, *, accounts: Sequence[str], start: date, end: date
    ) -> Iterator[tuple[str, str | None, int]]:
        """Σ postings on ``accounts`` in a period per currency and customer (minor units)."""
        ...

    def settled_receivables(
        self, *, start: date, end: date, receivable_account: str
    ) -> Iterator[tuple[str, str, date, date | None, int, date]]:
        """Invoices and debit memos whose balance reached zero in a period, with that date."""
        ...


class LedgerStore(Protocol):
    """A store that opens sessions on one company's books."""

    def session(
        self, company_id: str, *, write: bool = True
    ) -> AbstractContextManager[LedgerSession]:
        """A transaction: committed when the block ends, rolled back on error.

        ``write=False`` asks for a read-only snapshot that does not wait for writers.
        """
        ...
