"""The Xero adapter: xero-python's ``AccountingApi`` behind arcore's contract.

``XeroAdapter`` reads and writes through the unmodified SDK: its models in, its models out
(the mapping modules convert them, with ``Decimal`` money both ways). One adapter is one
connection to one Xero organisation: ``Connection.tenant`` is the ``xero-tenant-id`` sent
with every call.

## Connection

| ``Connection`` | meaning |
| --- | --- |
| ``tenant`` | the organisation's ``xero-tenant-id`` |
| ``settings["client_id"]`` | the Xero app's client id |
| ``settings["api_url"]`` | the Accounting API base instead of Xero's (``http://127.0.0.1:8090/api.xro/2.0``) |
| ``settings["identity_url"]`` | the token endpoint instead of ``https://identity.xero.com/connect/token`` (not named ``token_url``: a key with ``token`` in its name is a secret for ``arcore sync``) |
| ``settings["scope"]`` | the OAuth scopes (space separated) the refresh asks for |
| ``settings["company_id"]`` | the arcore company of the documents (default: the tenant id) |
| ``settings["home_currency"]`` | the organisation's base currency (default ``USD``) |
| ``settings["sales_account_code"]`` | the revenue account of lines written (default ``200``) |
| ``settings["payment_account_code"]`` | the bank account payments go to (default ``090``) |
| ``settings["tax_type"]``, ``settings["no_tax_type"]`` | ``TaxType`` of taxed and untaxed lines (``OUTPUT``, ``NONE``) |
| ``secrets["client_secret"]`` | the app's client secret |
| ``secrets["webhook_key"]`` | the webhook signing key |
| ``secrets["refresh_token"]`` | only to bootstrap a connection whose token store is empty |

## Tokens

The SDK asks its ``oauth2_token_getter`` for the token before every call and hands refreshed
tokens to its ``oauth2_token_saver``: the getter reads the token the adapter loaded from
``connection.token_store`` (system ``xero``, the tenant id), the saver saves what the token
endpoint answered back into it. Expiry is judged on the adapter's clock (the getter gives the
SDK no ``expires_at``, so the SDK never reads the wall clock): a token within 60 seconds of
its end is refreshed before the call, and a call answered 401 refreshes once and is repeated;
a second refusal is a [`VendorAuthError`][arcore.errors.VendorAuthError]. Refresh tokens
rotate; the last one is always saved. No token appears in a log or an error message.

## Limits

Xero allows each organisation 60 calls a minute, 5,000 a day and 5 at once (declared in the
capabilities for the engine). Every answer says what is left (``X-MinLimit-Remaining``,
``X-DayLimit-Remaining``, ``X-AppMinLimit-Remaining``): when one reaches 0 the adapter raises
[`RateLimitedError`][arcore.errors.RateLimitedError] before calling again (60 seconds for the
minute, an hour for the rolling day), and a 429 becomes one with Xero's ``Retry-After``.

## Listing

Incremental by ``If-Modified-Since``, ordered by ``UpdatedDateUTC``, in pages of
``pageSize``. The cursor is keyset paging on Xero's own stamp, never on our clock:
``{"v": 1, "after": A, "seen": {id: version}}``, where ``A`` is the latest ``UpdatedDateUTC``
listed and ``seen`` the versions listed in its second. Each page asks for what changed since
``A`` (``If-Modified-Since``), as many more rows as were seen at ``A`` (they come first
again, and are dropped), and skips whole pages of them only when more objects than a page
share the stamp ``A``; so a page brings ``page_size`` new objects, and a listing neither skips nor
repeats objects that change while it runs (they come again later, with their new stamp). Only
when more than a page of objects share one millisecond and one of them changes between two
pages can another be passed over (Xero offers no finer order to prevent it). The same cursor,
when the listing is complete, is the high-water mark of the next incremental listing.

## Writes

Every write sends the engine's idempotency key as ``Idempotency-Key``. Xero has no version
counter and never refuses a stale write, so the version is ``UpdatedDateUTC`` and the adapter
checks it: an update first reads the object; if Xero already holds what the record says
(nothing Xero keeps differs), it writes nothing and returns it (a repeated write that landed);
if Xero's version moved past the record's, it is a
[`StaleVersionError`][arcore.errors.StaleVersionError]; otherwise only the fields that differ
are sent (Xero refuses to edit the lines of an invoice with payments). Voids: invoices and
credit notes go to ``VOIDED`` (drafts to ``DELETED``, the only way Xero cancels a draft),
payments are reversed (``Status: DELETED``).

Payments: a Xero payment pays exactly one invoice, all of its amount. ``create`` with the
payment's application sends it; ``create`` of a payment not yet applied keeps it in arcore
(a record whose id starts with [`PENDING`][arcore_xero.adapter.PENDING]: nothing in Xero
can hold it), and the ``apply`` that follows creates the Xero payment and returns its real id,
which the engine's mapping takes. A payment applied to several invoices, or to one for less
than its amount, is refused with [`VendorValidationError`][arcore.errors.VendorValidationError].
Credit notes are applied by allocating each application (``PUT
/CreditNotes/{id}/Allocations``).
"""  # noqa: E501

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from pydantic import SecretStr

