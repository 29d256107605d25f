"""The QuickBooks Online adapter: python-quickbooks and intuit-oauth behind arcore's contract.

``QuickBooksAdapter`` talks JSON dicts to the API through the SDK's client (``query``,
``get_single_object``, ``create_object``, ``update_object``, ``delete_object``,
``change_data_capture``), not through the SDK's object classes: responses are parsed with
``parse_float=Decimal`` (``use_decimal=True``) and request bodies are written with amounts as
exact JSON numbers, so no float ever touches money.

## Connection

| ``Connection`` | meaning |
| --- | --- |
| ``tenant`` | the QuickBooks company (realm id) |
| ``settings["client_id"]`` | the Intuit app's client id |
| ``settings["environment"]`` | ``production``, ``sandbox`` or a discovery-document URL |
| ``settings["redirect_uri"]`` | the app's redirect URI (intuit-oauth requires one) |
| ``settings["api_url"]`` | the API base instead of Intuit's (``http://127.0.0.1:8089/v3``) |
| ``settings["minorversion"]`` | API minor version, default ``75`` |
| ``settings["company_id"]`` | the arcore company of the documents (default: the realm id) |
| ``settings["home_currency"]`` | currency of objects without ``CurrencyRef`` (default ``USD``) |
| ``settings["item_id"]`` | the QuickBooks item written lines are booked to (default ``1``) |
| ``secrets["client_secret"]`` | the app's client secret |
| ``secrets["webhook_verifier"]`` | the webhook verifier token |
| ``secrets["refresh_token"]`` | only to bootstrap a connection whose token store is empty |

Tokens are loaded from and saved to ``connection.token_store`` (system ``quickbooks``, tenant
the realm id). python-quickbooks does not refresh by itself: on an HTTP 401 the adapter
refreshes once, saves the rotated tokens, rebuilds the client and retries the call; a second
401 is a [`VendorAuthError`][arcore.errors.VendorAuthError]. Tokens never appear in logs or
error messages.

## Cursors

A cursor is a JSON object, opaque to the engine, built on QuickBooks' own clock (its
``MetaData.LastUpdatedTime`` stamps and the ``time`` of its responses), never on ours:

* ``{"v": 1, "since": S, "after": A, "seen": {id: SyncToken}, "start": T}`` while a listing
  is being paged: ``SELECT * FROM X WHERE MetaData.LastUpdatedTime >= A ORDERBY
  MetaData.LastUpdatedTime STARTPOSITION n MAXRESULTS m`` (no ``WHERE`` on the first page of a
  full listing; ``S`` is the lower bound it started from, null for a full listing). ``A`` is
  the latest stamp listed so far and ``seen`` the versions already returned at it, so the next
  page starts at ``A`` and drops what was seen: keyset paging on the stamp, which neither
  skips nor repeats objects when others change during the listing. ``T`` is the server time of
  the first page.
* ``{"v": 1, "since": S, "seen": {id: SyncToken}}`` when a listing is complete: the
  high-water mark (the latest stamp listed, or the listing's start ``T`` if something changed
  while it ran). The next call lists changes since ``S`` by change data capture (``/cdc``),
  dropping the versions in ``seen``, when ``S`` is within the 30-day CDC window (a day of
  margin kept), else by the query above from ``S``.

CDC reports deletions (``Record(deleted=True)``); a query does not, so a listing that fell back
to a query after more than 30 days cannot see deletions (run a full resync to find them).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Final, TypeVar

import requests
from intuitlib.client import AuthClient
from intuitlib.exceptions import AuthClientError
from pydantic import SecretStr
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException

from arcore.adapter import (
    Applied,
    Capabilities,
    ChangeNotice,
    Connection,
    Entity,
    NamedTerms,
    Page,
    Record,
    Token,
)
from arcore.errors import ConfigurationError, VendorAuthError
from arcore_quickbooks import jsonnumbers
from arcore_quickbooks.errors import (
    SYSTEM,
    from_auth_client_error,
    from_quickbooks_error,
    is_unauthorized,
)
from arcore_quickbooks.mapping.common import JSON, MappingContext, QuickBooksMappingError, ref
from arcore_quickbooks.mapping.credit_memos import credit_memo_to_record, record_to_credit_memo
from arcore_quickbooks.mapping.customers import customer_to_record, record_to_customer
from arcore_quickbooks.mapping.invoices import (
    DEFAULT_ITEM_ID,
    invoice_to_record,
    record_to_invoice,
)
from arcore_quickbooks.mapping.payments import (
    application_lines,
    payment_to_record,
    record_to_payment,
)
from arcore_quickbooks.mapping.terms import record_to_term, term_to_record
from arcore_quickbooks.plugin import CAPABILITIES
from arcore_quickbooks.webhooks import parse_notifications, verify_signature

__all__ = ["CDC_WINDOW", "DEFAULT_MINOR_VERSION", "QuickBooksAdapter"]

_log = logging.getLogger(__name__)

DEFAULT_MINOR_VERSION: Final = "75"
"""The API minor version sent when the connection does not set one (the minimum supported)."""

CDC_WINDOW: Final = timedelta(days=29)
"""How far back change data capture is used (QuickBooks allows 30 days; one kept as margin)."""

_MAX_PAGE: Final = 1000  # QuickBooks' largest query page and CDC response
_T = TypeVar("_T")


@dataclass(frozen=True)
class _EntityMap:
    name: str
    read: Callable[[JSON, MappingContext], Record]
    write: Callable[[Record, MappingContext], JSON] | None


def _write_term(record: Record, context: MappingContext) -> JSON:
    return record_to_term(record)


def _read_term(obj: JSON, context: MappingContext) -> Record:
    return term_to_record(obj)


_ENTITIES: Final[Mapping[str, _EntityMap]] = {
    "customer": _EntityMap("Customer", customer_to_record, record_to_customer),
    "term": _EntityMap("Term", _read_term, _write_term),
    "invoice": _EntityMap("Invoice", invoice_to_record, None),
    "credit_memo": _EntityMap("CreditMemo", credit_memo_to_record, None),
    "payment": _EntityMap("Payment", payment_to_record, record_to_payment),
}


class _Client(QuickBooks):  # type: ignore[misc]  # python-quickbooks is untyped
    """python-quickbooks' client, remembering each thread's last HTTP response.

    The SDK hides the status and headers of failed responses (all but 401); the adapter needs
    them to tell a throttle (429, ``Retry-After``) from a server failure.
    """

    last: threading.local

    def process_request(
        self,
        request_type: str,
        url: str,
        headers: Any = "",
        params: Any = "",
        data: Any = "",
    ) -> requests.Response:
        response: requests.Response = super().process_request(
            request_type, url, headers=headers, params=params, data=data
        )
        self.last.response = response
        return response


def _query(qb: Any, sql: str) -> JSON:
    result: JSON = qb.query(sql)
    return result


def _utc_text(moment: datetime) -> str:
    """A UTC timestamp as QuickBooks queries and CDC accept it, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _stamp(obj: JSON) -> datetime | None:
    meta = obj.get("MetaData")
    if isinstance(meta, Mapping) and meta.get("LastUpdatedTime"):
        return _parse_time(str(meta["LastUpdatedTime"]))
    return None


