"""Seed data: the response examples of ``xero_accounting.yaml`` round-trip through the SDK."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from xero_python.accounting import AccountingApi

from adapters.xero.conftest import spec_file
from arcore_xero.simulator import XeroSimulator
from arcore_xero.simulator.examples import spec_examples


def test_the_examples_are_read_from_the_spec_as_written() -> None:
    examples = spec_examples(spec_file())
    assert set(examples) == {"Organisations", "Contacts", "Invoices", "CreditNotes", "Payments"}
    assert all(isinstance(v, list) and v for v in examples.values())
    # Timestamps stay strings and fractions are Decimal, as Xero writes them on the wire.
    invoice = examples["Invoices"][0]
    assert isinstance(invoice["Total"], Decimal)


def test_a_file_that_is_not_the_spec_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("openapi: 3.0.0\npaths: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no example for GET /Organisation"):
        spec_examples(other)


def test_seeded_examples_round_trip_through_the_sdk_models(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    simulator.seed_examples(tenant, spec_file())
    examples = spec_examples(spec_file())

    organisation = accounting.get_organisations(tenant).organisations[0]
    assert organisation.name == examples["Organisations"][0]["Name"]
    assert organisation.base_currency.value == "NZD"

    contacts = {c.contact_id: c for c in accounting.get_contacts(tenant).contacts}
    for example in examples["Contacts"]:
        contact = contacts[example["ContactID"]]
        assert contact.name == example["Name"]
        assert contact.email_address == example["EmailAddress"]
        assert contact.is_customer == example["IsCustomer"]
        assert len(contact.phones) == len(example["Phones"])
    assert {"Barney Rubble-83203", "Liam Gallagher"} <= {c.name for c in contacts.values()}

    invoices = {i.invoice_id: i for i in accounting.get_invoices(tenant).invoices}
    assert len(invoices) == len(examples["Invoices"])
    for example in examples["Invoices"]:
        invoice = invoices[example["InvoiceID"]]
        assert invoice.invoice_number == example["InvoiceNumber"]
        assert invoice.status == example["Status"]
        assert invoice.total == example["Total"]
        assert invoice.sub_total == example["SubTotal"]
        assert invoice.total_tax == example["TotalTax"]
        assert invoice.amount_due == example["AmountDue"]
        assert invoice.amount_paid == example["AmountPaid"]
        assert invoice.contact.contact_id == example["Contact"]["ContactID"]
        assert invoice.currency_code.value == example["CurrencyCode"]
        assert [p.payment_id for p in invoice.payments] == [
            p["PaymentID"] for p in example["Payments"]
        ]
    paid = invoices["046d8a6d-1ae1-4b4d-9340-5601bdf41b87"]
    assert paid.date == date(2018, 10, 20)
    assert paid.fully_paid_on_date == date(2018, 11, 29)

    credit = accounting.get_credit_notes(tenant).credit_notes
    assert [(c.credit_note_number, c.remaining_credit) for c in credit] == [
        ("CN-0005", Decimal("32.50"))
    ]
    payments = {p.payment_id: p for p in accounting.get_payments(tenant).payments}
    for example in examples["Payments"]:
        payment = payments[example["PaymentID"]]
        assert payment.amount == example["Amount"]
        assert payment.payment_type == example["PaymentType"]
        assert payment.account.code == example["Account"]["Code"]
        assert payment.invoice.invoice_number == example["Invoice"]["InvoiceNumber"]


def test_seed_examples_on_first_use(tenant: str) -> None:
    with XeroSimulator(seed_examples=spec_file()) as sim:
        invoices = sim.objects(tenant, "Invoices")
    assert [i["InvoiceNumber"] for i in invoices] == ["INV-0001", "INV-0002", "INV-0003"]


def test_seeded_history_keeps_updated_dates(simulator: XeroSimulator, tenant: str) -> None:
    simulator.seed_examples(tenant, spec_file())
    contact = next(
        c for c in simulator.objects(tenant, "Contacts") if c["Name"] == "Katherine Warren"
    )
    assert contact["UpdatedDateUTC"] == "/Date(1503348544227+0000)/"


def test_seed_refuses_what_the_api_would(simulator: XeroSimulator, tenant: str) -> None:
    from arcore_xero.simulator.wire import XeroError

    with pytest.raises(XeroError, match="contact name must be provided"):
        simulator.seed(tenant, "Contacts", {"EmailAddress": "x@example.com"})
    with pytest.raises(ValueError, match="unknown entity"):
        simulator.seed(tenant, "Items", {})
