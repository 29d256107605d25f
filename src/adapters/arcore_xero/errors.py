"""xero-python exceptions → [`VendorError`][arcore.errors.VendorError].

xero-python raises ``HTTPStatusException`` subclasses by HTTP status (``RateLimitException``
for 429, ``NotFoundException`` for 404, ``AccountingBadRequestException`` for 400), a plain
``ApiException`` for other statuses, a plain ``Exception("refresh token status ...")`` when
the token endpoint refuses a refresh, and lets ``urllib3`` errors through. This module sorts
them by meaning:

| Xero | arcore |
| --- | --- |
| HTTP 401, 403, token endpoint 400 (``invalid_grant``), an expired token the SDK cannot refresh | ``VendorAuthError`` |
| HTTP 429 (``Retry-After``, ``X-Rate-Limit-Problem``) | ``RateLimitedError`` |
| HTTP 404 | ``VendorNotFoundError`` |
| HTTP 400 (``ValidationException``: ``Elements[].ValidationErrors[].Message``), other 4xx | ``VendorValidationError`` |
| HTTP 5xx, connection errors, timeouts | ``TransientError`` |

Messages carry Xero's own words (``Message`` and the validation messages), never a token.
"""  # noqa: E501

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from arcore.errors import (
    RateLimitedError,
    TransientError,
    VendorAuthError,
    VendorError,
    VendorNotFoundError,
    VendorValidationError,
)

__all__ = [
    "DAY_WINDOW",
    "MINUTE_WINDOW",
    "SYSTEM",
    "from_refresh_error",
    "from_xero_error",
    "header",
    "retry_after_seconds",
    "status_of",
    "validation_messages",
]

SYSTEM = "xero"
"""The adapter's name, carried by every error as ``system``."""

MINUTE_WINDOW = 60
"""Seconds to wait when Xero's per-minute limit is spent and it does not say how long."""

DAY_WINDOW = 3600
"""Seconds to wait when Xero's daily limit is spent and it does not say how long: its day is
a rolling 24 hours, and Xero does not say when the oldest call leaves it, so the engine tries
again every hour."""

_SECRETS = re.compile(
    r"(?i)(bearer\s+|access_token[\"'=: ]+|refresh_token[\"'=: ]+|client_secret[\"'=: ]+)"
    r"[\w.\-~+/=]+"
)
_REFRESH_STATUS = re.compile(r"refresh token status (\d{3})")


