"""Schema migrations (Alembic): every store is brought to the newest schema when opened."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

__all__ = ["current_revision", "head_revision", "upgrade"]

_SCRIPTS = Path(__file__).with_name("migrations")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    """The newest schema revision this version of arcore knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None  # the migrations folder ships with at least one revision
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database behind ``engine`` (``None`` when empty)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database behind ``engine`` to the newest schema, in one transaction."""
    config = _config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes opening a new database at once: the second waits, then finds
            # the schema current.
            connection.execute(text("SELECT pg_advisory_xact_lock(7301)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
