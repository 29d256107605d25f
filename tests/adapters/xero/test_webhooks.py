from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.xero.xero_harness import TENANT, WEBHOOK_BODY, WEBHOOK_KEY, hmac_signature
from arcore.errors import VendorValidationError
from arcore_xero.webhooks import parse_events, response_status, signature, verify_signature

# Computed once with ``openssl dgst -sha256 -hmac`` | base64, independently of Python's hmac:
# printf '%s' '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"XYZ"}' \
#   | openssl dgst -sha256 -hmac 'key' -binary | base64
INTENT_BODY = b'{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"XYZ"}'
INTENT_SIGNATURE = "IR1h1cOmx05XDFgoEAluJNfXzCwxA9pRfqfqsnfcFg4="


def test_the_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    assert signature(WEBHOOK_BODY, WEBHOOK_KEY) == hmac_signature(WEBHOOK_BODY, WEBHOOK_KEY)
    assert signature(INTENT_BODY, "key") == INTENT_SIGNATURE
    assert verify_signature(INTENT_BODY, {"x-xero-signature": INTENT_SIGNATURE}, "key")


def test_a_signed_delivery_verifies_whatever_the_header_case() -> None:
    good = hmac_signature(WEBHOOK_BODY, WEBHOOK_KEY)
    for name in ("x-xero-signature", "X-Xero-Signature", "X-XERO-SIGNATURE"):
        assert verify_signature(WEBHOOK_BODY, {name: good}, WEBHOOK_KEY)


def test_forgeries_are_refused() -> None:
    good = hmac_signature(WEBHOOK_BODY, WEBHOOK_KEY)
    forged = hmac_signature(WEBHOOK_BODY, "someone-else")
    tampered = WEBHOOK_BODY.replace(b"UPDATE", b"CREATE")
    assert not verify_signature(WEBHOOK_BODY, {"x-xero-signature": forged}, WEBHOOK_KEY)
    assert not verify_signature(tampered, {"x-xero-signature": good}, WEBHOOK_KEY)
    assert not verify_signature(WEBHOOK_BODY, {}, WEBHOOK_KEY)
    assert not verify_signature(WEBHOOK_BODY, {"x-xero-signature": good}, "")


def test_intent_to_receive_answers_200_to_the_signed_and_401_to_the_other() -> None:
    signed = {"x-xero-signature": hmac_signature(INTENT_BODY, WEBHOOK_KEY)}
    wrong = {"x-xero-signature": hmac_signature(INTENT_BODY, "not-the-key")}
    assert response_status(INTENT_BODY, signed, WEBHOOK_KEY) == 200
    assert response_status(INTENT_BODY, wrong, WEBHOOK_KEY) == 401
    assert parse_events(INTENT_BODY) == []


def test_events_become_change_notices() -> None:
    body = json.dumps(
        {
            "events": [
                {
                    "resourceId": "c-1",
                    "tenantId": TENANT,
                    "eventCategory": "CONTACT",
                    "eventType": "CREATE",
                    "eventDateUtc": "2024-06-21T01:15:39.902",
                },
                {
                    "resourceId": "cn-1",
                    "eventCategory": "CREDITNOTE",
                    "eventType": "UPDATE",
                    "data": {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"},
                },
                {
                    "resourceId": "cn-2",
                    "eventCategory": "CREDITNOTE",
                    "eventType": "UPDATE",
                    "data": {"Type": "ACCPAYCREDIT"},
                },
                {"resourceId": "s-1", "eventCategory": "SUBSCRIPTION", "eventType": "UPDATE"},
            ],
            "firstEventSequence": 1,
            "lastEventSequence": 4,
            "entropy": "S0m3r4Nd0mt3xt",
        }
    ).encode()
    contact, credit = parse_events(body)
    assert (contact.entity, contact.external_id, contact.operation) == ("customer", "c-1", "create")
    assert contact.tenant == TENANT
    assert contact.occurred_at == datetime(2024, 6, 21, 1, 15, 39, 902000, tzinfo=UTC)
    assert (credit.entity, credit.external_id) == ("credit_memo", "cn-1")
    (invoice,) = parse_events(WEBHOOK_BODY)
    assert (invoice.entity, invoice.operation) == ("invoice", "update")


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"events": 3}'])
def test_a_body_that_is_not_a_delivery_is_refused(body: bytes) -> None:
    with pytest.raises(VendorValidationError):
        parse_events(body)


@given(
    body=st.binary(max_size=300),
    key=st.text(min_size=1, max_size=40),
    other=st.text(min_size=1, max_size=40),
)
def test_only_the_right_key_verifies_any_body(body: bytes, key: str, other: str) -> None:
    signed = {"x-xero-signature": hmac_signature(body, key)}
    assert verify_signature(body, signed, key)
    assert verify_signature(body, signed, other) == (other == key)
