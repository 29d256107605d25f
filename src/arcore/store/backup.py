"""Back a store up to one file, and restore a store from one.

[`backup`][arcore.store.backup.backup] copies a consistent snapshot of the store while other
commands keep working; [`restore`][arcore.store.backup.restore] replaces everything in a store
with a backup's contents, in one step that either completes or leaves the store untouched.

* **SQLite**: SQLite's online backup API (``sqlite3.Connection.backup``) copies the live
  database file page by page inside one read transaction, so writers carry on under WAL and
  the copy is exactly the database at one moment. The backup is itself a SQLite database
  (in rollback-journal mode, a single self-contained file). Restoring copies it back with
  the same API into the store's file, in one write transaction.
* **PostgreSQL**: ``pg_dump --format=custom --no-owner`` writes the backup;
  ``pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error`` drops
  and recreates arcore's tables, triggers and function in one transaction. Both programs
  come with the PostgreSQL client tools, which must be of the server's major version or
  newer. A password in the URL reaches them through ``PGPASSWORD``, never the command line.

A backup is written to a temporary file next to the destination and renamed into place when
complete, so a crash never leaves a half-written file under the destination's name; it is
readable by its owner only, since it holds the company's books. Before anything is replaced,
[`restore`][arcore.store.backup.restore] checks that the file is a backup of an arcore store
whose schema this version of arcore knows; an older schema is brought up to date the next
time the store is opened.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from arcore.errors import ConfigurationError, ConflictError, NotFoundError, ValidationError
from arcore.store.migrate import _config, head_revision

__all__ = ["backup", "restore"]

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_PG_DUMP_MAGIC: Final = b"PGDMP"
_STDERR_LINES: Final = 5  # lines of a failed pg_dump/pg_restore's stderr put in the error
_URL_HINT: Final = "Give sqlite:///path/to/arcore.db or postgresql+psycopg://user@host/db"
_CLIENT_TOOLS_HINT: Final = (
    "Install the PostgreSQL client tools (pg_dump, pg_restore) of the server's major version "
    "(e.g. apt install postgresql-client-16) and make sure they are on PATH"
)
_SERVER_HINT: Final = (
    "Nothing was changed. Check that the server is reachable with this URL and that the "
    "client tools' major version is the server's or newer"
)


def backup(url: str, destination: Path, *, overwrite: bool = False) -> Path:
    """Write a backup of the store at ``url`` to ``destination`` and return its path.

    The store stays usable while the backup runs; the file holds the store as it was at one
    moment. SQLite stores are copied into a SQLite file, PostgreSQL stores into a
    ``pg_dump`` custom-format archive (see the module documentation).

    Args:
        url: The store, as given to [`open_store`][arcore.store.open_store].
        destination: The backup file to write. Its folder must exist.
        overwrite: Replace ``destination`` if it exists (otherwise that is an error).

    Raises:
        ConflictError: ``destination`` exists and ``overwrite`` is false, or it is the
            store's own database file.
        NotFoundError: the SQLite store's file does not exist.
        ConfigurationError: the URL is unusable, ``pg_dump`` is missing or failed, or the
            SQLite database cannot be read.
    """
    parsed = _parse(url)
    destination = Path(destination)
    if parsed.get_backend_name() == "sqlite":
        database = _sqlite_path(parsed, url)
        if not database.is_file():
            raise NotFoundError(
                f"there is no store at {database}",
                hint="Check the --db URL (ARCORE_DB); a SQLite store is a file",
                file=database,
            )
        if _same_file(database, destination):
            raise ConflictError(
                "the backup would overwrite the store itself",
                hint="Choose a destination other than the store's own file",
                file=destination,
            )
        _check_destination(destination, overwrite=overwrite)
        with _replaced_atomically(destination) as partial:
            _sqlite_backup(database, partial)
    else:
        _check_destination(destination, overwrite=overwrite)
        pg_dump = _client_tool("pg_dump")
        with _replaced_atomically(destination) as partial:
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-password",
                    f"--file={partial}",
                    f"--dbname={_libpq_url(parsed)}",
                ],
                parsed,
                doing=f"backing up {_shown(parsed)}",
            )
    return destination


def restore(source: Path, url: str) -> None:
    """Replace everything in the store at ``url`` with the contents of the backup ``source``.

    The store afterwards holds exactly the backup's rows, with its append-only triggers. The
    replacement happens in one transaction: if it fails, the store is left as it was. The
    store need not exist beforehand (a new SQLite file, or an empty PostgreSQL database).

    Args:
        source: A file written by [`backup`][arcore.store.backup.backup] from a store of the
            same backend.
        url: The store to replace, as given to [`open_store`][arcore.store.open_store].

    Raises:
        NotFoundError: ``source`` does not exist.
        ValidationError: ``source`` is not a backup of an arcore store of this backend, or
            its schema is newer than this version of arcore knows.
        ConflictError: ``source`` is the store's own database file.
        ConfigurationError: the URL is unusable, ``pg_restore`` is missing or failed, or the
            SQLite database cannot be written.
    """
    parsed = _parse(url)
    source = Path(source)
    if not source.is_file():
        raise NotFoundError(
            f"there is no backup file at {source}",
            hint="Give the file written by 'arcore backup'",
            file=source,
        )
    kind = _backup_kind(source)
    if parsed.get_backend_name() == "sqlite":
        database = _sqlite_path(parsed, url)
        _expect_kind(source, kind, "sqlite")
        if _same_file(database, source):
            raise ConflictError(
                "the backup file is the store's own database file",
                hint="Give the file written by 'arcore backup', not the store itself",
                file=source,
            )
        _check_revision(source, _sqlite_revision(source))
        _sqlite_restore(source, database)
        return
    _expect_kind(source, kind, "postgresql")
    pg_restore = _client_tool("pg_restore")
    _check_revision(source, _archive_revision(pg_restore, source, parsed))
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={_libpq_url(parsed)}",
            str(source),
        ],
        parsed,
        doing=f"restoring {source} into {_shown(parsed)}",
    )


# --- URLs -------------------------------------------------------------------------------------


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"{url!r} is not a database URL", hint=_URL_HINT, field="url", value=url
        ) from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            f"arcore stores its books in SQLite or PostgreSQL, not {parsed.get_backend_name()}",
            hint=_URL_HINT,
            field="url",
            value=_shown(parsed),
        )
    return parsed


def _shown(parsed: URL) -> str:
    return parsed.render_as_string(hide_password=True)


def _sqlite_path(parsed: URL, url: str) -> Path:
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ConfigurationError(
            "only a SQLite store in a file can be backed up or restored",
            hint="Give sqlite:///path/to/arcore.db",
            field="url",
            value=url,
        )
    return Path(database)


def _libpq_url(parsed: URL) -> str:
    """``postgresql://user@host:port/db?...`` for libpq, without the password."""
    # URL.set() ignores None, so it cannot remove the password; the namedtuple's _replace can.
    plain = parsed._replace(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


# --- files ------------------------------------------------------------------------------------


def _check_destination(destination: Path, *, overwrite: bool) -> None:
    if destination.is_dir():
        raise ConflictError(
            f"{destination} is a folder",
            hint="Give the path of the backup file to write, e.g. backups/arcore-2026-01-31",
            file=destination,
        )
    if destination.exists() and not overwrite:
        raise ConflictError(
            "the backup file already exists",
            hint="Choose another file, or pass --overwrite (overwrite=True) to replace it",
            file=destination,
        )
    if not destination.parent.is_dir():
        raise ConfigurationError(
            f"the folder of {destination} does not exist",
            hint="Create the folder first, or give another path",
            file=destination,
        )
    if Path(f"{destination}-wal").exists():
        # A live SQLite database: replacing its file under its write-ahead log corrupts it.
        raise ConflictError(
            "the file is a SQLite database in use (it has a -wal file next to it)",
            hint="Choose another file for the backup",
            file=destination,
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


@contextlib.contextmanager
def _replaced_atomically(destination: Path) -> Iterator[Path]:
    """A temporary file next to ``destination`` (mode 0600), renamed onto it on success."""
    handle, name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent
    )
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)


