"""Webhook deliveries drive the sync: verified, parsed, and the objects they name pulled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("quickbooks")

from pydantic import SecretStr

from arcore.adapter import Connection
from arcore.documents import Invoice
from arcore.errors import NotFoundError, WebhookSignatureError
from arcore.ledger import Ledger
from arcore.store import SqlStore, open_store
from arcore.sync import FakeClock, SyncEngine
from arcore.sync.tokens import StoreTokenStore
from arcore_quickbooks.adapter import QuickBooksAdapter
from arcore_quickbooks.simulator import QuickBooksSimulator
from arcore_quickbooks.webhooks import signature

REALM = "4620816365"
COMPANY = "acme"
VERIFIER = "made-up-verifier-token"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def sim(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[QuickBooksSimulator]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    with QuickBooksSimulator(port=0, clock=clock.now) as simulator:
        yield simulator


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(f"sqlite:///{tmp_path / 'books.db'}") as opened:
        Ledger(opened, COMPANY).open_books("Acme Inc.", actor="t", idempotency_key="open")
        yield opened


def _engine(sim: QuickBooksSimulator, store: SqlStore, clock: FakeClock) -> SyncEngine:
    connection = Connection(
        system="quickbooks",
        tenant=REALM,
        settings={
            "client_id": "made-up-client",
            "environment": sim.discovery_url,
            "api_url": sim.api_url,
            "company_id": COMPANY,
        },
        secrets={
            "client_secret": SecretStr("made-up-secret"),
            "refresh_token": SecretStr("made-up-refresh-token"),
            "webhook_verifier": SecretStr(VERIFIER),
        },
        token_store=StoreTokenStore(store, COMPANY, clock=clock),
    )
    adapter = QuickBooksAdapter(connection, clock=clock.now)
    return SyncEngine(store, COMPANY, adapter, system="quickbooks", clock=clock)


def _delivery(realm: str, *entities: tuple[str, str, str]) -> bytes:
    changed = [
        {"name": name, "id": id, "operation": op, "lastUpdated": "2026-11-02T09:00:00.000Z"}
        for name, id, op in entities
    ]
    body = {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": changed}}]}
    return json.dumps(body).encode()


def _new_invoice(sim: QuickBooksSimulator) -> tuple[str, str]:
    customer = sim.seed(REALM, "Customer", {"DisplayName": "Globex Corporation"})
    line = {
        "Amount": Decimal("120.00"),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": Decimal(120)},
    }
    invoice = sim.seed(
        REALM,
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "DocNumber": "W-1",
            "TxnDate": "2026-11-01",
            "Line": [line],
        },
    )
    return str(customer["Id"]), str(invoice["Id"])


def test_a_verified_delivery_pulls_the_objects_it_names_customer_first(
    sim: QuickBooksSimulator, store: SqlStore, clock: FakeClock
) -> None:
    customer_id, invoice_id = _new_invoice(sim)
    # The invoice is named first: the engine still pulls its customer before it.
    body = _delivery(REALM, ("Invoice", invoice_id, "Create"), ("Customer", customer_id, "Create"))
    engine = _engine(sim, store, clock)
    report = engine.receive_webhook(body, {"intuit-signature": signature(body, VERIFIER)})
    assert report.ok, report.failures
    assert (report.of("pull", "customer").created, report.of("pull", "invoice").created) == (1, 1)
    invoice = Ledger(store, COMPANY).document(f"quickbooks-invoice-{invoice_id}")
    assert isinstance(invoice, Invoice)
    assert (invoice.number, str(invoice.total.amount)) == ("W-1", "120.00")
    # The next incremental pull finds them and writes nothing more.
    again = engine.pull()
    assert again.of("pull", "invoice").created == 0
    assert again.of("pull", "customer").created == 0


def test_a_forged_delivery_is_refused_and_reads_nothing(
    sim: QuickBooksSimulator, store: SqlStore, clock: FakeClock
) -> None:
    _, invoice_id = _new_invoice(sim)
    body = _delivery(REALM, ("Invoice", invoice_id, "Create"))
    before = len(sim.requests)
    with pytest.raises(WebhookSignatureError, match="does not verify"):
        _engine(sim, store, clock).receive_webhook(
            body, {"intuit-signature": signature(body, "forged-key")}
        )
    assert len(sim.requests) == before  # not one call to QuickBooks
    with pytest.raises(NotFoundError):
        Ledger(store, COMPANY).document(f"quickbooks-invoice-{invoice_id}")


def test_notices_for_another_realm_are_left_out(
    sim: QuickBooksSimulator, store: SqlStore, clock: FakeClock
) -> None:
    _, invoice_id = _new_invoice(sim)
    body = _delivery("other-realm", ("Invoice", invoice_id, "Create"))
    report = _engine(sim, store, clock).receive_webhook(
        body, {"intuit-signature": signature(body, VERIFIER)}, tenant=REALM
    )
    assert report.of("pull", "invoice").created == 0
