"""arcore's adapter conformance kit, run on the QuickBooks adapter against the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

pytest.importorskip(
    "arcore_quickbooks.simulator",
    reason="the QuickBooks simulator (arcore_quickbooks.simulator) is not available yet",
)

from intuitlib.client import AuthClient
from pydantic import SecretStr
from quickbooks import QuickBooks

from arcore.adapter import Connection, Entity, Record
from arcore.documents import (
    Contact,
    CreditMemo,
    Customer,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
)
from arcore.money import Money
from arcore.testing import AdapterConformance, FailureKind, MemoryTokenStore
from arcore_quickbooks import jsonnumbers, plugin
from arcore_quickbooks.adapter import QuickBooksAdapter
from arcore_quickbooks.mapping.common import MappingContext
from arcore_quickbooks.mapping.credit_memos import credit_memo_to_record
from arcore_quickbooks.mapping.customers import customer_to_record
from arcore_quickbooks.mapping.invoices import invoice_to_record
from arcore_quickbooks.mapping.payments import payment_to_record
from arcore_quickbooks.simulator import Fault, QuickBooksSimulator
from arcore_quickbooks.webhooks import signature

REALM = "4620816365"
CLIENT_SECRET = "conformance-client-secret"
BOOTSTRAP_REFRESH_TOKEN = "conformance-bootstrap-refresh-token"
# intuit/QuickBooks-V3-DotNET-SDK's verified webhook vector (vendors.md 1.9).
VERIFIER = "00faeec4-08d0-4996-bb37-698ae19f0149"
VECTOR_BODY = (
    b'{"eventNotifications":[{"realmId":"1269959970","dataChangeEvent":{"entities":['
    b'{"name":"Vendor","id":"40","operation":"Update","lastUpdated":"2016-10-05T03:09:04.000Z"},'
    b'{"name":"Customer","id":"43","operation":"Create","lastUpdated":"2016-10-05T03:07:04.000Z"}'
    b"]}}]}"
)
VECTOR_SIGNATURE = "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM="

_NAMES = {
    "customer": "Customer",
    "invoice": "Invoice",
    "credit_memo": "CreditMemo",
    "payment": "Payment",
}
_READ = {
    "customer": customer_to_record,
    "invoice": invoice_to_record,
    "credit_memo": credit_memo_to_record,
    "payment": payment_to_record,
}


class Clock:
    """Simulated time, one second on at every reading: every change gets its own stamp."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> None:
        self.now += timedelta(seconds=1)


