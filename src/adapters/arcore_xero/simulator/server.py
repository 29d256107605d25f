"""The HTTP server: routing, bearer tokens, tenants, rate limits, the fault plan, idempotency."""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from arcore.simulator import Loopback, LoopbackHandler

from .examples import example_objects
from .faults import API_PREFIX, Fault, FaultPlan
from .limits import RateLimiter, Refusal
from .oauth import OAuthError, TokenIssuer
from .store import ENTITIES, ID_FIELD, ListQuery, Store, Tenant
from .webhooks import WebhookDelivery, delivery, event
from .wire import (
    JSONObject,
    XeroError,
    dumps,
    forbidden,
    loads,
    ms_date,
    not_found,
    parse_datetime,
    server_error,
    token_problem,
    unavailable,
    validation,
)

API_BASE = API_PREFIX.rstrip("/")
TOKEN_PATH = "/connect/token"
REVOKE_PATH = "/connect/revocation"
IDEMPOTENCY_KEY_MAX = 128
HOLD_TIMEOUT_SECONDS = 30.0  # float-ok: seconds; a forgotten release_held() must not hang
_WEBHOOK_CATEGORY = {"Contacts": "CONTACT", "Invoices": "INVOICE", "CreditNotes": "CREDITNOTE"}


@dataclass(frozen=True)
class RequestRecord:
    """One request the simulator answered (or dropped), for assertions and spec validation.

    Attributes:
        method: ``GET``, ``PUT``, ``POST`` or ``DELETE``.
        path: the URL path, without the query string.
        query: the query parameters (last value of each).
        headers: the request headers (names as sent).
        body: the raw request body.
        status: the HTTP status sent; ``0`` when the connection was dropped without a response.
        response_headers: the response headers sent.
        response_body: the raw response body sent.
        at: the simulator's clock when the request arrived.
        tenant_id: the ``xero-tenant-id`` header (empty when absent).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    at: datetime
    tenant_id: str = ""

    def json(self) -> Any:
        """The response body decoded as JSON (``None`` when empty or not JSON)."""
        try:
            return json.loads(self.response_body) if self.response_body else None
        except ValueError:
            return None


@dataclass
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def _json_reply(status: int, document: object, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(status, dumps(document), dict(headers or {}))


def _error_reply(error: XeroError) -> _Reply:
    body = error.body()
    if isinstance(body, str):
        return _Reply(
            error.status,
            body.encode("utf-8"),
            {"Content-Type": "text/plain; charset=utf-8", **error.headers},
        )
    return _json_reply(error.status, body, error.headers)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _flag(query: dict[str, str], name: str, default: bool) -> bool:
    value = query.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise validation(f"{name} must be true or false, got {value!r}")


def _integer(query: dict[str, str], name: str) -> int | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise validation(f"{name} must be a whole number, got {value!r}") from exc


def _csv(query: dict[str, str], name: str) -> tuple[str, ...]:
    value = query.get(name) or ""
    return tuple(part.strip().strip('"') for part in value.split(",") if part.strip())


def _modified_since(header: str | None) -> datetime | None:
    if not header:
        return None
    try:
        return parse_datetime(header)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError) as exc:
        raise validation(
            f"If-Modified-Since {header!r} is not an ISO 8601 or RFC 1123 date-time"
        ) from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class XeroSimulator:
    """A loopback HTTP server of the Xero Accounting API subset arcore uses.

    Development mode: any client id, client secret and refresh token are accepted on first use,
    and any ``xero-tenant-id`` opens an organisation (empty, or holding the spec's examples when
    ``seed_examples`` is true). See the module docstring of ``arcore_xero.simulator``.

    Args:
        clock: returns the current aware datetime; everything time-based uses it (token expiry,
            rate-limit windows, ``UpdatedDateUTC``, ``If-Modified-Since``). Default: real time.
        port: the TCP port; 0 picks a free one (read it back from :attr:`url`).
        faults: a fault plan to start with (see :class:`Fault`).
        host: the address to bind (loopback by default).
        base_currency: the ``BaseCurrency`` of organisations opened on first use.
        seed_examples: the path of Xero's ``xero_accounting.yaml``: its examples are loaded
            into every organisation opened on first use.
        per_minute: calls per tenant in a rolling minute of ``clock`` time (Xero: 60).
        per_day: calls per tenant in a rolling day (Xero: 5,000).
        concurrent: calls per tenant in flight at once (Xero: 5).
        app_per_minute: calls per minute across all tenants (Xero: 10,000).
        webhook_key: the key webhook deliveries are signed with.
        verbose: log each request to stderr.

    Example:
        >>> with XeroSimulator() as sim:
        ...     sim.base_url.endswith("/api.xro/2.0")
        True
    """

    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        port: int = 0,
        faults: Iterable[Fault] | None = None,
        *,
        host: str = "127.0.0.1",
        base_currency: str = "USD",
        seed_examples: Path | str | None = None,
        per_minute: int = 60,
        per_day: int = 5000,
        concurrent: int = 5,
        app_per_minute: int = 10_000,
        webhook_key: str = "simulator-webhook-key",
        verbose: bool = False,
    ) -> None:
        """Create the simulator (not yet listening: call :meth:`start` or use ``with``)."""
        if min(per_minute, per_day, concurrent, app_per_minute) < 1:
            raise ValueError("rate limits must be at least 1")
        self._clock = clock or _utc_now
        self.verbose = verbose
        self.seed_examples_on_first_use = Path(seed_examples) if seed_examples else None
        self.webhook_key = webhook_key
        self._store = Store(self._now, base_currency)
        self._lock = self._store.lock
        self._tokens = TokenIssuer(self._now)
        self._limits = RateLimiter(self._now, per_minute, per_day, concurrent, app_per_minute)
        self._faults = FaultPlan()
        for fault in faults or ():
            self._faults.add(fault)
        self._records: list[RequestRecord] = []
        self._events: list[JSONObject] = []
        self._gate = threading.Event()
        self._flight = threading.Condition()
        self._loopback = Loopback(self, "arcore-xero-simulator", host, port)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> XeroSimulator:
        """Bind the port and serve in a background thread; returns ``self``.

        Raises:
            RuntimeError: when already started.
            OSError: when the port cannot be bound.
        """
        self._loopback.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent); held requests are released."""
        self.release_held()
        self._loopback.stop()

    def __enter__(self) -> XeroSimulator:
        """Start the simulator."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the simulator."""
        self.stop()

    # -- addresses -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port.

        Raises:
            RuntimeError: when the simulator is not running.
        """
        return self._loopback.port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the ``base_url`` of xero-python's ``IdentityApi``."""
        return self._loopback.url

    @property
    def base_url(self) -> str:
        """The Accounting API base: ``AccountingApi(api_client, base_url=sim.base_url)``."""
        return f"{self.url}{API_BASE}"

    @property
    def token_url(self) -> str:
        """The token endpoint: set ``TokenApi.refresh_token_url`` (and friends) to it."""
        return f"{self.url}{TOKEN_PATH}"

    @property
    def revoke_url(self) -> str:
        """The revocation endpoint: ``TokenApi.revoke_token_url``."""
        return f"{self.url}{REVOKE_PATH}"

    @property
    def connections_url(self) -> str:
        """The identity API's connections: the tenants the token may use."""
        return f"{self.url}/connections"

    # -- test helpers ----------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        """Append ``fault`` to the fault plan (see :class:`Fault` for matching)."""
        self._faults.add(fault)

    def add_faults(self, faults: Iterable[Fault]) -> None:
        """Append each of ``faults`` to the fault plan, in order."""
        for fault in faults:
            self._faults.add(fault)

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults of the plan not yet consumed."""
        return self._faults.pending()

    def seed(self, tenant_id: str, entity: str, obj: JSONObject) -> JSONObject:
        """Store one object directly in ``tenant_id`` (opened if new); returns its wire form.

        ``entity`` is ``Contacts``, ``Invoices``, ``CreditNotes`` or ``Payments``. Ids,
        numbers, statuses and ``UpdatedDateUTC`` may be given (to load history); documents without
        line items keep the totals given.

        Raises:
            XeroError: when ``obj`` is not valid (its ``message`` says why).
        """
        with self._lock:
            return self._store.seed(self._tenant(tenant_id), entity, obj)

    def seed_examples(self, tenant_id: str, spec: Path | str) -> dict[str, list[JSONObject]]:
        """Load the examples of ``spec`` (Xero's ``xero_accounting.yaml``) into a tenant.

        They are an organisation, contacts, invoices, a credit note and payments. Returns the
        objects stored, by entity (see ``arcore_xero.simulator.examples``).
        """
        with self._lock:
            return self._load_examples(self._tenant(tenant_id), Path(spec))

    def objects(self, tenant_id: str, entity: str) -> list[JSONObject]:
        """The objects of ``entity`` in ``tenant_id`` in wire form (archived included)."""
        with self._lock:
            tenant = self._tenant(tenant_id)
            shown, _ = self._store.list_objects(tenant, entity, ListQuery(include_archived=True))
            return shown

    def organisation(self, tenant_id: str) -> JSONObject:
        """The ``Organisation`` of ``tenant_id`` in wire form (opened if new)."""
        with self._lock:
            return self._store.organisation(self._tenant(tenant_id))

    @property
    def tenant_ids(self) -> list[str]:
        """The tenants opened so far, in order."""
        with self._lock:
            return list(self._store.tenants)

    def disconnect(self, tenant_id: str) -> None:
        """Disconnect ``tenant_id``: its API calls answer HTTP 403 until it is used anew."""
        with self._lock:
            self._tenant(tenant_id).connected = False

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._records)

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expired: the next API call answers 401."""
        with self._lock:
            self._tokens.expire_all()

    @property
    def refresh_count(self) -> int:
        """How many refresh-token grants the token endpoint has answered successfully."""
        with self._lock:
            return self._tokens.refreshes

    def issue_token(self, client_id: str = "made-up-client-id") -> JSONObject:
        """A fresh token set (as the token endpoint answers), without an HTTP call."""
        with self._lock:
            return self._tokens.issue(
                client_id,
                "offline_access accounting.transactions accounting.contacts accounting.settings",
                with_refresh=True,
            )

    def in_flight(self, tenant_id: str) -> int:
        """Calls of ``tenant_id`` admitted and not yet answered (held ones included)."""
        with self._lock:
            return self._limits.in_flight(tenant_id)

    def wait_in_flight(self, tenant_id: str, count: int, timeout: float = 10.0) -> bool:  # float-ok
        """Wait until ``count`` calls of ``tenant_id`` are in flight.

        Waits on a condition (no sleep loop); ``False`` when ``timeout`` real seconds pass first.
        """
        with self._flight:
            return self._flight.wait_for(lambda: self.in_flight(tenant_id) >= count, timeout)

    def release_held(self) -> None:
        """Let every request held by a ``hold`` fault answer."""
        gate, self._gate = self._gate, threading.Event()
        gate.set()

    def webhook_events(self) -> list[JSONObject]:
        """The webhook events the changes so far would have sent (a copy, oldest first)."""
        with self._lock:
            return [dict(e) for e in self._events]

    def webhook_delivery(self, *, clear: bool = True) -> WebhookDelivery:
        """A signed webhook delivery of the pending events.

        Signed (``x-xero-signature``) with :attr:`webhook_key`; ``clear`` forgets the events once
        delivered.
        """
        with self._lock:
            events = list(self._events)
            if clear:
                self._events.clear()
        return delivery(events, self.webhook_key)

    # -- serving ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the simulator clock must return aware datetimes")
        return now.astimezone(UTC)

    def _tenant(self, tenant_id: str) -> Tenant:
        new = tenant_id not in self._store.tenants
        tenant = self._store.tenant(tenant_id)
        if new and self.seed_examples_on_first_use is not None:
            self._load_examples(tenant, self.seed_examples_on_first_use)
        return tenant

    def _load_examples(self, tenant: Tenant, spec: Path) -> dict[str, list[JSONObject]]:
        examples = example_objects(spec)
        organisation = dict(examples["Organisations"][0])
        tenant.organisation = {
            **organisation,
            "CreatedDateUTC": parse_datetime(str(organisation["CreatedDateUTC"])),
        }
        for key in ("PeriodLockDate", "EndOfYearLockDate"):
            if organisation.get(key):
                tenant.organisation[key] = parse_datetime(str(organisation[key])).date()
        loaded: dict[str, list[JSONObject]] = {}
        for entity in ENTITIES:
            loaded[entity] = [self._store.seed(tenant, entity, obj) for obj in examples[entity]]
        return loaded

    def serve_http(self, handler: LoopbackHandler) -> None:
        """Answer one request (the loopback server calls it on the request's thread)."""
        arrived = self._now()
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length > 0 else b""
        try:
            reply = self._dispatch(handler.command, parts.path, query, body, handler)
        except XeroError as exc:
            reply = _error_reply(exc)
        except Exception as exc:  # a bug must answer, not hang the client
            reply = _error_reply(server_error())
            if self.verbose:
                sys.stderr.write(f"simulator error: {exc!r}\n")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Xero-Correlation-Id": str(uuid.uuid4()),
            **reply.headers,
        }
        with self._lock:
            self._records.append(
                RequestRecord(
                    method=handler.command,
                    path=parts.path,
                    query=query,
                    headers=dict(handler.headers.items()),
                    body=body,
                    status=0 if reply.drop else reply.status,
                    response_headers={} if reply.drop else headers,
                    response_body=b"" if reply.drop else reply.body,
                    at=arrived,
                    tenant_id=handler.headers.get("xero-tenant-id") or "",
                )
            )
        if reply.drop:
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        handler.send_response(reply.status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        with contextlib.suppress(OSError):
            handler.wfile.write(reply.body)

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], body: bytes, handler: LoopbackHandler
    ) -> _Reply:
        if path == API_BASE or path.startswith(API_PREFIX):
            return self._api(method, path, query, body, handler)
        fault = self._faults.take(method, path)
        if fault is not None:
            early = self._early_fault(fault)
            if early is not None:
                return early
        reply = self._identity(method, path, body, handler)
        if fault is not None and fault.kind == "drop_after_commit":
            reply.drop = True
        return reply

    def _early_fault(self, fault: Fault) -> _Reply | None:
        """Apply a fault that acts before the request is served; its reply if it answers."""
        if fault.kind == "latency":
            time.sleep(fault.seconds)
        elif fault.kind == "hold":
            self._gate.wait(HOLD_TIMEOUT_SECONDS)
        elif fault.kind == "http_500":
            return _error_reply(server_error())
        elif fault.kind == "http_503":
            return _error_reply(unavailable())
        elif fault.kind == "not_found":
            return _error_reply(not_found())
        elif fault.kind == "throttle":
            return self._throttle_reply(Refusal(fault.problem, max(1, round(fault.seconds))), {})
        return None

    # -- identity ----------------------------------------------------------------------------

    def _identity(self, method: str, path: str, body: bytes, handler: LoopbackHandler) -> _Reply:
        with self._lock:
            try:
                if method == "POST" and path == TOKEN_PATH:
                    answer = self._tokens.token_request(body, handler.headers.get("Authorization"))
                    return _json_reply(200, answer)
                if method == "POST" and path == REVOKE_PATH:
                    form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()}
                    self._tokens.revoke(form.get("token", ""))
                    return _Reply(200, b"")
            except OAuthError as exc:
                return _json_reply(exc.status, exc.body())
            lowered = path.lower().rstrip("/")
            if lowered == "/connections" or lowered.startswith("/connections/"):
                problem = self._tokens.access_problem(_bearer(handler))
                if problem is not None:
                    return _error_reply(token_problem(problem))
                if method == "GET" and lowered == "/connections":
                    return _json_reply(200, self._connections())
                if method == "DELETE" and lowered.startswith("/connections/"):
                    connection_id = unquote(path.rstrip("/").rsplit("/", 1)[1])
                    for tenant in self._store.tenants.values():
                        if _connection_id(tenant.tenant_id) == connection_id and tenant.connected:
                            tenant.connected = False
                            return _Reply(204, b"")
                    return _error_reply(not_found())
        return _error_reply(not_found())

    def _connections(self) -> list[JSONObject]:
        return [
            {
                "id": _connection_id(tenant.tenant_id),
                "authEventId": _connection_id("auth-event"),
                "tenantId": tenant.tenant_id,
                "tenantType": "ORGANISATION",
                "tenantName": str(tenant.organisation.get("Name", "")),
                "createdDateUtc": tenant.created.replace(tzinfo=None).isoformat(
                    timespec="milliseconds"
                ),
                "updatedDateUtc": tenant.created.replace(tzinfo=None).isoformat(
                    timespec="milliseconds"
                ),
            }
            for tenant in self._store.tenants.values()
            if tenant.connected
        ]

    # -- API -----------------------------------------------------------------------------------

    def _throttle_reply(self, refusal: Refusal, remaining: dict[str, str]) -> _Reply:
        error = XeroError(429, f"Rate limit exceeded: {refusal.problem}")
        reply = _error_reply(error)
        reply.headers.update(remaining)
        reply.headers["Retry-After"] = str(refusal.retry_after)
        reply.headers["X-Rate-Limit-Problem"] = refusal.problem
        return reply

    def _api(
        self, method: str, path: str, query: dict[str, str], body: bytes, handler: LoopbackHandler
    ) -> _Reply:
        token = _bearer(handler)
        tenant_id = (handler.headers.get("xero-tenant-id") or "").strip()
        with self._lock:
            problem = self._tokens.access_problem(token)
            if problem is not None:
                return _error_reply(token_problem(problem))
            if not tenant_id:
                return _error_reply(
                    forbidden("AuthenticationUnsuccessful: xero-tenant-id header is required")
                )
            tenant = self._tenant(tenant_id)
            if not tenant.connected:
                return _error_reply(forbidden())
            refusal = self._limits.admit(tenant_id)
            remaining = self._limits.remaining(tenant_id)
        if refusal is not None:
            return self._throttle_reply(refusal, remaining)
        with self._flight:
            self._flight.notify_all()
        try:
            reply = self._api_admitted(method, path, query, body, handler, tenant, token)
        finally:
            with self._lock:
                self._limits.release(tenant_id)
        reply.headers.update(remaining)
        return reply

    def _api_admitted(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes,
        handler: LoopbackHandler,
        tenant: Tenant,
        token: str | None,
    ) -> _Reply:
        fault = self._faults.take(method, path)
        if fault is not None:
            if fault.kind == "expire_token":
                with self._lock:
                    self._tokens.expire(token or "")
                    problem = self._tokens.access_problem(token) or "TokenExpired"
                return _error_reply(token_problem(problem))
            early = self._early_fault(fault)
            if early is not None:
                return early
        segments = [unquote(s) for s in path[len(API_BASE) :].split("/") if s]
        key = handler.headers.get("Idempotency-Key")
        if method in ("PUT", "POST") and key:
            reply = self._idempotent(tenant, key, method, path, query, body, segments)
        else:
            reply = self._route_safely(tenant, method, segments, query, body, handler)
        if fault is not None and fault.kind == "drop_after_commit":
            reply.drop = True
        return reply

    def _idempotent(
        self,
        tenant: Tenant,
        key: str,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes,
        segments: list[str],
    ) -> _Reply:
        """Run a write once per ``Idempotency-Key``: a repeat gets the first answer, unwritten."""
        if len(key) > IDEMPOTENCY_KEY_MAX:
            return _error_reply(
                validation(f"Idempotency-Key must be at most {IDEMPOTENCY_KEY_MAX} characters")
            )
        fingerprint = hashlib.sha256(
            "\n".join([method, path, json.dumps(sorted(query.items())), ""]).encode() + body
        ).hexdigest()
        with self._lock:
            remembered = tenant.replies.get(key)
            if remembered is not None:
                seen, status, headers, answer = remembered
                if seen != fingerprint:
                    return _error_reply(
                        validation(
                            f"The Idempotency-Key {key!r} was already used for a different "
                            "request; use a new key for a new request"
                        )
                    )
                return _Reply(status, answer, {**headers, "Idempotent-Replayed": "true"})
            reply = self._route_safely(tenant, method, segments, query, body, None)
            if reply.status < 500:
                tenant.replies[key] = (fingerprint, reply.status, dict(reply.headers), reply.body)
            return reply

    def _route_safely(
        self,
        tenant: Tenant,
        method: str,
        segments: list[str],
        query: dict[str, str],
        body: bytes,
        handler: LoopbackHandler | None,
    ) -> _Reply:
        modified = handler.headers.get("If-Modified-Since") if handler is not None else None
        try:
            with self._lock:
                return self._route(tenant, method, segments, query, body, modified)
        except XeroError as exc:
            return _error_reply(exc)

    def _envelope(self, key: str, items: object, pagination: JSONObject | None = None) -> _Reply:
        document: JSONObject = {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": "arcore Xero simulator",
            "DateTimeUTC": ms_date(self._now()),
        }
        if pagination is not None:
            document["pagination"] = pagination
        document[key] = items
        return _json_reply(200, document)

    def _route(
        self,
        tenant: Tenant,
        method: str,
        segments: list[str],
        query: dict[str, str],
        body: bytes,
        modified: str | None,
    ) -> _Reply:
        if segments == ["Organisation"] and method == "GET":
            return self._envelope("Organisations", [self._store.organisation(tenant)])
        entity = next((e for e in ENTITIES if segments and segments[0].lower() == e.lower()), None)
        if entity is None:
            raise not_found()
        rest = segments[1:]
        summarize = _flag(query, "summarizeErrors", True)
        if method == "GET" and not rest:
            shown, pagination = self._store.list_objects(
                tenant, entity, self._list_query(query, modified)
            )
            return self._envelope(entity, shown, pagination)
        if method == "GET" and len(rest) == 1:
            return self._envelope(entity, [self._store.get(tenant, entity, rest[0])])
        if (
            entity == "CreditNotes"
            and method == "PUT"
            and len(rest) == 2
            and (rest[1].lower() == "allocations")
        ):
            items = _items(body, "Allocations")
            before = _ids(tenant, ("Invoices", "CreditNotes"))
            shown = self._store.allocate(tenant, rest[0].lower(), items, summarize_errors=summarize)
            self._record_events(tenant, before)
            return self._envelope("Allocations", shown)
        if entity == "Payments" and method == "POST" and len(rest) == 1:
            before = _ids(tenant, ("Invoices", "CreditNotes"))
            payment = self._store.delete_payment(tenant, rest[0].lower(), loads_or_400(body))
            self._record_events(tenant, before)
            return self._envelope("Payments", [payment])
        if method in ("PUT", "POST") and len(rest) <= 1:
            create_only = method == "PUT" or (entity == "Payments" and not rest)
            items = _items(body, entity)
            before = _ids(tenant, ("Contacts", "Invoices", "CreditNotes"))
            shown = self._store.write(
                tenant,
                entity,
                items,
                create_only=create_only,
                summarize_errors=summarize,
                path_id=rest[0] if rest else None,
            )
            self._record_events(tenant, before)
            return self._envelope(entity, shown)
        raise XeroError(405, f"{method} {'/'.join(segments)} is not supported by the simulator")

    def _list_query(self, query: dict[str, str], modified: str | None) -> ListQuery:
        return ListQuery(
            where=query.get("where", ""),
            order=query.get("order", ""),
            page=_integer(query, "page"),
            page_size=_integer(query, "pageSize"),
            modified_since=_modified_since(modified),
            ids=_csv(query, "IDs"),
            numbers=_csv(query, "InvoiceNumbers"),
            contact_ids=_csv(query, "ContactIDs"),
            statuses=_csv(query, "Statuses"),
            include_archived=_flag(query, "includeArchived", False),
        )

    def _record_events(self, tenant: Tenant, before: dict[str, dict[str, int]]) -> None:
        """Queue the webhook events Xero would send for what this request changed."""
        after = _ids(tenant, tuple(before))
        now = self._now()
        for entity, updated in after.items():
            for object_id, moment in updated.items():
                previous = before[entity].get(object_id)
                if previous is not None and previous == moment:
                    continue
                self._events.append(
                    event(
                        tenant.tenant_id,
                        _WEBHOOK_CATEGORY[entity],
                        "CREATE" if previous is None else "UPDATE",
                        object_id,
                        f"https://api.xero.com/api.xro/2.0/{entity}/{object_id}",
                        now,
                    )
                )


def loads_or_400(body: bytes) -> Any:
    """The request body as JSON.

    Raises:
        XeroError: HTTP 400 when the body is not JSON.
    """
    try:
        return loads(body)
    except ValueError as exc:
        raise validation(f"The request body is not valid JSON: {exc}") from exc


def _items(body: bytes, key: str) -> list[Any]:
    document = loads_or_400(body)
    if isinstance(document, dict) and isinstance(document.get(key), list):
        return list(document[key])
    if isinstance(document, dict) and key not in document:
        return [document]  # a single object (create_payment sends one)
    raise validation(f'The request body must be {{"{key}": [...]}} or one object')


def _ids(tenant: Tenant, entities: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Each object's revision (changed by every write to it), by entity and id."""
    books = tenant.books
    return {
        entity: {
            str(r[ID_FIELD[entity]]): int(r["_rev"]) for r in books.collection(entity).values()
        }
        for entity in entities
    }


def _bearer(handler: LoopbackHandler) -> str | None:
    header = handler.headers.get("Authorization") or ""
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def _connection_id(tenant_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"arcore-xero-simulator:connection:{tenant_id}"))
