"""Wire formats of the Accounting API: exact JSON numbers, ``/Date(ms)/`` dates, error bodies."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

JSONObject = dict[str, Any]
"""A decoded JSON object, as received from or sent to the SDK."""

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{2,4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def dumps(value: object) -> bytes:
    """Encode a response document; every ``Decimal`` becomes the exact JSON number it is.

    >>> dumps({"Total": Decimal("46.00")})
    b'{"Total":46.00}'
    """
    marker = f"@@decimal-{uuid.uuid4().hex}:"

    def exact(item: object) -> object:
        if isinstance(item, Decimal):
            if not item.is_finite():
                raise ValueError(f"{item} is not a JSON number")
            return f"{marker}{item}"
        raise TypeError(f"{type(item).__name__} is not JSON serialisable")

    text = json.dumps(value, default=exact, separators=(",", ":"))
    return re.sub(rf'"{re.escape(marker)}([^"]*)"', r"\1", text).encode("utf-8")


def loads(body: bytes) -> Any:
    """Decode a request body; every JSON number with a fraction becomes a ``Decimal``.

    Raises:
        ValueError: when the body is not JSON.
    """
    return json.loads(body.decode("utf-8") or "null", parse_float=Decimal)


def ms_date(moment: date | datetime) -> str:
    """The ``/Date(ms+0000)/`` form Xero answers with (a date is midnight UTC).

    >>> ms_date(date(2018, 10, 20))
    '/Date(1539993600000+0000)/'
    """
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), tzinfo=UTC)
    millis = (moment.astimezone(UTC) - _EPOCH) // _MILLISECOND
    return f"/Date({millis}+0000)/"


_MILLISECOND = datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC) - _EPOCH


def date_string(day: date) -> str:
    """The ``DateString`` companion of a date: ``2018-10-20T00:00:00``."""
    return f"{day.isoformat()}T00:00:00"


def utc_string(moment: datetime) -> str:
    """The ``UpdatedDateUTCString`` form: ``2018-11-02T16:31:30Z``."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def parse_datetime(text: str) -> datetime:
    """Parse ``/Date(ms±zzzz)/`` or an ISO date or date-time; naive values are UTC.

    >>> parse_datetime("/Date(1539993600000+0000)/").isoformat()
    '2018-10-20T00:00:00+00:00'

    Raises:
        ValueError: when ``text`` is none of these forms.
    """
    text = text.strip()
    match = _MS_DATE.match(text)
    if match:
        return _EPOCH + int(match.group(1)) * _MILLISECOND
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    """Parse a request date (``/Date(ms)/``, ``2019-03-12`` or ``2019-03-12T00:00:00``).

    Raises:
        ValueError: when ``text`` is not a date.
    """
    return parse_datetime(text).date()


@dataclass(eq=False)
class XeroError(Exception):
    """A failure answered in Xero's shape.

    A 400 is a ``ValidationException`` body; 401 and 403 are Xero's problem-details bodies; 404 is
    Xero's plain sentence; anything else an ``Error`` body with the given number.

    Attributes:
        status: the HTTP status.
        message: the validation message (400) or the detail.
        elements: for a 400, the elements (entities) that failed, each with
            ``ValidationErrors``.
        headers: extra response headers.
    """

    status: int
    message: str
    elements: list[JSONObject] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        """``status message``, for logs and test failures."""
        return f"{self.status} {self.message}"

    def body(self) -> object:
        """The response body Xero sends for this failure."""
        if self.status == 400:
            return {
                "ErrorNumber": 10,
                "Type": "ValidationException",
                "Message": "A validation exception occurred",
                "Elements": self.elements or [{"ValidationErrors": [{"Message": self.message}]}],
            }
        if self.status in (401, 403):
            return {
                "Type": None,
                "Title": "Unauthorized" if self.status == 401 else "Forbidden",
                "Status": self.status,
                "Detail": self.message,
                "Instance": str(uuid.uuid4()),
                "Extensions": {},
            }
        if self.status == 404:
            return "The resource you're looking for cannot be found"
        return {
            "ErrorNumber": self.status,
            "Type": _ERROR_TYPES.get(self.status, "Exception"),
            "Message": self.message,
        }


_ERROR_TYPES = {
    429: "RateLimitExceededException",
    500: "InternalServerError",
    503: "ServiceUnavailableException",
    405: "MethodNotAllowedException",
}


def validation(message: str, element: JSONObject | None = None) -> XeroError:
    """HTTP 400 ``ValidationException`` with one message (on ``element`` when given)."""
    elements = [{**(element or {}), "ValidationErrors": [{"Message": message}]}]
    return XeroError(400, message, elements)


def not_found() -> XeroError:
    """HTTP 404, as Xero answers an unknown id or path."""
    return XeroError(404, "The resource you're looking for cannot be found")


def token_problem(detail: str) -> XeroError:
    """HTTP 401 with ``WWW-Authenticate``: the SDK's caller must refresh the token."""
    return XeroError(401, detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def forbidden(detail: str = "AuthenticationUnsuccessful") -> XeroError:
    """HTTP 403: the token has no connection to the tenant."""
    return XeroError(403, detail)


def server_error() -> XeroError:
    """HTTP 500, as injected by the fault plan."""
    return XeroError(500, "An error occurred in Xero. Check the API Status page for details.")


def unavailable() -> XeroError:
    """HTTP 503, as injected by the fault plan."""
    return XeroError(503, "The Xero API is currently unavailable; retry later.")
