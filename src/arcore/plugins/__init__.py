"""The plugin host: builds arcore's pluggy manager and calls hooks through a typed wrapper.

```python
from arcore.plugins import plugin_manager

plugins = plugin_manager()          # entry points loaded, built-ins registered, hooks checked
info = plugins.adapter("xero")      # AdapterNotInstalledError says which extra to install
calendar = plugins.business_calendar("US-NY")
```

There is no module-level manager: build one with [`plugin_manager`][arcore.plugins.plugin_manager]
and pass it to whatever needs it. Built-in plugins are registered by the same mechanism a third
party uses, and first: pluggy calls later registrations first, so an installed plugin's answer to
a ``firstresult`` hook (a business calendar, say) wins over the built-in one.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Final, TypeVar

import pluggy

from arcore.adapter import AdapterInfo, TokenStore
from arcore.calendars import BusinessCalendar
from arcore.errors import AdapterNotInstalledError, ConfigurationError, PluginError
from arcore.plugins import hookspecs

__all__ = [
    "ADAPTER_ENTRY_POINT_GROUP",
    "DEFAULT_PLUGINS",
    "DISABLED_PLUGINS_ENV",
    "KNOWN_ADAPTER_EXTRAS",
    "PLUGIN_ENTRY_POINT_GROUP",
    "PluginSource",
    "Plugins",
    "plugin_manager",
]

ADAPTER_ENTRY_POINT_GROUP: Final = "arcore.adapters"
"""Entry-point group of adapter plugins (QuickBooks, Xero, ... and third-party ones)."""

PLUGIN_ENTRY_POINT_GROUP: Final = "arcore.plugins"
"""Entry-point group of every other plugin (matching strategies, channels, calendars...)."""

DISABLED_PLUGINS_ENV: Final = "ARCORE_DISABLED_PLUGINS"
"""Comma-separated plugin (entry-point) names that must not be loaded."""

DEFAULT_PLUGINS: Final = ("arcore.plugins.builtin",)
"""Modules of the built-in plugins, registered like any other plugin."""

KNOWN_ADAPTER_EXTRAS: Final[Mapping[str, str]] = {
    "quickbooks": "quickbooks",
    "xero": "xero",
    "sage": "sage",
    "acumatica": "acumatica",
}
"""Adapters shipped with arcore, and the extra that installs each one's SDK."""

T = TypeVar("T")


@dataclass(frozen=True)
class PluginSource:
    """Where a loaded plugin came from.

    Attributes:
        name: The plugin's registered name (the entry-point name for installed plugins).
        group: The entry-point group, or ``"builtin"`` / ``"in-process"``.
        distribution: The distribution that declared it, with its version, if any.
    """

    name: str
    group: str
    distribution: str | None = None


