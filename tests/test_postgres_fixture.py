"""The throwaway PostgreSQL cluster of tests/postgres.py is real, isolated and local."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from postgres import (
    SERVER_ACCOUNT,
    SUPERUSER,
    PostgresCluster,
    PostgresClusterError,
    PostgresDatabase,
    pg_dump_path,
    pg_restore_path,
    postgres_binaries,
    require_postgres,
)

try:
    import psycopg
except ImportError:  # pragma: no cover - the 'postgres' extra is not installed
    if os.environ.get("CI"):
        raise
    pytest.skip("psycopg is not installed (arcore[postgres])", allow_module_level=True)


def _scalar(dsn: str, query: str) -> object:
    with psycopg.connect(dsn) as connection:
        row = connection.execute(query.encode()).fetchone()
    assert row is not None
    return row[0]


def test_the_server_answers_with_its_version(postgres_database: PostgresDatabase) -> None:
    version = _scalar(postgres_database.dsn, "SELECT version()")
    assert isinstance(version, str)
    assert version.startswith("PostgreSQL ")
    reported = subprocess.run(
        ["postgres", "--version"], capture_output=True, text=True, check=True
    ).stdout
    major = re.search(r"(\d+)\.", reported)
    assert major is not None
    assert version.startswith(f"PostgreSQL {major.group(1)}.")


def test_a_table_round_trips_through_psycopg(postgres_database: PostgresDatabase) -> None:
    with psycopg.connect(postgres_database.dsn) as connection:
        connection.execute("CREATE TABLE invoice (number text PRIMARY KEY, cents bigint)")
        connection.execute(
            "INSERT INTO invoice VALUES (%s, %s), (%s, %s)", ("INV-1", 12345, "INV-2", -1)
        )
    with psycopg.connect(postgres_database.dsn) as connection:
        rows = connection.execute("SELECT number, cents FROM invoice ORDER BY number").fetchall()
    assert rows == [("INV-1", 12345), ("INV-2", -1)]


def test_the_url_works_with_sqlalchemy_core(
    postgres_url: str, postgres_cluster: PostgresCluster
) -> None:
    import sqlalchemy as sa

    assert re.fullmatch(
        rf"postgresql\+psycopg://arcore@127\.0\.0\.1:{postgres_cluster.port}/\w+", postgres_url
    )
    metadata = sa.MetaData()
    invoice = sa.Table(
        "invoice",
        metadata,
        sa.Column("number", sa.String, primary_key=True),
        sa.Column("amount", sa.Numeric(18, 2)),
    )
    engine = sa.create_engine(postgres_url)
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        with engine.begin() as connection:
            metadata.create_all(connection)
            connection.execute(sa.insert(invoice), [{"number": "INV-1", "amount": "10.05"}])
        with engine.connect() as connection:
            amount = connection.execute(sa.select(invoice.c.amount)).scalar_one()
    finally:
        engine.dispose()
    assert str(amount) == "10.05"


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_gets_a_fresh_empty_database(
    postgres_database: PostgresDatabase, postgres_cluster: PostgresCluster, attempt: int
) -> None:
    assert postgres_database.url == postgres_cluster.url_for(postgres_database.name)
    tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    assert _scalar(postgres_database.dsn, tables) == 0
    # Would fail with DuplicateTable on the second attempt if the database were shared.
    with psycopg.connect(postgres_database.dsn) as connection:
        connection.execute("CREATE TABLE leftover (id int)")


def test_two_databases_are_isolated(
    postgres_database: PostgresDatabase, postgres_cluster: PostgresCluster
) -> None:
    other_name = f"other_{uuid.uuid4().hex[:12]}"
    other_url = postgres_cluster.create_database(other_name)
    try:
        other = postgres_cluster.database(other_name)
        assert other.url == other_url != postgres_database.url
        with psycopg.connect(postgres_database.dsn) as connection:
            connection.execute("CREATE TABLE ledger (id int)")
            connection.execute("INSERT INTO ledger VALUES (1)")
        with psycopg.connect(other.dsn, autocommit=True) as connection:
            connection.execute("CREATE TABLE ledger (id int)")  # no clash
            assert connection.execute("SELECT count(*) FROM ledger").fetchone() == (0,)
            # Still open: drop_database() must end it (WITH (FORCE)) rather than wait.
            postgres_cluster.drop_database(other_name)
            with pytest.raises(psycopg.OperationalError):
                connection.execute("SELECT 1")
    finally:
        postgres_cluster.drop_database(other_name)
    present = "SELECT count(*) FROM pg_database WHERE datname = %s"
    with psycopg.connect(postgres_cluster.dsn) as connection:
        assert connection.execute(present, (other_name,)).fetchone() == (0,)
        assert connection.execute(present, (postgres_database.name,)).fetchone() == (1,)


def test_the_server_listens_on_loopback_only(
    postgres_database: PostgresDatabase, postgres_cluster: PostgresCluster
) -> None:
    assert _scalar(postgres_database.dsn, "SHOW listen_addresses") == "127.0.0.1"
    assert _scalar(postgres_database.dsn, "SHOW port") == str(postgres_cluster.port)
    assert str(_scalar(postgres_database.dsn, "SELECT inet_server_addr()")) == "127.0.0.1"


def test_durability_is_off_for_speed(postgres_database: PostgresDatabase) -> None:
    for setting in ("fsync", "synchronous_commit", "full_page_writes"):
        assert _scalar(postgres_database.dsn, f"SHOW {setting}") == "off"


def test_the_server_runs_unprivileged_in_a_private_directory(
    postgres_cluster: PostgresCluster,
) -> None:
    assert _scalar(postgres_cluster.dsn, "SELECT current_user") == SUPERUSER
    owner = postgres_cluster.data_dir.stat().st_uid
    if os.geteuid() == 0:
        assert owner == pwd.getpwnam(SERVER_ACCOUNT).pw_uid != 0
    else:
        assert owner == os.geteuid()
    assert str(_scalar(postgres_cluster.dsn, "SHOW data_directory")) == str(
        postgres_cluster.data_dir
    )
    assert postgres_cluster.log_file.is_file()


def test_binaries_are_found_here(postgres_cluster: PostgresCluster) -> None:
    assert postgres_binaries() is None
    for path in (pg_dump_path(), pg_restore_path()):
        assert path is not None
        assert Path(path).name in {"pg_dump", "pg_restore"}


def test_missing_binaries_skip_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CI", raising=False)
    reason = postgres_binaries()
    assert reason is not None
    assert reason.startswith("PostgreSQL server binaries (initdb, pg_ctl, postgres) are absent")
    with pytest.raises(pytest.skip.Exception, match="are absent"):
        require_postgres()


def test_missing_binaries_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set, so PostgreSQL tests must run"):
        require_postgres()


def test_a_failed_start_reports_the_log_and_cleans_up() -> None:
    require_postgres()
    before = set(Path(tempfile.gettempdir()).glob("arcore-pg-*"))
    cluster = PostgresCluster(settings={"shared_buffers": "not-a-size"})
    with pytest.raises(PostgresClusterError) as failure:
        cluster.start()
    message = str(failure.value)
    assert "could not start PostgreSQL" in message
    assert "shared_buffers" in message  # from the server log's tail
    assert cluster.base_dir is None
    assert not cluster.running
    assert set(Path(tempfile.gettempdir()).glob("arcore-pg-*")) <= before
