from __future__ import annotations

import pytest
import requests
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.exceptions import AuthorizationException, QuickbooksException

from adapters.quickbooks.qbo_fixtures import spec
from arcore.errors import (
    RateLimitedError,
    StaleVersionError,
    TransientError,
    VendorAuthError,
    VendorError,
    VendorNotFoundError,
    VendorValidationError,
)
from arcore_quickbooks.errors import (
    from_auth_client_error,
    from_quickbooks_error,
    retry_after_seconds,
)


def _sdk_error(code: str, message: str = "m", detail: str = "d") -> QuickbooksException:
    """What python-quickbooks raises for a Fault with ``code`` (its own classification)."""
    fault = {"Error": [{"Message": message, "Detail": detail, "code": code}]}
    with pytest.raises(QuickbooksException) as caught:
        QuickBooks.handle_exceptions(fault)
    return caught.value


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("3001", RateLimitedError),
        ("5010", StaleVersionError),
        ("610", VendorNotFoundError),
        ("2500", VendorValidationError),
        ("6000", VendorValidationError),
        ("6140", VendorValidationError),
        ("6240", VendorValidationError),
        ("3200", VendorAuthError),
        ("3100", VendorAuthError),
        ("100", VendorAuthError),
        ("10000", TransientError),
    ],
)
def test_fault_codes_are_classified_by_meaning(code: str, expected: type[VendorError]) -> None:
    error = from_quickbooks_error(_sdk_error(code), status=400)
    assert type(error) is expected
    assert error.system == "quickbooks"


def test_real_throttle_fault_is_rate_limited_with_retry_after() -> None:
    root = spec("throttle_exceeded_error.xml")
    ns = {"q": "http://schema.intuit.com/finance/v3"}
    error_el = root.find("q:Fault/q:Error", ns)
    assert error_el is not None
    sdk = _sdk_error(
        error_el.attrib["code"],
        error_el.findtext("q:Message", namespaces=ns) or "",
        error_el.findtext("q:Detail", namespaces=ns) or "",
    )
    error = from_quickbooks_error(sdk, status=429, headers={"Retry-After": "7"})
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 7
    assert "request limit was reached" in error.detail
    unsaid = from_quickbooks_error(sdk)
    assert isinstance(unsaid, RateLimitedError)
    assert unsaid.retry_after is None


def test_http_429_without_a_fault_is_rate_limited() -> None:
    sdk = QuickbooksException("Error returned with status code '429': slow down", 10000)
    assert isinstance(from_quickbooks_error(sdk), RateLimitedError)
    html = QuickbooksException("Error reading json response: <html>", 10000)
    assert isinstance(from_quickbooks_error(html, status=429), RateLimitedError)


def test_real_duplicate_name_fault_keeps_the_vendor_detail() -> None:
    root = spec("customer_duplicate_error.xml")
    ns = {"q": "http://schema.intuit.com/finance/v3"}
    el = root.find("q:Fault/q:Error", ns)
    assert el is not None
    detail = el.findtext("q:Detail", namespaces=ns) or ""
    error = from_quickbooks_error(_sdk_error(el.attrib["code"], "Duplicate", detail), status=400)
    assert isinstance(error, VendorValidationError)
    assert error.detail == detail
    assert isinstance(error, ValueError)  # VendorValidationError is a ValidationError


def test_unauthorized_and_server_errors() -> None:
    unauthorized = AuthorizationException("Application authentication failed", 401, "body")
    assert isinstance(from_quickbooks_error(unauthorized, status=401), VendorAuthError)
    server = QuickbooksException("Error returned with status code '503': down", 10000)
    assert isinstance(from_quickbooks_error(server), TransientError)
    dropped = requests.ConnectionError("connection reset")
    assert isinstance(from_quickbooks_error(dropped), TransientError)


def test_tokens_never_reach_the_message() -> None:
    sdk = QuickbooksException("failed with Authorization: Bearer eyJsecret.token-value", 10000)
    error = from_quickbooks_error(sdk)
    assert "eyJsecret" not in str(error)


def _auth_client_error(status: int, body: bytes) -> AuthClientError:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers["intuit_tid"] = "tid"
    return AuthClientError(response)


def test_token_endpoint_errors() -> None:
    grant = _auth_client_error(400, b'{"error":"invalid_grant"}')
    assert isinstance(from_auth_client_error(grant), VendorAuthError)
    assert isinstance(from_auth_client_error(_auth_client_error(503, b"")), TransientError)
    assert isinstance(from_auth_client_error(_auth_client_error(429, b"")), RateLimitedError)


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"retry-after": "12"}) == 12
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds(None) is None
