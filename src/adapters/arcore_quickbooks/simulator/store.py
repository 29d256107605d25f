"""The companies (realms) of the simulator and the QBO rules their objects follow.

Objects are kept as JSON-shaped dicts with ``Decimal`` money; every write goes through one path
(:meth:`Store.write`) that validates, fills QBO's defaults and derived fields, checks the
SyncToken and keeps the links between payments and the documents they settle consistent.
"""

from __future__ import annotations

import calendar
import copy
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from . import query as qlang
from .wire import (
    JSONObject,
    QBOError,
    business_validation,
    cdc_too_old,
    invalid_reference,
    object_not_found,
    parse_qbo_datetime,
    qbo_time,
    query_parse_error,
    query_validation_error,
    required_param,
    stale_object,
    to_wire,
    unsupported_operation,
)

TRANSACTIONS = ("Invoice", "CreditMemo", "Payment")
"""Transaction entities: they share one Id sequence per company, as in QBO."""
NAME_LISTS = ("Term", "Customer", "Item", "Account")
"""Name-list entities: an Id sequence each; deactivated, never deleted."""
ENTITIES = NAME_LISTS + TRANSACTIONS
"""Every entity the simulator serves, in the order a data file is loaded."""
ENTITY_BY_LOWER = {name.lower(): name for name in ENTITIES}
"""URL segment (``creditmemo``) → entity name (``CreditMemo``)."""

HOME_CURRENCY: JSONObject = {"value": "USD", "name": "United States Dollar"}
UNDEPOSITED_FUNDS: JSONObject = {"value": "4", "name": "Undeposited Funds"}
CDC_WINDOW_DAYS = 30
CDC_MAX_OBJECTS = 1000
DEFAULT_MAX_RESULTS = 100
CENT = Decimal("0.01")

_MONEY_KEYS = frozenset(
    {
        "Amount",
        "TotalAmt",
        "Balance",
        "HomeBalance",
        "HomeTotalAmt",
        "Deposit",
        "UnitPrice",
        "Qty",
        "UnappliedAmt",
        "RemainingCredit",
        "ExchangeRate",
        "TotalTax",
        "DiscountPercent",
        "TaxPercent",
        "NetAmountTaxable",
        "BalanceWithJobs",
        "TaxInclusiveAmt",
    }
)
_INT_KEYS = frozenset(
    {
        "LineNum",
        "DueDays",
        "DiscountDays",
        "DayOfMonthDue",
        "DueNextMonthDays",
        "DiscountDayOfMonth",
    }
)
# Fields the client may send but QBO computes; they are dropped from input.
_READ_ONLY = frozenset(
    {"Id", "SyncToken", "MetaData", "domain", "sparse", "status", "time"}
) | frozenset({"Balance", "HomeBalance", "BalanceWithJobs", "UnappliedAmt", "RemainingCredit"})
_COMPUTED_TOTAL = frozenset({"TotalAmt", "HomeTotalAmt"})


def _quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(key: str, value: Any) -> Any:
    if isinstance(value, bool):
        raise QBOError(
            "2010",
            "Request has invalid or unsupported property",
            f"Property Name:{key} must be a number",
        )
    try:
        if key in _INT_KEYS:
            return int(Decimal(str(value)))
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise QBOError(
            "2010",
            "Request has invalid or unsupported property",
            f"Property Name:{key} must be a number, got {value!r}",
        ) from exc


def clean(value: Any, key: str = "") -> Any:
    """Input as QBO reads it: ``""`` and ``null`` mean unset, numbers become ``Decimal``.

    The SDK sends ``""`` for unset dates and amounts and every default; QBO ignores them.
    """
    if isinstance(value, dict):
        out: JSONObject = {}
        for name, item in value.items():
            if item is None or item == "":
                continue
            cleaned = clean(item, name)
            if cleaned is None:
                continue
            out[name] = cleaned
        return out
    if isinstance(value, list):
        return [clean(item, key) for item in value if item is not None]
    if key in _MONEY_KEYS or key in _INT_KEYS:
        return _number(key, value)
    if isinstance(value, int) and not isinstance(value, bool) and key in ("TxnId", "value"):
        return str(value)
    return value


def _money(obj: JSONObject, key: str) -> Decimal | None:
    value = obj.get(key)
    if value is None:
        return None
    return value if isinstance(value, Decimal) else _number(key, value)


def _ref_value(obj: JSONObject, key: str) -> str | None:
    ref = obj.get(key)
    if isinstance(ref, dict):
        value = ref.get("value")
        return None if value is None else str(value)
    if ref is None:
        return None
    return str(ref)


