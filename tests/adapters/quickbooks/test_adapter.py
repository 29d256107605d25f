"""The QuickBooks adapter against the QuickBooks simulator: real HTTP on 127.0.0.1, the real SDK."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

pytest.importorskip(
    "arcore_quickbooks.simulator",
    reason="the QuickBooks simulator (arcore_quickbooks.simulator) is not available yet",
)

from pydantic import SecretStr

from arcore.adapter import Applied, Connection, Page, Record, Token
from arcore.documents import (
    CreditMemo,
    Customer,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
)
from arcore.errors import (
    RateLimitedError,
    StaleVersionError,
    TransientError,
    VendorAuthError,
    VendorNotFoundError,
)
from arcore.money import Money
from arcore_quickbooks.adapter import QuickBooksAdapter
from arcore_quickbooks.simulator import Fault, QuickBooksSimulator
from arcore_quickbooks.webhooks import signature

REALM = "9130355"
VERIFIER = "verifier-token"


class Clock:
    """A clock the test moves by hand; the simulator and the adapter share it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class MemoryTokenStore:
    def __init__(self) -> None:
        self.saved: list[Token] = []

    def load(self, system: str, tenant: str) -> Token | None:
        return self.saved[-1] if self.saved else None

    def save(self, system: str, tenant: str, token: Token) -> None:
        assert (system, tenant) == ("quickbooks", REALM)
        self.saved.append(token)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[QuickBooksSimulator]:
    with QuickBooksSimulator(port=0, clock=clock) as simulator:
        yield simulator


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def connect(
    sim: QuickBooksSimulator,
    clock: Clock,
    store: MemoryTokenStore,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[], QuickBooksAdapter]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    connection = Connection(
        system="quickbooks",
        tenant=REALM,
        settings={
            "client_id": "arcore-test",
            "environment": sim.discovery_url,
            "redirect_uri": "http://localhost/callback",
            "api_url": sim.api_url,
            "company_id": "acme",
        },
        secrets={
            "client_secret": SecretStr("secret"),
            "refresh_token": SecretStr("bootstrap-refresh-token"),
            "webhook_verifier": SecretStr(VERIFIER),
        },
        token_store=store,
    )
    return lambda: QuickBooksAdapter(connection, clock=clock)


@pytest.fixture
def adapter(connect: Callable[[], QuickBooksAdapter]) -> QuickBooksAdapter:
    return connect()


def _customer(name: str = "Blue Ox Ltd") -> Record:
    customer = Customer(company_id="acme", id="core-c1", name=name, currency="USD")
    return Record(entity="customer", external_id=None, document=customer)


def _invoice(customer_id: str, number: str = "INV-1", price: str = "120.00") -> Record:
    invoice = Invoice(
        company_id="acme",
        id=f"core-{number}",
        customer_id=customer_id,
        currency="USD",
        number=number,
        document_date=date(2026, 11, 2),
        terms="Net 30",
        lines=[
            InvoiceLine(
                description="Hours", quantity=Decimal("1.5"), unit_price=Money(price, "USD")
            )
        ],
        status=DocumentStatus.ISSUED,
    )
    return Record(entity="invoice", external_id=None, document=invoice)


def _created_customer(adapter: QuickBooksAdapter, name: str = "Blue Ox Ltd") -> str:
    created = adapter.create(_customer(name), idempotency_key=f"customer-{name}")
    assert created.external_id is not None
    return created.external_id


def _paths(sim: QuickBooksSimulator) -> list[str]:
    return [request.path for request in sim.requests]


def test_customer_round_trip(adapter: QuickBooksAdapter, store: MemoryTokenStore) -> None:
    created = adapter.create(_customer(), idempotency_key="k-customer")
    assert isinstance(created.document, Customer)
    assert created.document.name == "Blue Ox Ltd"
    assert created.external_id
    assert store.saved  # the bootstrap refresh token was exchanged and the tokens kept
    fetched = adapter.get("customer", created.external_id)
    assert fetched.document == created.document
    assert fetched.version == created.version
    renamed = created.document.model_copy(update={"name": "Blue Ox Limited"})
    updated = adapter.update(
        created.model_copy(update={"document": renamed}), idempotency_key="k-rename"
    )
    assert isinstance(updated.document, Customer)
    assert updated.document.name == "Blue Ox Limited"
    assert updated.version != created.version