def _version_key(obj: JSON) -> str:
    """What tells two states of one object apart at the same time: its SyncToken or deletion."""
    return "deleted" if obj.get("status") == "Deleted" else str(obj.get("SyncToken", ""))


class QuickBooksAdapter:
    """A connected QuickBooks Online company, an [`Adapter`][arcore.adapter.Adapter].

    Args:
        connection: Settings, secrets, realm id and token store (see the module documentation).
        clock: Returns the current time (UTC); token expiry and the CDC window use it.

    Raises:
        ConfigurationError: a required setting or secret is missing.
    """

    def __init__(
        self, connection: Connection, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._connection = connection
        self._clock = clock or (lambda: datetime.now(UTC))
        settings = connection.settings
        missing = [key for key in ("client_id", "environment") if not settings.get(key)]
        if "client_secret" not in connection.secrets:
            missing.append("client_secret")
        if missing:
            raise ConfigurationError(
                f"the QuickBooks connection lacks {', '.join(missing)}",
                hint="Set them in the connection's settings and secrets",
                field=missing[0],
            )
        self._realm = connection.tenant
        self._minor = int(settings.get("minorversion") or DEFAULT_MINOR_VERSION)
        self._item_id = settings.get("item_id") or DEFAULT_ITEM_ID
        self._context = MappingContext(
            company_id=settings.get("company_id") or connection.tenant,
            home_currency=settings.get("home_currency") or "USD",
        )
        self._terms_loaded = False
        self._lock = threading.RLock()
        self._last = threading.local()
        self._auth: Any = None
        self._qb: Any = None
        self._generation = 0

    # --- the contract ---------------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        """What this adapter can do (the same as its ``AdapterInfo``)."""
        return CAPABILITIES

    def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
        """One page of ``entity`` changed since ``cursor`` (``None``: a full listing)."""
        mapping = self._entity(entity, write=False)
        size = max(1, min(page_size, _MAX_PAGE))
        state = self._decode(cursor)
        if "start" not in state and state.get("since") is not None:
            since = _parse_time(str(state["since"]))
            if self._clock() - since <= CDC_WINDOW:
                return self._cdc_page(entity, mapping, since, state["seen"])
            # Beyond the CDC window: list by query from the mark, like a full listing.
            state = {"since": state["since"], "after": state["since"], "seen": state["seen"]}
        return self._query_page(entity, mapping, state, size)

    def get(self, entity: Entity, external_id: str) -> Record:
        """The object as it is now (``VendorNotFoundError`` if QuickBooks has none)."""
        mapping = self._entity(entity, write=False)
        response = self._call(lambda qb: qb.get_single_object(mapping.name, external_id))
        return self._read(entity, mapping, [response[mapping.name]])[0]

    def create(self, record: Record, *, idempotency_key: str) -> Record:
        """Create ``record``; QuickBooks' ``requestid`` is the idempotency key."""
        mapping = self._entity(record.entity, write=True)
        body = self._body(record, mapping)
        body.pop("Id", None)
        body.pop("SyncToken", None)
        return self._write(record.entity, mapping, body, idempotency_key)

    def update(self, record: Record, *, idempotency_key: str) -> Record:
        """Update the object to ``record`` (a sparse update: fields arcore does not map stay).

        Raises:
            StaleVersionError: ``record.version`` is not QuickBooks' current ``SyncToken``.
        """
        mapping = self._entity(record.entity, write=True)
        body = self._body(record, mapping)
        body.update(self._identity(record))
        body["sparse"] = True
        return self._write(record.entity, mapping, body, idempotency_key)

    def void(self, record: Record, *, idempotency_key: str) -> Record:
        """Void an invoice (``operation=void``) or a payment (``operation=update&include=void``)."""
        mapping = self._entity(record.entity, write=True)
        identity = self._identity(record)
        if record.entity == "invoice":
            params = {"operation": "void"}
        elif record.entity == "payment":
            params = {"operation": "update", "include": "void"}
            identity["sparse"] = True
        else:
            raise ConfigurationError(
                f"QuickBooks cannot void a {record.entity}",
                hint="Delete it instead, or issue an opposite document",
                field="entity",
                value=record.entity,
            )
        self._call(
            lambda qb: qb.update_object(
                mapping.name,
                jsonnumbers.dumps(identity),
                request_id=idempotency_key,
                params=dict(params),
            )
        )
        return self.get(record.entity, identity["Id"])

    def delete(self, record: Record, *, idempotency_key: str) -> None:
        """Delete the object; customers and terms are deactivated (QuickBooks keeps names)."""
        mapping = self._entity(record.entity, write=True)
        identity = self._identity(record)
        if record.entity in ("customer", "term"):
            body = {**identity, "sparse": True, "Active": False}
            self._call(
                lambda qb: qb.update_object(
                    mapping.name, jsonnumbers.dumps(body), request_id=idempotency_key
                )
            )
            return
        self._call(
            lambda qb: qb.delete_object(
                mapping.name, jsonnumbers.dumps(identity), request_id=idempotency_key
            )
        )

    def apply(
        self, record: Record, applications: Sequence[Applied], *, idempotency_key: str
    ) -> Record:
        """Apply a payment or a credit memo to invoices.

        ``applications`` are what to add (the engine sends what QuickBooks does not have
        yet). A payment gains one line per application (``LinkedTxn`` to the invoice), in a
        sparse update expecting ``record.version``. A credit memo is applied the QuickBooks
        way: a new zero-amount ``Payment`` for its customer with a line per invoice and one
        line linking the credit memo; that payment is returned, as a carrier record.
        """
        if not applications:
            raise ConfigurationError("nothing to apply", field="applications")
        if record.entity == "payment":
            return self._apply_payment(record, applications, idempotency_key)
        if record.entity == "credit_memo":
            return self._apply_credit_memo(record, applications, idempotency_key)
        raise ConfigurationError(
            f"only payments and credit memos are applied, not a {record.entity}",
            field="entity",
            value=record.entity,
        )

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether ``body`` carries a valid ``intuit-signature`` (compared in constant time)."""
        verifier = self._connection.secrets.get("webhook_verifier")
        if verifier is None:
            return False
        return verify_signature(body, headers, verifier.get_secret_value())

    def parse_webhook(self, body: bytes) -> list[ChangeNotice]:
        """The changes a verified webhook body announces (legacy or CloudEvents format)."""
        return parse_notifications(body)

    def refresh(self) -> Token:
        """Refresh the access token now, save the rotated tokens and rebuild the client."""
        with self._lock:
            if self._auth is None:
                self._connect()
            return self._refresh_locked()

    # --- tokens and the client ------------------------------------------------------------

    def _secret(self, key: str) -> str | None:
        value = self._connection.secrets.get(key)
        return value.get_secret_value() if value is not None else None

    def _auth_client(self, token: Token | None, refresh_token: str | None) -> Any:
        settings = self._connection.settings
        try:
            return AuthClient(
                settings["client_id"],
                self._secret("client_secret"),
                settings.get("redirect_uri") or "http://localhost/callback",
                settings["environment"],
                access_token=token.access_token.get_secret_value() if token else None,
                refresh_token=refresh_token,
                realm_id=self._realm,
            )
        except requests.RequestException as exc:
            raise from_quickbooks_error(exc) from exc

    def _connect(self) -> None:
        """Build the auth client and the SDK client from the stored (or bootstrap) tokens."""
        token = self._connection.token_store.load(SYSTEM, self._realm)
        if token is not None:
            refresh_token = token.refresh_token.get_secret_value()
            if token.expires_at <= self._clock() + timedelta(seconds=60):
                token = None  # expired: the client is built by refreshing
        else:
            refresh_token = self._secret("refresh_token") or ""
            if not refresh_token:
                raise VendorAuthError(
                    f"no QuickBooks tokens are stored for company {self._realm}",
                    hint="Connect the company (authorise the app) to store its tokens first",
                    system=SYSTEM,
                )
        self._auth = self._auth_client(token, refresh_token)
        if token is None:
            self._refresh_locked()
        else:
            self._qb = self._build_client()

    def _build_client(self) -> Any:
        try:
            client = _Client(
                auth_client=self._auth,
                refresh_token=self._auth.refresh_token,
                company_id=self._realm,
                minorversion=self._minor,
                use_decimal=True,
            )
        except AuthClientError as exc:
            raise from_auth_client_error(exc) from exc
        client.last = self._last
        api_url = self._connection.settings.get("api_url")
        if api_url:
            client.api_url_v3 = api_url.rstrip("/")
            client.sandbox_api_url_v3 = api_url.rstrip("/")
        self._generation += 1
        return client

    def _refresh_locked(self) -> Token:
        try:
            self._auth.refresh(refresh_token=self._auth.refresh_token)
        except AuthClientError as exc:
            raise from_auth_client_error(exc) from exc
        except requests.RequestException as exc:
            raise from_quickbooks_error(exc) from exc
        token = self._token_from_auth()
        self._connection.token_store.save(SYSTEM, self._realm, token)
        self._qb = self._build_client()
        _log.info("QuickBooks tokens refreshed for company %s", self._realm)
        return token

    def _token_from_auth(self) -> Token:
        now = self._clock()
        expires_in = int(getattr(self._auth, "expires_in", None) or 3600)
        refresh_in = getattr(self._auth, "x_refresh_token_expires_in", None)
        return Token(
            access_token=SecretStr(str(self._auth.access_token)),
            refresh_token=SecretStr(str(self._auth.refresh_token)),
            expires_at=now + timedelta(seconds=expires_in),
            refresh_expires_at=now + timedelta(seconds=int(refresh_in)) if refresh_in else None,
        )

    def _client(self) -> tuple[Any, int]:
        with self._lock:
            if self._qb is None:
                self._connect()
            return self._qb, self._generation

    def _call(self, operation: Callable[[Any], _T]) -> _T:
        """Run ``operation`` on the client; on a 401 refresh once and retry; map errors."""
        for attempt in (1, 2):
            client, generation = self._client()
            self._last.response = None
            try:
                return operation(client)
            except QuickbooksException as exc:
                if attempt == 1 and is_unauthorized(exc):
                    with self._lock:
                        if generation == self._generation:  # not already refreshed by a peer
                            self._refresh_locked()
                    continue
                response = getattr(self._last, "response", None)
                raise from_quickbooks_error(
                    exc,
                    status=response.status_code if response is not None else None,
                    headers=response.headers if response is not None else None,
                ) from exc
            except AuthClientError as exc:
                raise from_auth_client_error(exc) from exc
            except requests.RequestException as exc:
                raise from_quickbooks_error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # --- reading --------------------------------------------------------------------------

    def _entity(self, entity: str, *, write: bool) -> _EntityMap:
        allowed = CAPABILITIES.writes if write else CAPABILITIES.reads
        if entity not in allowed or entity not in _ENTITIES:
            raise ConfigurationError(
                f"the QuickBooks adapter does not {'write' if write else 'read'} {entity}",
                hint=f"It handles: {', '.join(sorted(allowed))}",
                field="entity",
                value=entity,
            )
        return _ENTITIES[entity]

    def _load_terms(self) -> None:
        terms: dict[str, NamedTerms] = {}
        position = 1
        while True:
            statement = f"SELECT * FROM Term STARTPOSITION {position} MAXRESULTS {_MAX_PAGE}"
            response: JSON = self._call(partial(_query, sql=statement))
            rows = response["QueryResponse"].get("Term", [])
            for row in rows:
                record = term_to_record(row)
                if isinstance(record.document, NamedTerms):
                    terms[record.document.id] = record.document
            if len(rows) < _MAX_PAGE:
                break
            position += _MAX_PAGE
        self._context = MappingContext(
            company_id=self._context.company_id,
            home_currency=self._context.home_currency,
            terms=terms,
        )
        self._terms_loaded = True

    def _ensure_terms(self, objects: Sequence[JSON]) -> None:
        referenced = {
            str(obj["SalesTermRef"].get("value"))
            for obj in objects
            if isinstance(obj.get("SalesTermRef"), Mapping)
        }
        if not self._terms_loaded or not referenced <= set(self._context.terms):
            self._load_terms()

    def _read(self, entity: str, mapping: _EntityMap, objects: Sequence[JSON]) -> list[Record]:
        if entity in ("customer", "invoice"):
            self._ensure_terms(objects)
        return [mapping.read(obj, self._context) for obj in objects]

    def _decode(self, cursor: str | None) -> dict[str, Any]:
        if cursor is None:
            return {"since": None, "after": None, "seen": {}}
        try:
            state = json.loads(cursor)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                "not a QuickBooks cursor", hint="Pass back a cursor this adapter returned"
            ) from exc
        if not isinstance(state, dict) or state.get("v") != 1:
            raise ConfigurationError(
                "not a QuickBooks cursor", hint="Pass back a cursor this adapter returned"
            )
        state.setdefault("seen", {})
        return state

    @staticmethod
    def _encode(state: Mapping[str, Any]) -> str:
        return json.dumps({"v": 1, **state}, sort_keys=True)

    def _server_time(self, response: JSON) -> datetime:
        raw = response.get("time")
        return _parse_time(str(raw)) if raw else self._clock()

    @staticmethod
    def _fresh(rows: Sequence[JSON], seen: Mapping[str, str]) -> list[JSON]:
        """``rows`` without the versions already returned at the boundary time."""
        return [row for row in rows if seen.get(str(row.get("Id"))) != _version_key(row)]

    @staticmethod
    def _boundary(
        rows: Sequence[JSON], previous: datetime | None, seen: Mapping[str, str]
    ) -> tuple[datetime | None, dict[str, str]]:
        """The latest ``LastUpdatedTime`` of ``rows`` and the versions returned at it.

        The versions already seen at ``previous`` are kept when the latest time is the same.
        """
        stamps = [(stamp, row) for row in rows if (stamp := _stamp(row)) is not None]
        if not stamps:
            return previous, dict(seen)
        latest = max(stamp for stamp, _ in stamps)
        at_latest = {
            str(row.get("Id")): _version_key(row) for stamp, row in stamps if stamp == latest
        }
        if previous is not None and latest == previous:
            return latest, {**seen, **at_latest}
        return latest, at_latest

    def _query_page(
        self, entity: str, mapping: _EntityMap, state: Mapping[str, Any], size: int
    ) -> Page:
        since = state.get("since")
        after = _parse_time(str(state["after"])) if state.get("after") else None
        seen: dict[str, str] = dict(state.get("seen") or {})
        bound = after or (_parse_time(str(since)) if since else None)
        where = f" WHERE MetaData.LastUpdatedTime >= '{_utc_text(bound)}'" if bound else ""
        statement = (
            f"SELECT * FROM {mapping.name}{where} ORDERBY MetaData.LastUpdatedTime "
            f"STARTPOSITION {self._skip(seen, size) + 1} MAXRESULTS {size}"
        )
        response: JSON = self._call(partial(_query, sql=statement))
        start: str = state.get("start") or self._server_time(response).astimezone(UTC).isoformat()
        rows: list[JSON] = response.get("QueryResponse", {}).get(mapping.name, [])
        records = tuple(self._read(entity, mapping, self._fresh(rows, seen)))
        latest, boundary = self._boundary(rows, after, seen)
        if len(rows) >= size:
            cursor = {"since": since, "after": _iso(latest), "seen": boundary, "start": start}
            return Page(records=records, cursor=self._encode(cursor), more=True)
        return Page(
            records=records, cursor=self._encode(self._mark(latest, boundary, start)), more=False
        )

    @staticmethod
    def _skip(seen: Mapping[str, str], size: int) -> int:
        """Rows to skip at the boundary time: none while a page can hold them all.

        Objects already returned at the boundary time are filtered out by version, so a page
        starting at the boundary always brings something new while they number fewer than a
        page. Only when more objects than a page share one ``LastUpdatedTime`` are they
        skipped by position (an object of that group changed between two pages could then
        shift another past the listing: QuickBooks offers no finer order to avoid it).
        """
        return len(seen) if len(seen) >= size else 0

    @staticmethod
    def _mark(latest: datetime | None, seen: Mapping[str, str], start: str) -> dict[str, Any]:
        """The high-water mark after a complete listing that began at server time ``start``.

        The latest change listed, with the versions seen at it, when nothing changed after the
        listing began; else the listing's start (objects changed since then come again, but
        nothing, not even a deletion, is missed).
        """
        began = _parse_time(start)
        if latest is None or latest > began:
            return {"since": start, "seen": {}}
        return {"since": _iso(latest), "seen": dict(seen)}

    def _cdc_page(
        self, entity: str, mapping: _EntityMap, since: datetime, seen: Mapping[str, str]
    ) -> Page:
        changed_since = _utc_text(since)
        response = self._call(lambda qb: qb.change_data_capture(mapping.name, changed_since))
        rows: list[JSON] = []
        for block in response.get("CDCResponse") or []:
            for query in block.get("QueryResponse") or []:
                rows.extend(query.get(mapping.name) or [])
        records = tuple(self._read(entity, mapping, self._fresh(rows, seen)))
        if not rows:
            mark: dict[str, Any] = {"since": _iso(self._server_time(response)), "seen": {}}
            return Page(records=records, cursor=self._encode(mark), more=False)
        latest, boundary = self._boundary(rows, since, seen)
        assert latest is not None
        if len(rows) < _MAX_PAGE:
            mark = {"since": _iso(latest), "seen": boundary}
            return Page(records=records, cursor=self._encode(mark), more=False)
        # A full CDC answer may hold only part of the changes: continue from the latest seen,
        # or page the same window by query when every change carries the same stamp.
        if latest > since:
            mark = {"since": _iso(latest), "seen": boundary}
            return Page(records=records, cursor=self._encode(mark), more=True)
        paging: dict[str, Any] = {
            "since": _iso(since),
            "after": None,
            "seen": {},
            "start": _iso(self._server_time(response)),
        }
        return Page(records=records, cursor=self._encode(paging), more=True)

    # --- writing --------------------------------------------------------------------------

    def _body(self, record: Record, mapping: _EntityMap) -> JSON:
        if record.entity in ("customer", "invoice"):
            self._ensure_terms([])
        if record.entity == "invoice":
            return record_to_invoice(record, self._context, item_id=self._item_id)
        if record.entity == "credit_memo":
            return record_to_credit_memo(record, self._context, item_id=self._item_id)
        assert mapping.write is not None
        return mapping.write(record, self._context)

    @staticmethod
    def _identity(record: Record) -> JSON:
        if record.external_id is None or record.version is None:
            raise QuickBooksMappingError(
                f"a {record.entity} write needs its QuickBooks id and SyncToken",
                hint="Pass the record as last read (external_id and version)",
                field="external_id",
            )
        return {"Id": record.external_id, "SyncToken": record.version}

    def _write(self, entity: str, mapping: _EntityMap, body: JSON, key: str) -> Record:
        text = jsonnumbers.dumps(body)
        if "Id" in body:
            response = self._call(lambda qb: qb.update_object(mapping.name, text, request_id=key))
        else:
            response = self._call(lambda qb: qb.create_object(mapping.name, text, request_id=key))
        return self._read(entity, mapping, [response[mapping.name]])[0]

    def _apply_payment(self, record: Record, applications: Sequence[Applied], key: str) -> Record:
        identity = self._identity(record)
        current = self._call(lambda qb: qb.get_single_object("Payment", identity["Id"]))
        lines = list(current["Payment"].get("Line") or [])
        lines.extend(application_lines(list(applications)))
        body = {**identity, "sparse": True, "Line": lines}
        return self._write("payment", _ENTITIES["payment"], body, key)

    def _apply_credit_memo(
        self, record: Record, applications: Sequence[Applied], key: str
    ) -> Record:
        if record.external_id is None:
            raise QuickBooksMappingError("apply needs the credit memo's id", field="external_id")
        memo_id = record.external_id
        memo = self._call(lambda qb: qb.get_single_object("CreditMemo", memo_id))["CreditMemo"]
        total = sum((applied.amount.amount for applied in applications), Decimal(0))
        body: JSON = {
            "CustomerRef": memo["CustomerRef"],
            "TotalAmt": Decimal(0),
            "Line": [
                *application_lines(list(applications)),
                {"Amount": total, "LinkedTxn": [{"TxnId": memo_id, "TxnType": "CreditMemo"}]},
            ],
        }
        if memo.get("CurrencyRef"):
            body["CurrencyRef"] = ref(str(memo["CurrencyRef"].get("value")))
        text = jsonnumbers.dumps(body)
        created = self._call(lambda qb: qb.create_object("Payment", text, request_id=key))
        return payment_to_record(created["Payment"], self._context)
