from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from arcore import AdapterInfo, Capabilities, RateLimit, hookimpl
from arcore.calendars import BusinessCalendar
from arcore.errors import AdapterNotInstalledError, ConfigurationError, PluginError
from arcore.plugins import KNOWN_ADAPTER_EXTRAS, hookspecs, plugin_manager

HOOKS = [
    name
    for name, obj in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("arcore_")
]


def _adapter_info(name: str = "demo", version: str = "1.2.3") -> AdapterInfo:
    return AdapterInfo(
        name=name,
        title="Demo Books",
        version=version,
        capabilities=Capabilities(
            reads=frozenset({"customer", "invoice"}),
            writes=frozenset({"invoice"}),
            incremental="modified_since",
            rate_limits=(RateLimit(requests=60, per_seconds=60),),
        ),
        factory=dict,
    )


class DemoAdapterPlugin:
    def __init__(self, name: str = "demo") -> None:
        self.name = name

    @hookimpl
    def arcore_register_adapters(self, register):  # type: ignore[no-untyped-def]
        register(_adapter_info(self.name))


def test_every_hook_is_documented_with_its_caller() -> None:
    assert len(HOOKS) >= 7
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "Called by" in doc, name
        assert "Returns" in doc, name


def test_every_hook_carries_the_project_prefix_and_is_a_spec() -> None:
    pm = plugin_manager(entry_points=False).pm
    for name in HOOKS:
        assert hasattr(pm.hook, name)


def test_builtin_calendars_are_plugins() -> None:
    plugins = plugin_manager(entry_points=False)
    assert any(source.group == "builtin" for source in plugins.sources)
    weekends = plugins.business_calendar("weekends")
    assert weekends.is_business_day(date(2026, 11, 27))  # a Friday
    assert not weekends.is_business_day(date(2026, 11, 28))  # a Saturday
    us = plugins.business_calendar("US")
    assert not us.is_business_day(date(2026, 11, 26))  # Thanksgiving


def test_unknown_calendar_says_what_to_use() -> None:
    with pytest.raises(ConfigurationError, match="no business calendar named 'Atlantis'") as info:
        plugin_manager(entry_points=False).business_calendar("Atlantis")
    assert info.value.field == "calendar"
    assert "US-NY" in str(info.value)


def test_a_plugin_calendar_answers_before_the_builtin_one() -> None:
    class EveryDayOff:
        def is_business_day(self, day: date) -> bool:
            return False

    calendar = EveryDayOff()

    class Treasury:
        @hookimpl
        def arcore_business_calendar(self, spec: str) -> BusinessCalendar | None:
            return calendar if spec == "US" else None

    plugins = plugin_manager(entry_points=False, plugins=[Treasury()])
    assert plugins.business_calendar("US") is calendar
    assert plugins.business_calendar("weekends") is not calendar  # falls through to the builtin


def test_in_process_adapter_is_listed_and_found() -> None:
    plugins = plugin_manager(entry_points=False, plugins=[DemoAdapterPlugin()])
    assert list(plugins.adapters()) == ["demo"]
    assert plugins.adapter("demo").capabilities.incremental == "modified_since"


@pytest.mark.parametrize("name", sorted(KNOWN_ADAPTER_EXTRAS))
def test_missing_shipped_adapter_names_the_extra(name: str) -> None:
    plugins = plugin_manager(entry_points=False)
    with pytest.raises(AdapterNotInstalledError) as info:
        plugins.adapter(name)
    assert info.value.extra == KNOWN_ADAPTER_EXTRAS[name]
    assert f"pip install 'arcore[{KNOWN_ADAPTER_EXTRAS[name]}]'" in str(info.value)


def test_missing_third_party_adapter_explains_the_entry_point_group() -> None:
    plugins = plugin_manager(entry_points=False, plugins=[DemoAdapterPlugin()])
    with pytest.raises(AdapterNotInstalledError) as info:
        plugins.adapter("netsuite")
    assert info.value.extra is None
    assert info.value.installed == ["demo"]
    assert "arcore.adapters" in str(info.value)


def test_two_plugins_registering_one_name_clash() -> None:
    plugins = plugin_manager(entry_points=False, plugins=[DemoAdapterPlugin(), DemoAdapterPlugin()])
    with pytest.raises(PluginError, match="two plugins registered 'demo' among the adapters"):
        plugins.adapters()


def test_registering_something_else_than_adapter_info_is_refused() -> None:
    class Sloppy:
        @hookimpl
        def arcore_register_adapters(self, register):  # type: ignore[no-untyped-def]
            register({"name": "sloppy"})

    with pytest.raises(PluginError, match="not AdapterInfo"):
        plugin_manager(entry_points=False, plugins=[Sloppy()]).adapters()


