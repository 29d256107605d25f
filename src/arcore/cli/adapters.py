"""``arcore adapters``: the installed accounting-system adapters and what each can do."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from arcore.adapter import AdapterInfo
from arcore.cli import app, stdout
from arcore.plugins import KNOWN_ADAPTER_EXTRAS, plugin_manager


def _describe(info: AdapterInfo) -> dict[str, Any]:
    capabilities = info.capabilities
    return {
        "name": info.name,
        "title": info.title,
        "version": info.version,
        "available": True,
        "capabilities": {
            "reads": sorted(capabilities.reads),
            "writes": sorted(capabilities.writes),
            "incremental": capabilities.incremental,
            "webhooks": capabilities.webhooks,
            "rate_limits": [limit.model_dump() for limit in capabilities.rate_limits],
            "max_concurrency": capabilities.max_concurrency,
            "page_size": capabilities.page_size,
        },
    }


@app.command()
def adapters(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the installed adapters with their version and capabilities."""
    plugins = plugin_manager()
    rows = [_describe(info) for info in plugins.adapters().values()]
    for name, reason in sorted(plugins.unavailable.items()):
        extra = KNOWN_ADAPTER_EXTRAS.get(name)
        install = f"pip install 'arcore[{extra}]'" if extra else None
        rows.append({"name": name, "available": False, "error": reason, "install": install})
    if as_json:
        stdout.print_json(json.dumps(rows))
        return
    if not rows:
        stdout.print(
            "No adapters installed. Install one, e.g. [bold]pip install 'arcore\\[quickbooks]'[/]."
        )
        return
    table = Table(title="Installed adapters")
    for column in ("Name", "System", "Version", "Reads", "Writes", "Incremental", "Webhooks"):
        table.add_column(column)
    for row in rows:
        if not row["available"]:
            hint = escape(row["install"] or row["error"])
            table.add_row(row["name"], "[red]unavailable[/]", "", f"[red]{hint}[/]", "", "", "")
            continue
        caps = row["capabilities"]
        table.add_row(
            row["name"],
            row["title"],
            row["version"],
            ", ".join(caps["reads"]),
            ", ".join(caps["writes"]),
            caps["incremental"],
            "yes" if caps["webhooks"] else "no",
        )
    stdout.print(table)