def _backup_kind(source: Path) -> str | None:
    """``sqlite`` or ``postgresql`` by the file's first bytes, or ``None``."""
    try:
        with source.open("rb") as file:
            head = file.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise ConfigurationError(
            f"the backup file cannot be read: {exc.strerror}",
            hint="Check the file's permissions",
            file=source,
        ) from exc
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(_PG_DUMP_MAGIC):
        return "postgresql"
    return None


def _expect_kind(source: Path, kind: str | None, backend: str) -> None:
    if kind == backend:
        return
    if kind is None:
        raise ValidationError(
            "the file is not an arcore backup (neither a SQLite database nor a pg_dump archive)",
            hint="Give the file written by 'arcore backup'",
            file=source,
        )
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    raise ValidationError(
        f"the file is a backup of a {names[kind]} store and cannot be restored into a "
        f"{names[backend]} store",
        hint=f"Restore it into a {names[kind]} store (--db), then copy the books across",
        file=source,
    )


def _check_revision(source: Path, revision: str | None) -> None:
    """Refuse a backup that is not an arcore store, or whose schema is newer than ours."""
    if revision is None:
        raise ValidationError(
            "the file is not a backup of an arcore store (it has no alembic_version table)",
            hint="Give the file written by 'arcore backup'",
            file=source,
        )
    known = {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}
    if revision not in known:
        raise ValidationError(
            f"the backup's schema (revision {revision!r}) is newer than this version of arcore "
            f"knows (up to {head_revision()!r})",
            hint="Upgrade arcore to the version that wrote the backup, then restore it",
            file=source,
            field="alembic_version",
            value=revision,
        )


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_error(action: str, path: Path, exc: sqlite3.Error) -> ConfigurationError:
    return ConfigurationError(
        f"{action} failed: {exc}",
        hint="Check that the file is readable and writable and not locked by another program",
        file=path,
    )


