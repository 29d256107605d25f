"""The fault plan and ``Idempotency-Key`` replay: a retried write is applied once."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
import urllib3
from xero_python.accounting import (
    Account,
    AccountingApi,
    Contact,
    Contacts,
    Invoice,
    Invoices,
    LineItem,
    Payment,
    Payments,
)
from xero_python.exceptions import AccountingBadRequestException, ApiException, NotFoundException

from arcore_xero.simulator import Fault, XeroSimulator


def invoice_body(contact_id: str, amount: str = "10.00") -> Invoices:
    return Invoices(
        invoices=[
            Invoice(
                type="ACCREC",
                contact=Contact(contact_id=contact_id),
                line_items=[LineItem(description="x", unit_amount=Decimal(amount))],
                due_date=date(2026, 4, 1),
                status="AUTHORISED",
            )
        ]
    )


def test_same_key_same_body_replays_the_first_answer(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    contact = simulator.seed(tenant, "Contacts", {"Name": "Acme"})
    first = accounting.create_invoices(
        tenant, invoice_body(contact["ContactID"]), idempotency_key="key-1"
    )
    again = accounting.create_invoices(
        tenant, invoice_body(contact["ContactID"]), idempotency_key="key-1"
    )
    assert again.invoices[0].invoice_id == first.invoices[0].invoice_id
    assert len(simulator.objects(tenant, "Invoices")) == 1
    assert simulator.requests[-1].response_headers.get("Idempotent-Replayed") == "true"


def test_same_key_different_body_is_refused(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    contact = simulator.seed(tenant, "Contacts", {"Name": "Acme"})
    accounting.create_invoices(tenant, invoice_body(contact["ContactID"]), idempotency_key="k")
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.create_invoices(
            tenant, invoice_body(contact["ContactID"], "99.00"), idempotency_key="k"
        )
    assert "already used for a different request" in caught.value.reason
    assert len(simulator.objects(tenant, "Invoices")) == 1


def test_keys_are_per_tenant_and_distinct_keys_write_twice(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="A")]), idempotency_key="c")
    accounting.create_contacts("other", Contacts(contacts=[Contact(name="A")]), idempotency_key="c")
    accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="B")]), idempotency_key="d")
    assert len(simulator.objects(tenant, "Contacts")) == 2
    assert len(simulator.objects("other", "Contacts")) == 1


def test_overlong_key_is_refused(accounting: AccountingApi, tenant: str) -> None:
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.create_contacts(
            tenant, Contacts(contacts=[Contact(name="A")]), idempotency_key="k" * 129
        )
    assert "at most 128" in caught.value.reason


def dropped_payment(sim: XeroSimulator, accounting: AccountingApi, tenant: str) -> Payments:
    contact = sim.seed(tenant, "Contacts", {"Name": "Acme"})
    invoice = accounting.create_invoices(tenant, invoice_body(contact["ContactID"])).invoices[0]
    sim.add_fault(Fault("drop_after_commit", path_contains="/Payments", method="PUT"))
    return Payments(
        payments=[
            Payment(
                invoice=Invoice(invoice_id=invoice.invoice_id),
                account=Account(code="090"),
                amount=Decimal("4.00"),
                date=date(2026, 3, 3),
            )
        ]
    )


def test_dropped_answer_is_retried_by_urllib3_and_the_key_makes_it_once(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    payment = dropped_payment(simulator, accounting, tenant)
    # urllib3's default Retry resends a PUT whose connection dropped; the key replays it.
    created = accounting.create_payments(tenant, payment, idempotency_key="pay-1")
    puts = [r for r in simulator.requests if r.method == "PUT" and r.path.endswith("/Payments")]
    assert [r.status for r in puts] == [0, 200]
    assert puts[1].response_headers["Idempotent-Replayed"] == "true"
    stored = simulator.objects(tenant, "Payments")
    assert [p["PaymentID"] for p in stored] == [created.payments[0].payment_id]
    invoice_id = payment.payments[0].invoice.invoice_id
    assert accounting.get_invoice(tenant, invoice_id).invoices[0].amount_paid == Decimal("4.00")


def test_dropped_answer_without_a_key_pays_twice(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    payment = dropped_payment(simulator, accounting, tenant)
    accounting.create_payments(tenant, payment)
    # The hazard the Idempotency-Key exists for: the automatic resend wrote a second payment.
    assert len(simulator.objects(tenant, "Payments")) == 2


def test_http_500_and_503_write_nothing(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    simulator.add_faults(
        [Fault("http_500", method="PUT"), Fault("http_503", path_contains="/Contacts")]
    )
    with pytest.raises(ApiException) as first:
        accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="A")]))
    assert getattr(first.value, "status", None) == 500
    with pytest.raises(ApiException) as second:
        accounting.get_contacts(tenant)
    assert getattr(second.value, "status", None) == 503
    assert simulator.pending_faults == []
    assert accounting.get_contacts(tenant).contacts == []


def test_a_500_is_not_remembered_for_the_key(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    simulator.add_fault(Fault("http_500", method="PUT"))
    with pytest.raises(ApiException):
        accounting.create_contacts(
            tenant, Contacts(contacts=[Contact(name="A")]), idempotency_key="x"
        )
    created = accounting.create_contacts(
        tenant, Contacts(contacts=[Contact(name="A")]), idempotency_key="x"
    )
    assert created.contacts[0].name == "A"


def test_fault_matching_and_counting(simulator: XeroSimulator) -> None:
    fault = Fault("http_500", path_contains="/Invoices", method="get", times=2)
    simulator.add_fault(fault)
    assert fault.matches("GET", "/api.xro/2.0/Invoices")
    assert not fault.matches("PUT", "/api.xro/2.0/Invoices")
    assert not Fault("http_500").matches("POST", "/connect/token")
    assert simulator.pending_faults[0].times == 2
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="times"):
        Fault("latency", times=0)
    with pytest.raises(ValueError, match="rate-limit problem"):
        Fault("throttle", problem="hourly")


def test_latency_fault_delays_the_answer(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    accounting.get_contacts(tenant)
    simulator.add_fault(Fault("latency", seconds=0.05))
    started = time.monotonic()
    accounting.get_contacts(tenant)
    assert time.monotonic() - started >= 0.05


def test_faults_given_at_construction(tenant: str) -> None:
    with XeroSimulator(faults=[Fault("http_503")]) as sim:
        assert [f.kind for f in sim.pending_faults] == ["http_503"]


def test_malformed_body_is_a_400(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str, traffic: object
) -> None:
    accounting.get_contacts(tenant)  # a valid token
    token = next(
        r.headers["Authorization"] for r in simulator.requests if r.path.endswith("/Contacts")
    )
    with traffic.exempt(simulator, "a malformed body on purpose"):  # type: ignore[attr-defined]
        response = urllib3.request(
            "PUT",
            simulator.base_url + "/Contacts",
            body=b"{not json",
            headers={"Authorization": token, "xero-tenant-id": tenant},
        )
    assert response.status == 400
    assert response.json()["Type"] == "ValidationException"
    assert "not valid JSON" in response.json()["Elements"][0]["ValidationErrors"][0]["Message"]


def test_not_found_fault(simulator: XeroSimulator, accounting: AccountingApi, tenant: str) -> None:
    contact = simulator.seed(tenant, "Contacts", {"Name": "Acme"})
    simulator.add_fault(Fault("not_found", path_contains="/Contacts/"))
    with pytest.raises(NotFoundException):
        accounting.get_contact(tenant, contact["ContactID"])
    assert simulator.requests[-1].response_body == (
        b"The resource you're looking for cannot be found"
    )
    assert accounting.get_contact(tenant, contact["ContactID"]).contacts[0].name == "Acme"