def test_invoice_round_trip_and_void(adapter: QuickBooksAdapter) -> None:
    customer_id = _created_customer(adapter)
    record = _invoice(customer_id)
    created = adapter.create(record, idempotency_key="k-invoice")
    assert isinstance(created.document, Invoice)
    assert isinstance(record.document, Invoice)
    assert created.document.total == record.document.total == Money("180.00", "USD")
    assert created.document.number == "INV-1"
    assert created.document.customer_id == customer_id
    assert created.document.status is DocumentStatus.ISSUED
    fetched = adapter.get("invoice", str(created.external_id))
    assert fetched.document == created.document
    voided = adapter.void(created, idempotency_key="k-void")
    # QuickBooks zeroes a voided invoice's amounts; its lines are rebuilt from the prices.
    assert isinstance(voided.document, Invoice)
    assert voided.document.status is DocumentStatus.VOID
    assert voided.document.subtotal == created.document.subtotal
    assert voided.version != created.version


def test_payment_applied_to_invoice(adapter: QuickBooksAdapter, sim: QuickBooksSimulator) -> None:
    customer_id = _created_customer(adapter)
    invoice = adapter.create(_invoice(customer_id), idempotency_key="k-inv")
    payment = Payment(
        company_id="acme",
        id="core-p1",
        customer_id=customer_id,
        currency="USD",
        received_date=date(2026, 11, 3),
        amount=Money("200.00", "USD"),
        method=PaymentMethod.CHECK,
        reference="CHK-77",
    )
    created = adapter.create(
        Record(entity="payment", external_id=None, document=payment), idempotency_key="k-pay"
    )
    assert isinstance(created.document, Payment)
    assert created.document.status is DocumentStatus.ISSUED
    assert created.applications == ()
    applied = adapter.apply(
        created,
        [Applied(target_id=str(invoice.external_id), amount=Money("150.00", "USD"))],
        idempotency_key="k-apply",
    )
    assert applied.applications == (
        Applied(target_id=str(invoice.external_id), amount=Money("150.00", "USD")),
    )
    assert isinstance(applied.document, Payment)
    assert applied.document.status is DocumentStatus.PARTIALLY_PAID
    after = adapter.get("invoice", str(invoice.external_id)).document
    assert isinstance(after, Invoice)
    assert after.status is DocumentStatus.PARTIALLY_PAID
    (stored,) = [o for o in sim.objects(REALM, "Invoice") if o["Id"] == invoice.external_id]
    assert Decimal(str(stored["Balance"])) == Decimal("30.00")


def test_credit_memo_round_trip_and_application(adapter: QuickBooksAdapter) -> None:
    customer_id = _created_customer(adapter)
    invoice = adapter.create(_invoice(customer_id), idempotency_key="k-inv")
    memo = CreditMemo(
        company_id="acme",
        id="core-cm",
        customer_id=customer_id,
        currency="USD",
        number="CM-1",
        document_date=date(2026, 11, 4),
        amount=Money("50.00", "USD"),
        reason="Returned goods",
    )
    created = adapter.create(
        Record(entity="credit_memo", external_id=None, document=memo), idempotency_key="k-cm"
    )
    assert isinstance(created.document, CreditMemo)
    assert (created.document.amount, created.document.reason) == (memo.amount, memo.reason)
    applied = adapter.apply(
        created,
        [Applied(target_id=str(invoice.external_id), amount=Money("50.00", "USD"))],
        idempotency_key="k-cm-apply",
    )
    # QuickBooks records the application as a zero-amount payment: returned as a carrier.
    assert (applied.entity, applied.carrier) == ("payment", True)
    assert applied.applications == (
        Applied(
            target_id=str(invoice.external_id),
            amount=Money("50.00", "USD"),
            source="credit_memo",
            source_id=created.external_id,
        ),
    )
    memo_after = adapter.get("credit_memo", str(created.external_id)).document
    assert isinstance(memo_after, CreditMemo)
    assert memo_after.status is DocumentStatus.PAID  # no credit remaining
    after = adapter.get("invoice", str(invoice.external_id)).document
    assert isinstance(after, Invoice)
    assert after.status is DocumentStatus.PARTIALLY_PAID


def _drain(adapter: QuickBooksAdapter, entity: str, cursor: str | None, size: int) -> list[Page]:
    pages = [adapter.list_changes(entity, cursor=cursor, page_size=size)]  # type: ignore[arg-type]
    while pages[-1].more:
        pages.append(
            adapter.list_changes(entity, cursor=pages[-1].cursor, page_size=size)  # type: ignore[arg-type]
        )
    return pages


