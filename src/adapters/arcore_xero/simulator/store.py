"""The organisations (tenants) of the simulator and the Accounting API rules their objects follow.

Objects are kept as dicts named as on the wire but with Python values (``date``, ``datetime``,
``Decimal``). Amounts that follow from other objects (``AmountDue``, ``AmountPaid``,
``AmountCredited``, ``RemainingCredit``, the ``Payments``/``CreditNotes``/``Allocations`` shown on
a document) are derived when an object is shown, so they cannot drift. Every write works on a copy
of the tenant's books and replaces them only when the whole request succeeded (or, with
``summarizeErrors=false``, keeps the elements that succeeded), so a failed request leaves nothing
half-written.
"""

from __future__ import annotations

import calendar
import copy
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .query import Record, field_value, parse_order, parse_where, sort_records
from .wire import (
    JSONObject,
    XeroError,
    date_string,
    ms_date,
    not_found,
    parse_date,
    parse_datetime,
    utc_string,
    validation,
)

ENTITIES = ("Contacts", "Invoices", "CreditNotes", "Payments")
"""The collections served (URL segment = envelope key)."""
ID_FIELD = {
    "Contacts": "ContactID",
    "Invoices": "InvoiceID",
    "CreditNotes": "CreditNoteID",
    "Payments": "PaymentID",
}
"""The id field of each collection."""
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
CENT = Decimal("0.01")
TERM_TYPES = frozenset(
    {"DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH"}
)
LINE_AMOUNT_TYPES = {"exclusive": "Exclusive", "inclusive": "Inclusive", "notax": "NoTax"}
DOC_TYPE = {"Invoices": "ACCREC", "CreditNotes": "ACCRECCREDIT"}
NUMBER_FIELD = {"Invoices": "InvoiceNumber", "CreditNotes": "CreditNoteNumber"}
NUMBER_PREFIX = {"Invoices": "INV-", "CreditNotes": "CN-"}
# Document fields a client may set and the simulator keeps as given.
_DOC_PASSTHROUGH = (
    "Reference",
    "BrandingThemeID",
    "Url",
    "SentToContact",
    "ExpectedPaymentDate",
    "PlannedPaymentDate",
)
_CONTACT_READ_ONLY = frozenset(
    {
        "UpdatedDateUTC",
        "HasValidationErrors",
        "ValidationErrors",
        "Balances",
        "IsCustomer",
        "IsSupplier",
        "HasAttachments",
        "StatusAttributeString",
        "Website",
        "Discount",
    }
)
_STATUS_CHANGES = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": {"PAID"},
    "VOIDED": {"VOIDED"},
    "DELETED": {"DELETED"},
}


def money(value: Any, name: str, element: JSONObject | None = None) -> Decimal:
    """A JSON number (or numeric string) as a ``Decimal``.

    Raises:
        XeroError: HTTP 400 naming the field when ``value`` is not a number.
    """
    if isinstance(value, bool):
        raise validation(f"{name} must be a number, got {value!r}", element)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise validation(f"{name} must be a number, got {value!r}", element) from exc
    if not number.is_finite():
        raise validation(f"{name} must be a finite number, got {value!r}", element)
    return number


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded half-up to cents, as Xero shows document amounts."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def due_date(issued: date, terms: JSONObject) -> date:
    """The due date of a document issued on ``issued`` under ``{"Day": n, "Type": ...}`` terms.

    >>> due_date(date(2024, 1, 31), {"Day": 15, "Type": "OFFOLLOWINGMONTH"})
    datetime.date(2024, 2, 15)
    """
    day, kind = int(terms["Day"]), str(terms["Type"])
    if kind == "DAYSAFTERBILLDATE":
        return issued + timedelta(days=day)
    month_end = date(issued.year, issued.month, calendar.monthrange(issued.year, issued.month)[1])
    if kind == "DAYSAFTERBILLMONTH":
        return month_end + timedelta(days=day)
    if kind == "OFCURRENTMONTH":
        return issued.replace(day=min(day, month_end.day))
    following = month_end + timedelta(days=1)
    last = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(day, last))


@dataclass
class Books:
    """The objects of one organisation (snapshotted for an all-or-nothing write)."""

    contacts: dict[str, Record] = field(default_factory=dict)
    invoices: dict[str, Record] = field(default_factory=dict)
    credit_notes: dict[str, Record] = field(default_factory=dict)
    payments: dict[str, Record] = field(default_factory=dict)
    allocations: dict[str, Record] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    sequence: int = 0

    def collection(self, entity: str) -> dict[str, Record]:
        """The dict of ``entity`` (``Contacts``, ``Invoices``, ``CreditNotes``, ``Payments``)."""
        return {
            "Contacts": self.contacts,
            "Invoices": self.invoices,
            "CreditNotes": self.credit_notes,
            "Payments": self.payments,
        }[entity]

    def snapshot(self) -> Books:
        """A copy to write on: the collections are copied, the records shared.

        Writers never change a stored record in place; they store a changed copy, so a failed
        write leaves the original books as they were.
        """
        return Books(
            dict(self.contacts),
            dict(self.invoices),
            dict(self.credit_notes),
            dict(self.payments),
            dict(self.allocations),
            dict(self.numbers),
            self.sequence,
        )

    def next_sequence(self) -> int:
        """A number that orders objects by creation."""
        self.sequence += 1
        return self.sequence


@dataclass
class Tenant:
    """One organisation: its books, its ``Organisation`` record and its idempotent replies."""

    tenant_id: str
    organisation: JSONObject
    books: Books = field(default_factory=Books)
    # Idempotency-Key → (fingerprint of the request, status, headers, body)
    replies: dict[str, tuple[str, int, dict[str, str], bytes]] = field(default_factory=dict)
    connected: bool = True
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class ListQuery:
    """The parameters of a list request."""

    where: str = ""
    order: str = ""
    page: int | None = None
    page_size: int | None = None
    modified_since: datetime | None = None
    ids: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    contact_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    include_archived: bool = False


