"""Where the books live: SQLite (the embedded default) or PostgreSQL, one interface.

>>> import tempfile, pathlib
>>> folder = tempfile.mkdtemp()
>>> with open_store(f"sqlite:///{folder}/books.db") as store:
...     store.dialect
'sqlite'

[`open_store`][arcore.store.open_store] creates the database's tables (or migrates them to
the newest schema) and returns a [`SqlStore`][arcore.store.SqlStore]; the
[`Ledger`][arcore.ledger.Ledger] works through it. Only this package talks to a database.
"""

from __future__ import annotations

from arcore.store.migrate import current_revision, head_revision, upgrade
from arcore.store.sql import DEFAULT_URL, SqlSession, SqlStore, create_store_engine

__all__ = [
    "DEFAULT_URL",
    "SqlSession",
    "SqlStore",
    "create_store_engine",
    "current_revision",
    "head_revision",
    "open_store",
    "upgrade",
]


def open_store(url: str = DEFAULT_URL, *, migrate: bool = True) -> SqlStore:
    """Open the store at ``url`` (``sqlite:///path`` or a PostgreSQL URL).

    With ``migrate`` (the default) the schema is created or upgraded first.

    Raises:
        ConfigurationError: the URL is unusable (see
            [`create_store_engine`][arcore.store.create_store_engine]).
    """
    engine = create_store_engine(url)
    if migrate:
        upgrade(engine)
    return SqlStore(engine)