def _scrub(text: str) -> str:
    """Drop anything that looks like a token or secret from vendor text."""
    return _SECRETS.sub(r"\1[hidden]", text)


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """The value of header ``name`` (any case) in ``headers``, if present."""
    if not headers:
        return None
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), None)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:  # float-ok: seconds
    """Seconds a ``Retry-After`` header asks to wait (Xero sends whole seconds), if any."""
    value = header(headers, "Retry-After")
    if value is None:
        return None
    try:
        seconds = Decimal(value.strip())
    except ArithmeticError:
        return None
    return float(max(seconds, Decimal(0)))  # float-ok: seconds


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an SDK exception, if it has one (0 and garbage are ``None``)."""
    status = getattr(exc, "status", None)
    try:
        number = int(status) if status is not None else None
    except (TypeError, ValueError):
        # AccountingBadRequestException.status may be Xero's "Message" text: the status is 400.
        return 400 if type(exc).__name__.endswith("BadRequestException") else None
    return number or None


def _body(exc: BaseException) -> Any:
    data = getattr(getattr(exc, "http_resp", None), "data", None)
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if not isinstance(data, str) or not data.strip():
        return None
    try:
        return json.loads(data, parse_float=Decimal)
    except ValueError:
        return data


def validation_messages(body: Any) -> list[str]:
    """Every message of a Xero error body: ``Message`` and each element's validation errors.

    >>> validation_messages({"Message": "A validation exception occurred", "Elements": [
    ...     {"ValidationErrors": [{"Message": "Email address must be valid."}]}]})
    ['A validation exception occurred', 'Email address must be valid.']
    """
    if isinstance(body, str):
        return [body.strip()[:300]]
    if not isinstance(body, Mapping):
        return []
    messages = [str(body["Message"])] if body.get("Message") else []
    if body.get("Detail"):
        messages.append(str(body["Detail"]))
    for element in body.get("Elements") or []:
        if isinstance(element, Mapping):
            for error in element.get("ValidationErrors") or []:
                if isinstance(error, Mapping) and error.get("Message"):
                    messages.append(str(error["Message"]))
    return messages


def _headers(exc: BaseException) -> Mapping[str, str] | None:
    try:
        headers = getattr(exc, "headers", None)
    except Exception:  # the SDK's property reads a response that may be gone
        return None
    return headers if isinstance(headers, Mapping) else None


def from_xero_error(exc: BaseException) -> VendorError:
    """The arcore error for what xero-python (or urllib3 under it) raised.

    Args:
        exc: An ``ApiException`` (with ``status``, ``headers`` and the response body), an
            ``OAuth2Error``, or a ``urllib3`` exception.

    Returns:
        The error to raise ``from exc``.
    """
    import urllib3
    from xero_python.exceptions import AccessTokenExpiredError, OAuth2Error

    if isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError):
        return TransientError(
            f"Xero could not be reached ({type(exc).__name__})",
            hint="The request is retried later",
            system=SYSTEM,
            detail=_scrub(str(exc))[:500],
        )
    if isinstance(exc, AccessTokenExpiredError | OAuth2Error):
        return VendorAuthError(
            "the Xero access token expired and cannot be refreshed",
            hint="Reconnect the Xero organisation (authorise the app again)",
            system=SYSTEM,
        )
    status = status_of(exc)
    headers = _headers(exc)
    messages = [_scrub(message) for message in validation_messages(_body(exc))]
    detail = "; ".join(messages)[:1000]
    said = messages[-1] if messages else f"HTTP {status}"
    context: dict[str, Any] = {"system": SYSTEM, "detail": detail}
    if status == 429:
        problem = header(headers, "X-Rate-Limit-Problem") or "unknown"
        return RateLimitedError(
            f"Xero rate limit reached (the {problem} limit)",
            hint="Wait and retry: Xero allows 60 calls a minute, 5,000 a day and 5 at once "
            "per organisation",
            retry_after=retry_after_seconds(headers),
            system=SYSTEM,
            detail=f"X-Rate-Limit-Problem: {problem}",
        )
    if status in (401, 403):
        return VendorAuthError(
            f"Xero refused the credentials (HTTP {status}): {said}",
            hint="Reconnect the Xero organisation (authorise the app again, with the "
            "accounting scopes)",
            **context,
        )
    if status == 404:
        return VendorNotFoundError(
            f"Xero has no such object: {said}",
            hint="It was deleted or never existed; check the mapping",
            **context,
        )
    if status is not None and 400 <= status < 500:
        return VendorValidationError(
            f"Xero refused the request: {said}",
            hint="Correct the object as the detail says and push it again",
            **context,
        )
    return TransientError(
        f"Xero failed (HTTP {status}): {said}" if status else f"Xero failed: {said}",
        hint="The request is retried later",
        **context,
    )


def from_refresh_error(exc: BaseException) -> VendorError:
    """The arcore error for a failed token refresh (xero-python's plain ``Exception``).

    The SDK reports the token endpoint's answer only in its message (``refresh token status
    400 ...``): a 4xx means the refresh token is no good (``VendorAuthError``), a 429 a
    ``RateLimitedError``, a 5xx or no answer a ``TransientError``.
    """
    match = _REFRESH_STATUS.search(str(exc))
    if match is None:
        if status_of(exc) is not None or _is_transport(exc):
            return from_xero_error(exc)
        return _refresh_refused(None)
    status = int(match.group(1))
    if status == 429:
        return RateLimitedError(
            "the Xero token endpoint is rate limiting",
            hint="Wait and retry the refresh",
            system=SYSTEM,
        )
    if status >= 500:
        return TransientError(
            f"the Xero token endpoint failed (HTTP {status})",
            hint="The refresh is retried later",
            system=SYSTEM,
        )
    return _refresh_refused(status)


def _is_transport(exc: BaseException) -> bool:
    import urllib3

    return isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError)


def _refresh_refused(status: int | None) -> VendorAuthError:
    said = f" (HTTP {status})" if status else ""
    return VendorAuthError(
        f"Xero refused to refresh the token{said}",
        hint="Reconnect the Xero organisation (authorise the app again)",
        system=SYSTEM,
    )
