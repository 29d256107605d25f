"""python-quickbooks and intuit-oauth exceptions → [`VendorError`][arcore.errors.VendorError].

python-quickbooks raises by the first Fault error's ``code``, not by meaning (a throttle,
code 3001, is a ``ValidationException``; a stale ``SyncToken``, 5010, the base
``QuickbooksException``), and hides the HTTP status except for 401. So this module classifies
by code, and by the HTTP status and ``Retry-After`` of the response when the adapter saw it:

| QuickBooks | arcore |
| --- | --- |
| HTTP 401/403, codes 1-499, 3100, 3200, token endpoint refusal | ``VendorAuthError`` |
| HTTP 429, code 3001 (ThrottleExceeded) | ``RateLimitedError`` (``retry_after``: ``Retry-After``) |
| code 5010 (Stale Object Error) | ``StaleVersionError`` |
| code 610 (Object Not Found) | ``VendorNotFoundError`` |
| codes 2000-4999, 6000-6999 (validation, duplicates), other 4xx | ``VendorValidationError`` |
| connection errors, timeouts, HTTP 5xx, code 10000 and above | ``TransientError`` |

Messages carry the vendor's ``Message`` and ``Detail``, never a token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from arcore.errors import (
    RateLimitedError,
    StaleVersionError,
    TransientError,
    VendorAuthError,
    VendorError,
    VendorNotFoundError,
    VendorValidationError,
)

__all__ = [
    "SYSTEM",
    "from_auth_client_error",
    "from_quickbooks_error",
    "is_unauthorized",
    "retry_after_seconds",
]

SYSTEM = "quickbooks"
"""The adapter's name, carried by every error as ``system``."""

_STATUS_IN_MESSAGE = re.compile(r"status code '(\d{3})'")
_BEARER = re.compile(r"(?i)(bearer\s+|access_token[\"'=: ]+|refresh_token[\"'=: ]+)[\w.\-~+/=]+")


def _scrub(text: str) -> str:
    """Drop anything that looks like a token from vendor text before it goes in a message."""
    return _BEARER.sub(r"\1[hidden]", text)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:  # float-ok: seconds
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), if any."""
    if not headers:
        return None
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)  # float-ok: seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())  # float-ok: seconds


def from_quickbooks_error(
    exc: Exception,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> VendorError:
    """The arcore error for a python-quickbooks exception (or a ``requests`` one).

    Args:
        exc: What the SDK raised: a ``QuickbooksException`` (with ``error_code``, ``message``,
            ``detail``) or a ``requests.RequestException``.
        status: The HTTP status of the response, when the adapter saw it (the SDK hides it).
        headers: That response's headers, for ``Retry-After``.

    Returns:
        The error to raise ``from exc``.
    """
    import requests

    if isinstance(exc, requests.RequestException):
        return TransientError(
            f"QuickBooks could not be reached ({type(exc).__name__})",
            hint="The request is retried later",
            system=SYSTEM,
            detail=_scrub(str(exc)),
        )
    code = _code(exc)
    message = _scrub(str(getattr(exc, "message", "") or exc))
    detail = _scrub(str(getattr(exc, "detail", "") or ""))
    if status is None:
        match = _STATUS_IN_MESSAGE.search(message)
        status = int(match.group(1)) if match else None
    context: dict[str, Any] = {"system": SYSTEM, "detail": detail}
    if status == 429 or code == 3001:
        return RateLimitedError(
            f"QuickBooks rate limit reached: {message}",
            hint="Wait and retry: QuickBooks allows 500 requests a minute, 10 at once, per company",
            retry_after=retry_after_seconds(headers),
            **context,
        )
    if status in (401, 403) or code in (3100, 3200) or _is_auth(exc, code):
        return VendorAuthError(
            f"QuickBooks refused the credentials: {message}",
            hint="Reconnect the QuickBooks company (authorise the app again)",
            **context,
        )
    if code == 5010:
        return StaleVersionError(
            f"QuickBooks has a newer version of the object: {message}",
            hint="Fetch the object again and reapply the change",
            **context,
        )
    if code == 610:
        return VendorNotFoundError(
            f"QuickBooks has no such object: {message}",
            hint="It was deleted or never existed; check the mapping",
            **context,
        )
    if 2000 <= code <= 4999 or 6000 <= code <= 6999:
        return VendorValidationError(
            f"QuickBooks refused the object: {message}" + (f" ({detail})" if detail else ""),
            hint="Correct the object as the detail says and push it again",
            **context,
        )
    if code >= 10000 or (status is not None and status >= 500) or (code == 0 and status is None):
        return TransientError(
            f"QuickBooks failed: {message}",
            hint="The request is retried later",
            **context,
        )
    return VendorValidationError(
        f"QuickBooks refused the request: {message}", hint="Check the request", **context
    )


def _code(exc: Exception) -> int:
    raw = getattr(exc, "error_code", 0)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


def _is_auth(exc: Exception, code: int) -> bool:
    from quickbooks.exceptions import AuthorizationException

    return isinstance(exc, AuthorizationException) or 0 < code <= 499


def is_unauthorized(exc: Exception) -> bool:
    """Whether ``exc`` is python-quickbooks' HTTP 401 (an expired or revoked access token)."""
    from quickbooks.exceptions import AuthorizationException

    return isinstance(exc, AuthorizationException) and _code(exc) == 401


def from_auth_client_error(exc: Exception) -> VendorError:
    """The arcore error for an intuit-oauth ``AuthClientError`` (the token endpoint's answer).

    ``invalid_grant`` and other 4xx answers mean the refresh token is no good:
    ``VendorAuthError``; 429 a ``RateLimitedError``; 5xx a ``TransientError``.
    """
    status = int(getattr(exc, "status_code", 0) or 0)
    content = getattr(exc, "content", b"")
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
    detail = _scrub(text)[:500]
    if status == 429:
        return RateLimitedError(
            "the QuickBooks token endpoint is rate limiting", system=SYSTEM, detail=detail
        )
    if status >= 500 or status == 0:
        return TransientError(
            f"the QuickBooks token endpoint failed (HTTP {status})",
            hint="The refresh is retried later",
            system=SYSTEM,
            detail=detail,
        )
    return VendorAuthError(
        f"QuickBooks refused to refresh the token (HTTP {status})",
        hint="Reconnect the QuickBooks company (authorise the app again)",
        system=SYSTEM,
        detail=detail,
    )
