"""The HTTP server: routing, bearer tokens, throttling, the fault plan and ``requestid`` replay."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from arcore.simulator import Loopback, LoopbackHandler

from .faults import Fault, FaultPlan
from .oauth import OAuthError, TokenIssuer, discovery_document
from .store import ENTITIES, ENTITY_BY_LOWER, Store
from .wire import (
    JSONObject,
    QBOError,
    authentication_failed,
    dumps,
    envelope_time,
    loads,
    object_not_found,
    system_failure,
    throttled,
    unsupported_operation,
)

DISCOVERY_PATH = "/.well-known/openid_configuration"
REQUESTID_MEMORY = 50_000
"""How many ``requestid`` answers each realm remembers (the oldest are forgotten first)."""


@dataclass(frozen=True)
class RequestRecord:
    """One request the simulator answered (or dropped), for assertions.

    Attributes:
        method: ``GET`` or ``POST``.
        path: the URL path, without the query string.
        query: the query parameters (last value of each).
        status: the HTTP status sent; ``0`` when the connection was dropped without a response.
        at: the simulator's clock when the request arrived.
    """

    method: str
    path: str
    query: dict[str, str]
    status: int
    at: datetime


@dataclass
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def _json_reply(status: int, document: object, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(status, dumps(document), dict(headers or {}))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class QuickBooksSimulator:
    """A loopback HTTP server of the QuickBooks Online v3 API for the unmodified SDK.

    Development mode: any client id, secret and refresh token are accepted on first use, and any
    realm id opens an empty company. See the module docstring of ``arcore_quickbooks.simulator``.

    Args:
        port: the TCP port; 0 picks a free one (read it back from :attr:`url`).
        clock: returns the current aware UTC datetime; everything time-based uses it (token
            expiry, the rate-limit window, ``MetaData`` timestamps, CDC). Default: real time.
        data: ``{realm_id: {"Customer": [...], "Invoice": [...], ...}}`` loaded at construction.
        requests_per_minute: per realm, in a sliding minute of ``clock`` time.
        max_concurrent: per realm, requests in flight at once.
        page_limit: the most rows one query page returns.
        host: the address to bind (loopback by default).
        batch_limit: the most items one batch request may carry.
        verbose: log each request to stderr.

    Example:
        >>> with QuickBooksSimulator() as sim:
        ...     sim.api_url.endswith("/v3")
        True
    """

    def __init__(
        self,
        port: int = 0,
        clock: Callable[[], datetime] | None = None,
        data: dict[str, dict[str, list[JSONObject]]] | None = None,
        requests_per_minute: int = 500,
        max_concurrent: int = 10,
        page_limit: int = 1000,
        *,
        host: str = "127.0.0.1",
        batch_limit: int = 30,
        verbose: bool = False,
    ) -> None:
        """Create the simulator (not yet listening: call :meth:`start` or use ``with``)."""
        if requests_per_minute < 1 or max_concurrent < 1 or page_limit < 1 or batch_limit < 1:
            raise ValueError("limits must be at least 1")
        self._clock = clock or _utc_now
        self.requests_per_minute = requests_per_minute
        self.max_concurrent = max_concurrent
        self.page_limit = page_limit
        self.batch_limit = batch_limit
        self.verbose = verbose
        self._store = Store(self._now)
        self._tokens = TokenIssuer(self._now)
        self._faults = FaultPlan()
        self._lock = self._store.lock
        self._records: list[RequestRecord] = []
        self._windows: dict[str, deque[datetime]] = {}
        self._in_flight: dict[str, int] = {}
        self._loopback = Loopback(self, "arcore-quickbooks-simulator", host, port)
        if data:
            self._store.load(data)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> QuickBooksSimulator:
        """Bind the port and serve in a background thread; returns ``self``.

        Raises:
            RuntimeError: when already started.
            OSError: when the port cannot be bound.
        """
        self._loopback.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        self._loopback.stop()

    def __enter__(self) -> QuickBooksSimulator:
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
        """``http://127.0.0.1:PORT``."""
        return self._loopback.url

    @property
    def discovery_url(self) -> str:
        """The OpenID discovery URL: pass it as ``AuthClient(environment=...)``."""
        return f"{self.url}{DISCOVERY_PATH}"

    @property
    def api_url(self) -> str:
        """The v3 API base: set ``qb.api_url_v3 = sim.api_url``."""
        return f"{self.url}/v3"

    # -- test helpers ----------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        """Append ``fault`` to the fault plan (see :class:`Fault` for matching)."""
        self._faults.add(fault)

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults of the plan not yet consumed."""
        return self._faults.pending()

    def objects(self, realm_id: str, entity: str) -> list[JSONObject]:
        """The current objects of ``entity`` in ``realm_id`` (wire form, deleted excluded)."""
        return self._store.objects(str(realm_id), entity)

    def seed(self, realm_id: str, entity: str, obj: JSONObject) -> JSONObject:
        """Create an object directly, with QBO's defaults and derived fields filled.

        ``Id``, ``SyncToken`` and ``MetaData`` may be given (to load history); otherwise they are
        assigned as by a create.
        """
        return self._store.seed(str(realm_id), entity, obj)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._records)

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expired: the next API call answers 401."""
        with self._lock:
            self._tokens.expire_all()

    # -- serving ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the simulator clock must return aware datetimes")
        return now.astimezone(UTC)

    def serve_http(self, handler: LoopbackHandler) -> None:
        """Answer one request (the loopback server calls it on the request's thread)."""
        arrived = self._now()
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length > 0 else b""
        try:
            reply = self._dispatch(handler.command, parts.path, query, body, handler)
        except Exception as exc:  # a bug must answer, not hang the client
            reply = _json_reply(500, self._fault_body(system_failure()))
            if self.verbose:
                sys.stderr.write(f"simulator error: {exc!r}\n")
        with self._lock:
            self._records.append(
                RequestRecord(
                    handler.command, parts.path, query, 0 if reply.drop else reply.status, arrived
                )
            )
        if reply.drop:
            handler.close_connection = True
            return
        handler.send_response(reply.status)
        headers = {"Content-Type": "application/json;charset=UTF-8", **reply.headers}
        headers.setdefault("intuit_tid", str(uuid.uuid4()))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        with contextlib.suppress(OSError):
            handler.wfile.write(reply.body)

    def _fault_body(self, error: QBOError) -> JSONObject:
        return {"Fault": error.fault(), "time": envelope_time(self._now())}

    def _error_reply(self, error: QBOError, headers: dict[str, str] | None = None) -> _Reply:
        return _json_reply(error.status, self._fault_body(error), headers)

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], body: bytes, handler: LoopbackHandler
    ) -> _Reply:
        if path.startswith("/v3/"):
            return self._api(method, path, query, body, handler)
        fault = self._faults.take(method, path)
        if fault is not None:
            if fault.kind == "latency":
                time.sleep(fault.seconds)
            elif fault.kind == "http_500":
                return self._error_reply(system_failure())
            elif fault.kind == "throttle":
                return self._throttle_reply(fault.seconds or None)
        reply = self._oauth(method, path, query, body, handler)
        if fault is not None and fault.kind == "drop_after_commit":
            reply.drop = True
        return reply

    # -- OAuth ---------------------------------------------------------------------------------

    def _oauth(
        self, method: str, path: str, query: dict[str, str], body: bytes, handler: LoopbackHandler
    ) -> _Reply:
        if method == "GET" and path.rstrip("/") == DISCOVERY_PATH:
            return _json_reply(200, discovery_document(self.url))
        if method == "GET" and path == "/op/v1/jwks":
            return _json_reply(200, {"keys": []})
        with self._lock:
            try:
                if method == "POST" and path == "/oauth2/v1/tokens/bearer":
                    self._tokens.client_from_basic_auth(handler.headers.get("Authorization"))
                    form = {
                        k: v[-1]
                        for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()
                    }
                    grant = form.get("grant_type")
                    if grant == "refresh_token":
                        if not form.get("refresh_token"):
                            raise OAuthError("invalid_request", "refresh_token is required")
                        return _json_reply(200, self._tokens.refresh(form["refresh_token"]))
                    if grant == "authorization_code":
                        return _json_reply(200, self._tokens.authorization_code())
                    raise OAuthError("unsupported_grant_type", f"grant_type {grant!r}")
                if method == "POST" and path == "/oauth2/v1/tokens/revoke":
                    self._tokens.client_from_basic_auth(handler.headers.get("Authorization"))
                    token = self._revoked_token(body)
                    if not token:
                        raise OAuthError("invalid_request", "token is required")
                    self._tokens.revoke(token)
                    return _Reply(200, b"")
                if method == "GET" and path == "/v1/openid_connect/userinfo":
                    problem = self._tokens.access_problem(self._bearer(handler))
                    if problem:
                        raise OAuthError("invalid_token", problem, 401)
                    return _json_reply(200, {"sub": "simulator-user", "email": "dev@example.com"})
            except OAuthError as exc:
                return _json_reply(exc.status, exc.body())
        return _json_reply(404, {"error": "not_found", "error_description": f"{method} {path}"})

    @staticmethod
    def _revoked_token(body: bytes) -> str | None:
        text = body.decode("utf-8")
        try:
            document = json.loads(text)
        except ValueError:
            form = parse_qs(text)
            return form.get("token", [None])[-1]
        return str(document.get("token")) if isinstance(document, dict) else None

    @staticmethod
    def _bearer(handler: LoopbackHandler) -> str | None:
        header = handler.headers.get("Authorization") or ""
        if header[:7].lower() == "bearer ":
            return header[7:].strip()
        return None

    # -- API -------------------------------------------------------------------------------

    def _throttle_reply(self, retry_after: float | None) -> _Reply:  # float-ok: seconds
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        return self._error_reply(throttled(), headers)

    def _admit(self, realm_id: str) -> float | None:  # float-ok: seconds
        """Count a request in; ``None`` when admitted, else the seconds until a slot frees."""
        now = self._now()
        minute = timedelta(minutes=1)
        window = self._windows.setdefault(realm_id, deque())
        while window and window[0] <= now - minute:
            window.popleft()
        if len(window) >= self.requests_per_minute:
            return (window[0] + minute - now).total_seconds()
        if self._in_flight.get(realm_id, 0) >= self.max_concurrent:
            return 1.0
        window.append(now)
        self._in_flight[realm_id] = self._in_flight.get(realm_id, 0) + 1
        return None

    def _api(
        self, method: str, path: str, query: dict[str, str], body: bytes, handler: LoopbackHandler
    ) -> _Reply:
        segments = [unquote_plus(s) for s in path.split("/")[2:] if s]
        if len(segments) < 3 or segments[0] != "company":
            return self._error_reply(unsupported_operation(f"Unsupported path {path}"))
        realm_id, rest = segments[1], segments[2:]
        token = self._bearer(handler)
        wait: float | None = None  # float-ok: seconds
        with self._lock:
            problem = self._tokens.access_problem(token)
            if problem is None:
                wait = self._admit(realm_id)
        if problem is not None:
            return self._error_reply(
                authentication_failed(problem),
                {"WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"'},
            )
        if wait is not None:
            return self._throttle_reply(wait)
        try:
            fault = self._faults.take(method, path)
            if fault is not None:
                if fault.kind == "latency":
                    time.sleep(fault.seconds)
                elif fault.kind == "http_500":
                    return self._error_reply(system_failure())
                elif fault.kind == "throttle":
                    return self._throttle_reply(fault.seconds or None)
                elif fault.kind == "not_found":
                    entity = ENTITY_BY_LOWER.get(rest[0].lower(), rest[0]) if rest else "?"
                    object_id = rest[1] if len(rest) > 1 else query.get("Id", "?")
                    return self._error_reply(object_not_found(entity, object_id))
                elif fault.kind == "expire_token":
                    with self._lock:
                        self._tokens.expire(token or "")
                    return self._error_reply(
                        authentication_failed("Token expired: expired by a fault plan"),
                        {"WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"'},
                    )
            reply = self._route(realm_id, method, rest, query, body)
            if fault is not None and fault.kind == "drop_after_commit":
                reply.drop = True
            return reply
        finally:
            with self._lock:
                self._in_flight[realm_id] -= 1

    def _route(
        self, realm_id: str, method: str, rest: list[str], query: dict[str, str], body: bytes
    ) -> _Reply:
        head = rest[0].lower()
        try:
            if head == "query" and len(rest) == 1:
                text = query.get("query") if method == "GET" else body.decode("utf-8")
                response = self._store.query(realm_id, text or "", self.page_limit)
                return self._ok({"QueryResponse": response})
            if head == "cdc" and len(rest) == 1 and method == "GET":
                responses = self._store.cdc(
                    realm_id, query.get("entities", ""), query.get("changedSince", "")
                )
                return self._ok({"CDCResponse": [{"QueryResponse": responses}]})
            if head == "batch" and len(rest) == 1 and method == "POST":
                return self._replayable(realm_id, query, lambda: self._batch(realm_id, body))
            entity = ENTITY_BY_LOWER.get(head)
            if entity is not None and method == "GET" and len(rest) == 2:
                return self._ok({entity: self._store.read(realm_id, entity, rest[1])})
            if entity is not None and method == "POST" and len(rest) == 1:
                return self._replayable(
                    realm_id, query, lambda: self._write(realm_id, entity, body, query)
                )
            raise unsupported_operation(
                f"{method} /{'/'.join(rest)} is not supported; entities: {', '.join(ENTITIES)}"
            )
        except QBOError as exc:
            return self._error_reply(exc)

    def _ok(self, document: JSONObject) -> _Reply:
        return _json_reply(200, {**document, "time": envelope_time(self._now())})

    def _replayable(
        self, realm_id: str, query: dict[str, str], perform: Callable[[], _Reply]
    ) -> _Reply:
        """Run a write once per ``requestid``: a repeat gets the first response, unwritten."""
        request_id = query.get("requestid")
        if not request_id:
            return perform()
        with self._lock:
            company = self._store.company(realm_id)
            remembered = company.replies.get(request_id)
            if remembered is not None:
                status, headers, body = remembered
                return _Reply(status, body, dict(headers))
            reply = perform()
            company.replies[request_id] = (reply.status, dict(reply.headers), reply.body)
            if len(company.replies) > REQUESTID_MEMORY:
                del company.replies[next(iter(company.replies))]  # the oldest
            return reply

    def _write(self, realm_id: str, entity: str, body: bytes, query: dict[str, str]) -> _Reply:
        try:
            document = loads(body)
        except ValueError as exc:
            raise QBOError("2310", "Invalid Request Body", f"malformed JSON: {exc}") from exc
        response = self._store.write(
            realm_id, entity, document, query.get("operation"), query.get("include")
        )
        return self._ok(response)

    def _batch(self, realm_id: str, body: bytes) -> _Reply:
        try:
            document = loads(body)
        except ValueError as exc:
            raise QBOError("2310", "Invalid Request Body", f"malformed JSON: {exc}") from exc
        items = document.get("BatchItemRequest") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise QBOError("2310", "Invalid Request Body", "BatchItemRequest must be a list")
        if len(items) > self.batch_limit:
            raise QBOError(
                "4000",
                "Too many batch items",
                f"a batch may carry at most {self.batch_limit} items, got {len(items)}",
            )
        responses: list[JSONObject] = []
        for item in items:
            b_id = str(item.get("bId", "")) if isinstance(item, dict) else ""
            try:
                responses.append({"bId": b_id, **self._batch_item(realm_id, item)})
            except QBOError as exc:
                responses.append({"bId": b_id, "Fault": exc.fault()})
        return self._ok({"BatchItemResponse": responses})

    def _batch_item(self, realm_id: str, item: Any) -> JSONObject:
        if not isinstance(item, dict):
            raise QBOError("2310", "Invalid Request Body", "a batch item must be an object")
        if "Query" in item:
            return {
                "QueryResponse": self._store.query(realm_id, str(item["Query"]), self.page_limit)
            }
        present = [name for name in ENTITIES if name in item]
        if len(present) != 1:
            raise unsupported_operation("a batch item must carry exactly one supported entity")
        entity = present[0]
        operation = str(item.get("operation", "")).lower()
        obj = item[entity]
        if operation == "create" and isinstance(obj, dict):
            obj = {k: v for k, v in obj.items() if k != "Id"}
        elif operation not in ("update", "delete"):
            raise unsupported_operation(f"batch operation {operation!r} is not supported")
        return self._store.write(realm_id, entity, obj, operation, None)
