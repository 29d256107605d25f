"""The vendor side of the Xero adapter tests: a ticking clock, the kit's harness, helpers.

The harness drives the simulator directly (``sim.seed``) and through a raw xero-python client
of its own (never through the adapter under test).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from pydantic import SecretStr

from arcore.adapter import Applied, Connection, Entity, Record, TokenStore
from arcore.documents import (
    Contact,
    CreditMemo,
    Customer,
    DocumentStatus,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
)
from arcore.money import Money
from arcore.terms import NetTerms, ProxTerms
from arcore.testing import FailureKind
from arcore_xero.adapter import XeroAdapter
from arcore_xero.mapping.common import MappingContext
from arcore_xero.mapping.contacts import contact_to_record
from arcore_xero.mapping.credit_notes import credit_note_to_record
from arcore_xero.mapping.invoices import invoice_to_record
from arcore_xero.mapping.payments import payment_to_record
from arcore_xero.simulator import Fault, XeroSimulator

TENANT = "5b0e8d4c-1f3a-4e6b-9c2d-7a8f0e1d2c3b"
CLIENT_SECRET = "conformance-client-secret"
BOOTSTRAP_REFRESH_TOKEN = "conformance-bootstrap-refresh-token"
WEBHOOK_KEY = "conformance-webhook-key-7Hq2"
# The example delivery of xero-webhooks.yaml (vendors.md 2.5), one invoice event.
WEBHOOK_BODY = (
    b'{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Invoices/'
    b'2f8e3c1a-7b4d-4e5f-9a6b-1c2d3e4f5a6b","resourceId":"2f8e3c1a-7b4d-4e5f-9a6b-1c2d3e4f5a6b",'
    b'"eventDateUtc":"2024-06-21T01:15:39.902","eventType":"UPDATE","eventCategory":"INVOICE",'
    b'"tenantId":"5b0e8d4c-1f3a-4e6b-9c2d-7a8f0e1d2c3b","tenantType":"ORGANISATION"}],'
    b'"firstEventSequence":1,"lastEventSequence":1,"entropy":"S0m3r4Nd0mt3xt"}'
)

CONTEXT = MappingContext(company_id="acme")
ENVELOPES = {
    "customer": "Contacts",
    "invoice": "Invoices",
    "credit_memo": "CreditNotes",
    "payment": "Payments",
}
MODELS = {
    "customer": "Contact",
    "invoice": "Invoice",
    "credit_memo": "CreditNote",
    "payment": "Payment",
}
READERS = {
    "customer": contact_to_record,
    "invoice": invoice_to_record,
    "credit_memo": credit_note_to_record,
    "payment": payment_to_record,
}


def hmac_signature(body: bytes, key: str) -> str:
    """``x-xero-signature`` computed here with hmac, independently of the adapter's code."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


