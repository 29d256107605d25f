"""The Xero adapter against the simulator: what the conformance kit does not cover."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

pytest.importorskip("xero_python")

from adapters.xero.xero_harness import (
    TENANT,
    WEBHOOK_KEY,
    Clock,
    XeroHarness,
    adapter,
    connection,
)
from arcore.adapter import Applied
from arcore.documents import DocumentStatus, Invoice, Payment
from arcore.errors import (
    ConfigurationError,
    RateLimitedError,
    StaleVersionError,
    VendorAuthError,
    VendorNotFoundError,
    VendorValidationError,
)
from arcore.money import Money
from arcore.testing import MemoryTokenStore
from arcore_xero.adapter import PENDING, XeroAdapter
from arcore_xero.simulator import Fault, XeroSimulator


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[XeroSimulator]:
    with XeroSimulator(port=0, clock=clock) as simulator:
        yield simulator


@pytest.fixture
def tokens() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def xero(sim: XeroSimulator, tokens: MemoryTokenStore, clock: Clock) -> XeroAdapter:
    return adapter(sim, tokens, clock)


@pytest.fixture
def vendor(sim: XeroSimulator, clock: Clock) -> XeroHarness:
    return XeroHarness(sim, clock)


def _api_requests(sim: XeroSimulator, since: int = 0) -> list[object]:
    return [r for r in sim.requests[since:] if r.path.startswith("/api.xro/2.0/")]


def test_every_call_names_the_tenant_and_every_write_carries_the_idempotency_key(
    xero: XeroAdapter, vendor: XeroHarness, sim: XeroSimulator
) -> None:
    (sample,) = vendor.sample("customer", 1)
    xero.create(sample, idempotency_key="key-create-1")
    xero.list_changes("customer", cursor=None, page_size=100)
    requests = _api_requests(sim)
    assert {r.headers.get("xero-tenant-id") for r in requests} == {TENANT}  # type: ignore[attr-defined]
    (put,) = [r for r in requests if r.method == "PUT"]  # type: ignore[attr-defined]
    assert put.headers.get("Idempotency-Key") == "key-create-1"  # type: ignore[attr-defined]


def test_two_organisations_are_two_connections(
    sim: XeroSimulator, tokens: MemoryTokenStore, clock: Clock, vendor: XeroHarness
) -> None:
    vendor.seed("customer", 2)
    other = XeroAdapter(
        connection(sim, tokens, tenant="7e6d5c4b-3a29-4181-9f0e-1d2c3b4a5968"), clock=clock
    )
    assert other.list_changes("customer", cursor=None, page_size=100).records == ()
    mine = adapter(sim, tokens, clock).list_changes("customer", cursor=None, page_size=100)
    assert len(mine.records) == 2


def test_a_payment_not_yet_applied_waits_then_apply_creates_it(
    xero: XeroAdapter, vendor: XeroHarness, sim: XeroSimulator
) -> None:
    (sample,) = vendor.sample("payment", 1)
    applied = sample.applications or ()
    before = len(sim.objects(TENANT, "Payments"))
    pending = xero.create(
        sample.model_copy(update={"applications": ()}), idempotency_key="pay-create"
    )
    assert pending.external_id is not None
    assert pending.external_id.startswith(PENDING)
    assert len(sim.objects(TENANT, "Payments")) == before  # nothing Xero could hold
    with pytest.raises(VendorNotFoundError, match="waits in arcore"):
        xero.get("payment", pending.external_id)
    created = xero.apply(pending, applied, idempotency_key="pay-apply")
    assert created.external_id
    assert not created.external_id.startswith(PENDING)
    assert created.applications == applied
    again = xero.apply(pending, applied, idempotency_key="pay-apply")  # a repeat: same key
    assert again.external_id == created.external_id
    assert len(sim.objects(TENANT, "Payments")) == before + 1
    # Already paying its invoice: applying the same again changes nothing.
    assert xero.apply(created, applied, idempotency_key="pay-apply-2") == xero.get(
        "payment", created.external_id
    )


def test_a_payment_xero_cannot_hold_is_refused(xero: XeroAdapter, vendor: XeroHarness) -> None:
    (sample,) = vendor.sample("payment", 1)
    pending = xero.create(sample.model_copy(update={"applications": ()}), idempotency_key="k1")
    assert isinstance(pending.document, Payment)
    half = Applied(
        target_id=(sample.applications or ())[0].target_id,
        amount=Money("0.10", "USD"),
    )
    with pytest.raises(VendorValidationError, match="unapplied") as caught:
        xero.apply(pending, [half], idempotency_key="k2")
    assert caught.value.system == "xero"


def test_an_update_with_nothing_new_sends_nothing_and_a_stale_one_is_refused(
    xero: XeroAdapter, vendor: XeroHarness, sim: XeroSimulator
) -> None:
    (record,) = vendor.seed("invoice", 1)
    mark = len(sim.requests)
    assert xero.update(record, idempotency_key="same") == xero.get(
        "invoice", str(record.external_id)
    )
    assert [r for r in _api_requests(sim, mark) if r.method != "GET"] == []  # type: ignore[attr-defined]
    vendor.change_behind_adapter(record)
    assert isinstance(record.document, Invoice)
    edited = record.model_copy(
        update={"document": record.document.model_copy(update={"memo": "ours"})}
    )
    with pytest.raises(StaleVersionError):
        xero.update(edited, idempotency_key="stale")


def test_only_changed_fields_are_sent_to_an_invoice_with_a_payment(
    xero: XeroAdapter, vendor: XeroHarness, sim: XeroSimulator
) -> None:
    """Xero refuses new lines on an invoice with a payment; a new reference goes through."""
    invoice = vendor.invoice("100.00")
    sim.seed(
        TENANT,
        "Payments",
        {
            "Invoice": {"InvoiceID": invoice["InvoiceID"]},
            "Account": {"Code": "090"},
            "Date": "2026-10-21",
            "Amount": Decimal("40.00"),
        },
    )
    current = xero.get("invoice", invoice["InvoiceID"])
    assert isinstance(current.document, Invoice)
    assert current.document.status is DocumentStatus.PARTIALLY_PAID
    changed = current.model_copy(
        update={"document": current.document.model_copy(update={"memo": "PO 99"})}
    )
    mark = len(sim.requests)
    updated = xero.update(changed, idempotency_key="memo")
    assert isinstance(updated.document, Invoice)
    assert updated.document.memo == "PO 99"
    (post,) = [r for r in _api_requests(sim, mark) if r.method == "POST"]  # type: ignore[attr-defined]
    sent = json.loads(post.body)  # type: ignore[attr-defined]
    assert set(sent["Invoices"][0]) == {"InvoiceID", "Reference"}


def test_void_voids_an_authorised_invoice_and_deletes_a_draft(
    xero: XeroAdapter, vendor: XeroHarness
) -> None:
    (sample,) = vendor.sample("invoice", 1)
    created = xero.create(sample, idempotency_key="i1")
    voided = xero.void(created, idempotency_key="v1")
    assert isinstance(voided.document, Invoice)
    assert voided.document.status is DocumentStatus.VOID
    assert xero.void(created, idempotency_key="v1-again") == voided  # already void
    assert isinstance(sample.document, Invoice)
    draft = sample.model_copy(
        update={
            "document": sample.document.model_copy(
                update={"status": DocumentStatus.DRAFT, "number": "DRAFT-1"}
            )
        }
    )
    created = xero.create(draft, idempotency_key="i2")
    assert isinstance(created.document, Invoice)
    assert created.document.status is DocumentStatus.DRAFT
    assert xero.void(created, idempotency_key="v2").deleted
    with pytest.raises(VendorValidationError, match="does not delete"):
        xero.delete(created, idempotency_key="d")


def test_a_reversed_payment_reads_void(xero: XeroAdapter, vendor: XeroHarness) -> None:
    (payment,) = vendor.seed("payment", 1)
    reversed_ = xero.void(payment, idempotency_key="rev")
    assert isinstance(reversed_.document, Payment)
    assert reversed_.document.status is DocumentStatus.VOID
    assert reversed_.version != payment.version


def test_a_credit_note_is_allocated_what_the_engine_adds(
    xero: XeroAdapter, vendor: XeroHarness, sim: XeroSimulator
) -> None:
    (note,) = vendor.seed("credit_memo", 1)
    assert note.document is not None
    contact = note.document.customer_id  # type: ignore[union-attr]
    invoice = sim.seed(
        TENANT,
        "Invoices",
        {
            "Type": "ACCREC",
            "Contact": {"ContactID": contact},
            "Date": "2026-10-01",
            "DueDate": "2026-10-31",
            "Status": "AUTHORISED",
            "LineItems": [{"Description": "Hours", "Quantity": 1, "UnitAmount": Decimal("50.00")}],
        },
    )
    first = Applied(target_id=invoice["InvoiceID"], amount=Money("4.00", "USD"))
    after = xero.apply(note, [first], idempotency_key="a1")
    assert after.applications == (first,)
    second = Applied(target_id=invoice["InvoiceID"], amount=Money("5.50", "USD"))
    after = xero.apply(after, [second], idempotency_key="a2")
    assert sum((a.amount for a in after.applications or ()), Money.zero("USD")) == Money(
        "9.50", "USD"
    )
    (stored,) = [
        o for o in sim.objects(TENANT, "Invoices") if o["InvoiceID"] == invoice["InvoiceID"]
    ]
    assert Decimal(str(stored["AmountDue"])) == Decimal("40.50")


def test_a_spent_minute_is_waited_out_before_xero_refuses(
    tokens: MemoryTokenStore, clock: Clock
) -> None:
    with XeroSimulator(port=0, clock=clock, per_minute=3) as sim:
        xero = adapter(sim, tokens, clock)
        for _ in range(3):
            xero.list_changes("customer", cursor=None, page_size=10)
        calls = len(sim.requests)
        with pytest.raises(RateLimitedError) as caught:
            xero.list_changes("customer", cursor=None, page_size=10)
        assert len(sim.requests) == calls  # refused here, before Xero was asked
        assert caught.value.retry_after is not None
        assert 0 < caught.value.retry_after <= 60
        clock.now += timedelta(seconds=61)
        xero.list_changes("customer", cursor=None, page_size=10)
        assert [r.status for r in sim.requests].count(429) == 0


def test_an_expired_token_is_refreshed_once_and_saved(
    xero: XeroAdapter, tokens: MemoryTokenStore, sim: XeroSimulator
) -> None:
    xero.list_changes("customer", cursor=None, page_size=10)
    first = tokens.saved[-1]
    sim.expire_access_tokens()
    xero.list_changes("customer", cursor=None, page_size=10)
    assert tokens.saved[-1].access_token != first.access_token
    assert tokens.saved[-1].refresh_token != first.refresh_token  # rotated
    assert [r.status for r in sim.requests if "/api.xro/" in r.path].count(401) == 1
    sim.add_fault(Fault(kind="expire_token", times=2))
    with pytest.raises(VendorAuthError):
        xero.list_changes("customer", cursor=None, page_size=10)


def test_a_token_near_its_end_is_refreshed_before_the_call(
    xero: XeroAdapter, tokens: MemoryTokenStore, sim: XeroSimulator, clock: Clock
) -> None:
    xero.list_changes("customer", cursor=None, page_size=10)
    saves = len(tokens.saved)
    clock.now = tokens.saved[-1].expires_at - timedelta(seconds=30)
    xero.list_changes("customer", cursor=None, page_size=10)
    assert len(tokens.saved) == saves + 1
    assert 401 not in [r.status for r in sim.requests]


def test_without_tokens_or_settings(sim: XeroSimulator, clock: Clock) -> None:
    empty = connection(sim, MemoryTokenStore())
    no_bootstrap = empty.model_copy(
        update={"secrets": {k: v for k, v in empty.secrets.items() if k != "refresh_token"}}
    )
    with pytest.raises(VendorAuthError, match="no Xero tokens"):
        XeroAdapter(no_bootstrap, clock=clock).list_changes("customer", cursor=None, page_size=1)
    with pytest.raises(ConfigurationError, match="client_id"):
        XeroAdapter(empty.model_copy(update={"settings": {}}), clock=clock)
    with pytest.raises(ConfigurationError, match="not a Xero cursor"):
        XeroAdapter(empty, clock=clock).list_changes("customer", cursor="{}", page_size=1)


def test_a_listing_skips_bills_and_refunds(
    xero: XeroAdapter, vendor: XeroHarness, sim: XeroSimulator
) -> None:
    (note,) = vendor.seed("credit_memo", 1)
    sim.seed(
        TENANT,
        "Payments",
        {
            "CreditNote": {"CreditNoteID": note.external_id},
            "Account": {"Code": "090"},
            "Date": "2026-10-21",
            "Amount": Decimal("2.00"),
        },
    )
    (payment,) = vendor.seed("payment", 1)
    page = xero.list_changes("payment", cursor=None, page_size=100)
    assert [r.external_id for r in page.records] == [payment.external_id]


def test_records_carry_no_secret(
    xero: XeroAdapter, tokens: MemoryTokenStore, vendor: XeroHarness
) -> None:
    vendor.seed("customer", 1)
    page = xero.list_changes("customer", cursor=None, page_size=10)
    token = tokens.saved[-1]
    for text in (repr(xero), repr(page), repr(token), str(tokens)):
        assert token.access_token.get_secret_value() not in text
        assert token.refresh_token.get_secret_value() not in text


def test_the_simulators_deliveries_verify_and_name_what_changed(
    tokens: MemoryTokenStore, clock: Clock
) -> None:
    with XeroSimulator(port=0, clock=clock, webhook_key=WEBHOOK_KEY) as sim:
        xero = adapter(sim, tokens, clock)
        (sample,) = XeroHarness(sim, clock).sample("invoice", 1)
        created = xero.create(sample, idempotency_key="hooked")
        delivery = sim.webhook_delivery()
        assert xero.verify_webhook(delivery.body, delivery.headers)
        notices = xero.parse_webhook(delivery.body)
        assert ("invoice", created.external_id) in {(n.entity, n.external_id) for n in notices}
        assert {n.tenant for n in notices} == {TENANT}
        forged = {**delivery.headers, "x-xero-signature": "AAAA"}
        assert not xero.verify_webhook(delivery.body, forged)


def test_a_payment_update_from_the_engine_compares_all_but_its_invoice(
    xero: XeroAdapter, vendor: XeroHarness
) -> None:
    """The engine sends a payment without its applications: its invoice is not a change."""
    (payment,) = vendor.seed("payment", 1)
    assert isinstance(payment.document, Payment)
    bare = payment.model_copy(update={"applications": ()})
    assert xero.update(bare, idempotency_key="same") == xero.get(
        "payment", str(payment.external_id)
    )
    moved = bare.model_copy(
        update={"document": payment.document.model_copy(update={"reference": "new"})}
    )
    with pytest.raises(VendorValidationError, match="cannot change payment") as caught:
        xero.update(moved, idempotency_key="moved")
    assert "Reference" in str(caught.value)
