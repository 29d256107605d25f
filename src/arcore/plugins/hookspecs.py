"""The extension points of arcore: every hook a plugin may implement.

A plugin is a module or object with functions marked ``@arcore.hookimpl`` whose names are the
hooks below. arcore finds plugins in the ``arcore.adapters`` and ``arcore.plugins`` entry-point
groups, registers its own built-in plugins the same way, and calls the hooks through
[`Plugins`][arcore.plugins.Plugins].

Most hooks use *registration by callback*: arcore calls the hook once when it first needs that
kind of extension, passing a ``register`` function; the plugin calls ``register`` once for each
thing it contributes. Names must be unique across all plugins; a clash is a
[`PluginError`][arcore.errors.PluginError] at start-up.

```python
from arcore import hookimpl

@hookimpl
def arcore_register_notification_channels(register):
    register("teams", TeamsChannel)
```

New arguments may be added to a hook in a later release; pluggy passes an implementation only
the arguments it names, so existing plugins keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from arcore.adapter import AdapterInfo, TokenStore
    from arcore.calendars import BusinessCalendar

__all__ = [
    "Register",
    "arcore_business_calendar",
    "arcore_register_adapters",
    "arcore_register_credit_score_providers",
    "arcore_register_matching_strategies",
    "arcore_register_notification_channels",
    "arcore_register_renderers",
    "arcore_register_statement_parsers",
    "arcore_token_store",
    "hookimpl",
    "hookspec",
]

hookspec = pluggy.HookspecMarker("arcore")
"""Marks a function in this module as a hook specification."""

hookimpl = pluggy.HookimplMarker("arcore")
"""Marks a plugin function as the implementation of the hook of the same name."""

Register = Callable[[str, object], None]
"""``register(name, extension)``: the callback the ``arcore_register_*`` hooks receive."""


@hookspec
def arcore_register_adapters(register: Callable[[AdapterInfo], None]) -> None:
    """Contribute accounting-system adapters.

    Called by: [`Plugins.adapters`][arcore.plugins.Plugins.adapters], once per plugin manager,
    the first time an adapter is looked up (``arcore adapters``, ``arcore sync``, the sync
    engine).

    Args:
        register: Call it with one [`AdapterInfo`][arcore.adapter.AdapterInfo] per adapter the
            plugin provides. The info's ``factory`` is called later, with a
            [`Connection`][arcore.adapter.Connection], to create a connected adapter; import
            the vendor SDK there, not at module import time, so that ``arcore adapters``
            works without the SDK installed.

    Returns:
        Nothing; every plugin's registrations are collected.
    """


@hookspec
def arcore_register_matching_strategies(register: Register) -> None:
    """Contribute cash-application matching strategies.

    Called by: the cash-application engine (``arcore.cashapp``) when it builds its pipeline,
    once per engine. Strategies run in the order of ``domain.md`` (remittance advice, invoice
    numbers in text, customer identification, exact and discounted balance, subset sums,
    tolerance); a contributed strategy declares where it runs through its ``order``
    attribute. A lockbox or EDI 820 remittance parser is a typical contribution.

    Args:
        register: ``register(name, strategy)`` for each strategy. The strategy proposes
            applications for one payment given the open items; it must not post anything.

    Returns:
        Nothing; every plugin's strategies are collected.
    """


@hookspec
def arcore_register_statement_parsers(register: Register) -> None:
    """Contribute bank statement parsers (camt.053, BAI2, MT940, OFX, CSV, or your bank's).

    Called by: ``arcore.banking`` when a statement file is imported, once per plugin
    manager. The importer asks each parser, in registration order, whether it recognises the
    file, and uses the first that does.

    Args:
        register: ``register(format_name, parser)`` for each format.

    Returns:
        Nothing; every plugin's parsers are collected.
    """


@hookspec
def arcore_register_credit_score_providers(register: Register) -> None:
    """Contribute external credit score providers (a D&B-style bureau, a CSV of scores).

    Called by: the credit module when a credit application is evaluated, once per plugin
    manager. The caller chooses the provider by name (``arcore credit evaluate --scores``
    uses the built-in ``csv`` one).

    Args:
        register: ``register(name, factory)`` for each provider: ``factory(source)``
            returns a [`ScoreProvider`][arcore.credit.scoring.ScoreProvider] (the ``csv``
            one takes the path of the scores file).

    Returns:
        Nothing; every plugin's providers are collected.
    """


@hookspec
def arcore_register_notification_channels(register: Register) -> None:
    """Contribute channels that deliver reminders and statements (email, SMS, letters, chat).

    Called by: the dunning run, once per run, before any message is produced; a step of a
    dunning policy names its channel.

    Args:
        register: ``register(channel_name, factory)`` for each channel: ``factory(settings)``
            returns a [`Channel`][arcore.collections.channels.Channel], given the channel's
            settings (``--channel-setting email.host=...``).

    Returns:
        Nothing; every plugin's channels are collected.
    """


@hookspec
def arcore_register_renderers(register: Register) -> None:
    """Contribute renderers that turn statements and reports into files (text, HTML, PDF, XLSX).

    Called by: the statement and report commands, once per plugin manager, when an output
    format is chosen; the renderer registered under that format's name is used.

    Args:
        register: ``register(format_name, renderer)`` for each format.

    Returns:
        Nothing; every plugin's renderers are collected.
    """


@hookspec(firstresult=True)
def arcore_business_calendar(spec: str) -> BusinessCalendar | None:
    """Return the business-day calendar named by ``spec``, or ``None`` if unknown.

    Called by: [`Plugins.business_calendar`][arcore.plugins.Plugins.business_calendar],
    whenever credit terms roll a due date to a business day or collections schedule work.
    Plugins registered later are asked first; the first non-``None`` answer wins, so a plugin
    can replace the built-in calendars (the ``holidays`` package, by country) for its specs.

    Args:
        spec: The calendar as configured, e.g. ``"weekends"``, ``"US"``, ``"US-NY"``, or a
            name your plugin defines (``"acme-treasury"``).

    Returns:
        A [`BusinessCalendar`][arcore.calendars.BusinessCalendar], or ``None`` to let the
        next plugin answer.
    """


@hookspec(firstresult=True)
def arcore_token_store(system: str, tenant: str) -> TokenStore | None:
    """Return where the OAuth tokens of ``system``'s connection to ``tenant`` are kept.

    Called by: the sync engine, when it connects an adapter. Plugins registered later are
    asked first; the first non-``None`` answer wins. Without one, the engine keeps tokens in
    arcore's store. A plugin answers to keep them in a vault or a secrets manager instead.

    Args:
        system: The adapter's name (``quickbooks``).
        tenant: The vendor's company id (QuickBooks realm, Xero tenant).

    Returns:
        A [`TokenStore`][arcore.adapter.TokenStore], or ``None`` to let the next plugin (or
        the default) answer.
    """