def _sqlite_backup(database: Path, partial: Path) -> None:
    try:
        with (
            contextlib.closing(sqlite3.connect(database, timeout=30)) as live,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)  # all pages in one step: one consistent snapshot
            # A single self-contained file: no -wal/-shm needed to open it elsewhere.
            copy.execute("PRAGMA journal_mode=DELETE").close()
    except sqlite3.Error as exc:
        raise _sqlite_error("backing up the store", database, exc) from exc


def _sqlite_revision(source: Path) -> str | None:
    try:
        with contextlib.closing(
            sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        ) as connection:
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            if found is None:
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        raise ValidationError(
            f"the file is not a readable SQLite database: {exc}",
            hint="Give the file written by 'arcore backup'",
            file=source,
        ) from exc
    return None if row is None else str(row[0])


def _sqlite_restore(source: Path, database: Path) -> None:
    if not database.parent.is_dir():
        raise ConfigurationError(
            f"the folder of {database} does not exist",
            hint="Create the folder first, or give another path",
            file=database,
        )
    try:
        with (
            contextlib.closing(
                sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            ) as backup_file,
            contextlib.closing(sqlite3.connect(database, timeout=30)) as store,
        ):
            backup_file.backup(store)  # one write transaction on the store
    except sqlite3.Error as exc:
        raise _sqlite_error("restoring the store", database, exc) from exc


# --- PostgreSQL -------------------------------------------------------------------------------


def _client_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigurationError(f"{name} was not found on PATH", hint=_CLIENT_TOOLS_HINT)
    return path


def _environment(parsed: URL) -> dict[str, str]:
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return env


def _run(command: list[str], parsed: URL, *, doing: str, hint: str = _SERVER_HINT) -> str:
    """Run a PostgreSQL client tool; its standard output, or an error with stderr's tail."""
    try:
        done = subprocess.run(
            command,
            env=_environment(parsed),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise ConfigurationError(
            f"{Path(command[0]).name} could not be run: {exc.strerror}", hint=_CLIENT_TOOLS_HINT
        ) from exc
    if done.returncode == 0:
        return done.stdout
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    tail = "\n  ".join(lines[-_STDERR_LINES:]) or "(no message)"
    if parsed.password:
        tail = tail.replace(str(parsed.password), "***")
    raise ConfigurationError(
        f"{Path(command[0]).name} failed while {doing} (exit {done.returncode}):\n  {tail}",
        hint=hint,
        field="url",
        value=_shown(parsed),
    )


def _archive_revision(pg_restore: str, source: Path, parsed: URL) -> str | None:
    """The ``alembic_version`` row inside a ``pg_dump`` archive, read without a server."""
    script = _run(
        [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(source)],
        parsed,
        doing=f"reading {source}",
        hint="Nothing was changed. Give the file written by 'arcore backup', undamaged",
    )
    lines = iter(script.splitlines())
    for line in lines:
        if line.startswith("COPY ") and "alembic_version" in line:
            first = next(lines, "\\.")
            return None if first == "\\." else first.split("\t")[0]
    return None