class Clock:
    """Simulated time, one second on at every reading: every change gets its own stamp."""

    def __init__(self, start: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def model(entity: str, wire: dict[str, Any]) -> Any:
    """A wire-form object (as Xero sends it) as xero-python deserialises it."""
    from xero_python.accounting import models
    from xero_python.api_client import ModelFinder
    from xero_python.api_client.deserializer import deserialize

    return deserialize(MODELS[entity], wire, ModelFinder(models))


def as_record(entity: str, wire: dict[str, Any], context: MappingContext = CONTEXT) -> Record:
    """A wire-form object mapped as the adapter maps it."""
    return READERS[entity](model(entity, wire), context)


def connection(
    sim: XeroSimulator,
    token_store: TokenStore,
    *,
    tenant: str = TENANT,
    clock: Any = None,
    company_id: str = "acme",
) -> Connection:
    """The adapter's connection to ``sim``."""
    options: dict[str, Any] = {} if clock is None else {"clock": clock}
    return Connection(
        system="xero",
        tenant=tenant,
        settings={
            "client_id": "arcore-conformance",
            "api_url": sim.base_url,
            "identity_url": sim.token_url,
            "company_id": company_id,
        },
        secrets={
            "client_secret": SecretStr(CLIENT_SECRET),
            "refresh_token": SecretStr(BOOTSTRAP_REFRESH_TOKEN),
            "webhook_key": SecretStr(WEBHOOK_KEY),
        },
        token_store=token_store,
        company_id=company_id,
        **options,
    )


def adapter(sim: XeroSimulator, token_store: TokenStore, clock: Any) -> XeroAdapter:
    """A connected adapter on ``sim``."""
    return XeroAdapter(connection(sim, token_store), clock=clock)


class RawXero:
    """A plain xero-python client on the simulator, with tokens the simulator issues."""

    def __init__(self, sim: XeroSimulator) -> None:
        from xero_python.accounting import AccountingApi
        from xero_python.api_client import ApiClient
        from xero_python.api_client.configuration import Configuration
        from xero_python.api_client.oauth2 import OAuth2Token

        self.sim = sim
        config = Configuration(
            oauth2_token=OAuth2Token(client_id="harness", client_secret="harness-secret")
        )
        self.client = ApiClient(
            config,
            pool_threads=1,
            oauth2_token_getter=self._token,
            oauth2_token_saver=lambda token: None,
        )
        self.api = AccountingApi(self.client, base_url=sim.base_url)

    def _token(self) -> dict[str, Any]:
        issued = self.sim.issue_token("harness")
        return {
            "access_token": issued["access_token"],
            "refresh_token": issued.get("refresh_token"),
            "token_type": "Bearer",
            "scope": str(issued["scope"]).split(),
            "expires_in": None,
            "expires_at": None,
        }


class XeroHarness:
    """The vendor side for the kit: the simulator, driven directly and through a raw SDK."""

    def __init__(self, sim: XeroSimulator, clock: Clock, tenant: str = TENANT) -> None:
        self.sim = sim
        self.clock = clock
        self.tenant = tenant
        self.raw = RawXero(sim)
        self._serial = count(1)
        self._last_sample_name = ""

    # --- objects ------------------------------------------------------------------------

    def _seed(self, entity: str, obj: dict[str, Any]) -> dict[str, Any]:
        return self.sim.seed(self.tenant, ENVELOPES[entity], obj)

    def contact_id(self) -> str:
        wire = self._seed("customer", {"Name": f"Harness contact {next(self._serial)}"})
        return str(wire["ContactID"])

    def invoice(self, amount: str = "250.00") -> dict[str, Any]:
        """A new authorised invoice of ``amount`` (no tax), in wire form."""
        return self._seed(
            "invoice",
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": self.contact_id()},
                "InvoiceNumber": f"H-{next(self._serial)}",
                "Date": "2026-10-01",
                "DueDate": "2026-10-31",
                "Status": "AUTHORISED",
                "LineAmountTypes": "Exclusive",
                "LineItems": [
                    {
                        "Description": "Hours",
                        "Quantity": 1,
                        "UnitAmount": Decimal(amount),
                        "AccountCode": "200",
                        "TaxType": "NONE",
                    }
                ],
            },
        )

    def _document(
        self, entity: Entity
    ) -> tuple[Customer | Invoice | CreditMemo | Payment, tuple[Applied, ...]]:
        n = next(self._serial)
        if entity == "customer":
            self._last_sample_name = f"Customer {n} (Leeds) Ltd"
            return (
                Customer(
                    company_id="acme",
                    id=f"core-{n}",
                    name=self._last_sample_name,
                    currency="GBP",
                    terms=ProxTerms(day=20) if n % 2 else NetTerms(days=14, eom=True),
                    contacts=(
                        Contact(
                            name="Ada Lovelace", email="ada@example.com", phone="0113 496 0000"
                        ),
                        Contact(name="Charles Babbage", email="cb@example.com"),
                    ),
                ),
                (),
            )
        if entity == "invoice":
            return (
                Invoice(
                    company_id="acme",
                    id=f"core-{n}",
                    customer_id=self.contact_id(),
                    currency="USD",
                    number=f"INV-{n:05d}",
                    document_date=date(2026, 10, 5),
                    terms=NetTerms(days=30),
                    status=DocumentStatus.ISSUED,
                    lines=(
                        InvoiceLine(
                            description="Licence (14 significant digits)",
                            quantity=Decimal(1),
                            unit_price=Money("123456789012.34", "USD"),
                            tax_rate=Decimal(20),
                        ),
                        InvoiceLine(
                            description="Stamps at a tenth",
                            quantity=Decimal(3),
                            unit_price=Money("0.10", "USD"),
                            revenue_account="260",
                        ),
                        InvoiceLine(
                            description="Hours at 8.25 %",
                            quantity=Decimal("2.5"),
                            unit_price=Money("33.3333", "USD"),
                            tax_rate=Decimal("8.25"),
                        ),
                    ),
                    memo=f"PO {n}",
                ),
                (),
            )
        if entity == "credit_memo":
            return (
                CreditMemo(
                    company_id="acme",
                    id=f"core-{n}",
                    customer_id=self.contact_id(),
                    currency="USD",
                    number=f"CN-{n:05d}",
                    document_date=date(2026, 10, 6),
                    amount=Money("118.80", "USD"),
                    tax=Money("19.80", "USD"),
                    status=DocumentStatus.ISSUED,
                    memo=f"RMA {n}",
                    reason="Returned goods",
                ),
                (),
            )
        if entity == "payment":
            invoice = self.invoice("1234567890123.10")
            contact = str(invoice["Contact"]["ContactID"])
            amount = Money("1234567890123.10", "USD")
            return (
                Payment(
                    company_id="acme",
                    id=f"core-{n}",
                    customer_id=contact,
                    currency="USD",
                    received_date=date(2026, 10, 20),
                    amount=amount,
                    method=PaymentMethod.OTHER,
                    reference=f"CHQ {n}",
                ),
                (Applied(target_id=str(invoice["InvoiceID"]), amount=amount),),
            )
        raise NotImplementedError(f"the harness makes no {entity}")

    def sample(self, entity: Entity, n: int) -> list[Record]:
        records = []
        for _ in range(n):
            document, applications = self._document(entity)
            records.append(
                Record(
                    entity=entity, external_id=None, document=document, applications=applications
                )
            )
        return records

    def seed(self, entity: Entity, n: int) -> list[Record]:
        seeded = []
        for _ in range(n):
            serial = next(self._serial)
            if entity == "customer":
                wire = self._seed("customer", {"Name": f"Seeded customer {serial}"})
            elif entity == "invoice":
                wire = self.invoice(f"{serial}.25")
            elif entity == "credit_memo":
                wire = self._seed(
                    "credit_memo",
                    {
                        "Type": "ACCRECCREDIT",
                        "Contact": {"ContactID": self.contact_id()},
                        "Date": "2026-10-06",
                        "Status": "AUTHORISED",
                        "LineItems": [
                            {"Description": "Credit", "Quantity": 1, "UnitAmount": Decimal("9.5")}
                        ],
                    },
                )
            elif entity == "payment":
                invoice = self.invoice("80.00")
                wire = self._seed(
                    "payment",
                    {
                        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                        "Account": {"Code": "090"},
                        "Date": "2026-10-21",
                        "Amount": Decimal("80.00"),
                    },
                )
            else:
                raise NotImplementedError(f"the harness seeds no {entity}")
            seeded.append(as_record(entity, wire))
        return seeded

    def edit(self, record: Record) -> Record:
        document = record.document
        if isinstance(document, Customer):
            changed: Any = document.model_copy(update={"name": f"{document.name} (edited)"})
        elif isinstance(document, Payment):
            raise NotImplementedError(
                "Xero cannot change a payment (only reverse it): payments have no update"
            )
        else:
            assert document is not None
            changed = document.model_copy(update={"memo": "edited memo"})
        return record.model_copy(update={"document": changed})

    def change_behind_adapter(self, record: Record) -> Record:
        entity, external_id = record.entity, str(record.external_id)
        api = self.raw.api
        if entity == "customer":
            body = {
                "Contacts": [{"ContactID": external_id, "Name": f"Behind {next(self._serial)}"}]
            }
            answer = api.update_contact(self.tenant, external_id, body)
            return READERS[entity](answer.contacts[0], CONTEXT)
        if entity == "invoice":
            body = {"Invoices": [{"InvoiceID": external_id, "Reference": "changed behind"}]}
            answer = api.update_invoice(self.tenant, external_id, body)
            return READERS[entity](answer.invoices[0], CONTEXT)
        if entity == "credit_memo":
            body = {"CreditNotes": [{"CreditNoteID": external_id, "Reference": "changed behind"}]}
            answer = api.update_credit_note(self.tenant, external_id, body)
            return READERS[entity](answer.credit_notes[0], CONTEXT)
        raise NotImplementedError(f"Xero cannot change a {entity} (payments are only reversed)")

    def count(self, entity: Entity) -> int:
        return len(self.sim.objects(self.tenant, ENVELOPES[entity]))

    # --- failures -----------------------------------------------------------------------

    def throttle(self, times: int) -> float | None:  # float-ok: seconds
        self.sim.add_fault(Fault(kind="throttle", times=times, seconds=5))
        return 5.0  # float-ok: seconds

    def expire_token(self) -> None:
        self.sim.expire_access_tokens()

    def fail_next(self, kind: FailureKind) -> None:
        if kind == "transient":
            self.sim.add_fault(Fault(kind="http_500"))
        elif kind == "disconnect":
            self.sim.add_fault(Fault(kind="drop_after_commit"))
        elif kind == "auth":
            # The token fails, and so does the one the refresh brings: refreshing cannot help.
            self.sim.add_fault(Fault(kind="expire_token", times=2))
        elif kind == "not_found":
            self.sim.add_fault(Fault(kind="not_found"))
        elif kind == "validation":
            # Xero refuses a second contact of the same name.
            self._seed("customer", {"Name": self._last_sample_name})
        else:
            raise NotImplementedError(f"the simulator's fault plan has no {kind} failure")

    def webhook(self, valid: bool) -> tuple[bytes, dict[str, str]]:
        key = WEBHOOK_KEY if valid else "forged-webhook-key"
        return WEBHOOK_BODY, {"x-xero-signature": hmac_signature(WEBHOOK_BODY, key)}

    def secrets(self) -> set[str]:
        return {CLIENT_SECRET, WEBHOOK_KEY, BOOTSTRAP_REFRESH_TOKEN}
