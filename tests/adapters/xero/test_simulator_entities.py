"""Contacts, invoices, credit notes, allocations and payments through the unmodified SDK."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from xero_python.accounting import (
    Account,
    AccountingApi,
    Allocation,
    Allocations,
    Bill,
    Contact,
    Contacts,
    CreditNote,
    CreditNotes,
    Invoice,
    Invoices,
    LineItem,
    Payment,
    PaymentDelete,
    Payments,
    PaymentTerm,
    PaymentTermType,
)
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from arcore_xero.simulator import XeroSimulator

if TYPE_CHECKING:
    from adapters.xero.conftest import SimClock, Traffic


def new_contact(
    accounting: AccountingApi, tenant: str, name: str = "Acme Ltd", terms_days: int | None = 30
) -> Contact:
    terms = (
        PaymentTerm(sales=Bill(day=terms_days, type=PaymentTermType.DAYSAFTERBILLDATE))
        if terms_days is not None
        else None
    )
    created = accounting.create_contacts(
        tenant, Contacts(contacts=[Contact(name=name, payment_terms=terms)])
    )
    return created.contacts[0]


def new_invoice(
    accounting: AccountingApi,
    tenant: str,
    contact_id: str,
    *,
    amount: str = "100.00",
    status: str = "AUTHORISED",
    quantity: str = "1",
    tax: str | None = None,
) -> Invoice:
    line = LineItem(
        description="Consulting",
        quantity=Decimal(quantity),
        unit_amount=Decimal(amount),
        account_code="200",
        tax_amount=Decimal(tax) if tax is not None else None,
    )
    created = accounting.create_invoices(
        tenant,
        Invoices(
            invoices=[
                Invoice(
                    type="ACCREC",
                    contact=Contact(contact_id=contact_id),
                    date=date(2026, 3, 1),
                    line_items=[line],
                    status=status,
                )
            ]
        ),
    )
    return created.invoices[0]


def new_credit_note(
    accounting: AccountingApi, tenant: str, contact_id: str, amount: str = "30.00"
) -> CreditNote:
    created = accounting.create_credit_notes(
        tenant,
        CreditNotes(
            credit_notes=[
                CreditNote(
                    type="ACCRECCREDIT",
                    contact=Contact(contact_id=contact_id),
                    date=date(2026, 3, 2),
                    line_items=[LineItem(description="Refund", unit_amount=Decimal(amount))],
                    status="AUTHORISED",
                )
            ]
        ),
    )
    return created.credit_notes[0]


def pay(
    accounting: AccountingApi, tenant: str, invoice_id: str, amount: str, **kwargs: object
) -> Payment:
    created = accounting.create_payments(
        tenant,
        Payments(
            payments=[
                Payment(
                    invoice=Invoice(invoice_id=invoice_id),
                    account=Account(code="090"),
                    amount=Decimal(amount),
                    date=date(2026, 3, 5),
                    reference="bank transfer",
                )
            ]
        ),
        **kwargs,
    )
    return created.payments[0]


# -- contacts ---------------------------------------------------------------------------------


def test_contact_with_payment_terms_round_trips(accounting: AccountingApi, tenant: str) -> None:
    created = new_contact(accounting, tenant, terms_days=45)
    fetched = accounting.get_contact(tenant, created.contact_id).contacts[0]
    assert fetched.name == "Acme Ltd"
    assert fetched.contact_status == "ACTIVE"
    assert fetched.payment_terms.sales.day == 45
    assert fetched.payment_terms.sales.type == PaymentTermType.DAYSAFTERBILLDATE
    assert fetched.updated_date_utc is not None


def test_put_refuses_a_duplicate_contact_name(accounting: AccountingApi, tenant: str) -> None:
    new_contact(accounting, tenant, name="Twin")
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="twin")]))
    assert "already assigned to another contact" in caught.value.reason
    assert len(accounting.get_contacts(tenant).contacts) == 1


def test_post_updates_a_contact_by_id_and_by_name(accounting: AccountingApi, tenant: str) -> None:
    created = new_contact(accounting, tenant, name="Initech")
    accounting.update_contact(
        tenant,
        created.contact_id,
        Contacts(contacts=[Contact(name="Initech", email_address="ap@initech.example")]),
    )
    accounting.update_or_create_contacts(
        tenant, Contacts(contacts=[Contact(name="Initech", contact_number="C-7")])
    )
    fetched = accounting.get_contact(tenant, created.contact_id).contacts[0]
    assert fetched.email_address == "ap@initech.example"
    assert fetched.contact_number == "C-7"
    assert len(accounting.get_contacts(tenant).contacts) == 1


def test_archived_contacts_are_listed_only_on_request(
    accounting: AccountingApi, tenant: str
) -> None:
    kept = new_contact(accounting, tenant, name="Kept")
    gone = new_contact(accounting, tenant, name="Gone")
    accounting.update_contact(
        tenant, gone.contact_id, Contacts(contacts=[Contact(contact_status="ARCHIVED")])
    )
    default = accounting.get_contacts(tenant).contacts
    everything = accounting.get_contacts(tenant, include_archived=True).contacts
    assert [c.contact_id for c in default] == [kept.contact_id]
    assert {c.contact_id for c in everything} == {kept.contact_id, gone.contact_id}


def test_unknown_contact_is_404(accounting: AccountingApi, tenant: str) -> None:
    with pytest.raises(NotFoundException):
        accounting.get_contact(tenant, "00000000-0000-0000-0000-000000000001")


# -- invoices ---------------------------------------------------------------------------------


def test_invoice_totals_and_due_date_from_contact_terms(
    accounting: AccountingApi, tenant: str
) -> None:
    contact = new_contact(accounting, tenant, terms_days=30)
    invoice = new_invoice(
        accounting, tenant, contact.contact_id, amount="10.50", quantity="3", tax="4.73"
    )
    assert invoice.type == "ACCREC"
    assert invoice.invoice_number == "INV-0001"
    assert invoice.status == "AUTHORISED"
    assert invoice.sub_total == Decimal("31.50")
    assert invoice.total_tax == Decimal("4.73")
    assert invoice.total == Decimal("36.23")
    assert invoice.amount_due == Decimal("36.23")
    assert invoice.amount_paid == 0
    assert invoice.date == date(2026, 3, 1)
    assert invoice.due_date == date(2026, 3, 31)
    assert invoice.contact.contact_id == contact.contact_id


def test_authorised_invoice_needs_a_due_date_without_terms(
    accounting: AccountingApi, tenant: str
) -> None:
    contact = new_contact(accounting, tenant, terms_days=None)
    with pytest.raises(AccountingBadRequestException) as caught:
        new_invoice(accounting, tenant, contact.contact_id)
    assert "Due Date" in caught.value.reason
    assert accounting.get_invoices(tenant).invoices == []


def test_draft_invoice_is_updated_then_authorised(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    draft = new_invoice(accounting, tenant, contact.contact_id, status="DRAFT")
    updated = accounting.update_invoice(
        tenant,
        draft.invoice_id,
        Invoices(
            invoices=[
                Invoice(
                    line_items=[LineItem(description="More", unit_amount=Decimal("250"))],
                    reference="PO-9",
                    status="AUTHORISED",
                )
            ]
        ),
    ).invoices[0]
    assert updated.status == "AUTHORISED"
    assert updated.total == Decimal("250.00")
    assert updated.reference == "PO-9"
    assert updated.invoice_number == draft.invoice_number


def test_invoice_numbers_are_unique(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    first = new_invoice(accounting, tenant, contact.contact_id)
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.create_invoices(
            tenant,
            Invoices(
                invoices=[
                    Invoice(
                        type="ACCREC",
                        contact=Contact(contact_id=contact.contact_id),
                        invoice_number=first.invoice_number,
                        line_items=[LineItem(description="x", unit_amount=Decimal(1))],
                    )
                ]
            ),
        )
    assert "must be unique" in caught.value.reason


def test_summarize_errors_false_keeps_the_valid_elements(
    accounting: AccountingApi, tenant: str
) -> None:
    contact = new_contact(accounting, tenant)
    good = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact.contact_id),
        line_items=[LineItem(description="ok", unit_amount=Decimal(5))],
    )
    bad = Invoice(type="ACCPAY", contact=Contact(contact_id=contact.contact_id))
    answer = accounting.create_invoices(
        tenant, Invoices(invoices=[good, bad]), summarize_errors=False
    )
    assert [i.has_errors for i in answer.invoices] == [False, True]
    assert "ACCREC" in answer.invoices[1].validation_errors[0].message
    assert len(accounting.get_invoices(tenant).invoices) == 1


def test_summarized_errors_write_nothing(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    good = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact.contact_id),
        line_items=[LineItem(description="ok", unit_amount=Decimal(5))],
    )
    bad = Invoice(type="ACCPAY", contact=Contact(contact_id=contact.contact_id))
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.create_invoices(tenant, Invoices(invoices=[good, bad]))
    assert caught.value.error_data["Type"] == "ValidationException"
    assert caught.value.error_data["Elements"][0]["ValidationErrors"]
    assert accounting.get_invoices(tenant).invoices == []


def test_voiding_an_invoice(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id)
    voided = accounting.update_invoice(
        tenant, invoice.invoice_id, Invoices(invoices=[Invoice(status="VOIDED")])
    ).invoices[0]
    assert voided.status == "VOIDED"
    assert voided.amount_due == 0


def test_document_naming_an_unknown_contact_creates_it(
    accounting: AccountingApi, tenant: str
) -> None:
    accounting.create_invoices(
        tenant,
        Invoices(
            invoices=[
                Invoice(
                    type="ACCREC",
                    contact=Contact(name="Walk-in customer"),
                    line_items=[LineItem(description="x", unit_amount=Decimal(9))],
                )
            ]
        ),
    )
    names = [c.name for c in accounting.get_contacts(tenant).contacts]
    assert names == ["Walk-in customer"]


# -- payments ---------------------------------------------------------------------------------


def test_payments_settle_an_invoice_and_a_reversal_reopens_it(
    accounting: AccountingApi, tenant: str
) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id, amount="100.00")
    first = pay(accounting, tenant, invoice.invoice_id, "40.00")
    second = pay(accounting, tenant, invoice.invoice_id, "60.00")
    paid = accounting.get_invoice(tenant, invoice.invoice_id).invoices[0]
    assert paid.status == "PAID"
    assert paid.amount_due == 0
    assert paid.amount_paid == Decimal("100.00")
    assert [p.payment_id for p in paid.payments] == [first.payment_id, second.payment_id]
    assert paid.fully_paid_on_date == date(2026, 3, 5)

    reversed_ = accounting.delete_payment(
        tenant, second.payment_id, PaymentDelete(status="DELETED")
    ).payments[0]
    assert reversed_.status == "DELETED"
    reopened = accounting.get_invoice(tenant, invoice.invoice_id).invoices[0]
    assert reopened.status == "AUTHORISED"
    assert reopened.amount_due == Decimal("60.00")
    assert [p.payment_id for p in reopened.payments] == [first.payment_id]
    listed = {p.payment_id: p.status for p in accounting.get_payments(tenant).payments}
    assert listed == {first.payment_id: "AUTHORISED", second.payment_id: "DELETED"}


def test_payment_read_back(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id)
    payment = pay(accounting, tenant, invoice.invoice_id, "25.00")
    fetched = accounting.get_payment(tenant, payment.payment_id).payments[0]
    assert fetched.amount == Decimal("25.00")
    assert fetched.invoice.invoice_id == invoice.invoice_id
    assert fetched.invoice.invoice_number == invoice.invoice_number
    assert fetched.account.code == "090"
    assert fetched.payment_type == "ACCRECPAYMENT"
    assert fetched.date == date(2026, 3, 5)
    assert fetched.reference == "bank transfer"


def test_overpayment_and_payment_on_a_draft_are_refused(
    accounting: AccountingApi, tenant: str
) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id, amount="10.00")
    draft = new_invoice(accounting, tenant, contact.contact_id, status="DRAFT")
    with pytest.raises(AccountingBadRequestException) as over:
        pay(accounting, tenant, invoice.invoice_id, "10.01")
    assert "exceeds the amount outstanding" in over.value.reason
    with pytest.raises(AccountingBadRequestException) as on_draft:
        pay(accounting, tenant, draft.invoice_id, "1.00")
    assert "AUTHORISED" in on_draft.value.reason
    assert accounting.get_payments(tenant).payments == []


def test_reversing_twice_is_refused(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id)
    payment = pay(accounting, tenant, invoice.invoice_id, "5.00")
    accounting.delete_payment(tenant, payment.payment_id, PaymentDelete(status="DELETED"))
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.delete_payment(tenant, payment.payment_id, PaymentDelete(status="DELETED"))
    assert "already been deleted" in caught.value.reason


def test_invoice_with_a_payment_cannot_be_voided(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id)
    pay(accounting, tenant, invoice.invoice_id, "5.00")
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.update_invoice(
            tenant, invoice.invoice_id, Invoices(invoices=[Invoice(status="VOIDED")])
        )
    assert "payment or credit note allocated" in caught.value.reason


# -- credit notes and allocations -------------------------------------------------------------


def test_credit_note_allocation_reduces_what_is_due(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id, amount="100.00")
    credit = new_credit_note(accounting, tenant, contact.contact_id, amount="30.00")
    assert credit.credit_note_number == "CN-0001"
    assert credit.remaining_credit == Decimal("30.00")
    allocation = accounting.create_credit_note_allocation(
        tenant,
        credit.credit_note_id,
        Allocations(
            allocations=[
                Allocation(
                    invoice=Invoice(invoice_id=invoice.invoice_id),
                    amount=Decimal("30.00"),
                    date=date(2026, 3, 6),
                )
            ]
        ),
    ).allocations[0]
    assert allocation.amount == Decimal("30.00")
    assert allocation.invoice.invoice_id == invoice.invoice_id
    after = accounting.get_invoice(tenant, invoice.invoice_id).invoices[0]
    assert after.amount_credited == Decimal("30.00")
    assert after.amount_due == Decimal("70.00")
    assert [c.credit_note_id for c in after.credit_notes] == [credit.credit_note_id]
    spent = accounting.get_credit_note(tenant, credit.credit_note_id).credit_notes[0]
    assert spent.remaining_credit == 0
    assert spent.status == "PAID"
    assert [a.amount for a in spent.allocations] == [Decimal("30.00")]


def test_allocation_beyond_the_remaining_credit_is_refused(
    accounting: AccountingApi, tenant: str
) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id, amount="100.00")
    credit = new_credit_note(accounting, tenant, contact.contact_id, amount="30.00")
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.create_credit_note_allocation(
            tenant,
            credit.credit_note_id,
            Allocations(
                allocations=[
                    Allocation(
                        invoice=Invoice(invoice_id=invoice.invoice_id),
                        amount=Decimal("30.01"),
                        date=date(2026, 3, 6),
                    )
                ]
            ),
        )
    assert "remaining credit" in caught.value.reason
    untouched = accounting.get_invoice(tenant, invoice.invoice_id).invoices[0]
    assert untouched.amount_due == Decimal("100.00")


def test_allocation_across_contacts_is_refused(accounting: AccountingApi, tenant: str) -> None:
    one = new_contact(accounting, tenant, name="One")
    other = new_contact(accounting, tenant, name="Other")
    invoice = new_invoice(accounting, tenant, one.contact_id)
    credit = new_credit_note(accounting, tenant, other.contact_id)
    with pytest.raises(AccountingBadRequestException) as caught:
        accounting.create_credit_note_allocation(
            tenant,
            credit.credit_note_id,
            Allocations(
                allocations=[
                    Allocation(
                        invoice=Invoice(invoice_id=invoice.invoice_id),
                        amount=Decimal("1.00"),
                        date=date(2026, 3, 6),
                    )
                ]
            ),
        )
    assert "same contact" in caught.value.reason


def test_refund_payment_on_a_credit_note(accounting: AccountingApi, tenant: str) -> None:
    contact = new_contact(accounting, tenant)
    credit = new_credit_note(accounting, tenant, contact.contact_id, amount="30.00")
    refund = accounting.create_payment(
        tenant,
        Payment(
            credit_note=CreditNote(credit_note_id=credit.credit_note_id),
            account=Account(code="090"),
            amount=Decimal("12.00"),
            date=date(2026, 3, 7),
        ),
    ).payments[0]
    assert refund.payment_type == "ARCREDITPAYMENT"
    after = accounting.get_credit_note(tenant, credit.credit_note_id).credit_notes[0]
    assert after.remaining_credit == Decimal("18.00")


# -- organisation, tenants --------------------------------------------------------------------


def test_organisation_gives_the_base_currency(accounting: AccountingApi, tenant: str) -> None:
    organisation = accounting.get_organisations(tenant).organisations[0]
    assert organisation.base_currency.value == "USD"


def test_tenants_are_separate(accounting: AccountingApi, tenant: str) -> None:
    new_contact(accounting, tenant, name="Only here")
    other = "9d0b3c1e-1111-4c2b-8a55-0b4f0e6d7c21"
    assert accounting.get_contacts(other).contacts == []
    assert [c.name for c in accounting.get_contacts(tenant).contacts] == ["Only here"]


def test_updated_date_follows_the_simulator_clock(
    accounting: AccountingApi, tenant: str, sim_clock: SimClock, simulator: XeroSimulator
) -> None:
    contact = new_contact(accounting, tenant)
    assert contact.updated_date_utc == sim_clock.now
    sim_clock.advance(minutes=20)  # within the 30-minute life of the access token
    accounting.update_contact(
        tenant, contact.contact_id, Contacts(contacts=[Contact(first_name="Ann")])
    )
    fetched = accounting.get_contact(tenant, contact.contact_id).contacts[0]
    assert fetched.updated_date_utc == sim_clock.now


def test_an_invoice_is_read_by_its_number_too(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str, traffic: Traffic
) -> None:
    contact = new_contact(accounting, tenant)
    invoice = new_invoice(accounting, tenant, contact.contact_id)
    # Xero's documentation allows the number in place of the id; the OpenAPI file types the path
    # parameter as a uuid, so this one exchange is not validated against it.
    with traffic.exempt(simulator, "InvoiceNumber in the InvoiceID path parameter"):
        by_number = accounting.get_invoice(tenant, invoice.invoice_number).invoices[0]
    assert by_number.invoice_id == invoice.invoice_id
