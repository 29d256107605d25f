"""Xero ``Contact`` (with its payment terms) ⇄ arcore [`Customer`][arcore.documents.Customer].

| Xero | arcore |
| --- | --- |
| ``ContactID`` | ``id`` (a Xero id) |
| ``Name`` | ``name`` |
| ``FirstName`` ``LastName``, ``EmailAddress``, the ``DEFAULT`` phone | ``contacts[0]`` |
| ``ContactPersons[]`` (``FirstName`` ``LastName``, ``EmailAddress``) | ``contacts[1:]`` |
| ``DefaultCurrency`` (else the organisation's base currency) | ``currency`` |
| ``PaymentTerms.Sales`` ``{Day, Type}`` | ``terms`` (Net 30 when unset) |
| ``ContactStatus`` ``ARCHIVED`` / ``GDPRREQUEST`` | a deleted record |

Xero has no payment-terms object: terms live on the contact (and on the organisation), so the
adapter reads no ``term`` entity and puts them on the customer. The four Xero term types are:

| ``PaymentTerms.Sales.Type`` | arcore terms |
| --- | --- |
| ``DAYSAFTERBILLDATE`` *n* | ``NetTerms(days=n)`` |
| ``DAYSAFTERBILLMONTH`` *n* | ``NetTerms(days=n, eom=True)`` |
| ``OFFOLLOWINGMONTH`` *n* | ``ProxTerms(day=n)`` |
| ``OFCURRENTMONTH`` *n* | none: refused (``XeroMappingError``) |

Xero terms have no early-payment discount, cutoff day or instalments: writing, a discount is
dropped, a ``ProxTerms`` cutoff is dropped and instalment terms are sent as Net their last
row's days (each loss is listed in the adapter's documentation). arcore fields Xero does not
keep (``aliases``, ``parent_id``, ``credit_limit``, ``bank_accounts``, ``tax_exempt``,
``resale_certificate``) are not sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from arcore.adapter import Record
from arcore.documents import Contact, Customer
from arcore.terms import InstallmentTerms, NetTerms, ProxTerms, Terms
from arcore_xero.mapping.common import (
    MappingContext,
    XeroMappingError,
    as_decimal,
    enum_text,
    version_of,
)

__all__ = ["contact_to_record", "record_to_contact", "terms_from_xero", "terms_to_xero"]

_GONE = frozenset({"ARCHIVED", "GDPRREQUEST"})


def terms_from_xero(day: object, kind: object) -> Terms:
    """The arcore terms for a Xero ``PaymentTerms.Sales`` ``{Day, Type}``.

    >>> str(terms_from_xero(30, "DAYSAFTERBILLDATE")), str(terms_from_xero(20, "OFFOLLOWINGMONTH"))
    ('Net 30', 'Net 20th Prox')

    Raises:
        XeroMappingError: ``OFCURRENTMONTH`` (no arcore terms mean it) or an unknown type.
    """
    text = enum_text(kind)
    number = as_decimal(day if day is not None else 0, "PaymentTerms.Sales.Day")
    days = int(number)
    try:
        if text == "DAYSAFTERBILLDATE":
            return NetTerms(days=days)
        if text == "DAYSAFTERBILLMONTH":
            return NetTerms(days=days, eom=True)
        if text == "OFFOLLOWINGMONTH":
            return ProxTerms(day=days)
    except ValueError as exc:
        raise XeroMappingError(
            f"payment terms {days} {text} are out of range",
            field="PaymentTerms.Sales.Day",
            value=days,
        ) from exc
    raise XeroMappingError(
        f"payment terms of type {text!r} have no arcore equivalent",
        hint="arcore has no 'day N of the invoice's own month' terms: give the contact "
        "DAYSAFTERBILLDATE, DAYSAFTERBILLMONTH or OFFOLLOWINGMONTH terms in Xero",
        field="PaymentTerms.Sales.Type",
        value=text,
    )


def terms_to_xero(terms: Terms) -> tuple[int, str]:
    """The Xero ``{Day, Type}`` for arcore terms (what Xero cannot say is dropped).

    >>> terms_to_xero(NetTerms(days=30, eom=True))
    (30, 'DAYSAFTERBILLMONTH')
    """
    if isinstance(terms, NetTerms):
        return terms.days, "DAYSAFTERBILLMONTH" if terms.eom else "DAYSAFTERBILLDATE"
    if isinstance(terms, ProxTerms):
        return terms.day, "OFFOLLOWINGMONTH"
    assert isinstance(terms, InstallmentTerms)
    return max(row.days for row in terms.rows), "DAYSAFTERBILLDATE"


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _person(first: object, last: object) -> str:
    return " ".join(part for part in (_text(first), _text(last)) if part)


def _phone(phones: Sequence[Any] | None) -> str | None:
    for phone in phones or []:
        if enum_text(getattr(phone, "phone_type", None)) in ("DEFAULT", ""):
            parts = [
                _text(getattr(phone, name, None))
                for name in ("phone_country_code", "phone_area_code", "phone_number")
            ]
            number = " ".join(part for part in parts if part)
            if number:
                return number
    return None


def _contacts(obj: Any, name: str) -> tuple[Contact, ...]:
    people: list[Contact] = []
    email = _text(obj.email_address) or None
    phone = _phone(obj.phones)
    main = _person(obj.first_name, obj.last_name)
    if email or phone or main:
        people.append(Contact(name=main or name, email=email, phone=phone))
    for person in obj.contact_persons or []:
        person_name = _person(person.first_name, person.last_name)
        person_email = _text(person.email_address) or None
        if person_name or person_email:
            people.append(Contact(name=person_name or str(person_email), email=person_email))
    return tuple(people)


def contact_to_record(obj: Any, context: MappingContext) -> Record:
    """A xero-python ``Contact`` as a ``customer`` record (deleted when archived).

    Raises:
        XeroMappingError: the contact has no id or name, or terms arcore cannot hold.
    """
    contact_id = _text(obj.contact_id)
    if not contact_id:
        raise XeroMappingError("a Xero contact without a ContactID", field="ContactID")
    version = version_of(obj.updated_date_utc)
    if enum_text(obj.contact_status) in _GONE:
        return Record(
            entity="customer",
            external_id=contact_id,
            version=version,
            updated_at=obj.updated_date_utc,
            deleted=True,
        )
    name = _text(obj.name)
    if not name:
        raise XeroMappingError(f"contact {contact_id} has no Name", field="Name")
    sales = getattr(obj.payment_terms, "sales", None) if obj.payment_terms else None
    terms = (
        terms_from_xero(sales.day, sales.type)
        if sales is not None and sales.type is not None
        else NetTerms(days=30)
    )
    customer = Customer(
        company_id=context.company_id,
        id=contact_id,
        external_ids={"xero": contact_id},
        name=name,
        currency=enum_text(obj.default_currency) or context.home_currency,
        terms=terms,
        contacts=_contacts(obj, name),
    )
    return Record(
        entity="customer",
        external_id=contact_id,
        version=version,
        updated_at=obj.updated_date_utc,
        document=customer,
    )


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last


def record_to_contact(record: Record, context: MappingContext) -> Any:
    """The xero-python ``Contact`` to send for a ``customer`` record.

    The first arcore contact becomes the contact's own person, email and phone; the next
    five its ``ContactPersons`` (Xero keeps five).
    """
    from xero_python.accounting.models import (
        Bill,
        ContactPerson,
        CurrencyCode,
        PaymentTerm,
        PaymentTermType,
        Phone,
    )
    from xero_python.accounting.models import Contact as XeroContact

    customer = record.document
    if not isinstance(customer, Customer):
        raise XeroMappingError("a customer record must hold a Customer", field="document")
    day, kind = terms_to_xero(customer.terms)
    try:
        currency = CurrencyCode(customer.currency)
    except ValueError as exc:
        raise XeroMappingError(
            f"Xero does not know the currency {customer.currency}",
            field="DefaultCurrency",
            value=customer.currency,
        ) from exc
    contact = XeroContact(
        name=customer.name,
        default_currency=currency,
        payment_terms=PaymentTerm(sales=Bill(day=day, type=PaymentTermType(kind))),
        is_customer=True,
    )
    if record.external_id is not None:
        contact.contact_id = record.external_id
    people = list(customer.contacts)
    if people:
        main = people[0]
        contact.first_name, contact.last_name = _split(main.name)
        contact.email_address = main.email or ""
        contact.phones = [Phone(phone_type="DEFAULT", phone_number=main.phone or "")]
    else:
        contact.first_name = contact.last_name = contact.email_address = ""
    persons = []
    for person in people[1:6]:
        first, last = _split(person.name)
        persons.append(
            ContactPerson(first_name=first, last_name=last, email_address=person.email or "")
        )
    contact.contact_persons = persons
    return contact