from arcore.adapter import (
    Applied,
    Capabilities,
    ChangeNotice,
    Connection,
    Entity,
    Page,
    Record,
    Token,
)
from arcore.documents import DocumentStatus, Payment
from arcore.errors import (
    ConfigurationError,
    RateLimitedError,
    StaleVersionError,
    VendorAuthError,
    VendorError,
    VendorNotFoundError,
    VendorValidationError,
)
from arcore.money import Money
from arcore_xero.errors import (
    DAY_WINDOW,
    MINUTE_WINDOW,
    SYSTEM,
    from_refresh_error,
    from_xero_error,
    header,
    status_of,
)
from arcore_xero.mapping.common import MappingContext, XeroMappingError, enum_text, parse_version
from arcore_xero.mapping.contacts import contact_to_record, record_to_contact
from arcore_xero.mapping.credit_notes import (
    credit_note_to_record,
    record_to_allocations,
    record_to_credit_note,
)
from arcore_xero.mapping.invoices import invoice_to_record, record_to_invoice
from arcore_xero.mapping.payments import payment_to_record, record_to_payment, single_application
from arcore_xero.plugin import CAPABILITIES
from arcore_xero.webhooks import parse_events, verify_signature

__all__ = ["DEFAULT_SCOPE", "PENDING", "XeroAdapter"]

_log = logging.getLogger(__name__)

DEFAULT_SCOPE: Final = "offline_access accounting.transactions accounting.contacts"
"""The scopes a refresh asks for unless the connection's ``scope`` setting says otherwise."""

PENDING: Final = "arcore-pending-"
"""Prefix of the id of a payment kept in arcore until it is applied (Xero cannot hold it)."""

_EXPIRY_MARGIN: Final = timedelta(seconds=60)
_MAX_PAGE: Final = 1000  # Xero's largest pageSize
_T = TypeVar("_T")


def _is_sales_invoice(obj: Any) -> bool:
    return enum_text(obj.type) in ("", "ACCREC")


def _is_sales_credit(obj: Any) -> bool:
    return enum_text(obj.type) in ("", "ACCRECCREDIT")


def _is_invoice_payment(obj: Any) -> bool:
    return enum_text(obj.payment_type) in ("", "ACCRECPAYMENT")


@dataclass(frozen=True)
class _Kind:
    """How one entity is called in xero-python and mapped."""

    envelope: str  # the JSON key of the envelope ("Invoices")
    attribute: str  # the envelope model's attribute ("invoices")
    id_attr: str  # the model's id attribute ("invoice_id")
    id_field: str  # the JSON id field ("InvoiceID")
    list_method: str
    get_method: str
    create_method: str
    update_method: str | None
    read: Callable[[Any, MappingContext], Record]
    write: Callable[[Record, MappingContext], Any]
    accept: Callable[[Any], bool]
    list_options: Mapping[str, Any]