def test_full_listing_pages_through_every_object(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator, clock: Clock
) -> None:
    customer_id = _created_customer(adapter)
    for n in range(23):
        if n % 5 == 0:
            clock.advance(seconds=1)  # several objects share each LastUpdatedTime
        adapter.create(_invoice(customer_id, f"INV-{n}"), idempotency_key=f"k-{n}")
    pages = _drain(adapter, "invoice", None, 10)
    ids = [record.external_id for page in pages for record in page.records]
    assert len(pages) >= 3
    assert all(len(page.records) <= 10 for page in pages)
    assert sorted(ids) == sorted(o["Id"] for o in sim.objects(REALM, "Invoice"))
    assert len(set(ids)) == 23
    final = json.loads(str(pages[-1].cursor))
    assert set(final) == {"v", "since", "seen"}  # the high-water mark
    assert final["since"] == "2026-11-02T09:00:05+00:00"  # the last change listed
    assert set(final["seen"]) == set(ids[-3:])  # the three invoices stamped then


def test_more_objects_at_one_time_than_a_page(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator
) -> None:
    customer_id = _created_customer(adapter)
    for n in range(7):  # the clock stands still: seven invoices share one LastUpdatedTime
        adapter.create(_invoice(customer_id, f"INV-{n}"), idempotency_key=f"k-{n}")
    pages = _drain(adapter, "invoice", None, 3)
    ids = [record.external_id for page in pages for record in page.records]
    assert sorted(ids) == sorted(o["Id"] for o in sim.objects(REALM, "Invoice"))
    assert len(ids) == len(set(ids)) == 7


def test_incremental_by_change_data_capture_with_deletions(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator, clock: Clock
) -> None:
    customer_id = _created_customer(adapter)
    first = adapter.create(_invoice(customer_id, "INV-1"), idempotency_key="k-1")
    second = adapter.create(_invoice(customer_id, "INV-2"), idempotency_key="k-2")
    cursor = _drain(adapter, "invoice", None, 100)[-1].cursor
    clock.advance(minutes=5)
    assert isinstance(first.document, Invoice)
    changed = first.document.model_copy(update={"memo": "call before shipping"})
    adapter.update(first.model_copy(update={"document": changed}), idempotency_key="k-u")
    adapter.delete(second, idempotency_key="k-d")
    clock.advance(minutes=1)
    before = len(sim.requests)
    page = adapter.list_changes("invoice", cursor=cursor, page_size=100)
    assert any("/cdc" in path for path in _paths(sim)[before:])
    by_id = {record.external_id: record for record in page.records}
    assert set(by_id) == {first.external_id, second.external_id}
    assert by_id[second.external_id].deleted
    assert by_id[second.external_id].document is None
    updated = by_id[first.external_id].document
    assert isinstance(updated, Invoice)
    assert updated.memo == "call before shipping"
    assert not page.more
    clock.advance(minutes=1)
    quiet = adapter.list_changes("invoice", cursor=page.cursor, page_size=100)
    assert quiet.records == ()


def test_cursor_older_than_thirty_days_falls_back_to_a_query(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator, clock: Clock
) -> None:
    customer_id = _created_customer(adapter)
    adapter.create(_invoice(customer_id), idempotency_key="k-1")
    cursor = _drain(adapter, "invoice", None, 100)[-1].cursor
    clock.advance(days=40)
    newer = adapter.create(_invoice(customer_id, "INV-2"), idempotency_key="k-2")
    before = len(sim.requests)
    pages = _drain(adapter, "invoice", cursor, 100)
    assert not any("/cdc" in path for path in _paths(sim)[before:])
    assert [r.external_id for p in pages for r in p.records] == [newer.external_id]


def test_same_idempotency_key_creates_one_object(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator
) -> None:
    customer_id = _created_customer(adapter)
    one = adapter.create(_invoice(customer_id), idempotency_key="same-key")
    two = adapter.create(_invoice(customer_id), idempotency_key="same-key")
    assert one.external_id == two.external_id
    assert len(sim.objects(REALM, "Invoice")) == 1
    assert all(
        r.query.get("requestid")
        for r in sim.requests
        if r.method == "POST" and "query" not in r.path and "/v3/" in r.path
    )


