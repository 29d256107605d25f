"""DemoBooks itself: a tiny accounting service on 127.0.0.1, standing in for the real vendor.

The adapter is written against this API, as it would be against a vendor's documentation:

- ``POST /oauth/token`` (form ``grant_type=refresh_token``, ``refresh_token``, ``client_id``,
  ``client_secret``): a new access token and a new refresh token (the old one stops working).
- ``GET /v1/{customers|invoices}?page=N&per_page=K&modified_since=ISO``: one page of objects,
  oldest change first, with ``has_more``. ``modified_since`` is exclusive.
- ``GET /v1/{kind}/{id}``; ``POST /v1/{kind}`` (an ``Idempotency-Key`` header replays the
  first answer); ``PUT /v1/{kind}/{id}`` and ``POST /v1/invoices/{id}/void`` (``If-Match``:
  the version the client expects).
- Every request carries ``Authorization: Bearer <access token>``. Errors are
  ``{"error": code, "message": text}``: 400 ``validation``, 401 ``invalid_token``, 404
  ``not_found``, 412 ``version_mismatch``, 429 ``rate_limited`` (with ``Retry-After``), 503.
- Amounts are JSON numbers (``19.99``), as most vendors send them; read them as ``Decimal``.
- Webhooks are signed: ``X-DemoBooks-Signature`` is the hex HMAC-SHA256 of the body.

Tests steer it through its methods (``throttle``, ``expire_tokens``, ``fail_next``...), never
through the API; ``harness.py`` wraps them for the conformance kit. Time is a counter that ticks
one second per change, so listings by ``modified_since`` are exact and nothing sleeps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

JSON = dict[str, Any]
KINDS = ("customers", "invoices")
REQUIRED = {
    "customers": ("name", "currency"),
    "invoices": ("customer_id", "number", "date", "currency", "lines"),
}


@dataclass
class Reply:
    """What DemoBooks answers: a status, a JSON body and headers."""

    status: int
    body: JSON
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: str, message: str, **headers: str) -> Reply:
    """A DemoBooks error reply."""
    return Reply(status, {"error": code, "message": message}, headers)


def amounts(data: JSON) -> JSON:
    """``data`` with its amounts as ``Decimal``: clients may send them as numbers or strings."""
    if data.get("credit_limit") is not None:
        data["credit_limit"] = Decimal(str(data["credit_limit"]))
    for line in data.get("lines", []):
        for name in ("quantity", "unit_price", "tax_rate"):
            if name in line:
                line[name] = Decimal(str(line[name]))
    return data


def dumps(value: object) -> bytes:
    """JSON with every ``Decimal`` written as a number, digit for digit.

    The standard library writes only floats as numbers, so decimals go out as marked strings
    and the marks are removed.
    """
    text = json.dumps(value, default=lambda number: f"<decimal>{number}</decimal>")
    return re.sub(r'"<decimal>([-0-9.E+]+)</decimal>"', r"\1", text).encode()


class DemoBooks:
    """The service's state and behaviour, without HTTP (``DemoBooksServer`` serves it)."""

    def __init__(self) -> None:
        self.client_id = "demo-client"
        self.client_secret = secrets.token_urlsafe(16)
        self.webhook_key = secrets.token_urlsafe(16)
        self.objects: dict[str, dict[str, JSON]] = {kind: {} for kind in KINDS}
        self.replies: dict[str, Reply] = {}  # idempotency key -> first reply
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.issued: set[str] = set()  # every token ever issued
        self.faults: deque[str] = deque()
        self.throttled = 0
        self.retry_after = 7
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        self.lock = threading.RLock()  # held while answering, and by what tests do to it
        self._ids = 0

    # --- what tests do to it --------------------------------------------------------------

    def issue_tokens(self) -> JSON:
        """Issue a fresh access and refresh token (the OAuth consent, done once by a person)."""
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens.add(access)
            self.refresh_tokens.add(refresh)
            self.issued |= {access, refresh}
        return {"access_token": access, "refresh_token": refresh, "expires_in": 3600}

    def expire_tokens(self) -> None:
        """Every access token stops working (refresh tokens still do)."""
        with self.lock:
            self.access_tokens.clear()

    def throttle(self, times: int) -> None:
        """Refuse the next ``times`` API requests with 429 and ``Retry-After``."""
        with self.lock:
            self.throttled += times

    def fail_next(self, kind: str) -> None:
        """Fail the next request (``transient``, ``not_found``, ``validation``, ``disconnect``).

        ``auth`` revokes every token instead, now.
        """
        with self.lock:
            if kind == "auth":
                self.access_tokens.clear()
                self.refresh_tokens.clear()
            else:
                self.faults.append(kind)

    def insert(self, kind: str, data: JSON) -> JSON:
        """Create an object directly, as someone using DemoBooks' own screens would."""
        with self.lock:
            return self._store(kind, None, data)

    def touch(self, kind: str, object_id: str, **changes: Any) -> JSON:
        """Change an object directly (bumping its version), as a DemoBooks user would."""
        with self.lock:
            return self._store(kind, object_id, {**self.objects[kind][object_id], **changes})

    def sign(self, body: bytes) -> str:
        """The signature DemoBooks puts on a webhook ``body``."""
        return hmac.new(self.webhook_key.encode(), body, hashlib.sha256).hexdigest()

    # --- the API ----------------------------------------------------------------------------

    def respond(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """Answer one HTTP request (``headers`` with lower-case names)."""
        url = urlsplit(target)
        with self.lock:
            if url.path == "/oauth/token":
                return self._token(parse_qs(body.decode()))
            if headers.get("authorization", "").removeprefix("Bearer ") not in self.access_tokens:
                return error(401, "invalid_token", "the access token is not valid; refresh it")
            if self.throttled:
                self.throttled -= 1
                retry = {"Retry-After": str(self.retry_after)}
                return error(429, "rate_limited", "too many requests; wait", **retry)
            if self.faults:
                return self._fault(self.faults.popleft())
            return self._api(method, url.path, parse_qs(url.query), headers, body)

    def _token(self, form: dict[str, list[str]]) -> Reply:
        client = form.get("client_id", [""])[0], form.get("client_secret", [""])[0]
        if client != (self.client_id, self.client_secret):
            return error(401, "invalid_client", "unknown client id or secret")
        refresh = form.get("refresh_token", [""])[0]
        if refresh not in self.refresh_tokens:
            return error(400, "invalid_grant", "the refresh token is not valid; reconnect")
        self.refresh_tokens.discard(refresh)  # refresh tokens rotate
        return Reply(200, self.issue_tokens())

    def _fault(self, kind: str) -> Reply:
        if kind == "disconnect":
            return Reply(0, {})  # the server hangs up without answering
        status = {"transient": 503, "not_found": 404, "validation": 400}[kind]
        return error(status, kind, f"injected {kind} failure")

    def _api(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Reply:
        match method, path.strip("/").split("/"):
            case "GET", ["v1", kind] if kind in KINDS:
                return self._list(kind, query)
            case "GET", ["v1", kind, object_id] if kind in KINDS:
                return self._get(kind, object_id)
        key = headers.get("idempotency-key", "")
        if key in self.replies:
            return self.replies[key]  # a write sent again: the first answer, nothing done twice
        reply = self._write(method, path, headers.get("if-match"), body)
        if key and reply.status < 400:
            self.replies[key] = reply
        return reply

    def _write(self, method: str, path: str, expected: str | None, body: bytes) -> Reply:
        match method, path.strip("/").split("/"):
            case "POST", ["v1", kind] if kind in KINDS:
                return self._create(kind, amounts(json.loads(body, parse_float=Decimal)))
            case "PUT", ["v1", kind, object_id] if kind in KINDS:
                changes = amounts(json.loads(body, parse_float=Decimal))
                return self._update(kind, object_id, expected, changes)
            case "POST", ["v1", "invoices", object_id, "void"]:
                return self._update("invoices", object_id, expected, {"status": "void"})
        return error(404, "not_found", f"no route {method} {path}")

    def _list(self, kind: str, query: dict[str, list[str]]) -> Reply:
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["100"])[0])
        since = query.get("modified_since", [""])[0]
        found = sorted(
            (item for item in self.objects[kind].values() if item["modified_at"] > since),
            key=lambda item: (item["modified_at"], item["id"]),
        )
        start = (page - 1) * per_page
        return Reply(
            200,
            {"data": found[start : start + per_page], "has_more": start + per_page < len(found)},
        )

    def _get(self, kind: str, object_id: str) -> Reply:
        if object_id not in self.objects[kind]:
            return error(404, "not_found", f"no {kind[:-1]} {object_id}")
        return Reply(200, self.objects[kind][object_id])

    def _create(self, kind: str, data: JSON) -> Reply:
        problem = self._invalid(kind, data)
        if problem:
            return error(400, "validation", problem)
        return Reply(201, self._store(kind, None, data))

    def _update(self, kind: str, object_id: str, expected: str | None, changes: JSON) -> Reply:
        current = self.objects[kind].get(object_id)
        if current is None:
            return error(404, "not_found", f"no {kind[:-1]} {object_id}")
        if expected != current["version"]:
            return error(412, "version_mismatch", f"{object_id} is at version {current['version']}")
        data = {**current, **changes}
        problem = self._invalid(kind, data)
        if problem:
            return error(400, "validation", problem)
        return Reply(200, self._store(kind, object_id, data))

    def _invalid(self, kind: str, data: JSON) -> str:
        missing = [name for name in REQUIRED[kind] if not data.get(name)]
        if missing:
            return f"missing {', '.join(missing)}"
        if kind == "invoices" and data["customer_id"] not in self.objects["customers"]:
            return f"no customer {data['customer_id']}"
        return ""

    def _store(self, kind: str, object_id: str | None, data: JSON) -> JSON:
        self.now += timedelta(seconds=1)
        if object_id is None:
            self._ids += 1
            object_id = f"{kind[0].upper()}-{self._ids}"
            version = 1
        else:
            version = int(self.objects[kind][object_id]["version"]) + 1
        stored = {
            **data,
            "id": object_id,
            "version": str(version),
            "modified_at": self.now.isoformat().replace("+00:00", "Z"),
        }
        if kind == "invoices":
            stored.setdefault("status", "open")
        self.objects[kind][object_id] = stored
        return stored


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.demobooks.respond(self.command, self.path, headers, body)
        if reply.status == 0:
            return  # hang up: the client sees the connection close without a response
        payload = dumps(reply.body)
        self.send_response(reply.status)
        for name, value in {"Content-Type": "application/json", **reply.headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read replies, not logs."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    demobooks: DemoBooks


class DemoBooksServer:
    """DemoBooks served on 127.0.0.1 at a free port, in a thread, for a ``with`` block.

    >>> with DemoBooksServer() as server:  # doctest: +SKIP
    ...     print(server.url)
    http://127.0.0.1:53117
    """

    def __init__(self) -> None:
        self.demobooks = DemoBooks()
        self._http = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._http.demobooks = self.demobooks
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:<port>``."""
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> DemoBooksServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()
