"""The dry-run plan writes nothing anywhere; the default token store keeps secrets secret."""

from __future__ import annotations

from datetime import UTC, datetime

from fake_adapter import FakeAdapter, FakeVendor
from pydantic import SecretStr
from sqlalchemy import func, select
from sync_data import COMPANY, customer, invoice

from arcore import hookimpl
from arcore.adapter import Token
from arcore.ledger import Ledger
from arcore.plugins import plugin_manager
from arcore.store import SqlStore
from arcore.store.schema import journal_entries, sync_cursors, sync_mappings, sync_outbox
from arcore.sync import FakeClock, StoreTokenStore, SyncEngine, token_store_for


def _rows(store: SqlStore) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in (journal_entries, sync_cursors, sync_mappings, sync_outbox)
        }


def test_a_dry_run_plans_both_directions_and_writes_nothing(
    books: SqlStore, ledger: Ledger, vendor: FakeVendor, adapter: FakeAdapter, clock: FakeClock
) -> None:
    vendor.add("customer", customer("C1", "Globex"))
    vendor.add("invoice", invoice("I1", "C1", "10.00"))
    ledger.add_customer(customer("c-1", "Initech", company=COMPANY), actor="t", idempotency_key="c")
    ledger.issue(invoice("i-1", "c-1", "20.00", company=COMPANY), actor="t", idempotency_key="i")
    before = _rows(books)

    plan = SyncEngine(books, COMPANY, adapter, system="fakebooks", clock=clock).plan()

    assert plan.counts() == {
        ("pull", "customer", "create"): 1,
        ("pull", "invoice", "create"): 1,
        ("push", "customer", "create"): 1,
        ("push", "invoice", "create"): 1,
    }
    assert {(c.entity, c.external_id or c.core_id) for c in plan.changes} == {
        ("customer", "C1"),
        ("invoice", "I1"),
        ("customer", "c-1"),
        ("invoice", "i-1"),
    }
    assert _rows(books) == before
    assert set(vendor.requests) == {"list_changes"}
    assert vendor.replies == {}


def test_the_store_keeps_the_last_token_and_never_shows_it(store: SqlStore) -> None:
    tokens = StoreTokenStore(store, COMPANY)
    first = Token(
        access_token=SecretStr("at-secret-1"),
        refresh_token=SecretStr("rt-secret-1"),
        expires_at=datetime(2026, 1, 1, 1, tzinfo=UTC),
    )
    second = first.model_copy(update={"refresh_token": SecretStr("rt-secret-2")})

    assert tokens.load("fakebooks", "t-1") is None
    tokens.save("fakebooks", "t-1", first)
    tokens.save("fakebooks", "t-1", second)

    loaded = tokens.load("fakebooks", "t-1")
    assert loaded is not None
    assert loaded.refresh_token.get_secret_value() == "rt-secret-2"
    assert loaded.expires_at == first.expires_at
    assert "secret" not in repr(loaded) + str(loaded) + repr(tokens)
    assert tokens.load("fakebooks", "t-2") is None


class VaultPlugin:
    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], Token] = {}

    @hookimpl
    def arcore_token_store(self, system: str, tenant: str) -> object:
        return self if system == "fakebooks" else None

    def load(self, system: str, tenant: str) -> Token | None:
        return self.saved.get((system, tenant))

    def save(self, system: str, tenant: str, token: Token) -> None:
        self.saved[(system, tenant)] = token


def test_a_plugins_token_store_wins_over_the_default(store: SqlStore) -> None:
    vault = VaultPlugin()
    plugins = plugin_manager(entry_points=False, plugins=[vault])

    assert token_store_for(plugins, store, COMPANY, "fakebooks", "t-1") is vault
    assert isinstance(token_store_for(plugins, store, COMPANY, "other", "t-1"), StoreTokenStore)
