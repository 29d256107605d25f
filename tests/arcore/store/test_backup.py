"""Backups and restores of the store, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from arcore.cli import app
from arcore.documents import Customer
from arcore.errors import ConfigurationError, ConflictError, NotFoundError, ValidationError
from arcore.ledger.journal import EntryKind, JournalEntry, Posting
from arcore.ledger.repository import Books
from arcore.money import Money
from arcore.store import (
    SqlStore,
    create_store_engine,
    current_revision,
    head_revision,
    open_store,
)
from arcore.store.backup import backup, restore
from arcore.store.schema import metadata
from postgres import PostgresCluster

Contents = dict[str, list[tuple[Any, ...]]]


# --- helpers --------------------------------------------------------------------------------


def entry(company: str, number: int, customer: str, amount: str, currency: str) -> JournalEntry:
    return JournalEntry(
        company_id=company,
        id=f"JE-{number}",
        entry_date=date(2026, 1, 1 + number % 28),
        kind=EntryKind.INVOICE,
        actor="ana",
        reason=f"invoice {number} — “quoted”, it's fine",
        idempotency_key=f"k-{number}",
        postings=(
            Posting(
                account="1200",
                amount=Money(amount, currency),
                customer_id=customer,
                document_id=f"INV-{number}",
            ),
            Posting(account="4000", amount=-Money(amount, currency)),
        ),
    )


def populate(store: SqlStore, company: str, *, first: int, count: int) -> None:
    """Books (once), ``count`` customers and ``count`` entries numbered from ``first``."""
    with store.session(company) as session:
        if session.books() is None:
            session.insert_books(Books(company_id=company, name=f"{company.title()} Ltd"))
        for number in range(first, first + count):
            currency = "EUR" if number % 3 else "JPY"
            session.put_customer(
                Customer(
                    company_id=company,
                    id=f"c-{number}",
                    name=f"Kunde Nr. {number} — Zürich",
                    currency=currency,
                    parent_id="c-0" if number else None,
                )
            )
        session.insert_entries(
            [
                entry(company, number, f"c-{number}", "1234" if number % 3 == 0 else "12.34", cur)
                for number in range(first, first + count)
                for cur in ["JPY" if number % 3 == 0 else "EUR"]
            ]
        )
        session.insert_command(
            f"cmd-{first}",
            "post_invoice",
            "0" * 64,
            actor="ana",
            reason="seeded",
            recorded_at=datetime(2026, 1, 31, 12, 0, tzinfo=UTC),
            result='{"ok": true}',
        )


def populated(store: SqlStore) -> None:
    populate(store, "acme", first=0, count=5)
    populate(store, "globex", first=0, count=3)


def contents(url: str) -> Contents:
    """Every row of every arcore table, by primary key, and the schema revision."""
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            found: Contents = {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        table.select().order_by(*table.primary_key.columns)
                    )
                ]
                for table in metadata.sorted_tables
            }
        found["alembic_version"] = [(current_revision(engine),)]
        return found
    finally:
        engine.dispose()


def table_names(url: str) -> list[str]:
    engine = create_store_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def assert_append_only(url: str) -> None:
    engine = create_store_engine(url)
    try:
        for statement in (
            "UPDATE postings SET account = 'x'",
            "DELETE FROM postings",
            "UPDATE journal_entries SET actor = 'mallory'",
            "DELETE FROM journal_entries",
        ):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        if engine.dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text("TRUNCATE postings"))
    finally:
        engine.dispose()


@pytest.fixture
def fresh_url(store_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second, empty database on the same backend as ``store_url`` (nothing created yet)."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = f"restored_{uuid.uuid4().hex[:16]}"
    url = cluster.create_database(name)
    try:
        yield url
    finally:
        cluster.drop_database(name)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    """A migrated, empty SQLite store, for what only SQLite has (a file) or needs once."""
    with open_store(f"sqlite:///{tmp_path / 'arcore.db'}") as opened:
        yield opened


# --- round trips ----------------------------------------------------------------------------


def test_restore_into_an_empty_database_gives_back_every_row(
    store: SqlStore, store_url: str, fresh_url: str, tmp_path: Path
) -> None:
    populated(store)
    original = contents(store_url)
    assert len(original["postings"]) == 16
    assert len(original["companies"]) == 2

    written = backup(store_url, tmp_path / "books.backup")

    assert written == tmp_path / "books.backup"
    assert written.stat().st_size > 0
    assert written.stat().st_mode & 0o077 == 0  # the books are private
    assert not list(tmp_path.glob("*.partial"))
    restore(written, fresh_url)
    assert contents(fresh_url) == original
    assert_append_only(fresh_url)


def test_restore_over_a_changed_store_gives_back_the_backup_time_contents(
    store: SqlStore, store_url: str, tmp_path: Path
) -> None:
    populated(store)
    at_backup = contents(store_url)
    written = backup(store_url, tmp_path / "books.backup")
    populate(store, "acme", first=100, count=4)
    populate(store, "initech", first=0, count=2)
    with store.session("globex") as session:
        session.put_customer(
            Customer(company_id="globex", id="c-1", name="Renamed", currency="USD")
        )
    assert contents(store_url) != at_backup

    restore(written, store_url)

    assert contents(store_url) == at_backup
    assert_append_only(store_url)
    # The store's own engine keeps working on the restored tables.
    assert store.company_ids() == ["acme", "globex"]
    with store.session("acme") as session:
        assert session.entry("JE-100") is None
        assert session.entry("JE-4") == entry("acme", 4, "c-4", "12.34", "EUR")


def test_a_backup_taken_during_an_open_write_holds_only_committed_rows(
    store: SqlStore, store_url: str, fresh_url: str, tmp_path: Path
) -> None:
    populated(store)
    committed = contents(store_url)
    with store.session("acme") as session:
        session.insert_entries([entry("acme", 50, "c-1", "1.00", "EUR")])
        backup(store_url, tmp_path / "books.backup")  # another writer is mid-transaction
    restore(tmp_path / "books.backup", fresh_url)
    assert contents(fresh_url) == committed


def test_restoring_twice_is_the_same_as_restoring_once(
    store: SqlStore, store_url: str, tmp_path: Path
) -> None:
    populated(store)
    at_backup = contents(store_url)
    written = backup(store_url, tmp_path / "books.backup")
    restore(written, store_url)
    restore(written, store_url)
    assert contents(store_url) == at_backup


# --- refusals -------------------------------------------------------------------------------


def test_an_existing_destination_is_kept_unless_overwrite(
    store: SqlStore, store_url: str, tmp_path: Path
) -> None:
    populated(store)
    destination = tmp_path / "books.backup"
    destination.write_text("yesterday's backup")

    with pytest.raises(ConflictError, match="already exists") as raised:
        backup(store_url, destination)

    assert raised.value.file == str(destination)
    assert "--overwrite" in str(raised.value)
    assert destination.read_text() == "yesterday's backup"
    backup(store_url, destination, overwrite=True)
    assert destination.read_bytes() != b"yesterday's backup"
    assert not list(tmp_path.glob("*.partial"))


def test_a_live_sqlite_database_is_not_overwritten(sqlite_store: SqlStore, tmp_path: Path) -> None:
    url = sqlite_store.engine.url.render_as_string()
    other = tmp_path / "other.db"
    other.write_bytes(b"SQLite format 3\x00")
    Path(f"{other}-wal").write_bytes(b"recent commits")
    with pytest.raises(ConflictError, match="in use"):
        backup(url, other, overwrite=True)
    assert other.read_bytes() == b"SQLite format 3\x00"


def test_a_destination_in_a_missing_folder_is_refused(store: SqlStore, store_url: str) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        backup(store_url, Path("/nonexistent-folder/books.backup"))


@pytest.mark.parametrize(
    "content",
    [b"", b"name,amount\nacme,12.00\n", b"PGDMX not quite an archive"],
    ids=["empty", "csv", "garbage"],
)
def test_a_file_that_is_not_a_backup_is_refused(
    store: SqlStore, store_url: str, tmp_path: Path, content: bytes
) -> None:
    populated(store)
    before = contents(store_url)
    source = tmp_path / "not-a-backup"
    source.write_bytes(content)

    with pytest.raises(ValidationError, match="not an arcore backup") as raised:
        restore(source, store_url)

    assert raised.value.file == str(source)
    assert contents(store_url) == before


def test_a_sqlite_database_that_is_not_an_arcore_store_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "other.db"
    with closing(sqlite3.connect(source)) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
    target = tmp_path / "arcore.db"

    with pytest.raises(ValidationError, match="not a backup of an arcore store") as raised:
        restore(source, f"sqlite:///{target}")

    assert raised.value.file == str(source)
    assert not target.exists()


def test_a_backup_from_a_newer_arcore_is_refused(
    store: SqlStore, store_url: str, fresh_url: str, tmp_path: Path
) -> None:
    populated(store)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    source = backup(store_url, tmp_path / "future.backup")

    with pytest.raises(ValidationError, match="newer than this version of arcore") as raised:
        restore(source, fresh_url)

    assert raised.value.value == "9999_future"
    assert head_revision() in str(raised.value)
    assert table_names(fresh_url) == []


def test_a_backup_of_the_other_backend_is_refused(
    store: SqlStore, store_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "other.backup"
    if store.dialect == "sqlite":
        source.write_bytes(b"PGDMP\x01\x0e\x00")
        expected = "PostgreSQL store"
    else:
        with closing(sqlite3.connect(source)) as connection:
            connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
            connection.commit()
        expected = "SQLite store"
    with pytest.raises(ValidationError, match=f"backup of a {expected}"):
        restore(source, store_url)


def test_a_missing_backup_file_is_not_found(store_url: str, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no backup file"):
        restore(tmp_path / "missing.backup", store_url)


def test_a_missing_sqlite_store_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no store"):
        backup(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "books.backup")
    assert not (tmp_path / "missing.db").exists()


def test_the_store_cannot_back_up_onto_itself(sqlite_store: SqlStore, tmp_path: Path) -> None:
    url = sqlite_store.engine.url.render_as_string()
    database = Path(sqlite_store.engine.url.database or "")
    with pytest.raises(ConflictError, match="overwrite the store itself"):
        backup(url, database, overwrite=True)
    with pytest.raises(ConflictError, match="store's own database file"):
        restore(database, url)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://u@h/db", "::"])
def test_unusable_urls_are_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        backup(url, tmp_path / "books.backup")


@pytest.mark.parametrize("tool", ["pg_dump", "pg_restore"])
def test_missing_postgresql_client_tools_say_what_to_install(
    tool: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    url = "postgresql+psycopg://arcore:s3cret@127.0.0.1:1/arcore"
    source = tmp_path / "books.backup"
    source.write_bytes(b"PGDMP\x01\x0e\x00")

    def run() -> None:
        if tool == "pg_dump":
            backup(url, tmp_path / "new.backup")
        else:
            restore(source, url)

    with pytest.raises(ConfigurationError, match=f"{tool} was not found") as raised:
        run()

    assert "install the postgresql client tools (pg_dump, pg_restore)" in str(raised.value).lower()
    assert "s3cret" not in str(raised.value)
    assert not (tmp_path / "new.backup").exists()


def test_a_failed_pg_dump_shows_its_error_but_never_the_password(tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None:
        if os.environ.get("CI"):
            pytest.fail("pg_dump is not installed, and CI is set")
        pytest.skip("pg_dump is not installed")
    url = "postgresql+psycopg://arcore:s3cret@127.0.0.1:1/arcore"  # nothing listens on port 1

    with pytest.raises(ConfigurationError, match="pg_dump failed") as raised:
        backup(url, tmp_path / "books.backup")

    message = str(raised.value)
    assert "127.0.0.1" in message
    assert "s3cret" not in message
    assert not list(tmp_path.iterdir())  # no partial file left behind


def test_the_password_reaches_pg_dump_through_the_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(command: list[str], **kwargs: Any) -> Any:
        seen["command"] = command
        seen["env"] = kwargs["env"]
        Path(command[4].removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", fake_run)

    backup("postgresql+psycopg://clerk:p%40ss@db.example:6543/books", tmp_path / "b.backup")

    assert "--dbname=postgresql://clerk@db.example:6543/books" in seen["command"]
    assert not any("p@ss" in part or "p%40ss" in part for part in seen["command"])
    assert seen["env"]["PGPASSWORD"] == "p@ss"


# --- the command line -----------------------------------------------------------------------


def test_the_cli_backs_up_and_restores_a_sqlite_store(
    sqlite_store: SqlStore, tmp_path: Path
) -> None:
    store = sqlite_store
    store_url = store.engine.url.render_as_string()
    populated(store)
    at_backup = contents(store_url)
    file = tmp_path / "books.backup"
    runner = CliRunner()

    done = runner.invoke(app, ["backup", "--db", store_url, "--to", str(file)])
    assert done.exit_code == 0, done.output
    assert "Backed up" in done.output
    assert "kB" in done.output

    again = runner.invoke(app, ["backup", "--db", store_url, "--to", str(file)])
    assert isinstance(again.exception, ConflictError)

    populate(store, "acme", first=100, count=2)
    declined = runner.invoke(
        app, ["restore", "--from", str(file)], input="n\n", env={"ARCORE_DB": store_url}
    )
    assert declined.exit_code == 1  # aborted
    assert "Replace everything in" in declined.output
    assert contents(store_url) != at_backup

    done = runner.invoke(app, ["restore", "--db", store_url, "--from", str(file), "--yes"])
    assert done.exit_code == 0, done.output
    assert "Restored" in done.output
    assert contents(store_url) == at_backup
