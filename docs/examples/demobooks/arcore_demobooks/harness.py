"""The conformance kit's hands on DemoBooks: a ``VendorHarness`` over the simulator."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date
from decimal import Decimal

from pydantic import SecretStr

from arcore.adapter import Connection, Entity, Record, TokenStore
from arcore.documents import Customer, Invoice, InvoiceLine
from arcore.money import Money
from arcore.terms import parse_terms
from arcore.testing import FailureKind
from arcore_demobooks import customers
from arcore_demobooks.adapter import MAPPINGS
from arcore_demobooks.client import DemoBooksClient
from arcore_demobooks.simulator import DemoBooksServer

TENANT = "demo-company"
KINDS = {"customer": "customers", "invoice": "invoices"}


class DemoBooksHarness:
    """Drives a running ``DemoBooksServer`` for the conformance kit."""

    def __init__(self, server: DemoBooksServer) -> None:
        self.server = server
        self.demobooks = server.demobooks
        self._made = 0

    def connection(self, token_store: TokenStore) -> Connection:
        """A connection to the server, its first tokens saved in ``token_store``.

        The tokens stand for the OAuth consent a person gives once, in the vendor's screens.
        """
        issued = self.demobooks.issue_tokens()
        connection = Connection(
            system="demobooks",
            tenant=TENANT,
            settings={"base_url": self.server.url, "client_id": self.demobooks.client_id},
            secrets={
                "client_secret": SecretStr(self.demobooks.client_secret),
                "webhook_key": SecretStr(self.demobooks.webhook_key),
            },
            token_store=token_store,
        )
        token_store.save("demobooks", TENANT, DemoBooksClient.token_from(issued))
        return connection

    def sample(self, entity: Entity, n: int) -> list[Record]:
        """New customers or invoices (an invoice's customer is created in DemoBooks first)."""
        return [self._new(entity) for _ in range(n)]

    def seed(self, entity: Entity, n: int) -> list[Record]:
        """Objects created directly in DemoBooks, as it keeps them."""
        mapping = MAPPINGS[entity]
        return [
            mapping.to_record(
                self.demobooks.insert(KINDS[entity], mapping.to_vendor(self._new(entity))), TENANT
            )
            for _ in range(n)
        ]

    def edit(self, record: Record) -> Record:
        """``record`` renamed (a customer) or with a new memo (an invoice)."""
        document = record.document
        changed: Customer | Invoice
        if isinstance(document, Customer):
            changed = document.model_copy(update={"name": f"{document.name} (edited)"})
        elif isinstance(document, Invoice):
            changed = document.model_copy(update={"memo": f"{document.memo} edited".strip()})
        else:
            raise NotImplementedError(f"cannot edit a {record.entity}")
        return record.model_copy(update={"document": changed})

    def change_behind_adapter(self, record: Record) -> Record:
        """Change the object in DemoBooks directly, as a user of its screens would."""
        kind, object_id = KINDS[record.entity], str(record.external_id)
        field = "name" if record.entity == "customer" else "memo"
        current = self.demobooks.objects[kind][object_id]
        changed = self.demobooks.touch(kind, object_id, **{field: f"{current[field]} (by hand)"})
        return MAPPINGS[record.entity].to_record(changed, TENANT)

    def count(self, entity: Entity) -> int:
        """How many objects of ``entity`` DemoBooks holds."""
        return len(self.demobooks.objects[KINDS[entity]])

    def throttle(self, times: int) -> float | None:  # float-ok: seconds, not money
        """Refuse the next ``times`` requests; DemoBooks says how long to wait."""
        self.demobooks.throttle(times)
        return float(self.demobooks.retry_after)  # float-ok: seconds

    def expire_token(self) -> None:
        """Every access token stops working."""
        self.demobooks.expire_tokens()

    def fail_next(self, kind: FailureKind) -> None:
        """Fail the next request (``auth``: revoke every token)."""
        self.demobooks.fail_next(kind)

    def webhook(self, valid: bool) -> tuple[bytes, dict[str, str]]:
        """A delivery announcing an invoice update; forged ones are signed with another key."""
        event = {"entity": "invoice", "id": "I-1", "action": "update", "at": "2026-01-31T09:30:00Z"}
        body = json.dumps({"events": [event]}).encode()
        key = self.demobooks.webhook_key if valid else "not-the-webhook-key"
        signature = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
        return body, {"X-DemoBooks-Signature": signature}

    def secrets(self) -> set[str]:
        """The client secret, the webhook key and every token DemoBooks issued."""
        return {self.demobooks.client_secret, self.demobooks.webhook_key, *self.demobooks.issued}

    def _new(self, entity: Entity) -> Record:
        self._made += 1
        if entity == "customer":
            return Record(entity="customer", external_id=None, document=self._customer())
        if entity == "invoice":
            return Record(entity="invoice", external_id=None, document=self._invoice())
        raise NotImplementedError(f"DemoBooks has no {entity} objects")

    def _customer(self) -> Customer:
        return Customer(
            company_id=TENANT,
            id=f"new-customer-{self._made}",
            name=f"Customer {self._made}",
            currency="USD",
            terms=parse_terms("2/10 Net 30"),
            # Eighteen significant digits: more than a float holds.
            credit_limit=Money("1234567890123456.78", "USD"),
        )

    def _invoice(self) -> Invoice:
        customer = self.demobooks.insert("customers", customers.to_vendor(self._new("customer")))
        return Invoice(
            company_id=TENANT,
            id=f"new-invoice-{self._made}",
            customer_id=customer["id"],
            number=f"INV-{self._made:04d}",
            document_date=date(2026, 1, 31),
            currency="USD",
            terms=parse_terms("Net 30"),
            memo="Thank you",
            lines=(
                InvoiceLine(
                    description="Widget",
                    quantity=Decimal(3),
                    unit_price=Money("19.99", "USD"),
                    tax_rate=Decimal("8.25"),
                ),
                InvoiceLine(
                    description="Consulting",
                    quantity=Decimal("0.1"),
                    unit_price=Money("1234567890123456.78", "USD"),
                ),
            ),
        )