def test_write_dropped_after_commit_is_retried_without_duplicate(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator
) -> None:
    customer_id = _created_customer(adapter)
    sim.add_fault(Fault(kind="drop_after_commit", path_contains="/invoice", method="POST"))
    with pytest.raises(TransientError):
        adapter.create(_invoice(customer_id), idempotency_key="k-dropped")
    created = adapter.create(_invoice(customer_id), idempotency_key="k-dropped")
    assert [o["Id"] for o in sim.objects(REALM, "Invoice")] == [created.external_id]


def test_stale_version_is_a_conflict(adapter: QuickBooksAdapter) -> None:
    created = adapter.create(_customer(), idempotency_key="k-c")
    assert isinstance(created.document, Customer)
    first = created.document.model_copy(update={"name": "First rename"})
    adapter.update(created.model_copy(update={"document": first}), idempotency_key="k-1")
    second = created.document.model_copy(update={"name": "Second rename"})
    with pytest.raises(StaleVersionError) as caught:
        adapter.update(created.model_copy(update={"document": second}), idempotency_key="k-2")
    assert caught.value.system == "quickbooks"


def test_missing_object_is_not_found(adapter: QuickBooksAdapter) -> None:
    with pytest.raises(VendorNotFoundError):
        adapter.get("invoice", "987654")


def test_expired_access_token_is_refreshed_mid_run(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator, store: MemoryTokenStore
) -> None:
    customer_id = _created_customer(adapter)
    saved = len(store.saved)
    sim.expire_access_tokens()
    created = adapter.create(_invoice(customer_id), idempotency_key="k-after-expiry")
    assert created.external_id is not None
    assert len(store.saved) == saved + 1  # rotated tokens were kept
    old, new = store.saved[-2], store.saved[-1]
    assert old.refresh_token.get_secret_value() != new.refresh_token.get_secret_value()
    assert len(sim.objects(REALM, "Invoice")) == 1


def test_second_401_is_an_auth_error(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator, store: MemoryTokenStore
) -> None:
    _created_customer(adapter)
    sim.add_fault(Fault(kind="expire_token", times=2))
    with pytest.raises(VendorAuthError) as caught:
        adapter.get("customer", "1")
    secrets = [
        value.get_secret_value()
        for token in store.saved
        for value in (token.access_token, token.refresh_token)
    ]
    text = f"{caught.value} {caught.value.detail} {caught.value.__cause__}"
    assert not any(secret in text for secret in secrets)


def test_tokens_persist_across_adapters(
    connect: Callable[[], QuickBooksAdapter], store: MemoryTokenStore, sim: QuickBooksSimulator
) -> None:
    first = connect()
    customer_id = _created_customer(first)
    refreshes = sum(1 for r in sim.requests if r.path.endswith("/tokens/bearer"))
    second = connect()  # loads the stored token: no refresh needed
    assert second.get("customer", customer_id).external_id == customer_id
    assert sum(1 for r in sim.requests if r.path.endswith("/tokens/bearer")) == refreshes
    token = second.refresh()
    assert store.saved[-1] == token


def test_throttling_is_normalised_with_retry_after(
    adapter: QuickBooksAdapter, sim: QuickBooksSimulator
) -> None:
    customer_id = _created_customer(adapter)
    sim.add_fault(Fault(kind="throttle", seconds=3))
    with pytest.raises(RateLimitedError) as caught:
        adapter.get("customer", customer_id)
    assert caught.value.retry_after == 3
    sim.add_fault(Fault(kind="throttle"))
    with pytest.raises(RateLimitedError) as unsaid:
        adapter.get("customer", customer_id)
    assert unsaid.value.retry_after is None


def test_server_error_is_transient(adapter: QuickBooksAdapter, sim: QuickBooksSimulator) -> None:
    customer_id = _created_customer(adapter)
    sim.add_fault(Fault(kind="http_500"))
    with pytest.raises(TransientError):
        adapter.get("customer", customer_id)


def test_webhooks_through_the_adapter(adapter: QuickBooksAdapter) -> None:
    body = json.dumps(
        {
            "eventNotifications": [
                {
                    "realmId": REALM,
                    "dataChangeEvent": {
                        "entities": [{"name": "Invoice", "id": "12", "operation": "Update"}]
                    },
                }
            ]
        }
    ).encode()
    assert adapter.verify_webhook(body, {"intuit-signature": signature(body, VERIFIER)})
    assert not adapter.verify_webhook(body, {"intuit-signature": signature(body, "forged")})
    (notice,) = adapter.parse_webhook(body)
    assert (notice.entity, notice.external_id, notice.tenant) == ("invoice", "12", REALM)
