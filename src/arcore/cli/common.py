"""Options and helpers shared by the commands that work on the books in a store.

The ``--db`` option is the one the report commands define
([`arcore.cli.reports`][arcore.cli.reports]); the rest (``--company``, ``--customer``,
``--by``, ``--json``, ``--as-of`` and the helpers to open the store, read a date or an amount
and print JSON) is here, for ``arcore dunning``/``worklist``/``promise``... and
``arcore credit``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from arcore.cli import stdout
from arcore.cli.reports import Url
from arcore.ledger import Ledger
from arcore.money import Money, to_decimal
from arcore.store import SqlStore, open_store

__all__ = [
    "DAY",
    "AsJson",
    "AsOf",
    "By",
    "Company",
    "CustomerId",
    "Url",
    "customer_money",
    "day_or_today",
    "now",
    "open_db",
    "print_json",
]

DAY: dict[str, Any] = {"formats": ["%Y-%m-%d"], "metavar": "YYYY-MM-DD"}
"""The typer settings of a date option (``YYYY-MM-DD``)."""

Company = Annotated[str, typer.Option("--company", envvar="ARCORE_COMPANY", help="Whose books.")]
"""``--company``: whose books."""
CustomerId = Annotated[str, typer.Option("--customer", metavar="ID", help="The customer's id.")]
"""``--customer ID``."""
By = Annotated[str, typer.Option("--by", help="Who does it (recorded).")]
"""``--by``: who does it."""
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
"""``--json``: print JSON for scripts."""
AsOf = Annotated[
    datetime | None, typer.Option("--as-of", help="The date (default: today, UTC).", **DAY)
]
"""``--as-of YYYY-MM-DD`` (today, UTC, when left out)."""


def open_db(url: str | None) -> SqlStore:
    """Open the store at ``--db`` (a usage error without one)."""
    if url is None:
        raise typer.BadParameter("give --db URL (or ARCORE_DB)")
    return open_store(url)


def now() -> datetime:
    """The current time, UTC (what commands record)."""
    return datetime.now(UTC)


def day_or_today(value: datetime | None) -> date:
    """The date of a date option, or today (UTC) when it was left out."""
    return now().date() if value is None else value.date()


def customer_money(store: SqlStore, company: str, customer_id: str, text: str, field: str) -> Money:
    """``text`` as an amount in the customer's currency.

    Raises:
        NotFoundError: no such customer.
        ValidationError: ``text`` is not a number (``field`` names the option).
    """
    currency = Ledger(store, company).customer(customer_id).currency
    return Money(to_decimal(text.strip(), field=field), currency)


def print_json(value: Any) -> None:
    """Print ``value`` as JSON (dates and amounts as strings)."""
    stdout.print_json(json.dumps(value, default=str))
