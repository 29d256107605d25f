"""Signed webhook deliveries and the intent-to-receive exchange, as Xero sends them.

Xero signs the raw body of every delivery with the app's webhook key:
``x-xero-signature = base64(HMAC-SHA256(key, body))``. A receiver answers 200 when the signature
is valid and 401 when it is not, within 5 seconds. Before enabling a webhook, Xero runs an
*intent to receive* check: it sends deliveries with no events, some correctly signed and some
not, and expects 200 and 401 respectively.

>>> d = delivery([], "key")
>>> verify(d.body, d.headers["x-xero-signature"], "key")
True
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.error import HTTPError
from urllib.parse import urlsplit

from .wire import JSONObject

SIGNATURE_HEADER = "x-xero-signature"


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST Xero would send to the webhook URL.

    Attributes:
        body: the raw JSON body (sign and verify these exact bytes).
        headers: ``Content-Type`` and ``x-xero-signature``.
    """

    body: bytes
    headers: dict[str, str]

    def payload(self) -> JSONObject:
        """The body decoded."""
        decoded: JSONObject = json.loads(self.body)
        return decoded


def sign(body: bytes, key: str) -> str:
    """The ``x-xero-signature`` of ``body``: base64 of its HMAC-SHA256 under ``key``."""
    digest = hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body: bytes, signature: str, key: str) -> bool:
    """Whether ``signature`` is the signature of ``body`` under ``key`` (constant time)."""
    return hmac.compare_digest(sign(body, key), signature)


def event(
    tenant_id: str,
    category: str,
    event_type: str,
    resource_id: str,
    resource_url: str,
    at: datetime,
) -> JSONObject:
    """One event of a delivery (``eventCategory`` ``INVOICE``, ``CONTACT`` or ``CREDITNOTE``)."""
    return {
        "resourceUrl": resource_url,
        "resourceId": resource_id,
        "tenantId": tenant_id,
        "tenantType": "ORGANISATION",
        "eventCategory": category,
        "eventType": event_type,
        "eventDateUtc": at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds"),
    }


def delivery(
    events: list[JSONObject], key: str, *, first_sequence: int = 1, bad_signature: bool = False
) -> WebhookDelivery:
    """A delivery of ``events`` signed with ``key`` (mis-signed when ``bad_signature``)."""
    payload = {
        "events": events,
        "firstEventSequence": first_sequence,
        "lastEventSequence": first_sequence + max(len(events) - 1, 0),
        "entropy": secrets.token_hex(10).upper(),
    }
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    signature = sign(body, key if not bad_signature else key + "-wrong")
    return WebhookDelivery(body, {"Content-Type": "application/json", SIGNATURE_HEADER: signature})


def intent_to_receive(key: str) -> list[tuple[WebhookDelivery, int]]:
    """The intent-to-receive deliveries and the status Xero expects for each (200 or 401)."""
    return [
        (delivery([], key), 200),
        (delivery([], key, bad_signature=True), 401),
        (delivery([], key), 200),
        (delivery([], key, bad_signature=True), 401),
    ]


def post(url: str, sent: WebhookDelivery, timeout: float = 5.0) -> int:  # float-ok: seconds
    """POST ``sent`` to a loopback ``url`` as Xero would; returns the HTTP status.

    Raises:
        ValueError: when ``url`` is not on 127.0.0.1 or localhost (tests stay on loopback).
    """
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"webhook deliveries go to loopback only, not {url!r}")
    request = urllib.request.Request(url, data=sent.body, headers=sent.headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except HTTPError as exc:
        return int(exc.code)