class Store:
    """Every tenant of the simulator; one lock guards them all."""

    def __init__(self, clock: Callable[[], datetime], base_currency: str = "USD") -> None:
        """Create an empty store reading time from ``clock``."""
        self.clock = clock
        self.base_currency = base_currency
        self.lock = threading.RLock()
        self.tenants: dict[str, Tenant] = {}

    # -- tenants ---------------------------------------------------------------------------

    def tenant(self, tenant_id: str) -> Tenant:
        """The tenant ``tenant_id``, created empty on first use (development mode)."""
        found = self.tenants.get(tenant_id)
        if found is None:
            now = self.clock()
            organisation: JSONObject = {
                "OrganisationID": _stable_uuid("organisation", tenant_id),
                "Name": f"Simulated organisation {tenant_id}",
                "LegalName": f"Simulated organisation {tenant_id}",
                "BaseCurrency": self.base_currency,
                "CountryCode": "US" if self.base_currency == "USD" else "NZ",
                "OrganisationType": "COMPANY",
                "OrganisationStatus": "ACTIVE",
                "IsDemoCompany": True,
                "Version": "US" if self.base_currency == "USD" else "NZ",
                "PaysTax": True,
                "CreatedDateUTC": now,
                "PaymentTerms": {},
            }
            found = self.tenants[tenant_id] = Tenant(tenant_id, organisation, created=now)
        return found

    # -- reading ---------------------------------------------------------------------------

    def get(self, tenant: Tenant, entity: str, object_id: str) -> JSONObject:
        """One object in wire form (``Decimal`` money, ``/Date()/`` dates).

        Raises:
            XeroError: HTTP 404 for an unknown id.
        """
        record = self._find(tenant.books, entity, object_id)
        if record is None:
            raise not_found()
        return _wire_object(self._show(tenant.books, entity, record))

    def list_objects(
        self, tenant: Tenant, entity: str, query: ListQuery
    ) -> tuple[list[JSONObject], JSONObject | None]:
        """The objects of ``entity`` a list request selects, and its ``pagination`` (if paged).

        Raises:
            XeroError: HTTP 400 for a ``where`` or ``order`` form that is not supported.
        """
        books = tenant.books
        matches = parse_where(query.where) if query.where else None
        keys = parse_order(query.order) if query.order else []
        shown: list[Record] = []
        records = sorted(books.collection(entity).values(), key=lambda r: int(r["_seq"]))
        links = _links(books) if entity != "Payments" else None
        for record in records:
            view = self._show(books, entity, record, links)
            if not self._selected(entity, view, query):
                continue
            if matches is not None and not matches(view):
                continue
            shown.append(view)
        shown = sort_records(shown, keys)
        pagination: JSONObject | None = None
        if query.page is not None:
            size = min(max(query.page_size or PAGE_SIZE, 1), MAX_PAGE_SIZE)
            page = max(query.page, 1)
            count = len(shown)
            pagination = {
                "page": page,
                "pageSize": size,
                "pageCount": (count + size - 1) // size,
                "itemCount": count,
            }
            shown = shown[(page - 1) * size : page * size]
        return [to_wire(view) for view in shown], pagination

    def _selected(self, entity: str, view: Record, query: ListQuery) -> bool:
        if query.modified_since is not None and view["UpdatedDateUTC"] < query.modified_since:
            return False
        id_field = ID_FIELD[entity]
        if query.ids and str(view[id_field]).lower() not in {i.lower() for i in query.ids}:
            return False
        if entity == "Contacts":
            return (
                query.include_archived or view.get("ContactStatus") != "ARCHIVED" or bool(query.ids)
            )
        if query.numbers and view.get(NUMBER_FIELD.get(entity, "")) not in query.numbers:
            return False
        contact = field_value(view, "Contact.ContactID")
        if query.contact_ids and str(contact).lower() not in {c.lower() for c in query.contact_ids}:
            return False
        return not (query.statuses and view.get("Status") not in query.statuses)

    def organisation(self, tenant: Tenant) -> JSONObject:
        """The ``Organisation`` record in wire form."""
        return _wire_object(tenant.organisation)

    # -- writing ---------------------------------------------------------------------------

    def write(
        self,
        tenant: Tenant,
        entity: str,
        items: list[Any],
        *,
        create_only: bool,
        summarize_errors: bool,
        path_id: str | None = None,
    ) -> list[JSONObject]:
        """Create (PUT) or create-or-update (POST) ``items`` of ``entity``; the shown results.

        With ``summarize_errors`` any failing element fails the whole request (HTTP 400 listing
        every failing element) and nothing is written; without it the elements that succeed are
        written and the failing ones come back with ``HasErrors``/``ValidationErrors``.

        Raises:
            XeroError: HTTP 400 (validation), 404 (``path_id`` unknown).
        """
        if path_id is not None:
            target = self._find(tenant.books, entity, path_id)
            if target is None:
                raise not_found()
            path_id = str(target[ID_FIELD[entity]])
        books = tenant.books.snapshot()
        results: list[tuple[str | None, JSONObject]] = []  # (id written, failed element)
        failures: list[JSONObject] = []
        for item in items:
            if not isinstance(item, dict):
                raise validation(f"each element of {entity} must be an object")
            if path_id is not None:
                item = {**item, ID_FIELD[entity]: path_id}
            attempt = books.snapshot()
            try:
                written = self._write_one(attempt, tenant, entity, item, create_only)
            except XeroError as exc:
                messages = [
                    error
                    for element in exc.elements
                    for error in element.get("ValidationErrors", [])
                ] or [{"Message": exc.message}]
                failed = {**_echo(item), "ValidationErrors": messages}
                failures.append(failed)
                results.append((None, failed))
                continue
            books = attempt
            results.append((written, {}))
        if failures and summarize_errors:
            raise XeroError(400, failures[0]["ValidationErrors"][0]["Message"], failures)
        tenant.books = books
        shown: list[JSONObject] = []
        for written_id, failed in results:
            if written_id is None:
                shown.append(
                    {**failed, "HasErrors": True, "StatusAttributeString": "ERROR"}
                    if entity in DOC_TYPE
                    else {**failed, "HasValidationErrors": True, "StatusAttributeString": "ERROR"}
                )
            else:
                record = books.collection(entity)[written_id]
                shown.append(to_wire(self._show(books, entity, record)))
        return shown

    def _write_one(
        self, books: Books, tenant: Tenant, entity: str, item: JSONObject, create_only: bool
    ) -> str:
        if entity == "Contacts":
            return self._write_contact(books, item, create_only)
        if entity in DOC_TYPE:
            return self._write_document(books, tenant, entity, item, create_only)
        if not create_only:
            raise validation(
                "payments are created with PUT /Payments; POST /Payments/{id} "
                'with {"Status": "DELETED"} reverses one'
            )
        return self._create_payment(books, item)

    def allocate(
        self, tenant: Tenant, credit_note_id: str, items: list[Any], *, summarize_errors: bool
    ) -> list[JSONObject]:
        """Allocate a credit note to invoices (``PUT /CreditNotes/{id}/Allocations``).

        Raises:
            XeroError: HTTP 404 for an unknown credit note; 400 for a refused allocation.
        """
        if credit_note_id not in tenant.books.credit_notes:
            raise not_found()
        books = tenant.books.snapshot()
        shown: list[JSONObject] = []
        failures: list[JSONObject] = []
        for item in items:
            attempt = books.snapshot()
            try:
                if not isinstance(item, dict):
                    raise validation("each allocation must be an object")
                allocation_id = self._allocate_one(attempt, credit_note_id, item)
            except XeroError as exc:
                failed = {
                    **_echo(item if isinstance(item, dict) else {}),
                    "ValidationErrors": [{"Message": exc.message}],
                    "StatusAttributeString": "ERROR",
                }
                failures.append(failed)
                shown.append(failed)
                continue
            books = attempt
            shown.append(to_wire(self._show_allocation(books, books.allocations[allocation_id])))
        if failures and summarize_errors:
            raise XeroError(400, failures[0]["ValidationErrors"][0]["Message"], failures)
        tenant.books = books
        return shown

    def delete_payment(self, tenant: Tenant, payment_id: str, body: Any) -> JSONObject:
        """Reverse a payment (``POST /Payments/{id}`` with ``{"Status": "DELETED"}``).

        Raises:
            XeroError: HTTP 404 for an unknown payment; 400 for any other body or a payment
                already deleted.
        """
        record = tenant.books.payments.get(payment_id)
        if record is None:
            raise not_found()
        status = body.get("Status") if isinstance(body, dict) else None
        if isinstance(body, dict) and isinstance(body.get("Payments"), list) and body["Payments"]:
            first = body["Payments"][0]
            status = first.get("Status") if isinstance(first, dict) else None
        if status != "DELETED":
            raise validation(
                'Payments can only be changed to {"Status": "DELETED"} (a reversal); '
                f"got Status {status!r}",
                {"PaymentID": payment_id},
            )
        if record["Status"] == "DELETED":
            raise validation("This payment has already been deleted", {"PaymentID": payment_id})
        books = tenant.books.snapshot()
        now = self.clock()
        payment = books.payments[payment_id] = dict(books.payments[payment_id])
        payment["Status"] = "DELETED"
        payment["UpdatedDateUTC"] = now
        payment["_rev"] = books.next_sequence()
        self._settle(books, payment["DocKind"], payment["DocID"], now)
        tenant.books = books
        return _wire_object(self._show(books, "Payments", payment))

    # -- seeding ---------------------------------------------------------------------------

    def seed(self, tenant: Tenant, entity: str, obj: JSONObject) -> JSONObject:
        """Load one object as it would be stored (ids, numbers, statuses and dates kept).

        Documents without line items keep the ``SubTotal``/``TotalTax``/``Total`` given (the
        spec's examples are such summaries). A payment's document must be seeded first.

        Raises:
            XeroError: HTTP 400 when ``obj`` is not valid for ``entity``.
        """
        if entity not in ENTITIES:
            raise ValueError(f"unknown entity {entity!r}; expected one of {ENTITIES}")
        books = tenant.books.snapshot()
        if entity == "Contacts":
            object_id = self._write_contact(books, obj, create_only=False, seeding=True)
        elif entity in DOC_TYPE:
            object_id = self._write_document(books, tenant, entity, obj, False, seeding=True)
        else:
            object_id = self._create_payment(books, obj, seeding=True)
        tenant.books = books
        return _wire_object(self._show(books, entity, books.collection(entity)[object_id]))

    # -- contacts --------------------------------------------------------------------------

    def _write_contact(
        self, books: Books, item: JSONObject, create_only: bool, *, seeding: bool = False
    ) -> str:
        element = _echo(item)
        contact_id = _text(item.get("ContactID"))
        name = _text(item.get("Name"))
        existing = books.contacts.get(contact_id.lower()) if contact_id else None
        if contact_id and existing is None and not seeding:
            if create_only:
                raise validation("ContactID must not be given when creating a contact", element)
            raise not_found()
        if existing is None and not contact_id and name and not create_only:
            existing = _by_name(books, name)
        if existing is not None and create_only and not seeding:
            raise validation(
                f"The contact name {existing['Name']} is already assigned to another contact. "
                "The contact name must be unique across all active contacts.",
                element,
            )
        record: Record = dict(existing) if existing is not None else {}
        if existing is None:
            if not name:
                raise validation("The contact name must be provided", element)
            record = {
                "ContactID": (contact_id or str(uuid.uuid4())).lower(),
                "ContactStatus": "ACTIVE",
                "_seq": books.next_sequence(),
            }
        for key, value in item.items():
            if key in _CONTACT_READ_ONLY or key == "ContactID" or value is None:
                continue
            record[key] = copy.deepcopy(value)
        if not _text(record.get("Name")):
            raise validation("The contact name must be provided", element)
        clash = _by_name(books, str(record["Name"]))
        if clash is not None and clash["ContactID"] != record["ContactID"]:
            raise validation(
                f"The contact name {record['Name']} is already assigned to another contact. "
                "The contact name must be unique across all active contacts.",
                element,
            )
        if record.get("ContactStatus") not in ("ACTIVE", "ARCHIVED", "GDPRREQUEST"):
            raise validation(
                f"ContactStatus must be ACTIVE or ARCHIVED, got {record.get('ContactStatus')!r}",
                element,
            )
        terms = record.get("PaymentTerms")
        if terms is not None:
            record["PaymentTerms"] = _payment_terms(terms, element)
        record["UpdatedDateUTC"] = (
            _seed_time(item) if seeding and item.get("UpdatedDateUTC") else self.clock()
        )
        record["_rev"] = books.next_sequence()
        if seeding:
            for flag in ("IsCustomer", "IsSupplier"):
                if flag in item:
                    record[f"_{flag}"] = bool(item[flag])
        books.contacts[str(record["ContactID"])] = record
        return str(record["ContactID"])

    # -- invoices and credit notes ---------------------------------------------------------

    def _write_document(
        self,
        books: Books,
        tenant: Tenant,
        entity: str,
        item: JSONObject,
        create_only: bool,
        *,
        seeding: bool = False,
    ) -> str:
        element = _echo(item)
        id_field, number_field, doc_type = ID_FIELD[entity], NUMBER_FIELD[entity], DOC_TYPE[entity]
        collection = books.collection(entity)
        given_id = _text(item.get(id_field)).lower()
        existing = collection.get(given_id) if given_id else None
        if given_id and existing is None and not seeding:
            if create_only:
                raise validation(f"{id_field} must not be given when creating", element)
            raise not_found()
        number = _text(item.get(number_field))
        if existing is None and not given_id and number and not create_only:
            existing = next((r for r in collection.values() if r[number_field] == number), None)
        kind = _text(item.get("Type")) or (existing or {}).get("Type") or ""
        if kind != doc_type:
            raise validation(
                f"Type must be {doc_type} (the simulator serves sales documents only), "
                f"got {kind or 'nothing'}",
                element,
            )
        now = self.clock()
        if existing is None:
            record: Record = {
                id_field: given_id or str(uuid.uuid4()),
                "Type": doc_type,
                "Status": "DRAFT",
                "LineAmountTypes": "Exclusive",
                "LineItems": [],
                "CurrencyCode": tenant.organisation["BaseCurrency"],
                "CurrencyRate": Decimal("1"),
                "Date": now.date(),
                "DueDate": None,
                "_totals_from_lines": True,
                "_seq": books.next_sequence(),
            }
            old_status = None
        else:
            record = copy.deepcopy(existing)
            old_status = str(existing["Status"])
            if old_status in ("PAID", "VOIDED", "DELETED") and not seeding:
                raise validation(
                    f"This document cannot be edited as its status is {old_status}", element
                )
        record.update(self._document_fields(books, item, element, seeding))
        if "ContactID" not in record:
            raise validation("A Contact must be specified for this type of transaction", element)
        if existing is None or number:
            record[number_field] = number or self._next_number(books, entity)
        clash = next(
            (
                r
                for r in collection.values()
                if r[number_field] == record[number_field] and r[id_field] != record[id_field]
            ),
            None,
        )
        if clash is not None and not seeding:
            raise validation(f"{_label(entity)} # must be unique.", element)
        status = _text(item.get("Status")) or str(record["Status"])
        if not seeding:
            allowed = (
                _STATUS_CHANGES["DRAFT"] - {"DELETED"}
                if old_status is None
                else (_STATUS_CHANGES[old_status])
            )
            if status not in allowed:
                raise validation(
                    f"{_label(entity)} status cannot change from {old_status or 'new'} to {status}",
                    element,
                )
            settled = self._applied(books, entity, str(record[id_field]))
            if (
                old_status == "AUTHORISED"
                and settled
                and (status == "VOIDED" or "LineItems" in item)
            ):
                raise validation(
                    "This document cannot be edited or voided as it has a payment or credit "
                    "note allocated to it.",
                    element,
                )
        record["Status"] = status
        if record.get("DueDate") is None and entity == "Invoices":
            contact = books.contacts.get(str(record["ContactID"]))
            terms = field_value(contact or {}, "PaymentTerms.Sales") or field_value(
                tenant.organisation, "PaymentTerms.Sales"
            )
            if isinstance(terms, dict) and "Day" in terms and "Type" in terms:
                record["DueDate"] = due_date(record["Date"], terms)
            elif status in ("SUBMITTED", "AUTHORISED") and not seeding:
                raise validation(
                    "Due Date is required (give DueDate, or payment terms on the contact)",
                    element,
                )
        if status in ("SUBMITTED", "AUTHORISED") and not record["LineItems"] and not seeding:
            raise validation("At least one line item is required to approve a document", element)
        record["UpdatedDateUTC"] = (
            _seed_time(item) if seeding and item.get("UpdatedDateUTC") else now
        )
        record["_rev"] = books.next_sequence()
        collection[str(record[id_field])] = record
        return str(record[id_field])

    def _document_fields(
        self, books: Books, item: JSONObject, element: JSONObject, seeding: bool
    ) -> Record:
        fields: Record = {}
        contact = item.get("Contact")
        if contact is not None:
            fields["ContactID"] = self._contact_ref(books, contact, element)
        for name in ("Date", "DueDate"):
            if item.get(name):
                fields[name] = _date(item[name], name, element)
        if item.get("LineAmountTypes"):
            text = str(item["LineAmountTypes"])
            if text.lower() not in LINE_AMOUNT_TYPES:
                raise validation(
                    f"LineAmountTypes must be Exclusive, Inclusive or NoTax, got {text!r}",
                    element,
                )
            fields["LineAmountTypes"] = LINE_AMOUNT_TYPES[text.lower()]
        if item.get("CurrencyCode"):
            fields["CurrencyCode"] = str(item["CurrencyCode"])
        if item.get("CurrencyRate") not in (None, ""):
            rate = money(item["CurrencyRate"], "CurrencyRate", element)
            if rate <= 0:
                raise validation("CurrencyRate must be positive", element)
            fields["CurrencyRate"] = rate
        for name in _DOC_PASSTHROUGH:
            if name in item and item[name] is not None:
                fields[name] = item[name]
        if "LineItems" in item and item["LineItems"] is not None:
            lines = item["LineItems"]
            if not isinstance(lines, list):
                raise validation("LineItems must be a list", element)
            fields["LineItems"] = [_line(line, element) for line in lines]
        if seeding and not fields.get("LineItems"):
            # The spec's examples are summaries: no lines, totals given.
            fields["_totals_from_lines"] = False
            for name in ("SubTotal", "TotalTax", "Total"):
                fields[f"_{name}"] = money(item.get(name, 0), name, element)
        elif "LineItems" in fields:
            fields["_totals_from_lines"] = True
        return fields

    def _contact_ref(self, books: Books, contact: Any, element: JSONObject) -> str:
        if not isinstance(contact, dict):
            raise validation("Contact must be an object with ContactID or Name", element)
        contact_id = _text(contact.get("ContactID")).lower()
        if contact_id:
            if contact_id not in books.contacts:
                raise validation(f"The contact with ContactID {contact_id} does not exist", element)
            return contact_id
        name = _text(contact.get("Name"))
        if not name:
            raise validation("A Contact must have a ContactID or a Name", element)
        found = _by_name(books, name)
        if found is not None:
            return str(found["ContactID"])
        # As Xero does: a document naming an unknown contact creates it.
        return self._write_contact(books, {"Name": name}, create_only=True)

    def _next_number(self, books: Books, entity: str) -> str:
        collection = books.collection(entity)
        taken = {r[NUMBER_FIELD[entity]] for r in collection.values()}
        while True:
            books.numbers[entity] = books.numbers.get(entity, 0) + 1
            candidate = f"{NUMBER_PREFIX[entity]}{books.numbers[entity]:04d}"
            if candidate not in taken:
                return candidate

    def _applied(self, books: Books, entity: str, doc_id: str) -> bool:
        kind = "Invoice" if entity == "Invoices" else "CreditNote"
        paid = any(
            p["DocKind"] == kind and p["DocID"] == doc_id and p["Status"] != "DELETED"
            for p in books.payments.values()
        )
        key = "InvoiceID" if entity == "Invoices" else "CreditNoteID"
        return paid or any(a[key] == doc_id for a in books.allocations.values())

    # -- payments and allocations ----------------------------------------------------------

    def _document_ref(self, books: Books, item: JSONObject, element: JSONObject) -> tuple[str, str]:
        for kind, collection, id_field, number_field in (
            ("Invoice", books.invoices, "InvoiceID", "InvoiceNumber"),
            ("CreditNote", books.credit_notes, "CreditNoteID", "CreditNoteNumber"),
        ):
            ref = item.get(kind)
            if not isinstance(ref, dict):
                continue
            ref_id = _text(ref.get(id_field)).lower()
            number = _text(ref.get(number_field))
            if not ref_id and kind == "CreditNote":
                ref_id = _text(ref.get("InvoiceID")).lower()
            for record in collection.values():
                if (ref_id and record[id_field] == ref_id) or (
                    not ref_id and number and record[number_field] == number
                ):
                    return kind, str(record[id_field])
            raise validation(f"{kind} {ref_id or number or '(no id)'} could not be found", element)
        raise validation(
            "A payment must reference an Invoice (InvoiceID or InvoiceNumber) or a CreditNote",
            element,
        )

    def _create_payment(self, books: Books, item: JSONObject, *, seeding: bool = False) -> str:
        element = _echo(item)
        kind, doc_id = self._document_ref(books, item, element)
        document = (books.invoices if kind == "Invoice" else books.credit_notes)[doc_id]
        payment_id = _text(item.get("PaymentID")).lower()
        if payment_id and not seeding:
            raise validation("PaymentID must not be given when creating a payment", element)
        if "Amount" not in item:
            raise validation("Amount is required", element)
        amount = cents(money(item["Amount"], "Amount", element))
        if amount <= 0:
            raise validation("Payment amount must be greater than zero", element)
        account = item.get("Account")
        if not isinstance(account, dict) or not (account.get("Code") or account.get("AccountID")):
            raise validation("An Account (Code or AccountID) is required for a payment", element)
        if not seeding:
            if document["Status"] != "AUTHORISED":
                raise validation(
                    f"Payment can only be made against an AUTHORISED document, "
                    f"this one is {document['Status']}",
                    element,
                )
            outstanding = self._outstanding(books, kind, doc_id)
            if amount > outstanding:
                raise validation(
                    "Payment amount exceeds the amount outstanding on this document "
                    f"({outstanding})",
                    element,
                )
        now = self.clock()
        code = _text(account.get("Code"))
        record: Record = {
            "PaymentID": payment_id or str(uuid.uuid4()),
            "DocKind": kind,
            "DocID": doc_id,
            "Date": _date(item["Date"], "Date", element) if item.get("Date") else now.date(),
            "Amount": amount,
            "CurrencyRate": money(item.get("CurrencyRate") or 1, "CurrencyRate", element),
            "Reference": _text(item.get("Reference")),
            "Status": "AUTHORISED",
            "IsReconciled": bool(item.get("IsReconciled", False)),
            "Account": {
                "AccountID": (_text(account.get("AccountID")) or _stable_uuid("account", code)),
                **({"Code": code} if code else {}),
            },
            "UpdatedDateUTC": _seed_time(item) if seeding and item.get("UpdatedDateUTC") else now,
            "_seq": books.next_sequence(),
        }
        record["_rev"] = record["_seq"]
        if seeding and item.get("Status") == "DELETED":
            record["Status"] = "DELETED"
        books.payments[str(record["PaymentID"])] = record
        self._settle(books, kind, doc_id, now, touch=not seeding)
        return str(record["PaymentID"])

    def _allocate_one(self, books: Books, credit_note_id: str, item: JSONObject) -> str:
        element = _echo(item)
        credit = books.credit_notes[credit_note_id]
        invoice_ref = item.get("Invoice")
        invoice_id = (
            _text(invoice_ref.get("InvoiceID")).lower() if isinstance(invoice_ref, dict) else ""
        )
        invoice = books.invoices.get(invoice_id)
        if invoice is None:
            raise validation(
                f"Invoice {invoice_id or '(no InvoiceID)'} could not be found", element
            )
        if "Amount" not in item:
            raise validation("Amount is required", element)
        amount = cents(money(item["Amount"], "Amount", element))
        if amount <= 0:
            raise validation("Allocation amount must be greater than zero", element)
        if credit["Status"] != "AUTHORISED" or invoice["Status"] != "AUTHORISED":
            raise validation(
                "Allocations can only be made between an AUTHORISED credit note and an "
                f"AUTHORISED invoice (credit note {credit['Status']}, invoice "
                f"{invoice['Status']})",
                element,
            )
        if credit["ContactID"] != invoice["ContactID"]:
            raise validation(
                "The credit note and the invoice must be for the same contact", element
            )
        if credit["CurrencyCode"] != invoice["CurrencyCode"]:
            raise validation(
                "The credit note and the invoice must be in the same currency", element
            )
        remaining = self._outstanding(books, "CreditNote", credit_note_id)
        if amount > remaining:
            raise validation(
                f"The amount allocated ({amount}) exceeds the remaining credit ({remaining})",
                element,
            )
        due = self._outstanding(books, "Invoice", invoice_id)
        if amount > due:
            raise validation(
                f"The amount allocated ({amount}) exceeds the amount due on the invoice ({due})",
                element,
            )
        now = self.clock()
        allocation_id = str(uuid.uuid4())
        books.allocations[allocation_id] = {
            "AllocationID": allocation_id,
            "CreditNoteID": credit_note_id,
            "InvoiceID": invoice_id,
            "Amount": amount,
            "Date": _date(item["Date"], "Date", element) if item.get("Date") else now.date(),
            "_seq": books.next_sequence(),
        }
        self._settle(books, "CreditNote", credit_note_id, now)
        self._settle(books, "Invoice", invoice_id, now)
        return allocation_id

    def _totals(self, record: Record) -> tuple[Decimal, Decimal, Decimal]:
        if not record.get("_totals_from_lines", True):
            return record["_SubTotal"], record["_TotalTax"], record["_Total"]
        kinds = record["LineAmountTypes"]
        lines = record["LineItems"]
        line_sum = sum((line["LineAmount"] for line in lines), Decimal(0))
        tax = (
            Decimal(0)
            if kinds == "NoTax"
            else sum((line.get("TaxAmount", Decimal(0)) for line in lines), Decimal(0))
        )
        if kinds == "Inclusive":
            return cents(line_sum - tax), cents(tax), cents(line_sum)
        return cents(line_sum), cents(tax), cents(line_sum + tax)

    def _outstanding(self, books: Books, kind: str, doc_id: str) -> Decimal:
        if kind == "Invoice":
            record = books.invoices[doc_id]
            credited = sum(
                (a["Amount"] for a in books.allocations.values() if a["InvoiceID"] == doc_id),
                Decimal(0),
            )
        else:
            record = books.credit_notes[doc_id]
            credited = sum(
                (a["Amount"] for a in books.allocations.values() if a["CreditNoteID"] == doc_id),
                Decimal(0),
            )
        paid = sum(
            (
                p["Amount"]
                for p in books.payments.values()
                if p["DocKind"] == kind and p["DocID"] == doc_id and p["Status"] != "DELETED"
            ),
            Decimal(0),
        )
        return self._totals(record)[2] - paid - credited

    def _settle(
        self, books: Books, kind: str, doc_id: str, now: datetime, *, touch: bool = True
    ) -> None:
        """PAID when nothing is outstanding, AUTHORISED again when a reversal reopens it."""
        collection = books.invoices if kind == "Invoice" else books.credit_notes
        record = collection[doc_id] = dict(collection[doc_id])  # copy on write
        outstanding = self._outstanding(books, kind, doc_id)
        if record["Status"] == "AUTHORISED" and outstanding == 0:
            record["Status"] = "PAID"
        elif record["Status"] == "PAID" and outstanding > 0:
            record["Status"] = "AUTHORISED"
        if touch:
            record["UpdatedDateUTC"] = now
            record["_rev"] = books.next_sequence()

    # -- showing ---------------------------------------------------------------------------

    def _find(self, books: Books, entity: str, object_id: str) -> Record | None:
        found = books.collection(entity).get(object_id.lower())
        if found is None and entity in NUMBER_FIELD:
            # Xero also reads a document by its number: GET /Invoices/INV-0001.
            number_field = NUMBER_FIELD[entity]
            found = next(
                (r for r in books.collection(entity).values() if r[number_field] == object_id),
                None,
            )
        return found

    def _show(
        self, books: Books, entity: str, record: Record, links: _Links | None = None
    ) -> Record:
        if entity == "Payments":
            return self._show_payment(books, record)
        links = links or _links(books)
        if entity == "Contacts":
            return self._show_contact(record, links)
        return self._show_document(books, entity, record, links)

    def _show_contact(self, record: Record, links: _Links) -> Record:
        shown: Record = {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_")}
        for name in ("Addresses", "Phones", "ContactGroups", "ContactPersons"):
            shown.setdefault(name, [])
        customer = record["ContactID"] in links.customers
        shown["IsCustomer"] = bool(record.get("_IsCustomer", False)) or customer
        shown["IsSupplier"] = bool(record.get("_IsSupplier", False))
        shown["HasValidationErrors"] = False
        shown["UpdatedDateUTC"] = record["UpdatedDateUTC"]
        return shown

    def _contact_summary(self, books: Books, contact_id: str) -> Record:
        contact = books.contacts.get(contact_id, {})
        summary: Record = {"ContactID": contact_id, "Name": contact.get("Name", "")}
        for name in ("ContactNumber", "EmailAddress", "ContactStatus"):
            if contact.get(name):
                summary[name] = contact[name]
        summary.update(
            {
                "Addresses": [],
                "Phones": [],
                "ContactGroups": [],
                "ContactPersons": [],
                "HasValidationErrors": False,
            }
        )
        return summary

    def _show_document(self, books: Books, entity: str, record: Record, links: _Links) -> Record:
        id_field = ID_FIELD[entity]
        doc_id = str(record[id_field])
        kind = "Invoice" if entity == "Invoices" else "CreditNote"
        sub_total, tax, total = self._totals(record)
        payments = links.payments.get((kind, doc_id), [])
        allocations = links.allocations.get((kind, doc_id), [])
        paid = sum((p["Amount"] for p in payments), Decimal(0))
        credited = sum((a["Amount"] for a in allocations), Decimal(0))
        # A voided or deleted document is owed nothing (as the spec's VOIDED example shows).
        open_amount = (
            Decimal(0) if record["Status"] in ("VOIDED", "DELETED") else total - paid - credited
        )
        shown: Record = {
            "Type": record["Type"],
            id_field: doc_id,
            NUMBER_FIELD[entity]: record[NUMBER_FIELD[entity]],
            "Reference": record.get("Reference", ""),
            "Payments": [self._payment_summary(p) for p in payments],
            "Contact": self._contact_summary(books, str(record["ContactID"])),
            "DateString": date_string(record["Date"]),
            "Date": record["Date"],
            "Status": record["Status"],
            "LineAmountTypes": record["LineAmountTypes"],
            "LineItems": copy.deepcopy(record["LineItems"]),
            "SubTotal": sub_total,
            "TotalTax": tax,
            "Total": total,
            "UpdatedDateUTC": record["UpdatedDateUTC"],
            "CurrencyCode": record["CurrencyCode"],
            "CurrencyRate": record["CurrencyRate"],
            "HasAttachments": False,
        }
        if record.get("DueDate") is not None:
            shown["DueDateString"] = date_string(record["DueDate"])
            shown["DueDate"] = record["DueDate"]
        for name in _DOC_PASSTHROUGH:
            if name in record and name != "Reference":
                shown[name] = record[name]
        if entity == "Invoices":
            shown.update(
                {
                    "CreditNotes": [self._credit_summary(books, a) for a in allocations],
                    "Prepayments": [],
                    "Overpayments": [],
                    "AmountDue": cents(open_amount),
                    "AmountPaid": cents(paid),
                    "AmountCredited": cents(credited),
                    "IsDiscounted": False,
                    "HasErrors": False,
                }
            )
        else:
            shown.update(
                {
                    "ID": doc_id,
                    "RemainingCredit": cents(open_amount),
                    "Allocations": [self._show_allocation(books, a) for a in allocations],
                    "AppliedAmount": cents(credited),
                    "HasErrors": False,
                }
            )
        if record["Status"] == "PAID":
            dates = [p["Date"] for p in payments] + [a["Date"] for a in allocations]
            if dates:
                shown["FullyPaidOnDate"] = max(dates)
        return shown

    @staticmethod
    def _payment_summary(payment: Record) -> Record:
        return {
            "PaymentID": payment["PaymentID"],
            "Date": payment["Date"],
            "Amount": payment["Amount"],
            "Reference": payment["Reference"],
            "CurrencyRate": payment["CurrencyRate"],
            "HasAccount": False,
            "HasValidationErrors": False,
        }

    def _credit_summary(self, books: Books, allocation: Record) -> Record:
        credit = books.credit_notes[allocation["CreditNoteID"]]
        sub_total, tax, total = self._totals(credit)
        return {
            "CreditNoteID": credit["CreditNoteID"],
            "CreditNoteNumber": credit["CreditNoteNumber"],
            "ID": credit["CreditNoteID"],
            "AppliedAmount": allocation["Amount"],
            "DateString": date_string(allocation["Date"]),
            "Date": allocation["Date"],
            "LineItems": [],
            "Total": total,
            "SubTotal": sub_total,
            "TotalTax": tax,
            "HasErrors": False,
        }

    def _show_allocation(self, books: Books, allocation: Record) -> Record:
        invoice = books.invoices[allocation["InvoiceID"]]
        return {
            "AllocationID": allocation["AllocationID"],
            "Amount": allocation["Amount"],
            "Date": allocation["Date"],
            "Invoice": {
                "InvoiceID": invoice["InvoiceID"],
                "InvoiceNumber": invoice["InvoiceNumber"],
                "Type": invoice["Type"],
                "Payments": [],
                "CreditNotes": [],
                "Prepayments": [],
                "Overpayments": [],
                "HasErrors": False,
                "IsDiscounted": False,
                "LineItems": [],
            },
            "CreditNote": {
                "CreditNoteID": allocation["CreditNoteID"],
                "CreditNoteNumber": books.credit_notes[allocation["CreditNoteID"]][
                    "CreditNoteNumber"
                ],
            },
            "IsDeleted": False,
        }

    def _show_payment(self, books: Books, record: Record) -> Record:
        kind, doc_id = str(record["DocKind"]), str(record["DocID"])
        if kind == "Invoice":
            document = books.invoices[doc_id]
            reference: Record = {
                "Type": document["Type"],
                "InvoiceID": doc_id,
                "InvoiceNumber": document["InvoiceNumber"],
            }
        else:
            document = books.credit_notes[doc_id]
            # Xero shows a credit-note refund's document under "Invoice" (see the spec example).
            reference = {
                "Type": document["Type"],
                "InvoiceID": doc_id,
                "InvoiceNumber": document["CreditNoteNumber"],
            }
        reference.update(
            {
                "Payments": [],
                "CreditNotes": [],
                "Prepayments": [],
                "Overpayments": [],
                "HasErrors": False,
                "IsDiscounted": False,
                "Contact": self._contact_summary(books, str(document["ContactID"])),
                "LineItems": [],
                "CurrencyCode": document["CurrencyCode"],
            }
        )
        shown: Record = {
            "PaymentID": record["PaymentID"],
            "Date": record["Date"],
            "BankAmount": cents(record["Amount"] / record["CurrencyRate"]),
            "Amount": record["Amount"],
            "Reference": record["Reference"],
            "CurrencyRate": record["CurrencyRate"],
            "PaymentType": "ACCRECPAYMENT" if kind == "Invoice" else "ARCREDITPAYMENT",
            "Status": record["Status"],
            "UpdatedDateUTC": record["UpdatedDateUTC"],
            "UpdatedDateUTCString": utc_string(record["UpdatedDateUTC"]),
            "HasAccount": True,
            "IsReconciled": record["IsReconciled"],
            "Account": dict(record["Account"]),
            "Invoice": reference,
            "HasValidationErrors": False,
        }
        if kind == "CreditNote":
            shown["CreditNote"] = {
                "CreditNoteID": doc_id,
                "CreditNoteNumber": document["CreditNoteNumber"],
            }
        return shown


# -- helpers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Links:
    """What showing a document or contact needs from the rest of the books, computed once."""

    payments: dict[tuple[str, str], list[Record]]
    allocations: dict[tuple[str, str], list[Record]]
    customers: frozenset[str]  # contacts with an approved invoice


def _links(books: Books) -> _Links:
    payments: dict[tuple[str, str], list[Record]] = {}
    for payment in sorted(books.payments.values(), key=lambda p: int(p["_seq"])):
        if payment["Status"] != "DELETED":
            key = (str(payment["DocKind"]), str(payment["DocID"]))
            payments.setdefault(key, []).append(payment)
    allocations: dict[tuple[str, str], list[Record]] = {}
    for allocation in sorted(books.allocations.values(), key=lambda a: int(a["_seq"])):
        allocations.setdefault(("Invoice", str(allocation["InvoiceID"])), []).append(allocation)
        allocations.setdefault(("CreditNote", str(allocation["CreditNoteID"])), []).append(
            allocation
        )
    customers = frozenset(
        str(r["ContactID"])
        for r in books.invoices.values()
        if r["Status"] in ("AUTHORISED", "PAID")
    )
    return _Links(payments, allocations, customers)


def to_wire(value: Any) -> Any:
    """A deep copy of ``value`` with dates as ``/Date(ms+0000)/`` (money stays ``Decimal``)."""
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items() if not key.startswith("_")}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if isinstance(value, (date, datetime)):
        return ms_date(value)
    return value


