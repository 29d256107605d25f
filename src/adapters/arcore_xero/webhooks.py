"""Xero webhooks: ``x-xero-signature`` verification, intent to receive, and the events.

Xero signs each delivery with the app's webhook key: the ``x-xero-signature`` header is
``base64(HMAC-SHA256(key, raw body))``. The receiving endpoint must answer **200** to a
correctly signed delivery and **401** to any other, within five seconds; before Xero sends
anything else it checks the endpoint with such a pair of deliveries with no events (the
*intent to receive*). [`response_status`][arcore_xero.webhooks.response_status] gives that
answer.

A delivery ``{"events": [{"resourceId", "tenantId", "eventCategory", "eventType",
"eventDateUtc", ...}], "firstEventSequence", "lastEventSequence", "entropy"}`` announces
changes to contacts (``CONTACT``), invoices (``INVOICE``) and credit notes (``CREDITNOTE``);
Xero sends none for payments, and ``SUBSCRIPTION`` events are not about the books.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from arcore.adapter import ChangeNotice, Entity
from arcore.errors import VendorValidationError
from arcore_xero.errors import SYSTEM, header

__all__ = ["SIGNATURE_HEADER", "parse_events", "response_status", "signature", "verify_signature"]

SIGNATURE_HEADER: Final = "x-xero-signature"
"""The header carrying a delivery's signature."""

_ENTITIES: Final[Mapping[str, Entity]] = {
    "CONTACT": "customer",
    "INVOICE": "invoice",
    "CREDITNOTE": "credit_memo",
}


def signature(body: bytes, key: str) -> str:
    """The ``x-xero-signature`` Xero sends with ``body``: base64 of its HMAC-SHA256 by ``key``."""
    digest = hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(body: bytes, headers: Mapping[str, str], key: str) -> bool:
    """Whether ``headers`` carry the signature of ``body`` by ``key`` (constant-time compare)."""
    given = header(headers, SIGNATURE_HEADER)
    if not given or not key:
        return False
    return hmac.compare_digest(signature(body, key).encode("ascii"), given.strip().encode())


def response_status(body: bytes, headers: Mapping[str, str], key: str) -> int:
    """What to answer Xero: 200 for a correctly signed delivery, 401 for any other.

    A delivery with no events is answered the same way: Xero's intent-to-receive check sends
    one signed correctly and one not, and expects 200 and 401.
    """
    return 200 if verify_signature(body, headers, key) else 401


def _moment(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_events(body: bytes) -> list[ChangeNotice]:
    """The change notices a (verified) delivery announces; an intent-to-receive one has none.

    Raises:
        VendorValidationError: the body is not a Xero webhook payload.
    """
    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VendorValidationError(
            "the webhook body is not JSON", system=SYSTEM, field="body"
        ) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("events", []), list):
        raise VendorValidationError(
            "the webhook body has no events list", system=SYSTEM, field="events"
        )
    notices = []
    for event in payload.get("events") or []:
        if not isinstance(event, dict):
            continue
        entity = _ENTITIES.get(str(event.get("eventCategory", "")).upper())
        resource = str(event.get("resourceId") or "")
        if entity is None or not resource:
            continue
        data = event.get("data")
        if (
            entity == "credit_memo"
            and isinstance(data, dict)
            and data.get("Type") not in (None, "ACCRECCREDIT")
        ):
            continue  # a supplier credit note
        notices.append(
            ChangeNotice(
                entity=entity,
                external_id=resource,
                operation=str(event.get("eventType") or "UPDATE").lower(),
                occurred_at=_moment(event.get("eventDateUtc")),
                tenant=str(event.get("tenantId") or ""),
            )
        )
    return notices
