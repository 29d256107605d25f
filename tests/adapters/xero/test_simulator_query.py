"""Listing: paging, ``If-Modified-Since``, ``where``, ``order`` and the id/status filters."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xero_python.accounting import AccountingApi, Contact, Contacts, Invoice, Invoices, LineItem
from xero_python.exceptions import AccountingBadRequestException

from arcore_xero.simulator import XeroSimulator
from arcore_xero.simulator.query import parse_order, parse_where, sort_records
from arcore_xero.simulator.wire import XeroError

if TYPE_CHECKING:
    from adapters.xero.conftest import SimClock, Traffic


def seed_contacts(sim: XeroSimulator, tenant: str, count: int) -> None:
    for index in range(count):
        sim.seed(tenant, "Contacts", {"Name": f"Customer {index:03d}"})


def test_pages_of_100_cover_every_contact_once(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    seed_contacts(simulator, tenant, 250)
    pages = [accounting.get_contacts(tenant, page=page) for page in (1, 2, 3, 4)]
    sizes = [len(p.contacts) for p in pages]
    assert sizes == [100, 100, 50, 0]
    assert pages[0].pagination.page_count == 3
    assert pages[0].pagination.item_count == 250
    names = [c.name for p in pages for c in p.contacts]
    assert names == [f"Customer {i:03d}" for i in range(250)]


def test_page_size_is_honoured(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    seed_contacts(simulator, tenant, 7)
    page = accounting.get_contacts(tenant, page=2, page_size=3)
    assert [c.name for c in page.contacts] == ["Customer 003", "Customer 004", "Customer 005"]
    assert page.pagination.page_size == 3
    assert page.pagination.page_count == 3


def test_without_page_everything_comes_back_unpaged(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    seed_contacts(simulator, tenant, 120)
    answer = accounting.get_contacts(tenant)
    assert len(answer.contacts) == 120
    assert answer.pagination is None


def test_if_modified_since_returns_only_later_changes(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str, sim_clock: SimClock
) -> None:
    old = accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Old")])).contacts[0]
    sim_clock.advance(minutes=10)
    mark = sim_clock.now
    sim_clock.advance(minutes=1)
    accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="New")]))
    since = accounting.get_contacts(tenant, if_modified_since=mark)
    assert [c.name for c in since.contacts] == ["New"]
    sim_clock.advance(minutes=1)
    accounting.update_contact(
        tenant, old.contact_id, Contacts(contacts=[Contact(email_address="old@example.com")])
    )
    since = accounting.get_contacts(tenant, if_modified_since=mark)
    assert sorted(c.name for c in since.contacts) == ["New", "Old"]
    changed = accounting.get_contacts(tenant, if_modified_since=sim_clock.now, page=1)
    assert [c.name for c in changed.contacts] == ["Old"]


def test_naive_if_modified_since_is_read_as_utc(
    simulator: XeroSimulator,
    accounting: AccountingApi,
    tenant: str,
    sim_clock: SimClock,
    traffic: Traffic,
) -> None:
    accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Early")]))
    sim_clock.advance(minutes=5)
    accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Late")]))
    naive = (sim_clock.now - timedelta(minutes=1)).replace(tzinfo=None)
    # xero-python sends datetime.isoformat(): a naive value has no offset, which the spec's
    # date-time format refuses; Xero (and the simulator) read it as UTC.
    with traffic.exempt(simulator, "naive If-Modified-Since is not an RFC 3339 date-time"):
        since = accounting.get_contacts(tenant, if_modified_since=naive)
    assert [c.name for c in since.contacts] == ["Late"]
    assert simulator.requests[-1].headers["If-Modified-Since"] == naive.isoformat()


def test_where_on_type_status_and_updated_date(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str, sim_clock: SimClock
) -> None:
    contact = simulator.seed(tenant, "Contacts", {"Name": "Acme"})
    for status in ("DRAFT", "AUTHORISED"):
        accounting.create_invoices(
            tenant,
            Invoices(
                invoices=[
                    Invoice(
                        type="ACCREC",
                        contact=Contact(contact_id=contact["ContactID"]),
                        due_date=datetime(2026, 4, 1).date(),
                        line_items=[LineItem(description="x", unit_amount=Decimal(10))],
                        status=status,
                        reference=status.lower(),
                    )
                ]
            ),
        )
        sim_clock.advance(minutes=5)
    authorised = accounting.get_invoices(tenant, where='Type=="ACCREC" AND Status=="AUTHORISED"')
    assert [i.reference for i in authorised.invoices] == ["authorised"]
    recent = accounting.get_invoices(tenant, where="UpdatedDateUTC>=DateTime(2026,03,02,09,32,00)")
    assert [i.reference for i in recent.invoices] == ["authorised"]
    by_contact = accounting.get_invoices(
        tenant, where=f'Contact.ContactID==Guid("{contact["ContactID"]}")'
    )
    assert len(by_contact.invoices) == 2
    newest_first = accounting.get_invoices(tenant, order="UpdatedDateUTC DESC")
    assert [i.reference for i in newest_first.invoices] == ["authorised", "draft"]


def test_id_and_status_filters(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    first = simulator.seed(tenant, "Contacts", {"Name": "A"})
    simulator.seed(tenant, "Contacts", {"Name": "B"})
    only = accounting.get_contacts(tenant, i_ds=[first["ContactID"]])
    assert [c.name for c in only.contacts] == ["A"]
    for status in ("DRAFT", "SUBMITTED"):
        simulator.seed(
            tenant,
            "Invoices",
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": first["ContactID"]},
                "Status": status,
                "LineItems": [{"Description": "x", "UnitAmount": 1}],
                "DueDate": "2026-04-01",
            },
        )
    drafts = accounting.get_invoices(tenant, statuses=["DRAFT"])
    assert [i.status for i in drafts.invoices] == ["DRAFT"]
    numbered = accounting.get_invoices(tenant, invoice_numbers=["INV-0002"])
    assert [i.status for i in numbered.invoices] == ["SUBMITTED"]


def test_unsupported_where_is_a_clear_400(accounting: AccountingApi, tenant: str) -> None:
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.get_contacts(tenant, where='Name.Contains("Ac")')
    assert "not supported by the simulator" in caught.value.reason
    with pytest.raises(AccountingBadRequestException) as order:
        accounting.get_contacts(tenant, order="Name SIDEWAYS")
    assert "order parameter" in order.value.reason


# -- the where/order language, directly ---------------------------------------------------------


def test_where_forms() -> None:
    record = {
        "Type": "ACCREC",
        "Status": "AUTHORISED",
        "Total": Decimal("12.50"),
        "IsCustomer": True,
        "UpdatedDateUTC": datetime(2026, 3, 2, 12, tzinfo=UTC),
        "Contact": {"ContactID": "ab-cd", "Name": "Acme"},
    }
    assert parse_where('type=="accrec"')(record) is False  # field names are case-sensitive
    assert parse_where('Type=="accrec"')(record)  # string values are not
    assert parse_where("Total>12 && IsCustomer==true")(record)
    assert parse_where('Status=="DRAFT" OR Status=="AUTHORISED"')(record)
    assert not parse_where('Status=="DRAFT" AND Status=="AUTHORISED"')(record)
    assert parse_where("UpdatedDateUTC>DateTime(2026,3,2,11,59,59)")(record)
    assert not parse_where("UpdatedDateUTC<DateTime(2026,3,2)")(record)
    assert parse_where('Contact.ContactID==Guid("AB-CD")')(record)
    assert parse_where("Reference==null")(record)
    for bad in ('Name.StartsWith("A")', "(Status==1)", "Status==", "Status=1", "Total 1"):
        with pytest.raises(XeroError) as caught:
            parse_where(bad)
        assert caught.value.status == 400


@given(
    st.lists(st.tuples(st.sampled_from(["a", "B", "c", None]), st.integers(-5, 5)), max_size=20),
    st.booleans(),
)
def test_order_sorts_like_python_and_keeps_every_record(
    rows: list[tuple[str | None, int]], descending: bool
) -> None:
    records = [{"Name": name, "N": Decimal(n), "Seq": i} for i, (name, n) in enumerate(rows)]
    keys = parse_order(f"N {'DESC' if descending else 'ASC'}, Name")
    ordered = sort_records(records, keys)
    assert sorted(r["Seq"] for r in ordered) == list(range(len(rows)))
    numbers = [r["N"] for r in ordered]
    assert numbers == sorted(numbers, reverse=descending)
    for before, after in itertools.pairwise(ordered):
        if before["N"] == after["N"]:
            assert (before["Name"] or "").lower() <= (after["Name"] or "").lower() or (
                before["Name"] is None
            )