def _wire_object(record: Record) -> JSONObject:
    shown: JSONObject = to_wire(record)
    return shown


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _echo(item: JSONObject) -> JSONObject:
    """The identifying fields of a failed element, echoed in the error as Xero does."""
    keep = (
        "ContactID",
        "Name",
        "InvoiceID",
        "InvoiceNumber",
        "CreditNoteID",
        "CreditNoteNumber",
        "PaymentID",
        "Type",
        "Status",
        "Reference",
        "Amount",
    )
    return {k: item[k] for k in keep if k in item and isinstance(item[k], (str, int, Decimal))}


def _by_name(books: Books, name: str) -> Record | None:
    wanted = name.strip().lower()
    return next(
        (
            c
            for c in books.contacts.values()
            if str(c.get("Name", "")).strip().lower() == wanted
            and c.get("ContactStatus") != "ARCHIVED"
        ),
        None,
    )


def _date(value: Any, name: str, element: JSONObject) -> date:
    try:
        return parse_date(str(value))
    except ValueError as exc:
        raise validation(f"{name} {value!r} is not a valid date", element) from exc


def _seed_time(item: JSONObject) -> datetime:
    return parse_datetime(str(item["UpdatedDateUTC"]))


def _payment_terms(terms: Any, element: JSONObject) -> JSONObject:
    if not isinstance(terms, dict):
        raise validation("PaymentTerms must be an object with Bills and/or Sales", element)
    out: JSONObject = {}
    for side in ("Bills", "Sales"):
        term = terms.get(side)
        if term is None or term == {}:
            continue
        if not isinstance(term, dict):
            raise validation(f"PaymentTerms.{side} must be an object with Day and Type", element)
        kind = term.get("Type")
        if kind not in TERM_TYPES:
            raise validation(
                f"PaymentTerms.{side}.Type must be one of {', '.join(sorted(TERM_TYPES))}, "
                f"got {kind!r}",
                element,
            )
        try:
            day = int(str(term.get("Day")))
        except ValueError as exc:
            raise validation(f"PaymentTerms.{side}.Day must be a whole number", element) from exc
        if day < 0 or (kind in ("OFCURRENTMONTH", "OFFOLLOWINGMONTH") and not 1 <= day <= 31):
            raise validation(f"PaymentTerms.{side}.Day {day} is out of range for {kind}", element)
        out[side] = {"Day": day, "Type": kind}
    return out


