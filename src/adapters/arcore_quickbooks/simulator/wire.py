"""Wire formats shared by the simulator: JSON encoding, timestamps and QBO fault bodies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from arcore_quickbooks import jsonnumbers

JSONObject = dict[str, Any]
"""A decoded JSON object, as received from or sent to the SDK."""


def qbo_time(moment: datetime) -> str:
    """The ``MetaData`` timestamp form QBO uses: seconds and a numeric UTC offset.

    >>> qbo_time(datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=UTC))
    '2024-01-02T03:04:05+00:00'
    """
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def envelope_time(moment: datetime) -> str:
    """The ``time`` member of every response envelope (milliseconds, like QBO)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_qbo_datetime(text: str) -> datetime:
    """Parse a QBO date or date-time; naive values (as the SDK sends for CDC) are read as UTC.

    Raises:
        ValueError: when ``text`` is neither an ISO date nor an ISO date-time.
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def to_wire(value: Any) -> Any:
    """A deep copy of ``value`` as it goes on the wire (``Decimal`` money stays exact)."""
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    return value


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return qbo_time(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(document: object) -> bytes:
    """Encode a response document (``Decimal`` money becomes exact JSON numbers)."""
    return jsonnumbers.dumps(document, default=_json_default, separators=(",", ":")).encode()


def loads(body: bytes) -> Any:
    """Decode a request body; JSON numbers with a fraction become ``Decimal``."""
    return jsonnumbers.loads(body)


@dataclass(eq=False)
class QBOError(Exception):
    """A QBO fault raised inside the simulator and answered as a ``{"Fault": ...}`` body.

    Attributes:
        code: the QBO error code ("5010", "610", ...), sent as a string like QBO.
        message: ``Error.Message``.
        detail: ``Error.Detail``.
        fault_type: ``Fault.type`` (``ValidationFault``, ``SERVICE``, ``SystemFault``...).
        status: the HTTP status of the response.
        element: ``Error.element``.
    """

    code: str
    message: str
    detail: str
    fault_type: str = "ValidationFault"
    status: int = 400
    element: str = ""

    def __str__(self) -> str:
        """``code message: detail``, for logs and test failures."""
        return f"{self.code} {self.message}: {self.detail}"

    def fault(self) -> JSONObject:
        """The ``Fault`` object of the response body."""
        return {
            "Error": [
                {
                    "Message": self.message,
                    "Detail": self.detail,
                    "code": self.code,
                    "element": self.element,
                }
            ],
            "type": self.fault_type,
        }


def stale_object(user: str = "arcore simulator") -> QBOError:
    """HTTP 400, code 5010: the SyncToken sent is not the current one."""
    return QBOError(
        "5010",
        "Stale Object Error",
        f"Stale Object Error : You and {user} were working on this at the same time. "
        f"{user} finished before you did, so your work was not saved.",
    )


def object_not_found(entity: str, object_id: str) -> QBOError:
    """HTTP 400, code 610: no such object (or deleted)."""
    return QBOError(
        "610",
        "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made inactive. "
        f"Check the fields with accounts, customers, items, vendors or employees. "
        f"({entity} Id={object_id})",
    )


def invalid_reference(entity: str, object_id: str) -> QBOError:
    """HTTP 400, code 2500: a reference to an object that does not exist."""
    return QBOError(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {entity} assigned to this transaction has been deleted "
        f"or does not exist (Id={object_id}).",
    )


def required_param(name: str) -> QBOError:
    """HTTP 400, code 2020: a required field is missing."""
    return QBOError(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {name} is missing in the request",
    )


def business_validation(detail: str) -> QBOError:
    """HTTP 400, code 6000: QBO's generic business-rule error."""
    return QBOError(
        "6000", "A business validation error has occurred while processing your request", detail
    )


def query_parse_error(detail: str) -> QBOError:
    """HTTP 400, code 4000: the query text could not be parsed."""
    return QBOError("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail: str) -> QBOError:
    """HTTP 400, code 4001: the query parsed but names something not queryable."""
    return QBOError("4001", "Invalid query", f"QueryValidationError: {detail}")


def unsupported_operation(detail: str) -> QBOError:
    """HTTP 400, code 500: an operation the entity does not support."""
    return QBOError("500", "Unsupported Operation", detail)


def throttled() -> QBOError:
    """HTTP 429, code 3001: the real ThrottleExceeded fault."""
    return QBOError(
        "3001",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.  Try again later",
        fault_type="SERVICE",
        status=429,
    )


def authentication_failed(detail: str) -> QBOError:
    """HTTP 401, code 3200: missing, unknown or expired bearer token."""
    return QBOError(
        "3200",
        "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        detail,
        fault_type="AUTHENTICATION",
        status=401,
    )


def system_failure() -> QBOError:
    """HTTP 500, code 10000: an injected server error (nothing was written)."""
    return QBOError(
        "10000",
        "An application error has occurred while processing your request",
        "System Failure Error: simulated by a fault plan (nothing was written)",
        fault_type="SystemFault",
        status=500,
    )


def cdc_too_old(days: int) -> QBOError:
    """HTTP 400: ``changedSince`` is further back than the CDC window."""
    return QBOError(
        "4001",
        "Invalid query",
        f"QueryValidationError: changedSince must be within the last {days} days; "
        "use a query on MetaData.LastUpdatedTime for older changes",
    )
