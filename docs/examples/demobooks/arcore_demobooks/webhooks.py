"""DemoBooks webhooks: checking the signature, and reading the changes announced.

DemoBooks posts a body like ``{"events": [{"entity": "invoice", "id": "I-7", "action":
"update", "at": "2026-01-31T09:30:00Z"}]}`` with ``X-DemoBooks-Signature``: the hex
HMAC-SHA256 of the body, keyed with the webhook key DemoBooks showed when the webhook was set up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime

from pydantic import SecretStr

from arcore.adapter import ChangeNotice

SIGNATURE_HEADER = "X-DemoBooks-Signature"
"""The header that carries the signature (header names arrive in any case)."""


def verify(body: bytes, headers: Mapping[str, str], key: SecretStr) -> bool:
    """Whether ``body`` was signed by DemoBooks with ``key`` (compared in constant time)."""
    wanted = SIGNATURE_HEADER.lower()
    given = next((value for name, value in headers.items() if name.lower() == wanted), None)
    if given is None:
        return False
    expected = hmac.new(key.get_secret_value().encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.encode())


def parse(body: bytes, tenant: str) -> list[ChangeNotice]:
    """The changes a verified webhook ``body`` announces, in the order DemoBooks sent them."""
    return [
        ChangeNotice(
            entity=event["entity"],
            external_id=event["id"],
            operation=event["action"],
            occurred_at=datetime.fromisoformat(event["at"]),
            tenant=tenant,
        )
        for event in json.loads(body)["events"]
    ]
