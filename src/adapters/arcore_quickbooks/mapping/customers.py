"""QuickBooks ``Customer`` ⇄ arcore [`Customer`][arcore.documents.Customer].

| QuickBooks | arcore |
| --- | --- |
| ``Id`` | ``id`` (a QuickBooks id) |
| ``DisplayName`` | ``name`` |
| ``CompanyName`` (when not the display name) | ``aliases[0]`` |
| ``GivenName`` ``FamilyName``, ``PrimaryEmailAddr``, ``PrimaryPhone`` | ``contacts[0]`` |
| ``CurrencyRef`` (else the home currency) | ``currency`` |
| ``SalesTermRef`` (through the ``Term`` list) | ``terms`` (Net 30 when unset or unknown) |
| ``ParentRef`` | ``parent_id`` (a QuickBooks id) |
| ``Active: false`` | a deleted record: QuickBooks "deletes" a customer by deactivating it |
"""

from __future__ import annotations

from collections.abc import Mapping

from arcore.adapter import Record
from arcore.documents import Contact, Customer
from arcore_quickbooks.mapping.common import (
    JSON,
    MappingContext,
    QuickBooksMappingError,
    as_bool,
    currency_of,
    ref,
    ref_value,
    sync_token,
    updated_at,
)

__all__ = ["customer_to_record", "record_to_customer"]


def _text(obj: JSON, key: str, inner: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, Mapping):
        text = value.get(inner)
        if isinstance(text, str) and text.strip():
            return text.strip()
    return None


def _contact(obj: JSON, name: str) -> Contact | None:
    email = _text(obj, "PrimaryEmailAddr", "Address")
    phone = _text(obj, "PrimaryPhone", "FreeFormNumber")
    if email is None and phone is None:
        return None
    person = " ".join(
        part.strip()
        for part in (obj.get("GivenName"), obj.get("FamilyName"))
        if isinstance(part, str) and part.strip()
    )
    return Contact(name=person or name, email=email, phone=phone)


def customer_to_record(obj: JSON, context: MappingContext) -> Record:
    """A QuickBooks ``Customer`` as a ``customer`` record (deleted when inactive)."""
    customer_id = str(obj["Id"])
    version, changed = sync_token(obj), updated_at(obj)
    if obj.get("status") == "Deleted" or not as_bool(obj.get("Active"), default=True):
        return Record(
            entity="customer",
            external_id=customer_id,
            version=version,
            updated_at=changed,
            deleted=True,
        )
    name = str(obj.get("DisplayName") or "").strip()
    if not name:
        raise QuickBooksMappingError(
            f"customer {customer_id} has no DisplayName", field="DisplayName", value=name
        )
    company = str(obj.get("CompanyName") or "").strip()
    contact = _contact(obj, name)
    terms = context.terms_for(ref_value(obj, "SalesTermRef"))
    customer = Customer(
        company_id=context.company_id,
        id=customer_id,
        name=name,
        aliases=(company,) if company and company != name else (),
        parent_id=ref_value(obj, "ParentRef"),
        currency=currency_of(obj, context),
        contacts=(contact,) if contact is not None else (),
        external_ids={"quickbooks": customer_id},
    )
    if terms is not None:
        customer = customer.model_copy(update={"terms": terms})
    return Record(
        entity="customer",
        external_id=customer_id,
        version=version,
        updated_at=changed,
        document=customer,
    )


def record_to_customer(record: Record, context: MappingContext) -> JSON:
    """The QuickBooks ``Customer`` body for a ``customer`` record.

    The first alias becomes ``CompanyName``; the first contact's name, email and phone become
    ``GivenName`` and ``FamilyName`` (split at the last space), ``PrimaryEmailAddr`` and
    ``PrimaryPhone``. ``SalesTermRef`` is sent only when an active
    QuickBooks term means exactly the customer's terms.
    """
    customer = record.document
    if not isinstance(customer, Customer):
        raise QuickBooksMappingError("a customer record must hold a Customer", field="document")
    body: JSON = {
        "DisplayName": customer.name,
        "CurrencyRef": ref(customer.currency),
        "Active": True,
    }
    if customer.aliases:
        body["CompanyName"] = customer.aliases[0]
    if customer.contacts:
        contact = customer.contacts[0]
        given, _, family = contact.name.rpartition(" ")
        body["GivenName"], body["FamilyName"] = (given, family) if given else (family, "")
        if contact.email is not None:
            body["PrimaryEmailAddr"] = {"Address": contact.email}
        if contact.phone is not None:
            body["PrimaryPhone"] = {"FreeFormNumber": contact.phone}
    if customer.parent_id is not None:
        body["ParentRef"] = ref(customer.parent_id)
        body["Job"] = True
    term_id = context.term_id_for(customer.terms)
    if term_id is not None:
        body["SalesTermRef"] = ref(term_id)
    if record.external_id is not None:
        body["Id"] = record.external_id
    if record.version is not None:
        body["SyncToken"] = record.version
    return body
