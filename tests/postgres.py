"""A throwaway PostgreSQL cluster for the test suite, and the pytest fixtures that use it.

The store tests run on PostgreSQL as well as SQLite. Rather than needing a server set up
beforehand, the suite starts its own: ``initdb`` into a fresh temporary directory, then
``pg_ctl start`` on a free port of 127.0.0.1, using the server binaries found on ``PATH``
(``initdb``, ``pg_ctl``, ``postgres``). The cluster lives for one pytest session and is
stopped (``pg_ctl -m fast stop``) and deleted at the end, even when tests fail.

* As root (CI's machines), ``initdb`` and ``pg_ctl`` refuse to run, so they run as the
  unprivileged ``postgres`` user (``subprocess`` drops to its uid/gid, as ``runuser``
  would) in a temporary directory that user owns. As any other user they run as that user.
* Authentication is ``trust`` for the superuser ``arcore``; the server listens on 127.0.0.1
  only, with its Unix socket in the temporary directory. Nothing else touches the network.
* ``fsync``, ``synchronous_commit`` and ``full_page_writes`` are off: the data is thrown
  away anyway, and tests run faster.

Rule for missing binaries: with ``CI`` unset, tests that need the cluster are skipped with
a reason saying what is missing; with ``CI`` set they fail instead, never skip.

Use it as a plugin: ``pytest_plugins = ["postgres"]`` in ``tests/conftest.py`` exposes

* ``postgres_cluster`` (session): the running :class:`PostgresCluster`;
* ``postgres_database`` (function): a fresh, empty :class:`PostgresDatabase` for the test,
  dropped afterwards (``DROP DATABASE ... WITH (FORCE)``, so leftover connections from
  an undisposed engine don't block it);
* ``postgres_url`` (function): that database's SQLAlchemy URL,
  ``postgresql+psycopg://arcore@127.0.0.1:PORT/NAME``.

``pg_dump_path()`` and ``pg_restore_path()`` locate the client tools for backup tests.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any, LiteralString

import pytest

__all__ = [
    "SERVER_BINARIES",
    "SUPERUSER",
    "PostgresCluster",
    "PostgresClusterError",
    "PostgresDatabase",
    "pg_dump_path",
    "pg_restore_path",
    "postgres_binaries",
    "postgres_cluster",
    "postgres_database",
    "postgres_url",
    "require_postgres",
]

#: The server programs the cluster needs on ``PATH``.
SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
#: The superuser ``initdb`` creates (``-U``); it also owns the ``arcore`` database.
SUPERUSER = "arcore"
#: The account the server runs as when the tests run as root.
SERVER_ACCOUNT = "postgres"

_HOST = "127.0.0.1"
_DATABASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_START_ATTEMPTS = 3  # a new port each time, in case another process took the free one
_LOG_TAIL_LINES = 40


class PostgresClusterError(RuntimeError):
    """The throwaway cluster could not be created, started or used."""


def postgres_binaries() -> str | None:
    """Why a throwaway cluster cannot be started here, or ``None`` when it can.

    Checks that ``initdb``, ``pg_ctl`` and ``postgres`` are on ``PATH``, that psycopg is
    installed (it creates the databases), and, when running as root, that there is a
    ``postgres`` account to run the server as.
    """
    missing = [name for name in SERVER_BINARIES if shutil.which(name) is None]
    if missing:
        return (
            f"PostgreSQL server binaries ({', '.join(SERVER_BINARIES)}) are absent: "
            f"{', '.join(missing)} not found on PATH"
        )
    if find_spec("psycopg") is None:
        return "psycopg is not installed: install the 'postgres' extra (arcore[postgres])"
    if _running_as_root():
        try:
            pwd.getpwnam(SERVER_ACCOUNT)
        except KeyError:
            return (
                f"running as root, and initdb refuses root, but there is no "
                f"{SERVER_ACCOUNT!r} user to run the PostgreSQL server as"
            )
    return None


def require_postgres() -> None:
    """Skip the calling test when no cluster can be started, or fail when ``CI`` is set."""
    reason = postgres_binaries()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set, so PostgreSQL tests must run, not skip: {reason}", pytrace=False)
    pytest.skip(reason)


def pg_dump_path() -> str | None:
    """Where ``pg_dump`` is on ``PATH``, or ``None``."""
    return shutil.which("pg_dump")


def pg_restore_path() -> str | None:
    """Where ``pg_restore`` is on ``PATH``, or ``None``."""
    return shutil.which("pg_restore")


@dataclasses.dataclass(frozen=True)
class PostgresDatabase:
    """One database of the cluster, with the two ways of connecting to it."""

    name: str
    #: SQLAlchemy URL: ``postgresql+psycopg://arcore@127.0.0.1:PORT/NAME``.
    url: str
    #: libpq connection string for ``psycopg.connect()``.
    dsn: str


@dataclasses.dataclass
class PostgresCluster:
    """A PostgreSQL cluster in a temporary directory, for one test session.

    ``start()`` runs ``initdb`` and ``pg_ctl start`` and creates the ``arcore`` database;
    ``stop()`` stops the server and deletes the directory. Both are safe to call twice,
    and the instance is a context manager.
    """

    #: Extra ``-c name=value`` server settings, for tests of this module.
    settings: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Seconds ``pg_ctl`` waits for the server to start or stop.
    timeout: int = 60

    port: int = dataclasses.field(default=0, init=False)
    base_dir: Path | None = dataclasses.field(default=None, init=False)
    _owner_pid: int = dataclasses.field(default=0, init=False, repr=False)

    # -- paths and addresses ---------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (``PGDATA``)."""
        return self._base() / "data"

    @property
    def log_file(self) -> Path:
        """The server log (``pg_ctl -l``)."""
        return self._base() / "server.log"

    @property
    def socket_dir(self) -> Path:
        """Where the server puts its Unix socket (tests connect over TCP)."""
        return self._base() / "socket"

    @property
    def running(self) -> bool:
        """Whether ``start()`` succeeded and ``stop()`` has not been called since."""
        return self._owner_pid != 0

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``arcore`` database."""
        return self.url_for(SUPERUSER)

    @property
    def dsn(self) -> str:
        """psycopg (libpq) connection string of the ``arcore`` database."""
        return self.dsn_for(SUPERUSER)

    def url_for(self, database: str) -> str:
        """SQLAlchemy URL of one database of this cluster."""
        return f"postgresql+psycopg://{SUPERUSER}@{_HOST}:{self._port()}/{database}"

    def dsn_for(self, database: str) -> str:
        """psycopg (libpq) connection string of one database of this cluster."""
        return (
            f"host={_HOST} port={self._port()} user={SUPERUSER} dbname={database} "
            "sslmode=disable connect_timeout=10"
        )

    # -- databases -------------------------------------------------------------------

    def create_database(self, name: str) -> str:
        """Create an empty database owned by ``arcore`` and return its SQLAlchemy URL."""
        self._admin("CREATE DATABASE {}", name)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connections still open to it."""
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def database(self, name: str) -> PostgresDatabase:
        """The names to connect to an existing database with."""
        return PostgresDatabase(name=name, url=self.url_for(name), dsn=self.dsn_for(name))

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> PostgresCluster:
        """Create the cluster and start the server; on failure, clean up and raise."""
        if self.running:
            return self
        reason = postgres_binaries()
        if reason is not None:
            raise PostgresClusterError(reason)
        self._owner_pid = os.getpid()
        atexit.register(self.stop)  # a safety net; the fixture stops it first
        try:
            self.base_dir = _make_base_dir()
            self.socket_dir.mkdir()
            _give_to_server_account(self.base_dir, self.socket_dir)
            self._initdb()
            self._start_server()
            self.create_database(SUPERUSER)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        if self._owner_pid != os.getpid():  # not started, already stopped, or a fork
            return
        atexit.unregister(self.stop)
        try:
            if self.base_dir is not None and (self.data_dir / "postmaster.pid").exists():
                self._stop_server()
        finally:
            self._owner_pid = 0
            if self.base_dir is not None:
                shutil.rmtree(self.base_dir, ignore_errors=True)
                self.base_dir = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last lines of the server log, for error messages."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except (OSError, PostgresClusterError):
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"

    # -- internals -------------------------------------------------------------------

    def _base(self) -> Path:
        if self.base_dir is None:
            raise PostgresClusterError("the cluster has not been started")
        return self.base_dir

    def _port(self) -> int:
        if not self.port:
            raise PostgresClusterError("the cluster has not been started")
        return self.port

    def _initdb(self) -> None:
        result = _run_as_server(
            [
                _which("initdb"),
                "-D", str(self.data_dir),
                "-A", "trust",
                "-U", SUPERUSER,
                "-E", "UTF8",
                "--locale=C",
                "--no-sync",  # throwaway: don't wait for the disk
            ],
            cwd=self._base(),
            timeout=self.timeout * 2,
        )  # fmt: skip
        if result.returncode != 0:
            raise PostgresClusterError(
                f"initdb failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def _server_options(self) -> str:
        settings = {
            "listen_addresses": _HOST,
            "port": str(self.port),
            "unix_socket_directories": str(self.socket_dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            **self.settings,
        }
        # pg_ctl hands -o to /bin/sh, so quote each value for the shell.
        return " ".join(f"-c {shlex.quote(f'{name}={value}')}" for name, value in settings.items())

    def _start_server(self) -> None:
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port = _free_port()
            result = _run_as_server(
                [
                    _which("pg_ctl"),
                    "-D", str(self.data_dir),
                    "-l", str(self.log_file),
                    "-p", _which("postgres"),
                    "-o", self._server_options(),
                    "-w", "-t", str(self.timeout),
                    "start",
                ],
                cwd=self._base(),
                timeout=self.timeout + 30,
            )  # fmt: skip
            if result.returncode == 0:
                return
            log = self.log_tail()
            if attempt < _START_ATTEMPTS and "could not bind" in log:
                continue  # somebody took the port between _free_port() and the bind
            raise PostgresClusterError(
                f"pg_ctl could not start PostgreSQL on {_HOST}:{self.port} "
                f"(exit {result.returncode}):\n{result.stdout}{result.stderr}"
                f"--- last lines of {self.log_file} ---\n{log}"
            )

    def _stop_server(self) -> None:
        def pg_ctl_stop(mode: str) -> bool:
            command = [_which("pg_ctl"), "-D", str(self.data_dir), "-m", mode]
            command += ["-w", "-t", str(self.timeout), "stop"]
            try:
                result = _run_as_server(command, cwd=self._base(), timeout=self.timeout + 30)
            except subprocess.TimeoutExpired:
                return False
            return result.returncode == 0

        if pg_ctl_stop("fast") or pg_ctl_stop("immediate"):
            return
        # Last resort: kill the postmaster; its children exit when it dies.
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid_file = self.data_dir / "postmaster.pid"
            os.kill(int(pid_file.read_text().splitlines()[0]), signal.SIGKILL)

    def _admin(self, template: LiteralString, name: str) -> None:
        """Run one statement about database ``name``, connected to ``postgres``."""
        import psycopg
        from psycopg import sql

        query = sql.SQL(template).format(sql.Identifier(_checked_name(name)))
        with psycopg.connect(self.dsn_for("postgres"), autocommit=True) as connection:
            connection.execute(query)


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A running throwaway cluster, started once per session and always stopped."""
    require_postgres()
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_database(postgres_cluster: PostgresCluster) -> Iterator[PostgresDatabase]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    postgres_cluster.create_database(name)
    try:
        yield postgres_cluster.database(name)
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture
def postgres_url(postgres_database: PostgresDatabase) -> str:
    """SQLAlchemy URL of a fresh database for one test (``postgresql+psycopg://...``)."""
    return postgres_database.url


# -- helpers -------------------------------------------------------------------------


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _which(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PostgresClusterError(f"{name} not found on PATH")
    return path


def _checked_name(name: str) -> str:
    """A database name that needs no quoting in SQL nor escaping in a URL."""
    if not _DATABASE_NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


def _free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _server_env() -> dict[str, str]:
    """The environment for initdb/pg_ctl: no PG* variables, C locale (English messages)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    env.pop("LANGUAGE", None)
    return env


def _run_as_server(
    command: list[str], *, cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a server program, as the ``postgres`` user when we are root."""
    kwargs: dict[str, Any] = {}
    if _running_as_root():
        account = pwd.getpwnam(SERVER_ACCOUNT)
        kwargs = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    return subprocess.run(
        command,
        cwd=cwd,
        env=_server_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


def _make_base_dir() -> Path:
    """A new temporary directory the server account can reach.

    The system temporary directory is used unless the server account cannot traverse it
    (say, a ``TMPDIR`` of mode 700 belonging to root), in which case ``/tmp`` is.
    """
    candidates = [Path(tempfile.gettempdir()), Path("/tmp")]
    for parent in candidates:
        if parent.is_dir() and _traversable_by_server(parent):
            return Path(tempfile.mkdtemp(prefix="arcore-pg-", dir=parent))
    raise PostgresClusterError(
        f"none of {', '.join(map(str, candidates))} can be traversed by the "
        f"{SERVER_ACCOUNT!r} user; set TMPDIR to a directory it can reach"
    )


def _traversable_by_server(directory: Path) -> bool:
    """Whether the account the server runs as can traverse ``directory`` and its parents."""
    if not _running_as_root():
        return os.access(directory, os.X_OK)
    account = pwd.getpwnam(SERVER_ACCOUNT)
    gids = {account.pw_gid} | {
        group.gr_gid for group in grp.getgrall() if SERVER_ACCOUNT in group.gr_mem
    }
    for path in [directory.resolve(), *directory.resolve().parents]:
        mode = path.stat()
        if mode.st_uid == account.pw_uid:
            bit = stat.S_IXUSR
        elif mode.st_gid in gids:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not mode.st_mode & bit:
            return False
    return True


def _give_to_server_account(*paths: Path) -> None:
    """When root, hand the cluster's directories to the server account."""
    if not _running_as_root():
        return
    account = pwd.getpwnam(SERVER_ACCOUNT)
    for path in paths:
        os.chown(path, account.pw_uid, account.pw_gid)
