"""Webhook deliveries signed like Xero's, the intent-to-receive exchange, events from changes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xero_python.accounting import AccountingApi, Contact, Contacts

from arcore_xero.simulator import XeroSimulator
from arcore_xero.simulator.webhooks import (
    SIGNATURE_HEADER,
    delivery,
    intent_to_receive,
    post,
    sign,
    verify,
)


@given(st.binary(max_size=300), st.text(min_size=1, max_size=40))
def test_signature_is_base64_hmac_sha256_of_the_raw_body(body: bytes, key: str) -> None:
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
    assert sign(body, key) == expected
    assert verify(body, expected, key)
    assert not verify(body + b" ", expected, key)


def test_intent_to_receive_mixes_signed_and_mis_signed_empty_deliveries() -> None:
    exchange = intent_to_receive("secret")
    assert {status for _, status in exchange} == {200, 401}
    for sent, status in exchange:
        assert sent.payload()["events"] == []
        valid = verify(sent.body, sent.headers[SIGNATURE_HEADER], "secret")
        assert valid == (status == 200)


class _Receiver(BaseHTTPRequestHandler):
    key = "secret"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ok = verify(body, self.headers.get(SIGNATURE_HEADER, ""), self.key)
        self.send_response(200 if ok else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/xero"
    server.shutdown()
    server.server_close()


def test_post_delivers_to_a_loopback_receiver(receiver: str) -> None:
    for sent, expected in intent_to_receive("secret"):
        assert post(receiver, sent) == expected
    with pytest.raises(ValueError, match="loopback"):
        post("https://example.com/hook", delivery([], "secret"))


def test_changes_queue_events_and_deliver_signed(
    simulator: XeroSimulator, accounting: AccountingApi, tenant: str
) -> None:
    created = accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Acme")]))
    contact_id = created.contacts[0].contact_id
    accounting.update_contact(
        tenant, contact_id, Contacts(contacts=[Contact(email_address="a@example.com")])
    )
    events = simulator.webhook_events()
    assert [(e["eventCategory"], e["eventType"]) for e in events] == [
        ("CONTACT", "CREATE"),
        ("CONTACT", "UPDATE"),
    ]
    assert {e["resourceId"] for e in events} == {contact_id}
    assert {e["tenantId"] for e in events} == {tenant}
    sent = simulator.webhook_delivery()
    assert verify(sent.body, sent.headers[SIGNATURE_HEADER], simulator.webhook_key)
    assert sent.payload()["lastEventSequence"] == 2
    assert simulator.webhook_events() == []