@dataclass
class Plugins:
    """Typed access to arcore's hooks: one method per hook, so mypy checks every call site.

    Results of the registration hooks are collected once and cached; call
    [`register`][arcore.plugins.Plugins.register] before the first lookup.

    Attributes:
        pm: The underlying pluggy manager (for pluggy features not wrapped here).
        sources: Every loaded plugin and where it came from.
        unavailable: Entry points that failed to import, by name, with the reason.
    """

    pm: pluggy.PluginManager
    sources: list[PluginSource] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    _adapters: dict[str, AdapterInfo] | None = field(default=None, repr=False)
    _registries: dict[str, dict[str, object]] = field(default_factory=dict, repr=False)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object or module in-process (tests, applications embedding arcore).

        Raises:
            PluginError: it implements a hook that does not exist (a misspelt name), or a
                plugin of that name is already registered.
        """
        try:
            registered = self.pm.register(plugin, name=name)
        except ValueError as exc:
            raise PluginError(str(exc), hint="Give the plugin a unique name") from exc
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc), hint="Check the hook's name and arguments") from exc
        if registered is None:
            return  # blocked by name
        self.sources.append(PluginSource(registered, "in-process"))
        _check_pending(self.pm)
        self._adapters = None
        self._registries.clear()

    def adapters(self) -> dict[str, AdapterInfo]:
        """Every installed adapter, by name, sorted by name."""
        if self._adapters is None:
            found: dict[str, AdapterInfo] = {}

            def register(info: AdapterInfo) -> None:
                if not isinstance(info, AdapterInfo):
                    raise PluginError(
                        f"arcore_register_adapters got {type(info).__name__}, not AdapterInfo",
                        hint="Register arcore.adapter.AdapterInfo objects",
                        value=info,
                    )
                _add_unique(found, info.name, info, "adapters")

            self.pm.hook.arcore_register_adapters(register=register)
            self._adapters = dict(sorted(found.items()))
        return self._adapters

    def adapter(self, name: str) -> AdapterInfo:
        """The installed adapter called ``name``.

        Raises:
            AdapterNotInstalledError: no such adapter; the message names the extra to install
                for the adapters arcore ships, and the import error if its plugin failed.
        """
        installed = self.adapters()
        if name in installed:
            return installed[name]
        raise AdapterNotInstalledError(
            name,
            extra=KNOWN_ADAPTER_EXTRAS.get(name),
            installed=list(installed),
            reason=self.unavailable.get(name, ""),
        )

    def matching_strategies(self) -> dict[str, object]:
        """Every contributed cash-application matching strategy, by name."""
        return self._registered(
            "matching_strategies", self.pm.hook.arcore_register_matching_strategies
        )

    def statement_parsers(self) -> dict[str, object]:
        """Every contributed bank statement parser, by format name."""
        return self._registered("statement_parsers", self.pm.hook.arcore_register_statement_parsers)

    def credit_score_providers(self) -> dict[str, object]:
        """Every contributed credit score provider, by name."""
        return self._registered(
            "credit_score_providers", self.pm.hook.arcore_register_credit_score_providers
        )

    def notification_channels(self) -> dict[str, object]:
        """Every contributed notification channel, by name."""
        return self._registered(
            "notification_channels", self.pm.hook.arcore_register_notification_channels
        )

    def renderers(self) -> dict[str, object]:
        """Every contributed document renderer, by format name."""
        return self._registered("renderers", self.pm.hook.arcore_register_renderers)

    def business_calendar(self, spec: str) -> BusinessCalendar:
        """The business-day calendar named by ``spec`` (``"weekends"``, ``"US"``, ``"US-NY"``).

        Raises:
            ConfigurationError: no plugin knows ``spec``.
        """
        calendar: BusinessCalendar | None = self.pm.hook.arcore_business_calendar(spec=spec)
        if calendar is None:
            raise ConfigurationError(
                f"no business calendar named {spec!r}",
                hint="Use 'weekends', a country code such as 'US' or 'GB', optionally with a "
                "subdivision ('US-NY'), or install a plugin that provides it",
                field="calendar",
                value=spec,
            )
        return calendar

    def token_store(self, system: str, tenant: str) -> TokenStore | None:
        """Where a plugin keeps ``system``'s tokens for ``tenant`` (``None``: no plugin does).

        Raises:
            PluginError: a plugin answered with something that is not a
                [`TokenStore`][arcore.adapter.TokenStore].
        """
        answer: object = self.pm.hook.arcore_token_store(system=system, tenant=tenant)
        if answer is not None and not isinstance(answer, TokenStore):
            raise PluginError(
                f"arcore_token_store returned {type(answer).__name__}, not a TokenStore",
                hint="Return an object with load(system, tenant) and save(system, tenant, token)",
            )
        return answer

    def _registered(self, key: str, hook: Callable[..., object]) -> dict[str, object]:
        if key not in self._registries:
            found: dict[str, object] = {}

            def register(name: str, extension: object) -> None:
                _add_unique(found, name, extension, key.replace("_", " "))

            hook(register=register)
            self._registries[key] = found
        return self._registries[key]


def _add_unique(found: dict[str, T], name: str, value: T, kind: str) -> None:
    if name in found:
        raise PluginError(
            f"two plugins registered {name!r} among the {kind}",
            hint=f"Disable one of them with {DISABLED_PLUGINS_ENV}",
            value=name,
        )
    found[name] = value


def _check_pending(pm: pluggy.PluginManager) -> None:
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(
            str(exc),
            hint="A plugin implements a hook arcore does not define: check its spelling "
            "against arcore.plugins.hookspecs",
        ) from exc


def _disabled_from_env() -> set[str]:
    return {
        name.strip() for name in os.environ.get(DISABLED_PLUGINS_ENV, "").split(",") if name.strip()
    }


def _load_entry_points(plugins: Plugins, group: str) -> None:
    for entry_point in importlib.metadata.entry_points(group=group):
        pm = plugins.pm
        if pm.is_blocked(entry_point.name) or pm.has_plugin(entry_point.name):
            continue
        distribution = entry_point.dist
        source = f"{distribution.name} {distribution.version}" if distribution else None
        try:
            plugin = entry_point.load()
        except ImportError as exc:
            plugins.unavailable[entry_point.name] = f"cannot import {entry_point.value}: {exc}"
            continue
        try:
            pm.register(plugin, name=entry_point.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(
                f"plugin {entry_point.name!r} from {source or group} failed to register: {exc}",
                hint=f"Disable it with {DISABLED_PLUGINS_ENV}={entry_point.name}",
            ) from exc
        plugins.sources.append(PluginSource(entry_point.name, group, source))


def plugin_manager(
    *,
    entry_points: bool = True,
    disabled: Iterable[str] = (),
    plugins: Iterable[object] = (),
) -> Plugins:
    """Build a plugin manager: hookspecs, blocked names, built-ins, entry points, then a check.

    Args:
        entry_points: Load the ``arcore.adapters`` and ``arcore.plugins`` entry points (turn
            off for a hermetic manager in tests).
        disabled: Plugin names not to load, in addition to those in the
            ``ARCORE_DISABLED_PLUGINS`` environment variable.
        plugins: Extra plugin objects to register in-process.

    Raises:
        PluginError: a plugin implements an unknown hook or has a clashing name.
    """
    pm = pluggy.PluginManager("arcore")
    pm.add_hookspecs(hookspecs)
    for name in {*_disabled_from_env(), *disabled}:
        pm.set_blocked(name)
    host = Plugins(pm)
    for module_name in DEFAULT_PLUGINS:
        if pm.is_blocked(module_name):
            continue
        module: ModuleType = importlib.import_module(module_name)
        pm.register(module, name=module_name)
        host.sources.append(PluginSource(module_name, "builtin"))
    if entry_points:
        _load_entry_points(host, ADAPTER_ENTRY_POINT_GROUP)
        _load_entry_points(host, PLUGIN_ENTRY_POINT_GROUP)
    for plugin in plugins:
        host.register(plugin)
    _check_pending(pm)
    return host
