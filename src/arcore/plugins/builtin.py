"""arcore's own plugins, registered through the same hooks a third-party plugin uses."""

from __future__ import annotations

from arcore import banking
from arcore.calendars import BusinessCalendar, calendar_from_spec
from arcore.cashapp.strategies import BUILTIN_STRATEGIES
from arcore.credit.scoring import csv_score_provider
from arcore.plugins.hookspecs import Register, hookimpl

__all__ = [
    "arcore_business_calendar",
    "arcore_register_credit_score_providers",
    "arcore_register_matching_strategies",
    "arcore_register_notification_channels",
    "arcore_register_statement_parsers",
]


@hookimpl
def arcore_business_calendar(spec: str) -> BusinessCalendar | None:
    """Weekends, or a country's public holidays (the ``holidays`` package) plus weekends."""
    return calendar_from_spec(spec)


@hookimpl
def arcore_register_statement_parsers(register: Register) -> None:
    """camt.053 (and 052/054), BAI2, MT940/MT942, OFX and CSV: see ``arcore.banking``."""
    for name, parser in banking.FORMATS.items():
        register(name, parser)


@hookimpl
def arcore_register_matching_strategies(register: Register) -> None:
    """Remittance, numbers in text, identification, exact, discounted, subset, tolerance."""
    for strategy in BUILTIN_STRATEGIES:
        register(strategy.name, strategy)


@hookimpl
def arcore_register_credit_score_providers(register: Register) -> None:
    """``csv``: scores from a CSV file (``arcore.credit.scoring.csv_score_provider(path)``)."""
    register("csv", csv_score_provider)


@hookimpl
def arcore_register_notification_channels(register: Register) -> None:
    """Email (SMTP), letter (PDF to an outbox folder) and phone (a call task); no SMS sender."""
    from arcore.collections.channels import builtin_factories

    for name, factory in builtin_factories():
        register(name, factory)