def _sync_token(body: JSONObject) -> str | None:
    token = body.get("SyncToken")
    if token is None or token == "":
        return None
    try:
        return str(int(str(token)))
    except ValueError:
        return str(token)


def _parse_date(text: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError as exc:
        raise QBOError(
            "2010", "Request has invalid or unsupported property", f"{name}: invalid date {text!r}"
        ) from exc


@dataclass
class Company:
    """One realm: its objects, tombstones, Id sequences, payment applications and requestids."""

    realm_id: str
    objects: dict[str, dict[str, JSONObject]] = field(
        default_factory=lambda: {name: {} for name in ENTITIES}
    )
    deleted: dict[str, dict[str, str]] = field(
        default_factory=lambda: {name: {} for name in ENTITIES}
    )
    sequences: dict[str, int] = field(default_factory=dict)
    doc_numbers: dict[str, int] = field(default_factory=dict)
    # (TxnType, TxnId) of an invoice or credit memo → {payment Id: amount applied}
    applications: dict[tuple[str, str], dict[str, Decimal]] = field(default_factory=dict)
    # entity → lower-cased unique name → Id, for name-list entities
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    replies: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)

    def next_id(self, entity: str) -> str:
        """The next Id for ``entity`` (transactions share one sequence)."""
        key = "txn" if entity in TRANSACTIONS else entity
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return str(self.sequences[key])

    def reserve_id(self, entity: str, object_id: str) -> None:
        """Make sure generated Ids never collide with ``object_id`` (from a data file)."""
        if object_id.isdigit():
            key = "txn" if entity in TRANSACTIONS else entity
            self.sequences[key] = max(self.sequences.get(key, 0), int(object_id))

    def live(self, entity: str, object_id: str | None) -> JSONObject | None:
        """The current object, or ``None`` when absent or deleted."""
        if object_id is None:
            return None
        return self.objects[entity].get(object_id)


