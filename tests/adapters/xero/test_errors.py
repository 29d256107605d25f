from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("xero_python")

import urllib3
from xero_python.exceptions import (
    AccessTokenExpiredError,
    AccountingBadRequestException,
    HTTPStatusException,
    NotFoundException,
    RateLimitException,
)

from arcore.errors import (
    RateLimitedError,
    TransientError,
    VendorAuthError,
    VendorNotFoundError,
    VendorValidationError,
)
from arcore_xero.errors import from_refresh_error, from_xero_error

TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2NzcyRDZEQzAyOEQ2NzI2RkQwMjYxNTgx"


class _Response:
    """What urllib3 hands xero-python: status, reason, body, headers."""

    def __init__(self, status: int, body: Any = b"", headers: dict[str, str] | None = None):
        self.status = status
        self.reason = "reason"
        self.data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.text = self.data.decode()
        self._headers = headers or {}

    def getheaders(self) -> dict[str, str]:
        return self._headers


VALIDATION = {
    "ErrorNumber": 10,
    "Type": "ValidationException",
    "Message": "A validation exception occurred",
    "Elements": [
        {"ValidationErrors": [{"Message": "The contact name Globex is already assigned"}]}
    ],
}


def test_429_is_rate_limited_with_retry_after_and_the_problem() -> None:
    response = _Response(429, b"", {"Retry-After": "37", "X-Rate-Limit-Problem": "minute"})
    error = from_xero_error(RateLimitException(http_resp=response))
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 37.0  # float-ok: seconds
    assert error.system == "xero"
    assert "minute" in str(error)
    assert "minute" in error.detail


def test_a_day_limit_without_retry_after() -> None:
    error = from_xero_error(
        RateLimitException(http_resp=_Response(429, b"", {"x-rate-limit-problem": "day"}))
    )
    assert isinstance(error, RateLimitedError)
    assert error.retry_after is None
    assert "day" in str(error)


def test_400_carries_every_validation_message() -> None:
    error = from_xero_error(AccountingBadRequestException(http_resp=_Response(400, VALIDATION)))
    assert isinstance(error, VendorValidationError)
    assert "already assigned" in str(error)
    assert "A validation exception occurred" in error.detail


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (
            NotFoundException(http_resp=_Response(404, b"The resource was not found")),
            VendorNotFoundError,
        ),
        (HTTPStatusException(http_resp=_Response(401, {"Title": "Unauthorized"})), VendorAuthError),
        (HTTPStatusException(http_resp=_Response(403, {"Title": "Forbidden"})), VendorAuthError),
        (HTTPStatusException(http_resp=_Response(503, b"Service Unavailable")), TransientError),
        (HTTPStatusException(http_resp=_Response(500, {"Message": "oops"})), TransientError),
        (
            HTTPStatusException(http_resp=_Response(412, {"Message": "precondition"})),
            VendorValidationError,
        ),
        (urllib3.exceptions.ProtocolError("Connection aborted."), TransientError),
        (urllib3.exceptions.ReadTimeoutError(None, "/", "timed out"), TransientError),  # type: ignore[arg-type]
        (ConnectionRefusedError(111, "refused"), TransientError),
        (AccessTokenExpiredError("Access Token has expired"), VendorAuthError),
    ],
)
def test_each_failure_has_its_arcore_error(exc: BaseException, kind: type[Exception]) -> None:
    error = from_xero_error(exc)
    assert type(error) is kind
    assert error.system == "xero"


def test_no_token_reaches_a_message() -> None:
    body = {"Message": f"bad token: Bearer {TOKEN}", "Detail": f"access_token={TOKEN}"}
    error = from_xero_error(HTTPStatusException(http_resp=_Response(401, body)))
    assert TOKEN not in str(error)
    assert TOKEN not in error.detail
    assert TOKEN not in repr(error)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("refresh token status 400 <response> {'error': 'invalid_grant'}", VendorAuthError),
        ("refresh token status 401 <response> {}", VendorAuthError),
        ("refresh token status 429 <response> {}", RateLimitedError),
        ("refresh token status 502 <response> {}", TransientError),
    ],
)
def test_refresh_failures(message: str, kind: type[Exception]) -> None:
    error = from_refresh_error(Exception(message))
    assert type(error) is kind
    assert error.system == "xero"


def test_a_refresh_that_could_not_connect_is_transient() -> None:
    error = from_refresh_error(urllib3.exceptions.NewConnectionError(None, "refused"))  # type: ignore[arg-type]
    assert isinstance(error, TransientError)
