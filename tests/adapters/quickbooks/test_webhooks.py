from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from arcore.errors import ValidationError
from arcore_quickbooks.webhooks import parse_notifications, signature, verify_signature

# The verified vector of vendors.md 1.9 (intuit/QuickBooks-V3-DotNET-SDK WebhooksServiceTest).
VERIFIER = "00faeec4-08d0-4996-bb37-698ae19f0149"
PAYLOAD = (
    b'{"eventNotifications":[{"realmId":"1269959970","dataChangeEvent":{"entities":['
    b'{"name":"Vendor","id":"40","operation":"Update","lastUpdated":"2016-10-05T03:09:04.000Z"},'
    b'{"name":"Customer","id":"43","operation":"Create","lastUpdated":"2016-10-05T03:07:04.000Z"}'
    b"]}}]}"
)
SIGNATURE = "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM="


def test_intuit_vector_verifies() -> None:
    assert signature(PAYLOAD, VERIFIER) == SIGNATURE
    assert verify_signature(PAYLOAD, {"intuit-signature": SIGNATURE}, VERIFIER)
    assert verify_signature(PAYLOAD, {"Intuit-Signature": SIGNATURE}, VERIFIER)


@pytest.mark.parametrize(
    ("body", "headers", "verifier"),
    [
        (PAYLOAD.replace(b'"40"', b'"41"'), {"intuit-signature": SIGNATURE}, VERIFIER),
        (PAYLOAD, {"intuit-signature": signature(PAYLOAD, "forged-key")}, VERIFIER),
        (PAYLOAD, {"intuit-signature": "not base64!"}, VERIFIER),
        (PAYLOAD, {}, VERIFIER),
        (PAYLOAD, {"intuit-signature": SIGNATURE}, ""),
    ],
)
def test_forged_or_missing_signature_fails(
    body: bytes, headers: dict[str, str], verifier: str
) -> None:
    assert not verify_signature(body, headers, verifier)


def test_legacy_payload_keeps_the_entities_arcore_syncs() -> None:
    (notice,) = parse_notifications(PAYLOAD)  # the Vendor is not an AR entity
    assert (notice.entity, notice.external_id, notice.operation, notice.tenant) == (
        "customer",
        "43",
        "create",
        "1269959970",
    )
    assert notice.occurred_at == datetime(2016, 10, 5, 3, 7, 4, tzinfo=UTC)


def test_legacy_merge_announces_the_merged_away_object() -> None:
    body = {
        "eventNotifications": [
            {
                "realmId": "9",
                "dataChangeEvent": {
                    "entities": [
                        {"name": "Customer", "id": "5", "operation": "Merge", "deletedId": "6"},
                        {"name": "CreditMemo", "id": "7", "operation": "Void"},
                    ]
                },
            }
        ]
    }
    notices = parse_notifications(json.dumps(body).encode())
    assert [(n.entity, n.external_id, n.operation) for n in notices] == [
        ("customer", "5", "merge"),
        ("customer", "6", "delete"),
        ("credit_memo", "7", "void"),
    ]


def test_cloud_events_payload() -> None:
    body = [
        {
            "specversion": "1.0",
            "id": "88a6f5c1",
            "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
            "type": "qbo.payment.created.v1",
            "datacontenttype": "application/json",
            "time": "2025-09-10T21:31:25.179Z",
            "intuitentityid": "1234",
            "intuitaccountid": "310687",
            "data": {},
        },
        {"specversion": "1.0", "type": "qbo.vendor.updated.v1", "intuitentityid": "9"},
        {"specversion": "1.0", "type": "qbo.invoice.deleted.v1", "intuitentityid": "77"},
    ]
    notices = parse_notifications(json.dumps(body).encode())
    assert [(n.entity, n.external_id, n.operation, n.tenant) for n in notices] == [
        ("payment", "1234", "create", "310687"),
        ("invoice", "77", "delete", ""),
    ]
    assert notices[0].occurred_at == datetime(2025, 9, 10, 21, 31, 25, 179000, tzinfo=UTC)


@pytest.mark.parametrize("body", [b"not json", b'{"something": "else"}'])
def test_unknown_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(ValidationError):
        parse_notifications(body)