_KINDS: Final[Mapping[str, _Kind]] = {
    "customer": _Kind(
        "Contacts", "contacts", "contact_id", "ContactID",
        "get_contacts", "get_contact", "create_contacts", "update_contact",
        contact_to_record, record_to_contact, lambda obj: True, {"include_archived": True},
    ),
    "invoice": _Kind(
        "Invoices", "invoices", "invoice_id", "InvoiceID",
        "get_invoices", "get_invoice", "create_invoices", "update_invoice",
        invoice_to_record, record_to_invoice, _is_sales_invoice, {},
    ),
    "credit_memo": _Kind(
        "CreditNotes", "credit_notes", "credit_note_id", "CreditNoteID",
        "get_credit_notes", "get_credit_note", "create_credit_notes", "update_credit_note",
        credit_note_to_record, record_to_credit_note, _is_sales_credit, {},
    ),
    "payment": _Kind(
        "Payments", "payments", "payment_id", "PaymentID",
        "get_payments", "get_payment", "create_payments", None,
        payment_to_record, record_to_payment, _is_invoice_payment, {},
    ),
}  # fmt: skip


def _serialize(model: Any) -> dict[str, Any]:
    """A model as the JSON object xero-python would send."""
    from xero_python.api_client.serializer import serialize

    result: dict[str, Any] = serialize(model)
    return result


def _floor_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _stamp(record: Record) -> datetime | None:
    return parse_version(record.version) if record.version else record.updated_at