class QuickBooksHarness:
    """The vendor side for the kit: the simulator, driven directly and through the raw SDK."""

    def __init__(self, sim: QuickBooksSimulator, clock: Clock) -> None:
        self.sim = sim
        self.clock = clock
        self._serial = count(1)
        self._last_sample_name = ""
        self._context = MappingContext(company_id="acme")
        auth = AuthClient("harness", "harness-secret", "http://localhost/cb", sim.discovery_url)
        self._qb: Any = QuickBooks(
            auth_client=auth,
            refresh_token="harness-refresh-token",
            company_id=REALM,
            minorversion=75,
            use_decimal=True,
        )
        self._qb.api_url_v3 = sim.api_url

    # --- objects ------------------------------------------------------------------------

    def _customer_id(self) -> str:
        self.clock.tick()
        obj = self.sim.seed(
            REALM, "Customer", {"DisplayName": f"Harness customer {next(self._serial)}"}
        )
        return str(obj["Id"])

    def _document(self, entity: Entity) -> Customer | Invoice | CreditMemo | Payment:
        n = next(self._serial)
        if entity == "customer":
            self._last_sample_name = f"Customer {n} (Leeds) Ltd"
            return Customer(
                company_id="acme",
                id=f"core-{n}",
                name=self._last_sample_name,
                aliases=(f"Customer {n} Holdings",),
                currency="USD",
                contacts=(Contact(name="Ana Ruiz", email=f"ap{n}@example.com"),),
            )
        customer_id = self._customer_id()
        if entity == "invoice":
            return Invoice(
                company_id="acme",
                id=f"core-{n}",
                customer_id=customer_id,
                currency="USD",
                number=f"INV-{n}",
                document_date=date(2026, 11, 2),
                terms="Net 30",
                tax_rounding="document",
                memo="first memo",
                lines=[
                    # 0.1-style fractions a float cannot hold, and eighteen significant digits.
                    InvoiceLine(
                        description="Hours",
                        quantity=Decimal("3"),
                        unit_price=Money("0.10", "USD"),
                    ),
                    InvoiceLine(
                        description="Bulk",
                        quantity=Decimal(1),
                        unit_price=Money("1234567890123456.78", "USD"),
                    ),
                ],
            )
        if entity == "credit_memo":
            return CreditMemo(
                company_id="acme",
                id=f"core-{n}",
                customer_id=customer_id,
                currency="USD",
                number=f"CM-{n}",
                document_date=date(2026, 11, 2),
                amount=Money("1234567890123.46", "USD"),
                tax=Money("0.10", "USD"),
                reason="Returned goods",
            )
        return Payment(
            company_id="acme",
            id=f"core-{n}",
            customer_id=customer_id,
            currency="USD",
            received_date=date(2026, 11, 3),
            amount=Money("1234567890123.47", "USD"),
            method=PaymentMethod.OTHER,
            reference=f"CHK-{n}",
        )

    def sample(self, entity: Entity, n: int) -> list[Record]:
        if entity not in _NAMES:
            raise NotImplementedError(f"no samples of {entity}")
        return [
            Record(entity=entity, external_id=None, document=self._document(entity))
            for _ in range(n)
        ]

    def _as_record(self, entity: Entity, obj: dict[str, Any]) -> Record:
        return _READ[entity](
            json.loads(json.dumps(obj, default=str), parse_float=Decimal), self._context
        )

    def seed(self, entity: Entity, n: int) -> list[Record]:
        if entity not in _NAMES:
            raise NotImplementedError(f"cannot seed {entity}")
        seeded = []
        for record in self.sample(entity, n):
            self.clock.tick()
            created = self._qb.create_object(
                _NAMES[entity],
                jsonnumbers.dumps(_body(record)),
                request_id=f"seed-{next(self._serial)}",
            )
            seeded.append(self._as_record(entity, created[_NAMES[entity]]))
        return seeded

    def edit(self, record: Record) -> Record:
        document = record.document
        if isinstance(document, Customer):
            changed: Any = document.model_copy(update={"name": f"{document.name} (edited)"})
        elif isinstance(document, CreditMemo):
            changed = document.model_copy(update={"memo": "edited memo"})
        else:
            assert document is not None
            changed = document.model_copy(update={"memo": "edited memo"})
        return record.model_copy(update={"document": changed})

    def change_behind_adapter(self, record: Record) -> Record:
        name = _NAMES[record.entity]
        body: dict[str, Any] = {
            "Id": record.external_id,
            "SyncToken": record.version,
            "sparse": True,
        }
        if record.entity == "customer":
            body["DisplayName"] = f"Changed behind {next(self._serial)}"
        else:
            body["PrivateNote"] = "changed behind the adapter"
        self.clock.tick()
        answer = self._qb.update_object(name, jsonnumbers.dumps(body))
        return self._as_record(record.entity, answer[name])

    def count(self, entity: Entity) -> int:
        return len(self.sim.objects(REALM, _NAMES[entity]))

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
            # QuickBooks refuses a second customer of the same name (6240 Duplicate Name).
            self.sim.seed(REALM, "Customer", {"DisplayName": self._last_sample_name})
        else:
            raise NotImplementedError(f"the simulator's fault plan has no {kind} failure")

    def webhook(self, valid: bool) -> tuple[bytes, dict[str, str]]:
        if valid:
            return VECTOR_BODY, {"intuit-signature": VECTOR_SIGNATURE}
        return VECTOR_BODY, {"intuit-signature": signature(VECTOR_BODY, "forged-verifier")}

    def secrets(self) -> set[str]:
        return {CLIENT_SECRET, VERIFIER, BOOTSTRAP_REFRESH_TOKEN}


def _body(record: Record) -> dict[str, Any]:
    from arcore_quickbooks.mapping.credit_memos import record_to_credit_memo
    from arcore_quickbooks.mapping.customers import record_to_customer
    from arcore_quickbooks.mapping.invoices import record_to_invoice
    from arcore_quickbooks.mapping.payments import record_to_payment

    context = MappingContext(company_id="acme")
    writers = {
        "customer": record_to_customer,
        "invoice": record_to_invoice,
        "credit_memo": record_to_credit_memo,
        "payment": record_to_payment,
    }
    return writers[record.entity](record, context)


class TestQuickBooksConformance(AdapterConformance):
    system = "quickbooks"
    plugin = plugin
    # QuickBooks voids invoices and payments, not credit memos; a voided payment keeps no
    # amount at all, which an arcore Payment cannot be (see the adapter's report).
    voids = frozenset({"invoice"})
    deletes = frozenset({"invoice", "credit_memo", "payment"})
    page_size = 2

    @pytest.fixture
    def clock(self) -> Clock:
        return Clock()

    @pytest.fixture
    def simulator(
        self, clock: Clock, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[QuickBooksSimulator]:
        monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
        with QuickBooksSimulator(port=0, clock=clock) as sim:
            yield sim

    @pytest.fixture
    def vendor(self, simulator: QuickBooksSimulator, clock: Clock) -> QuickBooksHarness:
        return QuickBooksHarness(simulator, clock)

    @pytest.fixture
    def adapter(
        self, simulator: QuickBooksSimulator, clock: Clock, token_store: MemoryTokenStore
    ) -> QuickBooksAdapter:
        connection = Connection(
            system="quickbooks",
            tenant=REALM,
            settings={
                "client_id": "arcore-conformance",
                "environment": simulator.discovery_url,
                "api_url": simulator.api_url,
                "company_id": "acme",
            },
            secrets={
                "client_secret": SecretStr(CLIENT_SECRET),
                "refresh_token": SecretStr(BOOTSTRAP_REFRESH_TOKEN),
                "webhook_verifier": SecretStr(VERIFIER),
            },
            token_store=token_store,
        )
        return QuickBooksAdapter(connection, clock=clock)
