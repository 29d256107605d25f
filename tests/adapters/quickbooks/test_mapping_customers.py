from __future__ import annotations

from adapters.quickbooks.qbo_fixtures import entity
from arcore.adapter import NamedTerms, Record
from arcore.documents import Contact, Customer
from arcore.terms import NetTerms
from arcore_quickbooks.mapping.common import MappingContext
from arcore_quickbooks.mapping.customers import customer_to_record, record_to_customer

NET_15 = NamedTerms(id="2", name="Net 15", terms=NetTerms(days=15))
CONTEXT = MappingContext(company_id="acme", home_currency="USD", terms={"2": NET_15})


def test_real_customer_maps_name_contact_and_currency() -> None:
    record = customer_to_record(entity("customer.xml", "Customer"), CONTEXT)
    customer = record.document
    assert isinstance(customer, Customer)
    assert (record.external_id, record.version) == ("1", "1")
    assert customer.name == "Thrifty Meats"
    assert customer.currency == "GBP"
    assert customer.contacts == (
        Contact(name="John Doe", email="info@thriftymeats.com", phone="(415) 555-1212"),
    )
    fetched = customer_to_record(entity("fetch_customer_by_id.xml", "Customer"), CONTEXT)
    assert isinstance(fetched.document, Customer)
    assert fetched.document.currency == "USD"


def test_terms_parent_alias_and_round_trip() -> None:
    source = {
        "Id": "58",
        "SyncToken": "3",
        "DisplayName": "Blue Ox (Leeds)",
        "CompanyName": "Blue Ox Ltd",
        "PrimaryEmailAddr": {"Address": "ap@blueox.example"},
        "CurrencyRef": {"value": "GBP"},
        "SalesTermRef": {"value": "2"},
        "ParentRef": {"value": "57"},
        "Job": True,
        "Active": True,
    }
    record = customer_to_record(source, CONTEXT)
    customer = record.document
    assert isinstance(customer, Customer)
    assert customer.terms == NetTerms(days=15)
    assert customer.parent_id == "57"
    assert customer.aliases == ("Blue Ox Ltd",)
    body = record_to_customer(record, CONTEXT)
    for key in (
        "Id",
        "SyncToken",
        "DisplayName",
        "CompanyName",
        "PrimaryEmailAddr",
        "CurrencyRef",
        "SalesTermRef",
        "ParentRef",
    ):
        assert body[key] == source[key], key
    assert customer_to_record(body, CONTEXT).document == customer


def test_inactive_customer_is_a_deleted_record() -> None:
    record = customer_to_record({"Id": "9", "DisplayName": "Gone", "Active": False}, CONTEXT)
    assert record.deleted
    assert record.document is None


def test_terms_without_a_quickbooks_term_are_not_referenced() -> None:
    customer = Customer(company_id="acme", id="c", name="N", currency="USD", terms="Net 45")
    body = record_to_customer(
        Record(entity="customer", external_id=None, document=customer), CONTEXT
    )
    assert "SalesTermRef" not in body
    assert "Id" not in body
