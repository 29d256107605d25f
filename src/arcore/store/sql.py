"""The SQL store: SQLite (a file, WAL) and PostgreSQL (psycopg 3) through SQLAlchemy Core.

[`SqlStore`][arcore.store.SqlStore] implements
[`LedgerStore`][arcore.ledger.repository.LedgerStore]: each
[`session`][arcore.store.SqlStore.session] is one transaction on one company's rows,
committed when the block ends and rolled back, leaving the store exactly as it was, when it
raises. Writers are serialised: SQLite transactions begin ``IMMEDIATE`` (one writer at a
time, readers never blocked under WAL); PostgreSQL transactions take an advisory lock on the
company first, so two commands never check the same balance at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import TypeAdapter
from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Engine,
    Row,
    String,
    and_,
    case,
    cast,
    create_engine,
    event,
    extract,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from arcore.documents import (
    Application,
    CreditMemo,
    Customer,
    DebitMemo,
    Document,
    DocumentStatus,
    Invoice,
    Refund,
)
from arcore.errors import ConfigurationError
from arcore.ledger.journal import EntryKind, JournalEntry, Posting
from arcore.ledger.repository import AppliedRecord, Books, OpenItem, StoredCommand
from arcore.money import Money
from arcore.store.schema import (
    applications,
    closing_balances,
    commands,
    companies,
    customers,
    documents,
    journal_entries,
    period_closes,
    postings,
)

if TYPE_CHECKING:
    from arcore.store.sync import SyncState

__all__ = ["DEFAULT_URL", "SqlSession", "SqlStore", "create_store_engine"]

DEFAULT_URL: Final = "sqlite:///arcore.db"
"""Where the store lives when no URL is given: ``arcore.db`` in the working directory."""

_DOCUMENT: Final[TypeAdapter[Document]] = TypeAdapter(Document)
_CHUNK: Final = 500  # ids per IN (...) list


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``, set up for arcore: WAL and immediate transactions on SQLite.

    Raises:
        ConfigurationError: the URL is not a SQLite or PostgreSQL URL, its driver is not
            installed, or a SQLite file's folder does not exist.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"{url!r} is not a database URL",
            hint="Give sqlite:///path/to/arcore.db or postgresql+psycopg://user@host/db",
            field="url",
            value=url,
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not Path(database).parent.exists():
            raise ConfigurationError(
                f"the folder of {database} does not exist",
                hint="Create the folder first, or give another path",
                field="url",
                value=url,
            )
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend != "postgresql":
        raise ConfigurationError(
            f"arcore stores its books in SQLite or PostgreSQL, not {backend}",
            hint="Give sqlite:///path/to/arcore.db or postgresql+psycopg://user@host/db",
            field="url",
            value=parsed.render_as_string(hide_password=True),
        )
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        raise ConfigurationError(
            "the PostgreSQL driver (psycopg 3) is not installed",
            hint="pip install 'arcore[postgres]'",
            field="url",
            value=parsed.render_as_string(hide_password=True),
        ) from exc


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe under WAL
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get("arcore_read_only", False)
    connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


class SqlStore:
    """arcore's books in a SQL database; see the module documentation.

    Build one with [`open_store`][arcore.store.open_store], which also brings the schema up
    to date. Close it with :meth:`close` (or use it as a context manager).
    """

    def __init__(self, engine: Engine) -> None:
        """Wrap ``engine``; the schema must already be migrated."""
        self.engine = engine

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self, company_id: str, *, write: bool = True) -> Iterator[SqlSession]:
        """One transaction on ``company_id``'s books; see the module documentation.

        A read-only session (``write=False``) takes no writer lock: it sees the books as
        they were committed when it began.
        """
        try:
            with self.engine.connect() as connection:
                if not write:
                    connection.execution_options(arcore_read_only=True)
                with connection.begin():
                    if write and self.dialect == "postgresql":
                        connection.execute(
                            text("SELECT pg_advisory_xact_lock(hashtextextended(:company, 0))"),
                            {"company": company_id},
                        )
                    yield SqlSession(connection, company_id)
        except OperationalError as exc:
            raise ConfigurationError(
                f"the store at {self.url} cannot be used: {exc.orig}",
                hint="Check that the database is reachable and not locked by another program",
                field="url",
                value=self.url,
            ) from exc

    def sync_state(self, company_id: str, system: str) -> SyncState:
        """The sync state of ``company_id`` with ``system`` (see [`arcore.store.sync`][]).

        Mappings, cursors, the outbox, conflicts and tokens: what the sync engine keeps.
        """
        # Imported here: arcore.store.sync builds on arcore.sync's records, which use this.
        from arcore.store.sync import SyncState

        return SyncState(self, company_id, system)

    def company_ids(self) -> list[str]:
        """Every company with books in this store."""
        with self.engine.connect() as connection:
            return list(connection.scalars(select(companies.c.company_id).order_by("company_id")))

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        """Use the store in a ``with`` block, closing it at the end."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the store."""
        self.close()


