"""The migrations build exactly the tables of ``arcore.store.schema``, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from arcore.store import SqlStore, current_revision, head_revision, open_store
from arcore.store.schema import metadata


def test_migrations_match_the_schema(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
    assert current_revision(store.engine) == head_revision()


def test_every_table_starts_its_key_with_the_company(store: SqlStore) -> None:
    inspector = inspect(store.engine)
    for table in metadata.sorted_tables:
        key = inspector.get_pk_constraint(table.name)["constrained_columns"]
        assert key[0] == "company_id", table.name


def test_opening_twice_migrates_once(store_url: str) -> None:
    with open_store(store_url) as first:
        revision = current_revision(first.engine)
    with open_store(store_url) as second:
        assert current_revision(second.engine) == revision == head_revision()
