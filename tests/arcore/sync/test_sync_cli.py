"""``arcore sync`` through typer's CliRunner, with the fake adapter registered as a plugin."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_adapter import CAPABILITIES, FakeAdapter, FakeVendor, Faults, auth_error
from sync_data import COMPANY, customer, invoice
from typer.testing import CliRunner

from arcore import hookimpl
from arcore.adapter import AdapterInfo, Connection
from arcore.cli import app
from arcore.errors import VendorAuthError
from arcore.ledger import Ledger
from arcore.plugins import Plugins, plugin_manager
from arcore.store import SqlStore

SECRET = "s3cr3t-client-secret-value"


class FakePlugin:
    """Registers ``fakebooks``; remembers the connections its factory was given."""

    def __init__(self, vendor: FakeVendor, faults: Faults | None = None) -> None:
        self.vendor = vendor
        self.faults = faults
        self.connections: list[Connection] = []

    def connect(self, connection: Connection) -> FakeAdapter:
        self.connections.append(connection)
        return FakeAdapter(self.vendor, faults=self.faults, token_store=connection.token_store)

    @hookimpl
    def arcore_register_adapters(self, register):  # type: ignore[no-untyped-def]
        register(
            AdapterInfo(
                name="fakebooks",
                title="Fake Books",
                version="1.0",
                capabilities=CAPABILITIES,
                factory=self.connect,
            )
        )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "arcore.toml"
    path.write_text(
        '[fakebooks]\ntenant = "realm-7"\nclient_id = "app-1"\nenvironment = "sandbox"\n',
        encoding="utf-8",
    )
    return path


def _invoke(plugins: Plugins, books: SqlStore, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    url = books.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(
        app,
        ["sync", "fakebooks", "--db", url, "--company", COMPANY, *args],
        obj=plugins,
        env={"ARCORE_FAKEBOOKS_CLIENT_SECRET": SECRET, **(env or {})},
    )


def test_sync_pulls_and_pushes_and_prints_the_report(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, config: Path
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "10.00"))
    ledger.add_customer(customer("c-1", "Initech", company=COMPANY), actor="t", idempotency_key="c")
    plugin = FakePlugin(vendor)

    result = _invoke(
        plugin_manager(entry_points=False, plugins=[plugin]), books, "--config", str(config)
    )

    assert result.exit_code == 0, result.output
    assert "Sync of acme with fakebooks" in result.output
    assert ledger.document("fakebooks-invoice-I1").number == "INV-I1"
    assert len(vendor.live("customer")) == 2
    (connection,) = plugin.connections
    assert connection.tenant == "realm-7"
    assert connection.company_id == COMPANY
    assert connection.settings == {"client_id": "app-1", "environment": "sandbox"}
    assert connection.secrets["client_secret"].get_secret_value() == SECRET
    assert SECRET not in result.output


def test_pull_only_and_dry_run_write_nothing_to_the_vendor(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, config: Path
) -> None:
    ledger.add_customer(customer("c-1", "Initech", company=COMPANY), actor="t", idempotency_key="c")
    vendor.add("customer", customer("C1", "Globex"))
    plugins = plugin_manager(entry_points=False, plugins=[FakePlugin(vendor)])

    dry = _invoke(plugins, books, "--config", str(config), "--dry-run")
    pulled = _invoke(plugins, books, "--config", str(config), "--pull")

    assert dry.exit_code == 0, dry.output
    assert "Nothing was written" in dry.output
    assert "push create customer c-1" in dry.output
    assert pulled.exit_code == 0, pulled.output
    assert vendor.replies == {}
    assert len(vendor.live("customer")) == 1


def test_secrets_never_appear_even_in_errors(
    books: SqlStore, vendor: FakeVendor, config: Path
) -> None:
    def leaky() -> VendorAuthError:
        return VendorAuthError(f"refused client secret {SECRET}", system="fakebooks")

    plan = {("list_changes", 1): ("before", leaky), ("list_changes", 2): ("before", auth_error)}
    plugins = plugin_manager(entry_points=False, plugins=[FakePlugin(vendor, Faults(plan=plan))])  # type: ignore[arg-type]

    result = _invoke(plugins, books, "--config", str(config))

    assert result.exit_code != 0
    assert SECRET not in result.output
    assert SECRET not in str(result.exception)


def test_an_unknown_system_and_bad_options_are_refused(books: SqlStore, vendor: FakeVendor) -> None:
    plugins = plugin_manager(entry_points=False, plugins=[FakePlugin(vendor)])
    url = books.engine.url.render_as_string(hide_password=False)

    unknown = CliRunner().invoke(app, ["sync", "nosuch", "--db", url], obj=plugins)
    both = _invoke(plugins, books, "--pull", "--push")
    policy = _invoke(plugins, books, "--conflicts", "coin_toss")

    assert "no adapter named 'nosuch'" in str(unknown.exception)
    assert "exclude each other" in str(both.exception)
    assert "not a conflict policy" in str(policy.exception)
