"""``arcore sync``: bring the books in step with an accounting system, both ways.

The adapter is found among the installed plugins. An application embedding arcore (or a
test) may pass its own [`Plugins`][arcore.plugins.Plugins] as the click context object
(``app(obj=plugins)``, ``CliRunner().invoke(app, args, obj=plugins)``); otherwise the
installed ones are loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, get_args

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from arcore.adapter import Connection, Entity
from arcore.cli import app, stderr, stdout
from arcore.cli.store import StoreUrl
from arcore.errors import ArcoreError, ConfigurationError, ValidationError
from arcore.plugins import Plugins, plugin_manager
from arcore.store import DEFAULT_URL, open_store
from arcore.sync import (
    ConflictPolicy,
    SyncEngine,
    SyncPlan,
    SyncReport,
    SystemClock,
    token_store_for,
)
from arcore.sync.config import ConnectionSettings, load_connection_settings
from arcore.sync.report import Direction


def _plugins(ctx: typer.Context) -> Plugins:
    found = ctx.obj
    return found if isinstance(found, Plugins) else plugin_manager()


@app.command()
def sync(
    ctx: typer.Context,
    system: Annotated[str, typer.Argument(help="The adapter's name (see arcore adapters).")],
    url: StoreUrl = DEFAULT_URL,
    company: Annotated[
        str, typer.Option("--company", envvar="ARCORE_COMPANY", help="Whose books.")
    ] = "default",
    pull_only: Annotated[
        bool, typer.Option("--pull", help="Only bring the vendor's changes in.")
    ] = False,
    push_only: Annotated[
        bool, typer.Option("--push", help="Only send the core's changes.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Pull everything again, ignoring the cursors.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing anywhere.")
    ] = False,
    tenant: Annotated[
        str | None,
        typer.Option("--tenant", metavar="ID", help="The vendor's company (QuickBooks realm)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="ARCORE_SYNC_CONFIG",
            metavar="FILE",
            dir_okay=False,
            help="TOML file with a [SYSTEM] table of settings (secrets may come from "
            "ARCORE_<SYSTEM>_<KEY> variables instead).",
        ),
    ] = None,
    conflicts: Annotated[
        str,
        typer.Option(
            "--conflicts",
            metavar="POLICY",
            help="When an object changed on both sides: hold, vendor_wins or core_wins.",
        ),
    ] = "hold",
) -> None:
    """Synchronise the books with an accounting system: pull, then push.

    Exits with status 1 when an object failed; held conflicts are listed, not failures.
    """
    if pull_only and push_only:
        raise ValidationError(
            "--pull and --push exclude each other",
            hint="Give neither to pull and then push",
            field="--push",
        )
    if conflicts not in get_args(ConflictPolicy):
        raise ValidationError(
            f"{conflicts!r} is not a conflict policy",
            hint="Use hold, vendor_wins or core_wins",
            field="--conflicts",
            value=conflicts,
        )
    policy: ConflictPolicy = conflicts  # type: ignore[assignment]
    plugins = _plugins(ctx)
    info = plugins.adapter(system)
    connection = load_connection_settings(system, config=config, tenant=tenant)
    clock = SystemClock()
    try:
        with open_store(url) as store:
            token_store = token_store_for(plugins, store, company, system, connection.tenant)
            adapter = info.factory(
                Connection(
                    system=system,
                    tenant=connection.tenant,
                    settings=connection.settings,
                    secrets=connection.secrets,
                    token_store=token_store,
                    company_id=company,
                    clock=clock.now,
                )
            )
            with _progress_bars() as bars:
                engine = SyncEngine(
                    store,
                    company,
                    adapter,
                    system=system,
                    clock=clock,
                    policy=policy,
                    progress=bars.update,
                )
                if dry_run:
                    plan = engine.plan(pull=not push_only, push=not pull_only, full=full)
                else:
                    report = engine.run(pull=not push_only, push=not pull_only, full=full)
    except ArcoreError as exc:
        raise ConfigurationError(_scrubbed(str(exc), connection)) from None
    if dry_run:
        _print_plan(plan)
        return
    _print_report(report, connection)
    if report.failures:
        raise typer.Exit(1)


def _scrubbed(text: str, connection: ConnectionSettings) -> str:
    return connection.scrub(text)


class _Bars:
    """One progress bar per direction and entity, fed by the engine's progress callback."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[tuple[str, str], TaskID] = {}

    def update(self, direction: Direction, entity: Entity, done: int, total: int | None) -> None:
        key = (direction, entity)
        if key not in self.tasks:
            label = f"{direction} {entity.replace('_', ' ')}s"
            self.tasks[key] = self.progress.add_task(label, total=total)
        self.progress.update(self.tasks[key], completed=done, total=total)


@contextmanager
def _progress_bars() -> Iterator[_Bars]:
    """Progress bars on standard error, gone when the sync ends (the report stays)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=stderr, transient=True) as progress:
        yield _Bars(progress)


def _print_report(report: SyncReport, connection: ConnectionSettings) -> None:
    table = Table(title=f"Sync of {escape(report.company_id)} with {escape(report.system)}")
    for column in ("Direction", "Entity", "Created", "Updated", "Deleted", "Unchanged"):
        table.add_column(column, justify="right" if column[0] in "CUD" else "left")
    table.add_column("Conflicts", justify="right")
    table.add_column("Failures", justify="right")
    for direction, entity, counts in report.rows():
        table.add_row(
            direction,
            entity.replace("_", " "),
            str(counts.created),
            str(counts.updated),
            str(counts.deleted),
            str(counts.unchanged),
            str(counts.conflicts),
            f"[red]{counts.failures}[/]" if counts.failures else "0",
        )
    stdout.print(table)
    for title, problems in (("Held for review", report.conflicts), ("Failed", report.failures)):
        if not problems:
            continue
        listing = Table(title=title)
        for column in ("Direction", "Entity", "Vendor id", "arcore id", "Reason"):
            listing.add_column(column, overflow="fold")
        for problem in problems:
            listing.add_row(
                problem.direction,
                problem.entity,
                escape(problem.external_id or ""),
                escape(problem.core_id or ""),
                escape(connection.scrub(problem.reason)),
            )
        stdout.print(listing)
    stdout.print(f"{report.requests} requests to {escape(report.system)}.")


def _print_plan(plan: SyncPlan) -> None:
    table = Table(title=f"Dry run: {escape(plan.company_id)} with {escape(plan.system)}")
    for column in ("Direction", "Entity", "Action", "Objects"):
        table.add_column(column)
    for (direction, entity, action), count in plan.counts().items():
        table.add_row(direction, entity.replace("_", " "), action, str(count))
    stdout.print(table if plan.changes else "Nothing to do: the books and the vendor agree.")
    for change in plan.changes:
        ids = " / ".join(escape(part) for part in (change.core_id, change.external_id) if part)
        stdout.print(f"  {change.direction} {change.action} {change.entity} {ids}", soft_wrap=True)
    stdout.print("Nothing was written (dry run).")
