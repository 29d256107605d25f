"""QuickBooks webhooks: ``intuit-signature`` verification and both payload formats.

The ``intuit-signature`` header is ``base64(HMAC-SHA256(key=verifier token, msg=raw body))``;
it is compared in constant time (``hmac.compare_digest``), on the raw bytes as received.

Two payload formats reach the same endpoint, depending on the app's setting in the Intuit
developer portal:

* legacy: ``{"eventNotifications": [{"realmId": ..., "dataChangeEvent": {"entities":
  [{"name": "Invoice", "id": "40", "operation": "Update", "lastUpdated": ...,
  "deletedId": ...}]}}]}``
* CloudEvents: ``[{"specversion": "1.0", "id": ..., "type": "qbo.invoice.updated.v1",
  "time": ..., "intuitentityid": "40", "intuitaccountid": <realm>, "data": {}}]``

Notices about entities arcore does not sync (vendors, bills, items...) are left out.
Operations are given in one vocabulary for both formats (``create``, ``update``,
``delete``, ``void``, ``merge``, ``emailed``: CloudEvents' ``updated`` becomes ``update``).
For a legacy ``merge``, the ``deletedId`` (the merged-away object) is announced as a
``delete`` too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from arcore.adapter import ChangeNotice, Entity
from arcore.errors import ValidationError
from arcore_quickbooks.mapping.common import as_datetime

__all__ = [
    "ENTITY_NAMES",
    "SIGNATURE_HEADER",
    "parse_notifications",
    "signature",
    "verify_signature",
]

SIGNATURE_HEADER: Final = "intuit-signature"
"""The header carrying the payload's signature."""

ENTITY_NAMES: Final[Mapping[str, Entity]] = {
    "customer": "customer",
    "term": "term",
    "invoice": "invoice",
    "creditmemo": "credit_memo",
    "payment": "payment",
}
"""QuickBooks entity names (lower case) → arcore entities."""


def signature(body: bytes, verifier_token: str) -> str:
    """The ``intuit-signature`` QuickBooks would send for ``body``."""
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(body: bytes, headers: Mapping[str, str], verifier_token: str) -> bool:
    """Whether ``headers`` carry a valid ``intuit-signature`` for ``body`` (any header case).

    >>> body = b'{"eventNotifications": []}'
    >>> verify_signature(body, {"Intuit-Signature": signature(body, "k")}, "k")
    True
    >>> verify_signature(body, {"intuit-signature": signature(body, "other")}, "k")
    False
    """
    if not verifier_token:
        return False
    sent = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
    if not sent:
        return False
    try:
        received = base64.b64decode(sent.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, received)


_PAST_TENSE: Final = {
    "created": "create",
    "updated": "update",
    "deleted": "delete",
    "voided": "void",
    "merged": "merge",
    "emailed": "emailed",
}


def _operation(text: object) -> str:
    operation = str(text or "update").lower()
    return _PAST_TENSE.get(operation, operation)


def _entity(name: object) -> Entity | None:
    return ENTITY_NAMES.get(str(name).lower()) if name else None


def _legacy(payload: Mapping[str, Any]) -> Iterator[ChangeNotice]:
    for notification in payload.get("eventNotifications") or []:
        realm = str(notification.get("realmId") or "")
        change = notification.get("dataChangeEvent") or {}
        for item in change.get("entities") or []:
            entity = _entity(item.get("name"))
            if entity is None or not item.get("id"):
                continue
            occurred = as_datetime(item.get("lastUpdated"))
            operation = _operation(item.get("operation"))
            yield ChangeNotice(
                entity=entity,
                external_id=str(item["id"]),
                operation=operation,
                occurred_at=occurred,
                tenant=realm,
            )
            if operation == "merge" and item.get("deletedId"):
                yield ChangeNotice(
                    entity=entity,
                    external_id=str(item["deletedId"]),
                    operation="delete",
                    occurred_at=occurred,
                    tenant=realm,
                )


def _cloud_events(events: list[Any]) -> Iterator[ChangeNotice]:
    for event in events:
        if not isinstance(event, Mapping):
            continue
        # type: "qbo.<entity>.<operation>.v<N>"
        parts = str(event.get("type") or "").split(".")
        if len(parts) < 3 or parts[0] != "qbo":
            continue
        entity = _entity(parts[1])
        entity_id = event.get("intuitentityid")
        if entity is None or not entity_id:
            continue
        yield ChangeNotice(
            entity=entity,
            external_id=str(entity_id),
            operation=_operation(parts[2]),
            occurred_at=as_datetime(event.get("time")),
            tenant=str(event.get("intuitaccountid") or ""),
        )


def parse_notifications(body: bytes) -> list[ChangeNotice]:
    """The changes a QuickBooks webhook body announces, in either format.

    >>> body = b'[{"specversion": "1.0", "id": "e1", "type": "qbo.invoice.updated.v1",'
    >>> body += b' "time": "2025-01-01T00:00:00Z", "intuitentityid": "42",'
    >>> body += b' "intuitaccountid": "9130", "data": {}}]'
    >>> [(n.entity, n.external_id, n.operation, n.tenant) for n in parse_notifications(body)]
    [('invoice', '42', 'update', '9130')]

    Raises:
        ValidationError: the body is not JSON, or is neither format.
    """
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(
            "the QuickBooks webhook body is not JSON",
            hint="Pass the raw request body",
            field="body",
        ) from exc
    if isinstance(payload, list):
        return list(_cloud_events(payload))
    if isinstance(payload, Mapping) and "eventNotifications" in payload:
        return list(_legacy(payload))
    if isinstance(payload, Mapping) and "specversion" in payload:
        return list(_cloud_events([payload]))
    raise ValidationError(
        "the QuickBooks webhook body is neither an eventNotifications object nor CloudEvents",
        hint="Check the webhook endpoint receives QuickBooks notifications",
        field="body",
    )