class Store:
    """Every company of a simulator, with a lock; all public methods are thread-safe.

    Args:
        clock: returns the current aware UTC datetime.
    """

    def __init__(self, clock: Callable[[], datetime]) -> None:
        """Create an empty store reading time from ``clock``."""
        self._clock = clock
        self._companies: dict[str, Company] = {}
        self.lock = threading.RLock()

    # -- companies -------------------------------------------------------------------------

    def company(self, realm_id: str) -> Company:
        """The company of ``realm_id``, created empty on first use (development mode)."""
        with self.lock:
            found = self._companies.get(realm_id)
            if found is None:
                found = self._companies[realm_id] = Company(realm_id)
            return found

    def load(self, data: dict[str, dict[str, list[JSONObject]]]) -> None:
        """Load ``{realm_id: {"Customer": [...], ...}}`` (dependencies first, whatever the order).

        Raises:
            ValueError: for an unknown entity name.
            QBOError: when an object breaks a QBO rule (unknown reference, ...).
        """
        with self.lock:
            for realm_id, entities in data.items():
                unknown = set(entities) - set(ENTITIES)
                if unknown:
                    raise ValueError(
                        f"unknown entities {sorted(unknown)} for realm {realm_id}; "
                        f"expected some of {list(ENTITIES)}"
                    )
                for entity in ENTITIES:
                    for obj in entities.get(entity, []):
                        self.seed(str(realm_id), entity, obj)

    # -- reading ---------------------------------------------------------------------------

    def objects(self, realm_id: str, entity: str) -> list[JSONObject]:
        """Current objects of ``entity`` in wire form, ordered by Id (deleted ones excluded)."""
        entity = self._entity(entity)
        with self.lock:
            company = self.company(realm_id)
            rows = sorted(company.objects[entity].values(), key=lambda o: qlang.sort_key(o, "Id"))
            return [to_wire(row) for row in rows]

    def read(self, realm_id: str, entity: str, object_id: str) -> JSONObject:
        """One object in wire form.

        Raises:
            QBOError: 610 when it does not exist or was deleted.
        """
        entity = self._entity(entity)
        with self.lock:
            found = self.company(realm_id).live(entity, object_id)
            if found is None:
                raise object_not_found(entity, object_id)
            wire: JSONObject = to_wire(found)
            return wire

    def query(self, realm_id: str, text: str, page_limit: int) -> JSONObject:
        """The ``QueryResponse`` object for a query text.

        Raises:
            QBOError: 4000 when the text is malformed, 4001 for an unknown entity.
        """
        parsed = qlang.parse_query(text)
        entity = ENTITY_BY_LOWER.get(parsed.entity.lower())
        if entity is None:
            raise query_validation_error(f"invalid context declaration : {parsed.entity}")
        with self.lock:
            rows = list(self.company(realm_id).objects[entity].values())
            conditions = list(parsed.where)
            if entity in NAME_LISTS and not any(c.field.lower() == "active" for c in conditions):
                # QBO lists only active name-list objects unless the query asks about Active.
                conditions.append(qlang.Condition("Active", "=", (True,)))
            rows = [row for row in rows if all(qlang.matches(row, c) for c in conditions)]
            if parsed.count:
                return {"totalCount": len(rows)}
            rows.sort(key=lambda o: qlang.sort_key(o, "Id"))
            for name, descending in reversed(parsed.order_by):
                rows.sort(key=functools.partial(qlang.sort_key, path=name), reverse=descending)
            limit = min(parsed.max_results or DEFAULT_MAX_RESULTS, page_limit)
            page = rows[parsed.start_position - 1 : parsed.start_position - 1 + limit]
            wire_rows = [to_wire(row) for row in page]
        if parsed.fields:
            keep = {"Id", "domain", *parsed.fields}
            wire_rows = [
                {**{k: v for k, v in row.items() if k in keep}, "sparse": True} for row in wire_rows
            ]
        if not wire_rows:
            return {}
        return {entity: wire_rows, "startPosition": parsed.start_position, "maxResults": len(page)}

    def cdc(self, realm_id: str, entities: str, changed_since: str) -> list[JSONObject]:
        """The ``QueryResponse`` list of a change-data-capture request, one per entity.

        Raises:
            QBOError: for an unknown entity, a malformed timestamp, or one older than 30 days.
        """
        names: list[str] = []
        for raw in entities.split(","):
            entity = ENTITY_BY_LOWER.get(raw.strip().lower())
            if entity is None:
                raise query_validation_error(f"entity {raw.strip()!r} is not supported by CDC")
            names.append(entity)
        try:
            # An unencoded "+00:00" in a hand-typed URL arrives as " 00:00".
            since = parse_qbo_datetime(changed_since.replace(" ", "+"))
        except ValueError as exc:
            raise query_parse_error(f"changedSince {changed_since!r} is not a date-time") from exc
        if since < self._clock() - timedelta(days=CDC_WINDOW_DAYS):
            raise cdc_too_old(CDC_WINDOW_DAYS)
        with self.lock:
            company = self.company(realm_id)
            changed: list[tuple[datetime, int, str, JSONObject]] = []
            for order, entity in enumerate(names):
                for obj in company.objects[entity].values():
                    updated = qlang.instant(obj["MetaData"]["LastUpdatedTime"])
                    if updated >= since:
                        changed.append((updated, order, entity, to_wire(obj)))
                for object_id, stamp in company.deleted[entity].items():
                    updated = qlang.instant(stamp)
                    if updated >= since:
                        tombstone = {
                            "domain": "QBO",
                            "status": "Deleted",
                            "Id": object_id,
                            "MetaData": {"LastUpdatedTime": stamp},
                        }
                        changed.append((updated, order, entity, tombstone))
        changed.sort(key=lambda item: (item[0], item[1], qlang.sort_key(item[3], "Id")))
        changed = changed[:CDC_MAX_OBJECTS]
        responses: list[JSONObject] = []
        for entity in names:
            rows = [obj for _, _, name, obj in changed if name == entity]
            if rows:
                responses.append(
                    {
                        entity: rows,
                        "startPosition": 1,
                        "maxResults": len(rows),
                        "totalCount": len(rows),
                    }
                )
            else:
                responses.append({})
        return responses

    # -- writing ---------------------------------------------------------------------------

    def seed(self, realm_id: str, entity: str, obj: JSONObject) -> JSONObject:
        """Create an object directly (no HTTP); ``Id``, ``SyncToken``, ``MetaData`` may be given.

        Returns:
            The object in wire form, as a read would return it.
        """
        entity = self._entity(entity)
        with self.lock:
            stored = self._create(self.company(realm_id), entity, obj, seeding=True)
            wire: JSONObject = to_wire(stored)
            return wire

    def write(
        self, realm_id: str, entity: str, body: Any, operation: str | None, include: str | None
    ) -> JSONObject:
        """Apply one write request (``POST /{entity}``) and return its response object.

        Args:
            realm_id: the company.
            entity: the entity name (any case).
            body: the decoded JSON body.
            operation: the ``operation`` query parameter (``delete``, ``void``, ``update``).
            include: the ``include`` query parameter (``void`` for a payment void).

        Returns:
            ``{"<Entity>": {...}}`` without the envelope ``time``.

        Raises:
            QBOError: for every QBO rule broken (5010, 610, 2500, 2020, 6000, 6240...).
        """
        entity = self._entity(entity)
        if not isinstance(body, dict):
            raise QBOError(
                "2310",
                "Invalid Request Body",
                f"the body of a {entity} write must be a JSON object",
            )
        with self.lock:
            company = self.company(realm_id)
            op = (operation or "").lower()
            if op == "delete":
                return {entity: self._delete(company, entity, body)}
            if op == "void" or (op == "update" and (include or "").lower() == "void"):
                return {entity: to_wire(self._void(company, entity, body))}
            if op not in ("", "create", "update"):
                raise unsupported_operation(f"Operation {operation} is not supported")
            if body.get("Id") not in (None, "", "0", 0):
                return {entity: to_wire(self._update(company, entity, body))}
            return {entity: to_wire(self._create(company, entity, body, seeding=False))}

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _entity(name: str) -> str:
        entity = ENTITY_BY_LOWER.get(name.lower())
        if entity is None:
            raise unsupported_operation(f"Entity {name} is not supported by the simulator")
        return entity

    def _now(self) -> str:
        return qbo_time(self._clock())

    def _create(
        self, company: Company, entity: str, body: JSONObject, *, seeding: bool
    ) -> JSONObject:
        fields = self._input(body)
        if seeding and body.get("Id") not in (None, ""):
            object_id = str(body["Id"])
            if company.live(entity, object_id) is not None:
                raise business_validation(f"{entity} Id={object_id} already exists")
            company.reserve_id(entity, object_id)
        else:
            object_id = company.next_id(entity)
        now = self._now()
        meta = body.get("MetaData") if seeding else None
        created = (meta or {}).get("CreateTime") or now
        updated = (meta or {}).get("LastUpdatedTime") or created
        token = (_sync_token(body) if seeding else None) or "0"
        built = self._build(company, entity, fields, None)
        obj: JSONObject = {
            "domain": "QBO",
            "sparse": False,
            "Id": object_id,
            "SyncToken": token,
            "MetaData": {"CreateTime": created, "LastUpdatedTime": updated},
            **built,
        }
        self._commit(company, entity, None, obj)
        return obj

    def _current_for_write(self, company: Company, entity: str, body: JSONObject) -> JSONObject:
        object_id = str(body.get("Id", ""))
        current = company.live(entity, object_id)
        if current is None:
            raise object_not_found(entity, object_id)
        token = _sync_token(body)
        if token is None:
            raise required_param("SyncToken")
        if token != current["SyncToken"]:
            raise stale_object()
        return current

    def _update(self, company: Company, entity: str, body: JSONObject) -> JSONObject:
        current = self._current_for_write(company, entity, body)
        fields = self._input(body)
        sparse = body.get("sparse") in (True, "true")
        if sparse:
            base = {k: v for k, v in current.items() if k not in _READ_ONLY}
            fields = {**base, **fields}
        else:
            # Full update: omitted fields are cleared, except those QBO would have to invent.
            for keep in ("DocNumber", "TxnDate", "DisplayName", "Name"):
                if keep in current and keep not in fields:
                    fields[keep] = current[keep]
            if entity in ("Invoice", "CreditMemo") and "Line" in current:
                fields.setdefault("Line", [])
        built = self._build(company, entity, fields, current)
        obj: JSONObject = {
            "domain": "QBO",
            "sparse": False,
            "Id": current["Id"],
            "SyncToken": str(int(current["SyncToken"]) + 1),
            "MetaData": {
                "CreateTime": current["MetaData"]["CreateTime"],
                "LastUpdatedTime": self._now(),
            },
            **built,
        }
        self._commit(company, entity, current, obj)
        return obj

    def _void(self, company: Company, entity: str, body: JSONObject) -> JSONObject:
        if entity not in ("Invoice", "Payment"):
            raise unsupported_operation(f"Operation void is not supported for {entity}")
        current = self._current_for_write(company, entity, body)
        if entity == "Invoice" and company.applications.get(("Invoice", current["Id"])):
            raise business_validation(
                "This invoice has payments applied; void or delete the payments first"
            )
        fields = {k: copy.deepcopy(v) for k, v in current.items() if k not in _READ_ONLY}
        for line in fields.get("Line", []):
            line["Amount"] = Decimal(0)
        fields["PrivateNote"] = "Voided"
        if entity == "Invoice":
            fields["TxnTaxDetail"] = {"TotalTax": Decimal(0)}
        else:
            fields["TotalAmt"] = Decimal(0)
        built = self._build(company, entity, fields, current)
        obj: JSONObject = {
            **{k: current[k] for k in ("domain", "sparse", "Id")},
            "SyncToken": str(int(current["SyncToken"]) + 1),
            "MetaData": {
                "CreateTime": current["MetaData"]["CreateTime"],
                "LastUpdatedTime": self._now(),
            },
            **built,
        }
        self._commit(company, entity, current, obj)
        return obj

    def _delete(self, company: Company, entity: str, body: JSONObject) -> JSONObject:
        if entity not in TRANSACTIONS:
            raise unsupported_operation(
                f"Operation Delete is not supported for {entity}; make it inactive instead"
            )
        current = self._current_for_write(company, entity, body)
        if entity != "Payment" and company.applications.get((entity, current["Id"])):
            raise business_validation(
                f"This {entity} is linked to a payment; delete or void the payment first"
            )
        self._commit(company, entity, current, None)
        return {"domain": "QBO", "status": "Deleted", "Id": current["Id"]}

    @staticmethod
    def _input(body: JSONObject) -> JSONObject:
        cleaned: JSONObject = clean({k: v for k, v in body.items() if k not in _READ_ONLY})
        return cleaned

    # -- per-entity rules --------------------------------------------------------------------

    def _build(
        self, company: Company, entity: str, fields: JSONObject, current: JSONObject | None
    ) -> JSONObject:
        builder: dict[str, Callable[[Company, JSONObject, JSONObject | None], JSONObject]] = {
            "Customer": self._customer,
            "Term": self._term,
            "Item": self._named,
            "Account": self._named,
            "Invoice": self._sales_document,
            "CreditMemo": self._sales_document,
            "Payment": self._payment,
        }
        fields = dict(fields)
        fields["__entity__"] = entity
        built = builder[entity](company, fields, current)
        built.pop("__entity__", None)
        return built

    def _unique_name(
        self, company: Company, entity: str, key: str, name: str, current: JSONObject | None
    ) -> None:
        other_id = company.names.get(entity, {}).get(name.strip().lower())
        if other_id is not None and (current is None or current["Id"] != other_id):
            raise QBOError(
                "6240",
                "Duplicate Name Exists Error",
                f"The name supplied already exists. : Another {entity.lower()} is already "
                f"using this name. Please use a different name. (Id={other_id})",
            )

    def _customer(
        self, company: Company, fields: JSONObject, current: JSONObject | None
    ) -> JSONObject:
        name = fields.get("DisplayName")
        if not name:
            parts = [fields.get(k, "") for k in ("Title", "GivenName", "MiddleName", "FamilyName")]
            name = " ".join(str(p) for p in parts if p) or fields.get("CompanyName")
        if not name:
            raise required_param("DisplayName")
        self._unique_name(company, "Customer", "DisplayName", str(name), current)
        fields["DisplayName"] = name
        fields.setdefault("PrintOnCheckName", fields.get("CompanyName", name))
        for key, default in (
            ("Active", True),
            ("IsProject", False),
            ("Taxable", False),
            ("Job", False),
            ("BillWithParent", False),
            ("PreferredDeliveryMethod", "Print"),
        ):
            fields.setdefault(key, default)
        fields.setdefault("CurrencyRef", dict(HOME_CURRENCY))
        fields["FullyQualifiedName"] = name  # no sub-customers: the path is the name
        balance = current.get("Balance", Decimal(0)) if current else Decimal(0)
        fields["Balance"] = balance
        fields["BalanceWithJobs"] = balance
        return fields

    def _term(self, company: Company, fields: JSONObject, current: JSONObject | None) -> JSONObject:
        name = fields.get("Name")
        if not name:
            raise required_param("Name")
        self._unique_name(company, "Term", "Name", str(name), current)
        fields.setdefault("Active", True)
        fields["Type"] = "DATE_DRIVEN" if "DayOfMonthDue" in fields else "STANDARD"
        if fields["Type"] == "STANDARD":
            fields.setdefault("DueDays", 0)
        return fields

    def _named(
        self, company: Company, fields: JSONObject, current: JSONObject | None
    ) -> JSONObject:
        entity = str(fields["__entity__"])
        name = fields.get("Name")
        if not name:
            raise required_param("Name")
        self._unique_name(company, entity, "Name", str(name), current)
        fields.setdefault("Active", True)
        fields.setdefault("FullyQualifiedName", name)
        if entity == "Item":
            fields.setdefault("Type", "Service")
        return fields

    def _customer_ref(self, company: Company, fields: JSONObject) -> JSONObject:
        customer_id = _ref_value(fields, "CustomerRef")
        if customer_id is None:
            raise required_param("CustomerRef")
        customer = company.live("Customer", customer_id)
        if customer is None:
            raise invalid_reference("Customer", customer_id)
        fields["CustomerRef"] = {"value": customer_id, "name": customer["DisplayName"]}
        currency = fields.get("CurrencyRef") or customer.get("CurrencyRef") or HOME_CURRENCY
        if isinstance(currency, dict) and currency.get("value") == HOME_CURRENCY["value"]:
            currency = dict(HOME_CURRENCY)
        fields["CurrencyRef"] = dict(currency) if isinstance(currency, dict) else currency
        return customer

    def _txn_date(self, fields: JSONObject) -> date:
        if "TxnDate" not in fields:
            fields["TxnDate"] = self._clock().date().isoformat()
        return _parse_date(fields["TxnDate"], "TxnDate")

    def _due_date(
        self, company: Company, fields: JSONObject, customer: JSONObject, txn_date: date
    ) -> None:
        if "DueDate" in fields:
            _parse_date(fields["DueDate"], "DueDate")
            return
        term_id = _ref_value(fields, "SalesTermRef") or _ref_value(customer, "SalesTermRef")
        term = company.live("Term", term_id)
        due = txn_date
        if term is not None and term.get("Type") == "DATE_DRIVEN":
            year, month = (txn_date.year + txn_date.month // 12, txn_date.month % 12 + 1)
            day = min(int(term.get("DayOfMonthDue", 1)), calendar.monthrange(year, month)[1])
            due = date(year, month, day)
        elif term is not None:
            due = txn_date + timedelta(days=int(term.get("DueDays", 0)))
        fields["DueDate"] = due.isoformat()

    def _doc_number(self, company: Company, entity: str, fields: JSONObject) -> None:
        if "DocNumber" not in fields:
            number = company.doc_numbers.get(entity, 1000) + 1
            company.doc_numbers[entity] = number
            fields["DocNumber"] = str(number)

    def _sales_document(
        self, company: Company, fields: JSONObject, current: JSONObject | None
    ) -> JSONObject:
        entity = str(fields["__entity__"])
        customer = self._customer_ref(company, fields)
        txn_date = self._txn_date(fields)
        self._doc_number(company, entity, fields)
        if entity == "Invoice":
            self._due_date(company, fields, customer, txn_date)
        lines, subtotal, discount = self._priced_lines(fields.get("Line", []), current)
        fields["Line"] = lines
        tax_detail = fields.get("TxnTaxDetail")
        if not isinstance(tax_detail, dict):
            tax_detail = {}
        tax = _money(tax_detail, "TotalTax") or Decimal(0)
        if entity == "Invoice" or "TxnTaxDetail" in fields:
            # Real credit memos come without a tax detail unless one was given.
            tax_detail["TotalTax"] = tax
            fields["TxnTaxDetail"] = tax_detail
        total = _quantize(subtotal - discount + tax)
        fields["TotalAmt"] = total
        fields.setdefault("PrintStatus", "NotSet")
        fields.setdefault("EmailStatus", "NotSet")
        if entity == "Invoice":
            for key, default in (
                ("ApplyTaxAfterDiscount", False),
                ("Deposit", Decimal(0)),
                ("AllowIPNPayment", False),
                ("AllowOnlinePayment", False),
                ("AllowOnlineCreditCardPayment", False),
                ("AllowOnlineACHPayment", False),
                ("CustomField", []),
            ):
                fields.setdefault(key, default)
            links = fields.get("LinkedTxn", [])
            fields["LinkedTxn"] = [
                link
                for link in links
                if isinstance(link, dict) and link.get("TxnType") != "Payment"
            ]
            fields["Balance"] = total
        else:
            fields.setdefault("GlobalTaxCalculation", "NotApplicable")
            fields.pop("LinkedTxn", None)
            fields["RemainingCredit"] = total
            fields["Balance"] = total
        self._home_amounts(fields)
        return fields

    @staticmethod
    def _home_amounts(fields: JSONObject) -> None:
        fields.pop("HomeTotalAmt", None)
        fields.pop("HomeBalance", None)
        currency = fields.get("CurrencyRef")
        rate = _money(fields, "ExchangeRate")
        if isinstance(currency, dict) and currency.get("value") != HOME_CURRENCY["value"] and rate:
            fields["HomeTotalAmt"] = _quantize(fields["TotalAmt"] * rate)
            if "Balance" in fields:
                fields["HomeBalance"] = _quantize(fields["Balance"] * rate)

    @staticmethod
    def _priced_lines(
        raw_lines: Any, current: JSONObject | None
    ) -> tuple[list[JSONObject], Decimal, Decimal]:
        if not isinstance(raw_lines, list):
            raise QBOError("2010", "Request has invalid or unsupported property", "Line: a list")
        used = [
            int(line["Id"])
            for line in (current or {}).get("Line", [])
            if str(line.get("Id", "")).isdigit()
        ]
        next_line_id = max(used, default=0)
        lines: list[JSONObject] = []
        subtotal = Decimal(0)
        discount = Decimal(0)
        for raw in raw_lines:
            if not isinstance(raw, dict) or raw.get("DetailType") == "SubTotalLineDetail":
                continue
            line = dict(raw)
            for empty in ("LinkedTxn", "CustomField"):
                if line.get(empty) == []:
                    del line[empty]
            detail_type = line.get("DetailType", "")
            if not str(line.get("Id", "")).isdigit():
                next_line_id += 1
                line["Id"] = str(next_line_id)
            else:
                line["Id"] = str(line["Id"])
                next_line_id = max(next_line_id, int(line["Id"]))
            line["LineNum"] = len(lines) + 1
            amount = _money(line, "Amount")
            raw_detail = line.get(detail_type)
            detail: JSONObject = raw_detail if isinstance(raw_detail, dict) else {}
            if amount is None and detail_type == "SalesItemLineDetail":
                qty, price = _money(detail, "Qty"), _money(detail, "UnitPrice")
                amount = qty * price if qty is not None and price is not None else None
            if detail_type == "DiscountLineDetail":
                percent = _money(detail, "DiscountPercent")
                if detail.get("PercentBased") in (True, "true") and percent is not None:
                    amount = _quantize(subtotal * percent / 100)
                discount += amount or Decimal(0)
            elif detail_type in ("SalesItemLineDetail", "GroupLineDetail"):
                subtotal += amount or Decimal(0)
            line["Amount"] = amount if amount is not None else Decimal(0)
            lines.append(line)
        lines.append(
            {"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
        )
        return lines, subtotal, discount

    def _payment(
        self, company: Company, fields: JSONObject, current: JSONObject | None
    ) -> JSONObject:
        customer = self._customer_ref(company, fields)
        self._txn_date(fields)
        lines = fields.get("Line", [])
        if not isinstance(lines, list):
            raise QBOError("2010", "Request has invalid or unsupported property", "Line: a list")
        applied = Decimal(0)
        clean_lines: list[JSONObject] = []
        for raw in lines:
            if not isinstance(raw, dict):
                continue
            line = dict(raw)
            amount = _money(line, "Amount") or Decimal(0)
            line["Amount"] = amount
            links = []
            for link in line.get("LinkedTxn", []):
                link = {k: v for k, v in link.items() if not (k == "TxnLineId" and v in (0, "0"))}
                txn_type, txn_id = str(link.get("TxnType", "")), str(link.get("TxnId", ""))
                if txn_type in ("Invoice", "CreditMemo"):
                    target = company.live(txn_type, txn_id)
                    if target is None:
                        raise invalid_reference(txn_type, txn_id)
                    if _ref_value(target, "CustomerRef") != customer["Id"]:
                        raise business_validation(
                            f"{txn_type} {txn_id} belongs to another customer than the payment"
                        )
                    applied += amount if txn_type == "Invoice" else -amount
                links.append({**link, "TxnId": txn_id, "TxnType": txn_type})
            line["LinkedTxn"] = links
            clean_lines.append(line)
        fields["Line"] = clean_lines
        total = _money(fields, "TotalAmt")
        if total is None:
            raise required_param("TotalAmt")
        fields["TotalAmt"] = total
        if applied > total:
            raise business_validation(
                f"The payment amount {total} is less than the amount applied {applied}"
            )
        fields["UnappliedAmt"] = total - applied
        fields.setdefault("DepositToAccountRef", dict(UNDEPOSITED_FUNDS))
        fields.setdefault("ProcessPayment", False)
        return fields

    # -- commit and derived fields -------------------------------------------------------------

    @staticmethod
    def _payment_applications(payment: JSONObject | None) -> dict[tuple[str, str], Decimal]:
        result: dict[tuple[str, str], Decimal] = {}
        if payment is None:
            return result
        for line in payment.get("Line", []):
            amount = line.get("Amount") or Decimal(0)
            if not amount:
                continue
            for link in line.get("LinkedTxn", []):
                key = (str(link.get("TxnType")), str(link.get("TxnId")))
                if key[0] in ("Invoice", "CreditMemo"):
                    result[key] = result.get(key, Decimal(0)) + amount
        return result

    def _commit(
        self, company: Company, entity: str, old: JSONObject | None, new: JSONObject | None
    ) -> None:
        """Store ``new`` in place of ``old`` (``None`` = delete), keeping links consistent.

        Every check runs before anything changes, so a refused write leaves no trace.
        """
        object_id = str((new or old or {})["Id"])
        touched: set[tuple[str, str]] = set()
        after_apps: dict[tuple[str, str], Decimal] = {}
        if entity == "Payment":
            before_apps = self._payment_applications(old)
            after_apps = self._payment_applications(new)
            touched = set(before_apps) | set(after_apps)
            for key in touched:
                target = company.live(*key)
                if target is None:
                    continue
                others = sum(
                    (v for k, v in company.applications.get(key, {}).items() if k != object_id),
                    Decimal(0),
                )
                if others + after_apps.get(key, Decimal(0)) > target["TotalAmt"]:
                    what = "balance" if key[0] == "Invoice" else "remaining credit"
                    raise business_validation(
                        f"The amount applied to {key[0]} {key[1]} is more than its {what}"
                    )
        elif new is not None and entity in ("Invoice", "CreditMemo"):
            applied = sum(company.applications.get((entity, object_id), {}).values(), Decimal(0))
            if applied > new["TotalAmt"]:
                raise business_validation(
                    f"The new total of {entity} {object_id} is less than the payments applied "
                    f"({applied})"
                )
            touched.add((entity, object_id))
        if entity in NAME_LISTS:
            key_field = "DisplayName" if entity == "Customer" else "Name"
            names = company.names.setdefault(entity, {})
            if old is not None:
                names.pop(str(old.get(key_field, "")).strip().lower(), None)
            if new is not None:
                names[str(new.get(key_field, "")).strip().lower()] = object_id
        # Customer balances move by the change in each affected document's open amount.
        affected = touched | ({(entity, object_id)} if entity in TRANSACTIONS else set())
        contributions = [self._contribution(company.live(*key), key[0]) for key in affected]
        for key in touched if entity == "Payment" else ():
            per_target = company.applications.setdefault(key, {})
            per_target.pop(object_id, None)
            if after_apps.get(key):
                per_target[object_id] = after_apps[key]
            if not per_target:
                del company.applications[key]
        if new is None:
            company.objects[entity].pop(object_id, None)
            company.deleted[entity][object_id] = self._now()
        else:
            company.objects[entity][object_id] = new
            company.deleted[entity].pop(object_id, None)
        for key in touched:
            self._refresh_document(company, key, bump=key != (entity, object_id))
        contributions += [
            (customer, -amount)
            for customer, amount in (
                self._contribution(company.live(*key), key[0]) for key in affected
            )
        ]
        for customer_id, amount in contributions:
            customer = company.live("Customer", customer_id)
            if customer is not None and amount:
                customer["Balance"] = customer.get("Balance", Decimal(0)) - amount
                customer["BalanceWithJobs"] = customer["Balance"]

    @staticmethod
    def _contribution(doc: JSONObject | None, entity: str) -> tuple[str, Decimal]:
        """What ``doc`` adds to its customer's balance: open invoice minus unused credit."""
        if doc is None:
            return "", Decimal(0)
        customer_id = _ref_value(doc, "CustomerRef") or ""
        if entity == "Invoice":
            return customer_id, doc["Balance"]
        if entity == "CreditMemo":
            return customer_id, -doc["RemainingCredit"]
        return customer_id, -doc["UnappliedAmt"]

    def _refresh_document(self, company: Company, key: tuple[str, str], *, bump: bool) -> None:
        """Recompute Balance, RemainingCredit and payment links of an invoice or credit memo."""
        doc = company.live(*key)
        if doc is None:
            return
        applications = company.applications.get(key, {})
        applied = sum(applications.values(), Decimal(0))
        balance = doc["TotalAmt"] - applied
        payment_links = [
            {"TxnId": pid, "TxnType": "Payment"}
            for pid in sorted(applications, key=lambda p: (len(p), p))
        ]
        links = [link for link in doc.get("LinkedTxn", []) if link.get("TxnType") != "Payment"]
        changed = doc.get("Balance") != balance
        if key[0] == "Invoice":
            new_links = links + payment_links
            changed = changed or doc.get("LinkedTxn") != new_links
            doc["LinkedTxn"] = new_links
        else:
            if payment_links or links:
                changed = changed or doc.get("LinkedTxn") != links + payment_links
                doc["LinkedTxn"] = links + payment_links
            elif "LinkedTxn" in doc:
                changed = True
                del doc["LinkedTxn"]
            doc["RemainingCredit"] = balance
        doc["Balance"] = balance
        self._home_amounts(doc)
        if changed and bump:
            # QBO changes the invoice when a payment is applied: new SyncToken, new time.
            doc["SyncToken"] = str(int(doc["SyncToken"]) + 1)
            doc["MetaData"] = {**doc["MetaData"], "LastUpdatedTime": self._now()}
