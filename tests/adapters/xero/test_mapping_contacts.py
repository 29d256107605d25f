from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("xero_python")

from adapters.xero.xero_examples import example_models
from adapters.xero.xero_harness import CONTEXT, model
from arcore.adapter import Record
from arcore.documents import Contact, Customer
from arcore.terms import Discount, InstallmentRow, InstallmentTerms, NetTerms, ProxTerms
from arcore_xero.mapping.common import XeroMappingError
from arcore_xero.mapping.contacts import (
    contact_to_record,
    record_to_contact,
    terms_from_xero,
    terms_to_xero,
)

ID = "6d42f03b-181f-43e3-93fb-2025c012de92"


def _wire(customer: Customer) -> dict[str, Any]:
    from xero_python.api_client.serializer import serialize

    body: dict[str, Any] = serialize(
        record_to_contact(Record(entity="customer", external_id=ID, document=customer), CONTEXT)
    )
    return {**body, "UpdatedDateUTC": "/Date(1730000000000+0000)/", "ContactStatus": "ACTIVE"}


def _customer(**fields: Any) -> Customer:
    return Customer(company_id="acme", id=ID, external_ids={"xero": ID}, **fields)


def test_the_spec_examples_map_to_customers() -> None:
    katherine, lisa = (contact_to_record(obj, CONTEXT) for obj in example_models("customer"))
    assert isinstance(katherine.document, Customer)
    assert katherine.external_id == "5cc8cf28-567e-4d43-b287-687cfcaec47c"
    assert katherine.version == "2017-08-21T20:49:04.227+00:00"
    assert katherine.document.name == "Katherine Warren"
    assert katherine.document.currency == "USD"  # no DefaultCurrency: the base currency
    assert katherine.document.terms == NetTerms(days=30)  # no PaymentTerms
    assert katherine.document.contacts == (
        Contact(name="Katherine Warren", email="kat.warren@clampett.com", phone="(626) 847-1294"),
    )
    assert isinstance(lisa.document, Customer)
    assert lisa.document.contacts[0].email == "lparker@parkerandco.com"


@pytest.mark.parametrize(
    ("day", "kind", "terms"),
    [
        (30, "DAYSAFTERBILLDATE", NetTerms(days=30)),
        (0, "DAYSAFTERBILLDATE", NetTerms(days=0)),
        (15, "DAYSAFTERBILLMONTH", NetTerms(days=15, eom=True)),
        (20, "OFFOLLOWINGMONTH", ProxTerms(day=20)),
    ],
)
def test_xero_payment_terms_both_ways(day: int, kind: str, terms: Any) -> None:
    assert terms_from_xero(day, kind) == terms
    assert terms_to_xero(terms) == (day, kind)


def test_terms_of_the_current_month_are_refused_with_a_hint() -> None:
    with pytest.raises(XeroMappingError) as caught:
        terms_from_xero(25, "OFCURRENTMONTH")
    assert caught.value.field == "PaymentTerms.Sales.Type"
    assert caught.value.value == "OFCURRENTMONTH"
    assert "DAYSAFTERBILLDATE" in str(caught.value)


def test_what_xero_terms_cannot_say_is_dropped_on_the_way_out() -> None:
    assert terms_to_xero(NetTerms(days=30, discount=Discount(percent=2, days=10))) == (
        30,
        "DAYSAFTERBILLDATE",
    )
    assert terms_to_xero(ProxTerms(day=10, cutoff=25)) == (10, "OFFOLLOWINGMONTH")
    rows = (InstallmentRow(share=50, days=30), InstallmentRow(share=50, days=60))
    assert terms_to_xero(InstallmentTerms(rows=rows)) == (60, "DAYSAFTERBILLDATE")


def test_a_customer_round_trips_with_people_currency_and_terms() -> None:
    customer = _customer(
        name="Globex Corporation",
        currency="EUR",
        terms=NetTerms(days=14, eom=True),
        contacts=(
            Contact(name="Hank Scorpio", email="hank@globex.example", phone="+1 555 0100"),
            Contact(name="Mindy Simmons", email="mindy@globex.example"),
            Contact(name="Frank Grimes"),
        ),
    )
    back = contact_to_record(model("customer", _wire(customer)), CONTEXT)
    assert back.document == customer
    assert back.version == "2024-10-27T03:33:20.000+00:00"


def test_an_archived_contact_is_a_deleted_customer() -> None:
    wire = {**_wire(_customer(name="Gone Ltd", currency="USD")), "ContactStatus": "ARCHIVED"}
    record = contact_to_record(model("customer", wire), CONTEXT)
    assert record.deleted
    assert record.document is None
    assert record.external_id == ID


def test_a_contact_with_terms_arcore_cannot_hold_is_refused() -> None:
    wire = {
        **_wire(_customer(name="Odd Terms Ltd", currency="USD")),
        "PaymentTerms": {"Sales": {"Day": 25, "Type": "OFCURRENTMONTH"}},
    }
    with pytest.raises(XeroMappingError, match="OFCURRENTMONTH"):
        contact_to_record(model("customer", wire), CONTEXT)


@given(
    name=st.text(alphabet="abcdefghij KLMNOP&().-", min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool),
    days=st.integers(min_value=0, max_value=120),
    eom=st.booleans(),
)
def test_names_and_net_terms_round_trip(name: str, days: int, eom: bool) -> None:
    customer = _customer(name=name, currency="USD", terms=NetTerms(days=days, eom=eom))
    assert contact_to_record(model("customer", _wire(customer)), CONTEXT).document == customer