def _money(units: int, currency: str) -> Money:
    return Money.from_minor_units(int(units), currency)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class SqlSession:
    """One company's books inside one SQL transaction.

    The [`LedgerSession`][arcore.ledger.repository.LedgerSession] of the SQL backends.
    """

    def __init__(self, connection: Connection, company_id: str) -> None:
        """Work on ``company_id``'s rows through ``connection``, inside its transaction."""
        self.connection = connection
        self._company_id = company_id

    @property
    def company_id(self) -> str:
        """The company every read and write is confined to."""
        return self._company_id

    # --- books and commands ---------------------------------------------------------------

    def books(self) -> Books | None:
        """The company's books, or ``None`` if the company was never opened."""
        row = self.connection.execute(
            select(companies).where(companies.c.company_id == self._company_id)
        ).first()
        if row is None:
            return None
        return Books(
            company_id=row.company_id,
            name=row.name,
            chart=json.loads(row.chart),
            closed_through=row.closed_through,
        )

    def insert_books(self, books: Books) -> None:
        """Open the company's books."""
        self.connection.execute(
            companies.insert().values(
                company_id=self._company_id,
                name=books.name,
                chart=books.chart.model_dump_json(),
                closed_through=books.closed_through,
            )
        )

    def set_closed_through(self, closed_through: date) -> None:
        """Record the last closed date."""
        self.connection.execute(
            companies.update()
            .where(companies.c.company_id == self._company_id)
            .values(closed_through=closed_through)
        )

    def command(self, idempotency_key: str) -> StoredCommand | None:
        """The command carried out under ``idempotency_key``, if any."""
        row = self.connection.execute(
            select(commands.c.command, commands.c.digest, commands.c.result).where(
                commands.c.company_id == self._company_id,
                commands.c.idempotency_key == idempotency_key,
            )
        ).first()
        return None if row is None else StoredCommand(**row._mapping)

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
        self.connection.execute(
            commands.insert().values(
                company_id=self._company_id,
                idempotency_key=idempotency_key,
                command=command,
                digest=digest,
                actor=actor,
                reason=reason,
                recorded_at=recorded_at,
                result=result,
            )
        )

    # --- customers and documents ------------------------------------------------------------

    def customer(self, customer_id: str) -> Customer | None:
        """A customer by id."""
        data = self.connection.scalar(
            select(customers.c.data).where(
                customers.c.company_id == self._company_id, customers.c.id == customer_id
            )
        )
        return None if data is None else Customer.model_validate_json(data)

    def customers(self) -> list[Customer]:
        """Every customer of the company, by id."""
        rows = self.connection.scalars(
            select(customers.c.data)
            .where(customers.c.company_id == self._company_id)
            .order_by(customers.c.id)
        )
        return [Customer.model_validate_json(data) for data in rows]

    def put_customer(self, customer: Customer) -> None:
        """Insert a customer or replace its master data."""
        self.connection.execute(
            customers.delete().where(
                customers.c.company_id == self._company_id, customers.c.id == customer.id
            )
        )
        self.connection.execute(
            customers.insert().values(
                company_id=self._company_id,
                id=customer.id,
                name=customer.name,
                currency=customer.currency,
                parent_id=customer.parent_id,
                data=customer.model_dump_json(),
            )
        )

    def document(self, document_id: str) -> Document | None:
        """A document by id, with its current status and dispute flag."""
        row = self.connection.execute(
            select(documents.c.data, documents.c.status, documents.c.disputed).where(
                documents.c.company_id == self._company_id, documents.c.id == document_id
            )
        ).first()
        if row is None:
            return None
        document = _DOCUMENT.validate_json(row.data)
        return document.model_copy(
            update={"status": DocumentStatus(row.status), "disputed": bool(row.disputed)}
        )

    def documents(self, document_ids: Sequence[str]) -> dict[str, Document]:
        """Documents by id (unknown ids left out), each with its status and dispute flag."""
        found: dict[str, Document] = {}
        for start in range(0, len(document_ids), 500):
            rows = self.connection.execute(
                select(documents.c.data, documents.c.status, documents.c.disputed).where(
                    documents.c.company_id == self._company_id,
                    documents.c.id.in_(document_ids[start : start + 500]),
                )
            )
            for row in rows:
                document = _DOCUMENT.validate_json(row.data).model_copy(
                    update={"status": DocumentStatus(row.status), "disputed": bool(row.disputed)}
                )
                found[document.id] = document
        return found

    def document_entry_id(self, document_id: str) -> str | None:
        """The id of the entry that issued or recorded a document (imported ones too)."""
        return self.connection.scalar(
            select(documents.c.entry_id).where(
                documents.c.company_id == self._company_id, documents.c.id == document_id
            )
        )

    def document_id_by_number(self, kind: str, number: str) -> str | None:
        """The id of the document of ``kind`` numbered ``number``, if any."""
        return self.connection.scalar(
            select(documents.c.id).where(
                documents.c.company_id == self._company_id,
                documents.c.kind == kind,
                documents.c.number == number,
            )
        )

    def insert_document(self, document: Document, *, entry_id: str | None) -> None:
        """Store a document, with the entry that posted it."""
        number, dated, due_date, amount = _document_columns(document)
        self.connection.execute(
            documents.insert().values(
                company_id=self._company_id,
                id=document.id,
                kind=document.kind,
                customer_id=getattr(document, "customer_id", None),
                number=number,
                currency=document.currency,
                document_date=dated,
                due_date=due_date,
                amount_minor=amount.to_minor_units(),
                status=document.status.value,
                disputed=document.disputed,
                entry_id=entry_id,
                data=document.model_dump_json(),
            )
        )

    def set_status(self, document_id: str, status: DocumentStatus, disputed: bool) -> None:
        """Record a document's new status and dispute flag."""
        self.connection.execute(
            documents.update()
            .where(documents.c.company_id == self._company_id, documents.c.id == document_id)
            .values(status=DocumentStatus(status).value, disputed=disputed)
        )

    # --- applications -------------------------------------------------------------------------

    def application(self, application_id: str) -> AppliedRecord | None:
        """An application by id."""
        row = self.connection.execute(
            select(applications).where(
                applications.c.company_id == self._company_id,
                applications.c.id == application_id,
            )
        ).first()
        return None if row is None else _applied(row)

    def applications(
        self, *, source_id: str | None = None, target_id: str | None = None
    ) -> list[AppliedRecord]:
        """The applications of a source or to a target, oldest first."""
        query = select(applications).where(applications.c.company_id == self._company_id)
        if source_id is not None:
            query = query.where(applications.c.source_id == source_id)
        if target_id is not None:
            query = query.where(applications.c.target_id == target_id)
        rows = self.connection.execute(query.order_by(applications.c.applied_date, "id"))
        return [_applied(row) for row in rows]

    def insert_application(self, application: Application, *, entry_id: str) -> None:
        """Store an application and the entry that posted it."""
        self.connection.execute(
            applications.insert().values(
                company_id=self._company_id,
                id=application.id,
                source_id=application.source_id,
                target_id=application.target_id,
                applied_date=application.applied_date,
                currency=application.currency,
                amount_minor=application.amount.to_minor_units(),
                discount_minor=application.discount.to_minor_units(),
                write_off_minor=application.write_off.to_minor_units(),
                entry_id=entry_id,
                data=application.model_dump_json(),
            )
        )

    def mark_unapplied(self, application_id: str, *, reversal_entry_id: str) -> None:
        """Record the entry that reversed an application."""
        self.connection.execute(
            applications.update()
            .where(
                applications.c.company_id == self._company_id,
                applications.c.id == application_id,
            )
            .values(reversal_entry_id=reversal_entry_id)
        )

    # --- the journal -------------------------------------------------------------------------

    def insert_entries(self, entries: Sequence[JournalEntry]) -> None:
        """Append journal entries, numbered in recording order."""
        if not entries:
            return
        last = self.connection.scalar(
            select(func.coalesce(func.max(journal_entries.c.seq), 0)).where(
                journal_entries.c.company_id == self._company_id
            )
        )
        headers = []
        lines = []
        for seq, entry in enumerate(entries, start=int(last or 0) + 1):
            headers.append(
                {
                    "company_id": self._company_id,
                    "id": entry.id,
                    "seq": seq,
                    "entry_date": entry.entry_date,
                    "kind": entry.kind.value,
                    "actor": entry.actor,
                    "reason": entry.reason,
                    "idempotency_key": entry.idempotency_key,
                    "reverses": entry.reverses,
                }
            )
            for number, posting in enumerate(entry.postings, start=1):
                lines.append(
                    {
                        "company_id": self._company_id,
                        "entry_id": entry.id,
                        "line": number,
                        "entry_date": entry.entry_date,
                        "account": posting.account,
                        "currency": posting.amount.currency,
                        "amount_minor": posting.amount.to_minor_units(),
                        "customer_id": posting.customer_id,
                        "document_id": posting.document_id,
                        "source_id": posting.source_id,
                    }
                )
        self.connection.execute(journal_entries.insert(), headers)
        self.connection.execute(postings.insert(), lines)

    def entry(self, entry_id: str) -> JournalEntry | None:
        """A journal entry by id."""
        found = self._load_entries([entry_id])
        return found[0] if found else None

    def _load_entries(self, entry_ids: Sequence[str]) -> list[JournalEntry]:
        headers = self.connection.execute(
            select(journal_entries)
            .where(
                journal_entries.c.company_id == self._company_id,
                journal_entries.c.id.in_(entry_ids),
            )
            .order_by(journal_entries.c.entry_date, journal_entries.c.seq)
        ).all()
        lines: dict[str, list[Posting]] = {}
        for row in self.connection.execute(
            select(postings)
            .where(postings.c.company_id == self._company_id, postings.c.entry_id.in_(entry_ids))
            .order_by(postings.c.entry_id, postings.c.line)
        ):
            lines.setdefault(row.entry_id, []).append(
                Posting(
                    account=row.account,
                    amount=_money(row.amount_minor, row.currency),
                    customer_id=row.customer_id,
                    document_id=row.document_id,
                    source_id=row.source_id,
                )
            )
        return [
            JournalEntry(
                company_id=self._company_id,
                id=row.id,
                entry_date=row.entry_date,
                kind=EntryKind(row.kind),
                postings=tuple(lines.get(row.id, ())),
                actor=row.actor,
                reason=row.reason,
                idempotency_key=row.idempotency_key,
                reverses=row.reverses,
            )
            for row in headers
        ]

    def entries(
        self,
        *,
        customer_id: str | None = None,
        document_id: str | None = None,
        actor: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[JournalEntry]:
        """The journal, filtered, in date then recording order (streamed in chunks)."""
        query = select(journal_entries.c.id).where(journal_entries.c.company_id == self._company_id)
        if customer_id is not None or document_id is not None:
            tagged = select(postings.c.entry_id).where(postings.c.company_id == self._company_id)
            if customer_id is not None:
                tagged = tagged.where(postings.c.customer_id == customer_id)
            if document_id is not None:
                tagged = tagged.where(
                    (postings.c.document_id == document_id) | (postings.c.source_id == document_id)
                )
            query = query.where(journal_entries.c.id.in_(tagged))
        if actor is not None:
            query = query.where(journal_entries.c.actor == actor)
        if start is not None:
            query = query.where(journal_entries.c.entry_date >= start)
        if end is not None:
            query = query.where(journal_entries.c.entry_date <= end)
        ids = list(
            self.connection.scalars(
                query.order_by(journal_entries.c.entry_date, journal_entries.c.seq)
            )
        )
        for chunk in _chunks(ids):
            yield from self._load_entries(chunk)

    # --- balances -----------------------------------------------------------------------------

    def movements(
        self,
        account: str,
        *,
        document_id: str | None = None,
        source_id: str | None = None,
    ) -> list[tuple[date, Money]]:
        """Σ postings on ``account`` tagged with the document or source, per date, by date."""
        tag = (
            postings.c.document_id == document_id
            if document_id is not None
            else postings.c.source_id == source_id
        )
        rows = self.connection.execute(
            select(postings.c.entry_date, postings.c.currency, func.sum(postings.c.amount_minor))
            .where(postings.c.company_id == self._company_id, postings.c.account == account, tag)
            .group_by(postings.c.entry_date, postings.c.currency)
            .order_by(postings.c.entry_date)
        )
        return [(row[0], _money(row[2], row[1])) for row in rows]

    def open_items(
        self,
        *,
        as_of: date | None,
        customer_id: str | None,
        receivable_account: str,
        receipt_accounts: Sequence[str],
    ) -> Iterator[OpenItem]:
        """Documents with a non-zero balance as of a date, by customer, date and id."""
        d, p = documents, postings

        def branch(link: Any, account_filter: Any) -> Any:
            where = [p.c.company_id == self._company_id, account_filter]
            if as_of is not None:
                where.append(p.c.entry_date <= as_of)
            if customer_id is not None:
                where.append(d.c.customer_id == customer_id)
            balance = func.sum(p.c.amount_minor)
            return (
                select(
                    d.c.id, d.c.kind, d.c.customer_id, d.c.number, d.c.document_date,
                    d.c.due_date, d.c.currency, d.c.amount_minor, d.c.status, d.c.disputed,
                    balance.label("balance"),
                )
                .select_from(p.join(d, and_(d.c.company_id == p.c.company_id, link)))
                .where(*where)
                .group_by(d.c.id, d.c.kind, d.c.customer_id, d.c.number, d.c.document_date,
                          d.c.due_date, d.c.currency, d.c.amount_minor, d.c.status,
                          d.c.disputed)
                .having(balance != literal(0))
            )  # fmt: skip

        both = union_all(
            branch(d.c.id == p.c.document_id, p.c.account == receivable_account),
            branch(d.c.id == p.c.source_id, p.c.account.in_(list(receipt_accounts))),
        ).subquery()
        rows = self.connection.execute(
            select(both).order_by(both.c.customer_id, both.c.document_date, both.c.id)
        )
        for row in rows:
            yield OpenItem(
                document_id=row.id,
                kind=row.kind,
                customer_id=row.customer_id,
                number=row.number,
                document_date=row.document_date,
                due_date=row.due_date,
                currency=row.currency,
                total=_money(row.amount_minor, row.currency),
                balance=_money(row.balance, row.currency),
                status=DocumentStatus(row.status),
                disputed=bool(row.disputed),
            )

    def source_balances(self, account: str) -> dict[str, Money]:
        """Σ postings on ``account`` per tagged source (payment, deposit), non-zero ones."""
        total = func.sum(postings.c.amount_minor)
        rows = self.connection.execute(
            select(postings.c.source_id, postings.c.currency, total)
            .where(
                postings.c.company_id == self._company_id,
                postings.c.account == account,
                postings.c.source_id.is_not(None),
            )
            .group_by(postings.c.source_id, postings.c.currency)
            .having(total != 0)
            .order_by(postings.c.source_id)
        )
        return {source: _money(units, currency) for source, currency, units in rows}

    def account_balances(self, *, as_of: date | None) -> dict[str, dict[str, Money]]:
        """Σ postings per account and currency, entries dated on or before ``as_of``."""
        query = select(postings.c.account, postings.c.currency, func.sum(postings.c.amount_minor))
        query = query.where(postings.c.company_id == self._company_id)
        if as_of is not None:
            query = query.where(postings.c.entry_date <= as_of)
        balances: dict[str, dict[str, Money]] = {}
        for account, currency, units in self.connection.execute(
            query.group_by(postings.c.account, postings.c.currency).order_by(postings.c.account)
        ):
            balances.setdefault(account, {})[currency] = _money(units, currency)
        return balances

    # --- reports (read-only aggregates in plain tuples of minor units) ------------------------

    def aged_balances(
        self,
        *,
        as_of: date,
        bounds: Sequence[date],
        by_document_date: bool,
        receivable_account: str,
        receipt_accounts: Sequence[str],
    ) -> Iterator[tuple[str, str | None, tuple[int, ...]]]:
        """Σ open balances as of ``as_of`` per currency, customer and age band.

        An item's reference date is its document date (``by_document_date``) or its due date
        (its document date when it has none: credits and receipts). Band ``i`` holds the
        items whose reference date is on or after ``bounds[i]`` and before ``bounds[i - 1]``;
        band ``len(bounds)`` holds the older rest. Balances are signed as in
        :meth:`open_items`; only entries dated on or before ``as_of`` count. Rows are
        ``(currency, customer_id, minor units per band)``, one per customer and currency
        with a non-zero band, in no particular order.

        When the books were closed on or before ``as_of``, the latest such close's balances
        (see :meth:`record_close`) stand for everything up to it, and only the postings
        dated after it are read.
        """
        d, cb = documents, closing_balances
        closed = self._latest_close(as_of)
        moved = union_all(
            *self._item_sums(
                after=closed,
                through=as_of,
                receivable_account=receivable_account,
                receipt_accounts=receipt_accounts,
            )
        ).subquery()
        linked = and_(d.c.company_id == self._company_id, d.c.id == moved.c.id)
        queries = [
            select(
                d.c.currency,
                d.c.customer_id,
                *_per_band(_reference_date(d, by_document_date), moved.c.units, bounds),
            )
            .select_from(moved.join(d, linked))
            .group_by(d.c.currency, d.c.customer_id)
        ]
        if closed is not None:  # read from the aging index alone, in its order
            queries.append(
                select(
                    cb.c.currency,
                    cb.c.customer_id,
                    *_per_band(_reference_date(cb, by_document_date), cb.c.balance_minor, bounds),
                )
                .where(cb.c.company_id == self._company_id, cb.c.through == closed)
                .group_by(cb.c.currency, cb.c.customer_id)
            )
        sums: dict[tuple[str, str | None], tuple[int, ...]] = {}
        for query in queries:  # 50,000 customers: a Python step each, no more
            for currency, customer_id, *bands in self.connection.execute(query):
                key = (currency, customer_id)
                into = sums.get(key)
                sums[key] = tuple(bands) if into is None else tuple(map(add, into, bands))
        for (currency, customer_id), per_band in sums.items():
            if any(per_band):
                yield currency, customer_id, per_band

    def record_close(
        self, through: date, *, receivable_account: str, receipt_accounts: Sequence[str]
    ) -> None:
        """Keep every item open at the end of ``through``, the date the books close through.

        The items are the documents with a balance on ``receivable_account`` and the receipts
        with one on ``receipt_accounts``; each is kept with its currency, customer and dates.
        The balances are the latest earlier close's plus the postings dated after it, so a
        monthly close reads one month of postings. Closing again through the same date
        records nothing: nothing can have been posted on or before it since.
        """
        pc, cb, d = period_closes, closing_balances, documents
        company = self._company_id
        if self.connection.execute(
            select(pc.c.through).where(pc.c.company_id == company, pc.c.through == through)
        ).first():
            return
        previous = self._latest_close(through)
        parts: list[Any] = self._item_sums(
            after=previous,
            through=through,
            receivable_account=receivable_account,
            receipt_accounts=receipt_accounts,
        )
        if previous is not None:
            parts.append(
                select(cb.c.item_id.label("id"), cb.c.balance_minor.label("units")).where(
                    cb.c.company_id == company, cb.c.through == previous
                )
            )
        moved = union_all(*parts).subquery()
        units = func.sum(moved.c.units)
        open_then = (
            select(moved.c.id, units.label("units"))
            .group_by(moved.c.id)
            .having(units != literal(0))
            .subquery()
        )
        rows = select(
            literal(company, String()),
            literal(through, Date()),
            open_then.c.id,
            d.c.currency,
            d.c.customer_id,
            d.c.document_date,
            d.c.due_date,
            open_then.c.units,
        ).select_from(open_then.join(d, and_(d.c.company_id == company, d.c.id == open_then.c.id)))
        self.connection.execute(
            cb.insert().from_select(
                ["company_id", "through", "item_id", "currency", "customer_id",
                 "document_date", "due_date", "balance_minor"],
                rows,
            )
        )  # fmt: skip
        self.connection.execute(pc.insert().values(company_id=company, through=through))

    def _latest_close(self, on_or_before: date) -> date | None:
        """The latest date the books were closed through, on or before ``on_or_before``."""
        pc = period_closes
        latest: date | None = self.connection.execute(
            select(func.max(pc.c.through)).where(
                pc.c.company_id == self._company_id, pc.c.through <= on_or_before
            )
        ).scalar()
        return latest

    def _item_sums(
        self,
        *,
        after: date | None,
        through: date,
        receivable_account: str,
        receipt_accounts: Sequence[str],
    ) -> list[Any]:
        """Σ postings per item ``(id, units)`` dated after ``after`` (if any) to ``through``.

        Two queries: documents on the receivable account, receipts on the receipt accounts;
        items whose postings add up to zero are left out (most are settled: a later join
        reads only the rest).
        """
        p = postings

        def per_item(tag: Any, account_filter: Any) -> Any:
            units = func.sum(p.c.amount_minor)
            where = [p.c.company_id == self._company_id, account_filter, p.c.entry_date <= through]
            key = tag
            if after is not None:
                where.append(p.c.entry_date > after)
                # Grouped on an expression, not the column: SQLite then reads the date range
                # from ix_postings_account_date instead of the whole journal in id order.
                key = tag.concat("")
            # No "IS NOT NULL" on the id: SQLite would take it for a range on the id's index.
            # The join with the documents leaves the postings without one out.
            return (
                select(key.label("id"), units.label("units"))
                .where(*where)
                .group_by(key)
                .having(units != literal(0))
            )

        return [
            per_item(p.c.document_id, p.c.account == receivable_account),
            per_item(p.c.source_id, p.c.account.in_(list(receipt_accounts))),
        ]

    def monthly_credit_sales(self, *, end: date) -> Iterator[tuple[str, str, int, int, int]]:
        """Credit sales per currency, customer and calendar month, of documents dated ≤ ``end``.

        Invoices and debit memos count their total, credit memos less theirs; void documents
        do not count. Rows are ``(currency, customer_id, year, month, minor units)``.
        """
        d = documents
        signed = case((d.c.kind == "credit_memo", -d.c.amount_minor), else_=d.c.amount_minor)
        dated = (
            select(
                d.c.currency,
                d.c.customer_id,
                extract("year", d.c.document_date).label("year"),
                extract("month", d.c.document_date).label("month"),
                signed.label("units"),
            )
            .where(
                d.c.company_id == self._company_id,
                d.c.kind.in_(["invoice", "debit_memo", "credit_memo"]),
                d.c.status != DocumentStatus.VOID.value,
                d.c.document_date <= end,
            )
            .subquery()
        )
        rows = self.connection.execute(
            select(dated.c.currency, dated.c.customer_id, dated.c.year, dated.c.month,
                   func.sum(dated.c.units))
            .group_by(dated.c.currency, dated.c.customer_id, dated.c.year, dated.c.month)
        )  # fmt: skip
        for currency, customer_id, year, month, units in rows:
            yield currency, customer_id, int(year), int(month), int(units)

    def posted_by_customer(
        self, *, accounts: Sequence[str], start: date, end: date
    ) -> Iterator[tuple[str, str | None, int]]:
        """Σ postings on ``accounts`` dated ``start`` to ``end`` per currency and customer.

        Rows are ``(currency, customer_id, minor units)``, debits positive.
        """
        p = postings
        rows = self.connection.execute(
            select(p.c.currency, p.c.customer_id, func.sum(p.c.amount_minor))
            .where(
                p.c.company_id == self._company_id,
                p.c.account.in_(list(accounts)),
                p.c.entry_date >= start,
                p.c.entry_date <= end,
            )
            .group_by(p.c.currency, p.c.customer_id)
        )
        for currency, customer_id, units in rows:
            yield currency, customer_id, int(units)

    def settled_receivables(
        self, *, start: date, end: date, receivable_account: str
    ) -> Iterator[tuple[str, str, date, date | None, int, date]]:
        """Invoices and debit memos whose balance reached zero from ``start`` to ``end``.

        A document counts when its balance as of ``end`` is zero and the last entry that
        moved it (on or before ``end``) is dated in the period: that date is when it was
        settled. Void documents do not count. Rows are ``(currency, customer_id,
        document_date, due_date, total in minor units, settled date)``.
        """
        d, p = documents, postings
        balance = func.sum(p.c.amount_minor)
        last = func.max(p.c.entry_date)
        moved = (
            select(p.c.document_id.label("id"), last.label("settled"))
            .where(
                p.c.company_id == self._company_id,
                p.c.account == receivable_account,
                p.c.entry_date <= end,
                p.c.document_id.is_not(None),
            )
            .group_by(p.c.document_id)
            .having(and_(balance == literal(0), last >= start))
            .subquery()
        )
        rows = self.connection.execute(
            select(d.c.currency, d.c.customer_id, d.c.document_date, d.c.due_date,
                   d.c.amount_minor, moved.c.settled)
            .select_from(moved.join(d, and_(d.c.company_id == self._company_id,
                                            d.c.id == moved.c.id)))
            .where(d.c.kind.in_(["invoice", "debit_memo"]),
                   d.c.status != DocumentStatus.VOID.value)
        )  # fmt: skip
        for currency, customer_id, dated, due, units, settled in rows:
            yield currency, customer_id, dated, due, int(units), _as_date(settled)


def _document_columns(document: Document) -> tuple[str | None, date, date | None, Money]:
    """Number, date, due date (the last installment's) and face amount of a document."""
    if isinstance(document, Invoice | DebitMemo):
        return document.number, document.document_date, document.due_dates()[-1], document.total
    if isinstance(document, CreditMemo):
        return document.number, document.document_date, None, document.amount
    if isinstance(document, Refund):
        return None, document.document_date, None, document.amount
    return None, document.received_date, None, document.amount


def _as_date(value: object) -> date:
    """A date as the driver returns it (an aggregate of dates is ISO text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _applied(row: Row[Any]) -> AppliedRecord:
    return AppliedRecord(
        application=Application.model_validate_json(row.data),
        entry_id=row.entry_id,
        reversal_entry_id=row.reversal_entry_id,
    )


def _reference_date(table: Any, by_document_date: bool) -> Any:
    """What an item is aged from: its document date, or its due date when it has one."""
    if by_document_date:
        return table.c.document_date
    return func.coalesce(table.c.due_date, table.c.document_date)


def _per_band(dated: Any, units: Any, bounds: Sequence[date]) -> list[Any]:
    """Σ ``units`` per age band: band ``i`` from ``bounds[i]`` to before ``bounds[i - 1]``.

    The last band holds what is older than every bound; a band a group has nothing in
    sums to 0. The sums are integers on every backend (PostgreSQL's are numeric otherwise).
    """
    sums = []
    for band in range(len(bounds) + 1):
        inside = []
        if band < len(bounds):
            inside.append(dated >= bounds[band])
        if band > 0:
            inside.append(dated < bounds[band - 1])
        total = func.sum(case((and_(*inside), units), else_=0)) if inside else func.sum(units)
        sums.append(cast(total, BigInteger))
    return sums