def _line(line: Any, element: JSONObject) -> Record:
    if not isinstance(line, dict):
        raise validation("each line item must be an object", element)
    out: Record = {"LineItemID": _text(line.get("LineItemID")).lower() or str(uuid.uuid4())}
    for name in ("Description", "ItemCode", "AccountCode", "AccountID", "TaxType", "Tracking"):
        if line.get(name) not in (None, ""):
            out[name] = copy.deepcopy(line[name])
    quantity = (
        money(line["Quantity"], "Quantity", element)
        if line.get("Quantity") not in (None, "")
        else Decimal(1)
    )
    discount = (
        money(line["DiscountRate"], "DiscountRate", element)
        if line.get("DiscountRate") not in (None, "")
        else None
    )
    if line.get("UnitAmount") not in (None, ""):
        unit = money(line["UnitAmount"], "UnitAmount", element).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
        gross = quantity * unit
        if discount is not None:
            gross = gross * (Decimal(100) - discount) / Decimal(100)
        amount = cents(gross)
    elif line.get("LineAmount") not in (None, ""):
        amount = cents(money(line["LineAmount"], "LineAmount", element))
        unit = (
            (amount / quantity).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            if (quantity)
            else amount
        )
    else:
        raise validation("A line item needs a UnitAmount or a LineAmount", element)
    out.update({"Quantity": quantity, "UnitAmount": unit, "LineAmount": amount})
    if discount is not None:
        out["DiscountRate"] = discount
    out["TaxAmount"] = (
        cents(money(line["TaxAmount"], "TaxAmount", element))
        if line.get("TaxAmount") not in (None, "")
        else Decimal("0.00")
    )
    return out


def _label(entity: str) -> str:
    return "Invoice" if entity == "Invoices" else "Credit Note"


def _stable_uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"arcore-xero-simulator:{kind}:{key}"))


def ids_of(records: Iterable[JSONObject], entity: str) -> list[str]:
    """The ids of wire objects of ``entity``, in order."""
    return [str(record[ID_FIELD[entity]]) for record in records]