class XeroAdapter:
    """A connected Xero organisation, an [`Adapter`][arcore.adapter.Adapter].

    Args:
        connection: Settings, secrets, tenant id and token store (see the module documentation).
        clock: Returns the current time (UTC), for token expiry and the rate-limit pauses;
            default the connection's clock.

    Raises:
        ConfigurationError: a required setting or secret is missing.
    """

    def __init__(
        self, connection: Connection, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._connection = connection
        self._clock = clock or connection.clock
        settings = connection.settings
        missing = [] if settings.get("client_id") else ["client_id"]
        if "client_secret" not in connection.secrets:
            missing.append("client_secret")
        if not connection.tenant:
            missing.append("tenant")
        if missing:
            raise ConfigurationError(
                f"the Xero connection lacks {', '.join(missing)}",
                hint="Set them in the connection's settings and secrets",
                field=missing[0],
            )
        self._tenant = connection.tenant
        self._api_url = settings.get("api_url") or ""
        self._token_url = settings.get("identity_url") or ""
        self._scope = (settings.get("scope") or DEFAULT_SCOPE).split()
        self._context = MappingContext(
            company_id=settings.get("company_id") or connection.tenant,
            home_currency=settings.get("home_currency") or "USD",
            sales_account_code=settings.get("sales_account_code") or "200",
            tax_type=settings.get("tax_type") or "OUTPUT",
            no_tax_type=settings.get("no_tax_type") or "NONE",
            payment_account_code=settings.get("payment_account_code") or "090",
        )
        self._lock = threading.RLock()
        self._client: Any = None
        self._api: Any = None
        self._token: Token | None = None
        self._generation = 0
        self._paused_until: datetime | None = None
        self._pause_reason = ""

    def __repr__(self) -> str:
        return f"XeroAdapter(tenant={self._tenant!r})"

    # --- the contract ---------------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        """What this adapter can do (the same as its ``AdapterInfo``)."""
        return CAPABILITIES

    def list_changes(self, entity: Entity, *, cursor: str | None, page_size: int) -> Page:
        """One page of ``entity`` changed since ``cursor`` (``None``: a full listing)."""
        kind = self._kind(entity, write=False)
        size = max(1, min(page_size, _MAX_PAGE))
        after, seen = self._decode(cursor)
        # Objects listed already at the boundary stamp come first again: ask for that many
        # more, so a page still brings ``size`` new ones; when more than a page share the
        # stamp, skip whole pages of them (keyset paging cannot tell them apart otherwise).
        ties = sum(1 for version in seen.values() if after and parse_version(version) == after)
        page, asked = (ties // size + 1, size) if ties >= size else (1, min(size + ties, _MAX_PAGE))
        options: dict[str, Any] = {
            **kind.list_options,
            "order": "UpdatedDateUTC ASC",
            "page": page,
            "page_size": asked,
        }
        if after is not None:
            options["if_modified_since"] = after
        envelope = self._call(lambda api: getattr(api, kind.list_method)(self._tenant, **options))
        rows = list(getattr(envelope, kind.attribute, None) or [])
        records: list[Record] = []
        latest = after
        taken = 0
        for row in rows:
            if len(records) == size:
                break  # a full page: the rest comes with the next one
            taken += 1
            identity = str(getattr(row, kind.id_attr))
            version = self._row_version(row)
            if version is not None:
                stamp = parse_version(version)
                latest = stamp if latest is None or stamp > latest else latest
                if seen.get(identity) == version:
                    continue
                seen[identity] = version
            if kind.accept(row):
                records.append(kind.read(row, self._context))
        if latest is not None:
            # Kept for the whole second: a server that compares If-Modified-Since to the
            # second sends them again, and they are dropped rather than listed twice.
            keep_from = _floor_second(latest)
            seen = {key: v for key, v in seen.items() if parse_version(v) >= keep_from}
        cursor_text = json.dumps(
            {"v": 1, "after": latest.isoformat() if latest else None, "seen": seen},
            sort_keys=True,
        )
        more = taken < len(rows) or _more(envelope, rows, asked)
        return Page(records=tuple(records), cursor=cursor_text, more=more)

    def get(self, entity: Entity, external_id: str) -> Record:
        """The object as it is now (``VendorNotFoundError`` if Xero has none)."""
        kind = self._kind(entity, write=False)
        if entity == "payment" and external_id.startswith(PENDING):
            raise VendorNotFoundError(
                f"payment {external_id} is not in Xero: it waits in arcore to be applied",
                hint="Apply the payment to an invoice in arcore; the next sync sends it",
                system=SYSTEM,
            )
        return self._get(kind, entity, external_id)

    def create(self, record: Record, *, idempotency_key: str) -> Record:
        """Create ``record`` in Xero with ``Idempotency-Key`` set to ``idempotency_key``.

        A payment without applications is kept pending (see the module documentation).
        """
        kind = self._kind(record.entity, write=True)
        if record.entity == "payment" and not record.applications:
            return self._pending_payment(record, idempotency_key)
        body = _serialize(self._model(kind, record.model_copy(update={"external_id": None})))
        body.pop(kind.id_field, None)
        return self._send_create(kind, record.entity, body, idempotency_key)

    def update(self, record: Record, *, idempotency_key: str) -> Record:
        """Update the object to ``record``, sending only what differs from Xero's copy.

        Raises:
            StaleVersionError: Xero's ``UpdatedDateUTC`` moved past ``record.version`` and
                the object differs from ``record``.
            VendorValidationError: a payment would change (Xero cannot change one).
        """
        kind = self._kind(record.entity, write=True)
        external_id = self._external_id(record)
        if record.entity == "payment" and external_id.startswith(PENDING):
            return record.model_copy(update={"document": self._renamed(record, external_id)})
        current = self._get(kind, record.entity, external_id)
        if record.entity == "payment" and not record.applications:
            # A Xero payment's invoice is part of it: compare the rest.
            record = record.model_copy(update={"applications": current.applications})
        changed = self._changes(kind, record, current)
        if not changed:
            return current  # Xero holds this already (or a repeated write that landed)
        self._check_version(record, current)
        if kind.update_method is None:
            raise VendorValidationError(
                f"Xero cannot change payment {external_id} ({', '.join(sorted(changed))})",
                hint="Void (reverse) the payment in arcore and record a new one",
                system=SYSTEM,
                field=next(iter(sorted(changed))),
            )
        changed[kind.id_field] = external_id
        return self._send_update(kind, record.entity, external_id, changed, idempotency_key)

    def void(self, record: Record, *, idempotency_key: str) -> Record:
        """Void an invoice or credit note (a draft is deleted), or reverse a payment."""
        kind = self._kind(record.entity, write=True)
        if record.entity not in CAPABILITIES.voids:
            raise VendorValidationError(
                f"Xero cannot void a {record.entity}", system=SYSTEM, field="entity"
            )
        external_id = self._external_id(record)
        if record.entity == "payment" and external_id.startswith(PENDING):
            document = self._renamed(record, external_id)
            return record.model_copy(
                update={"document": document.model_copy(update={"status": DocumentStatus.VOID})}
            )
        current = self._get(kind, record.entity, external_id)
        status = getattr(current.document, "status", None)
        if current.deleted or status is DocumentStatus.VOID:
            return current  # already void (a repeated void that landed)
        self._check_version(record, current)
        if record.entity == "payment":
            from xero_python.accounting.models import PaymentDelete

            self._call(
                lambda api: api.delete_payment(
                    self._tenant,
                    external_id,
                    PaymentDelete(status="DELETED"),
                    idempotency_key=idempotency_key,
                )
            )
            return self._get(kind, record.entity, external_id)
        target = (
            "DELETED" if status in (DocumentStatus.DRAFT, DocumentStatus.APPROVED) else "VOIDED"
        )
        body = {kind.id_field: external_id, "Status": target}
        return self._send_update(kind, record.entity, external_id, body, idempotency_key)

    def delete(self, record: Record, *, idempotency_key: str) -> None:
        """Xero deletes nothing arcore writes: documents are voided, payments reversed.

        Raises:
            VendorValidationError: always, saying what to do instead.
        """
        raise VendorValidationError(
            f"the Xero adapter does not delete a {record.entity}",
            hint="Void it instead (Xero voids invoices and credit notes and reverses payments; "
            "contacts are archived in Xero by hand)",
            system=SYSTEM,
            field="entity",
            value=record.entity,
        )

    def apply(
        self, record: Record, applications: Sequence[Applied], *, idempotency_key: str
    ) -> Record:
        """Apply a payment (create it in Xero) or allocate a credit note to invoices.

        ``applications`` are what to add (the engine sends what Xero does not hold yet); a
        repeated call with the same ``idempotency_key`` is answered by Xero from its record
        of the first.

        Raises:
            VendorValidationError: a payment that Xero cannot hold (not one invoice, or not
                its whole amount), or an allocation Xero refuses.
        """
        if not applications:
            raise ConfigurationError("nothing to apply", field="applications")
        external_id = self._external_id(record)
        if record.entity == "payment":
            return self._apply_payment(record, external_id, applications, idempotency_key)
        if record.entity == "credit_memo":
            return self._allocate(record, external_id, applications, idempotency_key)
        raise ConfigurationError(
            f"only payments and credit memos are applied, not a {record.entity}",
            field="entity",
            value=record.entity,
        )

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether ``body`` carries a valid ``x-xero-signature`` (compared in constant time).

        Answer Xero 200 when it does (an intent-to-receive delivery has no events), 401 when
        it does not.
        """
        key = self._connection.secrets.get("webhook_key")
        if key is None:
            return False
        return verify_signature(body, headers, key.get_secret_value())

    def parse_webhook(self, body: bytes) -> list[ChangeNotice]:
        """The changes a verified webhook body announces (contacts, invoices, credit notes)."""
        return parse_events(body)

    def refresh(self) -> Token:
        """Refresh the access token now through the token endpoint, and save it."""
        with self._lock:
            self._ensure_client()
            return self._refresh_locked()

    # --- tokens and the client ------------------------------------------------------------

    def _secret(self, key: str) -> str | None:
        value = self._connection.secrets.get(key)
        return value.get_secret_value() if value is not None else None

    def _token_dict(self) -> dict[str, Any]:
        """The SDK's ``oauth2_token_getter``: the current token as xero-python takes it."""
        token = self._token
        return {
            "access_token": token.access_token.get_secret_value() if token else "",
            "refresh_token": token.refresh_token.get_secret_value() if token else "",
            "token_type": "Bearer",
            "scope": list(self._scope),
            "expires_in": None,
            "expires_at": None,  # the adapter judges expiry on its own clock
        }

    def _save_token(self, answer: Mapping[str, Any]) -> None:
        """The SDK's ``oauth2_token_saver``: keep the token the token endpoint answered."""
        seconds = int(answer.get("expires_in") or 1800)
        rotated = answer.get("refresh_token")
        previous = self._token.refresh_token.get_secret_value() if self._token else ""
        token = Token(
            access_token=SecretStr(str(answer["access_token"])),
            refresh_token=SecretStr(str(rotated or previous)),
            expires_at=self._clock() + timedelta(seconds=seconds),
        )
        self._connection.token_store.save(SYSTEM, self._tenant, token)
        self._token = token

    def _ensure_client(self) -> None:
        if self._client is not None:
            return
        from xero_python.accounting import AccountingApi
        from xero_python.api_client import ApiClient
        from xero_python.api_client.configuration import Configuration
        from xero_python.api_client.oauth2 import OAuth2Token

        # Configuration() returns a copy of the first one built in the process, whatever the
        # arguments: this connection's credentials are set on the copy.
        config = Configuration()
        config.oauth2_token = OAuth2Token(
            client_id=self._connection.settings["client_id"],
            client_secret=self._secret("client_secret"),
        )
        config.connection_pool_maxsize = CAPABILITIES.max_concurrency
        client = ApiClient(
            config,
            pool_threads=1,
            oauth2_token_getter=self._token_dict,
            oauth2_token_saver=self._save_token,
        )
        self._client = client
        # No retries under the SDK: urllib3 would repeat a throttled call after sleeping out
        # its Retry-After, and a dropped one; the sync engine retries, on its own clock.
        client.rest_client.pool_manager.connection_pool_kw["retries"] = False
        self._api = AccountingApi(client, base_url=self._api_url or None)
        token = self._connection.token_store.load(SYSTEM, self._tenant)
        if token is None:
            bootstrap = self._secret("refresh_token")
            if not bootstrap:
                raise VendorAuthError(
                    f"no Xero tokens are stored for organisation {self._tenant}",
                    hint="Connect the organisation (authorise the app) to store its tokens first",
                    system=SYSTEM,
                )
            token = Token(
                access_token=SecretStr(""),
                refresh_token=SecretStr(bootstrap),
                expires_at=self._clock(),
            )
        self._token = token

    def _refresh_locked(self) -> Token:
        from xero_python.api_client.oauth2 import TokenApi

        oauth = self._client.configuration.oauth2_token
        oauth.update_token(**self._token_dict())
        token_api = TokenApi(self._client, oauth.client_id, oauth.client_secret)
        if self._token_url:
            token_api.refresh_token_url = self._token_url  # this instance only
        try:
            answer = oauth.fetch_access_token(token_api)
        except Exception as exc:  # the SDK raises a plain Exception on refusal
            raise from_refresh_error(exc) from exc
        self._client.set_oauth2_token(answer)  # → the saver above
        self._generation += 1
        _log.info("Xero tokens refreshed for organisation %s", self._tenant)
        assert self._token is not None
        return self._token

    def _fresh_api(self) -> tuple[Any, int]:
        """The API object with a token valid for a minute more, and the token's generation."""
        with self._lock:
            self._ensure_client()
            assert self._token is not None
            if self._token.expires_at <= self._clock() + _EXPIRY_MARGIN:
                self._refresh_locked()
            return self._api, self._generation

    def _check_pause(self) -> None:
        """Refuse to call while a limit Xero reported spent is still spent."""
        until = self._paused_until
        if until is None:
            return
        now = self._clock()
        if now >= until:
            self._paused_until = None
            return
        raise RateLimitedError(
            f"Xero's {self._pause_reason} limit for organisation {self._tenant} is spent",
            hint="Wait and retry: Xero allows 60 calls a minute and 5,000 a day per organisation",
            retry_after=(until - now).total_seconds(),
            system=SYSTEM,
            detail=f"{self._pause_reason} remaining: 0",
        )

    def _note_limits(self, headers: Mapping[str, str] | None) -> None:
        """Pause before the next call when the answer says a limit is spent."""
        day = header(headers, "X-DayLimit-Remaining")
        minute = header(headers, "X-MinLimit-Remaining")
        app = header(headers, "X-AppMinLimit-Remaining")
        now = self._clock()
        if day is not None and day.strip() == "0":
            self._paused_until, self._pause_reason = now + timedelta(seconds=DAY_WINDOW), "day"
        elif "0" in ((minute or "").strip(), (app or "").strip()):
            self._paused_until = now + timedelta(seconds=MINUTE_WINDOW)
            self._pause_reason = "minute"

    def _call(self, operation: Callable[[Any], Any]) -> Any:
        """Run ``operation(api)`` (an SDK call); on a 401 refresh once and repeat it.

        The SDK is asked for status and headers too, so the remaining-limit headers are read.
        """
        from xero_python.exceptions import OpenApiException

        for attempt in (1, 2):
            self._check_pause()
            api, generation = self._fresh_api()
            try:
                data, _status, headers = operation(_Full(api))
            except VendorError:
                raise
            except (OpenApiException, OSError, ValueError) as exc:
                if attempt == 1 and status_of(exc) == 401:
                    with self._lock:
                        if generation == self._generation:  # not already refreshed by a peer
                            self._refresh_locked()
                    continue
                raise from_xero_error(exc) from exc
            except Exception as exc:  # urllib3 errors reach us unwrapped
                raise from_xero_error(exc) from exc
            self._note_limits(headers)
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    # --- reading --------------------------------------------------------------------------

    def _kind(self, entity: str, *, write: bool) -> _Kind:
        allowed = CAPABILITIES.writes if write else CAPABILITIES.reads
        if entity not in allowed or entity not in _KINDS:
            raise ConfigurationError(
                f"the Xero adapter does not {'write' if write else 'read'} {entity}",
                hint=f"It handles: {', '.join(sorted(allowed))}",
                field="entity",
                value=entity,
            )
        return _KINDS[entity]

    @staticmethod
    def _row_version(row: Any) -> str | None:
        from arcore_xero.mapping.common import version_of

        return version_of(getattr(row, "updated_date_utc", None))

    def _decode(self, cursor: str | None) -> tuple[datetime | None, dict[str, str]]:
        if cursor is None:
            return None, {}
        try:
            state = json.loads(cursor)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                "not a Xero cursor", hint="Pass back a cursor this adapter returned"
            ) from exc
        if not isinstance(state, dict) or state.get("v") != 1:
            raise ConfigurationError(
                "not a Xero cursor", hint="Pass back a cursor this adapter returned"
            )
        after = parse_version(state["after"]) if state.get("after") else None
        return after, {str(k): str(v) for k, v in (state.get("seen") or {}).items()}

    def _one(self, kind: _Kind, envelope: Any, entity: str, external_id: str) -> Any:
        rows = list(getattr(envelope, kind.attribute, None) or [])
        if not rows or not kind.accept(rows[0]):
            raise VendorNotFoundError(
                f"Xero has no {entity.replace('_', ' ')} {external_id}",
                hint="It was deleted, is not a sales document, or never existed",
                system=SYSTEM,
            )
        row = rows[0]
        if getattr(row, "has_errors", False) or getattr(row, "has_validation_errors", False):
            messages = [
                str(error.message)
                for error in (getattr(row, "validation_errors", None) or [])
                if getattr(error, "message", None)
            ]
            raise VendorValidationError(
                f"Xero refused the {entity.replace('_', ' ')}: "
                + ("; ".join(messages) or "validation errors"),
                hint="Correct the object as the detail says and push it again",
                system=SYSTEM,
                detail="; ".join(messages),
            )
        return row

    def _get(self, kind: _Kind, entity: str, external_id: str) -> Record:
        envelope = self._call(lambda api: getattr(api, kind.get_method)(self._tenant, external_id))
        return kind.read(self._one(kind, envelope, entity, external_id), self._context)

    # --- writing --------------------------------------------------------------------------

    @staticmethod
    def _external_id(record: Record) -> str:
        if not record.external_id:
            raise XeroMappingError(
                f"a {record.entity} write needs its Xero id",
                hint="Pass the record as last read (external_id and version)",
                field="external_id",
            )
        return record.external_id

    def _model(self, kind: _Kind, record: Record) -> Any:
        try:
            return kind.write(record, self._context)
        except XeroMappingError as exc:
            raise VendorValidationError(
                f"the {record.entity.replace('_', ' ')} cannot be sent to Xero: {exc.message}",
                hint=exc.hint,
                system=SYSTEM,
                field=exc.field,
                value=exc.value,
            ) from exc

    def _changes(self, kind: _Kind, record: Record, current: Record) -> dict[str, Any]:
        """The top-level fields of ``record``'s Xero body that differ from Xero's copy."""
        desired = _serialize(self._model(kind, record))
        if current.deleted or current.document is None:
            return desired
        held = _serialize(self._model(kind, current))
        return {key: value for key, value in desired.items() if held.get(key) != value}

    @staticmethod
    def _check_version(record: Record, current: Record) -> None:
        if record.version != current.version:
            raise StaleVersionError(
                f"Xero's {record.entity.replace('_', ' ')} {record.external_id} changed since "
                f"version {record.version} (it is at {current.version})",
                hint="Fetch the object again and reapply the change",
                system=SYSTEM,
                field="version",
                value=record.version,
            )

    def _send_create(self, kind: _Kind, entity: str, body: dict[str, Any], key: str) -> Record:
        envelope = {kind.envelope: [body]}
        answer = self._call(
            lambda api: getattr(api, kind.create_method)(
                self._tenant, envelope, summarize_errors=True, idempotency_key=key
            )
        )
        return kind.read(self._one(kind, answer, entity, "created"), self._context)

    def _send_update(
        self, kind: _Kind, entity: str, external_id: str, body: dict[str, Any], key: str
    ) -> Record:
        assert kind.update_method is not None
        envelope = {kind.envelope: [body]}
        answer = self._call(
            lambda api: getattr(api, str(kind.update_method))(
                self._tenant, external_id, envelope, idempotency_key=key
            )
        )
        return kind.read(self._one(kind, answer, entity, external_id), self._context)

    @staticmethod
    def _renamed(record: Record, external_id: str) -> Payment:
        document = record.document
        if not isinstance(document, Payment):
            raise XeroMappingError("a payment record must hold a Payment", field="document")
        return document.model_copy(update={"id": external_id, "external_ids": {}})

    def _pending_payment(self, record: Record, key: str) -> Record:
        """A payment Xero cannot hold yet, kept in arcore under an id made from ``key``."""
        if not isinstance(record.document, Payment):
            raise VendorValidationError(
                "a payment record must hold a Payment", system=SYSTEM, field="document"
            )
        external_id = f"{PENDING}{key}"
        return Record(
            entity="payment",
            external_id=external_id,
            version="pending",
            document=self._renamed(record, external_id),
        )

    def _apply_payment(
        self, record: Record, external_id: str, applications: Sequence[Applied], key: str
    ) -> Record:
        applied = record.model_copy(update={"applications": tuple(applications)})
        if external_id.startswith(PENDING):
            try:
                single_application(applied)
            except XeroMappingError as exc:
                raise VendorValidationError(
                    f"the payment cannot be sent to Xero: {exc.message}",
                    hint=exc.hint,
                    system=SYSTEM,
                    field=exc.field,
                    value=exc.value,
                ) from exc
            kind = _KINDS["payment"]
            body = _serialize(self._model(kind, applied))
            return self._send_create(kind, "payment", body, key)
        current = self.get("payment", external_id)
        if _totals(current.applications or ()) == _totals(applications):
            return current  # what it pays already (a repeated apply that landed)
        raise VendorValidationError(
            f"Xero payment {external_id} pays its invoice only; it cannot be applied elsewhere",
            hint="Void (reverse) the payment in arcore and record one payment per invoice",
            system=SYSTEM,
            field="applications",
        )

    def _allocate(
        self, record: Record, external_id: str, applications: Sequence[Applied], key: str
    ) -> Record:
        try:
            allocations = record_to_allocations(applications, self._clock().date())
        except XeroMappingError as exc:
            raise VendorValidationError(exc.message, system=SYSTEM, field=exc.field) from exc
        self._call(
            lambda api: api.create_credit_note_allocation(
                self._tenant,
                external_id,
                allocations,
                summarize_errors=True,
                idempotency_key=key,
            )
        )
        return self.get("credit_memo", external_id)


def _more(envelope: Any, rows: Sequence[Any], size: int) -> bool:
    """Whether a page follows: Xero's ``pagination`` says so, else a full page might."""
    pagination = getattr(envelope, "pagination", None)
    page, count = getattr(pagination, "page", None), getattr(pagination, "page_count", None)
    if isinstance(page, int) and isinstance(count, int):
        return page < count
    return len(rows) >= size


def _totals(applications: Sequence[Applied]) -> dict[str, Money]:
    totals: dict[str, Money] = {}
    for applied in applications:
        previous = totals.get(applied.target_id)
        totals[applied.target_id] = (
            applied.amount if previous is None else previous + applied.amount
        )
    return totals


class _Full:
    """An ``AccountingApi`` whose calls return ``(data, status, headers)``."""

    def __init__(self, api: Any) -> None:
        self._api = api

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._api, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, _return_http_data_only=False, **kwargs)

        return call