def test_misspelt_hook_fails_at_start_up() -> None:
    class Misspelt:
        @hookimpl
        def arcore_register_adaptors(self, register):  # type: ignore[no-untyped-def]
            pass

    with pytest.raises(PluginError, match="arcore_register_adaptors"):
        plugin_manager(entry_points=False, plugins=[Misspelt()])


@pytest.mark.parametrize(
    ("hook", "method"),
    [
        ("arcore_register_matching_strategies", "matching_strategies"),
        ("arcore_register_statement_parsers", "statement_parsers"),
        ("arcore_register_credit_score_providers", "credit_score_providers"),
        ("arcore_register_notification_channels", "notification_channels"),
        ("arcore_register_renderers", "renderers"),
    ],
)
def test_registration_hooks_collect_named_extensions(hook: str, method: str) -> None:
    extension = object()
    plugin = type("Plugin", (), {hook: hookimpl(lambda self, register: register("x", extension))})
    plugins = plugin_manager(entry_points=False, plugins=[plugin()])
    collected = getattr(plugins, method)()
    assert collected["x"] is extension  # beside any built-ins (arcore's statement parsers)


def test_registering_later_resets_what_was_collected() -> None:
    plugins = plugin_manager(entry_points=False)
    assert plugins.adapters() == {}
    plugins.register(DemoAdapterPlugin(), name="late")
    assert list(plugins.adapters()) == ["demo"]


# --- a real installed distribution with entry points ------------------------------------


def _install_distribution(site: Path, *, broken: bool = False) -> None:
    """Write what pip writes for a tiny adapter distribution: a module and its dist-info."""
    (site / "arcore_demo_adapter.py").write_text(
        textwrap.dedent(
            """
            from arcore import AdapterInfo, Capabilities, hookimpl

            @hookimpl
            def arcore_register_adapters(register):
                register(AdapterInfo(
                    name="demo",
                    title="Demo Books",
                    version="1.2.3",
                    capabilities=Capabilities(reads=frozenset({"invoice"}), webhooks=True),
                    factory=dict,
                ))
            """
        )
    )
    dist_info = site / "arcore_demo_adapter-1.2.3.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: arcore-demo-adapter\nVersion: 1.2.3\n"
    )
    entry_points = "[arcore.adapters]\ndemo = arcore_demo_adapter\n"
    if broken:
        entry_points += "sage = arcore_sage_not_importable\n"
    (dist_info / "entry_points.txt").write_text(entry_points)
    (dist_info / "RECORD").write_text("")


@pytest.fixture
def installed_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site-packages"
    site.mkdir()
    _install_distribution(site, broken=True)
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("arcore_demo_adapter", None)


def test_installed_entry_point_is_loaded(installed_site: Path) -> None:
    plugins = plugin_manager()
    assert plugins.adapter("demo").version == "1.2.3"
    source = next(s for s in plugins.sources if s.name == "demo")
    assert source.group == "arcore.adapters"
    assert source.distribution == "arcore-demo-adapter 1.2.3"


def test_entry_point_that_fails_to_import_is_reported_not_fatal(installed_site: Path) -> None:
    plugins = plugin_manager()
    assert "arcore_sage_not_importable" in plugins.unavailable["sage"]
    with pytest.raises(AdapterNotInstalledError, match=r"pip install 'arcore\[sage\]'"):
        plugins.adapter("sage")


def test_disabled_plugins_from_the_environment_are_not_loaded(
    installed_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCORE_DISABLED_PLUGINS", "demo, other")
    plugins = plugin_manager()
    assert "demo" not in plugins.adapters()


def test_cli_lists_the_installed_adapter(installed_site: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed_site), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-m", "arcore", "adapters", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    listed = {row["name"]: row for row in json.loads(done.stdout)}
    assert listed["demo"]["version"] == "1.2.3"
    assert listed["demo"]["capabilities"]["reads"] == ["invoice"]
    assert listed["demo"]["capabilities"]["webhooks"] is True
    assert listed["sage"]["available"] is False
    assert listed["sage"]["install"] == "pip install 'arcore[sage]'"


def test_token_store_comes_from_a_plugin_or_none() -> None:
    class Vault:
        def load(self, system: str, tenant: str) -> None:
            return None

        def save(self, system: str, tenant: str, token: object) -> None:
            pass

    class Keeper:
        @hookimpl
        def arcore_token_store(self, system: str, tenant: str) -> object:
            return Vault() if system == "quickbooks" else None

    class Wrong:
        @hookimpl
        def arcore_token_store(self, system: str, tenant: str) -> object:
            return "tokens.json"

    plugins = plugin_manager(entry_points=False, plugins=[Keeper()])
    assert isinstance(plugins.token_store("quickbooks", "9341"), Vault)
    assert plugins.token_store("xero", "t-1") is None
    with pytest.raises(PluginError, match="not a TokenStore"):
        plugin_manager(entry_points=False, plugins=[Wrong()]).token_store("xero", "t-1")
